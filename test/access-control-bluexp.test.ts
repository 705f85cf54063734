// BlueXP IAM and Tenancy operations authorize their caller with the engine itself (#8): for every operation an
// allowed caller, a caller with the wrong role, a caller with the right role on another folder or project (or, for
// what is managed at the organization, in another organization), and an anonymous caller; a refusal changes nothing.
// A folder-or-project admin acts only at or below its nodes. Refusals are pinned by `code` and `status`.
import { describe, expect, it } from 'vitest';
import { bluexpOperations as bx, BLUEXP_CODES, BLUEXP_ROLES, bootstrapAccount, createEngine } from '@portcullis/engine';
import type { Actor } from '@portcullis/engine';
import { refusal, snapshot } from './helpers/access.js';

type Op = (state: never, input: never, ctx: never) => { result: unknown };
const NOW = Date.parse('2026-01-02T03:04:05Z');
const SYSTEM: Actor = { kind: 'system' };
const ANON: Actor = { kind: 'anonymous' };
const A = 'bx-a';
const who = (id: string, accountId = A): Actor => ({ kind: 'subject', id, accountId });
const UNAUTHENTICATED = { code: BLUEXP_CODES.unauthenticated.code, status: 401 };
const FORBIDDEN = { code: BLUEXP_CODES.forbidden.code, status: 403 };
const FOLDER_ADMIN = BLUEXP_ROLES.folderOrProjectAdmin;



/**
 * Organizations `bx-a`, `bx-b` and `bx-c`; `bx-admin` is the organization admin of `bx-a` and of `bx-c`, `bx-adminb` of
 * `bx-b`. In `bx-a`: folders F1 (with folder F1a and projects P1, P1r) and F2 (with project P2); `fa` administers F1,
 * `fa2` F2; `am` holds every agent permission at the organization without being its admin; `plain` is a folder admin
 * of P1 (binding bP1) and in user group g1; a service account, an agent in P1r, resources R1 in P1r and R2 in P2.
 */
async function world() {
  let n = 0;
  const e = createEngine({ clock: () => NOW, newId: (prefix) => `${prefix}${(++n).toString(16).padStart(8, '0')}` });
  for (const [accountId, admin] of [[A, 'bx-admin'], ['bx-b', 'bx-adminb'], ['bx-c', 'bx-admin']] as const)
    await e.apply(bootstrapAccount as Op, { system: 'bluexp', accountId, admin: { id: admin } } as never, { actor: SYSTEM });
  await e.commit([{ op: 'put', entity: 'role', value: { id: 'bx-agents', kind: 'bluexp', accountId: A, name: 'Agent keeper', actions: ['agent:create', 'agent:update', 'agent:delete'] } }]);
  const admin = who('bx-admin');
  const apply = async (op: unknown, input: Record<string, unknown>) => (await e.apply(op as Op, { account_id: A, ...input } as never, { actor: admin })) as { id: string; resourceId: string };
  const F1 = (await apply(bx.createFolder, { name: 'f1' })).id;
  const F1a = (await apply(bx.createFolder, { name: 'f1a', parentId: F1 })).id;
  const P1 = (await apply(bx.createProject, { name: 'p1', parentId: F1 })).id;
  const P1r = (await apply(bx.createProject, { name: 'p1r', parentId: F1 })).id;
  const F2 = (await apply(bx.createFolder, { name: 'f2' })).id;
  const P2 = (await apply(bx.createProject, { name: 'p2', parentId: F2 })).id;
  await apply(bx.createUser, { id: 'fa', email: 'fa@example.com', roleId: FOLDER_ADMIN, nodeId: F1 });
  await apply(bx.createUser, { id: 'fa2', email: 'fa2@example.com', roleId: FOLDER_ADMIN, nodeId: F2 });
  await apply(bx.createUser, { id: 'am', email: 'am@example.com', roleId: 'bx-agents' });
  await apply(bx.createUser, { id: 'plain', email: 'plain@example.com', roleId: 'bx-agents' });
  await apply(bx.createServiceAccount, { id: 'svc', name: 'svc' });
  await apply(bx.createAgent, { id: 'agent1', name: 'agent', projects: [P1r] });
  await apply(bx.createAgent, { id: 'agent2', name: 'agent two', projects: [P2] });
  await apply(bx.createAgent, { id: 'agent3', name: 'spare agent' });
  // only a Connector discovers resources (seed 001): each agent registers one in its project
  const discover = async (agent: string, project: string, cloud_id: string) =>
    ((await e.apply(bx.createResource as Op, { account_id: A, 'x-agent-id': agent, cloud_id, resourceType: 'volume', projects: [project] } as never, { actor: who(agent) })) as {
      resourceId: string;
    }).resourceId;
  const R1 = await discover('agent1', P1r, 'vm-1');
  const R2 = await discover('agent2', P2, 'vm-2');
  const g1 = (await apply(bx.createUserGroup, { name: 'g1', members: ['plain'] })).id;
  const bP1 = (await apply(bx.createRoleBinding, { subject: { kind: 'principal', id: 'plain' }, roleId: FOLDER_ADMIN, nodeId: P1 })).id;
  // `pa` administers P1 and P1r: nothing there that fa (who administers F1) could not delegate, so fa may take one back
  await apply(bx.createUser, { id: 'pa', email: 'pa@example.com', roleId: FOLDER_ADMIN, nodeId: P1 });
  const bP1r = (await apply(bx.createRoleBinding, { subject: { kind: 'principal', id: 'pa' }, roleId: FOLDER_ADMIN, nodeId: P1r })).id;
  await apply(bx.updateAccountOptions, { CMNotificationOptIn: true });
  await apply(bx.updateAccountUser, { 'x-user-token': 'plain', notificationOptIn: true });
  return {
    e,
    actors: { admin, fa: who('fa'), fa2: who('fa2'), am: who('am'), plain: who('plain'), adminb: who('bx-adminb', 'bx-b'), agent1: who('agent1') },
    F1,
    F1a,
    P1,
    P1r,
    F2,
    P2,
    R1,
    R2,
    g1,
    bP1,
    bP1r,
  };
}

