// BlueXP IAM and Tenancy management operations (seeds 000, 001), through the public surface: refusals are pinned
// by `code` and `status`, never by wording.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bluexpOperations as bx, authorizeAgentInAccount, authorizeUserInAccount, parseSource, SeedError } from '@portcullis/engine';
import { SourceState } from '@portcullis/engine/internals';
import type { ManageContext, SourceInput } from '@portcullis/engine';

const O = 'org1';
const source: SourceInput = {
  version: 1,
  accounts: [
    { id: O, system: 'bluexp' },
    { id: 'org2', system: 'bluexp' },
    { id: 'cf1', system: 'cloudflare' },
  ],
  principals: [
    { id: 'admin', accountId: O, kind: 'user', email: 'admin@example.com' },
    { id: 'viewer', accountId: O, kind: 'user', email: 'viewer@example.com' },
    { id: 'idle', accountId: O, kind: 'user', email: 'idle@example.com', status: 'pending' },
    { id: 'ag1', accountId: O, kind: 'agent' },
    { id: 'other', accountId: 'org2', kind: 'user' },
  ],
  groups: [{ id: 'idp-ops', accountId: O, name: 'ops', federated: true, members: ['viewer'] }],
  roles: [
    { id: 'r-org-admin', kind: 'bluexp', admin: 'organization', actions: ['workspace:*'] },
    { id: 'r-folder-admin', kind: 'bluexp', admin: 'folder-or-project', actions: ['resource:read'] },
    { id: 'r-viewer', kind: 'bluexp', actions: ['resource:read'] },
    { id: 'pg', kind: 'permission-group', scopeType: 'zone', actions: ['zone:read'] },
  ],
  bindings: [
    { id: 'b-admin', accountId: O, subject: { kind: 'principal', id: 'admin' }, roleId: 'r-org-admin', nodeId: O },
    { id: 'b-viewer', accountId: O, subject: { kind: 'principal', id: 'viewer' }, roleId: 'r-viewer', nodeId: O },
  ],
};

function context(): ManageContext {
  let n = 0;
  return { actor: { kind: 'system' }, now: '2025-03-12T10:30:00Z', newId: (prefix) => `${prefix}${++n}` };
}
function fresh(): SourceState {
  return SourceState.from(parseSource(source));
}
function expectRefused(f: () => unknown, code: string, status: number): SeedError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SeedError);
    expect({ code: (e as SeedError).code, status: (e as SeedError).status }).toEqual({ code, status });
    return e as SeedError;
  }
  throw new Error('expected a refusal');
}
function valid(state: SourceState): void {
  expect(() => parseSource(state.toSource())).not.toThrow();
}

/** A chain of `depth` folders from the organization down; returns the state and the folder ids top first. */
function chain(depth: number, state = fresh(), ctx = context(), prefix = 'f'): { state: SourceState; ids: string[] } {
  const ids: string[] = [];
  for (let i = 0; i < depth; i++) {
    const out = bx.createFolder(state, { account_id: O, name: `${prefix}${i}`, parentId: ids[i - 1] ?? null }, ctx);
    state = out.state;
    ids.push(out.result.id);
  }
  return { state, ids };
}

describe('folders and projects: create', () => {
  it('creates folders 6 deep and a project at level 7, refusing deeper', () => {
    const ctx = context();
    const { state, ids } = chain(6, fresh(), ctx);
    const project = bx.createProject(state, { account_id: O, name: 'p', parentId: ids[5]! }, ctx);
    expect(project.result).toMatchObject({ type: 'project', level: 7, parentId: ids[5], organizationId: O });
    valid(project.state);
    expectRefused(() => bx.createFolder(state, { account_id: O, name: 'deep', parentId: ids[5]! }, ctx), 'max_depth_exceeded', 400);
  });
  it('keeps projects leaves, refuses unknown parents and sibling name clashes', () => {
    const ctx = context();
    const p = bx.createProject(fresh(), { account_id: O, name: 'p' }, ctx);
    expect(p.result.parentId).toBe(O);
    expectRefused(() => bx.createFolder(p.state, { account_id: O, name: 'x', parentId: p.result.id }, ctx), 'parent_not_folder', 400);
    expectRefused(() => bx.createFolder(p.state, { account_id: O, name: 'x', parentId: 'nope' }, ctx), 'folder_not_found', 404);
    expectRefused(() => bx.createFolder(p.state, { account_id: O, name: 'P' }, ctx), 'name_conflict', 409);
    expectRefused(() => bx.createFolder(p.state, { account_id: O, name: '' }, ctx), 'invalid_request', 400);
    expectRefused(() => bx.createFolder(p.state, { account_id: 'cf1', name: 'x' }, ctx), 'organization_not_found', 404);
  });
});

