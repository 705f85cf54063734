// Issue 12, holes 1-5: each way the management layer let a caller escalate, as a permanent test. Each one was accepted
// before the effect review (access-escalation.ts) and the fixes beside it; each is refused now, with the seed's 403
// (or the seed's conflict), and the refusal changes nothing. Where the same change is legitimate for someone who may
// delegate it, the test shows that too, so the refusal is about delegation and not about the operation.
import { describe, expect, it } from 'vitest';
import {
  bluexpOperations as bx,
  BLUEXP_CODES,
  BLUEXP_ROLES,
  bootstrapAccount,
  cloudflareOperations as cf,
  CLOUDFLARE_CODES,
  CLOUDFLARE_ROLES,
  IBM_GROUP_CODES,
  IBM_POLICY_CODES,
  IBM_ROLES,
  ibmAccessGroupOperations as ag,
  ibmPolicyOperations as pol,
} from '@portcullis/engine';
import type { Actor, Engine, RequestResource } from '@portcullis/engine';
import { engine, refusal, snapshot, SYSTEM, who } from './helpers/access.js';

type Op = (state: never, input: never, ctx: never) => { result: unknown };
const apply = (e: Engine, op: unknown, input: unknown, actor: Actor) => e.apply(op as Op, input as never, { actor }) as Promise<{ id?: string; result?: { id: string } }>;
const may = (e: Engine, id: string, accountId: string, action: string, resource: RequestResource) => e.authorize({ subject: { id, accountId }, action, resource }).allowed;

describe('hole 1: login asserts identity, so only the host runs it', () => {
  async function world() {
    const e = engine();
    await apply(e, bootstrapAccount, { system: 'ibm', accountId: 'acc', admin: { id: 'IBMid-admin' } }, SYSTEM);
    await e.commit([{ op: 'put', entity: 'principal', value: { id: 'IBMid-me', accountId: 'acc', kind: 'user', status: 'active' } }]);
    const admin = who('IBMid-admin', 'acc');
    const g = (await apply(e, ag.createAccessGroup, { account_id: 'acc', name: 'Admins' }, admin)) as { id: string };
    await apply(e, ag.addAccessGroupRule, { account_id: 'acc', access_group_id: g.id, name: 'r', expiration: 12, realm_name: 'idp', conditions: [{ claim: 'role', operator: 'EQUALS', value: '"admin"' }] }, admin);
    const body = {
      type: 'access',
      subjects: [{ attributes: [{ name: 'access_group_id', value: g.id }] }],
      roles: [{ role_id: IBM_ROLES.administrator }],
      resources: [{ attributes: [{ name: 'accountId', value: 'acc' }, { name: 'serviceName', value: 'iam-access-management' }] }],
    };
    await apply(e, pol.createPolicy, body, admin);
    return e;
  }
  const input = { account_id: 'acc', iam_id: 'IBMid-me', realm_name: 'idp', claims: { role: 'admin' } };
  const create: RequestResource = { attributes: { accountId: 'acc', serviceName: 'iam-access-management' } };

  it('a signed-in user logging itself in with claims of its own making is refused, and gains nothing', async () => {
    const e = await world();
    const before = snapshot(e);
    expect(await refusal(apply(e, ag.login, input, who('IBMid-me', 'acc')))).toEqual({ code: IBM_GROUP_CODES.forbidden.code, status: 403 });
    expect(snapshot(e)).toEqual(before);
    expect(may(e, 'IBMid-me', 'acc', 'iam.policy.create', create)).toBe(false);
  });

  it('an administrator cannot log someone in either; the host passes the claims its identity provider vouched for', async () => {
    const e = await world();
    expect(await refusal(apply(e, ag.login, input, who('IBMid-admin', 'acc')))).toEqual({ code: IBM_GROUP_CODES.forbidden.code, status: 403 });
    await apply(e, ag.login, input, SYSTEM);
    expect(may(e, 'IBMid-me', 'acc', 'iam.policy.create', create)).toBe(true);
  });
});

