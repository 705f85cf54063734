// Issue 12, red team (second round): holes found by attacking `engine.apply` as a client would, each kept as a
// permanent test. Each is refused now with the seed's 403 and the refusal changes nothing; where the same change is
// legitimate for someone who may delegate it, the test shows that too.
import { describe, expect, it } from 'vitest';
import { bootstrapAccount, IBM_POLICY_CODES, IBM_ROLES, ibmPolicyOperations as pol } from '@portcullis/engine';
import type { Actor, Engine, RequestResource } from '@portcullis/engine';
import { engine, refusal, snapshot, SYSTEM, who } from './helpers/access.js';

type Op = (state: never, input: never, ctx: never) => { result: unknown };
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

describe('the review asks for the shortest values an open value covers, not only long random ones', () => {
  it('IBM: an administrator of the keys `k-` followed by something cannot give `k-*`, which also covers the key `k-`', async () => {
    const e = await ibmWorld([attr('resource', 'k-?*', 'stringMatch')]);
    const me = who('IBMid-me', 'acc');
    expect(may(e, 'IBMid-me', 'acc', 'kms.keys.write', key('k-'))).toBe(false);
    const before = snapshot(e);
    expect(await refusal(apply(e, pol.createPolicy, kmsFor('IBMid-friend', [{ name: 'resource', operator: 'stringMatch', value: 'k-*' }]), me))).toEqual(IBM_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', key('k-'))).toBe(false);
    // what it holds it gives
    await apply(e, pol.createPolicy, kmsFor('IBMid-friend', [{ name: 'resource', operator: 'stringMatch', value: 'k-?*' }]), me);
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', key('k-a'))).toBe(true);
  });

  it('IBM: an administrator of the keys with at least eight characters after `k-` cannot give `k-*` (the stand-in for `*` is never that short)', async () => {
    const e = await ibmWorld([attr('resource', 'k-????????*', 'stringMatch')]);
    const before = snapshot(e);
    expect(await refusal(apply(e, pol.createPolicy, kmsFor('IBMid-friend', [{ name: 'resource', operator: 'stringMatch', value: 'k-*' }]), who('IBMid-me', 'acc')))).toEqual(IBM_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
  });

  it('IBM: an administrator of the keys with a name of 24 characters or more cannot give every key (the stand-in for "any value" is never shorter)', async () => {
    const e = await ibmWorld([attr('resource', `${'?'.repeat(24)}*`, 'stringMatch')]);
    const me = who('IBMid-me', 'acc');
    const before = snapshot(e);
    expect(await refusal(apply(e, pol.createPolicy, kmsFor('IBMid-friend', [{ name: 'resource', operator: 'stringMatch', value: '*' }]), me))).toEqual(IBM_FORBIDDEN);
    expect(await refusal(apply(e, pol.createPolicy, kmsFor('IBMid-friend', [{ name: 'resource', operator: 'stringExists', value: true }]), me))).toEqual(IBM_FORBIDDEN);
    expect(await refusal(apply(e, pol.createPolicy, kmsFor('IBMid-friend', []), me))).toEqual(IBM_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', key('k1'))).toBe(false);
  });

  it('IBM: an administrator of every non-empty key name cannot give `*`, which also covers the empty name', async () => {
    const e = await ibmWorld([attr('resource', '?*', 'stringMatch')]);
    const before = snapshot(e);
    expect(may(e, 'IBMid-me', 'acc', 'kms.keys.write', key(''))).toBe(false);
    expect(await refusal(apply(e, pol.createPolicy, kmsFor('IBMid-friend', [{ name: 'resource', operator: 'stringMatch', value: '*' }]), who('IBMid-me', 'acc')))).toEqual(IBM_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
  });
});
