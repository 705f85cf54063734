// Issue 13, seeds 000 (BlueXP IAM) and 001 (BlueXP Tenancy): each test quotes the seed sentence it follows. The
// seeds are not read here: the sentences are copied.
import { describe, expect, it } from 'vitest';
import { bluexpOperations as bx, BLUEXP_CODES, BLUEXP_ROLES, bootstrapAccount, createEngine, type Actor } from '@portcullis/engine';
import { refusal, snapshot } from './helpers/access.js';

type Op = (state: never, input: never, ctx: never) => { result: unknown };
const NOW = Date.parse('2026-01-02T03:04:05Z');
const SYSTEM: Actor = { kind: 'system' };
const A = 'bx-a';
const who = (id: string, accountId = A): Actor => ({ kind: 'subject', id, accountId });
const FORBIDDEN = { code: BLUEXP_CODES.forbidden.code, status: 403 };

/** An organization with folder F (project P in it) and project Q beside it; `fa` administers F; agent `ag` serves P. */
async function world() {
  let n = 0;
  const e = createEngine({ clock: () => NOW, newId: (prefix) => `${prefix}${(++n).toString(16).padStart(8, '0')}` });
  await e.apply(bootstrapAccount as Op, { system: 'bluexp', accountId: A, admin: { id: 'bx-admin' } } as never, { actor: SYSTEM });
  await e.apply(bootstrapAccount as Op, { system: 'bluexp', accountId: 'bx-b', admin: { id: 'bx-adminb' } } as never, { actor: SYSTEM });
  const admin = who('bx-admin');
  const apply = async (op: unknown, input: Record<string, unknown>, actor: Actor = admin) =>
    (await e.apply(op as Op, { account_id: A, ...input } as never, { actor })) as Record<string, unknown> & { id: string; resourceId: string };
  const F = (await apply(bx.createFolder, { name: 'f' })).id;
  const P = (await apply(bx.createProject, { name: 'p', parentId: F })).id;
  const Q = (await apply(bx.createProject, { name: 'q' })).id;
  await apply(bx.createUser, { id: 'fa', email: 'fa@example.com', roleId: BLUEXP_ROLES.folderOrProjectAdmin, nodeId: F });
  await apply(bx.createUser, { id: 'qa', email: 'qa@example.com', roleId: BLUEXP_ROLES.folderOrProjectAdmin, nodeId: Q });
  await apply(bx.createAgent, { id: 'ag', name: 'connector', projects: [P] });
  await apply(bx.createAgent, { id: 'ag2', name: 'other connector', projects: [Q] });
  return { e, admin, apply, F, P, Q, fa: who('fa'), qa: who('qa'), ag: who('ag') };
}

