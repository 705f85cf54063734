import { produce } from 'immer';
import { z } from 'zod';
import { SeedError, type Issue } from '../../errors.js';
import { PUBLIC_ACCESS_GROUP_ID, type Group, type Principal } from '../../model/source.js';
import { entityKey, type Change } from '../../model/entities.js';
import { checkPage, pageLinks, sortBy } from '../page.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import {
  IBM_GROUPS_BASE,
  MAX_GROUPS_PER_MEMBER,
  MAX_ITEMS_PER_CALL,
  groupIdsOfMember,
  isMemberOfGroup,
  itemError,
  parseBody,
  putGroup,
  queryBool,
  queryOf,
  queryString,
  requireAccount,
  resolveGroup,
  resolveWritableGroup,
  staticGroupCount,
  type ItemError,
  refuseUnknownKeys,
} from './group-support.js';
import { actorId } from '../actor.js';
import type { SourceState } from '../../model/source-state.js';
import { addMembersSince, dropMembers } from '../group-member-list.js';
import { IBM_GROUP_CODES } from '../access/codes.js';
import { accessGroupTarget } from '../access/targets.js';
import { defineOperation } from '../define-operation.js';
import { groupAccount, groupTarget, IBM_ACTIONS, isoOf, onGroup } from './guards.js';
import { str, type Loose } from '../access/loose-input.js';

/** The member types the seed allows: users (`IBMid-…`) and service ids (`iam-ServiceId-…`). */
export const IBM_MEMBER_TYPES = ['user', 'service'] as const;
/** A member type of an access group. */
export type IbmMemberType = (typeof IBM_MEMBER_TYPES)[number];

/** One member to add: `{iam_id, type}`. */
export interface AddGroupMemberItem {
  iam_id: string;
  type: IbmMemberType;
}

/** PUT /groups/{access_group_id}/members */
export interface AddMembersToAccessGroupInput {
  access_group_id: string;
  account_id?: string;
  members: AddGroupMemberItem[];
}

/** One per-member outcome of an add (seed: 207 Multi-Status body). */
export type AddedMember =
  | { iam_id: string; type: string; created_at?: string; created_by_id?: string; status_code: 200 }
  | ({ iam_id: string } & ItemError);

/** The seed's 207 body of an add. */
export interface AddMembersResult {
  members: AddedMember[];
}

/** GET /groups/{access_group_id}/members */
export interface ListAccessGroupMembersInput {
  access_group_id: string;
  account_id?: string;
  limit?: number | string;
  offset?: number | string;
  type?: string;
  verbose?: boolean | string;
  sort?: string;
}

/** A member in a listing; `name`/`email` only with `verbose`; when and by whom it was added, when that is known. */
export interface GroupMemberBody {
  iam_id: string;
  type: string;
  href: string;
  name?: string;
  email?: string;
  created_at?: string;
  created_by_id?: string;
}

/** The seed's list envelope for members. */
export interface GroupMemberList {
  limit: number;
  offset: number;
  total_count: number;
  first: { href: string };
  previous?: { href: string };
  next?: { href: string };
  last?: { href: string };
  members: GroupMemberBody[];
}

/** HEAD and DELETE /groups/{access_group_id}/members/{iam_id} */
export interface GroupMemberInput {
  access_group_id: string;
  account_id?: string;
  iam_id: string;
}

/** POST /groups/{access_group_id}/members/delete */
export interface RemoveMembersFromAccessGroupInput {
  access_group_id: string;
  account_id?: string;
  members: string[];
}

/** The seed's 207 body of a bulk remove. */
export interface RemoveMembersResult {
  access_group_id: string;
  members: ({ iam_id: string; status_code: 204 } | ({ iam_id: string } & ItemError))[];
}

/** DELETE /groups/_allgroups/members/{iam_id}?account_id= */
export interface RemoveMemberFromAllAccessGroupsInput {
  account_id: string;
  iam_id: string;
}

