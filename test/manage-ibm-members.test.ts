import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  PUBLIC_ACCESS_GROUP_ID,
  SeedError,
  isMemberOfGroup,
  parseSource,
  ibmAccessGroupOperations as ops,
  type ManageContext,
  type SourceInput,
} from '@portcullis/engine';
import { SourceState } from '@portcullis/engine/internals';

const NOW = '2025-03-01T12:00:00.000Z';

function ctxAt(now = NOW, actor: ManageContext['actor'] = { kind: 'system' }): ManageContext {
  let n = 0;
  return { actor, now, newId: (prefix) => `${prefix}${++n}` };
}

function fixture(extraGroups = 0): SourceInput {
  return {
    version: 1,
    accounts: [
      { id: 'A', system: 'ibm' },
      { id: 'B', system: 'ibm', publicAccess: false },
    ],
    principals: [
      { id: 'IBMid-alice', accountId: 'A', kind: 'user', name: 'Alice', email: 'alice@example.com' },
      { id: 'IBMid-bob', accountId: 'A', kind: 'user', name: 'Bob', email: 'bob@example.com' },
      { id: 'iam-ServiceId-build', accountId: 'A', kind: 'service', name: 'Build' },
      { id: 'agent-1', accountId: 'A', kind: 'agent' },
      { id: 'IBMid-carol', accountId: 'B', kind: 'user' },
    ],
    groups: [
      { id: 'AccessGroupId-ops', accountId: 'A', name: 'Ops', members: ['IBMid-bob', 'iam-ServiceId-build'] },
      { id: 'AccessGroupId-dev', accountId: 'A', name: 'Dev', members: ['IBMid-bob'] },
      {
        id: 'AccessGroupId-fed',
        accountId: 'A',
        name: 'Federated',
        rules: [{ id: 'r1', realmName: 'idp', expiration: 1, conditions: [{ claim: 'dept', operator: 'EQUALS', value: '"eng"' }] }],
      },
      { id: 'AccessGroupId-b', accountId: 'B', name: 'In B' },
      ...Array.from({ length: extraGroups }, (_, i) => ({ id: `AccessGroupId-x${i}`, accountId: 'A', name: `X${i}`, members: ['IBMid-alice'] })),
    ],
    memberships: [
      {
        accountId: 'A',
        principalId: 'IBMid-alice',
        groupId: 'AccessGroupId-fed',
        ruleId: 'r1',
        realm: 'idp',
        loginAt: '2025-03-01T11:30:00.000Z',
        expiresAt: '2025-03-01T12:30:00.000Z',
      },
    ],
  };
}

function state(extraGroups = 0): SourceState {
  return SourceState.from(parseSource(fixture(extraGroups)));
}

function refused(f: () => unknown, code: string, status: number): SeedError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SeedError);
    const s = e as SeedError;
    expect({ code: s.code, status: s.status }).toEqual({ code, status });
    return s;
  }
  throw new Error('expected a SeedError');
}

const G = { access_group_id: 'AccessGroupId-ops', account_id: 'A' };

