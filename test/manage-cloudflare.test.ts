// Cloudflare account IAM management operations (seed 003), through the public surface: each describe is one
// seed operation; refusals are pinned by `code` and `status`, never by wording.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cloudflareOperations as cf, parseSource, SeedError } from '@portcullis/engine';
import { SourceState } from '@portcullis/engine/internals';
import type { ManageContext, SourceInput } from '@portcullis/engine';

const A = 'acc1';
const ACCOUNT_SCOPE = { key: `com.cloudflare.api.account.${A}`, objects: [{ key: '*' }] };
const ALL_ZONES = { key: `com.cloudflare.api.account.${A}`, objects: [{ key: 'com.cloudflare.api.account.zone.*' }] };
const ONE_ZONE = { key: `com.cloudflare.api.account.${A}`, objects: [{ key: 'com.cloudflare.api.account.zone.z1' }] };
const LEGACY_ZONE = { key: 'com.cloudflare.api.account.zone.z2', objects: [{ key: '*' }] };

const source: SourceInput = {
  version: 1,
  accounts: [
    { id: A, system: 'cloudflare' },
    { id: 'acc2', system: 'cloudflare' },
    { id: 'ibm1', system: 'ibm' },
  ],
  principals: [
    { id: 'u1', accountId: A, kind: 'user', email: 'one@example.com' },
    { id: 'u2', accountId: A, kind: 'user', email: 'two@example.com', status: 'pending' },
    { id: 'u9', accountId: 'acc2', kind: 'user', email: 'nine@example.com' },
  ],
  roles: [
    { id: 'pg-zone', kind: 'permission-group', scopeType: 'zone', name: 'Zone Read', actions: ['zone:read'] },
    { id: 'pg-account', kind: 'permission-group', scopeType: 'account', name: 'Account Read', actions: ['account:read'] },
    { id: 'pg-local', kind: 'permission-group', scopeType: 'zone', accountId: A, actions: ['dns:edit'] },
    { id: 'pg-other', kind: 'permission-group', scopeType: 'zone', accountId: 'acc2', actions: ['dns:edit'] },
    { id: 'Viewer', kind: 'platform', actions: ['x.y.read'] },
  ],
  resourceGroups: [{ id: 'rg-zones', accountId: A, name: 'all zones', scope: [ALL_ZONES] }],
};

function context(): ManageContext {
  let n = 0;
  return { actor: { kind: 'system' }, now: '2025-03-12T10:30:00Z', newId: () => (++n).toString(16).padStart(32, '0') };
}

function fresh(): SourceState {
  return SourceState.from(parseSource(source));
}

/** Runs an operation expected to fail and returns its SeedError. */
function refusal(f: () => unknown): SeedError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SeedError);
    return e as SeedError;
  }
  throw new Error('expected a refusal');
}

function expectRefused(f: () => unknown, code: string, status: number): SeedError {
  const e = refusal(f);
  expect({ code: e.code, status: e.status }).toEqual({ code, status });
  return e;
}

function valid(state: SourceState): void {
  expect(() => parseSource(state.toSource())).not.toThrow();
}

describe('List Account Permission Groups', () => {
  it('lists the global permission groups and the account’s own, in the v4 envelope', () => {
    const { result, changes } = cf.listPermissionGroups(fresh(), { account_id: A }, context());
    expect(changes).toEqual([]);
    expect(result.success).toBe(true);
    expect(result.result.map((p) => p.id).sort()).toEqual(['pg-account', 'pg-local', 'pg-zone']);
    expect(result.result.find((p) => p.id === 'pg-zone')).toEqual({ id: 'pg-zone', name: 'Zone Read' });
    expect(result.result_info).toMatchObject({ page: 1, per_page: 50, count: 3, total_count: 3 });
  });
  it('filters by name and pages', () => {
    expect(cf.listPermissionGroups(fresh(), { account_id: A, name: 'Account Read' }, context()).result.result.map((p) => p.id)).toEqual(['pg-account']);
    const page = cf.listPermissionGroups(fresh(), { account_id: A, page: '2', per_page: '2' }, context()).result;
    expect(page.result).toHaveLength(1);
    expect(page.result_info).toMatchObject({ page: 2, per_page: 2, count: 1, total_count: 3, total_pages: 2 });
  });
  it('refuses bad paging and unknown or non-Cloudflare accounts', () => {
    expectRefused(() => cf.listPermissionGroups(fresh(), { account_id: A, per_page: 0 }, context()), 'invalid_request', 400);
    expectRefused(() => cf.listPermissionGroups(fresh(), { account_id: 'nope' }, context()), 'account_not_found', 404);
    expectRefused(() => cf.listPermissionGroups(fresh(), { account_id: 'ibm1' }, context()), 'account_not_found', 404);
  });
});