type World = Awaited<ReturnType<typeof world>>;
type Who = keyof World['actors'];

interface Case {
  name: keyof typeof bx;
  input: (w: World) => Record<string, unknown>;
  /** Who may; who holds a role without the permission; who holds the right role elsewhere (another folder, another organization). */
  allowed: Who;
  wrong: Who;
  elsewhere: Who;
  /** For a listing: the ids it shows, and the id the allowed caller sees and the others do not. */
  list?: { ids: (r: unknown) => string[]; target: (w: World) => string };
}

const atF1 = { allowed: 'fa', wrong: 'am', elsewhere: 'fa2' } as const;
const atOrg = { allowed: 'admin', wrong: 'am', elsewhere: 'adminb' } as const;
const byOrgAdmin = { allowed: 'admin', wrong: 'am', elsewhere: 'adminb' } as const;
const rows = (key?: string) => (r: unknown) =>
  ((key === undefined ? r : (r as Record<string, unknown>)[key]) as Record<string, string>[]).map((x) => x['id'] ?? x['workspacePublicId'] ?? x['resourceId'] ?? x['userId'] ?? x['resourceGroupId']!);

const cases: Case[] = [
  { name: 'createFolder', input: (w) => ({ name: 'new', parentId: w.F1 }), ...atF1 },
  { name: 'createProject', input: (w) => ({ name: 'new', parentId: w.F1 }), ...atF1 },
  { name: 'getNode', input: (w) => ({ node_id: w.F1a }), ...atF1 },
  { name: 'listNodes', input: () => ({}), ...atF1, list: { ids: rows('nodes'), target: (w) => w.F1a } },
  { name: 'renameNode', input: (w) => ({ node_id: w.P1, name: 'renamed' }), ...atF1 },
  { name: 'moveNode', input: (w) => ({ node_id: w.P1, parentId: w.F1a }), ...atF1 },
  { name: 'deleteNode', input: (w) => ({ node_id: w.F1a }), ...atF1 },
  { name: 'listWorkspaces', input: () => ({}), ...atF1, list: { ids: rows(), target: (w) => w.P1 } },
  { name: 'createWorkspace', input: () => ({ workspaceName: 'ws' }), ...atOrg },
  { name: 'renameWorkspace', input: (w) => ({ workspace_id: w.P1, workspaceName: 'renamed' }), ...atF1 },
  { name: 'deleteWorkspace', input: (w) => ({ workspace_id: w.P1 }), ...atF1 },
  { name: 'listResources', input: () => ({ account_id: undefined, account: A }), ...atF1, list: { ids: rows(), target: (w) => w.R1 } },
  { name: 'associateResource', input: (w) => ({ resource_id: w.R1, projects: [w.P1] }), ...atF1 },
  { name: 'dissociateResource', input: (w) => ({ resource_id: w.R1, projects: [w.P1r] }), ...atF1 },
  // R1 is attached to agent1 (only a Connector discovers resources): detaching it widens who reaches R1, which the
  // effect review lets the organization admin do (a folder admin of F1 is refused: see the report of issue 13)
  { name: 'removeResourceFromAgent', input: (w) => ({ resource_id: w.R1 }), ...atOrg },
  { name: 'deleteResource', input: (w) => ({ resource_id: w.R1 }), ...atF1 },
  { name: 'createUser', input: (w) => ({ email: 'new@example.com', roleId: FOLDER_ADMIN, nodeId: w.F1 }), ...atOrg },
  { name: 'updateUser', input: () => ({ principal_id: 'plain', name: 'Plain' }), ...atOrg },
  { name: 'deleteUser', input: () => ({ principal_id: 'plain' }), ...atOrg },
  { name: 'listPrincipals', input: () => ({}), ...atOrg, list: { ids: rows('principals'), target: () => 'plain' } },
  { name: 'createServiceAccount', input: () => ({ name: 'svc2' }), ...atOrg },
  { name: 'updateServiceAccount', input: () => ({ principal_id: 'svc', name: 'S' }), ...atOrg },
  { name: 'deleteServiceAccount', input: () => ({ principal_id: 'svc' }), ...atOrg },
  // `am` holds every agent permission at the organization, but only an organization admin manages agents
  { name: 'createAgent', input: () => ({ name: 'agent2' }), ...byOrgAdmin },
  { name: 'setAgentProjects', input: (w) => ({ principal_id: 'agent1', projects: [w.P1] }), ...byOrgAdmin },
  // agent1 and agent2 hold resources, which keeps them (agent_has_resources)
  { name: 'deleteAgent', input: () => ({ principal_id: 'agent3' }), ...byOrgAdmin },
  { name: 'createUserGroup', input: () => ({ name: 'g2' }), ...atOrg },
  { name: 'listUserGroups', input: () => ({}), ...atOrg, list: { ids: rows('groups'), target: (w) => w.g1 } },
  { name: 'updateUserGroup', input: (w) => ({ group_id: w.g1, name: 'renamed' }), ...atOrg },
  { name: 'deleteUserGroup', input: (w) => ({ group_id: w.g1 }), ...atOrg },
  { name: 'addUserGroupMembers', input: (w) => ({ group_id: w.g1, members: ['fa'] }), ...atOrg },
  { name: 'removeUserGroupMember', input: (w) => ({ group_id: w.g1, member_id: 'plain' }), ...atOrg },
  { name: 'createRoleBinding', input: (w) => ({ subject: { kind: 'principal', id: 'plain' }, roleId: FOLDER_ADMIN, nodeId: w.P1r }), ...atF1 },
  // (not bP1: `plain` holds at P1 the agent permissions of the organization, which fa does not hold, so no lock-out of it)
  { name: 'deleteRoleBinding', input: (w) => ({ binding_id: w.bP1r }), ...atF1 },
  { name: 'listRoleBindings', input: () => ({}), ...atF1, list: { ids: rows('bindings'), target: (w) => w.bP1 } },
  { name: 'listPermissions', input: () => ({}), ...atOrg },
  { name: 'getPermission', input: () => ({ permission: 'workspace:*' }), ...atOrg },
  { name: 'listResourceGroups', input: () => ({}), ...atF1, list: { ids: rows(), target: (w) => w.F1 } },
  { name: 'createAccountResource', input: () => ({ resourceType: 'license', resourceClass: 'license' }), ...atOrg },
  { name: 'deleteServiceResource', input: (w) => ({ 'resource-id': w.R1 }), ...atF1 },
  { name: 'getAccountOptions', input: () => ({}), ...atOrg },
  { name: 'updateAccountOptions', input: () => ({ thirdPartyServicesEnabled: false }), ...byOrgAdmin },
  { name: 'updateAccountUser', input: () => ({ 'x-user-token': 'fa', notificationOptIn: true }), ...atOrg },
  { name: 'listNotificationRecipients', input: () => ({}), ...atOrg, list: { ids: rows(), target: () => 'plain' } },
];