describe('hole 2: a BlueXP listing checks and lists the same organization', () => {
  it('a user of one organization cannot list another organization’s resources', async () => {
    const e = engine();
    await apply(e, bootstrapAccount, { system: 'bluexp', accountId: 'bx-a', admin: { id: 'admin-a' } }, SYSTEM);
    await apply(e, bootstrapAccount, { system: 'bluexp', accountId: 'bx-b', admin: { id: 'admin-b' } }, SYSTEM);
    // only a Connector creates resources (seed 001): the host registers this one as the row a discovery would write
    await e.commit([{ op: 'put', entity: 'resource', value: { id: 'res-a', accountId: 'bx-a', attributes: { resourceType: 'volume' }, tags: [], projects: [], folders: [], zones: [] } }]);
    const r = { resourceId: 'res-a' };
    const intruder = who('admin-b', 'bx-b');
    expect(await refusal(apply(e, bx.listResources, { account_id: 'bx-b', account: 'bx-a' }, intruder))).toEqual({ code: BLUEXP_CODES.forbidden.code, status: 403 });
    // (since red team 8, an organization the caller holds nothing in is answered as one that does not exist)
    expect(await refusal(apply(e, bx.listResources, { account: 'bx-a' }, intruder))).toMatchObject({ code: 'organization_not_found', status: 404 });
    const own = (await apply(e, bx.listResources, { account: 'bx-a' }, who('admin-a', 'bx-a'))) as unknown as { resourceId: string }[];
    expect(own.map((x) => x.resourceId)).toContain(r.resourceId);
  });
});

