// Pins of evaluate/resolve-request.ts (StrykerJS, issue 12, MUTATION.md section "mutevl"): a malformed request is
// refused with every issue, each at its path with its message, and nothing else is decided; the request's time and
// fields are read as SEMANTICS says. Each case was a mutant StrykerJS reported as surviving.
import { describe, expect, it } from 'vitest';
import { authorize, authorizeMany, compile, parseSource, type AuthorizeRequest } from '@portcullis/engine';

const tables = compile(
  parseSource({
    version: 1,
    accounts: [{ id: 'A', system: 'ibm' }],
    roles: [{ id: 'R', kind: 'custom', accountId: 'A', actions: ['svc.read'] }],
    principals: [{ id: 'u', accountId: 'A', kind: 'user' }],
    policies: [{ id: 'p', accountId: 'A', subject: { kind: 'principal', id: 'u' }, roles: ['R'], resource: { attributes: [{ name: 'resourceType', operator: 'stringEquals', value: 'bucket' }] } }],
  }),
);

const issuesOf = (request: unknown, options?: unknown) => {
  const d = authorize(tables, request as AuthorizeRequest, options as undefined);
  expect({ allowed: d.allowed, reason: d.reason, policies: d.policies }).toEqual({ allowed: false, reason: 'invalid-request', policies: [] });
  return d.issues;
};
const SCALAR = 'must be a string, a finite number or a boolean';
const TIME = 'a time is required: epoch milliseconds or an ISO date-time';

describe('a malformed request is refused with every issue at its path', () => {
  it('every field of the subject, the resource, the environment and the options at once', () => {
    const request = {
      subject: { email: 1, sso: 'y', id: 2, accountId: 3, authenticated: 'yes', claims: { realm: 'r', attributes: [] }, service: { a: {}, b: 'ok' } },
      action: '',
      resource: { attributes: { accountId: 'A', x: {}, y: Number.NaN, z: 'ok' }, tags: 'x', projects: [1], folders: ['f', 2], zones: {}, agentId: 5 },
      environment: [],
    };
    expect(issuesOf(request, 3)).toEqual([
      { path: ['options'], message: 'must be an object' },
      { path: ['action'], message: 'must be a non-empty string' },
      { path: ['subject', 'email'], message: 'must be a string' },
      { path: ['subject', 'sso'], message: 'must be a boolean' },
      { path: ['subject', 'id'], message: 'must be a string' },
      { path: ['subject', 'accountId'], message: 'must be a string' },
      { path: ['subject', 'authenticated'], message: 'must be a boolean' },
      { path: ['subject', 'claims'], message: 'must be `{realm, attributes}`' },
      { path: ['subject', 'service', 'a'], message: SCALAR },
      { path: ['environment'], message: 'must be an object' },
      { path: ['environment', 'now'], message: TIME },
      { path: ['resource', 'attributes', 'x'], message: SCALAR },
      { path: ['resource', 'attributes', 'y'], message: SCALAR },
      { path: ['resource', 'tags'], message: 'must be an array of strings' },
      { path: ['resource', 'projects', 0], message: 'must be a string' },
      { path: ['resource', 'folders', 1], message: 'must be a string' },
      { path: ['resource', 'zones'], message: 'must be an array of strings' },
      { path: ['resource', 'agentId'], message: 'must be a string' },
    ]);
  });

  it('a request, a subject, a resource or its attributes that are no object', () => {
    expect(issuesOf(5)).toEqual([{ path: [], message: 'request must be an object' }]);
    expect(issuesOf(null)).toEqual([{ path: [], message: 'request must be an object' }]);
    expect(issuesOf({ subject: { service: 3, claims: 'c' }, action: 'svc.read', resource: 3, environment: { now: 'x' } })).toEqual([
      { path: ['subject', 'claims'], message: 'must be `{realm, attributes}`' },
      { path: ['subject', 'service'], message: 'must be an object' },
      { path: ['environment', 'now'], message: TIME },
      { path: ['resource'], message: 'must be an object' },
    ]);
    // an array of attributes is no object: its entries are not read as attributes, even malformed ones
    expect(issuesOf({ subject: [], action: 'svc.read', resource: { attributes: [{}] }, environment: { now: 0 } })).toEqual([
      { path: ['subject'], message: 'must be an object' },
      { path: ['resource', 'attributes'], message: 'must be an object' },
      { path: ['resource', 'attributes', 'accountId'], message: 'the resource needs an accountId' },
    ]);
  });

  it('an action that is no string, or none', () => {
    for (const action of [5, undefined, null, ['svc.read']])
      expect(issuesOf({ subject: { id: 'u' }, action, resource: { attributes: { accountId: 'A' } }, environment: { now: 0 } })).toEqual([{ path: ['action'], message: 'must be a non-empty string' }]);
  });

  it('claims need a string realm and attributes that are an object', () => {
    const claims = (c: unknown) => issuesOf({ subject: { id: 'u', claims: c }, action: 'svc.read', resource: { attributes: { accountId: 'A' } }, environment: { now: 0 } });
    for (const c of [null, [], { attributes: {} }, { realm: 1, attributes: {} }, { realm: 'r' }, { realm: 'r', attributes: null }, { realm: 'r', attributes: 'a' }])
      expect(claims(c)).toEqual([{ path: ['subject', 'claims'], message: 'must be `{realm, attributes}`' }]);
  });

  it("a registered resource's own fields are checked too, and an unknown one is named", () => {
    expect(issuesOf({ subject: {}, action: 'svc.read', resource: { id: 'nope', tags: 5, attributes: { q: [] } }, environment: { now: 0 } })).toEqual([
      { path: ['resource', 'attributes', 'q'], message: SCALAR },
      { path: ['resource', 'tags'], message: 'must be an array of strings' },
      { path: ['resource', 'id'], message: 'unknown resource `nope`' },
    ]);
    expect(issuesOf({ subject: {}, action: 'svc.read', resource: { id: 5 }, environment: { now: 0 } })).toEqual([{ path: ['resource', 'id'], message: 'unknown resource `5`' }]);
  });

  it('an inherited attribute is no attribute', () => {
    const attributes = Object.create({ accountId: 'A' }) as Record<string, unknown>;
    attributes['resourceType'] = 'bucket';
    expect(issuesOf({ subject: { id: 'u' }, action: 'svc.read', resource: { attributes }, environment: { now: 0 } })).toEqual([
      { path: ['resource', 'attributes', 'accountId'], message: 'the resource needs an accountId' },
    ]);
  });

  it("a batch's subject that is an array is no object", () => {
    const ds = authorizeMany(tables, [] as never, [{ action: 'svc.read', resource: { attributes: { accountId: 'A', resourceType: 'bucket' } }, environment: { now: 0 } }]);
    expect(ds.map((d) => [d.reason, d.issues])).toEqual([['invalid-request', [{ path: ['subject'], message: 'must be an object' }]]]);
  });

  it('a batch checks its shared subject once and names its issues on every item', () => {
    const ds = authorizeMany(tables, { id: 2 } as never, [
      { action: 'svc.read', resource: { attributes: { accountId: 'A', resourceType: 'bucket' } }, environment: { now: 0 } },
      { action: '', resource: { attributes: { accountId: 'A' } }, environment: { now: 0 } },
    ]);
    expect(ds.map((d) => d.issues)).toEqual([
      [{ path: ['subject', 'id'], message: 'must be a string' }],
      [
        { path: ['action'], message: 'must be a non-empty string' },
        { path: ['subject', 'id'], message: 'must be a string' },
      ],
    ]);
  });
});

