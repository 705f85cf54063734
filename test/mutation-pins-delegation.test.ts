// Pins of manage/access/delegation.ts (issue 12, MUTATION.md): each case is a rule of DELEGATION.md that a mutant of
// the file broke while every other suite still passed.
import { describe, expect, it } from 'vitest';
import { ibmPolicyOperations as pol } from '@portcullis/engine';
import { refusal, snapshot, who } from './helpers/access.js';
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
