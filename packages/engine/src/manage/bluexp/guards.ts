// The guards of the BlueXP IAM and Tenancy operations (seeds 000, 001): a `<type>:<action>` permission at the node
// the operation acts on, so a folder-or-project admin acts only at or below the nodes they administer (the
// evaluator's folder path reaches folders for admin roles only); people, service accounts, groups and agents are
// managed at the organization, and agents by an organization admin alone. Tenancy: migration is an organization-admin
// act on both organizations, account options are read with `accounts:read` at the organization and changed by an
// organization admin; a user opts itself in to notifications (or one who may `user:update` does it for it); agent
// and account resources need `resource:create` where they go (account resources: the organization too).
import { compile } from '../../compile/compile-source.js';
import type { RequestResource } from '../../evaluate/types.js';
import type { HierarchyNode, RegisteredResource } from '../../model/source.js';
import { entityKey, type Change } from '../../model/entities.js';
import { BLUEXP_CODES } from '../access/codes.js';
import { createGate } from '../access/gate.js';
import type { Gate, Guard, GuardRegistry } from '../access/guard.js';
import { accountTarget, nodeTarget } from '../access/targets.js';
import { bluexpOperations as bx } from './operations.js';
import { ORGANIZATION_GROUP_HIDDEN } from './resource-groups.js';
import type { SourceState } from '../../model/source-state.js';

/** The BlueXP permissions the management operations need, in the seed's `<type>:<action>` form. */
export const BLUEXP_ACTIONS = {
  hierarchyRead: 'hierarchy:read',
  hierarchyCreate: 'hierarchy:create',
  hierarchyUpdate: 'hierarchy:update',
  hierarchyDelete: 'hierarchy:delete',
  workspaceRead: 'workspace:read',
  workspaceCreate: 'workspace:create',
  workspaceUpdate: 'workspace:update',
  workspaceDelete: 'workspace:delete',
  resourceRead: 'resource:read',
  resourceCreate: 'resource:create',
  resourceUpdate: 'resource:update',
  resourceDelete: 'resource:delete',
  userRead: 'user:read',
  userCreate: 'user:create',
  userUpdate: 'user:update',
  userDelete: 'user:delete',
  serviceAccountCreate: 'serviceaccount:create',
  serviceAccountUpdate: 'serviceaccount:update',
  serviceAccountDelete: 'serviceaccount:delete',
  agentCreate: 'agent:create',
  agentUpdate: 'agent:update',
  agentDelete: 'agent:delete',
  userGroupRead: 'usergroup:read',
  userGroupCreate: 'usergroup:create',
  userGroupUpdate: 'usergroup:update',
  userGroupDelete: 'usergroup:delete',
  bindingRead: 'rolebinding:read',
  bindingCreate: 'rolebinding:create',
  bindingDelete: 'rolebinding:delete',
  accountsRead: 'accounts:read',
  accountsUpdate: 'accounts:update',
  accountsMigrate: 'accounts:migrate',
} as const;

type Loose = Record<string, unknown>;
const field = (input: unknown, name: string): unknown => (input as Loose | null)?.[name];
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The organization an input names: `account_id`, or `account` (the query parameter of the resource listing). An input
 * naming two organizations is refused: the guard and the operation must read the same one.
 */
function account(gate: Gate, input: unknown): string {
  const byId = str(field(input, 'account_id'));
  const byQuery = str(field(input, 'account'));
  if (byId !== undefined && byQuery !== undefined && byId !== byQuery) throw gate.forbidden();
  return byId ?? byQuery ?? gate.actor.accountId;
}

/** Where a registered resource lives, with its agent (whose projects bound a non-organization admin), as a request resource; the organization when it is unknown. */
function resourceAt(state: SourceState, accountId: string, id: unknown): RequestResource {
  const r = typeof id === 'string' ? state.get('resource', id) : undefined;
  if (!r || r.accountId !== accountId) return accountTarget(accountId);
  return { attributes: { accountId }, projects: r.projects, folders: r.folders, ...(r.agentId !== undefined ? { agentId: r.agentId } : {}) };
}

/** The nodes an input names in `projects` and `folders`, or the organization when it names none. */
function placesOf(gate: Gate, input: unknown): RequestResource[] {
  const accountId = account(gate, input);
  const ids = [field(input, 'projects'), field(input, 'folders')].flatMap((v) => (Array.isArray(v) ? v : [])).filter((v): v is string => typeof v === 'string');
  return ids.length === 0 ? [accountTarget(accountId)] : ids.map((id) => nodeTarget(gate.state, accountId, id));
}