describe('Permission Group Details', () => {
  it('returns a permission group of the account', () => {
    expect(cf.getPermissionGroup(fresh(), { account_id: A, permission_group_id: 'pg-local' }, context()).result.result).toEqual({ id: 'pg-local' });
  });
  it('is 404 for another account’s group and for a role that is not a permission group', () => {
    expectRefused(() => cf.getPermissionGroup(fresh(), { account_id: A, permission_group_id: 'pg-other' }, context()), 'permission_group_not_found', 404);
    expectRefused(() => cf.getPermissionGroup(fresh(), { account_id: A, permission_group_id: 'Viewer' }, context()), 'permission_group_not_found', 404);
  });
});

describe('Create Resource Group', () => {
  it('accepts the account form, the nested zone forms and the legacy zone form, with a 32-character id', () => {
    let state = fresh();
    const ctx = context();
    for (const scope of [ACCOUNT_SCOPE, ALL_ZONES, ONE_ZONE, LEGACY_ZONE]) {
      const out = cf.createResourceGroup(state, { account_id: A, scope, name: 'g', meta: { key: 'k', value: 'v' } }, ctx);
      expect(out.result.result.id).toMatch(/^[0-9a-f]{32}$/);
      expect(out.result.result.scope).toEqual([scope]);
      expect(out.changes).toHaveLength(1);
      state = out.state;
      valid(state);
    }
  });
  it('hashes an id of another shape to 32 characters', () => {
    const ctx: ManageContext = { ...context(), newId: () => 'not-a-cloudflare-id' };
    const out = cf.createResourceGroup(fresh(), { account_id: A, scope: [ACCOUNT_SCOPE] }, ctx);
    expect(out.result.result.id).toMatch(/^[0-9a-f]{32}$/);
  });
  it('refuses scopes parseScope rejects, listing every one', () => {
    const e = expectRefused(
      () =>
        cf.createResourceGroup(
          fresh(),
          {
            account_id: A,
            scope: [
              { key: 'com.cloudflare.api.account.acc2', objects: [{ key: '*' }] },
              { key: 'com.cloudflare.api.account.zone.z1', objects: [{ key: 'com.cloudflare.api.account.zone.z2' }] },
              { key: 'bogus', objects: [{ key: '*' }] },
            ],
          },
          context(),
        ),
      'invalid_request',
      400,
    );
    expect((e.details?.['issues'] as unknown[]).length).toBe(3);
  });
  it('refuses a body without a scope', () => {
    expectRefused(() => cf.createResourceGroup(fresh(), { account_id: A } as never, context()), 'invalid_request', 400);
  });
});

describe('List Resource Groups / Resource Group Details', () => {
  it('lists and gets the account’s groups only', () => {
    const s = fresh();
    expect(cf.listResourceGroups(s, { account_id: A }, context()).result.result.map((r) => r.id)).toEqual(['rg-zones']);
    expect(cf.listResourceGroups(s, { account_id: 'acc2' }, context()).result.result).toEqual([]);
    expect(cf.getResourceGroup(s, { account_id: A, resource_group_id: 'rg-zones' }, context()).result.result.name).toBe('all zones');
    expectRefused(() => cf.getResourceGroup(s, { account_id: 'acc2', resource_group_id: 'rg-zones' }, context()), 'resource_group_not_found', 404);
  });
});

/** A state with a user group `ug` whose one policy pairs pg-zone with rg-zones. */
function withUserGroup(): { state: SourceState; id: string; policyId: string } {
  const out = cf.createUserGroup(
    fresh(),
    { account_id: A, name: 'ops', policies: [{ access: 'allow', permission_groups: [{ id: 'pg-zone' }], resource_groups: [{ id: 'rg-zones' }] }] },
    context(),
  );
  return { state: out.state, id: out.result.result.id, policyId: out.result.result.policies[0]!.id };
}

