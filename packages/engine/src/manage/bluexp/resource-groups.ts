// BlueXP IAM `resourcegroup` component (seed 000 names it beside `resource`): a resource group is a set of resources
// managed together. The model keeps the implicit ones only: the organization (every resource of it), each folder
// (the resources associated with it or with a folder or project below it) and each project (its resources). Their
// ids are the node ids (the organization's is the account id). Read-only: they follow the hierarchy and the
// resources' associations, which the hierarchy and resource operations change. Explicit resource groups (resources
// from different places grouped by hand) are not modelled: the seed gives them no shape.
import { z } from 'zod';
import { SeedError } from '../../errors.js';
import type { HierarchyNode, RegisteredResource } from '../../model/source.js';
import { bluexpAccount, descendantsOf } from './common.js';
import { parseInput } from '../input.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';
import { BLUEXP_CODES } from '../access/codes.js';
import { defineOperation, type DefinedOperation } from '../define-operation.js';
import type { GuardRules } from '../access/guard.js';
import { accountTarget, nodeTarget } from '../access/targets.js';
import type { Change } from '../../model/entities.js';
import { account, BLUEXP_ACTIONS, resourceAt } from './guards.js';
import { type Loose } from '../access/loose-input.js';

/**
 * Set by the access check, never by a caller: the actor may not read the organization's own group (the operation
 * synthesizes it, so a narrowed state alone cannot hide it). A symbol, so no JSON input can carry it.
 */
export const ORGANIZATION_GROUP_HIDDEN: unique symbol = Symbol('portcullis.organizationGroupHidden');

/** An implicit resource group: where it is, and the ids of its resources. */
export interface BluexpResourceGroup {
  resourceGroupId: string;
  kind: 'organization' | 'folder' | 'project';
  name?: string;
  resources: string[];
}

function groupOf(state: SourceState, accountId: string, node: HierarchyNode | undefined, resources: RegisteredResource[]): BluexpResourceGroup {
  if (node === undefined) return { resourceGroupId: accountId, kind: 'organization', resources: resources.map((r) => r.id) };
  const places = new Set([node.id, ...descendantsOf(state, node).map((d) => d.node.id)]);
  const inside = resources.filter((r) => r.projects.some((p) => places.has(p)) || r.folders.some((f) => places.has(f)));
  const out: BluexpResourceGroup = { resourceGroupId: node.id, kind: node.kind, resources: inside.map((r) => r.id) };
  if (node.name !== undefined) out.name = node.name;
  return out;
}

type Hidden = { [ORGANIZATION_GROUP_HIDDEN]?: boolean };

/** The implicit resource groups the actor may read: `resource:read` at the node, and of their resources those it may read. */
const resourceGroupsReadable: GuardRules<unknown> = {
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

const listSchema = z.object({ account_id: z.string().min(1) }).strict();
/** The input of listResourceGroups: the query, and the mark only the access check sets. */
export type ListResourceGroupsInput = z.input<typeof listSchema> & Hidden;

/** Lists the organization's implicit resource groups (organization, folders, projects) with their resources. */
export const listResourceGroups: DefinedOperation<ListResourceGroupsInput, BluexpResourceGroup[]> = defineOperation({
  name: 'listResourceGroups',
  codes: BLUEXP_CODES,
  input: listSchema,
  guard: resourceGroupsReadable,
  run(state: SourceState, input: ListResourceGroupsInput, _ctx: ManageContext): OpResult<BluexpResourceGroup[]> {
    const q = parseInput(listSchema, input);
    bluexpAccount(state, q.account_id);
    const resources = state.list('resource', q.account_id);
    const rows = state.list('node', q.account_id).map((n) => groupOf(state, q.account_id, n, resources));
    if (input[ORGANIZATION_GROUP_HIDDEN] !== true) rows.unshift(groupOf(state, q.account_id, undefined, resources));
    return done(state, rows, []);
  },
});

const getSchema = z.object({ account_id: z.string().min(1), resource_group_id: z.string().min(1) }).strict();
/** The input of getResourceGroup: the query, and the mark only the access check sets. */
export type GetResourceGroupInput = z.input<typeof getSchema> & Hidden;

/** Reads one implicit resource group with its resources; 404 `resource_group_not_found`. */
export const getResourceGroup: DefinedOperation<GetResourceGroupInput, BluexpResourceGroup> = defineOperation({
  name: 'getResourceGroup',
  codes: BLUEXP_CODES,
  input: getSchema,
  guard: resourceGroupsReadable,
  run(state: SourceState, input: GetResourceGroupInput, _ctx: ManageContext): OpResult<BluexpResourceGroup> {
    const q = parseInput(getSchema, input);
    bluexpAccount(state, q.account_id);
    const resources = state.list('resource', q.account_id);
    if (q.resource_group_id === q.account_id && input[ORGANIZATION_GROUP_HIDDEN] !== true) return done(state, groupOf(state, q.account_id, undefined, resources), []);
    const node = state.get('node', q.resource_group_id);
    if (!node || node.accountId !== q.account_id) throw new SeedError('resource_group_not_found', 404, `resource group \`${q.resource_group_id}\` not found`);
    return done(state, groupOf(state, q.account_id, node, resources), []);
  },
});