function guard<I>(check: (gate: Gate, input: I) => void, narrow?: Guard<I, unknown>['narrow']): Guard<I, unknown> {
  return narrow === undefined ? { codes: BLUEXP_CODES, check } : { codes: BLUEXP_CODES, check, narrow };
}

/** `action` at the organization. */
const atOrg = (action: string) => guard((gate, input) => gate.require(action, accountTarget(account(gate, input))));
/** `action` at the node named by `name` (the organization when absent or null). */
const atNode = (action: string, name: string) =>
  guard((gate, input) => gate.require(action, nodeTarget(gate.state, account(gate, input), str(field(input, name)))));
/** `action` by an organization admin, at the organization. */
const byOrgAdmin = (action: string) =>
  guard((gate, input) => {
    if (!gate.mayAsOrganizationAdmin(action, accountTarget(account(gate, input)))) throw gate.forbidden();
  });

/**
 * The gate with SaaS on in `accountId`: SaaS off closes the organization's portal, and so every decision in it
 * (SEMANTICS §0.1), but not the switch that opens it again. The account options are decided as if SaaS were on, by
 * the same evaluator over tables compiled with it on (rare: only while it is off).
 */
function withSaasOn(gate: Gate, accountId: string): Gate {
  const a = gate.state.get('account', accountId);
  if (a === undefined || a.system !== 'bluexp' || a.options.saasEnabled) return gate;
  const state = gate.state.with([{ op: 'put', entity: 'account', value: { ...a, options: { ...a.options, saasEnabled: true } } }]);
  return createGate(gate.actor, state, compile(state.toSource()), gate.now, BLUEXP_CODES);
}

/**
 * Only a Connector discovers and creates resources (seed 001: "From the view of an external BlueXP user, only the
 * Connector can discover and create resources"): the actor is the active agent `x-agent-id` names, acting in its
 * organization, and it places the resource in projects it serves (none: the organization); associating folders and
 * more projects is the administrators' part (associateResource).
 */
const byConnector = guard((gate, input) => {
  const accountId = account(gate, input);
  const agent = gate.state.get('principal', `${accountId}/${gate.actor.id}`);
  if (gate.actor.accountId !== accountId || str(field(input, 'x-agent-id')) !== gate.actor.id || agent?.kind !== 'agent' || agent.status !== 'active')
    throw gate.forbidden();
  const projects = field(input, 'projects');
  const folders = field(input, 'folders');
  if (Array.isArray(folders) && folders.length > 0) throw gate.forbidden();
  if (Array.isArray(projects) && projects.some((p) => typeof p !== 'string' || !agent.projects.includes(p))) throw gate.forbidden();
});

/** May the actor read role bindings at the organization or at some node of it (whoever assigns roles somewhere)? */
function readsBindingsSomewhere(gate: Gate, accountId: string): boolean {
  if (gate.may(BLUEXP_ACTIONS.bindingRead, accountTarget(accountId))) return true;
  return gate.state.list('node', accountId).some((n) => gate.may(BLUEXP_ACTIONS.bindingRead, nodeTarget(gate.state, accountId, n.id)));
}

/** The implicit resource groups the actor may read: `resource:read` at the node, and of their resources those it may read. */
const resourceGroupsReadable: Guard<unknown, unknown> = {
  codes: BLUEXP_CODES,
  check: () => undefined,
  rewrite(gate, input) {
    const accountId = account(gate, input);
    if (gate.may(BLUEXP_ACTIONS.resourceRead, accountTarget(accountId))) return input;
    return { ...(input as Loose), [ORGANIZATION_GROUP_HIDDEN]: true };
  },
  narrow(gate, input) {
    const accountId = account(gate, input);
    const drop: Change[] = [];
    for (const n of gate.state.list('node', accountId))
      if (!gate.may(BLUEXP_ACTIONS.resourceRead, nodeTarget(gate.state, accountId, n.id))) drop.push({ op: 'delete', entity: 'node', key: n.id });
    for (const r of gate.state.list('resource', accountId))
      if (!gate.may(BLUEXP_ACTIONS.resourceRead, resourceAt(gate.state, accountId, r.id))) drop.push({ op: 'delete', entity: 'resource', key: r.id });
    return drop.length === 0 ? gate.state : gate.state.with(drop);
  },
};

/** A state without the rows of one entity that `keep` refuses. */
function keepOnly<E extends 'node' | 'resource' | 'binding' | 'principal' | 'group'>(gate: Gate, entity: E, accountId: string, keep: (row: never) => boolean): SourceState {
  const drop: Change[] = [];
  for (const row of gate.state.list(entity, accountId)) if (!keep(row as never)) drop.push({ op: 'delete', entity, key: entityKey(entity, row as never) });
  return drop.length === 0 ? gate.state : gate.state.with(drop);
}

