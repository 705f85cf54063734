// Findings of an independent review (2026-11-26), kept as permanent cases: each was a wrong decision or a crash.
import { describe, expect, it } from 'vitest';
import { ACCEL_MIN } from '../compile/bucket-accel.js';
import { compile } from '../compile/compile-source.js';
import { ValidationError } from '../errors.js';
import { authorize, authorizeMany } from '../evaluate/authorize.js';
import { parseSource } from '../model/parse-source.js';
import { referenceAuthorize } from '../testing/reference-evaluator.js';
import { createEngine } from './engine.js';

const core = (d: { allowed: boolean; reason: string; policies: string[]; errors?: string[] }) => ({
  allowed: d.allowed,
  reason: d.reason,
  policies: d.policies,
  errors: d.errors ?? [],
});

const publicPolicy = (id: string, effect: 'allow' | 'deny', value: string, roles = ['R']) => ({
  id,
  accountId: 'A',
  effect,
  subject: { kind: 'group' as const, id: 'AccessGroupId-PublicAccess' },
  roles,
  resource: { attributes: [{ name: 'resourceId', operator: 'stringEquals' as const, value }] },
});

/** A source whose policy p0 carries a rule that validation would refuse: it slipped past, so it is errored. */
function withErroredRule(input: unknown) {
  const source = parseSource(input);
  const rule = source.policies[0]!.rule!;
  (rule.conditions[0] as { value: unknown }).value = 'maybe';
  return source;
}

const badRule = { operator: 'and', conditions: [{ key: '{{resource.attributes.x}}', operator: 'stringExists', value: true }] };

describe('errored policies', () => {
  it('an errored deny refuses even when a keyed prefilter holds the bucket', () => {
    const source = withErroredRule({
      version: 1,
      accounts: [{ id: 'A', system: 'ibm' }],
      roles: [{ id: 'R', kind: 'custom', accountId: 'A', actions: ['svc.read'] }],
      policies: [{ ...publicPolicy('p0', 'deny', 'r1'), rule: badRule }, ...Array.from({ length: ACCEL_MIN }, (_, i) => publicPolicy(`allow${i}`, 'allow', `r${i}`))],
    });
    const request = { subject: {}, action: 'svc.read', resource: { attributes: { accountId: 'A', resourceId: 'r2' } }, environment: { now: 0 } };
    const tables = compile(source);
    const d = authorize(tables, request);
    expect(tables.accounts.get('A')!.publicGroup.index.accel?.some((a) => a !== null && a !== undefined)).toBe(true);
    expect(core(d)).toEqual({ allowed: false, reason: 'explicit-deny', policies: ['p0'], errors: ['p0'] });
    expect(core(d)).toEqual(core(referenceAuthorize(source, request)));
  });

  it('an errored deny whose role grants the action only for another service is no candidate', () => {
    const source = withErroredRule({
      version: 1,
      accounts: [{ id: 'A', system: 'ibm' }],
      services: [
        { name: 'S1', type: 'service', roles: { Rd: ['svc.read'] } },
        { name: 'S2', type: 'service', roles: { Ra: ['svc.read'] } },
      ],
      roles: [
        { id: 'Rd', kind: 'service' },
        { id: 'Ra', kind: 'service' },
      ],
      policies: [
        { ...publicPolicy('p0', 'deny', 'r1', ['Rd']), resource: { attributes: [] }, rule: badRule },
        { ...publicPolicy('allow', 'allow', 'r1', ['Ra']), resource: { attributes: [] } },
      ],
    });
    const request = { subject: {}, action: 'svc.read', resource: { attributes: { accountId: 'A', serviceName: 'S2' } }, environment: { now: 0 } };
    expect(core(authorize(compile(source), request))).toEqual(core(referenceAuthorize(source, request)));
    expect(authorize(compile(source), request).reason).toBe('allow');
  });

  it('errored allows are listed on a deny decision too', () => {
    const source = withErroredRule({
      version: 1,
      accounts: [{ id: 'A', system: 'ibm' }],
      roles: [{ id: 'R', kind: 'custom', accountId: 'A', actions: ['svc.read'] }],
      policies: [{ ...publicPolicy('p0', 'allow', 'r1'), rule: badRule }, publicPolicy('d', 'deny', 'r1')],
    });
    const request = { subject: {}, action: 'svc.read', resource: { attributes: { accountId: 'A', resourceId: 'r1' } }, environment: { now: 0 } };
    expect(core(authorize(compile(source), request))).toEqual({ allowed: false, reason: 'explicit-deny', policies: ['d'], errors: ['p0'] });
  });
});