describe('Add members to an Access Group', () => {
  it('adds users and service ids, each with its own outcome (207)', () => {
    const r = ops.addMembersToAccessGroup(
      state(),
      { ...G, members: [{ iam_id: 'IBMid-alice', type: 'user' }, { iam_id: 'iam-ServiceId-build', type: 'service' }] },
      ctxAt(NOW, { kind: 'subject', id: 'IBMid-bob', accountId: 'A' }),
    );
    expect(r.result.members).toEqual([
      { iam_id: 'IBMid-alice', type: 'user', created_at: NOW, created_by_id: 'IBMid-bob', status_code: 200 },
      { iam_id: 'iam-ServiceId-build', type: 'service', status_code: 200 },
    ]);
    expect(r.state.get('group', 'A/AccessGroupId-ops')?.members).toEqual(['IBMid-bob', 'iam-ServiceId-build', 'IBMid-alice']);
    parseSource(r.state.toSource());
  });

  it('refuses unknown, mistyped and agent principals per item and adds the others', () => {
    const r = ops.addMembersToAccessGroup(
      state(),
      {
        ...G,
        members: [
          { iam_id: 'IBMid-ghost', type: 'user' },
          { iam_id: 'IBMid-alice', type: 'service' },
          { iam_id: 'agent-1', type: 'user' },
          { iam_id: 'IBMid-carol', type: 'user' },
        ],
      },
      ctxAt(),
    );
    expect(r.result.members.map((m) => m.status_code)).toEqual([400, 400, 400, 400]);
    expect(r.result.members.every((m) => 'errors' in m && m.errors[0]!.code === 'error_occurred')).toBe(true);
    expect(r.changes).toEqual([]);
    const ok = ops.addMembersToAccessGroup(state(), { ...G, members: [{ iam_id: 'IBMid-ghost', type: 'user' }, { iam_id: 'IBMid-alice', type: 'user' }] }, ctxAt());
    expect(ok.result.members.map((m) => m.status_code)).toEqual([400, 200]);
    expect(ok.changes).toHaveLength(1);
  });

  it('refuses a bad body as a whole: duplicates, more than 50, a type other than user or service', () => {
    refused(
      () => ops.addMembersToAccessGroup(state(), { ...G, members: [{ iam_id: 'IBMid-alice', type: 'user' }, { iam_id: 'IBMid-alice', type: 'user' }] }, ctxAt()),
      'invalid_payload',
      400,
    );
    const many = Array.from({ length: 51 }, (_, i) => ({ iam_id: `IBMid-${i}`, type: 'user' as const }));
    refused(() => ops.addMembersToAccessGroup(state(), { ...G, members: many }, ctxAt()), 'invalid_payload', 400);
    const e = refused(
      () => ops.addMembersToAccessGroup(state(), { ...G, members: [{ iam_id: 'IBMid-alice', type: 'profile' }, { iam_id: '', type: 'user' }] } as never, ctxAt()),
      'invalid_payload',
      400,
    );
    expect((e.details as { issues: unknown[] }).issues).toHaveLength(2);
    refused(() => ops.addMembersToAccessGroup(state(), { ...G, members: [] }, ctxAt()), 'invalid_payload', 400);
  });

  it('keeps each iam_id in at most 50 groups (per-item 409)', () => {
    const s = state(50);
    const r = ops.addMembersToAccessGroup(s, { ...G, members: [{ iam_id: 'IBMid-alice', type: 'user' }] }, ctxAt());
    expect(r.result.members[0]!.status_code).toBe(409);
    expect(r.changes).toEqual([]);
    const ok = ops.addMembersToAccessGroup(state(49), { ...G, members: [{ iam_id: 'IBMid-alice', type: 'user' }] }, ctxAt());
    expect(ok.result.members[0]!.status_code).toBe(200);
  });

  it('refuses the Public Access group (405) and an unknown group (404)', () => {
    const members = [{ iam_id: 'IBMid-alice', type: 'user' as const }];
    refused(() => ops.addMembersToAccessGroup(state(), { access_group_id: PUBLIC_ACCESS_GROUP_ID, account_id: 'A', members }, ctxAt()), 'method_not_allowed_for_group', 405);
    refused(() => ops.addMembersToAccessGroup(state(), { access_group_id: 'AccessGroupId-no', account_id: 'A', members }, ctxAt()), 'group_not_found', 404);
  });
});

describe('List Access Group members', () => {
  it('lists static members with href, verbose names and emails, type filter and sort', () => {
    const r = ops.listAccessGroupMembers(state(), G, ctxAt());
    expect(r.result).toMatchObject({ limit: 50, offset: 0, total_count: 2 });
    expect(r.result.members).toEqual([
      { iam_id: 'IBMid-bob', type: 'user', href: '/v2/groups/AccessGroupId-ops/members/IBMid-bob' },
      { iam_id: 'iam-ServiceId-build', type: 'service', href: '/v2/groups/AccessGroupId-ops/members/iam-ServiceId-build' },
    ]);
    const v = ops.listAccessGroupMembers(state(), { ...G, verbose: 'true', type: 'user' }, ctxAt());
    expect(v.result.members).toEqual([
      { iam_id: 'IBMid-bob', type: 'user', href: '/v2/groups/AccessGroupId-ops/members/IBMid-bob', name: 'Bob', email: 'bob@example.com' },
    ]);
    const sorted = ops.listAccessGroupMembers(state(), { ...G, sort: '-id' }, ctxAt());
    expect(sorted.result.members.map((m) => m.iam_id)).toEqual(['iam-ServiceId-build', 'IBMid-bob']);
  });

  it('pages', () => {
    const r = ops.listAccessGroupMembers(state(), { ...G, limit: 1, offset: 1 }, ctxAt());
    expect(r.result.members.map((m) => m.iam_id)).toEqual(['iam-ServiceId-build']);
    expect(r.result.previous?.href).toContain('offset=0');
    expect(r.result.next).toBeUndefined();
  });

  it('lists no members of the Public Access group', () => {
    const r = ops.listAccessGroupMembers(state(), { access_group_id: PUBLIC_ACCESS_GROUP_ID, account_id: 'A' }, ctxAt());
    expect(r.result.members).toEqual([]);
  });

  it('refuses a bad type, sort or limit, and an unknown group', () => {
    refused(() => ops.listAccessGroupMembers(state(), { ...G, type: 'profile' }, ctxAt()), 'invalid_query_parameter', 400);
    refused(() => ops.listAccessGroupMembers(state(), { ...G, sort: 'created_at' }, ctxAt()), 'invalid_query_parameter', 400);
    refused(() => ops.listAccessGroupMembers(state(), { ...G, limit: 500 }, ctxAt()), 'invalid_query_parameter', 400);
    refused(() => ops.listAccessGroupMembers(state(), { access_group_id: 'nope', account_id: 'A' }, ctxAt()), 'group_not_found', 404);
  });
});

