import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  PUBLIC_ACCESS_GROUP_ID,
  SeedError,
  authorize,
  compile,
  isMemberOfGroup,
  parseSource,
  ibmAccessGroupOperations as ops,
  type ManageContext,
  type SourceInput,
} from '@portcullis/engine';
import { SourceState } from '@portcullis/engine/internals';

const NOW = '2025-03-01T12:00:00.000Z';
const VIEWER = 'crn:v1:bluemix:public:iam::::role:Viewer';
const ENG = { claim: 'dept', operator: 'EQUALS', value: '"eng"' } as const;

function ctxAt(now = NOW, actor: ManageContext['actor'] = { kind: 'system' }): ManageContext {
  let n = 0;
  return { actor, now, newId: (prefix) => `${prefix}${++n}` };
}

function fixture(): SourceInput {
  return {
    version: 1,
    accounts: [{ id: 'A', system: 'ibm' }],
    principals: [
      { id: 'IBMid-alice', accountId: 'A', kind: 'user' },
      { id: 'IBMid-bob', accountId: 'A', kind: 'user' },
    ],
    roles: [{ id: VIEWER, kind: 'platform', actions: ['iam-groups.groups.read'] }],
    groups: [
      { id: 'AccessGroupId-eng', accountId: 'A', name: 'Engineering' },
      {
        id: 'AccessGroupId-fed',
        accountId: 'A',
        name: 'Federated',
        rules: [
          { id: 'r-short', realmName: 'idp', expiration: 1, conditions: [{ claim: 'groups', operator: 'CONTAINS', value: '"admins"' }] },
          { id: 'r-long', realmName: 'idp', expiration: 8, conditions: [{ claim: 'level', operator: 'IN', value: '[3, 4]' }] },
          { id: 'r-other', realmName: 'other-idp', expiration: 24, conditions: [{ claim: 'x', operator: 'NOT_EQUALS', value: '"y"' }] },
        ],
      },
    ],
    policies: [
      {
        id: 'p-eng',
        accountId: 'A',
        subject: { kind: 'group', id: 'AccessGroupId-eng' },
        roles: [VIEWER],
        resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'iam-groups' }] },
      },
    ],
  };
}