const readAtOrg = (action: string, entity: 'principal' | 'group') =>
  guard(
    () => undefined,
    (gate, input) => {
      const accountId = account(gate, input);
      const all = gate.may(action, accountTarget(accountId));
      return keepOnly(gate, entity, accountId, () => all);
    },
  );

/**
 * Migration moves one organization's whole configuration into another: the actor acts in one of the two and is an
 * organization admin of both (its user id is the same in each), and what lands in the target is reviewed as the
 * actor acting there. A dry run shows both organizations' principals, so it needs the same.
 */
const migration = guard((gate, input) => {
  const from = str(field(input, 'account_id')) ?? gate.actor.accountId;
  const to = str(field(input, 'target_account_id')) ?? gate.actor.accountId;
  if (gate.actor.accountId !== from && gate.actor.accountId !== to) throw gate.forbidden();
  for (const a of [from, to]) if (!gate.inAccount(a).mayAsOrganizationAdmin(BLUEXP_ACTIONS.accountsMigrate, accountTarget(a))) throw gate.forbidden();
});
migration.accounts = (gate, input) => [str(field(input, 'account_id')), str(field(input, 'target_account_id'))].filter((a): a is string => a !== undefined && a !== gate.actor.accountId);

/** Registers the guards of every BlueXP IAM and Tenancy operation. */
export function registerBluexpGuards(registry: GuardRegistry): void {
  const A = BLUEXP_ACTIONS;
  const nodesReadable = (gate: Gate, input: unknown) => {
    const accountId = account(gate, input);
    return keepOnly(gate, 'node', accountId, (n: HierarchyNode) => gate.may(A.hierarchyRead, nodeTarget(gate.state, accountId, n.id)));
  };
  registry
    .register(bx.createFolder, atNode(A.hierarchyCreate, 'parentId'))
    .register(bx.createProject, atNode(A.hierarchyCreate, 'parentId'))
    .register(bx.getNode, atNode(A.hierarchyRead, 'node_id'))
    .register(bx.listNodes, guard(() => undefined, nodesReadable))
    .register(bx.renameNode, atNode(A.hierarchyUpdate, 'node_id'))
    .register(
      bx.moveNode,
      guard((gate, input) => {
        const accountId = account(gate, input);
        gate.require(A.hierarchyUpdate, nodeTarget(gate.state, accountId, str(field(input, 'node_id'))));
        gate.require(A.hierarchyCreate, nodeTarget(gate.state, accountId, str(field(input, 'parentId'))));
      }),
    )
    .register(bx.deleteNode, atNode(A.hierarchyDelete, 'node_id'))
    .register(
      bx.listWorkspaces,
      guard(
        () => undefined,
        (gate, input) => {
          const accountId = account(gate, input);
          return keepOnly(gate, 'node', accountId, (n: HierarchyNode) => gate.may(A.workspaceRead, nodeTarget(gate.state, accountId, n.id)));
        },
      ),
    )
    .register(bx.createWorkspace, atOrg(A.workspaceCreate))
    .register(bx.renameWorkspace, atNode(A.workspaceUpdate, 'workspace_id'))
    .register(bx.deleteWorkspace, atNode(A.workspaceDelete, 'workspace_id'))
    .register(bx.createResource, byConnector)
    .register(
      bx.listResources,
      guard(
        () => undefined,
        (gate, input) => {
          const accountId = account(gate, input);
          return keepOnly(gate, 'resource', accountId, (r: RegisteredResource) => gate.may(A.resourceRead, resourceAt(gate.state, accountId, r.id)));
        },
      ),
    )
    .register(
      bx.associateResource,
      guard((gate, input) => {
        gate.require(A.resourceUpdate, resourceAt(gate.state, account(gate, input), field(input, 'resource_id')));
        for (const t of placesOf(gate, input)) gate.require(A.resourceUpdate, t);
      }),
    )
    .register(bx.dissociateResource, guard((gate, input) => gate.require(A.resourceUpdate, resourceAt(gate.state, account(gate, input), field(input, 'resource_id')))))
    .register(bx.removeResourceFromAgent, guard((gate, input) => gate.require(A.resourceUpdate, resourceAt(gate.state, account(gate, input), field(input, 'resource_id')))))
    .register(bx.deleteResource, guard((gate, input) => gate.require(A.resourceDelete, resourceAt(gate.state, account(gate, input), field(input, 'resource_id')))))
    .register(bx.createUser, atOrg(A.userCreate))
    .register(bx.updateUser, atOrg(A.userUpdate))
    .register(bx.deleteUser, atOrg(A.userDelete))
    .register(bx.listPrincipals, readAtOrg(A.userRead, 'principal'))
    .register(bx.createServiceAccount, atOrg(A.serviceAccountCreate))
    .register(bx.updateServiceAccount, atOrg(A.serviceAccountUpdate))
    .register(bx.deleteServiceAccount, atOrg(A.serviceAccountDelete))
    .register(bx.createAgent, byOrgAdmin(A.agentCreate))
    .register(bx.setAgentProjects, byOrgAdmin(A.agentUpdate))
    .register(bx.deleteAgent, byOrgAdmin(A.agentDelete))
    .register(bx.createUserGroup, atOrg(A.userGroupCreate))
    .register(bx.listUserGroups, readAtOrg(A.userGroupRead, 'group'))
    .register(bx.updateUserGroup, atOrg(A.userGroupUpdate))
    .register(bx.deleteUserGroup, atOrg(A.userGroupDelete))
    .register(bx.addUserGroupMembers, atOrg(A.userGroupUpdate))
    .register(bx.removeUserGroupMember, atOrg(A.userGroupUpdate))
    .register(bx.createRoleBinding, atNode(A.bindingCreate, 'nodeId'))
    .register(
      bx.deleteRoleBinding,
      guard((gate, input) => {
        const accountId = account(gate, input);
        const b = gate.state.get('binding', str(field(input, 'binding_id')) ?? '');
        gate.require(A.bindingDelete, nodeTarget(gate.state, accountId, b?.accountId === accountId ? b.nodeId : undefined));
      }),
    )
    .register(
      bx.listRoleBindings,
      guard(
        () => undefined,
        (gate, input) => {
          const accountId = account(gate, input);
          return keepOnly(gate, 'binding', accountId, (b: { nodeId: string }) => gate.may(A.bindingRead, nodeTarget(gate.state, accountId, b.nodeId)));
        },
      ),
    )
    // the seed: the caller asks whether it belongs to the account (the user comes from its token, never the input),
    // so it needs no permission; the answer is about itself alone
    .register(
      bx.authorizeUserInAccount,
      guard(() => undefined),
    )
    .register(
      bx.authorizeAgentInAccount,
      guard(() => undefined),
    )
    .register(bx.migrateAccount, migration)
    // seed 001: "SaaS enablement is used to allow an account to have access to the BlueXP portal": off, it still lets
    // its organization admin read the options and turn it on again
    .register(bx.getAccountOptions, guard((gate, input) => withSaasOn(gate, account(gate, input)).require(A.accountsRead, accountTarget(account(gate, input)))))
    .register(
      bx.updateAccountOptions,
      guard((gate, input) => {
        const accountId = account(gate, input);
        if (!withSaasOn(gate, accountId).mayAsOrganizationAdmin(A.accountsUpdate, accountTarget(accountId))) throw gate.forbidden();
      }),
    )
    // the seed: the occm service names the user in `x-user-token`; a user may also opt itself in or out
    .register(
      bx.updateAccountUser,
      guard((gate, input) => {
        const accountId = account(gate, input);
        if (str(field(input, 'x-user-token')) !== gate.actor.id || gate.actor.accountId !== accountId) gate.require(A.userUpdate, accountTarget(accountId));
      }),
    )
    .register(bx.listNotificationRecipients, readAtOrg(A.userRead, 'principal'))
    .register(bx.attachAgentResource, byConnector)
    // the permission and resourcegroup components (seed 000): read-only views decided by the same tables
    .register(bx.listPermissions, guard((gate, input) => { if (!readsBindingsSomewhere(gate, account(gate, input))) throw gate.forbidden(); }))
    .register(bx.getPermission, guard((gate, input) => { if (!readsBindingsSomewhere(gate, account(gate, input))) throw gate.forbidden(); }))
    .register(bx.listResourceGroups, resourceGroupsReadable)
    .register(bx.getResourceGroup, resourceGroupsReadable)
    // a license or persistence resource belongs to the organization, wherever else it is placed
    .register(
      bx.createAccountResource,
      guard((gate, input) => {
        gate.require(A.resourceCreate, accountTarget(account(gate, input)));
        for (const t of placesOf(gate, input)) gate.require(A.resourceCreate, t);
      }),
    )
    .register(bx.deleteServiceResource, guard((gate, input) => gate.require(A.resourceDelete, resourceAt(gate.state, account(gate, input), field(input, 'resource-id')))));
}