describe('Check membership in an Access Group', () => {
  it('finds static members', () => {
    expect(ops.isMemberOfAccessGroup(state(), { ...G, iam_id: 'IBMid-bob' }, ctxAt()).result).toBeNull();
    refused(() => ops.isMemberOfAccessGroup(state(), { ...G, iam_id: 'IBMid-alice' }, ctxAt()), 'membership_not_found', 404);
  });

  it('finds dynamic members until they expire (now < expiresAt)', () => {
    const g = { access_group_id: 'AccessGroupId-fed', account_id: 'A', iam_id: 'IBMid-alice' };
    ops.isMemberOfAccessGroup(state(), g, ctxAt('2025-03-01T12:29:59.999Z'));
    refused(() => ops.isMemberOfAccessGroup(state(), g, ctxAt('2025-03-01T12:30:00.000Z')), 'membership_not_found', 404);
    expect(isMemberOfGroup(state(), 'A', 'AccessGroupId-fed', 'IBMid-alice', NOW)).toBe(true);
    expect(isMemberOfGroup(state(), 'A', 'AccessGroupId-fed', 'IBMid-alice', '2025-03-01T13:00:00.000Z')).toBe(false);
  });

  it('counts everyone in the Public Access group unless the account disabled public access', () => {
    ops.isMemberOfAccessGroup(state(), { access_group_id: PUBLIC_ACCESS_GROUP_ID, account_id: 'A', iam_id: 'anyone' }, ctxAt());
    refused(
      () => ops.isMemberOfAccessGroup(state(), { access_group_id: PUBLIC_ACCESS_GROUP_ID, account_id: 'B', iam_id: 'IBMid-carol' }, ctxAt()),
      'membership_not_found',
      404,
    );
  });

  it('refuses an unknown group with 404 group_not_found', () => {
    refused(() => ops.isMemberOfAccessGroup(state(), { access_group_id: 'nope', account_id: 'A', iam_id: 'IBMid-bob' }, ctxAt()), 'group_not_found', 404);
  });
});

describe('Delete member from an Access Group', () => {
  it('removes a static member', () => {
    const r = ops.removeMemberFromAccessGroup(state(), { ...G, iam_id: 'IBMid-bob' }, ctxAt());
    expect(r.result).toBeNull();
    expect(r.state.get('group', 'A/AccessGroupId-ops')?.members).toEqual(['iam-ServiceId-build']);
    parseSource(r.state.toSource());
  });

  it('refuses a non-member (404 membership_not_found) and the Public Access group (405); a dynamic member is removed', () => {
    refused(() => ops.removeMemberFromAccessGroup(state(), { ...G, iam_id: 'IBMid-alice' }, ctxAt()), 'membership_not_found', 404);
    // a dynamic member is a member (the HEAD check answers 204), so removing it ends its stored membership (issue 13)
    const fed = { access_group_id: 'AccessGroupId-fed', account_id: 'A', iam_id: 'IBMid-alice' };
    const r = ops.removeMemberFromAccessGroup(state(), fed, ctxAt());
    expect(r.changes).toEqual([{ op: 'delete', entity: 'membership', key: expect.any(String) }]);
    refused(() => ops.isMemberOfAccessGroup(r.state, fed, ctxAt()), 'membership_not_found', 404);
    // once expired it is no member, and there is nothing to remove
    refused(() => ops.removeMemberFromAccessGroup(state(), fed, ctxAt('2025-03-01T12:30:00.000Z')), 'membership_not_found', 404);
    refused(
      () => ops.removeMemberFromAccessGroup(state(), { access_group_id: PUBLIC_ACCESS_GROUP_ID, account_id: 'A', iam_id: 'IBMid-bob' }, ctxAt()),
      'method_not_allowed_for_group',
      405,
    );
  });
});

