// Issue 12, red team (fifth round): attacks on the four changes of round 4's fixes (the latent view's readings, the
// lock-out rule asked where a right is held, not-active principals read as once active, grants widened in time). Each
// "hole: …" or "false refusal: …" test failed on the code it was found on and passes since the fix named beside it;
// "refused: …" tests are attacks that failed but were not covered before, kept as regression tests.
import { describe, expect, it } from 'vitest';
import {
  bluexpOperations as bx,
  BLUEXP_ROLES,
  bootstrapAccount,
  cloudflareOperations as cf,
  CLOUDFLARE_ROLES,
  IBM_ROLES,
  ibmPolicyOperations as pol,
} from '@portcullis/engine';
import type { Engine, RequestResource } from '@portcullis/engine';
import { engine, refusal, snapshot, SYSTEM, who } from './helpers/access.js';
import { BX_FORBIDDEN, bluexpOrg, CF_FORBIDDEN, IN_AN_HOUR, TWO_HOURS_LATER } from './helpers/bluexp-world.js';
import { apply, attr, IBM_FORBIDDEN, ibmWorld } from './helpers/ibm-world.js';


/**
 * BlueXP organization `bx` with folder F: `temp` administers F for one more hour; `colleague` (active) and `invitee`
 * (invited: pending) administer F for ever, and folder G. Returns the ids of the two for-ever bindings.
 */
async function expiringFolderAdmin() {
  const { e, admin, run } = await bluexpOrg();
  const F = (await run(bx.createFolder, { name: 'f' })).id;
  await e.commit(
    (['temp', 'colleague', 'invitee'] as const).map((id) => ({ op: 'put' as const, entity: 'principal' as const, value: { id, accountId: 'bx', kind: 'user', email: `${id}@corp.com`, status: id === 'invitee' ? 'pending' : 'active' } })),
  );
  const bind = (id: string, expiresAt?: string) => run(bx.createRoleBinding, { subject: { kind: 'principal', id }, roleId: BLUEXP_ROLES.folderOrProjectAdmin, nodeId: F, expiresAt });
  await bind('temp', IN_AN_HOUR);
  const colleague = (await bind('colleague')).id;
  const invitee = (await bind('invitee')).id;
  // (a user keeps one binding at least: both also administer folder G, which no test touches)
  const G = (await run(bx.createFolder, { name: 'g' })).id;
  for (const id of ['colleague', 'invitee']) await run(bx.createRoleBinding, { subject: { kind: 'principal', id }, roleId: BLUEXP_ROLES.folderOrProjectAdmin, nodeId: G });
  const atF: RequestResource = { attributes: { accountId: 'bx' }, folders: [F] };
  /** True when `id`, once active, administers F at epoch ms `at`. */
  const administersF = (id: string, at: number) => e.authorize({ subject: { id, accountId: 'bx' }, action: 'rolebinding:create', resource: atF, environment: { now: at } }).allowed;
  return { e, F, colleague, invitee, temp: who('temp', 'bx'), administersF };
}

// The lock-out rule asks a superior at every later instant what the actor may give can turn (DELEGATION.md rule 4: an
// actor that administers kms until February does not take kms from a colleague who holds it for ever), but the two
// checks added in round 4 — an allow lost by a claim rule, an allow lost by a principal that is not active — asked the
// actor only now (escalation.ts `mayGive`). So a folder admin whose binding ends in an hour took a for-ever folder admin
// binding from an invited colleague, though it could not from an active one.
describe('the actor whose right to give ends soon', () => {
  it('refused: a folder admin for one more hour deletes an active colleague’s for-ever binding at the same folder', async () => {
    const w = await expiringFolderAdmin();
    const before = snapshot(w.e);
    expect(await refusal(apply(w.e, bx.deleteRoleBinding, { account_id: 'bx', binding_id: w.colleague }, w.temp))).toEqual(BX_FORBIDDEN);
    expect(snapshot(w.e)).toEqual(before);
    expect(w.administersF('colleague', TWO_HOURS_LATER)).toBe(true);
  });

  it('hole: the same folder admin deletes an invited (pending) colleague’s for-ever binding', async () => {
    const w = await expiringFolderAdmin();
    const before = snapshot(w.e);
    expect(await refusal(apply(w.e, bx.deleteRoleBinding, { account_id: 'bx', binding_id: w.invitee }, w.temp))).toEqual(BX_FORBIDDEN);
    expect(snapshot(w.e)).toEqual(before);
  });
});

/**
 * IBM account `acc` (ibmWorld): kms has a service role, Manager, besides Administrator; `IBMid-me`, the kms
 * Administrator (and a writer of policies), does not hold Manager itself.
 */