/** The seed's body of a remove from all groups. */
export interface RemoveFromAllResult {
  iam_id: string;
  groups: ({ access_group_id: string; status_code: 204 } | ({ access_group_id: string } & ItemError))[];
}

/**
 * Where the access check puts the groups of a request the actor may not change (a symbol, so no JSON body can carry
 * it and a strict input schema never sees it); the operation answers each of them 403 in its 207 body.
 */
export const GROUPS_NOT_PERMITTED: unique symbol = Symbol('portcullis.groupsNotPermitted');

/** PUT /groups/_allgroups/members/{iam_id}?account_id= */
export interface AddMemberToMultipleAccessGroupsInput {
  account_id: string;
  iam_id: string;
  type?: IbmMemberType;
  groups: string[];
  /** Set by the access check, never by a caller: the groups the actor may not add members to. */
  [GROUPS_NOT_PERMITTED]?: ReadonlySet<string>;
}

/** The seed's 207 body of an add to several groups. */
export interface AddToMultipleResult {
  groups: ({ access_group_id: string; status_code: 200 } | ({ access_group_id: string } & ItemError))[];
}

const iamIdSchema = z.string({ message: 'iam_id must be a string' }).min(1, 'iam_id must not be empty').max(256, 'iam_id is at most 256 characters');
const typeSchema = z.enum(IBM_MEMBER_TYPES, { message: 'type must be `user` or `service`' });

function uniqueCheck(list: string[], path: (i: number) => (string | number)[], what: string, issues: Issue[]): void {
  const seen = new Set<string>();
  list.forEach((v, i) => {
    if (seen.has(v)) issues.push({ path: path(i), message: `${what} \`${v}\` is listed twice` });
    seen.add(v);
  });
}

const addBody = z
  .strictObject(
    {
      members: z
        .array(z.strictObject({ iam_id: iamIdSchema, type: typeSchema }, { message: 'a member is an object `{iam_id, type}`' }), {
          message: 'members must be an array',
        })
        .min(1, 'members must not be empty')
        .max(MAX_ITEMS_PER_CALL, `at most ${MAX_ITEMS_PER_CALL} members per call`),
    },
    { message: 'the body must be an object' },
  )
  .superRefine((b, c) => {
    const issues: Issue[] = [];
    uniqueCheck(b.members.map((m) => m.iam_id), (i) => ['members', i, 'iam_id'], 'member', issues);
    for (const i of issues) c.addIssue({ code: 'custom', path: i.path, message: i.message });
  });

const removeBody = z
  .strictObject(
    {
      members: z
        .array(iamIdSchema, { message: 'members must be an array of iam_ids' })
        .min(1, 'members must not be empty')
        .max(MAX_ITEMS_PER_CALL, `at most ${MAX_ITEMS_PER_CALL} iam_ids per call`),
    },
    { message: 'the body must be an object' },
  )
  .superRefine((b, c) => {
    const issues: Issue[] = [];
    uniqueCheck(b.members, (i) => ['members', i], 'member', issues);
    for (const i of issues) c.addIssue({ code: 'custom', path: i.path, message: i.message });
  });

const addToManyBody = z.strictObject(
  {
    iam_id: iamIdSchema,
    type: typeSchema.optional(),
    groups: z
      .array(z.string({ message: 'a group id must be a string' }).min(1, 'a group id must not be empty'), { message: 'groups must be an array of group ids' })
      .min(1, 'groups must not be empty')
      .max(MAX_ITEMS_PER_CALL, `at most ${MAX_ITEMS_PER_CALL} groups per call`),
  },
  { message: 'the body must be an object' },
);

const MEMBER_SORT_FIELDS = new Set(['id', 'name', 'email']);