describe('Delete members from an Access Group', () => {
  it('removes several members, each with its own outcome (207)', () => {
    const r = ops.removeMembersFromAccessGroup(state(), { ...G, members: ['IBMid-bob', 'IBMid-alice'] }, ctxAt());
    expect(r.result.access_group_id).toBe('AccessGroupId-ops');
    expect(r.result.members.map((m) => [m.iam_id, m.status_code])).toEqual([
      ['IBMid-bob', 204],
      ['IBMid-alice', 404],
    ]);
    expect(r.state.get('group', 'A/AccessGroupId-ops')?.members).toEqual(['iam-ServiceId-build']);
  });

  it('refuses a bad body: empty, duplicates, more than 50', () => {
    refused(() => ops.removeMembersFromAccessGroup(state(), { ...G, members: [] }, ctxAt()), 'invalid_payload', 400);
    refused(() => ops.removeMembersFromAccessGroup(state(), { ...G, members: ['IBMid-bob', 'IBMid-bob'] }, ctxAt()), 'invalid_payload', 400);
    refused(
      () => ops.removeMembersFromAccessGroup(state(), { ...G, members: Array.from({ length: 51 }, (_, i) => `IBMid-${i}`) }, ctxAt()),
      'invalid_payload',
      400,
    );
    refused(() => ops.removeMembersFromAccessGroup(state(), { ...G, members: 'IBMid-bob' } as never, ctxAt()), 'invalid_payload', 400);
  });
});

describe('Delete member from all Access Groups', () => {
  it('removes the member from every group of the account that lists it', () => {
    const r = ops.removeMemberFromAllAccessGroups(state(), { account_id: 'A', iam_id: 'IBMid-bob' }, ctxAt());
    expect(r.result).toEqual({
      iam_id: 'IBMid-bob',
      groups: [
        { access_group_id: 'AccessGroupId-ops', status_code: 204 },
        { access_group_id: 'AccessGroupId-dev', status_code: 204 },
      ],
    });
    expect(isMemberOfGroup(r.state, 'A', 'AccessGroupId-dev', 'IBMid-bob', NOW)).toBe(false);
    parseSource(r.state.toSource());
  });

  it('refuses a member of no group (404 no_groups_found) and a missing account_id', () => {
    refused(() => ops.removeMemberFromAllAccessGroups(state(), { account_id: 'A', iam_id: 'IBMid-carol' }, ctxAt()), 'no_groups_found', 404);
    // alice is a dynamic member of the federated group until 12:30: removed from it; after that, in no group
    expect(ops.removeMemberFromAllAccessGroups(state(), { account_id: 'A', iam_id: 'IBMid-alice' }, ctxAt()).result.groups).toEqual([
      { access_group_id: 'AccessGroupId-fed', status_code: 204 },
    ]);
    refused(() => ops.removeMemberFromAllAccessGroups(state(), { account_id: 'A', iam_id: 'IBMid-alice' }, ctxAt('2025-03-01T12:30:00.000Z')), 'no_groups_found', 404);
    refused(() => ops.removeMemberFromAllAccessGroups(state(), { iam_id: 'IBMid-bob' } as never, ctxAt()), 'missing_required_query_parameter', 400);
  });
});