describe('hole 3: the effect of a change is reviewed, whatever it writes', () => {
  const A = 'cf-a';
  const FORBIDDEN = { code: CLOUDFLARE_CODES.forbidden.code, status: 403 };
  const zoneScope = (zone: string) => ({ key: `com.cloudflare.api.account.${A}`, objects: [{ key: `com.cloudflare.api.account.zone.${zone}` }] });
  const zone = (z: string): RequestResource => ({ attributes: { accountId: A }, zones: [z] });

  /** `cf-iam` holds IAM Edit on the account and DNS Edit on zone z1 through resource group `rgZ1`; `cf-pend` is a pending member of an Administrators group. */
  async function cloudflare() {
    const e = engine();
    await apply(e, bootstrapAccount, { system: 'cloudflare', accountId: A, admin: { id: 'cf-admin' } }, SYSTEM);
    const rgAll = e.source.resourceGroups.find((g) => g.accountId === A && g.name === 'account')!.id;
    const admin = who('cf-admin', A);
    const rg = async (z: string) => ((await apply(e, cf.createResourceGroup, { account_id: A, name: z, scope: zoneScope(z) }, admin)) as { result: { id: string } }).result.id;
    const rgZ1 = await rg('z1');
    const rgZ2 = await rg('z2');
    const rgZones = ((await apply(e, cf.createResourceGroup, { account_id: A, name: 'zones', scope: zoneScope('*') }, admin)) as { result: { id: string } }).result.id;
    const policy = (id: string, subject: string, role: string, rgId: string, effect: 'allow' | 'deny' = 'allow') => ({
      op: 'put' as const,
      entity: 'policy' as const,
      value: { id, accountId: A, effect, subject: { kind: 'principal', id: subject }, roles: [role], resource: { attributes: [], resourceGroups: [rgId] } },
    });
    await e.commit([
      ...['cf-iam', 'cf-friend', 'cf-reader'].map((id) => ({ op: 'put' as const, entity: 'principal' as const, value: { id, accountId: A, kind: 'user', email: `${id}@example.com`, status: 'active' } })),
      { op: 'put', entity: 'principal', value: { id: 'cf-pend', accountId: A, kind: 'user', email: 'cf-pend@example.com', status: 'pending' } },
      { op: 'put', entity: 'role', value: { id: 'pg-dns', kind: 'permission-group', scopeType: 'zone', accountId: A, name: 'DNS Edit', actions: ['dns:edit', 'dns:read'] } },
      policy('p-iam', 'cf-iam', CLOUDFLARE_ROLES.iamEdit, rgAll),
      policy('p-dns', 'cf-iam', 'pg-dns', rgZ1),
      policy('p-friend', 'cf-friend', 'pg-dns', rgZones),
      policy('p-friend-deny', 'cf-friend', 'pg-dns', rgZ2, 'deny'),
      policy('p-reader', 'cf-reader', CLOUDFLARE_ROLES.iamRead, rgAll),
    ]);
    const admins = (
      (await apply(
        e,
        cf.createUserGroup,
        { account_id: A, name: 'admins', policies: [{ access: 'allow', permission_groups: [{ id: CLOUDFLARE_ROLES.administrator }], resource_groups: [{ id: rgAll }] }] },
        admin,
      )) as { result: { id: string } }
    ).result.id;
    await apply(e, cf.addUserGroupMembers, { account_id: A, user_group_id: admins, members: [{ id: 'cf-pend' }] }, admin);
    const readers = (
      (await apply(e, cf.createUserGroup, { account_id: A, name: 'readers', policies: [{ access: 'allow', permission_groups: [{ id: CLOUDFLARE_ROLES.iamRead }], resource_groups: [{ id: rgAll }] }] }, admin)) as {
        result: { id: string };
      }
    ).result.id;
    return { e, admin, iam: who('cf-iam', A), rgAll, rgZ1, rgZ2, admins, readers };
  }

  it('Cloudflare: retargeting a resource group the caller’s own policy uses (z1 -> every zone) is refused', async () => {
    const w = await cloudflare();
    const before = snapshot(w.e);
    const input = { account_id: A, resource_group_id: w.rgZ1, scope: zoneScope('*') };
    expect(await refusal(apply(w.e, cf.updateResourceGroup, input, w.iam))).toEqual(FORBIDDEN);
    expect(snapshot(w.e)).toEqual(before);
    expect(may(w.e, 'cf-iam', A, 'dns:edit', zone('z9'))).toBe(false);
    // the Administrator holds every zone, so it may
    await apply(w.e, cf.updateResourceGroup, input, w.admin);
    expect(may(w.e, 'cf-iam', A, 'dns:edit', zone('z9'))).toBe(true);
  });

  it('Cloudflare: retargeting a resource group that sits behind a deny (the deny stops applying) is refused', async () => {
    const w = await cloudflare();
    expect(may(w.e, 'cf-friend', A, 'dns:edit', zone('z2'))).toBe(false);
    const before = snapshot(w.e);
    expect(await refusal(apply(w.e, cf.updateResourceGroup, { account_id: A, resource_group_id: w.rgZ2, scope: zoneScope('z3') }, w.iam))).toEqual(FORBIDDEN);
    expect(snapshot(w.e)).toEqual(before);
    expect(may(w.e, 'cf-friend', A, 'dns:edit', zone('z2'))).toBe(false);
  });

  it('Cloudflare: accepting a pending member, by update or by adding it to a user group as accepted, is refused when its groups grant more than the caller holds', async () => {
    const w = await cloudflare();
    const before = snapshot(w.e);
    expect(await refusal(apply(w.e, cf.updateAccountMember, { account_id: A, member_id: 'cf-pend', status: 'accepted' }, w.iam))).toEqual(FORBIDDEN);
    expect(await refusal(apply(w.e, cf.addUserGroupMembers, { account_id: A, user_group_id: w.readers, members: [{ id: 'cf-pend', status: 'accepted' }] }, w.iam))).toEqual(FORBIDDEN);
    expect(await refusal(apply(w.e, cf.updateUserGroupMembers, { account_id: A, user_group_id: w.readers, members: [{ id: 'cf-pend', status: 'accepted' }] }, w.iam))).toEqual(FORBIDDEN);
    expect(snapshot(w.e)).toEqual(before);
    expect(may(w.e, 'cf-pend', A, 'zone:edit', zone('z1'))).toBe(false);
    await apply(w.e, cf.updateAccountMember, { account_id: A, member_id: 'cf-pend', status: 'accepted' }, w.admin);
    expect(may(w.e, 'cf-pend', A, 'iam:edit', { attributes: { accountId: A } })).toBe(true);
  });

  /** BlueXP: `fa` administers folders F1 and F2; `friend` holds a storage role at F2; project P1 (under F1) holds resource R. */
  async function bluexp() {
    const e = engine();
    await apply(e, bootstrapAccount, { system: 'bluexp', accountId: 'bx-a', admin: { id: 'admin' } }, SYSTEM);
    const admin = who('admin', 'bx-a');
    const run = async (op: unknown, input: Record<string, unknown>) => (await apply(e, op, { account_id: 'bx-a', ...input }, admin)) as unknown as { id: string; resourceId: string };
    const F1 = (await run(bx.createFolder, { name: 'f1' })).id;
    const F2 = (await run(bx.createFolder, { name: 'f2' })).id;
    const P1 = (await run(bx.createProject, { name: 'p1', parentId: F1 })).id;
    const P2 = (await run(bx.createProject, { name: 'p2', parentId: F2 })).id;
    await e.commit([{ op: 'put', entity: 'role', value: { id: 'bx-storage', kind: 'bluexp', accountId: 'bx-a', name: 'Storage', actions: ['volume:create', 'volume:delete'] } }]);
    await run(bx.createUser, { id: 'fa', email: 'fa@example.com', roleId: BLUEXP_ROLES.folderOrProjectAdmin, nodeId: F1 });
    await run(bx.createRoleBinding, { subject: { kind: 'principal', id: 'fa' }, roleId: BLUEXP_ROLES.folderOrProjectAdmin, nodeId: F2 });
    await run(bx.createUser, { id: 'friend', email: 'friend@example.com', roleId: 'bx-storage', nodeId: F2 });
    // only a Connector creates resources (seed 001): the host registers R as the row a discovery would write
    const R = 'res-r';
    await e.commit([{ op: 'put', entity: 'resource', value: { id: R, accountId: 'bx-a', attributes: { resourceType: 'volume' }, tags: [], projects: [P1], folders: [], zones: [] } }]);
    return { e, admin, fa: who('fa', 'bx-a'), F1, F2, P1, P2, R };
  }
  const BX_FORBIDDEN = { code: BLUEXP_CODES.forbidden.code, status: 403 };

  it('BlueXP: moving a project under a folder where a friend holds a role the mover does not hold is refused', async () => {
    const w = await bluexp();
    const atP1: RequestResource = { attributes: { accountId: 'bx-a' }, projects: [w.P1] };
    const before = snapshot(w.e);
    expect(await refusal(apply(w.e, bx.moveNode, { account_id: 'bx-a', node_id: w.P1, parentId: w.F2 }, w.fa))).toEqual(BX_FORBIDDEN);
    expect(snapshot(w.e)).toEqual(before);
    expect(may(w.e, 'friend', 'bx-a', 'volume:create', atP1)).toBe(false);
    await apply(w.e, bx.moveNode, { account_id: 'bx-a', node_id: w.P1, parentId: w.F2 }, w.admin);
    expect(may(w.e, 'friend', 'bx-a', 'volume:create', atP1)).toBe(true);
  });

  it('BlueXP: associating a resource with such a project is refused', async () => {
    const w = await bluexp();
    const before = snapshot(w.e);
    expect(await refusal(apply(w.e, bx.associateResource, { account_id: 'bx-a', resource_id: w.R, projects: [w.P2] }, w.fa))).toEqual(BX_FORBIDDEN);
    expect(snapshot(w.e)).toEqual(before);
    await apply(w.e, bx.associateResource, { account_id: 'bx-a', resource_id: w.R, projects: [w.P2] }, w.admin);
  });

  it('BlueXP: taking a resource out of a project is refused when someone there holds a role the actor does not (no lock-out)', async () => {
    const w = await bluexp();
    await apply(w.e, bx.associateResource, { account_id: 'bx-a', resource_id: w.R, projects: [w.P2] }, w.admin);
    expect(may(w.e, 'friend', 'bx-a', 'volume:delete', { id: w.R })).toBe(true);
    const before = snapshot(w.e);
    expect(await refusal(apply(w.e, bx.dissociateResource, { account_id: 'bx-a', resource_id: w.R, projects: [w.P2] }, w.fa))).toEqual(BX_FORBIDDEN);
    expect(snapshot(w.e)).toEqual(before);
    await apply(w.e, bx.dissociateResource, { account_id: 'bx-a', resource_id: w.R, projects: [w.P2] }, w.admin);
    expect(may(w.e, 'friend', 'bx-a', 'volume:delete', { id: w.R })).toBe(false);
  });

  it('IBM: a policy without an attribute the caller’s own grant pins as absent (stringExists: false) is refused', async () => {
    const e = engine();
    await apply(e, bootstrapAccount, { system: 'ibm', accountId: 'acc', admin: { id: 'IBMid-admin' } }, SYSTEM);
    const kmsAdmin = (id: string, extra: { name: string; operator: string; value: unknown }[]) => ({
      op: 'put' as const,
      entity: 'policy' as const,
      value: {
        id,
        accountId: 'acc',
        subject: { kind: 'principal', id: 'IBMid-me' },
        roles: [IBM_ROLES.administrator],
        resource: { attributes: [{ name: 'accountId', operator: 'stringEquals', value: 'acc' }, { name: 'serviceName', operator: 'stringEquals', value: 'kms' }, ...extra] },
      },
    });
    await e.commit([
      ...['IBMid-me', 'IBMid-friend'].map((id) => ({ op: 'put' as const, entity: 'principal' as const, value: { id, accountId: 'acc', kind: 'user', status: 'active' } })),
      { op: 'put', entity: 'service', value: { name: 'kms', type: 'service', roles: { [IBM_ROLES.administrator]: ['kms.keys.read', 'kms.keys.write'] } } },
      kmsAdmin('p-me', [{ name: 'region', operator: 'stringExists', value: false }]),
      {
        op: 'put',
        entity: 'policy',
        value: {
          id: 'p-me-iam',
          accountId: 'acc',
          subject: { kind: 'principal', id: 'IBMid-me' },
          roles: [IBM_ROLES.administrator],
          resource: { attributes: [{ name: 'accountId', operator: 'stringEquals', value: 'acc' }, { name: 'serviceName', operator: 'stringEquals', value: 'iam-access-management' }] },
        },
      },
    ]);
    const body = (attrs: { name: string; value: unknown; operator?: string }[]) => ({
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: 'IBMid-friend' }] }],
      roles: [{ role_id: IBM_ROLES.administrator }],
      resources: [{ attributes: [{ name: 'accountId', value: 'acc' }, { name: 'serviceName', value: 'kms' }, ...attrs] }],
    });
    const me = who('IBMid-me', 'acc');
    const before = snapshot(e);
    expect(await refusal(apply(e, pol.createPolicy, body([]), me))).toEqual({ code: IBM_POLICY_CODES.forbidden.code, status: 403 });
    expect(snapshot(e)).toEqual(before);
    const inRegion: RequestResource = { attributes: { accountId: 'acc', serviceName: 'kms', region: 'us-south' } };
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', inRegion)).toBe(false);
    // what the caller holds it may give: the same pin
    await apply(e, pol.createPolicy, body([{ name: 'region', operator: 'stringExists', value: false }]), me);
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', inRegion)).toBe(false);
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', { attributes: { accountId: 'acc', serviceName: 'kms' } })).toBe(true);
  });
});

