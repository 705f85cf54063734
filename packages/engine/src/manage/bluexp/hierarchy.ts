// BlueXP folders and projects (seed 000, "hierarchy"): organization -> folders (at most 6 deep) -> projects
// (leaves, at level 7 at most). Moves never make a cycle; a node that still holds child nodes, resources or
// agents cannot be deleted.
import { produce } from 'immer';
import { z } from 'zod';
import { SeedError } from '../../errors.js';
import { LIMITS, type HierarchyNode } from '../../model/source.js';
import type { Change } from '../../model/entities.js';
import { bluexpAccount, checkSiblingName, descendantsOf, findNode, freshId, levelOf, storedParent } from './common.js';
import { parseInput } from '../input.js';
import { checkUsersKeepARole } from './role-bindings.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';
import { BLUEXP_CODES } from '../access/codes.js';
import { defineOperation } from '../define-operation.js';
import { nodeTarget } from '../access/targets.js';
import { account, atNode, BLUEXP_ACTIONS, keepOnly } from './guards.js';
import { field, str } from '../access/loose-input.js';

/** A folder or project as the operations return it; `parentId` is the organization id for a top-level node. */
export interface BluexpNode {
  id: string;
  type: 'folder' | 'project';
  name: string;
  parentId: string;
  organizationId: string;
  level: number;
}

/** The view of a node row. */
export function nodeView(state: SourceState, n: HierarchyNode): BluexpNode {
  return { id: n.id, type: n.kind, name: n.name ?? '', parentId: n.parentId ?? n.accountId, organizationId: n.accountId, level: levelOf(state, n) };
}

/**
 * The parent a node may be placed under: the organization (null) or a folder of it (404 `folder_not_found`,
 * 400 `parent_not_folder` for a project). Returns the parent id as stored and the level a child would have.
 */
function checkedParent(state: SourceState, accountId: string, parentId: string | null | undefined): { parent: string | null; level: number } {
  const parent = storedParent(accountId, parentId);
  if (parent === null) return { parent, level: 1 };
  const n = state.get('node', parent);
  if (!n || n.accountId !== accountId) throw new SeedError('folder_not_found', 404, `folder \`${parent}\` not found`);
  if (n.kind !== 'folder') throw new SeedError('parent_not_folder', 400, `\`${parent}\` is a project: projects are leaves`);
  return { parent, level: levelOf(state, n) + 1 };
}

/** Refuses 400 `max_depth_exceeded` when a node of `kind` would sit at `level`. */
function checkLevel(kind: HierarchyNode['kind'], level: number, id: string): void {
  const max = kind === 'folder' ? LIMITS.maxFolderDepth : LIMITS.maxProjectLevel;
  if (level > max)
    throw new SeedError('max_depth_exceeded', 400, `${kind} \`${id}\` would be at level ${level}: ${kind}s are at most at level ${max}`);
}

const nameField = z.string().trim().min(1).max(256);
const createSchema = z.strictObject({ account_id: z.string().min(1), name: nameField, parentId: z.string().min(1).nullable().optional() });

function createNode(state: SourceState, input: unknown, kind: HierarchyNode['kind'], ctx: ManageContext): OpResult<BluexpNode> {
  const q = parseInput(createSchema, input);
  bluexpAccount(state, q.account_id);
  const { parent, level } = checkedParent(state, q.account_id, q.parentId);
  checkLevel(kind, level, q.name);
  checkSiblingName(state, q.account_id, parent, q.name);
  const id = freshId(ctx, `${kind}-`, (x) => state.get('node', x) !== undefined || state.get('account', x) !== undefined);
  const node: HierarchyNode = { id, accountId: q.account_id, kind, name: q.name, parentId: parent };
  const changes: Change[] = [{ op: 'put', entity: 'node', value: node }];
  const out = done(state, {} as BluexpNode, changes);
  out.result = nodeView(out.state, node);
  return out;
}

