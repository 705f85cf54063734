// A request means exactly what it says, as a source does (SEMANTICS §0): a key that no part of a request defines is an
// issue, and the decision is invalid-request. Found by red team round 7: a PEP that misspells `email` as `emial`
// skipped the SSO gate of the domain it asserted, and one that misspells `service` was decided as a plain user.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { authorize, authorizeMany, compile, createEngine, parseSource, resourceFilter, whatCan, ValidationError } from '@portcullis/engine';
import { referenceAuthorize } from '@portcullis/engine/testing';
import { A, bobSource, NOW } from './helpers/bob-world.js';

const source = {
  ...bobSource,
  ssoConnectors: [{ id: 'ab'.repeat(16), accountId: A, emailDomain: 'corp.example', enabled: true, verification: { code: 'c', status: 'verified' } }],
};
const parsed = parseSource(source);
const tables = compile(parsed);
const read = (subject: object, resource: object = { attributes: { accountId: A } }) => ({ subject, action: 'account.read', resource, environment: { now: NOW } });

describe('a request with a key its part does not define is invalid', () => {
  it('the request as written: with `email` gated, with `emial` formerly allowed, now refused', () => {
    expect(authorize(tables, read({ id: 'm-bob' })).allowed).toBe(true);
    expect(authorize(tables, read({ id: 'm-bob', email: 'bob@corp.example' })).reason).toBe('sso-required');
    const d = authorize(tables, read({ id: 'm-bob', emial: 'bob@corp.example' }));
    expect(d.reason).toBe('invalid-request');
    expect(d.issues).toEqual([{ path: ['subject', 'emial'], message: 'unknown key `emial`' }]);
  });

  it.each([
    ['the request', { ...read({ id: 'm-bob' }), enviroment: { now: NOW } }, ['enviroment']],
    ['the subject (service)', read({ id: 'm-bob', servce: { serviceName: 'cos' } }), ['subject', 'servce']],
    ['the subject (account)', read({ id: 'm-bob', acountId: A }), ['subject', 'acountId']],
    ['the claims', read({ claims: { realm: 'r', attributes: {}, groups: ['admins'] } }), ['subject', 'claims', 'groups']],
    ['the resource', read({ id: 'm-bob' }, { attributes: { accountId: A }, tag: ['x'] }), ['resource', 'tag']],
    ['the environment', { ...read({ id: 'm-bob' }), environment: { now: NOW, time: NOW } }, ['environment', 'time']],
  ])('an unknown key of %s, with its path', (_, request, path) => {
    const d = authorize(tables, request as never);
    expect(d.allowed).toBe(false);
    expect(d.reason).toBe('invalid-request');
    expect(d.issues).toContainEqual({ path, message: `unknown key \`${path.at(-1)}\`` });
  });

  it('an unknown option', () => {
    const d = authorize(tables, read({ id: 'm-bob' }), { explian: true } as never);
    expect(d.reason).toBe('invalid-request');
    expect(d.issues).toEqual([{ path: ['options', 'explian'], message: 'unknown key `explian`' }]);
  });

  it('keys that name something of every object (`__proto__` from JSON, `toString`, `constructor`) are unknown too', () => {
    for (const json of ['{"id":"m-bob","__proto__":{"sso":true}}', '{"id":"m-bob","toString":"x"}', '{"id":"m-bob","constructor":{}}']) {
      const d = authorize(tables, read(JSON.parse(json)));
      expect(d.reason, json).toBe('invalid-request');
    }
  });

  it('inherited enumerable keys are read as the decision reads them: a known one decides, an unknown one is refused', () => {
    expect(authorize(tables, read(Object.create({ id: 'm-bob' }))).allowed).toBe(true);
    const odd = Object.create({ servce: 'cos' });
    odd.id = 'm-bob';
    expect(authorize(tables, read(odd)).reason).toBe('invalid-request');
  });

  it('a batch: the subject checked once, each item on its own (an item carrying a `subject` is refused, not ignored)', () => {
    const [ok, own, typo] = authorizeMany(tables, { id: 'm-bob' }, [
      { action: 'account.read', resource: { attributes: { accountId: A } }, environment: { now: NOW } },
      { action: 'account.read', resource: { attributes: { accountId: A } }, environment: { now: NOW }, subject: { id: 'someone' } } as never,
      { action: 'account.read', resource: { attributes: { accountId: A }, zone: ['z'] }, environment: { now: NOW } } as never,
    ]);
    expect(ok!.allowed).toBe(true);
    expect(own!.issues).toEqual([{ path: ['subject'], message: 'unknown key `subject`' }]);
    expect(typo!.issues).toEqual([{ path: ['resource', 'zone'], message: 'unknown key `zone`' }]);
    const all = authorizeMany(tables, { id: 'm-bob', emial: 'bob@corp.example' } as never, [{ action: 'account.read', resource: { attributes: { accountId: A } }, environment: { now: NOW } }]);
    expect(all[0]!.issues).toEqual([{ path: ['subject', 'emial'], message: 'unknown key `emial`' }]);
  });

  it('the reverse queries check the subject as authorize does', () => {
    expect(() => whatCan(tables, { id: 'm-bob', emial: 'x@corp.example' } as never, { attributes: { accountId: A } }, { now: NOW })).toThrow(ValidationError);
    expect(() => resourceFilter(tables, { id: 'm-bob', emial: 'x@corp.example' } as never, 'account.read', { now: NOW })).toThrow(ValidationError);
  });

  it('the decision cache never serves a request with an unknown key (its plain twin cached first)', () => {
    const e = createEngine({ source: source as never, clock: () => NOW });
    const plain = { subject: { id: 'm-bob' }, action: 'account.read', resource: { id: 'acct' } };
    expect(e.authorize(plain).allowed).toBe(true);
    expect(e.authorize(plain).allowed).toBe(true);
    for (const request of [
      { ...plain, subject: { id: 'm-bob', emial: 'bob@corp.example' } },
      { ...plain, resource: { id: 'acct', tag: ['x'] } },
      { ...plain, context: {} },
    ])
      expect(e.authorize(request as never).reason).toBe('invalid-request');
  });

  it('property: any key outside the defined ones, on any part, makes the decision invalid-request and nothing else', () => {
    const defined: Record<string, readonly string[]> = {
      request: ['subject', 'action', 'resource', 'environment'],
      subject: ['id', 'accountId', 'authenticated', 'claims', 'service', 'email', 'sso'],
      resource: ['id', 'attributes', 'tags', 'projects', 'folders', 'zones', 'agentId'],
      environment: ['now'],
    };
    fc.assert(
      fc.property(fc.constantFrom('request', 'subject', 'resource', 'environment'), fc.string({ minLength: 1, maxLength: 8 }), fc.boolean(), (part, key, cached) => {
        fc.pre(!defined[part]!.includes(key));
        const request: Record<string, Record<string, unknown> | unknown> = { subject: { id: 'm-bob' }, action: 'account.read', resource: cached ? { id: 'acct' } : { attributes: { accountId: A } }, environment: { now: NOW } };
        const target = (part === 'request' ? request : request[part]) as Record<string, unknown>;
        Object.defineProperty(target, key, { value: 'x', enumerable: true, configurable: true, writable: true });
        const d = authorize(tables, request as never);
        expect(d.reason).toBe('invalid-request');
        expect(d.issues).toContainEqual({ path: part === 'request' ? [key] : [part, key], message: `unknown key \`${key}\`` });
        // the reference evaluator, written apart, reads the request the same way
        expect(referenceAuthorize(parsed, request as never).issues).toContainEqual({ path: part === 'request' ? [key] : [part, key], message: `unknown key \`${key}\`` });
      }),
      { numRuns: 300 },
    );
  });
});
