// The AuthZEN library (createAuthzen) against the certification scenario's cases and the specification's own
// examples (test/authzen/*.json), plus what the cases do not pin: defaults never leak between items, the
// short-circuit semantics stop where they say, decisions agree with authorize, tokens are bound to their request.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AUTHZEN_PATHS, ValidationError, createAuthzen, createEngine, type Authzen } from '@portcullis/engine';
import { authzenCases, authzenFile, checkAuthzenCase, type CallResult } from './helpers/authzen-cases.js';

const fixture = authzenFile('fixture-source.json').source;
const NOW = Date.parse('2026-01-05T10:00:00Z');

function setup(): Authzen {
  return createAuthzen(createEngine({ source: fixture, clock: () => NOW }), { clock: () => NOW });
}

/** Calls the library as the server does: a ValidationError `invalid_request` is a 400. */
function caller(az: Authzen) {
  return async (endpoint: string, body: unknown): Promise<CallResult> => {
    try {
      return { status: 200, body: (az as unknown as Record<string, (b: unknown) => unknown>)[endpoint]!(body) };
    } catch (e) {
      if (e instanceof ValidationError && e.code === 'invalid_request') return { status: 400, body: undefined };
      throw e;
    }
  };
}

describe('AuthZEN cases (certification scenario, specification examples)', () => {
  const az = setup();
  for (const { name, c } of authzenCases()) {
    if (c.raw !== undefined) continue; // transport cases run over HTTP (packages/server)
    it(name, () => checkAuthzenCase(c, caller(az)));
  }
});