const MANAGER = 'crn:v1:bluemix:public:iam::::serviceRole:Manager';
async function serviceRoleWorld() {
  const e = await ibmWorld([]);
  await e.commit([
    { op: 'put', entity: 'role', value: { id: MANAGER, kind: 'service', name: 'Manager', actions: [] } },
    {
      op: 'put',
      entity: 'service',
      value: { name: 'kms', type: 'service', roles: { [IBM_ROLES.administrator]: ['kms.keys.read', 'kms.keys.write'], [MANAGER]: ['kms.secrets.manage'] } },
    },
  ]);
  return e;
}
const managerOf = (id: string) => ({
  type: 'access',
  subjects: [{ attributes: [{ name: 'iam_id', value: id }] }],
  roles: [{ role_id: MANAGER }],
  resources: [{ attributes: [{ name: 'accountId', value: 'acc' }, { name: 'serviceName', value: 'kms' }] }],
});
const secrets: RequestResource = { attributes: { accountId: 'acc', serviceName: 'kms' } };
const manages = (e: Engine, id: string) => e.authorize({ subject: { id, accountId: 'acc' }, action: 'kms.secrets.manage', resource: secrets }).allowed;

// The lock-out rule asked the actor about each right a principal holds with no service (escalation.ts `superior`), so
// the IBM policy-administrator rule, which needs the service, never applied to a loss: a kms Administrator could
// assign a Manager policy it does not hold, but not delete it again (it.fails until then). FIXED (escalation.ts
// `mayTake`): an action that a role of the service the request names grants is asked with that service; a pattern
// (`kms.*`, kept from it on purpose by mutation-pins-delegation) or an action no role of that service names (a
// service-less role on a user scope, mutation-pins-targets) is asked with no service, as before.
describe('an IBM service Administrator and the service roles it does not hold', () => {
  it('false refusal: a kms Administrator removes a Manager policy it assigned (it may assign it: seed 004’s policy administrator)', async () => {
    const e = await serviceRoleWorld();
    const admin = who('IBMid-me', 'acc');
    expect(manages(e, 'IBMid-me')).toBe(false);
    const id = ((await apply(e, pol.createPolicy, managerOf('IBMid-friend'), admin)) as { id: string }).id;
    expect(manages(e, 'IBMid-friend')).toBe(true);
    await apply(e, pol.deletePolicy, { policy_id: id }, admin);
    expect(manages(e, 'IBMid-friend')).toBe(false);
  });
});