describe("a decision's issues are its own", () => {
  it('a later request leaves them as they were, whichever check refused', () => {
    for (const bad of [5, { subject: {}, action: 'svc.read', resource: 3, environment: { now: 0 } }, { subject: {}, action: 'svc.read', resource: { id: 'nope' }, environment: { now: 0 } }]) {
      const first = issuesOf(bad);
      const copy = structuredClone(first);
      expect(copy!.length).toBeGreaterThan(0);
      issuesOf({ subject: {}, action: '', resource: { attributes: { accountId: 'A' } }, environment: { now: 0 } });
      authorize(tables, { subject: { id: 'u' }, action: 'svc.read', resource: { attributes: { accountId: 'A', resourceType: 'bucket' } }, environment: { now: 0 } });
      expect(first).toEqual(copy);
    }
  });
});

describe('the time of a request', () => {
  const at = (environment: unknown, options?: unknown) =>
    authorize(tables, { subject: { id: 'u' }, action: 'svc.read', resource: { attributes: { accountId: 'A', resourceType: 'bucket' } }, environment } as AuthorizeRequest, options as undefined);
  it("is environment.now (a number within a Date's range, or an ISO date-time), else options.now, else none", () => {
    for (const now of [0, 8.64e15, -8.64e15, '2026-01-05T10:00:00Z']) expect(at({ now }).allowed).toBe(true);
    // a list holding a date-time is no date-time (Date.parse would read its string)
    for (const now of [8.64e15 + 1, -8.64e15 - 1, Number.NaN, Number.POSITIVE_INFINITY, 'not a time', true, null, ['2026-01-05T10:00:00Z']])
      expect(at({ now }).issues).toEqual([{ path: ['environment', 'now'], message: TIME }]);
    expect(at(undefined, { now: 8.64e15 }).allowed).toBe(true);
    expect(at({}, { now: -8.64e15 }).allowed).toBe(true);
    // options.now is a number only: a string, a boolean or a list of one number is none (Math.abs would coerce them)
    for (const now of [8.64e15 + 1, Number.NaN, '2026-01-05T10:00:00Z', '5', true, [5], undefined]) expect(at(undefined, { now }).issues).toEqual([{ path: ['environment', 'now'], message: TIME }]);
    // environment.now wins over options.now, even when it is no time
    expect(at({ now: 'x' }, { now: 0 }).issues).toEqual([{ path: ['environment', 'now'], message: TIME }]);
    expect(at(null, { now: 0 }).issues).toEqual([{ path: ['environment'], message: 'must be an object' }]);
  });
});