describe('folders and projects: rename and move', () => {
  it('renames and moves a folder with its subtree', () => {
    const ctx = context();
    const { state, ids } = chain(2, fresh(), ctx);
    const other = bx.createFolder(state, { account_id: O, name: 'other' }, ctx);
    const renamed = bx.renameNode(other.state, { account_id: O, node_id: ids[0]!, name: 'top' }, ctx);
    expect(renamed.result.name).toBe('top');
    const moved = bx.moveNode(renamed.state, { account_id: O, node_id: ids[0]!, parentId: other.result.id }, ctx);
    expect(moved.result.level).toBe(2);
    expect(bx.getNode(moved.state, { account_id: O, node_id: ids[1]! }, ctx).result.level).toBe(3);
    valid(moved.state);
  });
  it('refuses a cycle and a move that would push a descendant too deep', () => {
    const ctx = context();
    const { state, ids } = chain(3, fresh(), ctx);
    expectRefused(() => bx.moveNode(state, { account_id: O, node_id: ids[0]!, parentId: ids[2]! }, ctx), 'move_cycle', 400);
    expectRefused(() => bx.moveNode(state, { account_id: O, node_id: ids[0]!, parentId: ids[0]! }, ctx), 'move_cycle', 400);
    const deep = chain(5, state, ctx, 'g');
    expectRefused(() => bx.moveNode(deep.state, { account_id: O, node_id: ids[0]!, parentId: deep.ids[4]! }, ctx), 'max_depth_exceeded', 400);
  });
});

describe('folders and projects: delete', () => {
  it('refuses a node holding child nodes, resources or agents, and deletes an empty one', () => {
    const ctx = context();
    const { state, ids } = chain(1, fresh(), ctx);
    const p = bx.createProject(state, { account_id: O, name: 'p', parentId: ids[0]! }, ctx);
    expectRefused(() => bx.deleteNode(p.state, { account_id: O, node_id: ids[0]! }, ctx), 'node_not_empty', 409);
    const r = bx.createResource(p.state, { account_id: O, resourceType: 'volume', cloud_id: 'vm-1', 'x-agent-id': 'ag1', projects: [p.result.id] }, ctx);
    expectRefused(() => bx.deleteNode(r.state, { account_id: O, node_id: p.result.id }, ctx), 'node_not_empty', 409);
    const agent = bx.setAgentProjects(p.state, { account_id: O, principal_id: 'ag1', projects: [p.result.id] }, ctx);
    expectRefused(() => bx.deleteNode(agent.state, { account_id: O, node_id: p.result.id }, ctx), 'node_not_empty', 409);
    const gone = bx.deleteNode(p.state, { account_id: O, node_id: p.result.id }, ctx);
    expect(gone.state.get('node', p.result.id)).toBeUndefined();
    valid(gone.state);
  });
  it('deletes the bindings at the node, unless a user would be left without a role', () => {
    const ctx = context();
    const p = bx.createProject(fresh(), { account_id: O, name: 'p' }, ctx);
    const b = bx.createRoleBinding(p.state, { account_id: O, subject: { kind: 'principal', id: 'viewer' }, roleId: 'r-folder-admin', nodeId: p.result.id }, ctx);
    const gone = bx.deleteNode(b.state, { account_id: O, node_id: p.result.id }, ctx);
    expect(gone.state.get('binding', b.result.id)).toBeUndefined();
    const u = bx.createUser(p.state, { account_id: O, email: 'solo@example.com', roleId: 'r-viewer', nodeId: p.result.id }, ctx);
    expectRefused(() => bx.deleteNode(u.state, { account_id: O, node_id: p.result.id }, ctx), 'last_role_binding', 409);
  });
});