describe('seed 001: only a Connector discovers and creates resources, and every resource has cloud_id', () => {
  // "From the view of an external BlueXP user, only the Connector can discover and create resources."
  // "Every BlueXP resource has the data field 'cloud_id'. [...] This field is the cloud identifier for the resource."
  it('the agent registers a resource in a project it serves, with its cloud_id; the view always shows cloud_id', async () => {
    const w = await world();
    const r = await w.apply(bx.createResource, { 'x-agent-id': 'ag', cloud_id: 'i-0abc', resourceType: 'volume', projects: [w.P] }, w.ag);
    expect(r).toMatchObject({ cloud_id: 'i-0abc', agentId: 'ag', projects: [w.P] });
    const attached = await w.apply(bx.attachAgentResource, { 'x-agent-id': 'ag', mode: 'create', cloud_id: 'i-0def', resourceType: 'volume' }, w.ag);
    expect(attached).toMatchObject({ cloud_id: 'i-0def', agentId: 'ag', projects: [] });
    // "some resources [...] (such as license and persistence) [...] belong to the account": no cloud id to show
    const license = await w.apply(bx.createAccountResource, { resourceType: 'license', resourceClass: 'license' });
    expect(license).toMatchObject({ cloud_id: null });
    const listed = (await w.e.apply(bx.listResources as Op, { account_id: undefined, account: A } as never, { actor: w.admin })) as { cloud_id: unknown }[];
    expect(listed.map((x) => x.cloud_id).sort()).toEqual(['i-0abc', 'i-0def', null].sort());
  });

  it('an organization admin manages resources but does not create them out of nothing; nor does another agent, or an agent outside its projects', async () => {
    const w = await world();
    const before = snapshot(w.e);
    const body = { 'x-agent-id': 'ag', cloud_id: 'i-0abc', resourceType: 'volume', projects: [w.P] };
    for (const op of [bx.createResource, bx.attachAgentResource]) {
      expect(await refusal(w.apply(op, body, w.admin))).toEqual(FORBIDDEN);
      expect(await refusal(w.apply(op, body, w.fa))).toEqual(FORBIDDEN);
      // an agent speaks for itself only
      expect(await refusal(w.apply(op, body, who('ag2')))).toEqual(FORBIDDEN);
      // and places resources where it serves: not in Q, not in a folder
      expect(await refusal(w.apply(op, { ...body, projects: [w.Q] }, w.ag))).toEqual(FORBIDDEN);
      expect(await refusal(w.apply(op, { ...body, projects: [], folders: [w.F] }, w.ag))).toEqual(FORBIDDEN);
    }
    expect(snapshot(w.e)).toEqual(before);
    // cloud_id is required of a discovered resource
    expect(await refusal(w.apply(bx.createResource, { 'x-agent-id': 'ag', resourceType: 'volume' }, w.ag))).toEqual({ code: 'invalid_request', status: 400 });
    // the admins manage what the agent discovered: associate it with a folder
    const r = await w.apply(bx.createResource, body, w.ag);
    await w.apply(bx.associateResource, { resource_id: r.resourceId, folders: [w.F] }, w.admin);
  });
});

describe('seed 001: the account option is named CMNotificationOptIn', () => {
  // "If the 'CMNotificationOptIn' account option is enabled, will all users associated with the account receive the
  // BlueXP event notifications? No."
  it('reads and sets CMNotificationOptIn; the old name is an unknown key', async () => {
    const w = await world();
    expect(await w.apply(bx.getAccountOptions, {})).toMatchObject({ CMNotificationOptIn: false });
    expect(await w.apply(bx.updateAccountOptions, { CMNotificationOptIn: true })).toMatchObject({ CMNotificationOptIn: true });
    expect(await refusal(w.apply(bx.updateAccountOptions, { notificationOptIn: false }))).toEqual({ code: 'invalid_request', status: 400 });
    expect(await w.apply(bx.getAccountOptions, {})).not.toHaveProperty('notificationOptIn');
  });
});

describe('seed 001: turning SaaS off does not lock the organization admin out of turning it on again', () => {
  // "SaaS enablement is used to allow an account to have access to the BlueXP portal."
  it('with SaaS off nothing is granted in the organization, but its admin reads the options and turns SaaS on', async () => {
    const w = await world();
    await w.apply(bx.updateAccountOptions, { saasEnabled: false });
    const decide = () =>
      w.e.authorize({ subject: { id: 'bx-admin', accountId: A }, action: 'hierarchy:read', resource: { attributes: { accountId: A } } }).allowed;
    expect(decide()).toBe(false);
    expect(await refusal(w.apply(bx.createFolder, { name: 'x' }))).toEqual(FORBIDDEN);
    // the folder admin is not an organization admin: still locked out
    expect(await refusal(w.apply(bx.updateAccountOptions, { saasEnabled: true }, w.fa))).toEqual(FORBIDDEN);
    // nor is the admin of another organization
    expect(await refusal(w.apply(bx.updateAccountOptions, { saasEnabled: true }, who('bx-adminb', 'bx-b')))).toEqual(FORBIDDEN);
    expect(await w.apply(bx.getAccountOptions, {})).toMatchObject({ saasEnabled: false });
    expect(await w.apply(bx.updateAccountOptions, { saasEnabled: true })).toMatchObject({ saasEnabled: true });
    expect(decide()).toBe(true);
  });
});

