// Issue 12, red team: ways a subject got more through the management operations than it could delegate, each found by
// attacking `engine.apply` as a client would, kept as a permanent test. Each is refused now with the seed's 403 and the
// refusal changes nothing; where the same change is legitimate for someone who may delegate it, the test shows that too.
import { describe, expect, it } from 'vitest';
import { bluexpOperations as bx, BLUEXP_CODES, BLUEXP_ROLES, bootstrapAccount, IBM_ROLES, ibmPolicyOperations as pol } from '@portcullis/engine';
import type { RequestResource } from '@portcullis/engine';
import { engine, refusal, snapshot, SYSTEM, who } from './helpers/access.js';
import { apply, attr, IBM_FORBIDDEN, ibmWorld, key, kmsFor, may } from './helpers/ibm-world.js';

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

  // the witness property's counterexample against random probes (test/access-control-witness-property.test.ts): a
  // value no random draw hits, here the key `a`, hid a deny the actor is under
  it('IBM: an administrator of every key but `a` (a deny) cannot give every key, and may give the keys starting with `b`', async () => {
    const e = await ibmWorld([]);
    await e.commit([
      { op: 'put', entity: 'policy', value: { id: 'p-deny-a', accountId: 'acc', effect: 'deny', subject: { kind: 'principal', id: 'IBMid-me' }, roles: [IBM_ROLES.administrator], resource: { attributes: [attr('accountId', 'acc'), attr('serviceName', 'kms'), attr('resource', ['a'], 'stringMatchAnyOf')] } } as never },
    ]);
    const me = who('IBMid-me', 'acc');
    const before = snapshot(e);
    const keysFor = (value: string) => kmsFor('IBMid-friend', [{ name: 'resource', operator: 'stringMatch', value }]);
    for (const value of ['*', '?', 'a*', '*a']) expect(await refusal(apply(e, pol.createPolicy, keysFor(value), me))).toEqual(IBM_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    await apply(e, pol.createPolicy, keysFor('b*'), me);
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', key('ba'))).toBe(true);
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', key('a'))).toBe(false);
  });

  it('IBM: a policy that leaves an attribute open covers its absence too: an administrator of the keys in some region cannot give the keys in none', async () => {
    const e = await ibmWorld([attr('region', true, 'stringExists')]);
    // someone else's grant pins the region absent: the review once asked such an attribute for present values only
    await e.commit([
      { op: 'put', entity: 'policy', value: { id: 'p-admin-noregion', accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-admin' }, roles: [IBM_ROLES.administrator], resource: { attributes: [attr('accountId', 'acc'), attr('serviceName', 'kms'), attr('region', false, 'stringExists')] } } as never },
    ]);
    const me = who('IBMid-me', 'acc');
    const before = snapshot(e);
    expect(await refusal(apply(e, pol.createPolicy, kmsFor('IBMid-friend', []), me))).toEqual(IBM_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    // the keys of every region it gives: a region is present there
    await apply(e, pol.createPolicy, kmsFor('IBMid-friend', [{ name: 'region', operator: 'stringExists', value: true }]), me);
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', { attributes: { accountId: 'acc', serviceName: 'kms', region: 'eu-de' } })).toBe(true);
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', key('k1'))).toBe(false);
  });

  it('IBM: a policy covers resources with more tags than it asks for: an administrator denied on `env:p?…` keys cannot give keys it does not name', async () => {
    const e = await ibmWorld([]);
    await e.commit([
      {
        op: 'put',
        entity: 'policy',
        value: {
          id: 'p-deny-prod',
          accountId: 'acc',
          effect: 'deny',
          subject: { kind: 'principal', id: 'IBMid-me' },
          roles: [IBM_ROLES.administrator],
          resource: { attributes: [attr('accountId', 'acc'), attr('serviceName', 'kms'), attr('resource', 'k1')], tags: [{ name: 'env', value: 'p{{?}}*', operator: 'stringMatch' }] },
        } as never,
      },
    ]);
    const me = who('IBMid-me', 'acc');
    const before = snapshot(e);
    const tagged = (tags: { name: string; value: string; operator: string }[], extra: { name: string; value: unknown }[] = []) => ({
      ...kmsFor('IBMid-friend', extra),
      resources: [{ ...kmsFor('IBMid-friend', extra).resources[0]!, tags }],
    });
    // every key, or the keys tagged `env:dev` (which may be tagged `env:prod` too), reach k1 in prod
    expect(await refusal(apply(e, pol.createPolicy, kmsFor('IBMid-friend', []), me))).toEqual(IBM_FORBIDDEN);
    expect(await refusal(apply(e, pol.createPolicy, tagged([{ name: 'env', value: 'dev', operator: 'stringEquals' }]), me))).toEqual(IBM_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    // key k2, tagged or not, it gives
    await apply(e, pol.createPolicy, tagged([{ name: 'env', value: 'dev', operator: 'stringEquals' }], [{ name: 'resource', value: 'k2' }]), me);
    await apply(e, pol.createPolicy, kmsFor('IBMid-friend', [{ name: 'resource', value: 'k2' }]), me);
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', { attributes: { accountId: 'acc', serviceName: 'kms', resource: 'k2' }, tags: ['env:prod'] })).toBe(true);
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', { attributes: { accountId: 'acc', serviceName: 'kms', resource: 'k1' }, tags: ['env:prod'] })).toBe(false);
  });

  it('IBM: an administrator of every key may give every key', async () => {
    const e = await ibmWorld([attr('resource', '*', 'stringMatch')]);
    await apply(e, pol.createPolicy, kmsFor('IBMid-friend', [{ name: 'resource', operator: 'stringMatch', value: '*' }]), who('IBMid-me', 'acc'));
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', key('k1'))).toBe(true);
  });
});

/**
 * BlueXP `bx-a`: `fa` administers folder F1 (project P1, served by agent `ag`, holding resource R); `friend` holds a
 * storage role at folder F2 (project P2, which `ag` does not serve, and P2b, which it does); a thousand other users hold roles elsewhere, so the
 * review, which models only the bindings that can reach what moves, has something to leave out.
 */
async function bluexpWorld() {
  const e = engine();
  await apply(e, bootstrapAccount, { system: 'bluexp', accountId: 'bx-a', admin: { id: 'admin' } }, SYSTEM);
  const admin = who('admin', 'bx-a');
  const run = async (op: unknown, input: Record<string, unknown>) => (await apply(e, op, { account_id: 'bx-a', ...input }, admin)) as { id: string };
  const F1 = (await run(bx.createFolder, { name: 'f1' })).id;
  const F2 = (await run(bx.createFolder, { name: 'f2' })).id;
  const F3 = (await run(bx.createFolder, { name: 'f3' })).id;
  const P1 = (await run(bx.createProject, { name: 'p1', parentId: F1 })).id;
  const P2 = (await run(bx.createProject, { name: 'p2', parentId: F2 })).id;
  const P2b = (await run(bx.createProject, { name: 'p2b', parentId: F2 })).id;
  await e.commit([
    { op: 'put', entity: 'role', value: { id: 'bx-storage', kind: 'bluexp', accountId: 'bx-a', name: 'Storage', actions: ['volume:create', 'volume:delete'] } },
    ...Array.from({ length: 1000 }, (_, i) => ({ op: 'put' as const, entity: 'principal' as const, value: { id: `u${i}`, accountId: 'bx-a', kind: 'user', email: `u${i}@example.com`, status: 'active' } })),
    ...Array.from({ length: 1000 }, (_, i) => ({ op: 'put' as const, entity: 'binding' as const, value: { id: `b${i}`, accountId: 'bx-a', subject: { kind: 'principal', id: `u${i}` }, roleId: 'bx-storage', nodeId: F3 } })),
  ]);
  await run(bx.createUser, { id: 'fa', email: 'fa@example.com', roleId: BLUEXP_ROLES.folderOrProjectAdmin, nodeId: F1 });
  await run(bx.createUser, { id: 'friend', email: 'friend@example.com', roleId: 'bx-storage', nodeId: F2 });
  // `ag` also serves P2b, under F2 too: below friend's folder, but not where R is
  await run(bx.createAgent, { id: 'ag', name: 'connector', projects: [P1, P2b] });
  const R = ((await apply(e, bx.createResource, { account_id: 'bx-a', 'x-agent-id': 'ag', cloud_id: 'vm-1', resourceType: 'volume', projects: [P1] }, who('ag', 'bx-a'))) as { resourceId: string }).resourceId;
  // the organization admin also places R in P2: friend's role there does not reach it while `ag`, which does not serve P2, holds it
  await run(bx.associateResource, { resource_id: R, projects: [P2] });
  return { e, admin, fa: who('fa', 'bx-a'), F1, F2, F3, P1, P2, R };
}
const BX_FORBIDDEN = { code: BLUEXP_CODES.forbidden.code, status: 403 };

describe('the review of what a BlueXP node or resource move reaches', () => {
  it('taking a resource from its agent lets the role holders of every project it is in reach it: refused when the actor cannot give their roles', async () => {
    const w = await bluexpWorld();
    const onR: RequestResource = { id: w.R } as RequestResource;
    expect(may(w.e, 'friend', 'bx-a', 'volume:delete', onR)).toBe(false);
    const before = snapshot(w.e);
    expect(await refusal(apply(w.e, bx.removeResourceFromAgent, { account_id: 'bx-a', resource_id: w.R }, w.fa))).toEqual(BX_FORBIDDEN);
    expect(snapshot(w.e)).toEqual(before);
    expect(may(w.e, 'friend', 'bx-a', 'volume:delete', onR)).toBe(false);
    // the organization admin gives every role anywhere
    await apply(w.e, bx.removeResourceFromAgent, { account_id: 'bx-a', resource_id: w.R }, w.admin);
    expect(may(w.e, 'friend', 'bx-a', 'volume:delete', onR)).toBe(true);
  });

  it('moving a project under a folder with role holders is judged on the bindings above it, however many others the organization has', async () => {
    const w = await bluexpWorld();
    await apply(w.e, bx.createRoleBinding, { account_id: 'bx-a', subject: { kind: 'principal', id: 'fa' }, roleId: BLUEXP_ROLES.folderOrProjectAdmin, nodeId: w.F3 }, w.admin);
    const atP1: RequestResource = { attributes: { accountId: 'bx-a' }, projects: [w.P1] };
    const before = snapshot(w.e);
    // the thousand storage holders at F3 would reach P1: fa administers both folders but holds no storage role
    expect(await refusal(apply(w.e, bx.moveNode, { account_id: 'bx-a', node_id: w.P1, parentId: w.F3 }, w.fa))).toEqual(BX_FORBIDDEN);
    expect(snapshot(w.e)).toEqual(before);
    expect(may(w.e, 'u7', 'bx-a', 'volume:create', atP1)).toBe(false);
    // a new folder inside F1 reaches nobody new
    await apply(w.e, bx.createFolder, { account_id: 'bx-a', name: 'f1b', parentId: w.F1 }, w.fa);
    await apply(w.e, bx.moveNode, { account_id: 'bx-a', node_id: w.P1, parentId: w.F3 }, w.admin);
    expect(may(w.e, 'u7', 'bx-a', 'volume:create', atP1)).toBe(true);
  });
});

describe('errors do not tell one account what another holds', () => {
  it('IBM: reading a policy of another account is answered as reading an id that does not exist', async () => {
    const e = engine();
    for (const [accountId, admin] of [['acc-a', 'IBMid-admin-a'], ['acc-b', 'IBMid-admin-b']] as const) await apply(e, bootstrapAccount, { system: 'ibm', accountId, admin: { id: admin } }, SYSTEM);
    const body = {
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: 'IBMid-admin-b' }] }],
      roles: [{ role_id: IBM_ROLES.viewer }],
      resources: [{ attributes: [{ name: 'accountId', value: 'acc-b' }, { name: 'serviceName', value: 'iam-groups' }] }],
    };
    const theirs = ((await apply(e, pol.createPolicy, body, who('IBMid-admin-b', 'acc-b'))) as { id: string }).id;
    const intruder = who('IBMid-admin-a', 'acc-a');
    for (const get of [pol.getPolicy, pol.getV2Policy]) {
      const free = await refusal(apply(e, get, { policy_id: `${theirs.slice(0, -4)}ffff` }, intruder));
      expect(free.status).toBe(404);
      expect(await refusal(apply(e, get, { policy_id: theirs }, intruder))).toEqual(free);
    }
    // its own administrator reads it
    expect(((await apply(e, pol.getPolicy, { policy_id: theirs }, who('IBMid-admin-b', 'acc-b'))) as { id: string }).id).toBe(theirs);
  });

  it('IBM: writing or deleting a policy of another account is answered as for an id that does not exist', async () => {
    const e = engine();
    for (const [accountId, admin] of [['acc-a', 'IBMid-admin-a'], ['acc-b', 'IBMid-admin-b']] as const) await apply(e, bootstrapAccount, { system: 'ibm', accountId, admin: { id: admin } }, SYSTEM);
    const body = (account: string) => ({
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: 'IBMid-admin-b' }] }],
      roles: [{ role_id: IBM_ROLES.viewer }],
      resources: [{ attributes: [{ name: 'accountId', value: account }, { name: 'serviceName', value: 'iam-groups' }] }],
    });
    const theirs = ((await apply(e, pol.createPolicy, body('acc-b'), who('IBMid-admin-b', 'acc-b'))) as { id: string }).id;
    const freeId = `${theirs.slice(0, -4)}ffff`;
    const intruder = who('IBMid-admin-a', 'acc-a');
    const before = snapshot(e);
    for (const [op, input] of [
      [pol.deletePolicy, (id: string) => ({ policy_id: id })],
      [pol.deleteV2Policy, (id: string) => ({ policy_id: id })],
      [pol.updatePolicy, (id: string) => ({ policy_id: id, if_match: '*', ...body('acc-a') })],
      [pol.patchPolicy, (id: string) => ({ policy_id: id, if_match: '*', state: 'deleted' })],
    ] as const) {
      const free = await refusal(apply(e, op as never, input(freeId) as never, intruder));
      expect(free.status).toBe(404);
      expect(await refusal(apply(e, op as never, input(theirs) as never, intruder))).toEqual(free);
    }
    expect(snapshot(e)).toEqual(before);
    // its own administrator deletes it
    await apply(e, pol.deletePolicy, { policy_id: theirs }, who('IBMid-admin-b', 'acc-b'));
  });
});
