// Pins of the flat evaluation path (issue 12, MUTATION.md): compile/flat-conditions.ts writes a candidate's plain
// equalities and Cloudflare scopes as integer programs, and evaluate/authorize.ts collects the matching policies' ids
// with their compile-time ranks and sorts them (rankedIds). A policy compiled by an update has no rank and compares as
// its string, so a decision mixing both kinds must still list its policies in code-unit order, each once. Decisions are
// made on the Engine's updated tables and on tables compiled afresh from its source (every policy ranked): they must
// agree, and both must be what the source means.
import { describe, expect, it } from 'vitest';
import { authorize, compile, createEngine, parseSource, type AuthorizeRequest, type Engine, type Source } from '@portcullis/engine';
import { referenceAuthorize } from '@portcullis/engine/testing';

const NOW = Date.parse('2026-01-05T10:00:00Z');

type Row = Source['policies'][number];
const grant = (id: string, roles: string[], deny = false): Row =>
  ({
    id,
    accountId: 'A',
    subject: { kind: 'principal', id: 'm' },
    roles,
    resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'svc' }] },
    ...(deny ? { effect: 'deny' } : {}),
  }) as Row;

function engine(policies: Row[]): Engine {
  return createEngine({
    clock: () => NOW,
    source: {
      version: 1,
      accounts: [{ id: 'A', system: 'ibm' }],
      principals: [{ id: 'm', accountId: 'A', kind: 'user', email: 'm@corp.example' }],
      roles: [
        { id: 'R1', kind: 'custom', accountId: 'A', actions: ['svc.read'] },
        { id: 'R2', kind: 'custom', accountId: 'A', actions: ['svc.read'] },
      ],
      policies,
    },
  });
}

const ask: AuthorizeRequest = { subject: { id: 'm' }, action: 'svc.read', resource: { attributes: { accountId: 'A', serviceName: 'svc' } } };

/** The decision on the Engine's updated tables; a fresh compile of its source must list the same policies. */
function decide(e: Engine): { allowed: boolean; reason: string; policies: string[] } {
  const d = e.authorize(ask);
  const fresh = authorize(compile(e.source), ask, { now: NOW });
  expect({ allowed: fresh.allowed, reason: fresh.reason, policies: fresh.policies }).toEqual({ allowed: d.allowed, reason: d.reason, policies: d.policies });
  return { allowed: d.allowed, reason: d.reason, policies: d.policies };
}

const put = (value: Row) => ({ op: 'put' as const, entity: 'policy' as const, value });

describe('the policies of a decision are listed in code-unit order, each once', () => {
  it('compiled policies, written out of order and one reached through two roles', () => {
    const e = engine([grant('p-c', ['R1']), grant('p-a', ['R1', 'R2']), grant('p-b', ['R2'])]);
    expect(decide(e)).toEqual({ allowed: true, reason: 'allow', policies: ['p-a', 'p-b', 'p-c'] });
  });

  it('policies added by an update (no rank) among compiled ones (ranked)', async () => {
    const e = engine([grant('p-c', ['R1']), grant('p-a', ['R1']), grant('p-e', ['R1', 'R2'])]);
    // `p-0` sorts before every ranked id, `p-b` and `p-d` between them, `p-f` after: each compared as a string
    await e.commit([put(grant('p-d', ['R1', 'R2'])), put(grant('p-0', ['R2'])), put(grant('p-f', ['R1'])), put(grant('p-b', ['R1']))]);
    expect(decide(e)).toEqual({ allowed: true, reason: 'allow', policies: ['p-0', 'p-a', 'p-b', 'p-c', 'p-d', 'p-e', 'p-f'] });
  });

  it('a ranked policy reached twice beside an unranked one that sorts between its two hits', async () => {
    const e = engine([grant('p-a', ['R1', 'R2']), grant('p-c', ['R1'])]);
    await e.commit([put(grant('p-b', ['R1', 'R2']))]);
    expect(decide(e)).toEqual({ allowed: true, reason: 'allow', policies: ['p-a', 'p-b', 'p-c'] });
  });

  it('denies, ranked and unranked, each reached through two roles', async () => {
    const e = engine([grant('p-c', ['R1', 'R2'], true), grant('p-a', ['R1']), grant('d-b', ['R2', 'R1'], true)]);
    await e.commit([put(grant('d-a', ['R1', 'R2'], true)), put(grant('d-c', ['R2'], true))]);
    expect(decide(e)).toEqual({ allowed: false, reason: 'explicit-deny', policies: ['d-a', 'd-b', 'd-c', 'p-c'] });
  });
});

describe('the inlined equality is checked whatever attribute it names', () => {
  // attribute id 0 is accountId (attribute-names.ts): a policy's `accountId stringEquals <another account>` is kept and
  // becomes its record's inlined equality, so matchFlat's `eqAttr >= 0` must hold for id 0 too, or the policy allows
  const source = (value: string): Source =>
    parseSource({
      version: 1,
      accounts: [
        { id: 'A', system: 'ibm' },
        { id: 'B', system: 'ibm' },
      ],
      principals: [{ id: 'm', accountId: 'A', kind: 'user', email: 'm@corp.example' }],
      roles: [{ id: 'R1', kind: 'custom', accountId: 'A', actions: ['svc.read'] }],
      policies: [
        { id: 'p', accountId: 'A', subject: { kind: 'principal', id: 'm' }, roles: ['R1'], resource: { attributes: [{ name: 'accountId', operator: 'stringEquals', value }] } },
      ],
    });
  const request: AuthorizeRequest = { subject: { id: 'm' }, action: 'svc.read', resource: { attributes: { accountId: 'A', serviceName: 'svc' } } };

  it('a policy of account A that names account B reaches nothing in A; naming A it grants', () => {
    const d = authorize(compile(source('B')), request, { now: NOW });
    expect({ allowed: d.allowed, reason: d.reason, policies: d.policies }).toEqual({ allowed: false, reason: 'no-match', policies: [] });
    expect(authorize(compile(source('A')), request, { now: NOW }).policies).toEqual(['p']);
  });
});

