// Pins of manage/access/delegation.ts (issue 12, MUTATION.md): each case is a rule of DELEGATION.md that a mutant of
// the file broke while every other suite still passed.
import { describe, expect, it } from 'vitest';
import { bluexpOperations as bx, BLUEXP_CODES, bootstrapAccount, IBM_ROLES, ibmPolicyOperations as pol } from '@portcullis/engine';
import { engine, refusal, snapshot, SYSTEM, who } from './helpers/access.js';
import { apply, attr, IBM_FORBIDDEN, ibmWorld, kmsFor } from './helpers/ibm-world.js';

const me = who('IBMid-me', 'acc');

describe('the organization-admin rule is BlueXP’s alone', () => {
  it('an IBM subject that holds a BlueXP organization admin role through a policy delegates only what it holds', async () => {
    // `IBMid-me` holds the kms Administrator role on key k1 alone
    const e = await ibmWorld([attr('resource', 'k1')]);
    // parseSource admits an IBM policy naming a BlueXP role: its actions are held, its admin level means nothing here
    await e.commit([
      { op: 'put', entity: 'role', value: { id: 'bx-org', kind: 'bluexp', accountId: 'acc', name: 'Org', admin: 'organization', actions: ['rolebinding:create'] } },
      {
        op: 'put',
        entity: 'policy',
        value: { id: 'p-me-bx', accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-me' }, roles: ['bx-org'], resource: { attributes: [attr('accountId', 'acc')] } },
      },
    ]);
    const before = snapshot(e);
    expect(await refusal(apply(e, pol.createPolicy, kmsFor('IBMid-friend', [attr('resource', 'k2')]), me))).toEqual(IBM_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    // what it holds it gives
    await apply(e, pol.createPolicy, kmsFor('IBMid-friend', [attr('resource', 'k1')]), me);
  });
});

describe('no lock-out of a holder of an action pattern', () => {
  it('IBM: a kms Administrator cannot take `kms.*` (every kms action, present and future) from a colleague', async () => {
    const e = await ibmWorld([]);
    const kms = { attributes: [attr('accountId', 'acc'), attr('serviceName', 'kms')] };
    await e.commit([
      { op: 'put', entity: 'principal', value: { id: 'IBMid-boss', accountId: 'acc', kind: 'user', status: 'active' } },
      { op: 'put', entity: 'role', value: { id: 'kms-wild', kind: 'custom', accountId: 'acc', name: 'Everything kms', serviceName: 'kms', actions: ['kms.*'] } },
      { op: 'put', entity: 'policy', value: { id: 'p-boss-wild', accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-boss' }, roles: ['kms-wild'], resource: kms } },
      { op: 'put', entity: 'policy', value: { id: 'p-friend-kms', accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-friend' }, roles: [IBM_ROLES.administrator], resource: kms } },
    ]);
    const before = snapshot(e);
    // the actor holds every kms action the catalog names, not the pattern that also grants the ones it will name
    expect(await refusal(apply(e, pol.deletePolicy, { policy_id: 'p-boss-wild' }, me))).toEqual(IBM_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    // what a colleague holds as named actions the actor holds too, the actor may take
    await apply(e, pol.deletePolicy, { policy_id: 'p-friend-kms' }, me);
  });
});

describe('an organization admin is one whatever else it holds', () => {
  it('BlueXP: an organization admin that also holds rolebinding:create through another role still binds a role it does not hold', async () => {
    const e = engine();
    await apply(e, bootstrapAccount, { system: 'bluexp', accountId: 'org', admin: { id: 'boss' } }, SYSTEM);
    await e.commit([
      { op: 'put', entity: 'role', value: { id: 'bx-storage', kind: 'bluexp', accountId: 'org', name: 'Storage', actions: ['volume:create'] } },
      { op: 'put', entity: 'role', value: { id: 'bx-binder', kind: 'bluexp', accountId: 'org', name: 'Binder', actions: ['rolebinding:create'] } },
      { op: 'put', entity: 'principal', value: { id: 'plain', accountId: 'org', kind: 'user', status: 'active' } },
      { op: 'put', entity: 'principal', value: { id: 'binder', accountId: 'org', kind: 'user', status: 'active' } },
      { op: 'put', entity: 'binding', value: { id: 'b-boss-binder', accountId: 'org', subject: { kind: 'principal', id: 'boss' }, roleId: 'bx-binder', nodeId: 'org' } },
      { op: 'put', entity: 'binding', value: { id: 'b-binder', accountId: 'org', subject: { kind: 'principal', id: 'binder' }, roleId: 'bx-binder', nodeId: 'org' } },
    ]);
    const input = (id: string) => ({ account_id: 'org', subject: { kind: 'principal', id }, roleId: 'bx-storage' });
    // holding the binding action alone makes no organization admin
    const before = snapshot(e);
    expect(await refusal(apply(e, bx.createRoleBinding, input('plain'), who('binder', 'org')))).toEqual({ code: BLUEXP_CODES.forbidden.code, status: 403 });
    expect(snapshot(e)).toEqual(before);
    await apply(e, bx.createRoleBinding, input('plain'), who('boss', 'org'));
  });
});
