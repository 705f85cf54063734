// Issue 12, red team (seventh round): the paths beside the decisions and the management operations — the decision
// log, the reverse queries, the inputs an attacker shapes. Each "hole: …" test failed on the code it was found on and
// passes since the fix named beside it; "refused: …" tests are attacks that failed but were not covered before, kept
// as regression tests. (The CLI, the stores' change feeds and HTTP are in test/redteam7-*.test.ts.)
import { describe, expect, it } from 'vitest';
import { cloudflareOperations as cf, createEngine, type DecisionRecord, type Engine } from '@portcullis/engine';
import { NOW, SYSTEM } from './helpers/access.js';
import { apply, ibmWorld, key } from './helpers/ibm-world.js';

/** An engine on the IBM world's source whose decision log is `records`. */
async function logged(records: DecisionRecord[]): Promise<Engine> {
  const world = await ibmWorld([]);
  return createEngine({ source: world.source, clock: () => NOW, onDecision: (r) => records.push(r) });
}

// A decision log is what an auditor reads to learn who was allowed what. Its record must be the request decided, not
// a request the caller's input could make it show.
describe('the decision log records the request that was decided', () => {
  it('hole: an authorizeMany item carrying its own `subject` is logged as that subject, while the batch’s was decided', async () => {
    // (fixed in engine/decision-hooks.ts: logMany builds each record from the batch's subject and the item's
    // action, resource and environment, the fields decideMany reads, never by spreading the item over the subject;
    // since, an item carrying a `subject` of its own is refused as invalid-request, as any unknown key of a request)
    const records: DecisionRecord[] = [];
    const e = await logged(records);
    const items = [{ action: 'kms.keys.write', resource: key('k1'), subject: { id: 'IBMid-admin', accountId: 'acc' } }];
    const [d] = e.authorizeMany({ id: 'IBMid-friend', accountId: 'acc' }, items as never);
    expect(d!.allowed).toBe(false);
    expect(d!.reason).toBe('invalid-request');
    expect(d!.issues).toEqual([{ path: ['subject'], message: 'unknown key `subject`' }]);
    expect(records).toHaveLength(1);
    expect(records[0]!.request).toEqual({ subject: { id: 'IBMid-friend', accountId: 'acc' }, action: 'kms.keys.write', resource: key('k1') });
    // an item without one: the batch's subject decided and logged, `friend` denied and `me` allowed
    const plain = [{ action: 'kms.keys.write', resource: key('k1') }];
    const [friend] = e.authorizeMany({ id: 'IBMid-friend', accountId: 'acc' }, plain);
    expect(friend!.allowed).toBe(false);
    expect(records[1]!.request.subject.id).toBe('IBMid-friend');
    const [mine] = e.authorizeMany({ id: 'IBMid-me', accountId: 'acc' }, plain);
    expect(mine!.allowed).toBe(true);
    expect(records[2]!.request.subject.id).toBe('IBMid-me');
    // an item's own time is still the record's, as it was the decision's
    e.authorizeMany({ id: 'IBMid-me', accountId: 'acc' }, [{ ...plain[0]!, environment: { now: '2026-01-03T00:00:00Z' } }]);
    expect(records[3]!.request).toEqual({ subject: { id: 'IBMid-me', accountId: 'acc' }, action: 'kms.keys.write', resource: key('k1'), environment: { now: '2026-01-03T00:00:00Z' } });
    expect(records[3]!.at).toBe(Date.parse('2026-01-03T00:00:00Z'));
  });
});

// Seed 003's SSO connector gates the users of one email domain. A domain is a DNS name: `corp.example.` (the absolute
// form, with the root's dot) is `corp.example`, as `CORP.example` is.
describe('the SSO login gate reads a domain however it is spelled', () => {
  const A = 'c0ffee00c0ffee00c0ffee00c0ffee00';
  const source = (email: string) => ({
    version: 1,
    accounts: [{ id: A, system: 'cloudflare' }],
    principals: [{ id: 'm-bob', accountId: A, kind: 'user', email, status: 'active' }],
    roles: [{ id: 'pg-read', kind: 'permission-group', scopeType: 'account', actions: ['account.read'] }],
    resourceGroups: [{ id: 'rg-a', accountId: A, scope: [{ key: `com.cloudflare.api.account.${A}`, objects: [{ key: '*' }] }] }],
    policies: [{ id: 'p-bob', accountId: A, subject: { kind: 'principal', id: 'm-bob' }, roles: ['pg-read'], resource: { attributes: [], resourceGroups: ['rg-a'] } }],
    ssoConnectors: [{ id: 'ab'.repeat(16), accountId: A, emailDomain: 'corp.example', enabled: true, verification: { code: 'c', status: 'verified' } }],
  });
  const read = (subject: Record<string, unknown>) => ({ subject, action: 'account.read', resource: { attributes: { accountId: A } } });

  it('hole: a member stored or asserted as `bob@corp.example.` is let in without SSO where `bob@corp.example` is not', async () => {
    // (fixed in model/sso-connector.ts: emailDomainOf drops the trailing dots of an absolute domain and reads a
    // non-ASCII name in IDNA's form, so every spelling is one domain; the reference evaluator reads it the same way)
    const e = createEngine({ source: source('bob@corp.example.'), clock: () => NOW });
    expect(e.authorize(read({ id: 'm-bob' })).reason).toBe('sso-required');
    expect(e.authorize(read({ id: 'm-bob', email: 'bob@corp.example.' })).reason).toBe('sso-required');
    expect(e.authorize(read({ email: 'x@Corp.Example..' })).reason).toBe('sso-required');
    // IDNA's spellings of the same name, as mail delivers them: full-width letters and dots, a zero-width space
    for (const email of ['x@ｃｏｒｐ.example', 'x@ＣＯＲＰ．ＥＸＡＭＰＬＥ', 'x@corp。example', 'x@corp\u200b.example']) expect(e.authorize(read({ email })).reason).toBe('sso-required');
    // through SSO the policies decide, and another domain is still not gated
    expect(e.authorize(read({ id: 'm-bob', sso: true })).allowed).toBe(true);
    const other = createEngine({ source: source('bob@corp.example.org'), clock: () => NOW });
    expect(other.authorize(read({ id: 'm-bob' })).allowed).toBe(true);
  });

  it('hole: an account member invited as `bob@corp.example.` by the administrator is one the gate sees', async () => {
    const e = createEngine({ source: { ...source('admin@elsewhere.example'), principals: [], policies: [] }, clock: () => NOW, newId: (p) => `${p}${'0'.repeat(31)}1` });
    await apply(e, cf.createAccountMember, { account_id: A, email: 'bob@corp.example.', status: 'accepted' }, SYSTEM);
    const bob = e.source.principals.find((p) => p.email === 'bob@corp.example.')!;
    expect(e.authorize(read({ id: bob.id })).reason).toBe('sso-required');
  });
});