describe('Tenancy workspaces', () => {
  it('are projects: create, list, rename, delete', () => {
    const ctx = context();
    const w = bx.createWorkspace(fresh(), { account_id: O, workspaceName: 'ws' }, ctx);
    expect(w.state.get('node', w.result.workspacePublicId)).toMatchObject({ kind: 'project', parentId: null });
    expect(bx.listWorkspaces(w.state, { account_id: O }, ctx).result.map((x) => x.workspaceName)).toEqual(['ws']);
    const r = bx.renameWorkspace(w.state, { account_id: O, workspace_id: w.result.workspacePublicId, workspaceName: 'ws2' }, ctx);
    expect(r.result.workspaceName).toBe('ws2');
    const f = bx.createFolder(r.state, { account_id: O, name: 'f' }, ctx);
    expectRefused(() => bx.deleteWorkspace(f.state, { account_id: O, workspace_id: f.result.id }, ctx), 'project_not_found', 404);
    expect(bx.deleteWorkspace(r.state, { account_id: O, workspace_id: w.result.workspacePublicId }, ctx).state.count('node', O)).toBe(0);
  });
});

describe('resources in projects and folders', () => {
  it('associates with many projects and folders, dissociates, lists by workspace', () => {
    const ctx = context();
    const f = bx.createFolder(fresh(), { account_id: O, name: 'f' }, ctx);
    const p1 = bx.createProject(f.state, { account_id: O, name: 'p1', parentId: f.result.id }, ctx);
    const p2 = bx.createProject(p1.state, { account_id: O, name: 'p2' }, ctx);
    const r = bx.createResource(p2.state, { account_id: O, resourceType: 'volume', cloud_id: 'vm-1', 'x-agent-id': 'ag1', projects: [p1.result.id] }, ctx);
    expect(r.result).toMatchObject({ resourceType: 'volume', cloud_id: 'vm-1', agentId: 'ag1', projects: [p1.result.id] });
    const a = bx.associateResource(r.state, { account_id: O, resource_id: r.result.resourceId, projects: [p2.result.id], folders: [f.result.id] }, ctx);
    expect(a.result.projects).toEqual([p1.result.id, p2.result.id]);
    expect(a.result.folders).toEqual([f.result.id]);
    valid(a.state);
    expect(bx.listResources(a.state, { account: O, workspace: p2.result.id }, ctx).result).toHaveLength(1);
    const d = bx.dissociateResource(a.state, { account_id: O, resource_id: r.result.resourceId, projects: [p1.result.id] }, ctx);
    expect(d.result.projects).toEqual([p2.result.id]);
    const freed = bx.removeResourceFromAgent(d.state, { account_id: O, resource_id: r.result.resourceId }, ctx);
    expect(freed.result.agentId).toBeUndefined();
    valid(freed.state);
  });
  it('refuses unknown projects, a folder given as a project, an unknown agent and an unknown resource', () => {
    const ctx = context();
    const f = bx.createFolder(fresh(), { account_id: O, name: 'f' }, ctx);
    const e = expectRefused(
      () => bx.createResource(f.state, { account_id: O, resourceType: 'volume', cloud_id: 'vm-1', projects: ['nope', f.result.id], 'x-agent-id': 'admin' }, ctx),
      'invalid_request',
      400,
    );
    expect((e.details?.['issues'] as unknown[]).length).toBe(3);
    expectRefused(() => bx.associateResource(f.state, { account_id: O, resource_id: 'nope', folders: [f.result.id] }, ctx), 'resource_not_found', 404);
  });
});