/** Why a principal cannot be a member of an IBM access group, or null when it can (per-item 400 in the seed's 207). */
function principalProblem(p: Principal | undefined, iamId: string, type: IbmMemberType | undefined): string | null {
  if (!p) return `iam_id \`${iamId}\` is not a principal of this account`;
  if (p.kind !== 'user' && p.kind !== 'service') return `iam_id \`${iamId}\` is a ${p.kind}, not a user or service id`;
  if (type !== undefined && p.kind !== type) return `iam_id \`${iamId}\` is a ${p.kind}, not a ${type}`;
  return null;
}

function limitMessage(iamId: string): string {
  return `iam_id \`${iamId}\` is already in ${MAX_GROUPS_PER_MEMBER} access groups`;
}

/** The seed's per-group 403 message. */
const FORBIDDEN_ITEM = "forbidden: you don't have the required access to complete this action";

function memberNotFound(iamId: string, groupId: string): SeedError {
  return new SeedError('membership_not_found', 404, `iam_id \`${iamId}\` is not a member of access group \`${groupId}\``);
}

// A member already in the group is a success that changes nothing; an unknown or mistyped principal is a per-item
// 400, one already in 50 groups a per-item 409.
/** Adds users and service ids to an access group, each with its own outcome (seed: Add members to an Access Group, 207). */
export const addMembersToAccessGroup = defineOperation({
  name: 'addMembersToAccessGroup',
  codes: IBM_GROUP_CODES,
  guard: onGroup(IBM_ACTIONS.membersAdd),
  run(state: SourceState, input: AddMembersToAccessGroupInput, ctx: ManageContext): OpResult<AddMembersResult> {
    refuseUnknownKeys(input, ['access_group_id', 'account_id', 'members']);
    const { account, group } = resolveWritableGroup(state, input ?? {}, ctx, 'add members');
    const body = parseBody(addBody, { members: input.members });
    const by = actorId(ctx);
    const added: string[] = [];
    const results: AddedMember[] = body.members.map(({ iam_id, type }) => {
      const problem = principalProblem(state.get('principal', `${account.id}/${iam_id}`), iam_id, type);
      if (problem !== null) return { iam_id, ...itemError(400, problem) };
      if (group.members.includes(iam_id)) return { iam_id, type, status_code: 200 as const };
      if (staticGroupCount(state, account.id, iam_id) >= MAX_GROUPS_PER_MEMBER) return { iam_id, ...itemError(409, limitMessage(iam_id)) };
      added.push(iam_id);
      return { iam_id, type, created_at: ctx.now, created_by_id: by, status_code: 200 as const };
    });
    const changes: Change[] = added.length === 0 ? [] : [putGroup(produce(group, (d) => addMembersSince(d, added, ctx.now, by)))];
    return done(state, { members: results }, changes);
  },
});

/** Lists the static members of an access group (seed: List Access Group members); the Public Access group lists none. */
export const listAccessGroupMembers = defineOperation({
  name: 'listAccessGroupMembers',
  codes: IBM_GROUP_CODES,
  guard: onGroup(IBM_ACTIONS.membersRead),
  run(state: SourceState, input: ListAccessGroupMembersInput, ctx: ManageContext): OpResult<GroupMemberList> {
    refuseUnknownKeys(input, ['access_group_id', 'account_id', 'limit', 'offset', 'type', 'verbose', 'sort']);
    const { account, group } = resolveGroup(state, input ?? {}, ctx);
    const page = checkPage(input.limit, input.offset);
    const type = queryString(input.type, 'type');
    if (type !== undefined && !(IBM_MEMBER_TYPES as readonly string[]).includes(type))
      throw new SeedError('invalid_query_parameter', 400, `cannot filter by type \`${type}\`: use user or service`);
    const verbose = queryBool(input.verbose, 'verbose');
    const sort = queryString(input.sort, 'sort');
    if (sort !== undefined && sort !== '' && !MEMBER_SORT_FIELDS.has(sort.startsWith('-') ? sort.slice(1) : sort))
      throw new SeedError('invalid_query_parameter', 400, `cannot sort by \`${sort}\`: use id, name or email`);
    // INVARIANT: parseSource guarantees every member is a principal of the group's account
    let rows = group.members.map((id) => state.get('principal', `${account.id}/${id}`)!);
    if (type !== undefined) rows = rows.filter((p) => p.kind === type);
    rows = sortBy(rows, sort, (p, name) => (name === 'id' ? p.id : name === 'name' ? p.name : p.email));
    const base = `${IBM_GROUPS_BASE}/groups/${encodeURIComponent(group.id)}/members`;
    const members = rows.slice(page.offset, page.offset + page.limit).map((p) => {
      const m: GroupMemberBody = { iam_id: p.id, type: p.kind, href: `${base}/${encodeURIComponent(p.id)}` };
      if (verbose) {
        if (p.name !== undefined) m.name = p.name;
        if (p.email !== undefined) m.email = p.email;
      }
      // a member added before its time was kept (or written straight into a source) has none to show
      const since = group.memberSince?.[p.id];
      if (since !== undefined) {
        m.created_at = since.createdAt;
        m.created_by_id = since.createdById;
      }
      return m;
    });
    const query = queryOf({ type: input.type, verbose: input.verbose, sort: input.sort, account_id: input.account_id });
    const links = pageLinks(query ? `${base}?${query}` : base, page, rows.length) as Omit<GroupMemberList, 'members'>;
    return done(state, { ...links, members }, []);
  },
});