const run = (w: World, c: Case, actor: Actor) => w.e.apply(bx[c.name] as Op, { account_id: A, ...c.input(w) } as never, { actor });
/**
 * What a listing shows: a caller of another organization that holds nothing in it is answered as for an organization
 * that does not exist (red team 8: `[]` against a made-up organization's 404 told which organizations exist), which
 * shows it nothing, as an empty list does.
 */
async function shown(p: Promise<unknown>): Promise<unknown> {
  try {
    return await p;
  } catch (e) {
    if ((e as { code?: string; status?: number }).code === 'organization_not_found' && (e as { status?: number }).status === 404) return undefined;
    throw e;
  }
}

describe('BlueXP operations authorize their caller', () => {
  it('every BlueXP operation is in the table (or tested on its own below)', () => {
    expect(new Set([...cases.map((c) => c.name), 'migrateAccount', 'authorizeUserInAccount', 'authorizeAgentInAccount', 'createResource', 'attachAgentResource', 'getResourceGroup'])).toEqual(new Set(Object.keys(bx)));
  });

  for (const c of cases) {
    describe(c.name, () => {
      it('lets the allowed caller through', async () => {
        const w = await world();
        const r = await run(w, c, w.actors[c.allowed]);
        if (c.list) expect(c.list.ids(r)).toContain(c.list.target(w));
      });
      if (c.list) {
        it('lists nothing, without an error, to a caller whose role lacks the permission', async () => {
          const w = await world();
          expect(c.list!.ids(await run(w, c, w.actors[c.wrong]))).toEqual([]);
        });
        it('hides what the right role elsewhere does not reach', async () => {
          const w = await world();
          const r = await shown(run(w, c, w.actors[c.elsewhere]));
          if (r !== undefined) expect(c.list!.ids(r as never)).not.toContain(c.list!.target(w));
        });
        it('lists nothing to the organization admin of another organization', async () => {
          const w = await world();
          const r = await shown(run(w, c, w.actors.adminb));
          if (r !== undefined) expect(c.list!.ids(r as never)).toEqual([]);
        });
      } else {
        it('refuses a caller whose role lacks the permission with the seed 403, and changes nothing', async () => {
          const w = await world();
          const before = snapshot(w.e);
          expect(await refusal(run(w, c, w.actors[c.wrong]))).toEqual(FORBIDDEN);
          expect(snapshot(w.e)).toEqual(before);
        });
        it(`refuses the right role ${c.elsewhere === 'fa2' ? 'on another folder' : 'in another organization'} with the seed 403, and changes nothing`, async () => {
          const w = await world();
          const before = snapshot(w.e);
          expect(await refusal(run(w, c, w.actors[c.elsewhere]))).toEqual(FORBIDDEN);
          expect(snapshot(w.e)).toEqual(before);
        });
      }
      it('answers an anonymous caller with the seed 401, and changes nothing', async () => {
        const w = await world();
        const before = snapshot(w.e);
        expect(await refusal(run(w, c, ANON))).toEqual(UNAUTHENTICATED);
        expect(snapshot(w.e)).toEqual(before);
      });
    });
  }
});