describe('Update Resource Group', () => {
  it('replaces the scope and keeps the name', () => {
    const out = cf.updateResourceGroup(fresh(), { account_id: A, resource_group_id: 'rg-zones', scope: ONE_ZONE }, context());
    expect(out.result.result).toMatchObject({ id: 'rg-zones', name: 'all zones', scope: [ONE_ZONE] });
    valid(out.state);
  });
  it('refuses a scope of another type than the permission groups of a policy using it', () => {
    const { state } = withUserGroup();
    expectRefused(() => cf.updateResourceGroup(state, { account_id: A, resource_group_id: 'rg-zones', scope: ACCOUNT_SCOPE }, context()), 'scope_type_mismatch', 400);
  });
  it('is 404 for an unknown group', () => {
    expectRefused(() => cf.updateResourceGroup(fresh(), { account_id: A, resource_group_id: 'x', scope: ACCOUNT_SCOPE }, context()), 'resource_group_not_found', 404);
  });
});

describe('Remove Resource Group', () => {
  it('deletes an unused group and returns its id', () => {
    const out = cf.deleteResourceGroup(fresh(), { account_id: A, resource_group_id: 'rg-zones' }, context());
    expect(out.result.result).toEqual({ id: 'rg-zones' });
    expect(out.state.get('resourceGroup', 'rg-zones')).toBeUndefined();
  });
  it('refuses a group a policy still uses', () => {
    const { state } = withUserGroup();
    expectRefused(() => cf.deleteResourceGroup(state, { account_id: A, resource_group_id: 'rg-zones' }, context()), 'resource_group_in_use', 409);
  });
});

describe('Create User Group', () => {
  it('creates the group and one model policy per seed policy', () => {
    const { state, id, policyId } = withUserGroup();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(policyId).toMatch(/^[0-9a-f]{32}$/);
    const policy = state.get('policy', policyId)!;
    expect(policy).toMatchObject({
      accountId: A,
      effect: 'allow',
      subject: { kind: 'group', id },
      roles: ['pg-zone'],
      resource: { attributes: [], resourceGroups: ['rg-zones'] },
    });
    expect(policy.etag).toBeDefined();
    expect(state.get('group', `${A}/${id}`)!.etag).toBeDefined();
    valid(state);
  });
  it('returns the seed shape with expanded permission and resource groups', () => {
    const out = cf.createUserGroup(
      fresh(),
      { account_id: A, name: 'ro', policies: [{ access: 'deny', permission_groups: [{ id: 'pg-zone' }], resource_groups: [{ id: 'rg-zones' }] }] },
      context(),
    );
    expect(out.result).toMatchObject({ success: true, errors: [], messages: [] });
    expect(out.result.result).toMatchObject({
      name: 'ro',
      created_on: '2025-03-12T10:30:00Z',
      modified_on: '2025-03-12T10:30:00Z',
      policies: [
        {
          access: 'deny',
          permission_groups: [{ id: 'pg-zone', name: 'Zone Read' }],
          resource_groups: [{ id: 'rg-zones', name: 'all zones', scope: [ALL_ZONES] }],
        },
      ],
    });
  });
  it('refuses a permission group paired with a resource group of another resource type', () => {
    expectRefused(
      () =>
        cf.createUserGroup(
          fresh(),
          { account_id: A, name: 'bad', policies: [{ access: 'allow', permission_groups: [{ id: 'pg-account' }], resource_groups: [{ id: 'rg-zones' }] }] },
          context(),
        ),
      'scope_type_mismatch',
      400,
    );
  });
  it('refuses unknown and foreign permission and resource groups, listing every one', () => {
    const e = expectRefused(
      () =>
        cf.createUserGroup(
          fresh(),
          {
            account_id: A,
            name: 'bad',
            policies: [{ access: 'allow', permission_groups: [{ id: 'pg-other' }, { id: 'Viewer' }], resource_groups: [{ id: 'nope' }] }],
          },
          context(),
        ),
      'invalid_request',
      400,
    );
    expect((e.details?.['issues'] as unknown[]).length).toBe(3);
  });
  it('refuses a missing name, a bad access and a duplicate name', () => {
    expectRefused(() => cf.createUserGroup(fresh(), { account_id: A, name: '' }, context()), 'invalid_request', 400);
    expectRefused(
      () => cf.createUserGroup(fresh(), { account_id: A, name: 'x', policies: [{ access: 'maybe', permission_groups: [{ id: 'pg-zone' }], resource_groups: [{ id: 'rg-zones' }] }] } as never, context()),
      'invalid_request',
      400,
    );
    const { state } = withUserGroup();
    expectRefused(() => cf.createUserGroup(state, { account_id: A, name: 'OPS' }, context()), 'user_group_name_conflict', 409);
  });
});

