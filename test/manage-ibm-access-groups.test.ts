import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  PUBLIC_ACCESS_GROUP_ID,
  SeedError,
  parseSource,
  ibmAccessGroupOperations as ops,
  type ManageContext,
  type SourceInput,
} from '@portcullis/engine';
import { SourceState } from '@portcullis/engine/internals';

const NOW = '2025-03-01T12:00:00.000Z';
const VIEWER = 'crn:v1:bluemix:public:iam::::role:Viewer';

function ctxAt(now = NOW, actor: ManageContext['actor'] = { kind: 'system' }): ManageContext {
  let n = 0;
  return { actor, now, newId: (prefix) => `${prefix}${++n}` };
}

function fixture(): SourceInput {
  return {
    version: 1,
    accounts: [
      { id: 'A', system: 'ibm' },
      { id: 'B', system: 'ibm' },
      { id: 'CF', system: 'cloudflare' },
    ],
    principals: [
      { id: 'IBMid-alice', accountId: 'A', kind: 'user', name: 'Alice', email: 'alice@example.com' },
      { id: 'iam-ServiceId-build', accountId: 'A', kind: 'service', name: 'Build' },
    ],
    roles: [{ id: VIEWER, kind: 'platform', actions: ['iam-groups.groups.read'] }],
    groups: [
      { id: 'AccessGroupId-ops', accountId: 'A', name: 'Ops', description: 'operators', members: ['IBMid-alice'] },
      { id: 'AccessGroupId-empty', accountId: 'A', name: 'Empty' },
      {
        id: 'AccessGroupId-fed',
        accountId: 'A',
        name: 'Federated',
        rules: [{ id: 'r1', realmName: 'idp.example.com', expiration: 2, conditions: [{ claim: 'dept', operator: 'EQUALS', value: '"eng"' }] }],
      },
      { id: 'AccessGroupId-b', accountId: 'B', name: 'In B' },
    ],
    policies: [
      {
        id: 'p-ops',
        accountId: 'A',
        subject: { kind: 'group', id: 'AccessGroupId-ops' },
        roles: [VIEWER],
        resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'iam-groups' }] },
      },
      {
        id: 'p-public',
        accountId: 'A',
        subject: { kind: 'group', id: PUBLIC_ACCESS_GROUP_ID },
        roles: [VIEWER],
        resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'iam-groups' }] },
      },
    ],
    memberships: [
      {
        accountId: 'A',
        principalId: 'IBMid-alice',
        groupId: 'AccessGroupId-fed',
        ruleId: 'r1',
        realm: 'idp.example.com',
        loginAt: '2025-03-01T11:00:00.000Z',
        expiresAt: '2025-03-01T13:00:00.000Z',
      },
    ],
  };
}

function state(): SourceState {
  return SourceState.from(parseSource(fixture()));
}

function seedError(f: () => unknown): SeedError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SeedError);
    return e as SeedError;
  }
  throw new Error('expected a SeedError');
}

function refused(f: () => unknown, code: string, status: number): SeedError {
  const e = seedError(f);
  expect({ code: e.code, status: e.status }).toEqual({ code, status });
  return e;
}

