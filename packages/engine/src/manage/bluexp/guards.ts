// The guard shapes of the BlueXP IAM and Tenancy operations (seeds 000, 001), each operation names its own beside
// it: a `<type>:<action>` permission at the node
// the operation acts on, so a folder-or-project admin acts only at or below the nodes they administer (the
// evaluator's folder path reaches folders for admin roles only); people, service accounts, groups and agents are
// managed at the organization, and agents by an organization admin alone. Tenancy: migration is an organization-admin
// act on both organizations, account options are read with `accounts:read` at the organization and changed by an
// organization admin; a user opts itself in to notifications (or one who may `user:update` does it for it); agent
// and account resources need `resource:create` where they go (account resources: the organization too).
import { compile } from '../../compile/compile-source.js';
import type { RequestResource } from '../../evaluate/types.js';
import { entityKey, type Change } from '../../model/entities.js';
import { BLUEXP_CODES } from '../access/codes.js';
import { createGate } from '../access/gate.js';
import type { Gate, GuardRules } from '../access/guard.js';
import { field, str } from '../access/loose-input.js';
import { accountTarget, nodeTarget } from '../access/targets.js';
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


/**
 * The organization an input names: `account_id`, or `account` (the query parameter of the resource listing). An input
 * naming two organizations is refused: the guard and the operation must read the same one.
 */
export function account(gate: Gate, input: unknown): string {
  const byId = str(field(input, 'account_id'));
  const byQuery = str(field(input, 'account'));
  if (byId !== undefined && byQuery !== undefined && byId !== byQuery) throw gate.forbidden();
  return byId ?? byQuery ?? gate.actor.accountId;
}

/** Where a registered resource lives, with its agent (whose projects bound a non-organization admin), as a request resource; the organization when it is unknown. */
export function resourceAt(state: SourceState, accountId: string, id: unknown): RequestResource {
  const r = typeof id === 'string' ? state.get('resource', id) : undefined;
  if (!r || r.accountId !== accountId) return accountTarget(accountId);
  return { attributes: { accountId }, projects: r.projects, folders: r.folders, ...(r.agentId !== undefined ? { agentId: r.agentId } : {}) };
}

/** The nodes an input names in `projects` and `folders`, or the organization when it names none. */
export function placesOf(gate: Gate, input: unknown): RequestResource[] {
  const accountId = account(gate, input);
  const ids = [field(input, 'projects'), field(input, 'folders')].flatMap((v) => (Array.isArray(v) ? v : [])).filter((v): v is string => typeof v === 'string');
  return ids.length === 0 ? [accountTarget(accountId)] : ids.map((id) => nodeTarget(gate.state, accountId, id));
}

/** `action` at the organization. */
export const atOrg = (action: string): GuardRules<unknown> => ({ check: (gate, input) => gate.require(action, accountTarget(account(gate, input))) });
/** `action` at the node named by `name` (the organization when absent or null). */
export const atNode = (action: string, name: string): GuardRules<unknown> => ({
  check: (gate, input) => gate.require(action, nodeTarget(gate.state, account(gate, input), str(field(input, name)))),
});
/** `action` by an organization admin, at the organization. */
export const byOrgAdmin = (action: string): GuardRules<unknown> => ({
  check(gate, input) {
    if (!gate.mayAsOrganizationAdmin(action, accountTarget(account(gate, input)))) throw gate.forbidden();
  },
});

/**
 * The gate with SaaS on in `accountId`: SaaS off closes the organization's portal, and so every decision in it
 * (SEMANTICS §0.1), but not the switch that opens it again. The account options are decided as if SaaS were on, by
 * the same evaluator over tables compiled with it on (rare: only while it is off).
 */
export function withSaasOn(gate: Gate, accountId: string): Gate {
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
export const byConnector: GuardRules<unknown> = {
  check(gate, input) {
    const accountId = account(gate, input);
    const agent = gate.state.get('principal', `${accountId}/${gate.actor.id}`);
    if (gate.actor.accountId !== accountId || str(field(input, 'x-agent-id')) !== gate.actor.id || agent?.kind !== 'agent' || agent.status !== 'active')
      throw gate.forbidden();
    const projects = field(input, 'projects');
    const folders = field(input, 'folders');
    if (Array.isArray(folders) && folders.length > 0) throw gate.forbidden();
    if (Array.isArray(projects) && projects.some((p) => typeof p !== 'string' || !agent.projects.includes(p))) throw gate.forbidden();
  },
};

/** May the actor read role bindings at the organization or at some node of it (whoever assigns roles somewhere)? */
function readsBindingsSomewhere(gate: Gate, accountId: string): boolean {
  if (gate.may(BLUEXP_ACTIONS.bindingRead, accountTarget(accountId))) return true;
  return gate.state.list('node', accountId).some((n) => gate.may(BLUEXP_ACTIONS.bindingRead, nodeTarget(gate.state, accountId, n.id)));
}

/** Whoever reads role bindings at the organization or at some node of it (the permission component's readers). */
export const readsBindingsAnywhere: GuardRules<unknown> = {
  check(gate, input) {
    if (!readsBindingsSomewhere(gate, account(gate, input))) throw gate.forbidden();
  },
};


/** A state without the rows of one entity that `keep` refuses. */
export function keepOnly<E extends 'node' | 'resource' | 'binding' | 'principal' | 'group'>(gate: Gate, entity: E, accountId: string, keep: (row: never) => boolean): SourceState {
  const drop: Change[] = [];
  for (const row of gate.state.list(entity, accountId)) if (!keep(row as never)) drop.push({ op: 'delete', entity, key: entityKey(entity, row as never) });
  return drop.length === 0 ? gate.state : gate.state.with(drop);
}

/** A listing of principals or groups: all of them for whoever may `action` at the organization, none for anyone else. */
export const readAtOrg = (action: string, entity: 'principal' | 'group'): GuardRules<unknown> => ({
  check: () => undefined,
  narrow(gate, input) {
    const accountId = account(gate, input);
    const all = gate.may(action, accountTarget(accountId));
    return keepOnly(gate, entity, accountId, () => all);
  },
});
