// Pins of the key checks of resolve-request.ts (REQUEST_KEYS … OPTIONS_KEYS, the stray… loops, itemKeyIssues) from the
// other side: every key a part of a request defines is accepted on that part, each alone (a key table losing one entry
// would refuse it), and a request whose keys are all known is served by the decision cache (a stray… check answering
// true for it would only refuse nothing in resolveRequest, but would keep the cache from ever serving). Branch mutevl2.
import { describe, expect, it } from 'vitest';
import { authorize, authorizeMany, compile, createEngine, parseSource } from '@portcullis/engine';
import { A, bobSource, NOW } from './helpers/bob-world.js';

const source = bobSource;
const tables = compile(parseSource(source));
const base = () => ({ subject: { id: 'm-bob' } as Record<string, unknown>, action: 'account.read', resource: { attributes: { accountId: A } } as Record<string, unknown> });

// one valid value per key a part defines (types.ts): each is added alone to a request that is allowed without it
const subjectKeys: [string, unknown][] = [
  ['accountId', A],
  ['authenticated', true],
  ['claims', { realm: 'https://idp.example', attributes: {} }],
  ['service', { serviceName: 'cos' }],
  ['email', 'bob@elsewhere.example'],
  ['sso', false],
];
const resourceKeys: [string, unknown][] = [
  ['tags', ['env:prod']],
  ['projects', []],
  ['folders', []],
  ['zones', []],
  ['agentId', 'agent-1'],
];

describe('every key a part of a request defines is accepted on that part, each alone', () => {
  const accepted = (request: object, options?: object) => {
    const d = authorize(tables, request as never, options as never);
    expect(d.issues).toBeUndefined();
    expect(d.reason).not.toBe('invalid-request');
    return d;
  };
  it('the request (subject, action, resource, environment) and its environment (now)', () => {
    expect(accepted({ ...base(), environment: { now: NOW } }).allowed).toBe(true);
  });
  it.each(subjectKeys)('the subject: %s', (key, value) => {
    const r = base();
    r.subject[key] = value;
    accepted({ ...r, environment: { now: NOW } });
  });
  it('the subject: id alone (and the claims: realm and attributes, read above)', () => {
    expect(accepted({ ...base(), environment: { now: NOW } }).policies).toEqual(['p-bob']);
  });
  it.each(resourceKeys)('the resource: %s', (key, value) => {
    const r = base();
    r.resource[key] = value;
    accepted({ ...r, environment: { now: NOW } });
  });
  it('the resource: id (a registered resource) and attributes', () => {
    expect(accepted({ subject: { id: 'm-bob' }, action: 'account.read', resource: { id: 'acct' }, environment: { now: NOW } }).allowed).toBe(true);
  });
  it('the options: now and explain', () => {
    expect(accepted(base(), { now: NOW }).allowed).toBe(true);
    expect(accepted(base(), { now: NOW, explain: true }).explanation).toHaveLength(1);
    expect(accepted({ ...base(), environment: { now: NOW } }, { explain: false }).allowed).toBe(true);
  });
  it('a batch item: action, resource and environment', () => {
    const [d] = authorizeMany(tables, { id: 'm-bob' }, [{ action: 'account.read', resource: { attributes: { accountId: A } }, environment: { now: NOW } }]);
    expect(d!.issues).toBeUndefined();
    expect(d!.allowed).toBe(true);
  });
});

describe('a part whose only keys are unknown, or whose known keys are not enumerated, is still checked', () => {
  // the stray… loops answer true at the first key not listed: a loop that stopped at a listed one instead (`===`) would
  // pass a part whose enumerated keys are all unknown
  it('an environment of one unknown key (the time given by the options)', () => {
    const d = authorize(tables, { ...base(), environment: { time: NOW } } as never, { now: NOW });
    expect(d.reason).toBe('invalid-request');
    expect(d.issues).toEqual([{ path: ['environment', 'time'], message: 'unknown key `time`' }]);
  });
  it('claims whose realm and attributes are not enumerable (read by name, never by for…in) and one unknown key', () => {
    const claims: Record<string, unknown> = { groups: ['admins'] };
    Object.defineProperty(claims, 'realm', { value: 'https://idp.example', enumerable: false });
    Object.defineProperty(claims, 'attributes', { value: {}, enumerable: false });
    const d = authorize(tables, { ...base(), subject: { id: 'm-bob', claims }, environment: { now: NOW } } as never);
    expect(d.reason).toBe('invalid-request');
    expect(d.issues).toEqual([{ path: ['subject', 'claims', 'groups'], message: 'unknown key `groups`' }]);
  });
});

describe('the decision cache serves a request whose keys are all known', () => {
  it('a plain request, asked twice, is a hit the second time (and decides alike)', () => {
    const e = createEngine({ source: source as never, clock: () => NOW });
    for (const request of [
      { subject: { id: 'm-bob' }, action: 'account.read', resource: { id: 'acct' } },
      { subject: { id: 'm-bob', accountId: A, authenticated: true }, action: 'account.read', resource: { id: 'acct' } },
    ]) {
      const before = e.cacheStats().hits;
      expect(e.authorize(request).allowed).toBe(true);
      expect(e.authorize(request).allowed).toBe(true);
      expect(e.cacheStats().hits).toBe(before + 1);
    }
  });
});