describe('AuthZEN evaluations', () => {
  const az = setup();
  const read = (id: string) => ({ resource: { type: 'record', id } });

  it('an item default never leaks into the next item', () => {
    const r = az.evaluations({
      action: { name: 'write' },
      resource: { type: 'record', id: 'record-1' },
      evaluations: [{ subject: { type: 'user', id: 'alice' } }, { subject: { type: 'user', id: 'bob' } }, { subject: { type: 'user', id: 'alice' } }],
    }) as { evaluations: { decision: boolean }[] };
    expect(r.evaluations.map((d) => d.decision)).toEqual([true, false, true]);
  });

  it('deny_on_first_deny stops at the first deny and permit_on_first_permit at the first permit', () => {
    const subject = { type: 'user', id: 'bob' };
    const items = [{ action: { name: 'read' } }, { action: { name: 'write' } }, { action: { name: 'read' } }];
    const base = { subject, resource: { type: 'record', id: 'record-1' }, evaluations: items };
    const deny = az.evaluations({ ...base, options: { evaluations_semantic: 'deny_on_first_deny' } }) as { evaluations: { decision: boolean; context?: Record<string, unknown> }[] };
    expect(deny.evaluations.map((d) => d.decision)).toEqual([true, false]);
    expect(deny.evaluations[1]!.context).toMatchObject({ code: '200', reason: 'deny_on_first_deny', cause: 'no-match' });
    const permit = az.evaluations({ ...base, evaluations: [items[1], items[0], items[2]], options: { evaluations_semantic: 'permit_on_first_permit' } }) as { evaluations: { decision: boolean }[] };
    expect(permit.evaluations.map((d) => d.decision)).toEqual([false, true]);
    const all = az.evaluations({ ...base, options: { evaluations_semantic: 'deny_on_first_deny' }, evaluations: [items[0], items[2]] }) as { evaluations: unknown[] };
    expect(all.evaluations).toHaveLength(2);
  });

  it('an unknown semantic, a non-array evaluations or a non-object body is a 400', () => {
    for (const body of [
      { subject: { type: 'user', id: 'alice' }, action: { name: 'read' }, evaluations: [read('record-1')], options: { evaluations_semantic: 'sometimes' } },
      { evaluations: {} },
      [],
      'text',
      null,
    ]) {
      expect(() => az.evaluations(body)).toThrow(ValidationError);
    }
  });

  it('an unknown subject type or an unknown resource is a deny, never an error or an allow', () => {
    const r = az.evaluation({ subject: { type: 'robot', id: 'alice' }, action: { name: 'read' }, resource: { type: 'record', id: 'record-1' } });
    expect(r).toMatchObject({ decision: false, context: { reason: 'invalid-request' } });
    const u = az.evaluation({ subject: { type: 'user', id: 'alice' }, action: { name: 'read' }, resource: { type: 'record', id: 'record-404' } });
    expect(u).toMatchObject({ decision: false, context: { reason: 'invalid-request' } });
  });

  it('resource properties overlay a registered resource; a null property keeps the attribute absent', () => {
    const engine = createEngine({ source: fixture, clock: () => NOW });
    const lib = createAuthzen(engine, { clock: () => NOW });
    // record-1 is active: alice writes it; told it is archived, she does not
    expect(lib.evaluation({ subject: { type: 'user', id: 'alice' }, action: { name: 'write' }, resource: { type: 'record', id: 'record-1' } }).decision).toBe(true);
    expect(lib.evaluation({ subject: { type: 'user', id: 'alice' }, action: { name: 'write' }, resource: { type: 'record', id: 'record-1', properties: { status: 'archived' } } }).decision).toBe(false);
    const unregistered = { accountId: 'acct-authzen', serviceName: 'records', status: 'active' };
    // `type` becomes resourceType (the policy needs `record`), unless the property says null
    expect(lib.evaluation({ subject: { type: 'user', id: 'alice' }, action: { name: 'write' }, resource: { type: 'record', id: 'r-9', properties: unregistered } }).decision).toBe(true);
    expect(lib.evaluation({ subject: { type: 'user', id: 'alice' }, action: { name: 'write' }, resource: { type: 'record', id: 'r-9', properties: { ...unregistered, resourceType: null } } }).decision).toBe(false);
    // an unregistered resource without an account cannot be decided: a deny, never an error
    expect(lib.evaluation({ subject: { type: 'user', id: 'alice' }, action: { name: 'write' }, resource: { type: 'record', id: 'r-9', properties: { status: 'active' } } })).toMatchObject({ decision: false, context: { reason: 'invalid-request' } });
  });

  it('an anonymous subject decides as a caller without identity', () => {
    const r = az.evaluation({ subject: { type: 'anonymous' }, action: { name: 'read' }, resource: { type: 'record', id: 'record-1' } });
    expect(r.decision).toBe(false);
  });

  it('a batch of evaluations decides as authorize does, item by item (property)', () => {
    const engine = createEngine({ source: fixture, clock: () => NOW });
    const lib = createAuthzen(engine, { clock: () => NOW });
    const subjects = ['alice', 'bob', 'carol@example.com', 'alice@example.com', 'nobody'];
    const actions = ['read', 'write', 'can_read', 'can_write', 'delete'];
    const resources = ['record-1', 'record-2', '1', '2', '123', 'record-404'];
    const item = fc.record({ s: fc.constantFrom(...subjects), a: fc.constantFrom(...actions), r: fc.constantFrom(...resources), status: fc.option(fc.constantFrom('active', 'archived'), { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 12 }), fc.boolean(), (items, shared) => {
        const toRes = (x: (typeof items)[number]) => (x.status === undefined ? { type: 'record', id: x.r } : { type: 'record', id: x.r, properties: { status: x.status } });
        const body = shared
          ? { subject: { type: 'user', id: items[0]!.s }, evaluations: items.map((x) => ({ action: { name: x.a }, resource: toRes(x) })) }
          : { evaluations: items.map((x) => ({ subject: { type: 'user', id: x.s }, action: { name: x.a }, resource: toRes(x) })) };
        const got = (lib.evaluations(body) as { evaluations: { decision: boolean }[] }).evaluations.map((d) => d.decision);
        const want = items.map((x) => lib.evaluation({ subject: { type: 'user', id: shared ? items[0]!.s : x.s }, action: { name: x.a }, resource: toRes(x) }).decision);
        expect(got).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });
});

describe('AuthZEN searches and metadata', () => {
  const az = setup();

  it('every result of a search evaluates to a permit', () => {
    const subjects = az.searchSubject({ subject: { type: 'user' }, action: { name: 'read' }, resource: { type: 'record', id: 'record-2' } });
    expect(subjects.results.length).toBeGreaterThan(0);
    for (const s of subjects.results) expect(az.evaluation({ subject: s, action: { name: 'read' }, resource: { type: 'record', id: 'record-2' } }).decision).toBe(true);
    const resources = az.searchResource({ subject: { type: 'user', id: 'alice@example.com' }, action: { name: 'read' }, resource: { type: 'document' } });
    expect(resources.results.map((r) => r.id)).toEqual(['1', '3', 'boxcarring.md', 'resource-search.md', 'subject-search.md']);
    for (const r of resources.results) expect(az.evaluation({ subject: { type: 'user', id: 'alice@example.com' }, action: { name: 'read' }, resource: r }).decision).toBe(true);
    const actions = az.searchAction({ subject: { type: 'user', id: 'bob' }, resource: { type: 'record', id: 'record-1' } });
    for (const a of actions.results) expect(az.evaluation({ subject: { type: 'user', id: 'bob' }, action: a, resource: { type: 'record', id: 'record-1' } }).decision).toBe(true);
  });

  it('pages walk the whole result set once, and a forged or stale token is a 400', () => {
    const body = { subject: { type: 'user', id: 'alice@example.com' }, action: { name: 'read' }, resource: { type: 'document' }, page: { limit: 2 } };
    const seen: string[] = [];
    let token = '';
    for (let i = 0; i < 10; i++) {
      const r = az.searchResource({ ...body, page: { ...body.page, token } });
      seen.push(...r.results.map((x) => x.id));
      expect(r.page.total).toBe(5);
      token = r.page.next_token;
      if (token === '') break;
    }
    expect(seen).toEqual(['1', '3', 'boxcarring.md', 'resource-search.md', 'subject-search.md']);
    expect(() => az.searchResource({ ...body, page: { token: 'bm90LWEtdG9rZW4' } })).toThrow(ValidationError);
    expect(() => az.searchResource({ ...body, page: { limit: -1 } })).toThrow(ValidationError);
  });

  it('metadata names every endpoint under the base URL and refuses a URL with a query', () => {
    const m = az.metadata('https://pdp.example.com');
    expect(m).toEqual({
      policy_decision_point: 'https://pdp.example.com',
      access_evaluation_endpoint: 'https://pdp.example.com' + AUTHZEN_PATHS.evaluation,
      access_evaluations_endpoint: 'https://pdp.example.com' + AUTHZEN_PATHS.evaluations,
      search_subject_endpoint: 'https://pdp.example.com' + AUTHZEN_PATHS.searchSubject,
      search_resource_endpoint: 'https://pdp.example.com' + AUTHZEN_PATHS.searchResource,
      search_action_endpoint: 'https://pdp.example.com' + AUTHZEN_PATHS.searchAction,
    });
    expect(() => az.metadata('https://pdp.example.com/?tenant=1')).toThrow(ValidationError);
  });

  it('options are checked at construction', () => {
    const engine = createEngine({ source: fixture });
    expect(() => createAuthzen(engine, { maxEvaluations: 0 })).toThrow(ValidationError);
    expect(() => createAuthzen(engine, { clock: 5 as never })).toThrow(ValidationError);
  });
});