// The result is null: the seed's 204 has no body.
/** Checks that `iam_id` is in an access group now, static or dynamic (seed: Check membership in an Access Group). */
export const isMemberOfAccessGroup = defineOperation({
  name: 'isMemberOfAccessGroup',
  codes: IBM_GROUP_CODES,
  guard: onGroup(IBM_ACTIONS.membersRead),
  run(state: SourceState, input: GroupMemberInput, ctx: ManageContext): OpResult<null> {
    refuseUnknownKeys(input, ['access_group_id', 'account_id', 'iam_id']);
    const { account, group } = resolveGroup(state, input ?? {}, ctx);
    const iamId = typeof input.iam_id === 'string' ? input.iam_id : '';
    if (!isMemberOfGroup(state, account.id, group.id, iamId, ctx.now)) throw memberNotFound(iamId, group.id);
    return done(state, null, []);
  },
});

// Removing a member ends every way it is in the group that the account stores: its static membership and its stored
// dynamic memberships (from logins through a claim rule), so the membership check answers 404 afterwards. A later
// login whose claims match a rule makes it a dynamic member again, and claims carried in a request are not stored
// (SEMANTICS.md §1, "Removing a member").
/** Removes one member, static or dynamic (seed: Delete member from an Access Group, 204). */
export const removeMemberFromAccessGroup = defineOperation({
  name: 'removeMemberFromAccessGroup',
  codes: IBM_GROUP_CODES,
  guard: onGroup(IBM_ACTIONS.membersRemove),
  run(state: SourceState, input: GroupMemberInput, ctx: ManageContext): OpResult<null> {
    refuseUnknownKeys(input, ['access_group_id', 'account_id', 'iam_id']);
    const { account, group } = resolveWritableGroup(state, input ?? {}, ctx, 'delete group membership');
    const iamId = typeof input.iam_id === 'string' ? input.iam_id : '';
    if (!isMemberOfGroup(state, account.id, group.id, iamId, ctx.now)) throw memberNotFound(iamId, group.id);
    return done(state, null, removalChanges(state, group, new Set([iamId])));
  },
});

function removeMembers(group: Group, ids: ReadonlySet<string>): Group {
  return produce(group, (d) => dropMembers(d, ids));
}

/** The changes that take `ids` out of `group`: the static list, and every stored dynamic membership of theirs in it. */
function removalChanges(state: SourceState, group: Group, ids: ReadonlySet<string>): Change[] {
  const changes: Change[] = [];
  if (group.members.some((m) => ids.has(m))) changes.push(putGroup(removeMembers(group, ids)));
  for (const m of state.list('membership', group.accountId))
    if (m.groupId === group.id && ids.has(m.principalId)) changes.push({ op: 'delete', entity: 'membership', key: entityKey('membership', m) });
  return changes;
}