describe('a folder-or-project admin acts only at or below its nodes', () => {
  it('reads and changes its folder and what is below it, nothing above or beside it', async () => {
    const w = await world();
    const fa = w.actors.fa;
    const get = (node_id: string) => w.e.apply(bx.getNode as Op, { account_id: A, node_id } as never, { actor: fa });
    for (const id of [w.F1, w.F1a, w.P1, w.P1r]) await get(id);
    for (const id of [w.F2, w.P2]) expect(await refusal(get(id))).toEqual(FORBIDDEN);
    const before = snapshot(w.e);
    expect(await refusal(w.e.apply(bx.createFolder as Op, { account_id: A, name: 'top' } as never, { actor: fa }))).toEqual(FORBIDDEN);
    expect(await refusal(w.e.apply(bx.moveNode as Op, { account_id: A, node_id: w.P1, parentId: null } as never, { actor: fa }))).toEqual(FORBIDDEN);
    expect(await refusal(w.e.apply(bx.moveNode as Op, { account_id: A, node_id: w.P1, parentId: w.F2 } as never, { actor: fa }))).toEqual(FORBIDDEN);
    expect(await refusal(w.e.apply(bx.createAccountResource as Op, { account_id: A, resourceType: 'license', resourceClass: 'license' } as never, { actor: fa }))).toEqual(FORBIDDEN);
    expect(await refusal(w.e.apply(bx.updateAccountOptions as Op, { account_id: A, saasEnabled: false } as never, { actor: fa }))).toEqual(FORBIDDEN);
    expect(snapshot(w.e)).toEqual(before);
  });

  it('cannot bind a role above or beside its nodes, bind the organization admin, or bind a role it does not hold', async () => {
    const w = await world();
    const bind = (roleId: string, nodeId?: string) =>
      w.e.apply(bx.createRoleBinding as Op, { account_id: A, subject: { kind: 'principal', id: 'fa2' }, roleId, ...(nodeId ? { nodeId } : {}) } as never, { actor: w.actors.fa });
    const before = snapshot(w.e);
    expect(await refusal(bind(FOLDER_ADMIN))).toEqual(FORBIDDEN);
    expect(await refusal(bind(FOLDER_ADMIN, w.F2))).toEqual(FORBIDDEN);
    expect(await refusal(bind(BLUEXP_ROLES.organizationAdmin))).toEqual(FORBIDDEN);
    // below the organization the seed's hard rule answers first: the organization admin is bound at the root alone
    expect(await refusal(bind(BLUEXP_ROLES.organizationAdmin, w.P1))).toEqual({ code: 'organization_admin_not_at_root', status: 400 });
    // a role whose permissions it does not hold, even at its own folder
    expect(await refusal(bind('bx-agents', w.P1))).toEqual(FORBIDDEN);
    expect(snapshot(w.e)).toEqual(before);
    await bind(FOLDER_ADMIN, w.P1);
  });

  it('holding every action of the organization admin does not make one: only an organization admin binds another (DELEGATION.md)', async () => {
    const w = await world();
    // the organization admin role's actions, read from the catalog the account was bootstrapped with
    const everything = (w.e.source.roles.find((r) => r.id === BLUEXP_ROLES.organizationAdmin) as { actions: string[] }).actions;
    expect(everything.length).toBeGreaterThan(0);
    await w.e.commit([{ op: 'put', entity: 'role', value: { id: 'bx-everything', kind: 'bluexp', accountId: A, name: 'Everything', actions: [...everything] } }]);
    await w.e.apply(bx.createUser as Op, { account_id: A, id: 'big', email: 'big@example.com', roleId: 'bx-everything' } as never, { actor: w.actors.admin });
    const before = snapshot(w.e);
    const input = { account_id: A, subject: { kind: 'principal', id: 'svc' }, roleId: BLUEXP_ROLES.organizationAdmin };
    expect(await refusal(w.e.apply(bx.createRoleBinding as Op, input as never, { actor: who('big') }))).toEqual(FORBIDDEN);
    expect(snapshot(w.e)).toEqual(before);
    // the same binding by the organization admin is accepted
    await w.e.apply(bx.createRoleBinding as Op, input as never, { actor: w.actors.admin });
  });

  it('cannot create a user with a role above its nodes, nor add itself to a user group', async () => {
    const w = await world();
    const before = snapshot(w.e);
    const user = { account_id: A, email: 'x@example.com', roleId: FOLDER_ADMIN, nodeId: w.F1 };
    expect(await refusal(w.e.apply(bx.createUser as Op, user as never, { actor: w.actors.fa }))).toEqual(FORBIDDEN);
    expect(await refusal(w.e.apply(bx.addUserGroupMembers as Op, { account_id: A, group_id: w.g1, members: ['fa'] } as never, { actor: w.actors.fa }))).toEqual(FORBIDDEN);
    expect(snapshot(w.e)).toEqual(before);
  });

  it('an organization admin binds any role of its organization, even one whose actions it does not hold (DELEGATION.md)', async () => {
    const w = await world();
    await w.e.commit([{ op: 'put', entity: 'role', value: { id: 'bx-storage', kind: 'bluexp', accountId: A, name: 'Storage', actions: ['volume:create'] } }]);
    const input = { account_id: A, subject: { kind: 'principal', id: 'plain' }, roleId: 'bx-storage', nodeId: w.P1 };
    await w.e.apply(bx.createRoleBinding as Op, input as never, { actor: w.actors.admin });
    // a folder admin does not hold it, so it may not bind it even inside its folder
    const before = snapshot(w.e);
    const again = { ...input, subject: { kind: 'principal', id: 'fa2' } };
    expect(await refusal(w.e.apply(bx.createRoleBinding as Op, again as never, { actor: w.actors.fa }))).toEqual(FORBIDDEN);
    expect(snapshot(w.e)).toEqual(before);
  });
});