describe('seed 000: the permission component', () => {
  // "The following five components are defined within the BlueXP IAM service. • hierarchy • permission • resource and
  // resourcegroup • role • user and usergroup" and "BlueXP IAM uses predefined roles that include sets of permissions".
  it('lists the permissions the roles grant, each with its roles; filtered by role it is what that role grants', async () => {
    const w = await world();
    const all = (await w.apply(bx.listPermissions, {})) as unknown as { permission: string; roles: { roleId: string }[] }[];
    expect(all.map((p) => p.permission)).toEqual([...all.map((p) => p.permission)].sort());
    const ws = all.find((p) => p.permission === 'workspace:*')!;
    expect(ws.roles.map((r) => r.roleId).sort()).toEqual([BLUEXP_ROLES.folderOrProjectAdmin, BLUEXP_ROLES.organizationAdmin].sort());
    const folderAdmin = (await w.apply(bx.listPermissions, { role_id: BLUEXP_ROLES.folderOrProjectAdmin })) as unknown as { permission: string }[];
    expect(folderAdmin.map((p) => p.permission)).toContain('rolebinding:*');
    expect(folderAdmin.map((p) => p.permission)).not.toContain('accounts:*');
    expect(await w.apply(bx.getPermission, { permission: 'accounts:*' })).toEqual({
      permission: 'accounts:*',
      roles: [{ roleId: BLUEXP_ROLES.organizationAdmin, name: 'Organization admin' }],
    });
    expect(await refusal(w.apply(bx.getPermission, { permission: 'nothing:here' }))).toEqual({ code: 'permission_not_found', status: 404 });
    expect(await refusal(w.apply(bx.listPermissions, { role_id: 'nope' }))).toEqual({ code: 'role_not_found', status: 404 });
    // decided by the same tables: a folder admin (who assigns roles at its folder) may read them; an agent may not
    await w.apply(bx.listPermissions, {}, w.fa);
    expect(await refusal(w.apply(bx.listPermissions, {}, w.ag))).toEqual(FORBIDDEN);
  });
});

describe('seed 000: the resourcegroup component', () => {
  // "resource and resourcegroup": the implicit groups of the hierarchy (the organization, each folder, each project)
  // with their resources.
  it('lists the organization, folder and project groups with their resources; a folder admin sees its own', async () => {
    const w = await world();
    const inP = (await w.apply(bx.createResource, { 'x-agent-id': 'ag', cloud_id: 'i-1', resourceType: 'volume', projects: [w.P] }, w.ag)).resourceId;
    const inQ = (await w.apply(bx.createResource, { 'x-agent-id': 'ag2', cloud_id: 'i-2', resourceType: 'volume', projects: [w.Q] }, who('ag2'))).resourceId;
    type Group = { resourceGroupId: string; kind: string; resources: string[] };
    const groups = (await w.apply(bx.listResourceGroups, {})) as unknown as Group[];
    const byId = new Map(groups.map((g) => [g.resourceGroupId, g]));
    expect(byId.get(A)).toMatchObject({ kind: 'organization' });
    expect(byId.get(A)!.resources.sort()).toEqual([inP, inQ].sort());
    expect(byId.get(w.F)).toMatchObject({ kind: 'folder', resources: [inP] });
    expect(byId.get(w.P)).toMatchObject({ kind: 'project', resources: [inP] });
    expect(byId.get(w.Q)).toMatchObject({ kind: 'project', resources: [inQ] });
    expect(await w.apply(bx.getResourceGroup, { resource_group_id: w.F })).toMatchObject({ resources: [inP] });
    // the folder admin of F reads F and P, not the organization nor Q
    const mine = (await w.apply(bx.listResourceGroups, {}, w.fa)) as unknown as Group[];
    expect(mine.map((g) => g.resourceGroupId).sort()).toEqual([w.F, w.P].sort());
    expect(await refusal(w.apply(bx.getResourceGroup, { resource_group_id: w.Q }, w.fa))).toEqual({ code: 'resource_group_not_found', status: 404 });
    expect(await refusal(w.apply(bx.getResourceGroup, { resource_group_id: A }, w.fa))).toEqual({ code: 'resource_group_not_found', status: 404 });
    expect(await refusal(w.apply(bx.getResourceGroup, { resource_group_id: 'nope' }))).toEqual({ code: 'resource_group_not_found', status: 404 });
  });
});