describe('Cloudflare scope programs: every role scope type against every target and resource type', () => {
  // scopeCode is written into programs (the role's scope type) and into the request (the resource's), so a mutant that
  // maps two types to one code agrees with itself; only a role of one type paired with a target and a resource of
  // another tells. What the source means (coversScope, SEMANTICS §3.3): the role's type, when it has one, must be the
  // resource's, and the target must be of the resource's type.
  type T = 'account' | 'zone' | 'user';
  const types: T[] = ['account', 'zone', 'user'];
  const scopes = {
    account: { key: 'com.cloudflare.api.account.A', objects: [{ key: '*' }] },
    zone: { key: 'com.cloudflare.api.account.A', objects: [{ key: 'com.cloudflare.api.account.zone.z1' }] },
    user: { key: 'com.cloudflare.api.user.u1', objects: [{ key: '*' }] },
  };
  const resources: Record<T, AuthorizeRequest['resource']> = {
    account: { attributes: { accountId: 'A', resource: 'u1' } },
    zone: { attributes: { accountId: 'A', resource: 'u1' }, zones: ['z1'] },
    user: { attributes: { accountId: 'A', resourceType: 'user', resource: 'u1' } },
  };
  // parseSource refuses a permission group paired with a target of another type, and a custom role in a Cloudflare
  // account, so the pair is made after parsing (a source changed since, as in test/evaluate-pins.test.ts): the compiled
  // evaluator must still refuse it
  const source = (role: T | null, target: T) => {
    const s = parseSource({
      version: 1,
      accounts: [{ id: 'A', system: 'cloudflare' }],
      principals: [{ id: 'm', accountId: 'A', kind: 'user' }],
      roles: [
        { id: 'custom', kind: 'custom', accountId: 'A', actions: ['x.read'] },
        ...types.map((t) => ({ id: `pg-${t}`, kind: 'permission-group' as const, scopeType: t, actions: ['x.read'] })),
      ],
      resourceGroups: [{ id: 'rg', accountId: 'A', scope: [scopes[target]] }],
      policies: [{ id: 'p', accountId: 'A', subject: { kind: 'principal', id: 'm' }, roles: [`pg-${target}`], resource: { resourceGroups: ['rg'] } }],
    });
    s.policies[0]!.roles = [role === null ? 'custom' : `pg-${role}`];
    return s;
  };
  for (const role of [null, ...types])
    for (const target of types)
      it(`a ${role ?? 'custom'} role on a ${target} target`, () => {
        const s = source(role, target);
        for (const at of types) {
          const request: AuthorizeRequest = { subject: { id: 'm' }, action: 'x.read', resource: resources[at], environment: { now: '2026-01-05T10:00:00Z' } };
          const means = (role === null || role === at) && target === at;
          const d = authorize(compile(s), request);
          expect({ at, allowed: d.allowed, policies: d.policies }).toEqual({ at, allowed: means, policies: means ? ['p'] : [] });
          expect(referenceAuthorize(s, request).allowed).toBe(means);
        }
      });
});

describe('a binding at the organization keeps its slow checks on the flat path', () => {
  // a BlueXP binding at the organization has no scopes and no attribute conditions: its program holds its expiry
  // (Before) and its node (Nodes), and only a federated group sets its record's Tail flag (flat-tail.ts, slowBeyondSteps), so the
  // federated check runs in the side table
  const source = parseSource({
    version: 1,
    accounts: [{ id: 'org-1', system: 'bluexp' }],
    principals: [
      { id: 'u', accountId: 'org-1', kind: 'user' },
      { id: 'u-fed', accountId: 'org-1', kind: 'user' },
    ],
    groups: [{ id: 'g-fed', accountId: 'org-1', name: 'idp group', federated: true, members: ['u-fed'] }],
    roles: [{ id: 'r-viewer', kind: 'bluexp', actions: ['resource:read'] }],
    bindings: [
      { id: 'b-exp', accountId: 'org-1', subject: { kind: 'principal', id: 'u' }, roleId: 'r-viewer', nodeId: 'org-1', expiresAt: '2026-01-05T12:00:00Z' },
      { id: 'b-fed', accountId: 'org-1', subject: { kind: 'group', id: 'g-fed' }, roleId: 'r-viewer', nodeId: 'org-1' },
    ],
  });
  const ask = (id: string, now: string): AuthorizeRequest => ({ subject: { id }, action: 'resource:read', resource: { attributes: { accountId: 'org-1' }, projects: [] }, environment: { now } });
  const decision = (request: AuthorizeRequest) => {
    const d = authorize(compile(source), request);
    expect(referenceAuthorize(source, request).allowed).toBe(d.allowed);
    return { allowed: d.allowed, policies: d.policies };
  };

  it('an expired binding grants nothing', () => {
    expect(decision(ask('u', '2026-01-05T11:00:00Z'))).toEqual({ allowed: true, policies: ['b-exp'] });
    expect(decision(ask('u', '2026-01-05T12:00:00Z'))).toEqual({ allowed: false, policies: [] });
  });

  it('a federated group binding grants nothing to a member without a direct binding', () => {
    expect(decision(ask('u-fed', '2026-01-05T11:00:00Z'))).toEqual({ allowed: false, policies: [] });
  });
});
