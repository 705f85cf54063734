// Issue 12, red team: ways a subject got more through the management operations than it could delegate, each found by
// attacking `engine.apply` as a client would, kept as a permanent test. Each is refused now with the seed's 403 and the
// refusal changes nothing; where the same change is legitimate for someone who may delegate it, the test shows that too.
import { describe, expect, it } from 'vitest';
import { bootstrapAccount, createEngine, IBM_POLICY_CODES, IBM_ROLES, ibmPolicyOperations as pol } from '@portcullis/engine';
import type { Actor, Engine, RequestResource } from '@portcullis/engine';
import { refusal, snapshot } from './helpers/access.js';

type Op = (state: never, input: never, ctx: never) => { result: unknown };
const NOW = Date.parse('2026-01-02T03:04:05Z');
const SYSTEM: Actor = { kind: 'system' };
const hex = (n: number) => n.toString(16).padStart(32, '0');
const who = (id: string, accountId: string): Actor => ({ kind: 'subject', id, accountId });

function engine(): Engine {
  let n = 0;
  return createEngine({ clock: () => NOW, newId: (prefix) => `${prefix}${hex(++n)}` });
}
const apply = (e: Engine, op: unknown, input: unknown, actor: Actor) => e.apply(op as Op, input as never, { actor }) as Promise<unknown>;
const may = (e: Engine, id: string, accountId: string, action: string, resource: RequestResource) => e.authorize({ subject: { id, accountId }, action, resource }).allowed;
const attr = (name: string, value: unknown, operator = 'stringEquals') => ({ name, operator, value });

/** IBM account `acc`: `IBMid-me` may write policies and holds the kms Administrator role on the keys `grant` selects. */
async function ibmWorld(grant: { name: string; operator: string; value: unknown }[]) {
  const e = engine();
  await apply(e, bootstrapAccount, { system: 'ibm', accountId: 'acc', admin: { id: 'IBMid-admin' } }, SYSTEM);
  const policy = (id: string, service: string, extra: typeof grant) => ({
    op: 'put' as const,
    entity: 'policy' as const,
    value: { id, accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-me' }, roles: [IBM_ROLES.administrator], resource: { attributes: [attr('accountId', 'acc'), attr('serviceName', service), ...extra] } },
  });
  await e.commit([
    ...['IBMid-me', 'IBMid-friend'].map((id) => ({ op: 'put' as const, entity: 'principal' as const, value: { id, accountId: 'acc', kind: 'user', status: 'active' } })),
    { op: 'put', entity: 'service', value: { name: 'kms', type: 'service', roles: { [IBM_ROLES.administrator]: ['kms.keys.read', 'kms.keys.write'] } } },
    policy('p-me-kms', 'kms', grant),
    policy('p-me-iam', 'iam-access-management', []),
  ]);
  return e;
}
const kmsFor = (id: string, attrs: { name: string; operator?: string; value: unknown }[]) => ({
  type: 'access',
  subjects: [{ attributes: [{ name: 'iam_id', value: id }] }],
  roles: [{ role_id: IBM_ROLES.administrator }],
  resources: [{ attributes: [{ name: 'accountId', value: 'acc' }, { name: 'serviceName', value: 'kms' }, ...attrs] }],
});
const key = (resource: string): RequestResource => ({ attributes: { accountId: 'acc', serviceName: 'kms', resource } });
const IBM_FORBIDDEN = { code: IBM_POLICY_CODES.forbidden.code, status: 403 };

describe('the review asks for "any value" with a value that a narrow grant of the actor can match', () => {
  it('IBM: an administrator of the keys whose name ends in `y` cannot give a friend every key (stringMatch `*`)', async () => {
    const e = await ibmWorld([attr('resource', '*y', 'stringMatch')]);
    const me = who('IBMid-me', 'acc');
    const before = snapshot(e);
    expect(await refusal(apply(e, pol.createPolicy, kmsFor('IBMid-friend', [{ name: 'resource', operator: 'stringMatch', value: '*' }]), me))).toEqual(IBM_FORBIDDEN);
    expect(await refusal(apply(e, pol.createPolicy, kmsFor('IBMid-friend', [{ name: 'resource', operator: 'stringExists', value: true }]), me))).toEqual(IBM_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', key('k1'))).toBe(false);
    // what it holds it gives: the keys ending in `y`
    await apply(e, pol.createPolicy, kmsFor('IBMid-friend', [{ name: 'resource', operator: 'stringMatch', value: '*y' }]), me);
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', key('key'))).toBe(true);
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', key('k1'))).toBe(false);
  });

  it('IBM: an administrator of the key named like the review’s own stand-in cannot give every key', async () => {
    const e = await ibmWorld([attr('resource', '\u0001any')]);
    const before = snapshot(e);
    expect(await refusal(apply(e, pol.createPolicy, kmsFor('IBMid-friend', [{ name: 'resource', operator: 'stringMatch', value: '*' }]), who('IBMid-me', 'acc')))).toEqual(IBM_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
  });

  it('IBM: a glob is asked as its own instances: `k-*` gives `k-a*` and `k-?`, never `k*` nor every key', async () => {
    const e = await ibmWorld([attr('resource', 'k-*', 'stringMatch')]);
    const me = who('IBMid-me', 'acc');
    const before = snapshot(e);
    for (const value of ['k*', '*', '*-*', '?-*'])
      expect(await refusal(apply(e, pol.createPolicy, kmsFor('IBMid-friend', [{ name: 'resource', operator: 'stringMatch', value }]), me))).toEqual(IBM_FORBIDDEN);
    expect(await refusal(apply(e, pol.createPolicy, kmsFor('IBMid-friend', [{ name: 'resource', operator: 'stringMatchAnyOf', value: ['k-a*', 'j-*'] }]), me))).toEqual(IBM_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    await apply(e, pol.createPolicy, kmsFor('IBMid-friend', [{ name: 'resource', operator: 'stringMatch', value: 'k-a*' }]), me);
    await apply(e, pol.createPolicy, kmsFor('IBMid-friend', [{ name: 'resource', operator: 'stringMatchAnyOf', value: ['k-?', 'k-b*'] }]), me);
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', key('k-abc'))).toBe(true);
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', key('kx'))).toBe(false);
  });

  it('IBM: an administrator of every key may give every key', async () => {
    const e = await ibmWorld([attr('resource', '*', 'stringMatch')]);
    await apply(e, pol.createPolicy, kmsFor('IBMid-friend', [{ name: 'resource', operator: 'stringMatch', value: '*' }]), who('IBMid-me', 'acc'));
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', key('k1'))).toBe(true);
  });
});