describe('a registered resource replaces the fields the request gives', () => {
  // r2 has no resourceType: the request's own `resourceType: bucket` must not make p match (a false allow)
  const src = parseSource({
    version: 1,
    accounts: [{ id: 'A', system: 'ibm' }],
    roles: [{ id: 'R', kind: 'custom', accountId: 'A', actions: ['svc.read'] }],
    principals: [{ id: 'u', accountId: 'A', kind: 'user' }],
    policies: [{ id: 'p', accountId: 'A', subject: { kind: 'principal', id: 'u' }, roles: ['R'], resource: { attributes: [{ name: 'resourceType', operator: 'stringEquals', value: 'bucket' }] } }],
    resources: [
      { id: 'r1', accountId: 'A', attributes: { accountId: 'A', resourceType: 'bucket' } },
      { id: 'r2', accountId: 'A', attributes: { accountId: 'A' } },
    ],
  });
  const t = compile(src);
  const ask = (resource: object) => authorize(t, { subject: { id: 'u' }, action: 'svc.read', resource: resource as never, environment: { now: 0 } });

  it("its attributes decide, not the request's", () => {
    expect(ask({ id: 'r1' })).toMatchObject({ allowed: true, policies: ['p'] });
    expect(ask({ id: 'r1', attributes: { resourceType: 'other' } })).toMatchObject({ allowed: true, policies: ['p'] });
    expect(ask({ id: 'r2', attributes: { resourceType: 'bucket' } })).toMatchObject({ allowed: false, reason: 'no-match' });
    // and the next request, inline, reads none of them
    expect(ask({ attributes: { accountId: 'A' } })).toMatchObject({ allowed: false, reason: 'no-match' });
  });
});

describe('attribute values and a fresh context', () => {
  const src = parseSource({
    version: 1,
    accounts: [{ id: 'A', system: 'ibm' }],
    roles: [{ id: 'R', kind: 'custom', accountId: 'A', actions: ['svc.read'] }],
    principals: [{ id: 'u', accountId: 'A', kind: 'user' }],
    policies: [
      { id: 'five', accountId: 'A', subject: { kind: 'principal', id: 'u' }, roles: ['R'], resource: { attributes: [{ name: 'resource', operator: 'stringEquals', value: '5' }] } },
      { id: 'yes', accountId: 'A', subject: { kind: 'principal', id: 'u' }, roles: ['R'], resource: { attributes: [{ name: 'flag', operator: 'stringEquals', value: 'true' }] } },
    ],
  });
  const t = compile(src);
  const item = (attributes: Record<string, unknown>) => ({ action: 'svc.read', resource: { attributes: { accountId: 'A', ...attributes } }, environment: { now: 0 } });

  it('a number or a boolean is compared as its string', () => {
    expect(authorizeMany(t, { id: 'u' }, [item({ resource: 5 }), item({ flag: true }), item({ resource: 6, flag: false })]).map((d) => d.policies)).toEqual([['five'], ['yes'], []]);
  });

  it("a batch's first item reads only its own values (accountId is attribute 0, the first of a fresh context's values)", () => {
    expect(authorizeMany(t, { id: 'u' }, [{ action: 'svc.read', resource: { attributes: { resourceType: 'own' } }, environment: { now: 0 } }]).map((d) => d.issues)).toEqual([
      [{ path: ['resource', 'attributes', 'accountId'], message: 'the resource needs an accountId' }],
    ]);
  });

  it("a service's inherited properties are not its attributes", () => {
    const service = Object.create({ x: {} }) as Record<string, unknown>;
    service['serviceName'] = 'kms';
    expect(authorize(t, { subject: { service } as never, action: 'svc.read', resource: { attributes: { accountId: 'A' } }, environment: { now: 0 } }).issues).toBeUndefined();
  });
});
