// Cloudflare user group members (seed 003, "IAM User Groups Members"): the static members of a user group, each
// an account member (a user principal) shown with its status in the account.
import { produce } from 'immer';
import { z } from 'zod';
import { SeedError, type Issue } from '../../errors.js';
import type { Group, Principal } from '../../model/source.js';
import type { Change } from '../../model/entities.js';
import { findMember, memberView, principalStatus, type CloudflareMember } from './account-members.js';
import { actorId } from '../actor.js';
import {
  cloudflareAccount,
  cloudflarePage,
  envelope,
  orderBy,
  paginate,
  type CloudflareEnvelope,
  pageQuery,
} from './common.js';
import { parseInput, refuseIssues } from '../input.js';
import { findUserGroup } from './user-groups.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import { withEtag } from '../etag.js';
import type { SourceState } from '../../model/source-state.js';
import { setMembers } from '../group-member-list.js';
import { CLOUDFLARE_CODES } from '../access/codes.js';
import { defineOperation } from '../define-operation.js';
import { CLOUDFLARE_ACTIONS, onAccount } from './guards.js';

const memberInput = z.strictObject({ id: z.string().min(1), status: z.enum(['accepted', 'pending']).optional() });
type MemberInput = z.infer<typeof memberInput>;

/**
 * Resolves the given members to principals (404 `member_not_found` listing every unknown id) and the principal
 * rows whose status the input changes.
 */
function resolveMembers(state: SourceState, accountId: string, members: MemberInput[]): { ids: string[]; changes: Change[] } {
  const unknown: Issue[] = [];
  const dup: Issue[] = [];
  const seen = new Set<string>();
  const principals: Principal[] = [];
  members.forEach((m, i) => {
    if (seen.has(m.id)) dup.push({ path: ['members', i, 'id'], message: `member \`${m.id}\` is listed twice` });
    seen.add(m.id);
    const p = state.get('principal', `${accountId}/${m.id}`);
    if (!p || p.kind !== 'user') unknown.push({ path: ['members', i, 'id'], message: `member \`${m.id}\` not found` });
    else principals.push(p);
  });
  refuseIssues('invalid_request', dup);
  refuseIssues('member_not_found', unknown, 404);
  const changes: Change[] = [];
  members.forEach((m, i) => {
    const p = principals[i]!;
    if (m.status === undefined || principalStatus(m.status) === p.status) return;
    changes.push({ op: 'put', entity: 'principal', value: { ...p, status: principalStatus(m.status) } });
  });
  return { ids: members.map((m) => m.id), changes };
}

/** The group with a new member list, stamped by the actor. */
function groupWithMembers(g: Group, members: string[], ctx: ManageContext): Group {
  return withEtag(
    produce(g, (d) => {
      setMembers(d, members);
      d.lastModifiedAt = ctx.now;
      d.lastModifiedById = actorId(ctx);
    }),
  );
}

const listSchema = z.strictObject({
  account_id: z.string().min(1),
  user_group_id: z.string().min(1),
  direction: z.enum(['asc', 'desc']).optional(),
  ...pageQuery,
});

/** GET /accounts/{account_id}/iam/user_groups/{user_group_id}/members: `direction` orders by email. */
export const listUserGroupMembers = defineOperation({
  name: 'listUserGroupMembers',
  codes: CLOUDFLARE_CODES,
  input: listSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.iamRead),
  run(
    state: SourceState,
    input: z.input<typeof listSchema>,
    _ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareMember[]>> {
    const q = parseInput(listSchema, input);
    const page = cloudflarePage(q.page, q.per_page);
    cloudflareAccount(state, q.account_id);
    const g = findUserGroup(state, q.account_id, q.user_group_id);
    const rows = g.members.map((id) => {
      const p = state.get('principal', `${q.account_id}/${id}`);
      return p ? memberView(p) : { id };
    });
    const { rows: slice, info } = paginate(orderBy(rows, (m) => m.email ?? '', q.direction), page);
    return done(state, envelope(slice, info), []);
  },
});