describe('List User Groups / User Group Details', () => {
  it('lists with fuzzyName and gets by id', () => {
    const { state, id } = withUserGroup();
    expect(cf.listUserGroups(state, { account_id: A, fuzzyName: 'OP' }, context()).result.result.map((g) => g.id)).toEqual([id]);
    expect(cf.listUserGroups(state, { account_id: A, fuzzyName: 'zz' }, context()).result.result).toEqual([]);
    expect(cf.getUserGroup(state, { account_id: A, user_group_id: id }, context()).result.result.policies).toHaveLength(1);
    expectRefused(() => cf.getUserGroup(state, { account_id: 'acc2', user_group_id: id }, context()), 'user_group_not_found', 404);
  });
});

describe('Update User Group', () => {
  it('keeps a policy given with its id, adds new ones and deletes the others', () => {
    const { state, id, policyId } = withUserGroup();
    const out = cf.updateUserGroup(
      state,
      {
        account_id: A,
        user_group_id: id,
        name: 'ops2',
        policies: [
          { id: policyId, access: 'deny', permission_groups: [{ id: 'pg-zone' }, { id: 'pg-local' }], resource_groups: [{ id: 'rg-zones' }] },
        ],
      },
      context(),
    );
    expect(out.result.result.name).toBe('ops2');
    expect(out.result.result.policies).toMatchObject([{ id: policyId, access: 'deny' }]);
    expect(out.state.get('policy', policyId)!.etag).not.toBe(state.get('policy', policyId)!.etag);
    valid(out.state);
    const emptied = cf.updateUserGroup(out.state, { account_id: A, user_group_id: id, policies: [] }, context());
    expect(emptied.state.get('policy', policyId)).toBeUndefined();
  });
  it('refuses a policy id of another group and a scope mismatch', () => {
    const { state, id } = withUserGroup();
    const base = { permission_groups: [{ id: 'pg-zone' }], resource_groups: [{ id: 'rg-zones' }] };
    expectRefused(() => cf.updateUserGroup(state, { account_id: A, user_group_id: id, policies: [{ id: 'zzz', access: 'allow', ...base }] }, context()), 'invalid_request', 400);
    expectRefused(
      () => cf.updateUserGroup(state, { account_id: A, user_group_id: id, policies: [{ access: 'allow', permission_groups: [{ id: 'pg-account' }], resource_groups: [{ id: 'rg-zones' }] }] }, context()),
      'scope_type_mismatch',
      400,
    );
  });
});

describe('Remove User Group', () => {
  it('deletes the group with its policies', () => {
    const { state, id, policyId } = withUserGroup();
    const out = cf.deleteUserGroup(state, { account_id: A, user_group_id: id }, context());
    expect(out.result.result).toEqual({ id });
    expect(out.state.get('policy', policyId)).toBeUndefined();
    valid(out.state);
    expectRefused(() => cf.deleteUserGroup(out.state, { account_id: A, user_group_id: id }, context()), 'user_group_not_found', 404);
  });
});

