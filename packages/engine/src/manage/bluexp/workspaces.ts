// BlueXP Tenancy workspaces (seed 001, "workspace"): a workspace is a project of the organization, seen through
// the legacy Tenancy names (`workspacePublicId`, `workspaceName`).
import { produce } from 'immer';
import { z } from 'zod';
import type { HierarchyNode } from '../../model/source.js';
import type { Change } from '../../model/entities.js';
import { bluexpAccount, checkSiblingName, findNode, freshId, parseBody } from './common.js';
import { nodeDeletion } from './hierarchy.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';

/** A workspace as Tenancy returns it. */
export interface BluexpWorkspace {
  workspacePublicId: string;
  workspaceName: string;
  accountId: string;
}

/** The Tenancy view of a project. */
export function workspaceView(n: HierarchyNode): BluexpWorkspace {
  return { workspacePublicId: n.id, workspaceName: n.name ?? '', accountId: n.accountId };
}

const listSchema = z.strictObject({ account_id: z.string().min(1) });

/** GET /tenancy/workspace: every project of the organization, wherever it sits in the folder tree. */
export function listWorkspaces(state: SourceState, input: z.input<typeof listSchema>, _ctx: ManageContext): OpResult<BluexpWorkspace[]> {
  const q = parseBody(listSchema, input);
  bluexpAccount(state, q.account_id);
  return done(state, state.list('node', q.account_id).filter((n) => n.kind === 'project').map(workspaceView), []);
}

const nameField = z.string().trim().min(1).max(256);
const createSchema = z.strictObject({ account_id: z.string().min(1), workspaceName: nameField });

/** POST /tenancy/workspace: a new project directly under the organization; 409 `name_conflict` for a taken name there. */
export function createWorkspace(state: SourceState, input: z.input<typeof createSchema>, ctx: ManageContext): OpResult<BluexpWorkspace> {
  const q = parseBody(createSchema, input);
  bluexpAccount(state, q.account_id);
  checkSiblingName(state, q.account_id, null, q.workspaceName);
  const id = freshId(ctx, 'workspace', (x) => state.get('node', x) !== undefined || state.get('account', x) !== undefined);
  const node: HierarchyNode = { id, accountId: q.account_id, kind: 'project', name: q.workspaceName, parentId: null };
  return done(state, workspaceView(node), [{ op: 'put', entity: 'node', value: node }]);
}

const renameSchema = z.strictObject({ account_id: z.string().min(1), workspace_id: z.string().min(1), workspaceName: nameField });

/** PUT /tenancy/workspace/{workspace_id}: renames the project; 404 `project_not_found`. */
export function renameWorkspace(state: SourceState, input: z.input<typeof renameSchema>, _ctx: ManageContext): OpResult<BluexpWorkspace> {
  const q = parseBody(renameSchema, input);
  bluexpAccount(state, q.account_id);
  const old = findNode(state, q.account_id, q.workspace_id, 'project');
  checkSiblingName(state, q.account_id, old.parentId, q.workspaceName, old.id);
  const next = produce(old, (d) => {
    d.name = q.workspaceName;
  });
  const changes: Change[] = next === old ? [] : [{ op: 'put', entity: 'node', value: next }];
  return done(state, workspaceView(next), changes);
}

const deleteSchema = z.strictObject({ account_id: z.string().min(1), workspace_id: z.string().min(1) });

/** DELETE /tenancy/workspace/{workspace_id}: as deleteNode, for a project (409 `node_not_empty` while it holds resources or agents). */
export function deleteWorkspace(state: SourceState, input: z.input<typeof deleteSchema>, ctx: ManageContext): OpResult<{ workspacePublicId: string }> {
  const q = parseBody(deleteSchema, input);
  bluexpAccount(state, q.account_id);
  const n = findNode(state, q.account_id, q.workspace_id, 'project');
  return done(state, { workspacePublicId: n.id }, nodeDeletion(state, n, ctx));
}