/** Removes up to 50 members, static or dynamic, each with its own outcome (seed: Delete members from an Access Group, 207). */
export const removeMembersFromAccessGroup = defineOperation({
  name: 'removeMembersFromAccessGroup',
  codes: IBM_GROUP_CODES,
  guard: onGroup(IBM_ACTIONS.membersRemove),
  run(
    state: SourceState,
    input: RemoveMembersFromAccessGroupInput,
    ctx: ManageContext,
  ): OpResult<RemoveMembersResult> {
    refuseUnknownKeys(input, ['access_group_id', 'account_id', 'members']);
    const { account, group } = resolveWritableGroup(state, input ?? {}, ctx, 'delete group membership');
    const body = parseBody(removeBody, { members: input.members });
    const gone = new Set<string>();
    const members = body.members.map((iam_id) => {
      if (!isMemberOfGroup(state, account.id, group.id, iam_id, ctx.now))
        return { iam_id, ...itemError(404, `iam_id \`${iam_id}\` is not a member of access group \`${group.id}\``) };
      gone.add(iam_id);
      return { iam_id, status_code: 204 as const };
    });
    return done(state, { access_group_id: group.id, members }, gone.size === 0 ? [] : removalChanges(state, group, gone));
  },
});

/** The access groups of an account `iamId` is a member of at `now`, static or dynamic, the Public Access group aside. */
export function groupsWithMember(state: SourceState, accountId: string, iamId: string, now: string): Group[] {
  const ids = groupIdsOfMember(state, accountId, iamId, now);
  return state.list('group', accountId).filter((g) => g.id !== PUBLIC_ACCESS_GROUP_ID && ids.has(g.id));
}

// 404 `no_groups_found` when it is in none. A dynamic member leaves as removeMemberFromAccessGroup says.
/** Removes a principal from every access group of an account it is in (seed: Delete member from all Access Groups). */
export const removeMemberFromAllAccessGroups = defineOperation({
  name: 'removeMemberFromAllAccessGroups',
  codes: IBM_GROUP_CODES,
  guard: {
    check(gate, input) {
      const accountId = groupAccount(gate, input);
      const iamId = str((input as unknown as Loose | null)?.['iam_id']);
      // the groups it is in now, static or dynamic: removing it ends both
      const groups = iamId === undefined ? [] : groupsWithMember(gate.state, accountId, iamId, isoOf(gate.now));
      if (groups.length === 0) gate.require(IBM_ACTIONS.membersRemove, accessGroupTarget(accountId));
      for (const g of groups) gate.require(IBM_ACTIONS.membersRemove, accessGroupTarget(accountId, g.id));
    },
  },
  run(
    state: SourceState,
    input: RemoveMemberFromAllAccessGroupsInput,
    ctx: ManageContext,
  ): OpResult<RemoveFromAllResult> {
    refuseUnknownKeys(input, ['account_id', 'iam_id']);
    const account = requireAccount(state, input?.account_id);
    const iamId = typeof input.iam_id === 'string' ? input.iam_id : '';
    const ids = new Set([iamId]);
    const changes: Change[] = [];
    const groups: RemoveFromAllResult['groups'] = [];
    for (const g of groupsWithMember(state, account.id, iamId, ctx.now)) {
      changes.push(...removalChanges(state, g, ids));
      groups.push({ access_group_id: g.id, status_code: 204 });
    }
    if (groups.length === 0) throw new SeedError('no_groups_found', 404, `no groups found for member: \`${iamId}\``);
    return done(state, { iam_id: iamId, groups }, changes);
  },
});