describe('users, service accounts and agents', () => {
  it('creates a user with its first role and refuses a known email', () => {
    const ctx = context();
    const u = bx.createUser(fresh(), { account_id: O, email: 'new@example.com', roleId: 'r-viewer' }, ctx);
    expect(u.result.roles).toMatchObject([{ roleId: 'r-viewer', nodeId: O }]);
    valid(u.state);
    expectRefused(() => bx.createUser(u.state, { account_id: O, email: 'NEW@example.com', roleId: 'r-viewer' }, ctx), 'user_exists', 409);
    expectRefused(() => bx.createUser(u.state, { account_id: O, email: 'x@example.com' } as never, ctx), 'invalid_request', 400);
  });
  it('deletes a user with its bindings and memberships; agents with resources are kept', () => {
    const ctx = context();
    const gone = bx.deleteUser(fresh(), { account_id: O, principal_id: 'viewer' }, ctx);
    expect(gone.state.get('binding', 'b-viewer')).toBeUndefined();
    expect(gone.state.get('group', `${O}/idp-ops`)!.members).toEqual([]);
    valid(gone.state);
    const r = bx.createResource(fresh(), { account_id: O, resourceType: 'volume', cloud_id: 'vm-1', 'x-agent-id': 'ag1' }, ctx);
    expectRefused(() => bx.deleteAgent(r.state, { account_id: O, principal_id: 'ag1' }, ctx), 'agent_has_resources', 409);
    expectRefused(() => bx.deleteUser(fresh(), { account_id: O, principal_id: 'ag1' }, ctx), 'user_not_found', 404);
  });
  it('creates a service account with an optional role and an agent with projects', () => {
    const ctx = context();
    const s = bx.createServiceAccount(fresh(), { account_id: O, name: 'ci', roleId: 'r-viewer' }, ctx);
    expect(s.result).toMatchObject({ kind: 'service', roles: [{ roleId: 'r-viewer' }] });
    const p = bx.createProject(s.state, { account_id: O, name: 'p' }, ctx);
    const a = bx.createAgent(p.state, { account_id: O, name: 'connector', projects: [p.result.id] }, ctx);
    expect(a.result).toMatchObject({ kind: 'agent', projects: [p.result.id] });
    valid(a.state);
    expectRefused(() => bx.createAgent(p.state, { account_id: O, name: 'c', projects: ['nope'] }, ctx), 'invalid_request', 400);
  });
});

describe('user groups', () => {
  it('creates a federated group, adds and removes members, deletes it with its bindings', () => {
    const ctx = context();
    const g = bx.createUserGroup(fresh(), { account_id: O, name: 'idp-eng', federated: true }, ctx);
    expect(g.result.federated).toBe(true);
    const m = bx.addUserGroupMembers(g.state, { account_id: O, group_id: g.result.id, members: ['viewer', 'admin'] }, ctx);
    expect(m.result.members).toEqual(['viewer', 'admin']);
    const b = bx.createRoleBinding(m.state, { account_id: O, subject: { kind: 'group', id: g.result.id }, roleId: 'r-viewer' }, ctx);
    const r = bx.removeUserGroupMember(b.state, { account_id: O, group_id: g.result.id, member_id: 'admin' }, ctx);
    expectRefused(() => bx.removeUserGroupMember(r.state, { account_id: O, group_id: g.result.id, member_id: 'admin' }, ctx), 'member_not_found', 404);
    const d = bx.deleteUserGroup(r.state, { account_id: O, group_id: g.result.id }, ctx);
    expect(d.state.get('binding', b.result.id)).toBeUndefined();
    valid(d.state);
    expectRefused(() => bx.createUserGroup(fresh(), { account_id: O, name: 'OPS' }, ctx), 'name_conflict', 409);
    expectRefused(() => bx.addUserGroupMembers(fresh(), { account_id: O, group_id: 'idp-ops', members: ['ag1', 'nope'] }, ctx), 'invalid_request', 400);
  });
});

