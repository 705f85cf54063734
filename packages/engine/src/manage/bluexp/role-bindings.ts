// BlueXP role bindings (seed 000, "role"): a role for a user, service account or user group (federated or not) at
// the organization, a folder or a project, optionally until `expiresAt`. The hard rules: the organization admin
// role is bound only at the organization and its holder has no other role; every user keeps at least one role.
import { z } from 'zod';
import { SeedError, type Issue } from '../../errors.js';
import { instantSchema } from '../../model/primitives.js';
import type { Binding } from '../../model/source.js';
import type { Change } from '../../model/entities.js';
import { bluexpAccount, freshId } from './common.js';
import { parseInput, refuseIssues } from '../input.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';
import { BLUEXP_CODES } from '../access/codes.js';
import { defineOperation } from '../define-operation.js';
import { nodeTarget } from '../access/targets.js';
import { account, atNode, BLUEXP_ACTIONS, keepOnly } from './guards.js';
import { field, str } from '../access/loose-input.js';

/** A role binding as the operations return it; `nodeId` is the organization id for a binding at the root. */
export interface BluexpRoleBinding {
  id: string;
  accountId: string;
  subject: { kind: 'principal' | 'group'; id: string };
  roleId: string;
  nodeId: string;
  expiresAt?: string;
}

/** The view of a binding row. */
export function bindingView(b: Binding): BluexpRoleBinding {
  const out: BluexpRoleBinding = { id: b.id, accountId: b.accountId, subject: { ...b.subject }, roleId: b.roleId, nodeId: b.nodeId };
  if (b.expiresAt !== undefined) out.expiresAt = b.expiresAt;
  return out;
}

/** The fields of a new binding, as createRoleBinding and the principal operations take them. */
export const bindingFields = {
  roleId: z.string().min(1),
  /** The organization id (the default), a folder id or a project id. */
  nodeId: z.string().min(1).optional(),
  expiresAt: instantSchema.optional(),
};

/** True while a binding holds at `now` (no expiry, or `now < expiresAt`). */
export function bindingHolds(b: Binding, now: string): boolean {
  return b.expiresAt === undefined || Date.parse(now) < Date.parse(b.expiresAt);
}

/**
 * A new binding after every check: the role (a BlueXP role of the organization or global), the node, the subject
 * and the expiry are checked together (400 `invalid_request`); then the organization admin rules (400
 * `organization_admin_not_at_root`, 400 `organization_admin_exclusive`) and duplicates (409 `binding_exists`).
 */
export function planBinding(
  state: SourceState,
  accountId: string,
  input: { subject: Binding['subject']; roleId: string; nodeId?: string | undefined; expiresAt?: string | undefined },
  ctx: ManageContext,
  pending: Binding[] = [],
): Binding {
  const nodeId = input.nodeId ?? accountId;
  const issues: Issue[] = [];
  const role = state.get('role', input.roleId);
  if (!role || role.kind !== 'bluexp' || (role.accountId !== undefined && role.accountId !== accountId))
    issues.push({ path: ['roleId'], message: `unknown role \`${input.roleId}\`` });
  if (nodeId !== accountId) {
    const node = state.get('node', nodeId);
    if (!node || node.accountId !== accountId) issues.push({ path: ['nodeId'], message: `unknown folder or project \`${nodeId}\`` });
  }
  if (input.subject.kind === 'principal') {
    const p = state.get('principal', `${accountId}/${input.subject.id}`);
    if (!p) issues.push({ path: ['subject', 'id'], message: `unknown user or service account \`${input.subject.id}\`` });
    else if (p.kind === 'agent') issues.push({ path: ['subject', 'id'], message: `\`${input.subject.id}\` is an agent: agents hold projects, not roles` });
  } else if (!state.get('group', `${accountId}/${input.subject.id}`)) {
    issues.push({ path: ['subject', 'id'], message: `unknown user group \`${input.subject.id}\`` });
  }
  if (input.expiresAt !== undefined && !(Date.parse(input.expiresAt) > Date.parse(ctx.now)))
    issues.push({ path: ['expiresAt'], message: 'must be later than now' });
  refuseIssues('invalid_request', issues);

  const isOrgAdmin = (roleId: string) => state.get('role', roleId)?.admin === 'organization';
  if (isOrgAdmin(input.roleId) && nodeId !== accountId)
    throw new SeedError('organization_admin_not_at_root', 400, 'the organization admin role is bound only at the organization');
  const held = [...state.list('binding', accountId), ...pending].filter(
    (b) => b.subject.kind === input.subject.kind && b.subject.id === input.subject.id,
  );
  if (held.some((b) => b.roleId === input.roleId && b.nodeId === nodeId))
    throw new SeedError('binding_exists', 409, `\`${input.subject.id}\` already holds role \`${input.roleId}\` there`);
  if (isOrgAdmin(input.roleId) ? held.length > 0 : held.some((b) => isOrgAdmin(b.roleId)))
    throw new SeedError('organization_admin_exclusive', 400, `an organization admin holds no other role: \`${input.subject.id}\``);

  const taken = new Set(pending.map((b) => b.id));
  const id = freshId(ctx, 'binding-', (x) => taken.has(x) || state.get('binding', x) !== undefined);
  const b: Binding = { id, accountId, subject: { kind: input.subject.kind, id: input.subject.id }, roleId: input.roleId, nodeId };
  if (input.expiresAt !== undefined) b.expiresAt = input.expiresAt;
  return b;
}