// A group named twice refuses the whole request with 400 `duplicate_groupid_error`. A group the actor may not change
// is a per-group 403 (the access check names them in GROUPS_NOT_PERMITTED), as the seed's 207 example shows.
/** Adds one principal to up to 50 access groups, each with its own outcome (seed: Add member to multiple Access Groups). */
export const addMemberToMultipleAccessGroups = defineOperation({
  name: 'addMemberToMultipleAccessGroups',
  codes: IBM_GROUP_CODES,
  // seed 002: the answer is a 207 with each group's own result, 403 for a group the caller may not change (the seed
  // lists no 403 for the request as a whole: a caller that may change none gets a 403 for each, and nothing is
  // written); a group that does not exist is asked as the account's service, so a 404 tells only who may add there
  guard: {
    check(gate, input) {
      const ids = (input as unknown as Loose | null)?.['groups'];
      if (!Array.isArray(ids) || ids.length === 0) gate.require(IBM_ACTIONS.membersAdd, accessGroupTarget(groupAccount(gate, input)));
    },
    rewrite(gate, input) {
      const ids = (input as unknown as Loose | null)?.['groups'];
      if (!Array.isArray(ids)) return input;
      const denied = new Set(ids.filter((id): id is string => typeof id === 'string' && !gate.may(IBM_ACTIONS.membersAdd, groupTarget(gate, input, id))));
      return denied.size === 0 ? input : { ...(input as Loose), [GROUPS_NOT_PERMITTED]: denied };
    },
  },
  run(
    state: SourceState,
    input: AddMemberToMultipleAccessGroupsInput,
    ctx: ManageContext,
  ): OpResult<AddToMultipleResult> {
    refuseUnknownKeys(input, ['account_id', 'iam_id', 'type', 'groups']);
    const account = requireAccount(state, input?.account_id);
    const body = parseBody(addToManyBody, { iam_id: input.iam_id, type: input.type, groups: input.groups });
    const iamId = body.iam_id;
    const seen = new Set<string>();
    for (const g of body.groups) {
      if (seen.has(g))
        throw new SeedError('duplicate_groupid_error', 400, `a duplicate group id entry was found for \`${g}\`: remove any duplicate entries`);
      seen.add(g);
    }
    const problem = principalProblem(state.get('principal', `${account.id}/${iamId}`), iamId, body.type);
    const by = actorId(ctx);
    let count = staticGroupCount(state, account.id, iamId);
    const changes: Change[] = [];
    const notPermitted = input[GROUPS_NOT_PERMITTED];
    const groups: AddToMultipleResult['groups'] = body.groups.map((access_group_id) => {
      // checked first: an actor learns nothing about a group it may not change
      if (notPermitted?.has(access_group_id) === true) return { access_group_id, ...itemError(403, FORBIDDEN_ITEM) };
      if (access_group_id === PUBLIC_ACCESS_GROUP_ID)
        return { access_group_id, ...itemError(405, `cannot add members for: \`${PUBLIC_ACCESS_GROUP_ID}\``) };
      const g = state.get('group', `${account.id}/${access_group_id}`);
      if (!g) return { access_group_id, ...itemError(404, `group \`${access_group_id}\` not found in account`) };
      if (problem !== null) return { access_group_id, ...itemError(400, problem) };
      if (g.members.includes(iamId)) return { access_group_id, status_code: 200 as const };
      if (count >= MAX_GROUPS_PER_MEMBER) return { access_group_id, ...itemError(409, limitMessage(iamId)) };
      count++;
      changes.push(putGroup(produce(g, (d) => addMembersSince(d, [iamId], ctx.now, by))));
      return { access_group_id, status_code: 200 as const };
    });
    return done(state, { groups }, changes);
  },
});

/** The member operations of IBM access groups, by the seed's operation names. */
export const ibmGroupMemberOperations = {
  addMembersToAccessGroup,
  listAccessGroupMembers,
  isMemberOfAccessGroup,
  removeMemberFromAccessGroup,
  removeMembersFromAccessGroup,
  removeMemberFromAllAccessGroups,
  addMemberToMultipleAccessGroups,
};