describe('BlueXP Tenancy: who acts for itself', () => {
  it('a user opts itself in to notifications without any permission, not someone else', async () => {
    const w = await world();
    await w.e.apply(bx.updateAccountUser as Op, { account_id: A, 'x-user-token': 'am', notificationOptIn: true } as never, { actor: w.actors.am });
    expect(await refusal(w.e.apply(bx.updateAccountUser as Op, { account_id: A, 'x-user-token': 'fa', notificationOptIn: true } as never, { actor: w.actors.am }))).toEqual(FORBIDDEN);
  });

  it('a user asks whether it belongs to the organization without any permission', async () => {
    const w = await world();
    const r = (await w.e.apply(bx.authorizeUserInAccount as Op, { account_id: A } as never, { actor: w.actors.am })) as { authorized: boolean };
    expect(r.authorized).toBe(true);
    // the answer is about the caller alone: a user of another organization learns only that it is not in this one
    const o = (await w.e.apply(bx.authorizeUserInAccount as Op, { account_id: A } as never, { actor: w.actors.adminb })) as { authorized: boolean };
    expect(o.authorized).toBe(false);
    const agent = (await w.e.apply(bx.authorizeAgentInAccount as Op, { account_id: A, 'x-agent-id': 'agent1' } as never, { actor: w.actors.am })) as { authorized: boolean };
    expect(agent.authorized).toBe(true);
    expect(await refusal(w.e.apply(bx.authorizeUserInAccount as Op, { account_id: A } as never, { actor: { kind: 'anonymous' } }))).toMatchObject({ status: 401 });
  });
});

