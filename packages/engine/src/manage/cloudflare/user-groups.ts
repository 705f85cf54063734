// Cloudflare user groups (seed 003, "IAM User Groups"): a model Group plus, for each of its `policies`, one
// model Policy with subject the group, effect = access, roles = the permission group ids and
// resource.resourceGroups = the resource group ids (no attributes, no tags).
import { produce } from 'immer';
import { z } from 'zod';
import { SeedError, type Issue } from '../../errors.js';
import { PUBLIC_ACCESS_GROUP_ID, type Group, type Policy } from '../../model/source.js';
import { entityKey, type Change } from '../../model/entities.js';
import { actorId } from '../actor.js';
import {
  cloudflareAccount,
  cloudflarePage,
  envelope,
  isPermissionGroupOf,
  newCloudflareId,
  orderBy,
  paginate,
  scopeMismatches,
  type CloudflareEnvelope,
  pageQuery,
} from './common.js';
import { parseInput, refuseIssues } from '../input.js';
import { permissionGroupView, type CloudflarePermissionGroup } from './permission-groups.js';
import { resourceGroupView, type CloudflareResourceGroup } from './resource-groups.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import { withEtag } from '../etag.js';
import type { SourceState } from '../../model/source-state.js';
import { CLOUDFLARE_CODES } from '../access/codes.js';
import { defineOperation } from '../define-operation.js';
import { CLOUDFLARE_ACTIONS, onAccount } from './guards.js';

/** One policy of a user group as the seed returns it. */
export interface CloudflareUserGroupPolicy {
  id: string;
  access: 'allow' | 'deny';
  permission_groups: CloudflarePermissionGroup[];
  resource_groups: CloudflareResourceGroup[];
}

/** A user group as the seed returns it; `created_on`/`modified_on` are absent for a row stored without them. */
export interface CloudflareUserGroup {
  id: string;
  created_on?: string;
  modified_on?: string;
  name: string;
  policies: CloudflareUserGroupPolicy[];
}

/** The user group `id` of account `accountId`, or 404 `user_group_not_found`. */
export function findUserGroup(state: SourceState, accountId: string, id: string): Group {
  const g = id === PUBLIC_ACCESS_GROUP_ID ? undefined : state.get('group', `${accountId}/${id}`);
  if (!g) throw new SeedError('user_group_not_found', 404, `user group \`${id}\` not found`);
  return g;
}

/** The model policies that stand for a user group's policies, in stored order. */
export function userGroupPolicies(state: SourceState, accountId: string, groupId: string): Policy[] {
  return state.list('policy', accountId).filter((p) => p.subject.kind === 'group' && p.subject.id === groupId);
}

/** The seed view of a user group, its policies expanded with their permission and resource groups. */
export function userGroupView(state: SourceState, g: Group): CloudflareUserGroup {
  const out: CloudflareUserGroup = { id: g.id, name: g.name, policies: [] };
  if (g.createdAt !== undefined) out.created_on = g.createdAt;
  const modified = g.lastModifiedAt ?? g.createdAt;
  if (modified !== undefined) out.modified_on = modified;
  out.policies = userGroupPolicies(state, g.accountId, g.id).map((p) => ({
    id: p.id,
    access: p.effect,
    permission_groups: p.roles.map((r) => {
      const role = state.get('role', r);
      return role ? permissionGroupView(role) : { id: r };
    }),
    resource_groups: (p.resource.resourceGroups ?? []).map((id) => {
      const rg = state.get('resourceGroup', id);
      return rg ? resourceGroupView(rg) : { id, scope: [] };
    }),
  }));
  return out;
}

const policyInput = z.strictObject({
  id: z.string().min(1).optional(),
  access: z.enum(['allow', 'deny']),
  permission_groups: z.array(z.strictObject({ id: z.string().min(1) })).min(1),
  resource_groups: z.array(z.strictObject({ id: z.string().min(1) })).min(1).max(64),
});
type PolicyInput = z.infer<typeof policyInput>;
const nameField = z.string().trim().min(1).max(100);