function state(): SourceState {
  return SourceState.from(parseSource(fixture()));
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

const G = { access_group_id: 'AccessGroupId-eng', account_id: 'A' };
const RULE = { name: 'engineers', expiration: 12, realm_name: 'idp', conditions: [ENG] };

describe('Create rule for an Access Group', () => {
  it('adds a rule in the seed shape with an etag', () => {
    const r = ops.addAccessGroupRule(state(), { ...G, ...RULE }, ctxAt());
    expect(r.result).toMatchObject({
      id: 'ClaimRule-1',
      name: 'engineers',
      expiration: 12,
      realm_name: 'idp',
      access_group_id: 'AccessGroupId-eng',
      account_id: 'A',
      conditions: [ENG],
      created_at: NOW,
      last_modified_at: NOW,
    });
    expect(r.result.etag).toMatch(/^W\//);
    expect(r.state.get('group', 'A/AccessGroupId-eng')?.rules).toHaveLength(1);
    parseSource(r.state.toSource());
  });

  it('refuses an expiration outside 1..24 and condition values that are not JSON, listing every issue', () => {
    for (const expiration of [0, 25, 1.5]) refused(() => ops.addAccessGroupRule(state(), { ...G, ...RULE, expiration }, ctxAt()), 'invalid_payload', 400);
    const e = refused(
      () =>
        ops.addAccessGroupRule(
          state(),
          { ...G, ...RULE, conditions: [{ claim: 'dept', operator: 'EQUALS', value: 'eng' }, { claim: 'lvl', operator: 'IN', value: '"3"' }] },
          ctxAt(),
        ),
      'invalid_payload',
      400,
    );
    expect((e.details as { issues: { path: unknown[] }[] }).issues.map((i) => i.path)).toEqual([
      ['conditions', 0, 'value'],
      ['conditions', 1, 'value'],
    ]);
    refused(() => ops.addAccessGroupRule(state(), { ...G, ...RULE, conditions: [] }, ctxAt()), 'invalid_payload', 400);
    refused(() => ops.addAccessGroupRule(state(), { ...G, ...RULE, conditions: [{ ...ENG, operator: 'LIKE' }] } as never, ctxAt()), 'invalid_payload', 400);
    refused(() => ops.addAccessGroupRule(state(), { ...G, ...RULE, realm_name: '' }, ctxAt()), 'invalid_payload', 400);
  });

  it('holds at most 5 rules per group (409 rule_limit_exceeded)', () => {
    let s = state();
    const ctx = ctxAt();
    for (let i = 0; i < 5; i++) s = ops.addAccessGroupRule(s, { ...G, ...RULE }, ctx).state;
    refused(() => ops.addAccessGroupRule(s, { ...G, ...RULE }, ctx), 'rule_limit_exceeded', 409);
    parseSource(s.toSource());
  });

  it('refuses the Public Access group (405) and an unknown group (404)', () => {
    refused(() => ops.addAccessGroupRule(state(), { access_group_id: PUBLIC_ACCESS_GROUP_ID, account_id: 'A', ...RULE }, ctxAt()), 'method_not_allowed_for_group', 405);
    refused(() => ops.addAccessGroupRule(state(), { access_group_id: 'nope', account_id: 'A', ...RULE }, ctxAt()), 'group_not_found', 404);
  });
});

describe('List access group rules', () => {
  it('lists the rules of a group; the Public Access group has none', () => {
    const r = ops.listAccessGroupRules(state(), { access_group_id: 'AccessGroupId-fed', account_id: 'A' }, ctxAt());
    expect(r.result.rules.map((x) => x.id)).toEqual(['r-short', 'r-long', 'r-other']);
    expect(ops.listAccessGroupRules(state(), { access_group_id: PUBLIC_ACCESS_GROUP_ID, account_id: 'A' }, ctxAt()).result.rules).toEqual([]);
  });
});

describe('Get an access group rule', () => {
  it('returns the rule with its etag, 404 rule_not_found for an unknown one', () => {
    const r = ops.getAccessGroupRule(state(), { access_group_id: 'AccessGroupId-fed', account_id: 'A', rule_id: 'r-long' }, ctxAt());
    expect(r.result).toMatchObject({ id: 'r-long', expiration: 8, realm_name: 'idp' });
    expect(typeof r.result.etag).toBe('string');
    refused(() => ops.getAccessGroupRule(state(), { access_group_id: 'AccessGroupId-fed', account_id: 'A', rule_id: 'nope' }, ctxAt()), 'rule_not_found', 404);
  });
});

describe('Replace an access group rule', () => {
  it('replaces a rule with its current etag, and a stale etag is 412 incorrect_etag', () => {
    const s = state();
    const key = { access_group_id: 'AccessGroupId-fed', account_id: 'A', rule_id: 'r-long' };
    const { etag } = ops.getAccessGroupRule(s, key, ctxAt()).result;
    const later = '2025-03-02T00:00:00.000Z';
    const r = ops.replaceAccessGroupRule(s, { ...key, if_match: etag, ...RULE }, ctxAt(later));
    expect(r.result).toMatchObject({ id: 'r-long', expiration: 12, conditions: [ENG], last_modified_at: later });
    expect(r.result.etag).not.toBe(etag);
    refused(() => ops.replaceAccessGroupRule(r.state, { ...key, if_match: etag, ...RULE }, ctxAt()), 'incorrect_etag', 412);
    refused(() => ops.replaceAccessGroupRule(r.state, { ...key, ...RULE } as never, ctxAt()), 'missing_required_header', 400);
    refused(() => ops.replaceAccessGroupRule(r.state, { ...key, if_match: '*', ...RULE, expiration: 30 }, ctxAt()), 'invalid_payload', 400);
    refused(() => ops.replaceAccessGroupRule(r.state, { ...key, rule_id: 'nope', if_match: '*', ...RULE }, ctxAt()), 'rule_not_found', 404);
    parseSource(r.state.toSource());
  });
});

describe('Delete an access group rule', () => {
  it('deletes the rule and the dynamic memberships it granted', () => {
    const s = ops.login(state(), { account_id: 'A', iam_id: 'IBMid-alice', realm_name: 'idp', claims: { level: 3 } }, ctxAt()).state;
    expect(s.list('membership', 'A')).toHaveLength(1);
    const r = ops.removeAccessGroupRule(s, { access_group_id: 'AccessGroupId-fed', account_id: 'A', rule_id: 'r-long' }, ctxAt());
    expect(r.result).toBeNull();
    expect(r.state.get('group', 'A/AccessGroupId-fed')?.rules.map((x) => x.id)).toEqual(['r-short', 'r-other']);
    expect(r.state.list('membership', 'A')).toEqual([]);
    refused(() => ops.removeAccessGroupRule(r.state, { access_group_id: 'AccessGroupId-fed', account_id: 'A', rule_id: 'r-long' }, ctxAt()), 'rule_not_found', 404);
    parseSource(r.state.toSource());
  });
});

describe('Login (dynamic membership from claim rules)', () => {
  it('records a dynamic membership for the longest matching rule of the realm, until now + expiration', () => {
    const r = ops.login(state(), { account_id: 'A', iam_id: 'IBMid-alice', realm_name: 'idp', claims: { groups: ['users', 'admins'], level: '4' } }, ctxAt());
    expect(r.result.groups).toEqual([{ access_group_id: 'AccessGroupId-fed', rule_id: 'r-long', expires_at: '2025-03-01T20:00:00.000Z' }]);
    expect(r.changes).toEqual([
      {
        op: 'put',
        entity: 'membership',
        value: {
          accountId: 'A',
          principalId: 'IBMid-alice',
          groupId: 'AccessGroupId-fed',
          ruleId: 'r-long',
          realm: 'idp',
          loginAt: NOW,
          expiresAt: '2025-03-01T20:00:00.000Z',
        },
      },
    ]);
    expect(isMemberOfGroup(r.state, 'A', 'AccessGroupId-fed', 'IBMid-alice', '2025-03-01T19:59:59.999Z')).toBe(true);
    expect(isMemberOfGroup(r.state, 'A', 'AccessGroupId-fed', 'IBMid-alice', '2025-03-01T20:00:00.000Z')).toBe(false);
    parseSource(r.state.toSource());
  });

  it('uses the claim operator semantics: CONTAINS on a string is a substring, NOT_* hold on a missing claim, realms are kept apart', () => {
    const login = (realm_name: string, claims: Record<string, unknown>) =>
      ops.login(state(), { account_id: 'A', iam_id: 'IBMid-alice', realm_name, claims }, ctxAt()).result.groups.map((g) => g.rule_id);
    expect(login('idp', { groups: 'all-admins-here' })).toEqual(['r-short']);
    expect(login('idp', { groups: ['all-admins-here'] })).toEqual([]);
    expect(login('idp', { level: 5 })).toEqual([]);
    expect(login('other-idp', {})).toEqual(['r-other']);
    expect(login('other-idp', { x: 'y' })).toEqual([]);
    expect(login('unknown-idp', { groups: 'admins' })).toEqual([]);
  });

  it('replaces the earlier membership of the same principal, group and realm, and drops it when no rule matches any more', () => {
    const first = ops.login(state(), { account_id: 'A', iam_id: 'IBMid-alice', realm_name: 'idp', claims: { groups: 'admins' } }, ctxAt());
    const later = '2025-03-01T12:30:00.000Z';
    const second = ops.login(first.state, { account_id: 'A', iam_id: 'IBMid-alice', realm_name: 'idp', claims: { level: 3 } }, ctxAt(later));
    const ms = second.state.list('membership', 'A');
    expect(ms).toHaveLength(1);
    expect(ms[0]).toMatchObject({ ruleId: 'r-long', loginAt: later, expiresAt: '2025-03-01T20:30:00.000Z' });
    // another realm is another membership
    const other = ops.login(second.state, { account_id: 'A', iam_id: 'IBMid-alice', realm_name: 'other-idp', claims: {} }, ctxAt(later));
    expect(other.state.list('membership', 'A')).toHaveLength(2);
    const none = ops.login(other.state, { account_id: 'A', iam_id: 'IBMid-alice', realm_name: 'idp', claims: {} }, ctxAt(later));
    expect(none.state.list('membership', 'A').map((m) => m.realm)).toEqual(['other-idp']);
  });

  it('grants what the group grants, through the decision, until the membership expires', () => {
    let s = ops.addAccessGroupRule(state(), { ...G, ...RULE, expiration: 1 }, ctxAt()).state;
    s = ops.login(s, { account_id: 'A', iam_id: 'IBMid-bob', realm_name: 'idp', claims: { dept: 'eng' } }, ctxAt()).state;
    const tables = compile(parseSource(s.toSource()));
    const ask = (now: string) =>
      authorize(tables, {
        subject: { id: 'IBMid-bob' },
        action: 'iam-groups.groups.read',
        resource: { attributes: { accountId: 'A', serviceName: 'iam-groups' } },
        environment: { now },
      });
    expect(ask('2025-03-01T12:59:59.000Z')).toMatchObject({ allowed: true, policies: ['p-eng'] });
    expect(ask('2025-03-01T13:00:00.000Z')).toMatchObject({ allowed: false, reason: 'no-match' });
  });

  it('reads claims parsed from JSON as they are, a `__proto__` key included', () => {
    const claims = JSON.parse('{"__proto__": {"groups": "admins"}, "level": 4}') as Record<string, unknown>;
    const r = ops.login(state(), { account_id: 'A', iam_id: 'IBMid-alice', realm_name: 'idp', claims }, ctxAt());
    expect(r.result.groups.map((g) => g.rule_id)).toEqual(['r-long']);
    expect(({} as Record<string, unknown>)['groups']).toBeUndefined();
  });

  it('refuses an unknown principal (404), an unknown account (404) and malformed claims (400)', () => {
    refused(() => ops.login(state(), { account_id: 'A', iam_id: 'IBMid-ghost', realm_name: 'idp', claims: {} }, ctxAt()), 'principal_not_found', 404);
    refused(() => ops.login(state(), { account_id: 'Z', iam_id: 'IBMid-alice', realm_name: 'idp', claims: {} }, ctxAt()), 'account_not_found', 404);
    refused(() => ops.login(state(), { account_id: 'A', iam_id: 'IBMid-alice', realm_name: 'idp', claims: ['x'] } as never, ctxAt()), 'invalid_payload', 400);
    refused(() => ops.login(state(), { account_id: 'A', iam_id: 'IBMid-alice', realm_name: '', claims: {} }, ctxAt()), 'invalid_payload', 400);
  });
});

describe('claim rule operations (property)', () => {
  const gid = fc.constantFrom('AccessGroupId-eng', 'AccessGroupId-fed', PUBLIC_ACCESS_GROUP_ID, 'nope');
  const ruleId = fc.constantFrom('r-short', 'r-long', 'r-other', 'ClaimRule-1', 'nope');
  const cond = fc.record({
    claim: fc.constantFrom('dept', 'groups', 'level', ''),
    operator: fc.constantFrom('EQUALS', 'NOT_EQUALS', 'IN', 'CONTAINS', 'EQUALS_IGNORE_CASE', 'LIKE'),
    value: fc.constantFrom('"eng"', 'eng', '[3,4]', '3', 'null', '{"a":1}'),
  });
  const body = {
    expiration: fc.integer({ min: 0, max: 25 }),
    realm_name: fc.constantFrom('idp', 'other-idp', ''),
    conditions: fc.array(cond, { maxLength: 3 }),
  };
  const claims = fc.dictionary(fc.constantFrom('dept', 'groups', 'level', 'x'), fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.array(fc.constantFrom('admins', 'eng', 3)), fc.constant(null)));
  const op = fc.oneof(
    fc.record({ op: fc.constant('addAccessGroupRule'), input: fc.record({ access_group_id: gid, account_id: fc.constant('A'), ...body }) }),
    fc.record({
      op: fc.constant('replaceAccessGroupRule'),
      input: fc.record({ access_group_id: gid, account_id: fc.constant('A'), rule_id: ruleId, if_match: fc.constantFrom('*', 'W/"x"'), ...body }),
    }),
    fc.record({ op: fc.constant('removeAccessGroupRule'), input: fc.record({ access_group_id: gid, account_id: fc.constant('A'), rule_id: ruleId }) }),
    fc.record({ op: fc.constant('getAccessGroupRule'), input: fc.record({ access_group_id: gid, account_id: fc.constant('A'), rule_id: ruleId }) }),
    fc.record({
      op: fc.constant('login'),
      input: fc.record({ account_id: fc.constantFrom('A', 'Z'), iam_id: fc.constantFrom('IBMid-alice', 'IBMid-bob', 'IBMid-ghost'), realm_name: fc.constantFrom('idp', 'other-idp'), claims }),
    }),
    fc.record({ op: fc.constant('deleteAccessGroup'), input: fc.record({ access_group_id: gid, account_id: fc.constant('A'), force: fc.boolean() }) }),
  );

  it('always leaves a state parseSource accepts, and a failed operation changes nothing', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(op, fc.integer({ min: 0, max: 48 })), { maxLength: 25 }), (steps) => {
        let s = state();
        for (const [step, hours] of steps) {
          const before = JSON.stringify(s.toSource());
          try {
            const fn = (ops as unknown as Record<string, (st: SourceState, i: unknown, c: ManageContext) => { state: SourceState }>)[step.op]!;
            s = fn(s, step.input, ctxAt(new Date(Date.parse(NOW) + hours * 3_600_000).toISOString())).state;
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