describe('BlueXP Tenancy: account migration is an organization-admin act on both organizations', () => {
  const input = (target: string, dry_run: boolean) => ({ account_id: A, target_account_id: target, dry_run });

  it('an organization admin of both migrates, acting in either, and the configuration moves', async () => {
    for (const actor of [who('bx-admin', A), who('bx-admin', 'bx-c')]) {
      const w = await world();
      const plan = (await w.e.apply(bx.migrateAccount as Op, input('bx-c', true) as never, { actor })) as { conflicts: unknown[] };
      expect(plan.conflicts).toEqual([]);
      await w.e.apply(bx.migrateAccount as Op, input('bx-c', false) as never, { actor });
      expect(w.e.source.nodes.filter((n) => n.accountId === 'bx-c').map((n) => n.id)).toContain(w.F1);
      expect(w.e.source.principals.filter((p) => p.accountId === A)).toEqual([]);
    }
  });

  it('refuses an organization admin of one of them, a caller without the role, and a caller of a third organization with the seed 403, changing nothing', async () => {
    const w = await world();
    const before = snapshot(w.e);
    for (const [actor, target] of [
      [w.actors.admin, 'bx-b'], // admin of the source only
      [w.actors.adminb, 'bx-b'], // admin of the target only
      [w.actors.am, 'bx-c'], // the wrong role
      [w.actors.fa, 'bx-c'], // a folder admin of the source
      [who('bx-admin', 'bx-b'), 'bx-c'], // acting in neither organization
    ] as const) {
      for (const dry of [true, false]) expect(await refusal(w.e.apply(bx.migrateAccount as Op, input(target, dry) as never, { actor }))).toEqual(FORBIDDEN);
    }
    expect(snapshot(w.e)).toEqual(before);
  });

  it('answers an anonymous caller with the seed 401, and changes nothing', async () => {
    const w = await world();
    const before = snapshot(w.e);
    expect(await refusal(w.e.apply(bx.migrateAccount as Op, input('bx-c', false) as never, { actor: ANON }))).toEqual(UNAUTHENTICATED);
    expect(snapshot(w.e)).toEqual(before);
  });

  it('an organization admin of both migrates with a custom role in use: it delegates every role of its organizations (issue 12)', async () => {
    const w = await world();
    await w.e.commit([{ op: 'put', entity: 'role', value: { id: 'bx-storage', kind: 'bluexp', accountId: A, name: 'Storage', actions: ['volume:create'] } }]);
    await w.e.apply(bx.createRoleBinding as Op, { account_id: A, subject: { kind: 'principal', id: 'plain' }, roleId: 'bx-storage', nodeId: w.P1 } as never, { actor: w.actors.admin });
    await w.e.apply(bx.migrateAccount as Op, input('bx-c', false) as never, { actor: w.actors.admin });
    expect(w.e.source.bindings.some((b) => b.accountId === 'bx-c' && b.roleId === 'bx-storage')).toBe(true);
  });
});
