// Issue 12, red team (second round): holes found by attacking `engine.apply` as a client would, each kept as a
// permanent test. Each is refused now with the seed's 403 and the refusal changes nothing; where the same change is
// legitimate for someone who may delegate it, the test shows that too.
import { describe, expect, it } from 'vitest';
import { bluexpOperations as bx, BLUEXP_CODES, BLUEXP_ROLES, bootstrapAccount, IBM_ROLES, ibmPolicyOperations as pol } from '@portcullis/engine';
import type { Engine } from '@portcullis/engine';
import { engine, refusal, snapshot, SYSTEM, who } from './helpers/access.js';
import { apply, attr, IBM_FORBIDDEN, ibmWorld, key, kmsFor, may } from './helpers/ibm-world.js';

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

/** IBM account `acc` where `IBMid-me` administers kms only while `rule` holds (and may write policies). */
async function ibmTimedWorld(rule: unknown) {
  const e = engine();
  await apply(e, bootstrapAccount, { system: 'ibm', accountId: 'acc', admin: { id: 'IBMid-admin' } }, SYSTEM);
  const mine = (id: string, service: string, extra: object) => ({
    op: 'put' as const,
    entity: 'policy' as const,
    value: { id, accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-me' }, roles: [IBM_ROLES.administrator], resource: { attributes: [attr('accountId', 'acc'), attr('serviceName', service)] }, ...extra },
  });
  await e.commit([
    ...['IBMid-me', 'IBMid-friend'].map((id) => ({ op: 'put' as const, entity: 'principal' as const, value: { id, accountId: 'acc', kind: 'user', status: 'active' } })),
    { op: 'put', entity: 'service', value: { name: 'kms', type: 'service', roles: { [IBM_ROLES.administrator]: ['kms.keys.read', 'kms.keys.write'] } } },
    mine('p-me-kms', 'kms', { rule }),
    mine('p-me-iam', 'iam-access-management', {}),
  ]);
  return e;
}
/** A v2 policy giving the friend kms Administrator (while `rule` holds, when there is one). */
const v2For = (rule?: unknown) => ({
  type: 'access',
  subject: { attributes: [{ key: 'iam_id', operator: 'stringEquals', value: 'IBMid-friend' }] },
  control: { grant: { roles: [{ role_id: IBM_ROLES.administrator }] } },
  resource: { attributes: [{ key: 'accountId', operator: 'stringEquals', value: 'acc' }, { key: 'serviceName', operator: 'stringEquals', value: 'kms' }] },
  ...(rule === undefined ? {} : { rule, pattern: (rule as { key: string }).key === DATE_KEY ? 'time-based-conditions:once' : 'time-based-conditions:weekly:custom-hours' }),
});
const DATE_KEY = '{{environment.attributes.current_date_time}}';
const TIME_KEY = '{{environment.attributes.current_time}}';
const mayAt = (e: Engine, id: string, at: string) =>
  e.authorize({ subject: { id, accountId: 'acc' }, action: 'kms.keys.write', resource: key('k1') }, { now: Date.parse(at) }).allowed;

describe('access the actor holds only for a while is not given for longer', () => {
  it('IBM: an administrator of kms until February cannot give kms for ever, nor until March, only within February', async () => {
    const until = { key: DATE_KEY, operator: 'dateTimeLessThan', value: '2026-02-01T00:00:00Z' };
    const e = await ibmTimedWorld(until);
    const me = who('IBMid-me', 'acc');
    const before = snapshot(e);
    expect(await refusal(apply(e, pol.createPolicy, kmsFor('IBMid-friend', []), me))).toEqual(IBM_FORBIDDEN);
    expect(await refusal(apply(e, pol.createV2Policy, v2For(), me))).toEqual(IBM_FORBIDDEN);
    expect(await refusal(apply(e, pol.createV2Policy, v2For({ key: DATE_KEY, operator: 'dateTimeLessThan', value: '2026-03-01T00:00:00Z' }), me))).toEqual(IBM_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    expect(mayAt(e, 'IBMid-friend', '2026-03-01T00:00:00Z')).toBe(false);
    // a shorter window it gives
    await apply(e, pol.createV2Policy, v2For({ key: DATE_KEY, operator: 'dateTimeLessThanOrEquals', value: '2026-01-15T00:00:00Z' }), me);
    expect(mayAt(e, 'IBMid-friend', '2026-01-10T00:00:00Z')).toBe(true);
    expect(mayAt(e, 'IBMid-friend', '2026-03-01T00:00:00Z')).toBe(false);
  });

  it('IBM: an administrator of kms before 23:00 each day cannot give kms at every hour', async () => {
    const hours = { key: TIME_KEY, operator: 'timeLessThan', value: '23:00:00+00:00' };
    const e = await ibmTimedWorld(hours);
    const me = who('IBMid-me', 'acc');
    const before = snapshot(e);
    expect(await refusal(apply(e, pol.createPolicy, kmsFor('IBMid-friend', []), me))).toEqual(IBM_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    await apply(e, pol.createV2Policy, v2For(hours), me);
    expect(mayAt(e, 'IBMid-friend', '2026-01-05T22:00:00Z')).toBe(true);
    expect(mayAt(e, 'IBMid-friend', '2026-01-05T23:30:00Z')).toBe(false);
  });
});

describe('no lock-out in time: taking access from someone who holds it longer than the actor could give it', () => {
  it('IBM: an administrator of kms until February cannot take kms from a colleague who holds it for ever', async () => {
    const until = { key: DATE_KEY, operator: 'dateTimeLessThan', value: '2026-02-01T00:00:00Z' };
    const e = await ibmTimedWorld(until);
    await e.commit([
      { op: 'put', entity: 'principal', value: { id: 'IBMid-boss', accountId: 'acc', kind: 'user', status: 'active' } },
      { op: 'put', entity: 'policy', value: { id: 'p-boss-kms', accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-boss' }, roles: [IBM_ROLES.administrator], resource: { attributes: [attr('accountId', 'acc'), attr('serviceName', 'kms')] } } },
      { op: 'put', entity: 'policy', value: { id: 'p-friend-kms', accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-friend' }, roles: [IBM_ROLES.administrator], resource: { attributes: [attr('accountId', 'acc'), attr('serviceName', 'kms')] }, rule: until } },
    ]);
    const me = who('IBMid-me', 'acc');
    const before = snapshot(e);
    expect(await refusal(apply(e, pol.deletePolicy, { policy_id: 'p-boss-kms' }, me))).toEqual(IBM_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    expect(mayAt(e, 'IBMid-boss', '2026-03-01T00:00:00Z')).toBe(true);
    // what a colleague holds no longer than the actor, the actor may take
    await apply(e, pol.deleteV2Policy, { policy_id: 'p-friend-kms' }, me);
    expect(mayAt(e, 'IBMid-friend', '2026-01-10T00:00:00Z')).toBe(false);
  });
});

describe('access held through a binding that expires is not given for longer (BlueXP)', () => {
  it('an organization admin whose binding ends in February cannot bind a role for ever, only until then', async () => {
    const e = engine();
    await apply(e, bootstrapAccount, { system: 'bluexp', accountId: 'bx', admin: { id: 'admin' } }, SYSTEM);
    await e.commit([
      { op: 'put', entity: 'role', value: { id: 'bx-storage', kind: 'bluexp', accountId: 'bx', name: 'Storage', actions: ['volume:create', 'volume:delete'] } },
      ...['temp', 'friend'].map((id) => ({ op: 'put' as const, entity: 'principal' as const, value: { id, accountId: 'bx', kind: 'user', email: `${id}@example.com`, status: 'active' } })),
      { op: 'put', entity: 'binding', value: { id: 'b-temp', accountId: 'bx', subject: { kind: 'principal', id: 'temp' }, roleId: BLUEXP_ROLES.organizationAdmin, nodeId: 'bx', expiresAt: '2026-02-01T00:00:00Z' } },
    ]);
    const temp = who('temp', 'bx');
    const bind = (extra: object) => apply(e, bx.createRoleBinding, { account_id: 'bx', subject: { kind: 'principal', id: 'friend' }, roleId: 'bx-storage', ...extra }, temp);
    const before = snapshot(e);
    const BX_FORBIDDEN = { code: BLUEXP_CODES.forbidden.code, status: 403 };
    expect(await refusal(bind({}))).toEqual(BX_FORBIDDEN);
    expect(await refusal(bind({ expiresAt: '2026-03-01T00:00:00Z' }))).toEqual(BX_FORBIDDEN);
    expect(await refusal(bind({ roleId: BLUEXP_ROLES.organizationAdmin }))).toEqual(BX_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    await bind({ expiresAt: '2026-01-20T00:00:00Z' });
    const canDelete = (at: string) => e.authorize({ subject: { id: 'friend', accountId: 'bx' }, action: 'volume:delete', resource: { attributes: { accountId: 'bx' } } }, { now: Date.parse(at) }).allowed;
    expect(canDelete('2026-01-10T00:00:00Z')).toBe(true);
    expect(canDelete('2026-03-01T00:00:00Z')).toBe(false);
  });
});

describe('the host-only bootstrap means exactly what it says', () => {
  it('an unknown key of bootstrapAccount or of its admin is refused, and nothing is written', async () => {
    const e = engine();
    const before = snapshot(e);
    for (const input of [
      { system: 'ibm', accountId: 'acc', admin: { id: 'IBMid-admin' }, admins: [{ id: 'IBMid-other' }] },
      { system: 'ibm', accountId: 'acc', admin: { id: 'IBMid-admin', emial: 'admin@example.com' } },
      { system: 'bluexp', accountId: 'bx', admin: { id: 'admin', roleId: 'bluexp-organization-admin' } },
    ])
      expect(await refusal(apply(e, bootstrapAccount, input, SYSTEM))).toEqual({ code: 'invalid_request', status: 400 });
    expect(snapshot(e)).toEqual(before);
    await apply(e, bootstrapAccount, { system: 'ibm', accountId: 'acc', name: 'Acc', admin: { id: 'IBMid-admin', email: 'admin@example.com', name: 'Ad', kind: 'user' } }, SYSTEM);
  });
});
