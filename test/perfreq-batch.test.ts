// decideMany's shared work (branch perfreq): the options are checked once for the batch and their issues copied into
// each item's, in the place authorize gives them; an item of the last one's account or service reuses the last lookup
// (RequestContext.batch), and an item of the last one's account, time and action its identities and gathered ranges.
// Each must decide as authorize does, item by item, whatever the order of accounts, services and actions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authorize, authorizeMany, compile, parseSource, type AuthorizeRequest, type Decision } from '@portcullis/engine';
import { arbSourceAndRequests } from '@portcullis/engine/testing';
import { A, bobSource, NOW } from './helpers/bob-world.js';

const core = (d: Decision) => ({ allowed: d.allowed, reason: d.reason, policies: d.policies, errors: d.errors ?? [] });

describe('a batch decides each item as authorize does', () => {
  it('items repeating and alternating their resources (same account and service, then another, then back)', () => {
    fc.assert(
      fc.property(arbSourceAndRequests({ maxRequests: 5 }), fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), ({ source, requests }, picks) => {
        const tables = compile(source);
        const subject = requests[0]!.subject;
        const order = picks.map((p) => requests[p % requests.length]!);
        const many = authorizeMany(tables, subject, order.map(({ subject: _, ...item }) => item));
        order.forEach((r, i) => expect(core(many[i]!)).toEqual(core(authorize(tables, { ...r, subject }))));
      }),
      { numRuns: 300 },
    );
  });
});

describe('a batch with bad options', () => {
  const tables = compile(parseSource(bobSource));
  const good = { action: 'account.read', resource: { attributes: { accountId: A } }, environment: { now: NOW } };
  const bad = { action: '', resource: { attributes: { accountId: A } }, environment: { now: NOW } };
  it.each([
    ['a stray key', { now: NOW, explian: true }],
    ['no object', 'now'],
  ])('options with %s: every item refused with the issues authorize gives, the options first', (_, options) => {
    const subject = { id: 'm-bob', bogus: 1 };
    const many = authorizeMany(tables, subject as never, [good, bad], options as never);
    const one = [good, bad].map((item) => authorize(tables, { ...item, subject } as AuthorizeRequest, options as never));
    expect(many).toEqual(one);
    expect(many[0]!.issues![0]!.path[0]).toBe('options');
    expect(many[1]!.issues!.map((i) => i.path[0])).toEqual(['options', 'action', 'subject']);
    // each decision has its own issues: changing one changes no other
    (many[0]!.issues![0]!.path as (string | number)[]).push('changed');
    expect(many[1]!.issues![0]!.path).toEqual(one[1]!.issues![0]!.path);
  });
  it('good options: the items decided', () => {
    const many = authorizeMany(tables, { id: 'm-bob' }, [good, good], { now: NOW });
    expect(many.map((d) => d.allowed)).toEqual([true, true]);
  });
});

describe('a batch item without serviceName leaves no service id for the next', () => {
  // items without serviceName, then one naming a service: the batch keeps the last item's service id only for an item
  // naming the same service, and an item naming none sets no id (found by StrykerJS on branch perfreq: set anyway,
  // the id of "no service" outlived its item and the next item's own service was read as unknown)
  const source = parseSource({
    version: 1,
    accounts: [{ id: 'A', system: 'ibm' }],
    principals: [{ id: 'u', accountId: 'A', kind: 'user' }],
    services: [{ name: 'cos', type: 'service', roles: { R: ['cos.read'] } }],
    roles: [{ id: 'R', kind: 'service' }],
    policies: [{ id: 'p', accountId: 'A', subject: { kind: 'principal', id: 'u' }, roles: ['R'], resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'cos' }] } }],
  });
  const tables = compile(source);
  const none = { action: 'cos.read', resource: { attributes: { accountId: 'A' } } };
  const cos = { action: 'cos.read', resource: { attributes: { accountId: 'A', serviceName: 'cos' } } };
  it.each([
    ['none, none, cos', [none, none, cos]],
    ['none, none, cos, none, cos', [none, none, cos, none, cos]],
    ['cos, none, none, cos', [cos, none, none, cos]],
  ])('%s', (_, items) => {
    const many = authorizeMany(tables, { id: 'u' }, items, { now: NOW });
    expect(many.map((d) => d.allowed)).toEqual(items.map((i) => i === cos));
    items.forEach((item, k) => expect(core(many[k]!)).toEqual(core(authorize(tables, { ...item, subject: { id: 'u' } }, { now: NOW }))));
  });
});