/** Creates a folder under the organization (`parentId` absent, null or the organization id) or under a folder. */
export const createFolder = defineOperation({
  name: 'createFolder',
  codes: BLUEXP_CODES,
  input: createSchema,
  guard: atNode(BLUEXP_ACTIONS.hierarchyCreate, 'parentId'),
  run(state: SourceState, input: z.input<typeof createSchema>, ctx: ManageContext): OpResult<BluexpNode> {
    return createNode(state, input, 'folder', ctx);
  },
});

/** Creates a project (workspace) under the organization or under a folder. */
export const createProject = defineOperation({
  name: 'createProject',
  codes: BLUEXP_CODES,
  input: createSchema,
  guard: atNode(BLUEXP_ACTIONS.hierarchyCreate, 'parentId'),
  run(state: SourceState, input: z.input<typeof createSchema>, ctx: ManageContext): OpResult<BluexpNode> {
    return createNode(state, input, 'project', ctx);
  },
});

const getSchema = z.strictObject({ account_id: z.string().min(1), node_id: z.string().min(1) });

/** A folder or project by id: 404 `node_not_found`. */
export const getNode = defineOperation({
  name: 'getNode',
  codes: BLUEXP_CODES,
  input: getSchema,
  guard: atNode(BLUEXP_ACTIONS.hierarchyRead, 'node_id'),
  run(state: SourceState, input: z.input<typeof getSchema>, _ctx: ManageContext): OpResult<BluexpNode> {
    const q = parseInput(getSchema, input);
    bluexpAccount(state, q.account_id);
    return done(state, nodeView(state, findNode(state, q.account_id, q.node_id)), []);
  },
});

const listSchema = z.strictObject({
  account_id: z.string().min(1),
  type: z.enum(['folder', 'project']).optional(),
  parentId: z.string().min(1).optional(),
});

/** The organization's folders and projects, filtered by type or parent (the organization id for the top level). */
export const listNodes = defineOperation({
  name: 'listNodes',
  codes: BLUEXP_CODES,
  input: listSchema,
  guard: {
    check: () => undefined,
    narrow(gate, input) {
      const accountId = account(gate, input);
      return keepOnly(gate, 'node', accountId, (n: HierarchyNode) => gate.may(BLUEXP_ACTIONS.hierarchyRead, nodeTarget(gate.state, accountId, n.id)));
    },
  },
  run(state: SourceState, input: z.input<typeof listSchema>, _ctx: ManageContext): OpResult<{ nodes: BluexpNode[] }> {
    const q = parseInput(listSchema, input);
    bluexpAccount(state, q.account_id);
    const parent = q.parentId === undefined ? undefined : storedParent(q.account_id, q.parentId);
    const rows = state
      .list('node', q.account_id)
      .filter((n) => (q.type === undefined || n.kind === q.type) && (parent === undefined || n.parentId === parent));
    return done(state, { nodes: rows.map((n) => nodeView(state, n)) }, []);
  },
});

const renameSchema = z.strictObject({ account_id: z.string().min(1), node_id: z.string().min(1), name: nameField });

/** Renames a folder or project; 409 `name_conflict` when a sibling has the name. */
export const renameNode = defineOperation({
  name: 'renameNode',
  codes: BLUEXP_CODES,
  input: renameSchema,
  guard: atNode(BLUEXP_ACTIONS.hierarchyUpdate, 'node_id'),
  run(state: SourceState, input: z.input<typeof renameSchema>, _ctx: ManageContext): OpResult<BluexpNode> {
    const q = parseInput(renameSchema, input);
    bluexpAccount(state, q.account_id);
    const old = findNode(state, q.account_id, q.node_id);
    checkSiblingName(state, q.account_id, old.parentId, q.name, old.id);
    const next = produce(old, (d) => {
      d.name = q.name;
    });
    const changes: Change[] = next === old ? [] : [{ op: 'put', entity: 'node', value: next }];
    return done(state, nodeView(state, next), changes);
  },
});

const moveSchema = z.strictObject({ account_id: z.string().min(1), node_id: z.string().min(1), parentId: z.string().min(1).nullable() });