describe('Create an Access Group', () => {
  it('creates a group with the seed shape, the actor, the time and an etag', () => {
    const s = state();
    const r = ops.createAccessGroup(s, { account_id: 'A', name: 'Awesome Developers', description: 'Group for awesome developers' }, ctxAt(NOW, { kind: 'subject', id: 'IBMid-alice', accountId: 'A' }));
    expect(r.result).toMatchObject({
      id: 'AccessGroupId-1',
      name: 'Awesome Developers',
      description: 'Group for awesome developers',
      account_id: 'A',
      created_at: NOW,
      created_by_id: 'IBMid-alice',
      last_modified_at: NOW,
      last_modified_by_id: 'IBMid-alice',
    });
    expect(r.result.etag).toMatch(/^W\/"/);
    expect(r.changes).toHaveLength(1);
    expect(r.changes[0]).toMatchObject({ op: 'put', entity: 'group' });
    expect(r.state.get('group', 'A/AccessGroupId-1')?.etag).toBe(r.result.etag);
    parseSource(r.state.toSource());
  });

  it('records `system` for the system actor and allows repeated names', () => {
    const ctx = ctxAt();
    const a = ops.createAccessGroup(state(), { account_id: 'A', name: 'Ops' }, ctx);
    const b = ops.createAccessGroup(a.state, { account_id: 'A', name: 'Ops' }, ctx);
    expect(a.result.created_by_id).toBe('system');
    expect(b.result.id).not.toBe(a.result.id);
    expect(b.result.description).toBe('');
  });

  it('refuses a missing account_id, an unknown or non-IBM account', () => {
    refused(() => ops.createAccessGroup(state(), { name: 'x' } as never, ctxAt()), 'missing_required_query_parameter', 400);
    refused(() => ops.createAccessGroup(state(), { account_id: 'nope', name: 'x' }, ctxAt()), 'account_not_found', 404);
    refused(() => ops.createAccessGroup(state(), { account_id: 'CF', name: 'x' }, ctxAt()), 'account_not_found', 404);
  });

  it('refuses bad bodies with invalid_payload listing every issue', () => {
    const e = refused(
      () => ops.createAccessGroup(state(), { account_id: 'A', name: 'n'.repeat(101), description: 'd'.repeat(251) }, ctxAt()),
      'invalid_payload',
      400,
    );
    const issues = (e.details as { issues: { path: unknown[] }[] }).issues;
    expect(issues.map((i) => i.path)).toEqual([['name'], ['description']]);
    refused(() => ops.createAccessGroup(state(), { account_id: 'A' } as never, ctxAt()), 'invalid_payload', 400);
    refused(() => ops.createAccessGroup(state(), { account_id: 'A', name: '  ' }, ctxAt()), 'invalid_payload', 400);
    refused(() => ops.createAccessGroup(state(), { account_id: 'A', name: 5 } as never, ctxAt()), 'invalid_payload', 400);
  });

  it('accepts the limits exactly', () => {
    const r = ops.createAccessGroup(state(), { account_id: 'A', name: 'n'.repeat(100), description: 'd'.repeat(250) }, ctxAt());
    parseSource(r.state.toSource());
  });
});

describe('List Access Groups', () => {
  it('lists the Public Access group first by name order and the account groups, sorted by name by default', () => {
    const r = ops.listAccessGroups(state(), { account_id: 'A' }, ctxAt());
    expect(r.result.total_count).toBe(4);
    expect(r.result.groups.map((g) => g.name)).toEqual(['Empty', 'Federated', 'Ops', 'Public Access']);
    const pub = r.result.groups.find((g) => g.id === PUBLIC_ACCESS_GROUP_ID)!;
    expect(pub.description).toMatch(/^This group includes all users and service IDs by default/);
    expect(pub.href).toBe(`/v2/groups/${PUBLIC_ACCESS_GROUP_ID}`);
    expect(r.changes).toEqual([]);
    expect(r.result.groups[0]).not.toHaveProperty('is_federated');
  });

  it('hides the Public Access group on request', () => {
    const r = ops.listAccessGroups(state(), { account_id: 'A', hide_public_access: 'true' }, ctxAt());
    expect(r.result.groups.map((g) => g.id)).not.toContain(PUBLIC_ACCESS_GROUP_ID);
    expect(r.result.total_count).toBe(3);
  });

  it('shows is_federated (true when rules exist) and sorts by it, descending with `-`', () => {
    const r = ops.listAccessGroups(state(), { account_id: 'A', show_federated: true, sort: '-is_federated' }, ctxAt());
    expect(r.result.groups[0]).toMatchObject({ id: 'AccessGroupId-fed', is_federated: true });
    expect(r.result.groups.slice(1).every((g) => g.is_federated === false)).toBe(true);
    const byId = ops.listAccessGroups(state(), { account_id: 'A', sort: '-id' }, ctxAt());
    expect(byId.result.groups.map((g) => g.id)).toEqual(['AccessGroupId-ops', 'AccessGroupId-fed', 'AccessGroupId-empty', PUBLIC_ACCESS_GROUP_ID]);
  });

  it('pages with limit and offset, total_count and first/previous/next/last links', () => {
    const r = ops.listAccessGroups(state(), { account_id: 'A', limit: 1, offset: 1 }, ctxAt());
    expect(r.result).toMatchObject({ limit: 1, offset: 1, total_count: 4 });
    expect(r.result.groups).toHaveLength(1);
    expect(r.result.first.href).toContain('account_id=A');
    expect(r.result.previous?.href).toContain('offset=0');
    expect(r.result.next?.href).toContain('offset=2');
    expect(r.result.last?.href).toContain('offset=3');
    const zero = ops.listAccessGroups(state(), { account_id: 'A', limit: 0 }, ctxAt());
    expect(zero.result.groups).toEqual([]);
    expect(zero.result.total_count).toBe(4);
  });

  it('filters by iam_id: static and unexpired dynamic groups, and Public Access', () => {
    const ids = (now: string) =>
      ops.listAccessGroups(state(), { account_id: 'A', iam_id: 'IBMid-alice', sort: 'id' }, ctxAt(now)).result.groups.map((g) => g.id);
    expect(ids(NOW)).toEqual([PUBLIC_ACCESS_GROUP_ID, 'AccessGroupId-fed', 'AccessGroupId-ops']);
    // the dynamic membership holds while now < expiresAt, not at the instant itself
    expect(ids('2025-03-01T13:00:00.000Z')).toEqual([PUBLIC_ACCESS_GROUP_ID, 'AccessGroupId-ops']);
  });

  it('refuses a missing account_id, a bad limit, offset or sort', () => {
    refused(() => ops.listAccessGroups(state(), {} as never, ctxAt()), 'missing_required_query_parameter', 400);
    refused(() => ops.listAccessGroups(state(), { account_id: 'A', limit: 101 }, ctxAt()), 'invalid_query_parameter', 400);
    refused(() => ops.listAccessGroups(state(), { account_id: 'A', limit: -1 }, ctxAt()), 'invalid_query_parameter', 400);
    refused(() => ops.listAccessGroups(state(), { account_id: 'A', offset: 'x' }, ctxAt()), 'invalid_query_parameter', 400);
    refused(() => ops.listAccessGroups(state(), { account_id: 'A', sort: 'created_at' }, ctxAt()), 'invalid_query_parameter', 400);
    refused(() => ops.listAccessGroups(state(), { account_id: 'A', show_federated: 'yes' }, ctxAt()), 'invalid_query_parameter', 400);
    refused(() => ops.listAccessGroups(state(), { account_id: 'Z' }, ctxAt()), 'account_not_found', 404);
  });
});

describe('Get an Access Group', () => {
  it('returns the group with its etag, is_federated on request', () => {
    const r = ops.getAccessGroup(state(), { access_group_id: 'AccessGroupId-fed', account_id: 'A', show_federated: true }, ctxAt());
    expect(r.result).toMatchObject({ id: 'AccessGroupId-fed', name: 'Federated', account_id: 'A', is_federated: true });
    expect(typeof r.result.etag).toBe('string');
  });

  it('finds a group without account_id by its id alone, or through the subject actor', () => {
    expect(ops.getAccessGroup(state(), { access_group_id: 'AccessGroupId-b' }, ctxAt()).result.account_id).toBe('B');
    const actor = { kind: 'subject', id: 'IBMid-alice', accountId: 'A' } as const;
    expect(ops.getAccessGroup(state(), { access_group_id: PUBLIC_ACCESS_GROUP_ID }, ctxAt(NOW, actor)).result.name).toBe('Public Access');
    refused(() => ops.getAccessGroup(state(), { access_group_id: PUBLIC_ACCESS_GROUP_ID }, ctxAt()), 'missing_required_query_parameter', 400);
  });

  it('refuses an unknown group with 404 group_not_found', () => {
    refused(() => ops.getAccessGroup(state(), { access_group_id: 'AccessGroupId-nope', account_id: 'A' }, ctxAt()), 'group_not_found', 404);
    refused(() => ops.getAccessGroup(state(), { access_group_id: 'AccessGroupId-b', account_id: 'A' }, ctxAt()), 'group_not_found', 404);
    refused(() => ops.getAccessGroup(state(), {} as never, ctxAt()), 'group_not_found', 404);
  });
});

describe('Update an Access Group', () => {
  it('updates name and description with the current etag', () => {
    const s = state();
    const { etag } = ops.getAccessGroup(s, { access_group_id: 'AccessGroupId-ops', account_id: 'A' }, ctxAt()).result;
    const later = '2025-03-02T00:00:00.000Z';
    const r = ops.updateAccessGroup(
      s,
      { access_group_id: 'AccessGroupId-ops', account_id: 'A', if_match: etag, name: 'SUPER Ops' },
      ctxAt(later, { kind: 'subject', id: 'IBMid-alice', accountId: 'A' }),
    );
    expect(r.result).toMatchObject({ name: 'SUPER Ops', description: 'operators', last_modified_at: later, last_modified_by_id: 'IBMid-alice' });
    expect(r.result.etag).not.toBe(etag);
    // the old etag is stale now
    refused(
      () => ops.updateAccessGroup(r.state, { access_group_id: 'AccessGroupId-ops', account_id: 'A', if_match: etag, name: 'x' }, ctxAt()),
      'incorrect_etag',
      412,
    );
    // the seed requires the group's most recent revision number: `*` is no wildcard
    refused(
      () => ops.updateAccessGroup(r.state, { access_group_id: 'AccessGroupId-ops', account_id: 'A', if_match: '*', description: '' }, ctxAt()),
      'incorrect_etag',
      412,
    );
    ops.updateAccessGroup(r.state, { access_group_id: 'AccessGroupId-ops', account_id: 'A', if_match: r.result.etag!, description: '' }, ctxAt());
  });

  it('needs If-Match, a valid body and a group other than Public Access', () => {
    const input = { access_group_id: 'AccessGroupId-ops', account_id: 'A', name: 'x' };
    refused(() => ops.updateAccessGroup(state(), input as never, ctxAt()), 'missing_required_header', 400);
    refused(() => ops.updateAccessGroup(state(), { ...input, if_match: '*', name: 'n'.repeat(101) }, ctxAt()), 'invalid_payload', 400);
    refused(() => ops.updateAccessGroup(state(), { access_group_id: 'AccessGroupId-ops', account_id: 'A', if_match: '*' }, ctxAt()), 'invalid_payload', 400);
    refused(
      () => ops.updateAccessGroup(state(), { ...input, access_group_id: PUBLIC_ACCESS_GROUP_ID, if_match: '*' }, ctxAt()),
      'method_not_allowed_for_group',
      405,
    );
    refused(() => ops.updateAccessGroup(state(), { ...input, access_group_id: 'AccessGroupId-x', if_match: '*' }, ctxAt()), 'group_not_found', 404);
  });
});

describe('Delete an Access Group', () => {
  it('deletes an empty group', () => {
    const r = ops.deleteAccessGroup(state(), { access_group_id: 'AccessGroupId-empty', account_id: 'A' }, ctxAt());
    expect(r.result).toBeNull();
    expect(r.state.get('group', 'A/AccessGroupId-empty')).toBeUndefined();
    parseSource(r.state.toSource());
  });

  it('refuses a group with members or rules without force (409 group_not_empty)', () => {
    refused(() => ops.deleteAccessGroup(state(), { access_group_id: 'AccessGroupId-ops', account_id: 'A' }, ctxAt()), 'group_not_empty', 409);
    refused(() => ops.deleteAccessGroup(state(), { access_group_id: 'AccessGroupId-fed', account_id: 'A' }, ctxAt()), 'group_not_empty', 409);
  });

  it('with force deletes the group, its policies and its dynamic memberships so nothing dangles', () => {
    let s = ops.deleteAccessGroup(state(), { access_group_id: 'AccessGroupId-ops', account_id: 'A', force: 'true' }, ctxAt()).state;
    expect(s.get('policy', 'p-ops')).toBeUndefined();
    expect(s.get('policy', 'p-public')).toBeDefined();
    s = ops.deleteAccessGroup(s, { access_group_id: 'AccessGroupId-fed', account_id: 'A', force: true }, ctxAt()).state;
    expect(s.list('membership', 'A')).toEqual([]);
    parseSource(s.toSource());
  });

  it('refuses the Public Access group with 405 and an unknown group with 404', () => {
    refused(
      () => ops.deleteAccessGroup(state(), { access_group_id: PUBLIC_ACCESS_GROUP_ID, account_id: 'A', force: true }, ctxAt()),
      'method_not_allowed_for_group',
      405,
    );
    refused(() => ops.deleteAccessGroup(state(), { access_group_id: 'AccessGroupId-zz', account_id: 'A' }, ctxAt()), 'group_not_found', 404);
  });
});

describe('access group operations (property)', () => {
  const groupIds = ['AccessGroupId-ops', 'AccessGroupId-empty', 'AccessGroupId-fed', 'AccessGroupId-1', 'AccessGroupId-2', PUBLIC_ACCESS_GROUP_ID, 'x'];
  const accountIds = ['A', 'B', 'CF', 'Z', undefined];
  const text = fc.oneof(fc.string({ maxLength: 5 }), fc.string({ minLength: 95, maxLength: 110 }), fc.constant(''), fc.integer() as fc.Arbitrary<unknown>);
  const op = fc.oneof(
    fc.record({ op: fc.constant('createAccessGroup'), input: fc.record({ account_id: fc.constantFrom(...accountIds), name: text, description: fc.option(text, { nil: undefined }) }) }),
    fc.record({
      op: fc.constant('updateAccessGroup'),
      input: fc.record({
        access_group_id: fc.constantFrom(...groupIds),
        account_id: fc.constantFrom(...accountIds),
        if_match: fc.constantFrom('*', 'W/"stale"', undefined),
        name: fc.option(text, { nil: undefined }),
      }),
    }),
    fc.record({
      op: fc.constant('deleteAccessGroup'),
      input: fc.record({ access_group_id: fc.constantFrom(...groupIds), account_id: fc.constantFrom(...accountIds), force: fc.constantFrom(true, false, 'true', 'maybe') }),
    }),
    fc.record({
      op: fc.constant('addMembersToAccessGroup'),
      input: fc.record({
        access_group_id: fc.constantFrom(...groupIds),
        account_id: fc.constant('A'),
        members: fc.array(fc.record({ iam_id: fc.constantFrom('IBMid-alice', 'iam-ServiceId-build', 'IBMid-ghost'), type: fc.constantFrom('user', 'service', 'profile') }), { maxLength: 3 }),
      }),
    }),
    fc.record({
      op: fc.constant('addAccessGroupRule'),
      input: fc.record({
        access_group_id: fc.constantFrom(...groupIds),
        account_id: fc.constant('A'),
        expiration: fc.integer({ min: 0, max: 25 }),
        realm_name: fc.constantFrom('idp.example.com', ''),
        conditions: fc.constantFrom([{ claim: 'dept', operator: 'EQUALS', value: '"eng"' }], [{ claim: 'dept', operator: 'EQUALS', value: 'eng' }], []),
      }),
    }),
    fc.record({
      op: fc.constant('login'),
      input: fc.record({
        account_id: fc.constant('A'),
        iam_id: fc.constantFrom('IBMid-alice', 'IBMid-ghost'),
        realm_name: fc.constant('idp.example.com'),
        claims: fc.constantFrom({ dept: 'eng' }, { dept: ['ops', 'eng'] }, {}),
      }),
    }),
    fc.record({ op: fc.constant('listAccessGroups'), input: fc.record({ account_id: fc.constantFrom(...accountIds), limit: fc.integer({ min: -1, max: 101 }), sort: fc.constantFrom('name', '-id', 'bogus') }) }),
  );

  it('always leaves a state parseSource accepts, and a failed operation changes nothing', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), (steps) => {
        let s = state();
        const ctx = ctxAt();
        for (const step of steps) {
          const before = JSON.stringify(s.toSource());
          try {
            const fn = (ops as unknown as Record<string, (st: SourceState, i: unknown, c: ManageContext) => { state: SourceState }>)[step.op]!;
            s = fn(s, step.input, ctx).state;
            parseSource(s.toSource());
          } catch (e) {
            if (!(e instanceof SeedError)) throw e;
            expect(JSON.stringify(s.toSource())).toBe(before);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