describe('hole 4: migration does not wake a disabled user’s grants', () => {
  it('merging a user disabled in the source into the same user active in the target is a conflict, and decisions stay', async () => {
    const e = engine();
    for (const [accountId, admin] of [['bx-a', 'admin'], ['bx-c', 'admin']] as const) await apply(e, bootstrapAccount, { system: 'bluexp', accountId, admin: { id: admin } }, SYSTEM);
    await e.commit([
      { op: 'put', entity: 'principal', value: { id: 'u', accountId: 'bx-a', kind: 'user', email: 'u@example.com', status: 'disabled', projects: [] } },
      { op: 'put', entity: 'principal', value: { id: 'u', accountId: 'bx-c', kind: 'user', email: 'u@example.com', status: 'active', projects: [] } },
      { op: 'put', entity: 'binding', value: { id: 'b-u', accountId: 'bx-a', subject: { kind: 'principal', id: 'u' }, roleId: BLUEXP_ROLES.folderOrProjectAdmin, nodeId: 'bx-a' } },
      { op: 'put', entity: 'binding', value: { id: 'b-u-c', accountId: 'bx-c', subject: { kind: 'principal', id: 'u' }, roleId: 'bx-viewer', nodeId: 'bx-c' } },
      { op: 'put', entity: 'role', value: { id: 'bx-viewer', kind: 'bluexp', name: 'Viewer', actions: ['hierarchy:read'] } },
    ]);
    const atC: RequestResource = { attributes: { accountId: 'bx-c' } };
    expect(may(e, 'u', 'bx-c', 'hierarchy:create', atC)).toBe(false);
    const before = snapshot(e);
    for (const actor of [SYSTEM, who('admin', 'bx-a')]) {
      const r = await refusal(apply(e, bx.migrateAccount, { account_id: 'bx-a', target_account_id: 'bx-c', dry_run: false }, actor));
      expect(r).toEqual({ code: 'migration_conflict', status: 409 });
    }
    expect(snapshot(e)).toEqual(before);
    expect(may(e, 'u', 'bx-c', 'hierarchy:create', atC)).toBe(false);
  });
});