/**
 * Moves a folder (with everything below it) or a project under another folder or the organization:
 * 400 `move_cycle` under itself or a descendant, 400 `max_depth_exceeded` when any node below would sit too deep.
 */
export const moveNode = defineOperation({
  name: 'moveNode',
  codes: BLUEXP_CODES,
  input: moveSchema,
  guard: {
    check(gate, input) {
      const accountId = account(gate, input);
      gate.require(BLUEXP_ACTIONS.hierarchyUpdate, nodeTarget(gate.state, accountId, str(field(input, 'node_id'))));
      gate.require(BLUEXP_ACTIONS.hierarchyCreate, nodeTarget(gate.state, accountId, str(field(input, 'parentId'))));
    },
  },
  run(state: SourceState, input: z.input<typeof moveSchema>, _ctx: ManageContext): OpResult<BluexpNode> {
    const q = parseInput(moveSchema, input);
    bluexpAccount(state, q.account_id);
    const old = findNode(state, q.account_id, q.node_id);
    const target = storedParent(q.account_id, q.parentId);
    const below = descendantsOf(state, old);
    if (target !== null && (target === old.id || below.some((d) => d.node.id === target)))
      throw new SeedError('move_cycle', 400, `\`${old.id}\` cannot move under itself or a node below it`);
    const { parent, level } = checkedParent(state, q.account_id, target);
    checkLevel(old.kind, level, old.id);
    for (const d of below) checkLevel(d.node.kind, level + d.depth, d.node.id);
    checkSiblingName(state, q.account_id, parent, old.name ?? '', old.id);
    const next = produce(old, (d) => {
      d.parentId = parent;
    });
    const changes: Change[] = next === old ? [] : [{ op: 'put', entity: 'node', value: next }];
    const out = done(state, {} as BluexpNode, changes);
    out.result = nodeView(out.state, next);
    return out;
  },
});

/**
 * Deletes an empty folder or project: 409 `node_not_empty` while it holds child nodes, resources or agents,
 * 409 `node_in_use` while a policy names it. Its role bindings go with it, unless that leaves a user without a
 * role (409 `last_role_binding`).
 */
export const deleteNode = defineOperation({
  name: 'deleteNode',
  codes: BLUEXP_CODES,
  input: getSchema,
  guard: atNode(BLUEXP_ACTIONS.hierarchyDelete, 'node_id'),
  run(state: SourceState, input: z.input<typeof getSchema>, ctx: ManageContext): OpResult<{ id: string }> {
    const q = parseInput(getSchema, input);
    bluexpAccount(state, q.account_id);
    const n = findNode(state, q.account_id, q.node_id);
    return done(state, { id: n.id }, nodeDeletion(state, n, ctx));
  },
});

/** The changes that delete an empty node and its bindings, after the checks of deleteNode. */
export function nodeDeletion(state: SourceState, n: HierarchyNode, ctx: ManageContext): Change[] {
  const a = n.accountId;
  const children = state.list('node', a).filter((c) => c.parentId === n.id).map((c) => c.id);
  const resources = state.list('resource', a).filter((r) => r.projects.includes(n.id) || r.folders.includes(n.id)).map((r) => r.id);
  const agents = state.list('principal', a).filter((p) => p.projects.includes(n.id)).map((p) => p.id);
  if (children.length + resources.length + agents.length > 0)
    throw new SeedError('node_not_empty', 409, `\`${n.id}\` still holds ${children.length} nodes, ${resources.length} resources and ${agents.length} agents`, {
      children,
      resources,
      agents,
    });
  const policies = state.list('policy', a).filter((p) => p.resource.nodes?.includes(n.id)).map((p) => p.id);
  if (policies.length > 0) throw new SeedError('node_in_use', 409, `\`${n.id}\` is named by ${policies.length} policies`, { policies });
  const bindings = state.list('binding', a).filter((b) => b.nodeId === n.id).map((b) => b.id);
  checkUsersKeepARole(state, a, new Set(bindings), ctx.now);
  return [...bindings.map((id): Change => ({ op: 'delete', entity: 'binding', key: id })), { op: 'delete', entity: 'node', key: n.id }];
}
