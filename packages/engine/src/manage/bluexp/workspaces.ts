// BlueXP Tenancy workspaces (seed 001, "workspace"): a workspace is a project of the organization, seen through
// the legacy Tenancy names (`workspacePublicId`, `workspaceName`).
import { produce } from 'immer';
import { z } from 'zod';
import type { HierarchyNode } from '../../model/source.js';
import type { Change } from '../../model/entities.js';
import { bluexpAccount, checkSiblingName, findNode, freshId } from './common.js';
import { parseInput } from '../input.js';
import { nodeDeletion } from './hierarchy.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';
import { BLUEXP_CODES } from '../access/codes.js';
import { defineOperation } from '../define-operation.js';
import { nodeTarget } from '../access/targets.js';
import { account, atNode, atOrg, BLUEXP_ACTIONS, keepOnly } from './guards.js';

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
export const listWorkspaces = defineOperation({
  name: 'listWorkspaces',
  codes: BLUEXP_CODES,
  input: listSchema,
  guard: {
    check: () => undefined,
    narrow(gate, input) {
      const accountId = account(gate, input);
      return keepOnly(gate, 'node', accountId, (n: HierarchyNode) => gate.may(BLUEXP_ACTIONS.workspaceRead, nodeTarget(gate.state, accountId, n.id)));
    },
  },
  run(state: SourceState, input: z.input<typeof listSchema>, _ctx: ManageContext): OpResult<BluexpWorkspace[]> {
    const q = parseInput(listSchema, input);
    bluexpAccount(state, q.account_id);
    return done(state, state.list('node', q.account_id).filter((n) => n.kind === 'project').map(workspaceView), []);
  },
});

const nameField = z.string().trim().min(1).max(256);
const createSchema = z.strictObject({ account_id: z.string().min(1), workspaceName: nameField });

/** POST /tenancy/workspace: a new project directly under the organization; 409 `name_conflict` for a taken name there. */
export const createWorkspace = defineOperation({
  name: 'createWorkspace',
  codes: BLUEXP_CODES,
  input: createSchema,
  guard: atOrg(BLUEXP_ACTIONS.workspaceCreate),
  run(state: SourceState, input: z.input<typeof createSchema>, ctx: ManageContext): OpResult<BluexpWorkspace> {
    const q = parseInput(createSchema, input);
    bluexpAccount(state, q.account_id);
    checkSiblingName(state, q.account_id, null, q.workspaceName);
    const id = freshId(ctx, 'workspace', (x) => state.get('node', x) !== undefined || state.get('account', x) !== undefined);
    const node: HierarchyNode = { id, accountId: q.account_id, kind: 'project', name: q.workspaceName, parentId: null };
    return done(state, workspaceView(node), [{ op: 'put', entity: 'node', value: node }]);
  },
});

const renameSchema = z.strictObject({ account_id: z.string().min(1), workspace_id: z.string().min(1), workspaceName: nameField });

/** PUT /tenancy/workspace/{workspace_id}: renames the project; 404 `project_not_found`. */
export const renameWorkspace = defineOperation({
  name: 'renameWorkspace',
  codes: BLUEXP_CODES,
  input: renameSchema,
  guard: atNode(BLUEXP_ACTIONS.workspaceUpdate, 'workspace_id'),
  run(state: SourceState, input: z.input<typeof renameSchema>, _ctx: ManageContext): OpResult<BluexpWorkspace> {
    const q = parseInput(renameSchema, input);
    bluexpAccount(state, q.account_id);
    const old = findNode(state, q.account_id, q.workspace_id, 'project');
    checkSiblingName(state, q.account_id, old.parentId, q.workspaceName, old.id);
    const next = produce(old, (d) => {
      d.name = q.workspaceName;
    });
    const changes: Change[] = next === old ? [] : [{ op: 'put', entity: 'node', value: next }];
    return done(state, workspaceView(next), changes);
  },
});

const deleteSchema = z.strictObject({ account_id: z.string().min(1), workspace_id: z.string().min(1) });

/** DELETE /tenancy/workspace/{workspace_id}: as deleteNode, for a project (409 `node_not_empty` while it holds resources or agents). */
export const deleteWorkspace = defineOperation({
  name: 'deleteWorkspace',
  codes: BLUEXP_CODES,
  input: deleteSchema,
  guard: atNode(BLUEXP_ACTIONS.workspaceDelete, 'workspace_id'),
  run(state: SourceState, input: z.input<typeof deleteSchema>, ctx: ManageContext): OpResult<{ workspacePublicId: string }> {
    const q = parseInput(deleteSchema, input);
    bluexpAccount(state, q.account_id);
    const n = findNode(state, q.account_id, q.workspace_id, 'project');
    return done(state, { workspacePublicId: n.id }, nodeDeletion(state, n, ctx));
  },
});