describe('role bindings', () => {
  it('binds at a folder, with an expiry, and to a federated group', () => {
    const ctx = context();
    const f = bx.createFolder(fresh(), { account_id: O, name: 'f' }, ctx);
    const b = bx.createRoleBinding(f.state, { account_id: O, subject: { kind: 'principal', id: 'viewer' }, roleId: 'r-folder-admin', nodeId: f.result.id, expiresAt: '2026-01-01T00:00:00Z' }, ctx);
    expect(b.result).toMatchObject({ nodeId: f.result.id, expiresAt: '2026-01-01T00:00:00Z' });
    const g = bx.createRoleBinding(b.state, { account_id: O, subject: { kind: 'group', id: 'idp-ops' }, roleId: 'r-viewer', nodeId: f.result.id }, ctx);
    valid(g.state);
    expect(bx.listRoleBindings(g.state, { account_id: O, nodeId: f.result.id }, ctx).result.bindings).toHaveLength(2);
  });
  it('keeps the organization admin at the root and alone', () => {
    const ctx = context();
    const f = bx.createFolder(fresh(), { account_id: O, name: 'f' }, ctx);
    expectRefused(() => bx.createRoleBinding(f.state, { account_id: O, subject: { kind: 'principal', id: 'idle' }, roleId: 'r-org-admin', nodeId: f.result.id }, ctx), 'organization_admin_not_at_root', 400);
    expectRefused(() => bx.createRoleBinding(f.state, { account_id: O, subject: { kind: 'principal', id: 'viewer' }, roleId: 'r-org-admin' }, ctx), 'organization_admin_exclusive', 400);
    expectRefused(() => bx.createRoleBinding(f.state, { account_id: O, subject: { kind: 'principal', id: 'admin' }, roleId: 'r-viewer', nodeId: f.result.id }, ctx), 'organization_admin_exclusive', 400);
  });
  it('refuses duplicates, past expiries, agents, unknown roles and nodes', () => {
    const ctx = context();
    expectRefused(() => bx.createRoleBinding(fresh(), { account_id: O, subject: { kind: 'principal', id: 'viewer' }, roleId: 'r-viewer' }, ctx), 'binding_exists', 409);
    const e = expectRefused(
      () => bx.createRoleBinding(fresh(), { account_id: O, subject: { kind: 'principal', id: 'ag1' }, roleId: 'pg', nodeId: 'nope', expiresAt: '2020-01-01T00:00:00Z' }, ctx),
      'invalid_request',
      400,
    );
    expect((e.details?.['issues'] as unknown[]).length).toBe(4);
  });
  it('refuses removing a user’s last role, allows it when another remains', () => {
    const ctx = context();
    expectRefused(() => bx.deleteRoleBinding(fresh(), { account_id: O, binding_id: 'b-viewer' }, ctx), 'last_role_binding', 409);
    const more = bx.createRoleBinding(fresh(), { account_id: O, subject: { kind: 'principal', id: 'viewer' }, roleId: 'r-folder-admin' }, ctx);
    const gone = bx.deleteRoleBinding(more.state, { account_id: O, binding_id: 'b-viewer' }, ctx);
    expect(gone.state.get('binding', 'b-viewer')).toBeUndefined();
    expectRefused(() => bx.deleteRoleBinding(fresh(), { account_id: O, binding_id: 'nope' }, ctx), 'binding_not_found', 404);
  });
});

describe('authorize-user-is-in-account / authorize-agent-in-account', () => {
  // seed 001: "The API endpoint 'authorize-user-is-in-account' only accepts the parameter 'accountId'. [...] The
  // 'authorization' header contains the user token identifying the user."
  it('answers whether the caller (an active user) and an agent belong to the account', () => {
    const as = (id: string, accountId = O): ManageContext => ({ ...context(), actor: { kind: 'subject', id, accountId } });
    const s = fresh();
    expect(authorizeUserInAccount(s, { account_id: O }, as('viewer')).result).toEqual({ authorized: true });
    expect(authorizeUserInAccount(s, { account_id: O }, as('idle')).result).toEqual({ authorized: false });
    expect(authorizeUserInAccount(s, { account_id: O }, as('other')).result).toEqual({ authorized: false });
    expect(authorizeUserInAccount(s, { account_id: 'nope' }, as('viewer')).result).toEqual({ authorized: false });
    // the host's own actor is no user
    expect(authorizeUserInAccount(s, { account_id: O }, context()).result).toEqual({ authorized: false });
    // the user is never an input
    expectRefused(() => authorizeUserInAccount(s, { account_id: O, user_id: 'viewer' } as never, as('other')), 'invalid_request', 400);
    expect(authorizeAgentInAccount(s, { account_id: O, 'x-agent-id': 'ag1' }, as('viewer')).result).toEqual({ authorized: true });
    expect(authorizeAgentInAccount(s, { account_id: O, 'x-agent-id': 'ag1' }, as('other')).result).toEqual({ authorized: false });
    expect(authorizeAgentInAccount(s, { account_id: O, 'x-agent-id': 'ag1' }, context()).result).toEqual({ authorized: true });
    expect(authorizeAgentInAccount(s, { account_id: O, 'x-agent-id': 'viewer' }, as('viewer')).result).toEqual({ authorized: false });
    expectRefused(() => authorizeAgentInAccount(s, { account_id: O } as never, context()), 'invalid_request', 400);
    expectRefused(() => authorizeAgentInAccount(s, { account_id: O, 'x-agent-id': 'ag1', user_id: 'viewer' } as never, context()), 'invalid_request', 400);
  });
});

