// Pins of manage/access/delegation.ts (issue 12, MUTATION.md): each case is a rule of DELEGATION.md that a mutant of
// the file broke while every other suite still passed.
import { describe, expect, it } from 'vitest';
import { bluexpOperations as bx, BLUEXP_CODES, bootstrapAccount, cloudflareOperations as cf, CLOUDFLARE_CODES, CLOUDFLARE_ROLES, IBM_GROUP_CODES, IBM_ROLES, ibmAccessGroupOperations as ag, ibmPolicyOperations as pol } from '@portcullis/engine';
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

describe('a grant of one service through a selector that leaves the service open', () => {
  const forFriend = (roleId: string) => ({
    type: 'access',
    subjects: [{ attributes: [{ name: 'iam_id', value: 'IBMid-friend' }] }],
    roles: [{ role_id: roleId }],
    // every service: the custom role's own service is the only one it grants on
    resources: [{ attributes: [{ name: 'accountId', value: 'acc' }, { name: 'serviceType', value: 'service' }] }],
  });

  it('IBM: is asked on the role’s service alone, so a kms administrator gives a custom kms role on every service', async () => {
    const e = await ibmWorld([]);
    await e.commit([{ op: 'put', entity: 'role', value: { id: 'c-kms', kind: 'custom', accountId: 'acc', name: 'Key reader', serviceName: 'kms', actions: ['kms.keys.read'] } }]);
    await apply(e, pol.createPolicy, forFriend('c-kms'), me);
    expect(e.authorize({ subject: { id: 'IBMid-friend', accountId: 'acc' }, action: 'kms.keys.read', resource: { attributes: { accountId: 'acc', serviceName: 'kms' } } }).allowed).toBe(true);
  });

  it('IBM: a custom role of a service without an Administrator role is refused (403) to an actor that does not hold its actions', async () => {
    const e = await ibmWorld([]);
    await e.commit([
      { op: 'put', entity: 'service', value: { name: 'cos', type: 'service', roles: { [IBM_ROLES.viewer]: ['cos.buckets.list'] } } },
      { op: 'put', entity: 'role', value: { id: 'c-cos', kind: 'custom', accountId: 'acc', name: 'Bucket reader', serviceName: 'cos', actions: ['cos.buckets.read'] } },
    ]);
    const before = snapshot(e);
    const input = { ...forFriend('c-cos'), resources: [{ attributes: [{ name: 'accountId', value: 'acc' }, { name: 'serviceName', value: 'cos' }] }] };
    expect(await refusal(apply(e, pol.createPolicy, input, me))).toEqual(IBM_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
  });
});

describe('a service the catalog does not list has no policy administrator', () => {
  it('IBM: adding a member to a group whose policy grants a custom role of such a service is refused (403) to an actor that does not hold it', async () => {
    const e = await ibmWorld([]);
    const foo = { attributes: [attr('accountId', 'acc'), attr('serviceName', 'foo')] };
    // parseSource admits a custom role of a service outside the catalog (the policy operations do not)
    await e.commit([
      { op: 'put', entity: 'role', value: { id: 'c-foo', kind: 'custom', accountId: 'acc', name: 'Foo reader', serviceName: 'foo', actions: ['foo.read'] } },
      { op: 'put', entity: 'group', value: { id: 'g', accountId: 'acc', name: 'g', members: [], rules: [] } },
      { op: 'put', entity: 'policy', value: { id: 'p-g-foo', accountId: 'acc', subject: { kind: 'group', id: 'g' }, roles: ['c-foo'], resource: foo } },
      { op: 'put', entity: 'policy', value: { id: 'p-me-groups', accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-me' }, roles: [IBM_ROLES.editor], resource: { attributes: [attr('accountId', 'acc'), attr('serviceName', 'iam-groups')] } } },
    ]);
    const before = snapshot(e);
    const join = { account_id: 'acc', access_group_id: 'g', members: [{ iam_id: 'IBMid-friend', type: 'user' }] };
    expect(await refusal(apply(e, ag.addMembersToAccessGroup, join, me))).toEqual({ code: IBM_GROUP_CODES.forbidden.code, status: 403 });
    expect(snapshot(e)).toEqual(before);
  });
});

describe('the IBM policy administrator is IBM’s alone', () => {
  it('Cloudflare: holding every action of a service’s Administrator role does not let one give other roles of that service', async () => {
    const e = engine();
    const A = 'cf-acc';
    await apply(e, bootstrapAccount, { system: 'cloudflare', accountId: A, admin: { id: 'cf-admin' } }, SYSTEM);
    const rgAll = e.source.resourceGroups.find((g) => g.accountId === A && g.name === 'account')!.id;
    const policy = (id: string, subject: { kind: 'principal' | 'group'; id: string }, role: string) => ({
      op: 'put' as const,
      entity: 'policy' as const,
      value: { id, accountId: A, subject, roles: [role], resource: { attributes: [], resourceGroups: [rgAll] } },
    });
    // parseSource admits custom roles of a service in a Cloudflare account, and a catalog service with an Administrator
    // role: `cf-iam` holds every kms Administrator action besides IAM Edit; the group `g` grants kms.keys.purge
    await e.commit([
      ...['cf-iam', 'cf-friend'].map((id) => ({ op: 'put' as const, entity: 'principal' as const, value: { id, accountId: A, kind: 'user', email: `${id}@example.com`, status: 'active' } })),
      { op: 'put', entity: 'role', value: { id: IBM_ROLES.administrator, kind: 'platform', name: 'Administrator', actions: [] } },
      { op: 'put', entity: 'service', value: { name: 'kms', type: 'service', roles: { [IBM_ROLES.administrator]: ['kms.keys.read', 'kms.keys.write'] } } },
      { op: 'put', entity: 'role', value: { id: 'c-kms-admin', kind: 'custom', accountId: A, name: 'kms admin actions', serviceName: 'kms', actions: ['kms.keys.read', 'kms.keys.write'] } },
      { op: 'put', entity: 'role', value: { id: 'c-kms-purge', kind: 'custom', accountId: A, name: 'kms purge', serviceName: 'kms', actions: ['kms.keys.purge'] } },
      { op: 'put', entity: 'group', value: { id: 'g', accountId: A, name: 'purgers', members: [], rules: [] } },
      policy('p-iam', { kind: 'principal', id: 'cf-iam' }, CLOUDFLARE_ROLES.iamEdit),
      policy('p-iam-kms', { kind: 'principal', id: 'cf-iam' }, 'c-kms-admin'),
      policy('p-g', { kind: 'group', id: 'g' }, 'c-kms-purge'),
    ]);
    const before = snapshot(e);
    const join = { account_id: A, user_group_id: 'g', members: [{ id: 'cf-friend' }] };
    expect(await refusal(apply(e, cf.addUserGroupMembers, join, who('cf-iam', A)))).toEqual({ code: CLOUDFLARE_CODES.forbidden.code, status: 403 });
    expect(snapshot(e)).toEqual(before);
  });
});