describe('Add User Group Members / List User Group Members', () => {
  it('adds account members, shows their status, and a pending status makes the principal pending', () => {
    const { state, id } = withUserGroup();
    const out = cf.addUserGroupMembers(state, { account_id: A, user_group_id: id, members: [{ id: 'u1' }, { id: 'u2' }] }, context());
    expect(out.result.result).toEqual([
      { id: 'u1', email: 'one@example.com', status: 'accepted' },
      { id: 'u2', email: 'two@example.com', status: 'pending' },
    ]);
    const listed = cf.listUserGroupMembers(out.state, { account_id: A, user_group_id: id, direction: 'desc' }, context()).result.result;
    expect(listed.map((m) => m.id)).toEqual(['u2', 'u1']);
    const pending = cf.addUserGroupMembers(out.state, { account_id: A, user_group_id: id, members: [{ id: 'u1', status: 'pending' }] }, context());
    expect(pending.state.get('principal', `${A}/u1`)!.status).toBe('pending');
    valid(pending.state);
  });
  it('refuses members not in the account', () => {
    const { state, id } = withUserGroup();
    expectRefused(() => cf.addUserGroupMembers(state, { account_id: A, user_group_id: id, members: [{ id: 'u9' }, { id: 'x' }] }, context()), 'member_not_found', 404);
    expectRefused(() => cf.addUserGroupMembers(state, { account_id: A, user_group_id: id, members: [] }, context()), 'invalid_request', 400);
  });
});

describe('Update User Group Members', () => {
  it('replaces the member list and sets statuses', () => {
    const { state, id } = withUserGroup();
    const added = cf.addUserGroupMembers(state, { account_id: A, user_group_id: id, members: [{ id: 'u1' }] }, context()).state;
    const out = cf.updateUserGroupMembers(added, { account_id: A, user_group_id: id, members: [{ id: 'u2', status: 'accepted' }] }, context());
    expect(out.result.result).toEqual([{ id: 'u2', email: 'two@example.com', status: 'accepted' }]);
    expect(out.state.get('group', `${A}/${id}`)!.members).toEqual(['u2']);
    expect(out.state.get('principal', `${A}/u2`)!.status).toBe('active');
    valid(out.state);
  });
});

describe('Remove User Group Member', () => {
  it('removes a member and is 404 for a non-member', () => {
    const { state, id } = withUserGroup();
    const added = cf.addUserGroupMembers(state, { account_id: A, user_group_id: id, members: [{ id: 'u1' }] }, context()).state;
    const out = cf.removeUserGroupMember(added, { account_id: A, user_group_id: id, member_id: 'u1' }, context());
    expect(out.result.result).toEqual({ id: 'u1', email: 'one@example.com', status: 'accepted' });
    expect(out.state.get('group', `${A}/${id}`)!.members).toEqual([]);
    expectRefused(() => cf.removeUserGroupMember(out.state, { account_id: A, user_group_id: id, member_id: 'u1' }, context()), 'member_not_found', 404);
  });
});

describe('Account members', () => {
  it('invites a pending member, accepts it, lists by status and removes it from its groups', () => {
    const { state, id } = withUserGroup();
    const created = cf.createAccountMember(state, { account_id: A, email: 'new@example.com' }, context());
    const m = created.result.result;
    expect(m).toMatchObject({ email: 'new@example.com', status: 'pending' });
    expect(m.id).toMatch(/^[0-9a-f]{32}$/);
    expectRefused(() => cf.createAccountMember(created.state, { account_id: A, email: 'NEW@example.com' }, context()), 'member_already_exists', 409);
    const accepted = cf.updateAccountMember(created.state, { account_id: A, member_id: m.id, status: 'accepted' }, context());
    expect(accepted.result.result.status).toBe('accepted');
    expect(cf.listAccountMembers(accepted.state, { account_id: A, status: 'pending' }, context()).result.result.map((x) => x.id)).toEqual(['u2']);
    const grouped = cf.addUserGroupMembers(accepted.state, { account_id: A, user_group_id: id, members: [{ id: m.id }] }, context()).state;
    const removed = cf.removeAccountMember(grouped, { account_id: A, member_id: m.id }, context());
    expect(removed.state.get('group', `${A}/${id}`)!.members).toEqual([]);
    valid(removed.state);
    expectRefused(() => cf.getAccountMember(removed.state, { account_id: A, member_id: m.id }, context()), 'member_not_found', 404);
  });
  it('refuses a bad email and an unknown status', () => {
    expectRefused(() => cf.createAccountMember(fresh(), { account_id: A, email: 'nope' }, context()), 'invalid_request', 400);
    expectRefused(() => cf.updateAccountMember(fresh(), { account_id: A, member_id: 'u1', status: 'gone' } as never, context()), 'invalid_request', 400);
  });
});

