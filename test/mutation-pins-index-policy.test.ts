// Pins of compile/index-policy.ts (issue 12, MUTATION.md, section "mutcmp3"): a candidate drops the conditions its
// index already guarantees, `accountId stringEquals <own account>` and `serviceName stringEquals <its service>`, and
// no other: a condition on the same attribute and value under another operator must still be tested.
import { describe, expect, it } from 'vitest';
import { authorize, compile, parseSource } from '@portcullis/engine';
import { referenceAuthorize } from '@portcullis/engine/testing';

describe('only the guaranteed equality is dropped', () => {
  it('`accountId stringExists false` in an account named "false" still never holds', () => {
    const s = parseSource({
      version: 1,
      accounts: [{ id: 'false', system: 'ibm' }],
      principals: [{ id: 'u', accountId: 'false', kind: 'user' }],
      roles: [{ id: 'reader', kind: 'service', actions: ['kms.read'] }],
      policies: [
        {
          id: 'p',
          accountId: 'false',
          subject: { kind: 'principal', id: 'u' },
          roles: ['reader'],
          resource: { attributes: [{ name: 'accountId', operator: 'stringExists', value: 'false' }] },
        },
      ],
    });
    const request = { subject: { id: 'u' }, action: 'kms.read', resource: { attributes: { accountId: 'false', serviceName: 'kms' } }, environment: { now: '2026-01-05T10:00:00Z' } };
    expect(authorize(compile(s), request).allowed).toBe(false);
    expect(referenceAuthorize(s, request).allowed).toBe(false);
  });

  it('an equality on another attribute whose value is the account id is still tested', () => {
    const s = parseSource({
      version: 1,
      accounts: [{ id: 'acc', system: 'ibm' }],
      principals: [{ id: 'u', accountId: 'acc', kind: 'user' }],
      roles: [{ id: 'reader', kind: 'service', actions: ['kms.read'] }],
      policies: [
        {
          id: 'p',
          accountId: 'acc',
          subject: { kind: 'principal', id: 'u' },
          roles: ['reader'],
          resource: { attributes: [{ name: 'resource', operator: 'stringEquals', value: 'acc' }] },
        },
      ],
    });
    const ask = (resource: string) => ({ subject: { id: 'u' }, action: 'kms.read', resource: { attributes: { accountId: 'acc', serviceName: 'kms', resource } }, environment: { now: '2026-01-05T10:00:00Z' } });
    for (const [resource, allowed] of [['acc', true], ['other', false]] as const) {
      expect(authorize(compile(s), ask(resource)).allowed).toBe(allowed);
      expect(referenceAuthorize(s, ask(resource)).allowed).toBe(allowed);
    }
  });
});

describe('only a `stringEquals` on serviceName pins the grants a policy can use (mutcmp4)', () => {
  it('a `serviceName stringMatch` glob is no pin: the grant for a service it matches is kept', () => {
    const s = parseSource({
      version: 1,
      accounts: [{ id: 'acc', system: 'ibm' }],
      principals: [{ id: 'u', accountId: 'acc', kind: 'user' }],
      // the catalog grants `reader` its action for service kms: a grant with a service, which a pin would skip
      services: [{ name: 'kms', type: 'service', roles: { reader: ['kms.read'] } }],
      roles: [{ id: 'reader', kind: 'service', actions: [] }],
      policies: [
        {
          id: 'p',
          accountId: 'acc',
          subject: { kind: 'principal', id: 'u' },
          roles: ['reader'],
          resource: { attributes: [{ name: 'serviceName', operator: 'stringMatch', value: 'km*' }] },
        },
      ],
    });
    const request = { subject: { id: 'u' }, action: 'kms.read', resource: { attributes: { accountId: 'acc', serviceName: 'kms' } }, environment: { now: '2026-01-05T10:00:00Z' } };
    expect(authorize(compile(s), request).allowed).toBe(true);
    expect(referenceAuthorize(s, request).allowed).toBe(true);
  });
});

describe('a candidate keeps every condition its grant does not guarantee (mutcmp4)', () => {
  const request = (account: string, serviceName: string, action: string) => ({
    subject: { id: 'u' },
    action,
    resource: { attributes: { accountId: account, serviceName } },
    environment: { now: '2026-01-05T10:00:00Z' },
  });

  it('a policy pinned to kms grants nothing on cos, though its role grants there too, and keeps a grant of no service', () => {
    const s = parseSource({
      version: 1,
      accounts: [{ id: 'acc', system: 'ibm' }],
      principals: [{ id: 'u', accountId: 'acc', kind: 'user' }],
      services: [
        { name: 'kms', type: 'service', roles: { reader: ['kms.read'] } },
        { name: 'cos', type: 'service', roles: { reader: ['cos.read'] } },
      ],
      // `writer`'s own action is a grant of no service: kept for the pinned policy
      roles: [
        { id: 'reader', kind: 'service', actions: [] },
        { id: 'writer', kind: 'service', actions: ['kms.write'] },
      ],
      policies: [{ id: 'p', accountId: 'acc', subject: { kind: 'principal', id: 'u' }, roles: ['reader', 'writer'], resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'kms' }] } }],
    });
    for (const [service, action, allowed] of [['kms', 'kms.read', true], ['kms', 'kms.write', true], ['cos', 'cos.read', false]] as const) {
      expect(authorize(compile(s), request('acc', service, action)).allowed).toBe(allowed);
      expect(referenceAuthorize(s, request('acc', service, action)).allowed).toBe(allowed);
    }
  });

  it('one attribute list in two accounts drops the account equality of each account only', () => {
    // compile does not validate: a policy of `b` naming account `a` is compiled too, and must never match in `b`
    const s = parseSource({
      version: 1,
      accounts: [
        { id: 'a', system: 'ibm' },
        { id: 'b', system: 'ibm' },
      ],
      principals: [
        { id: 'u', accountId: 'a', kind: 'user' },
        { id: 'u', accountId: 'b', kind: 'user' },
      ],
      roles: [{ id: 'reader', kind: 'service', actions: ['kms.read'] }],
      policies: ['a', 'b'].map((account) => ({
        id: `p-${account}`,
        accountId: account,
        subject: { kind: 'principal' as const, id: 'u' },
        roles: ['reader'],
        resource: { attributes: [{ name: 'accountId', operator: 'stringEquals' as const, value: account }] },
      })),
    });
    const policies = s.policies.map((p) => (p.accountId === 'b' ? { ...p, resource: { ...p.resource, attributes: s.policies[0]!.resource.attributes } } : p));
    const t = compile({ ...s, policies });
    expect([authorize(t, request('a', 'kms', 'kms.read')).allowed, authorize(t, request('b', 'kms', 'kms.read')).allowed]).toEqual([true, false]);
  });

  it('a policy naming a role the source does not hold grants nothing and compiles (compile does not validate)', () => {
    const s = parseSource({
      version: 1,
      accounts: [{ id: 'acc', system: 'ibm' }],
      principals: [{ id: 'u', accountId: 'acc', kind: 'user' }],
      roles: [{ id: 'reader', kind: 'service', actions: ['kms.read'] }],
      policies: [{ id: 'p', accountId: 'acc', subject: { kind: 'principal', id: 'u' }, roles: ['reader'], resource: { attributes: [] } }],
    });
    const t = compile({ ...s, policies: [{ ...s.policies[0]!, roles: ['gone', 'reader'] }, { ...s.policies[0]!, id: 'q', roles: ['gone'] }] });
    expect(authorize(t, request('acc', 'kms', 'kms.read')).policies).toEqual(['p']);
  });
});