const createSchema = z.strictObject({ account_id: z.string().min(1), name: nameField, policies: z.array(policyInput).default([]) });
const updateSchema = z.strictObject({
  account_id: z.string().min(1),
  user_group_id: z.string().min(1),
  name: nameField.optional(),
  policies: z.array(policyInput).optional(),
});

/** Refuses 409 `user_group_name_conflict` when another user group of the account has the name (ignoring case). */
function checkName(state: SourceState, accountId: string, name: string, exceptId?: string): void {
  const lower = name.toLowerCase();
  if (state.list('group', accountId).some((g) => g.id !== exceptId && g.name.toLowerCase() === lower))
    throw new SeedError('user_group_name_conflict', 409, `a user group named \`${name}\` already exists`);
}

/**
 * Writes a user group's policies: those given with the `id` of one of its policies keep it (and are rewritten only
 * when they changed), the others get new ids, and its policies not given are deleted. Every permission group and
 * resource group is checked first (400 `invalid_request`), then each pairing (400 `scope_type_mismatch`).
 */
function writePolicies(
  state: SourceState,
  accountId: string,
  groupId: string,
  inputs: PolicyInput[],
  ctx: ManageContext,
  allowIds: boolean,
): Change[] {
  const existing = new Map(userGroupPolicies(state, accountId, groupId).map((p) => [p.id, p]));
  const issues: Issue[] = [];
  inputs.forEach((pi, i) => {
    if (pi.id !== undefined && (!allowIds || !existing.has(pi.id)))
      issues.push({ path: ['policies', i, 'id'], message: `policy \`${pi.id}\` is not a policy of this user group` });
    if (pi.id !== undefined && inputs.findIndex((o) => o.id === pi.id) !== i)
      issues.push({ path: ['policies', i, 'id'], message: `policy \`${pi.id}\` is listed twice` });
    const seenPg = new Set<string>();
    pi.permission_groups.forEach(({ id }, j) => {
      if (!isPermissionGroupOf(state.get('role', id), accountId))
        issues.push({ path: ['policies', i, 'permission_groups', j, 'id'], message: `unknown permission group \`${id}\`` });
      if (seenPg.has(id)) issues.push({ path: ['policies', i, 'permission_groups', j, 'id'], message: `permission group \`${id}\` is listed twice` });
      seenPg.add(id);
    });
    const seenRg = new Set<string>();
    pi.resource_groups.forEach(({ id }, j) => {
      const rg = state.get('resourceGroup', id);
      if (!rg || rg.accountId !== accountId)
        issues.push({ path: ['policies', i, 'resource_groups', j, 'id'], message: `unknown resource group \`${id}\`` });
      if (seenRg.has(id)) issues.push({ path: ['policies', i, 'resource_groups', j, 'id'], message: `resource group \`${id}\` is listed twice` });
      seenRg.add(id);
    });
  });
  refuseIssues('invalid_request', issues);
  const mismatches: Issue[] = [];
  inputs.forEach((pi, i) => {
    const shape = { roles: pi.permission_groups.map((p) => p.id), resource: { attributes: [], tags: [], resourceGroups: pi.resource_groups.map((r) => r.id) } };
    for (const m of scopeMismatches(state, shape)) mismatches.push({ path: ['policies', i, 'permission_groups', m.roleIndex, 'id'], message: m.message });
  });
  refuseIssues('scope_type_mismatch', mismatches);

  const changes: Change[] = [];
  const kept = new Set<string>();
  const taken = new Set<string>();
  for (const pi of inputs) {
    const roles = pi.permission_groups.map((p) => p.id);
    const resourceGroups = pi.resource_groups.map((r) => r.id);
    const old = pi.id === undefined ? undefined : existing.get(pi.id);
    if (old) {
      kept.add(old.id);
      const same =
        old.effect === pi.access &&
        old.state === 'active' &&
        sameList(old.roles, roles) &&
        sameList(old.resource.resourceGroups ?? [], resourceGroups);
      if (same) continue;
      const next = produce(old, (d) => {
        d.effect = pi.access;
        d.state = 'active';
        d.roles = roles;
        d.resource.resourceGroups = resourceGroups;
        d.lastModifiedAt = ctx.now;
        d.lastModifiedById = actorId(ctx);
      });
      changes.push({ op: 'put', entity: 'policy', value: withEtag(next) });
      continue;
    }
    const id = newCloudflareId(ctx, (x) => taken.has(x) || state.get('policy', x) !== undefined);
    taken.add(id);
    const policy: Policy = {
      id,
      accountId,
      type: 'access',
      effect: pi.access,
      subject: { kind: 'group', id: groupId },
      roles,
      resource: { attributes: [], tags: [], resourceGroups },
      state: 'active',
      createdAt: ctx.now,
      createdById: actorId(ctx),
      lastModifiedAt: ctx.now,
      lastModifiedById: actorId(ctx),
    };
    changes.push({ op: 'put', entity: 'policy', value: withEtag(policy) });
  }
  for (const id of existing.keys()) if (!kept.has(id)) changes.push({ op: 'delete', entity: 'policy', key: id });
  return changes;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** POST /accounts/{account_id}/iam/user_groups: a new group (32-character id) and one model policy per given policy. */
export const createUserGroup = defineOperation({
  name: 'createUserGroup',
  codes: CLOUDFLARE_CODES,
  input: createSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.iamEdit),
  run(
    state: SourceState,
    input: z.input<typeof createSchema>,
    ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareUserGroup>> {
    const q = parseInput(createSchema, input);
    cloudflareAccount(state, q.account_id);
    checkName(state, q.account_id, q.name);
    const id = newCloudflareId(ctx, (x) => state.get('group', `${q.account_id}/${x}`) !== undefined);
    const group = withEtag<Group>({
      id,
      accountId: q.account_id,
      name: q.name,
      description: '',
      members: [],
      rules: [],
      federated: false,
      createdAt: ctx.now,
      createdById: actorId(ctx),
      lastModifiedAt: ctx.now,
      lastModifiedById: actorId(ctx),
    });
    const changes: Change[] = [{ op: 'put', entity: 'group', value: group }];
    const withGroup = state.with(changes);
    changes.push(...writePolicies(withGroup, q.account_id, id, q.policies, ctx, false));
    const out = done(state, envelope({} as CloudflareUserGroup), changes);
    out.result.result = userGroupView(out.state, group);
    return out;
  },
});

const listSchema = z.strictObject({
  account_id: z.string().min(1),
  id: z.string().optional(),
  name: z.string().optional(),
  fuzzyName: z.string().optional(),
  direction: z.enum(['asc', 'desc']).optional(),
  ...pageQuery,
});

/**
 * GET /accounts/{account_id}/iam/user_groups: filters `id` and `name` are exact, `fuzzyName` a case-insensitive
 * substring of the name; `direction` orders by name (stored order without it); paged by `page`/`per_page`.
 */
export const listUserGroups = defineOperation({
  name: 'listUserGroups',
  codes: CLOUDFLARE_CODES,
  input: listSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.iamRead),
  run(
    state: SourceState,
    input: z.input<typeof listSchema>,
    _ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareUserGroup[]>> {
    const q = parseInput(listSchema, input);
    const page = cloudflarePage(q.page, q.per_page);
    cloudflareAccount(state, q.account_id);
    const fuzzy = q.fuzzyName?.toLowerCase();
    const rows = state
      .list('group', q.account_id)
      .filter(
        (g) =>
          g.id !== PUBLIC_ACCESS_GROUP_ID &&
          (q.id === undefined || g.id === q.id) &&
          (q.name === undefined || g.name === q.name) &&
          (fuzzy === undefined || g.name.toLowerCase().includes(fuzzy)),
      );
    const { rows: slice, info } = paginate(orderBy(rows, (g) => g.name, q.direction), page);
    return done(state, envelope(slice.map((g) => userGroupView(state, g)), info), []);
  },
});

const getSchema = z.strictObject({ account_id: z.string().min(1), user_group_id: z.string().min(1) });

/** GET /accounts/{account_id}/iam/user_groups/{user_group_id}: 404 `user_group_not_found`. */
export const getUserGroup = defineOperation({
  name: 'getUserGroup',
  codes: CLOUDFLARE_CODES,
  input: getSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.iamRead),
  run(
    state: SourceState,
    input: z.input<typeof getSchema>,
    _ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareUserGroup>> {
    const q = parseInput(getSchema, input);
    cloudflareAccount(state, q.account_id);
    return done(state, envelope(userGroupView(state, findUserGroup(state, q.account_id, q.user_group_id))), []);
  },
});

/**
 * PUT /accounts/{account_id}/iam/user_groups/{user_group_id}: `name` replaces the name when given; `policies`, when
 * given, is the whole new list (a policy with the `id` of one of the group's policies updates it; absent ones are deleted).
 */
export const updateUserGroup = defineOperation({
  name: 'updateUserGroup',
  codes: CLOUDFLARE_CODES,
  input: updateSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.iamEdit),
  run(
    state: SourceState,
    input: z.input<typeof updateSchema>,
    ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareUserGroup>> {
    const q = parseInput(updateSchema, input);
    cloudflareAccount(state, q.account_id);
    const old = findUserGroup(state, q.account_id, q.user_group_id);
    if (q.name !== undefined) checkName(state, q.account_id, q.name, old.id);
    const policyChanges = q.policies === undefined ? [] : writePolicies(state, q.account_id, old.id, q.policies, ctx, true);
    const changes: Change[] = [...policyChanges];
    if ((q.name !== undefined && q.name !== old.name) || policyChanges.length > 0) {
      const next = produce(old, (d) => {
        if (q.name !== undefined) d.name = q.name;
        d.lastModifiedAt = ctx.now;
        d.lastModifiedById = actorId(ctx);
      });
      changes.unshift({ op: 'put', entity: 'group', value: withEtag(next) });
    }
    const out = done(state, envelope({} as CloudflareUserGroup), changes);
    out.result.result = userGroupView(out.state, out.state.get('group', entityKey('group', old))!);
    return out;
  },
});

const deleteSchema = getSchema;

/** DELETE /accounts/{account_id}/iam/user_groups/{user_group_id}: deletes the group with its policies and dynamic memberships. */
export const deleteUserGroup = defineOperation({
  name: 'deleteUserGroup',
  codes: CLOUDFLARE_CODES,
  input: deleteSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.iamEdit),
  run(
    state: SourceState,
    input: z.input<typeof deleteSchema>,
    _ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<{ id: string }>> {
    const q = parseInput(deleteSchema, input);
    cloudflareAccount(state, q.account_id);
    const g = findUserGroup(state, q.account_id, q.user_group_id);
    const changes: Change[] = [];
    for (const p of userGroupPolicies(state, q.account_id, g.id)) changes.push({ op: 'delete', entity: 'policy', key: p.id });
    for (const b of state.list('binding', q.account_id))
      if (b.subject.kind === 'group' && b.subject.id === g.id) changes.push({ op: 'delete', entity: 'binding', key: b.id });
    for (const m of state.list('membership', q.account_id))
      if (m.groupId === g.id) changes.push({ op: 'delete', entity: 'membership', key: entityKey('membership', m) });
    changes.push({ op: 'delete', entity: 'group', key: entityKey('group', g) });
    return done(state, envelope({ id: g.id }), changes);
  },
});
