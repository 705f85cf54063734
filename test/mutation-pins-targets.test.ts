// Pins of manage/access/targets.ts (issue 12, MUTATION.md): where a policy's grant is asked, decided through the
// management operations that the effect review guards.
import { describe, expect, it } from 'vitest';
import { IBM_ROLES, ibmAccessGroupOperations as ag, ibmPolicyOperations as pol } from '@portcullis/engine';
import { refusal, snapshot, who } from './helpers/access.js';
import { apply, attr, IBM_FORBIDDEN, ibmWorld, kmsFor } from './helpers/ibm-world.js';

const me = who('IBMid-me', 'acc');

describe('an account whose resource groups hold user scopes', () => {
  it('IBM: taking kms from a colleague takes it on the users its resource group reaches, where it holds more than the actor', async () => {
    // `IBMid-me` administers every kms resource; the boss holds kms Administrator too, and `kms.keys.purge` on user
    // u1 through a resource group (parseSource admits both in an IBM account)
    const e = await ibmWorld([]);
    const kms = { attributes: [attr('accountId', 'acc'), attr('serviceName', 'kms')] };
    await e.commit([
      { op: 'put', entity: 'principal', value: { id: 'IBMid-boss', accountId: 'acc', kind: 'user', status: 'active' } },
      { op: 'put', entity: 'resourceGroup', value: { id: 'rg-u1', accountId: 'acc', scope: [{ key: 'com.cloudflare.api.user.u1', objects: [{ key: '*' }] }] } },
      { op: 'put', entity: 'role', value: { id: 'purger', kind: 'service', accountId: 'acc', name: 'Purger', actions: ['kms.keys.purge'] } },
      { op: 'put', entity: 'policy', value: { id: 'p-boss-u1', accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-boss' }, roles: ['purger'], resource: { resourceGroups: ['rg-u1'] } } },
      { op: 'put', entity: 'policy', value: { id: 'p-boss-kms', accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-boss' }, roles: [IBM_ROLES.administrator], resource: kms } },
      { op: 'put', entity: 'policy', value: { id: 'p-friend-kms', accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-friend' }, roles: [IBM_ROLES.administrator], resource: kms } },
    ]);
    const request = (id: string, attributes: Record<string, string>) => e.authorize({ subject: { id, accountId: 'acc' }, action: 'kms.keys.purge', resource: { attributes: { accountId: 'acc', ...attributes } } }).allowed;
    // the resource the kms grant covers with the user scope's attributes: the boss holds more there
    expect(request('IBMid-boss', { serviceName: 'kms', resourceType: 'user', resource: 'u1' })).toBe(true);
    expect(request('IBMid-me', { serviceName: 'kms', resourceType: 'user', resource: 'u1' })).toBe(false);
    const before = snapshot(e);
    expect(await refusal(apply(e, pol.deletePolicy, { policy_id: 'p-boss-kms' }, me))).toEqual(IBM_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    // a colleague who holds there nothing more than the actor loses it
    await apply(e, pol.deletePolicy, { policy_id: 'p-friend-kms' }, me);
  });
});

describe('a selector value that is the empty string', () => {
  it('IBM: is asked as itself, not as an open value: an administrator of the key named "" gives it through a group', async () => {
    const e = await ibmWorld([attr('resource', '')]);
    // parseSource admits the empty value; the group's policy grants the kms Administrator role on that key alone
    await e.commit([
      { op: 'put', entity: 'group', value: { id: 'g', accountId: 'acc', name: 'g', members: [], rules: [] } },
      {
        op: 'put',
        entity: 'policy',
        value: { id: 'p-g', accountId: 'acc', subject: { kind: 'group', id: 'g' }, roles: [IBM_ROLES.administrator], resource: { attributes: [attr('accountId', 'acc'), attr('serviceName', 'kms'), attr('resource', '')] } },
      },
      { op: 'put', entity: 'policy', value: { id: 'p-me-groups', accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-me' }, roles: [IBM_ROLES.editor], resource: { attributes: [attr('accountId', 'acc'), attr('serviceName', 'iam-groups')] } } },
    ]);
    await apply(e, ag.addMembersToAccessGroup, { account_id: 'acc', access_group_id: 'g', members: [{ iam_id: 'IBMid-friend', type: 'user' }] }, me);
    expect(e.authorize({ subject: { id: 'IBMid-friend', accountId: 'acc' }, action: 'kms.keys.read', resource: { attributes: { accountId: 'acc', serviceName: 'kms', resource: '' } } }).allowed).toBe(true);
  });
});

describe('an account without resource groups', () => {
  it('IBM: leaves resourceType and resource closed, so a grant just within the gate’s bound of 4,096 requests is asked and given', async () => {
    // five attributes `IBMid-me`'s grants read, three literals each: 5^5 = 3,125 requests (absence, a fresh value, each
    // literal); opening resourceType too (absent, `user`, another value) would make them 9,375, past the bound
    const names = ['a1', 'a2', 'a3', 'a4', 'a5'];
    const e = await ibmWorld([]);
    await e.commit(
      names.map((n) => ({
        op: 'put' as const,
        entity: 'policy' as const,
        value: { id: `p-me-${n}`, accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-me' }, roles: [IBM_ROLES.administrator], resource: { attributes: [attr('accountId', 'acc'), attr('serviceName', 'kms'), attr(n, ['x', 'y', 'z'], 'stringEqualsAnyOf')] } },
      })),
    );
    await apply(e, pol.createPolicy, kmsFor('IBMid-friend', []), me);
  });
});