describe('Add member to multiple Access Groups', () => {
  it('adds the member to each group with its own outcome (207)', () => {
    const r = ops.addMemberToMultipleAccessGroups(
      state(),
      { account_id: 'A', iam_id: 'IBMid-alice', type: 'user', groups: ['AccessGroupId-ops', 'AccessGroupId-nope', PUBLIC_ACCESS_GROUP_ID, 'AccessGroupId-b'] },
      ctxAt(),
    );
    expect(r.result.groups.map((g) => [g.access_group_id, g.status_code])).toEqual([
      ['AccessGroupId-ops', 200],
      ['AccessGroupId-nope', 404],
      [PUBLIC_ACCESS_GROUP_ID, 405],
      ['AccessGroupId-b', 404],
    ]);
    expect(isMemberOfGroup(r.state, 'A', 'AccessGroupId-ops', 'IBMid-alice', NOW)).toBe(true);
    parseSource(r.state.toSource());
  });

  it('refuses a duplicate group id with 400 duplicate_groupid_error', () => {
    refused(
      () => ops.addMemberToMultipleAccessGroups(state(), { account_id: 'A', iam_id: 'IBMid-alice', groups: ['AccessGroupId-ops', 'AccessGroupId-ops'] }, ctxAt()),
      'duplicate_groupid_error',
      400,
    );
  });

  it('refuses a bad body, an unknown principal per item, and stops at 50 groups', () => {
    refused(() => ops.addMemberToMultipleAccessGroups(state(), { account_id: 'A', iam_id: 'IBMid-alice', groups: [] }, ctxAt()), 'invalid_payload', 400);
    refused(
      () => ops.addMemberToMultipleAccessGroups(state(), { account_id: 'A', iam_id: 'IBMid-alice', type: 'profile', groups: ['AccessGroupId-ops'] } as never, ctxAt()),
      'invalid_payload',
      400,
    );
    const ghost = ops.addMemberToMultipleAccessGroups(state(), { account_id: 'A', iam_id: 'IBMid-ghost', groups: ['AccessGroupId-ops'] }, ctxAt());
    expect(ghost.result.groups[0]!.status_code).toBe(400);
    const full = ops.addMemberToMultipleAccessGroups(state(49), { account_id: 'A', iam_id: 'IBMid-alice', groups: ['AccessGroupId-ops', 'AccessGroupId-dev'] }, ctxAt());
    expect(full.result.groups.map((g) => g.status_code)).toEqual([200, 409]);
  });
});

describe('member operations (property)', () => {
  const groupIds = ['AccessGroupId-ops', 'AccessGroupId-dev', 'AccessGroupId-fed', PUBLIC_ACCESS_GROUP_ID, 'AccessGroupId-b', 'nope'];
  const iamIds = ['IBMid-alice', 'IBMid-bob', 'iam-ServiceId-build', 'agent-1', 'IBMid-carol', 'IBMid-ghost', ''];
  const gid = fc.constantFrom(...groupIds);
  const iam = fc.constantFrom(...iamIds);
  const acct = fc.constantFrom('A', 'B', undefined);
  const type = fc.constantFrom('user', 'service', 'profile', undefined);
  const op = fc.oneof(
    fc.record({ op: fc.constant('addMembersToAccessGroup'), input: fc.record({ access_group_id: gid, account_id: acct, members: fc.array(fc.record({ iam_id: iam, type }), { maxLength: 4 }) }) }),
    fc.record({ op: fc.constant('removeMemberFromAccessGroup'), input: fc.record({ access_group_id: gid, account_id: acct, iam_id: iam }) }),
    fc.record({ op: fc.constant('removeMembersFromAccessGroup'), input: fc.record({ access_group_id: gid, account_id: acct, members: fc.array(iam, { maxLength: 3 }) }) }),
    fc.record({ op: fc.constant('removeMemberFromAllAccessGroups'), input: fc.record({ account_id: acct, iam_id: iam }) }),
    fc.record({ op: fc.constant('addMemberToMultipleAccessGroups'), input: fc.record({ account_id: acct, iam_id: iam, type, groups: fc.array(gid, { maxLength: 4 }) }) }),
    fc.record({ op: fc.constant('isMemberOfAccessGroup'), input: fc.record({ access_group_id: gid, account_id: acct, iam_id: iam }) }),
    fc.record({ op: fc.constant('listAccessGroupMembers'), input: fc.record({ access_group_id: gid, account_id: acct, verbose: fc.boolean(), type }) }),
    fc.record({ op: fc.constant('deleteAccessGroup'), input: fc.record({ access_group_id: gid, account_id: acct, force: fc.boolean() }) }),
  );

  it('always leaves a state parseSource accepts, and a failed operation changes nothing', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), (steps) => {
        let s = state();
        for (const step of steps) {
          const before = JSON.stringify(s.toSource());
          try {
            const fn = (ops as unknown as Record<string, (st: SourceState, i: unknown, c: ManageContext) => { state: SourceState }>)[step.op]!;
            s = fn(s, step.input, ctxAt()).state;
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
