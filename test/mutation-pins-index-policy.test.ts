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