describe('decideMany, pinned where StrykerJS found its memos and checks untested (2026-12-08, lines 617-690)', () => {
  // two IBM accounts where `u` is a member of both; in A a static group and a dynamic membership (09:00 to 12:00)
  // each grant an action, in B nothing
  const T = (h: number) => Date.parse(`2026-01-05T${String(h).padStart(2, '0')}:00:00Z`);
  const source = parseSource({
    version: 1,
    accounts: [
      { id: 'A', system: 'ibm' },
      { id: 'B', system: 'ibm' },
    ],
    principals: [
      { id: 'u', accountId: 'A', kind: 'user' },
      { id: 'u', accountId: 'B', kind: 'user' },
    ],
    groups: [
      { id: 'g-static', accountId: 'A', name: 'static', members: ['u'] },
      { id: 'g-dyn', accountId: 'A', name: 'dynamic' },
    ],
    services: [{ name: 'cos', type: 'service', roles: { R: ['cos.read'], W: ['cos.write'] } }],
    roles: [
      { id: 'R', kind: 'service' },
      { id: 'W', kind: 'service' },
    ],
    policies: [
      { id: 'p-read', accountId: 'A', subject: { kind: 'group', id: 'g-static' }, roles: ['R'], resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'cos' }] } },
      { id: 'p-write', accountId: 'A', subject: { kind: 'group', id: 'g-dyn' }, roles: ['W'], resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'cos' }] } },
    ],
    memberships: [{ accountId: 'A', principalId: 'u', groupId: 'g-dyn', realm: 'https://idp.example.com', loginAt: '2026-01-05T09:00:00Z', expiresAt: '2026-01-05T12:00:00Z' }],
  });
  const tables = compile(source);
  const item = (account: string, action: string, hour: number) => ({ action, resource: { attributes: { accountId: account, serviceName: 'cos' } }, environment: { now: T(hour) } });
  const check = (items: ReturnType<typeof item>[], expected: boolean[], options?: { explain?: boolean }) => {
    const many = authorizeMany(tables, { id: 'u' }, items, options);
    expect(many.map((d) => d.allowed)).toEqual(expected);
    items.forEach((it, k) => expect(many[k]).toEqual(authorize(tables, { ...it, subject: { id: 'u' } }, options)));
    return many;
  };

  it('the same action in another account is decided with that account’s identities', () => {
    check([item('A', 'cos.read', 10), item('B', 'cos.read', 10), item('A', 'cos.read', 10), item('B', 'cos.read', 10)], [true, false, true, false]);
  });
  it('another action of the same account gathers that action’s ranges', () => {
    check([item('A', 'cos.read', 10), item('A', 'cos.delete', 10), item('A', 'cos.read', 10), item('A', 'cos.delete', 10)], [true, false, true, false]);
  });
  it('another time of the same account and action resolves the identities at that time (a dynamic membership)', () => {
    check([item('A', 'cos.write', 10), item('A', 'cos.write', 13), item('A', 'cos.write', 10), item('A', 'cos.write', 8)], [true, false, true, false]);
    // and again once the account's identities were kept for another action
    check([item('A', 'cos.write', 10), item('A', 'cos.read', 13), item('A', 'cos.write', 13)], [true, true, false]);
  });
  it('explain: each item explained as authorize explains it, and nothing explained without it', () => {
    const many = check([item('A', 'cos.read', 10), item('A', 'cos.write', 10), item('B', 'cos.read', 10)], [true, true, false], { explain: true });
    expect(many[0]!.explanation!.map((e) => [e.policyId, e.identity])).toEqual([['p-read', expect.anything()]]);
    expect(many[1]!.explanation!.map((e) => e.policyId)).toEqual(['p-write']);
    expect(check([item('A', 'cos.read', 10)], [true])[0]!.explanation).toBeUndefined();
  });
  it('requests that are not an array: invalid_request at requests, nothing decided', () => {
    for (const bad of [null, {}, 'x', { length: 1, 0: item('A', 'cos.read', 10) }]) {
      let thrown: unknown;
      try {
        authorizeMany(tables, { id: 'u' }, bad as never);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toMatchObject({ code: 'invalid_request', issues: [{ path: ['requests'], message: 'must be an array of requests' }] });
    }
  });
  it('an item whose getter throws is decided invalid-request with the internal error, the others as usual', () => {
    const throwing = Object.defineProperty({ resource: { attributes: { accountId: 'A', serviceName: 'cos' } } }, 'action', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const many = authorizeMany(tables, { id: 'u' }, [item('A', 'cos.read', 10), throwing as never, item('A', 'cos.read', 10)]);
    expect(many.map((d) => d.reason)).toEqual(['allow', 'invalid-request', 'allow']);
    expect(many[1]!.issues).toEqual([{ path: [], message: 'internal error: boom' }]);
  });
});