describe('the decision cache', () => {
  const source = {
    version: 1,
    accounts: [{ id: 'A', system: 'ibm' }],
    principals: [{ id: 'alice', accountId: 'A', kind: 'user', email: 'alice@corp.com' }],
    roles: [{ id: 'R', kind: 'custom', actions: ['svc.read'] }],
    resources: [{ id: 'res1', accountId: 'A' }],
    policies: [
      { id: 'pub', accountId: 'A', subject: { kind: 'group', id: 'AccessGroupId-PublicAccess' }, roles: ['R'], resource: { attributes: [] } },
      { id: 'al', accountId: 'A', subject: { kind: 'principal', id: 'alice' }, roles: ['R'], resource: { attributes: [] } },
    ],
  };
  const good = { action: 'svc.read', resource: { id: 'res1' }, subject: { id: 'alice' } };

  it('never serves a cached allow to a request that fails the request checks', () => {
    const engine = createEngine({ source, clock: () => 1000 });
    expect(engine.authorize(good).allowed).toBe(true);
    expect(engine.authorize({ ...good, resource: { id: 'res1', tags: 5 as never } }).reason).toBe('invalid-request');
    expect(engine.authorize({ ...good, subject: { id: 'alice', authenticated: 'false' as never } }).reason).toBe('invalid-request');
    expect(engine.authorize({ ...good, resource: { id: 'res1', agentId: 7 as never } }).reason).toBe('invalid-request');
  });

  it('does not answer an unauthenticated id gated by SSO with the anonymous entry', () => {
    const engine = createEngine({
      source: { ...source, ssoConnectors: [{ id: 'c'.repeat(32), accountId: 'A', emailDomain: 'corp.com', enabled: true, verification: { code: 'x', status: 'verified' } }] },
      clock: () => 1000,
    });
    expect(engine.authorize({ ...good, subject: {} }).allowed).toBe(true);
    expect(engine.authorize({ ...good, subject: { id: 'alice', authenticated: false } }).reason).toBe('sso-required');
  });

  it('hands out frozen decisions, so no caller can change another caller\u2019s answer', () => {
    const engine = createEngine({ source, clock: () => 1000 });
    engine.authorize(good);
    const d = engine.authorize(good);
    expect(Object.isFrozen(d) && Object.isFrozen(d.policies)).toBe(true);
  });

  it('answers malformed calls with invalid-request, or a typed error for a batch that is not an array', () => {
    const engine = createEngine({ source, clock: () => 1000 });
    expect(engine.authorize(null as never).reason).toBe('invalid-request');
    expect(engine.authorize(good, 5 as never).reason).toBe('invalid-request');
    expect(() => engine.authorizeMany({}, undefined as never)).toThrow(ValidationError);
    expect(() => authorizeMany(compile(parseSource(source)), {}, null as never)).toThrow(ValidationError);
  });

  it('treats a time outside the range of a Date as no time', () => {
    const tables = compile(parseSource(source));
    expect(authorize(tables, { ...good, environment: { now: 9e15 } }).reason).toBe('invalid-request');
  });
});

describe('incremental updates', () => {
  it('a node moved to another account leaves the old account', async () => {
    const engine = createEngine({
      source: {
        version: 1,
        accounts: [
          { id: 'A', system: 'bluexp' },
          { id: 'B', system: 'bluexp' },
        ],
        principals: [{ id: 'u', accountId: 'A', kind: 'user' }],
        roles: [{ id: 'viewer', kind: 'bluexp', actions: ['ws:read'] }],
        nodes: [{ id: 'N', accountId: 'A', kind: 'project', parentId: null }],
        bindings: [{ id: 'b0', accountId: 'A', subject: { kind: 'principal', id: 'u' }, roleId: 'viewer', nodeId: 'A' }],
      },
      clock: () => 0,
    });
    const request = { subject: { id: 'u' }, action: 'ws:read', resource: { attributes: { accountId: 'A' }, projects: ['N'] } };
    expect(engine.authorize(request).allowed).toBe(true);
    await engine.commit([{ op: 'put', entity: 'node', value: { id: 'N', accountId: 'B', kind: 'project', parentId: null } }]);
    expect(engine.authorize(request).reason).toBe('no-match');
  });
});