/**
 * Refuses 409 `last_role_binding` when removing the bindings `removed` would leave a user with no direct binding
 * that still holds at `now`.
 */
export function checkUsersKeepARole(state: SourceState, accountId: string, removed: ReadonlySet<string>, now: string): void {
  const all = state.list('binding', accountId);
  const users = new Set<string>();
  for (const b of all) if (removed.has(b.id) && b.subject.kind === 'principal') users.add(b.subject.id);
  for (const u of users) {
    const p = state.get('principal', `${accountId}/${u}`);
    if (!p || p.kind !== 'user') continue;
    const kept = all.some((b) => !removed.has(b.id) && b.subject.kind === 'principal' && b.subject.id === u && bindingHolds(b, now));
    if (!kept) throw new SeedError('last_role_binding', 409, `user \`${u}\` would be left without a role`, { userId: u });
  }
}

const subjectField = z.strictObject({ kind: z.enum(['principal', 'group']), id: z.string().min(1) });
const createSchema = z.strictObject({ account_id: z.string().min(1), subject: subjectField, ...bindingFields });

/** Binds a role to a user, service account or user group (a federated group too) at a node. */
export const createRoleBinding = defineOperation({
  name: 'createRoleBinding',
  codes: BLUEXP_CODES,
  input: createSchema,
  guard: atNode(BLUEXP_ACTIONS.bindingCreate, 'nodeId'),
  run(
    state: SourceState,
    input: z.input<typeof createSchema>,
    ctx: ManageContext,
  ): OpResult<BluexpRoleBinding> {
    const q = parseInput(createSchema, input);
    bluexpAccount(state, q.account_id);
    const b = planBinding(state, q.account_id, q, ctx);
    return done(state, bindingView(b), [{ op: 'put', entity: 'binding', value: b }]);
  },
});

const deleteSchema = z.strictObject({ account_id: z.string().min(1), binding_id: z.string().min(1) });

/** Removes a binding: 404 `binding_not_found`; 409 `last_role_binding` for a user's last role. */
export const deleteRoleBinding = defineOperation({
  name: 'deleteRoleBinding',
  codes: BLUEXP_CODES,
  input: deleteSchema,
  guard: {
    check(gate, input) {
      const accountId = account(gate, input);
      const b = gate.state.get('binding', str(field(input, 'binding_id')) ?? '');
      gate.require(BLUEXP_ACTIONS.bindingDelete, nodeTarget(gate.state, accountId, b?.accountId === accountId ? b.nodeId : undefined));
    },
  },
  run(
    state: SourceState,
    input: z.input<typeof deleteSchema>,
    ctx: ManageContext,
  ): OpResult<{ id: string }> {
    const q = parseInput(deleteSchema, input);
    bluexpAccount(state, q.account_id);
    const b = state.get('binding', q.binding_id);
    if (!b || b.accountId !== q.account_id) throw new SeedError('binding_not_found', 404, `role binding \`${q.binding_id}\` not found`);
    checkUsersKeepARole(state, q.account_id, new Set([b.id]), ctx.now);
    const changes: Change[] = [{ op: 'delete', entity: 'binding', key: b.id }];
    return done(state, { id: b.id }, changes);
  },
});

const listSchema = z.strictObject({
  account_id: z.string().min(1),
  nodeId: z.string().min(1).optional(),
  principalId: z.string().min(1).optional(),
  groupId: z.string().min(1).optional(),
});

/** The organization's role bindings, filtered by node, principal or group when asked. */
export const listRoleBindings = defineOperation({
  name: 'listRoleBindings',
  codes: BLUEXP_CODES,
  input: listSchema,
  guard: {
    check: () => undefined,
    narrow(gate, input) {
      const accountId = account(gate, input);
      return keepOnly(gate, 'binding', accountId, (b: { nodeId: string }) => gate.may(BLUEXP_ACTIONS.bindingRead, nodeTarget(gate.state, accountId, b.nodeId)));
    },
  },
  run(
    state: SourceState,
    input: z.input<typeof listSchema>,
    _ctx: ManageContext,
  ): OpResult<{ bindings: BluexpRoleBinding[] }> {
    const q = parseInput(listSchema, input);
    bluexpAccount(state, q.account_id);
    const rows = state
      .list('binding', q.account_id)
      .filter(
        (b) =>
          (q.nodeId === undefined || b.nodeId === q.nodeId) &&
          (q.principalId === undefined || (b.subject.kind === 'principal' && b.subject.id === q.principalId)) &&
          (q.groupId === undefined || (b.subject.kind === 'group' && b.subject.id === q.groupId)),
      );
    return done(state, { bindings: rows.map(bindingView) }, []);
  },
});
