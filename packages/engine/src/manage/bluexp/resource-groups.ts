// BlueXP IAM `resourcegroup` component (seed 000 names it beside `resource`): a resource group is a set of resources
// managed together. The model keeps the implicit ones only: the organization (every resource of it), each folder
// (the resources associated with it or with a folder or project below it) and each project (its resources). Their
// ids are the node ids (the organization's is the account id). Read-only: they follow the hierarchy and the
// resources' associations, which the hierarchy and resource operations change. Explicit resource groups (resources
// from different places grouped by hand) are not modelled: the seed gives them no shape.
import { z } from 'zod';
import { SeedError } from '../../errors.js';
import type { HierarchyNode, RegisteredResource } from '../../model/source.js';
import { bluexpAccount, descendantsOf, parseBody } from './common.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';

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
const listSchema = z.object({ account_id: z.string().min(1) }).strict();

/** Lists the organization's implicit resource groups (organization, folders, projects) with their resources. */
export function listResourceGroups(state: SourceState, input: z.input<typeof listSchema> & Hidden, _ctx: ManageContext): OpResult<BluexpResourceGroup[]> {
  const q = parseBody(listSchema, input);
  bluexpAccount(state, q.account_id);
  const resources = state.list('resource', q.account_id);
  const rows = state.list('node', q.account_id).map((n) => groupOf(state, q.account_id, n, resources));
  if (input[ORGANIZATION_GROUP_HIDDEN] !== true) rows.unshift(groupOf(state, q.account_id, undefined, resources));
  return done(state, rows, []);
}

const getSchema = z.object({ account_id: z.string().min(1), resource_group_id: z.string().min(1) }).strict();

/** Reads one implicit resource group with its resources; 404 `resource_group_not_found`. */
export function getResourceGroup(state: SourceState, input: z.input<typeof getSchema> & Hidden, _ctx: ManageContext): OpResult<BluexpResourceGroup> {
  const q = parseBody(getSchema, input);
  bluexpAccount(state, q.account_id);
  const resources = state.list('resource', q.account_id);
  if (q.resource_group_id === q.account_id && input[ORGANIZATION_GROUP_HIDDEN] !== true) return done(state, groupOf(state, q.account_id, undefined, resources), []);
  const node = state.get('node', q.resource_group_id);
  if (!node || node.accountId !== q.account_id) throw new SeedError('resource_group_not_found', 404, `resource group \`${q.resource_group_id}\` not found`);
  return done(state, groupOf(state, q.account_id, node, resources), []);
}