describe('property: any sequence of operations keeps a valid source; a refusal changes nothing', () => {
  const nodePool = [O, 'nope', ...Array.from({ length: 15 }, (_, i) => [`folder-${i + 1}`, `project-${i + 1}`]).flat()];
  const node = fc.constantFrom(...nodePool);
  const parent = fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: node });
  const at = fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: node });
  const principal = fc.constantFrom('admin', 'viewer', 'idle', 'ag1', 'nope', 'user-3', 'service-4');
  const role = fc.constantFrom('r-org-admin', 'r-folder-admin', 'r-viewer', 'pg');
  const acct = fc.constantFrom(O, O, O, O, O, 'org2');
  const name = fc.integer({ min: 0, max: 40 }).map((i) => `n${i}`);
  const op = fc.oneof(
    fc.record({ name: fc.constant('createFolder'), input: fc.record({ account_id: acct, name, parentId: parent }) }),
    fc.record({ name: fc.constant('createProject'), input: fc.record({ account_id: acct, name, parentId: parent }) }),
    fc.record({ name: fc.constant('moveNode'), input: fc.record({ account_id: acct, node_id: node, parentId: parent }) }),
    fc.record({ name: fc.constant('deleteNode'), input: fc.record({ account_id: acct, node_id: node }) }),
    fc.record({ name: fc.constant('createResource'), input: fc.record({ account_id: acct, 'x-agent-id': fc.constantFrom('ag1', 'admin'), cloud_id: fc.constantFrom('vm-1', ''), resourceType: fc.constant('volume'), projects: fc.array(node, { maxLength: 2 }), folders: fc.array(node, { maxLength: 1 }) }) }),
    fc.record({ name: fc.constant('associateResource'), input: fc.record({ account_id: acct, resource_id: fc.constantFrom('resource-1', 'resource-2', 'resource-3'), projects: fc.array(node, { maxLength: 2 }) }) }),
    fc.record({ name: fc.constant('setAgentProjects'), input: fc.record({ account_id: acct, principal_id: principal, projects: fc.array(node, { maxLength: 2 }) }) }),
    fc.record({ name: fc.constant('createUser'), input: fc.record({ account_id: acct, email: fc.constantFrom('x@y.io', 'z@y.io'), roleId: role, nodeId: at }) }),
    fc.record({ name: fc.constant('deleteUser'), input: fc.record({ account_id: acct, principal_id: principal }) }),
    fc.record({ name: fc.constant('createRoleBinding'), input: fc.record({ account_id: acct, subject: fc.record({ kind: fc.constantFrom('principal', 'group'), id: fc.constantFrom('admin', 'viewer', 'idp-ops', 'ag1') }), roleId: role, nodeId: at }) }),
    fc.record({ name: fc.constant('deleteRoleBinding'), input: fc.record({ account_id: acct, binding_id: fc.constantFrom('b-admin', 'b-viewer', ...Array.from({ length: 6 }, (_, i) => `binding-${i + 1}`)) }) }),
    fc.record({ name: fc.constant('deleteUserGroup'), input: fc.record({ account_id: acct, group_id: fc.constantFrom('idp-ops', 'nope') }) }),
  );

  it('holds', () => {
    let succeeded = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 5, maxLength: 30 }), (ops) => {
        let state = fresh();
        const ctx = context();
        for (const { name, input } of ops) {
          const before = JSON.stringify(state.toSource());
          try {
            const f = bx[name as keyof typeof bx] as (s: SourceState, i: unknown, c: ManageContext) => { state: SourceState };
            state = f(state, input, ctx).state;
            parseSource(state.toSource());
            succeeded++;
          } catch (e) {
            if (!(e instanceof SeedError)) throw e;
            expect(JSON.stringify(state.toSource())).toBe(before);
          }
        }
      }),
      { numRuns: 200 },
    );
    // the sequences must reach deep enough to matter: a good share of the operations succeed
    expect(succeeded).toBeGreaterThan(200);
  });
});