describe('hole 5: no lock-out of a superior', () => {
  it('a Cloudflare IAM Edit holder cannot put the Administrator under a deny on IAM Edit', async () => {
    const e = engine();
    await apply(e, bootstrapAccount, { system: 'cloudflare', accountId: 'cf-a', admin: { id: 'cf-admin' } }, SYSTEM);
    const rgAll = e.source.resourceGroups.find((g) => g.accountId === 'cf-a' && g.name === 'account')!.id;
    await e.commit([
      ...['cf-iam', 'cf-reader'].map((id) => ({ op: 'put' as const, entity: 'principal' as const, value: { id, accountId: 'cf-a', kind: 'user', email: `${id}@example.com`, status: 'active' } })),
      { op: 'put', entity: 'policy', value: { id: 'p-iam', accountId: 'cf-a', subject: { kind: 'principal', id: 'cf-iam' }, roles: [CLOUDFLARE_ROLES.iamEdit], resource: { attributes: [], resourceGroups: [rgAll] } } },
      { op: 'put', entity: 'policy', value: { id: 'p-rd', accountId: 'cf-a', subject: { kind: 'principal', id: 'cf-reader' }, roles: [CLOUDFLARE_ROLES.iamRead], resource: { attributes: [], resourceGroups: [rgAll] } } },
    ]);
    const iam = who('cf-iam', 'cf-a');
    const deny = { access: 'deny', permission_groups: [{ id: CLOUDFLARE_ROLES.iamEdit }], resource_groups: [{ id: rgAll }] };
    const g = ((await apply(e, cf.createUserGroup, { account_id: 'cf-a', name: 'muted', policies: [deny] }, iam)) as { result: { id: string } }).result.id;
    const before = snapshot(e);
    const FORBIDDEN = { code: CLOUDFLARE_CODES.forbidden.code, status: 403 };
    expect(await refusal(apply(e, cf.addUserGroupMembers, { account_id: 'cf-a', user_group_id: g, members: [{ id: 'cf-admin' }] }, iam))).toEqual(FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    expect(may(e, 'cf-admin', 'cf-a', 'iam:edit', { attributes: { accountId: 'cf-a' } })).toBe(true);
    // nor take the Administrator's own policy away
    const adminPolicy = e.source.policies.find((p) => p.subject.kind === 'principal' && p.subject.id === 'cf-admin')!;
    expect(adminPolicy).toBeDefined();
    // a member holding nothing beyond what the IAM editor holds may be muted
    await apply(e, cf.addUserGroupMembers, { account_id: 'cf-a', user_group_id: g, members: [{ id: 'cf-reader' }] }, iam);
    expect(may(e, 'cf-reader', 'cf-a', 'iam:edit', { attributes: { accountId: 'cf-a' } })).toBe(false);
  });

  it('the Administrator may deny IAM Edit to an IAM editor (it holds more)', async () => {
    const e = engine();
    await apply(e, bootstrapAccount, { system: 'cloudflare', accountId: 'cf-a', admin: { id: 'cf-admin' } }, SYSTEM);
    const rgAll = e.source.resourceGroups.find((g) => g.accountId === 'cf-a' && g.name === 'account')!.id;
    await e.commit([
      { op: 'put', entity: 'principal', value: { id: 'cf-iam', accountId: 'cf-a', kind: 'user', email: 'cf-iam@example.com', status: 'active' } },
      { op: 'put', entity: 'policy', value: { id: 'p-iam', accountId: 'cf-a', subject: { kind: 'principal', id: 'cf-iam' }, roles: [CLOUDFLARE_ROLES.iamEdit], resource: { attributes: [], resourceGroups: [rgAll] } } },
    ]);
    const deny = { access: 'deny', permission_groups: [{ id: CLOUDFLARE_ROLES.iamEdit }], resource_groups: [{ id: rgAll }] };
    const g = ((await apply(e, cf.createUserGroup, { account_id: 'cf-a', name: 'muted', policies: [deny] }, who('cf-admin', 'cf-a'))) as { result: { id: string } }).result.id;
    await apply(e, cf.addUserGroupMembers, { account_id: 'cf-a', user_group_id: g, members: [{ id: 'cf-iam' }] }, who('cf-admin', 'cf-a'));
    expect(may(e, 'cf-iam', 'cf-a', 'iam:edit', { attributes: { accountId: 'cf-a' } })).toBe(false);
  });
});

describe('delegation follows the seeds where the project refused what they allow', () => {
  it('IBM: an administrator of a service assigns its service roles, even ones it does not hold; an editor of it cannot', async () => {
    const e = engine();
    await apply(e, bootstrapAccount, { system: 'ibm', accountId: 'acc', admin: { id: 'IBMid-admin' } }, SYSTEM);
    const policy = (id: string, who: string, role: string, service: string) => ({
      op: 'put' as const,
      entity: 'policy' as const,
      value: {
        id,
        accountId: 'acc',
        subject: { kind: 'principal', id: who },
        roles: [role],
        resource: { attributes: [{ name: 'accountId', operator: 'stringEquals', value: 'acc' }, { name: 'serviceName', operator: 'stringEquals', value: service }] },
      },
    });
    const MANAGER = 'crn:v1:bluemix:public:iam::::serviceRole:Manager';
    await e.commit([
      ...['IBMid-kms-admin', 'IBMid-kms-editor', 'IBMid-friend'].map((id) => ({ op: 'put' as const, entity: 'principal' as const, value: { id, accountId: 'acc', kind: 'user', status: 'active' } })),
      { op: 'put', entity: 'role', value: { id: MANAGER, kind: 'service', name: 'Manager', actions: [] } },
      {
        op: 'put',
        entity: 'service',
        value: { name: 'kms', type: 'service', roles: { [IBM_ROLES.editor]: ['kms.keys.read', 'kms.keys.write'], [IBM_ROLES.administrator]: ['kms.keys.read', 'kms.keys.write', 'kms.policies.set'], [MANAGER]: ['kms.keys.purge'] } },
      },
      policy('p-a', 'IBMid-kms-admin', IBM_ROLES.administrator, 'kms'),
      policy('p-a-iam', 'IBMid-kms-admin', IBM_ROLES.administrator, 'iam-access-management'),
      policy('p-e', 'IBMid-kms-editor', IBM_ROLES.editor, 'kms'),
      policy('p-e-iam', 'IBMid-kms-editor', IBM_ROLES.administrator, 'iam-access-management'),
    ]);
    const body = {
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: 'IBMid-friend' }] }],
      roles: [{ role_id: MANAGER }],
      resources: [{ attributes: [{ name: 'accountId', value: 'acc' }, { name: 'serviceName', value: 'kms' }] }],
    };
    const kms: RequestResource = { attributes: { accountId: 'acc', serviceName: 'kms' } };
    expect(may(e, 'IBMid-kms-admin', 'acc', 'kms.keys.purge', kms)).toBe(false);
    const before = snapshot(e);
    expect(await refusal(apply(e, pol.createPolicy, body, who('IBMid-kms-editor', 'acc')))).toEqual({ code: IBM_POLICY_CODES.forbidden.code, status: 403 });
    expect(snapshot(e)).toEqual(before);
    await apply(e, pol.createPolicy, body, who('IBMid-kms-admin', 'acc'));
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.purge', kms)).toBe(true);
  });
});