describe('refused: what the fixes must not let through', () => {
  it('refused: a kms Administrator of one region deletes a Manager policy on every region (a fix above must still ask it where it holds)', async () => {
    const e = await serviceRoleWorld();
    const meKms = e.source.policies.find((p) => p.id === 'p-me-kms')!;
    await e.commit([{ op: 'put', entity: 'policy', value: { ...meKms, resource: { attributes: [...meKms.resource.attributes, attr('region', 'us-south')] } } as never }]);
    await e.commit([{ op: 'put', entity: 'policy', value: { id: 'p-friend-manager', accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-friend' }, roles: [MANAGER], resource: { attributes: [attr('accountId', 'acc'), attr('serviceName', 'kms')] } } }]);
    const before = snapshot(e);
    expect(await refusal(apply(e, pol.deletePolicy, { policy_id: 'p-friend-manager' }, who('IBMid-me', 'acc')))).toEqual(IBM_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    expect(manages(e, 'IBMid-friend')).toBe(true);
  });

  it('refused: a BlueXP user manager takes an invited (pending) organization admin out of the group that gives it the role', async () => {
    const e = engine();
    await apply(e, bootstrapAccount, { system: 'bluexp', accountId: 'bx', admin: { id: 'admin', email: 'admin@corp.com' } }, SYSTEM);
    const admin = who('admin', 'bx');
    await e.commit([
      { op: 'put', entity: 'role', value: { id: 'bx-users', kind: 'bluexp', accountId: 'bx', name: 'Users', actions: ['user:*', 'usergroup:*'] } },
      { op: 'put', entity: 'principal', value: { id: 'invitee', accountId: 'bx', kind: 'user', email: 'invitee@corp.com', status: 'pending' } },
    ]);
    await apply(e, bx.createUser, { account_id: 'bx', id: 'ua', email: 'ua@corp.com', roleId: 'bx-users' }, admin);
    await apply(e, bx.createUserGroup, { account_id: 'bx', id: 'admins', name: 'admins', members: ['invitee'] }, admin);
    await apply(e, bx.createRoleBinding, { account_id: 'bx', subject: { kind: 'group', id: 'admins' }, roleId: BLUEXP_ROLES.organizationAdmin }, admin);
    const before = snapshot(e);
    expect(await refusal(apply(e, bx.removeUserGroupMember, { account_id: 'bx', group_id: 'admins', member_id: 'invitee' }, who('ua', 'bx')))).toEqual(BX_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
  });
});

describe('the Cloudflare IAM editor and pending members', () => {
  /** Account `cf`: `cf-iam` holds IAM Edit on the whole account; `cf-peer` (pending) the same, and `cf-admin2` (pending) is Administrator, each through a user group. */
  async function pendingMembers() {
    const e = engine();
    await apply(e, bootstrapAccount, { system: 'cloudflare', accountId: 'cf', admin: { id: 'cf-admin', email: 'admin@corp.com' } }, SYSTEM);
    const rgAll = e.source.resourceGroups.find((g) => g.accountId === 'cf' && g.name === 'account')!.id;
    const policy = (id: string, subject: { kind: string; id: string }, role: string) => ({ op: 'put' as const, entity: 'policy' as const, value: { id, accountId: 'cf', subject, roles: [role], resource: { attributes: [], resourceGroups: [rgAll] } } as never });
    await e.commit([
      ...(['cf-iam', 'cf-peer', 'cf-admin2'] as const).map((id) => ({ op: 'put' as const, entity: 'principal' as const, value: { id, accountId: 'cf', kind: 'user', email: `${id}@corp.com`, status: id === 'cf-iam' ? 'active' : 'pending' } as never })),
      policy('p-iam', { kind: 'principal', id: 'cf-iam' }, CLOUDFLARE_ROLES.iamEdit),
      { op: 'put', entity: 'group', value: { id: 'g-iam', accountId: 'cf', name: 'iam', members: ['cf-peer'] } as never },
      { op: 'put', entity: 'group', value: { id: 'g-admin', accountId: 'cf', name: 'admins', members: ['cf-admin2'] } as never },
      policy('p-g-iam', { kind: 'group', id: 'g-iam' }, CLOUDFLARE_ROLES.iamEdit),
      policy('p-g-admin', { kind: 'group', id: 'g-admin' }, CLOUDFLARE_ROLES.administrator),
    ]);
    return { e, iam: who('cf-iam', 'cf') };
  }

  it('an IAM editor removes a pending member who holds nothing beyond IAM Edit, from its group or from the account', async () => {
    const { e, iam } = await pendingMembers();
    await apply(e, cf.removeUserGroupMember, { account_id: 'cf', user_group_id: 'g-iam', member_id: 'cf-peer' }, iam);
    await apply(e, cf.removeAccountMember, { account_id: 'cf', member_id: 'cf-peer' }, iam);
    expect(e.source.principals.some((p) => p.id === 'cf-peer')).toBe(false);
  });

  it('refused: an IAM editor removes a pending Administrator from the user group that makes it Administrator', async () => {
    const { e, iam } = await pendingMembers();
    const before = snapshot(e);
    expect(await refusal(apply(e, cf.removeUserGroupMember, { account_id: 'cf', user_group_id: 'g-admin', member_id: 'cf-admin2' }, iam))).toEqual(CF_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
  });

  /** The IAM editor's deny of IAM Edit on the whole account, in a user group of its own; `member` is put in it. */
  const denyIamEdit = async (e: Engine, iam: ReturnType<typeof who>, member: string) => {
    const rgAll = e.source.resourceGroups.find((g) => g.accountId === 'cf' && g.name === 'account')!.id;
    const deny = { access: 'deny', permission_groups: [{ id: CLOUDFLARE_ROLES.iamEdit }], resource_groups: [{ id: rgAll }] };
    const g = ((await apply(e, cf.createUserGroup, { account_id: 'cf', name: 'muted', policies: [deny] }, iam)) as { result: { id: string } }).result.id;
    return apply(e, cf.addUserGroupMembers, { account_id: 'cf', user_group_id: g, members: [{ id: member }] }, iam);
  };
  const iamEdits = (e: Engine, id: string) => e.authorize({ subject: { id, accountId: 'cf' }, action: 'iam:edit', resource: { attributes: { accountId: 'cf' } } }).allowed;

  // The lock-out rule for a principal that is not active (round 4) read an allow it loses in the latent diff, not a
  // deny added on it: the Administrator invited, an IAM editor muted it before it accepted. FIXED (escalation.ts, after
  // the latent loss loop): a deny added hitting a principal that is not active needs every allow it would hold once
  // active to be one the actor may give.
  it('hole: an IAM editor denies IAM Edit to a pending Administrator (as to an active one it is refused); accepted, the Administrator cannot edit IAM', async () => {
    const { e, iam } = await pendingMembers();
    const before = snapshot(e);
    expect(await refusal(denyIamEdit(e, iam, 'cf-admin2'))).toEqual(CF_FORBIDDEN);
    await e.commit([{ op: 'put', entity: 'principal', value: { ...e.source.principals.find((p) => p.id === 'cf-admin2')!, status: 'active' } }]);
    expect(iamEdits(e, 'cf-admin2')).toBe(true);
  });

  it('the IAM editor may still deny IAM Edit to a pending member who would hold only IAM Edit', async () => {
    const { e, iam } = await pendingMembers();
    await denyIamEdit(e, iam, 'cf-peer');
    await e.commit([{ op: 'put', entity: 'principal', value: { ...e.source.principals.find((p) => p.id === 'cf-peer')!, status: 'active' } }]);
    expect(iamEdits(e, 'cf-peer')).toBe(false);
  });
});