const addSchema = z.strictObject({ account_id: z.string().min(1), user_group_id: z.string().min(1), members: z.array(memberInput).min(1) });

/**
 * POST /accounts/{account_id}/iam/user_groups/{user_group_id}/members: adds account members (members already in
 * the group stay); a `status` given sets the member's status in the account. Returns the given members.
 */
export const addUserGroupMembers = defineOperation({
  name: 'addUserGroupMembers',
  codes: CLOUDFLARE_CODES,
  input: addSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.iamEdit),
  run(
    state: SourceState,
    input: z.input<typeof addSchema>,
    ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareMember[]>> {
    const q = parseInput(addSchema, input);
    cloudflareAccount(state, q.account_id);
    const g = findUserGroup(state, q.account_id, q.user_group_id);
    const { ids, changes } = resolveMembers(state, q.account_id, q.members);
    const added = ids.filter((id) => !g.members.includes(id));
    if (added.length > 0) changes.push({ op: 'put', entity: 'group', value: groupWithMembers(g, [...g.members, ...added], ctx) });
    const out = done(state, envelope([] as CloudflareMember[]), changes);
    out.result.result = ids.map((id) => memberView(findMember(out.state, q.account_id, id)));
    return out;
  },
});

const updateSchema = z.strictObject({ account_id: z.string().min(1), user_group_id: z.string().min(1), members: z.array(memberInput) });

/**
 * PUT /accounts/{account_id}/iam/user_groups/{user_group_id}/members: the given members become the whole member
 * list; a `status` given sets the member's status in the account. Returns the new member list.
 */
export const updateUserGroupMembers = defineOperation({
  name: 'updateUserGroupMembers',
  codes: CLOUDFLARE_CODES,
  input: updateSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.iamEdit),
  run(
    state: SourceState,
    input: z.input<typeof updateSchema>,
    ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareMember[]>> {
    const q = parseInput(updateSchema, input);
    cloudflareAccount(state, q.account_id);
    const g = findUserGroup(state, q.account_id, q.user_group_id);
    const { ids, changes } = resolveMembers(state, q.account_id, q.members);
    const same = ids.length === g.members.length && ids.every((id, i) => id === g.members[i]);
    if (!same) changes.push({ op: 'put', entity: 'group', value: groupWithMembers(g, ids, ctx) });
    const out = done(state, envelope([] as CloudflareMember[]), changes);
    out.result.result = ids.map((id) => memberView(findMember(out.state, q.account_id, id)));
    return out;
  },
});

const removeSchema = z.strictObject({ account_id: z.string().min(1), user_group_id: z.string().min(1), member_id: z.string().min(1) });

/** DELETE /accounts/{account_id}/iam/user_groups/{user_group_id}/members/{member_id}: 404 `member_not_found` when not a member. */
export const removeUserGroupMember = defineOperation({
  name: 'removeUserGroupMember',
  codes: CLOUDFLARE_CODES,
  input: removeSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.iamEdit),
  run(
    state: SourceState,
    input: z.input<typeof removeSchema>,
    ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareMember>> {
    const q = parseInput(removeSchema, input);
    cloudflareAccount(state, q.account_id);
    const g = findUserGroup(state, q.account_id, q.user_group_id);
    if (!g.members.includes(q.member_id))
      throw new SeedError('member_not_found', 404, `member \`${q.member_id}\` is not in user group \`${g.id}\``);
    const p = state.get('principal', `${q.account_id}/${q.member_id}`);
    const changes: Change[] = [
      { op: 'put', entity: 'group', value: groupWithMembers(g, g.members.filter((m) => m !== q.member_id), ctx) },
    ];
    return done(state, envelope(p ? memberView(p) : { id: q.member_id }), changes);
  },
});