describe('property: any sequence of operations keeps a valid source; a refusal changes nothing', () => {
  const idPool = ['rg-zones', 'nope', ...Array.from({ length: 8 }, (_, i) => (i + 1).toString(16).padStart(32, '0'))];
  const pgPool = ['pg-zone', 'pg-account', 'pg-local', 'pg-other', 'Viewer'];
  const scopePool = [ACCOUNT_SCOPE, ALL_ZONES, ONE_ZONE, LEGACY_ZONE, { key: 'bad', objects: [{ key: '*' }] }];
  const acct = fc.constantFrom(A, A, A, 'acc2', 'ibm1');
  const anyId = fc.constantFrom(...idPool);
  const policy = fc.record({
    access: fc.constantFrom('allow', 'deny'),
    permission_groups: fc.array(fc.record({ id: fc.constantFrom(...pgPool) }), { maxLength: 2 }),
    resource_groups: fc.array(fc.record({ id: anyId }), { maxLength: 2 }),
  });
  const member = fc.record({ id: fc.constantFrom('u1', 'u2', 'u9', 'x', ...idPool.slice(2, 5)), status: fc.constantFrom(undefined, 'accepted', 'pending') });
  const op = fc.oneof(
    fc.record({ name: fc.constant('createResourceGroup'), input: fc.record({ account_id: acct, scope: fc.constantFrom(...scopePool) }) }),
    fc.record({ name: fc.constant('updateResourceGroup'), input: fc.record({ account_id: acct, resource_group_id: anyId, scope: fc.constantFrom(...scopePool) }) }),
    fc.record({ name: fc.constant('deleteResourceGroup'), input: fc.record({ account_id: acct, resource_group_id: anyId }) }),
    fc.record({ name: fc.constant('createUserGroup'), input: fc.record({ account_id: acct, name: fc.constantFrom('a', 'b', ''), policies: fc.array(policy, { maxLength: 2 }) }) }),
    fc.record({ name: fc.constant('updateUserGroup'), input: fc.record({ account_id: acct, user_group_id: anyId, policies: fc.array(policy, { maxLength: 2 }) }) }),
    fc.record({ name: fc.constant('deleteUserGroup'), input: fc.record({ account_id: acct, user_group_id: anyId }) }),
    fc.record({ name: fc.constant('addUserGroupMembers'), input: fc.record({ account_id: acct, user_group_id: anyId, members: fc.array(member, { maxLength: 3 }) }) }),
    fc.record({ name: fc.constant('updateUserGroupMembers'), input: fc.record({ account_id: acct, user_group_id: anyId, members: fc.array(member, { maxLength: 3 }) }) }),
    fc.record({ name: fc.constant('removeUserGroupMember'), input: fc.record({ account_id: acct, user_group_id: anyId, member_id: fc.constantFrom('u1', 'u2', 'x') }) }),
    fc.record({ name: fc.constant('createAccountMember'), input: fc.record({ account_id: acct, email: fc.constantFrom('a@x.io', 'b@x.io', 'bad'), status: fc.constantFrom('accepted', 'pending') }) }),
    fc.record({ name: fc.constant('updateAccountMember'), input: fc.record({ account_id: acct, member_id: fc.constantFrom('u1', 'u2', ...idPool.slice(2, 5)), status: fc.constantFrom('accepted', 'pending') }) }),
    fc.record({ name: fc.constant('removeAccountMember'), input: fc.record({ account_id: acct, member_id: fc.constantFrom('u1', 'u2', ...idPool.slice(2, 5)) }) }),
  );

  it('holds', () => {
    let succeeded = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 5, maxLength: 25 }), (ops) => {
        let state = fresh();
        const ctx = context();
        for (const { name, input } of ops) {
          const before = JSON.stringify(state.toSource());
          try {
            const f = cf[name as keyof typeof cf] as (s: SourceState, i: unknown, c: ManageContext) => { state: SourceState };
            state = f(state, input, ctx).state;
            parseSource(state.toSource());
            succeeded++;
          } catch (e) {
            if (!(e instanceof SeedError)) throw e;
            expect(JSON.stringify(state.toSource())).toBe(before);
          }
        }
      }),
      { numRuns: 200 },
    );
    // the sequences must reach deep enough to matter: a good share of the operations succeed
    expect(succeeded).toBeGreaterThan(200);
  });
});
