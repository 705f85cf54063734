import { produce } from 'immer';
import { z } from 'zod';
import { SeedError } from '../../errors.js';
import { LIMITS, PUBLIC_ACCESS_GROUP_ID, type Group } from '../../model/source.js';
import { entityKey, type Change } from '../../model/entities.js';
import { checkIfMatch } from '../etag.js';
import { checkPage, pageLinks, sortBy } from '../page.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import { ibmClaimRuleOperations } from './claim-rules.js';
import { ibmGroupMemberOperations } from './group-members.js';
import {
  IBM_GROUPS_BASE,
  currentEtag,
  dynamicHolds,
  invalidPayload,
  groupIdsOfMember,
  parseBody,
  publicAccessGroup,
  putGroup,
  queryBool,
  queryOf,
  queryString,
  requireAccount,
  resolveGroup,
  resolveWritableGroup,
  refuseUnknownKeys,
} from './group-support.js';
import { actorId } from '../actor.js';
import type { SourceState } from '../../model/source-state.js';
import { IBM_GROUP_CODES } from '../access/codes.js';
import { accessGroupTarget } from '../access/targets.js';
import { defineOperation } from '../define-operation.js';
import { groupAccount, IBM_ACTIONS, onGroup, without } from './guards.js';
import { type Loose } from '../access/loose-input.js';

/** An access group in the seed's JSON shape. */
export interface AccessGroupBody {
  id: string;
  name: string;
  description: string;
  account_id: string;
  created_at?: string;
  created_by_id?: string;
  last_modified_at?: string;
  last_modified_by_id?: string;
  /** With `show_federated`: true when the group has claim rules. */
  is_federated?: boolean;
  href?: string;
}

/** An access group body plus `etag`, the value of the seed's `Etag` response header (a host moves it to the header). */
export type AccessGroupResult = AccessGroupBody & { etag: string };

/** The seed's list envelope for access groups. */
export interface AccessGroupList {
  limit: number;
  offset: number;
  total_count: number;
  first: { href: string };
  previous?: { href: string };
  next?: { href: string };
  last?: { href: string };
  groups: AccessGroupBody[];
}

/** POST /groups?account_id=: query and body as one object. */
export interface CreateAccessGroupInput {
  account_id: string;
  name: string;
  description?: string;
}

/** GET /groups */
export interface ListAccessGroupsInput {
  account_id: string;
  iam_id?: string;
  limit?: number | string;
  offset?: number | string;
  sort?: string;
  show_federated?: boolean | string;
  hide_public_access?: boolean | string;
}

/** GET /groups/{access_group_id}; `account_id` is ours (see resolveGroup). */
export interface GetAccessGroupInput {
  access_group_id: string;
  account_id?: string;
  show_federated?: boolean | string;
}

/** PATCH /groups/{access_group_id} with the If-Match header as `if_match`. */
export interface UpdateAccessGroupInput {
  access_group_id: string;
  account_id?: string;
  if_match: string;
  name?: string;
  description?: string;
}

/** DELETE /groups/{access_group_id}?force= */
export interface DeleteAccessGroupInput {
  access_group_id: string;
  account_id?: string;
  force?: boolean | string;
}

const nameSchema = z
  .string({ message: 'name must be a string' })
  .max(LIMITS.groupName, `name is at most ${LIMITS.groupName} characters`)
  .refine((s) => s.trim() !== '', { message: 'name must not be empty' });
const descriptionSchema = z
  .string({ message: 'description must be a string' })
  .max(LIMITS.groupDescription, `description is at most ${LIMITS.groupDescription} characters`);

const createBody = z.strictObject({ name: nameSchema, description: descriptionSchema.optional() }, { message: 'the body must be an object' });
const updateBody = z.strictObject({ name: nameSchema.optional(), description: descriptionSchema.optional() }, { message: 'the body must be an object' });

const SORT_FIELDS = new Set(['id', 'name', 'description', 'is_federated']);

/** The seed's JSON shape of a group row. */
export function accessGroupBody(g: Group, showFederated: boolean): AccessGroupBody {
  const out: AccessGroupBody = { id: g.id, name: g.name, description: g.description, account_id: g.accountId };
  if (g.createdAt !== undefined) out.created_at = g.createdAt;
  if (g.createdById !== undefined) out.created_by_id = g.createdById;
  if (g.lastModifiedAt !== undefined) out.last_modified_at = g.lastModifiedAt;
  if (g.lastModifiedById !== undefined) out.last_modified_by_id = g.lastModifiedById;
  if (showFederated) out.is_federated = g.rules.length > 0;
  return out;
}

function withEtagField(body: AccessGroupBody, g: Group): AccessGroupResult {
  return { ...body, etag: currentEtag(g) };
}

/** Creates an access group; names may repeat, so nothing but the limits is checked (seed: Create an Access Group). */
export const createAccessGroup = defineOperation({
  name: 'createAccessGroup',
  codes: IBM_GROUP_CODES,
  guard: { check: (gate, input) => gate.require(IBM_ACTIONS.groupsCreate, accessGroupTarget(groupAccount(gate, input))) },
  run(state: SourceState, input: CreateAccessGroupInput, ctx: ManageContext): OpResult<AccessGroupResult> {
    refuseUnknownKeys(input, ['account_id', 'name', 'description']);
    const account = requireAccount(state, input?.account_id);
    const body = parseBody(createBody, { name: input.name, description: input.description });
    const id = ctx.newId('AccessGroupId-');
    if (id === PUBLIC_ACCESS_GROUP_ID || state.get('group', `${account.id}/${id}`))
      throw new SeedError('internal_server_error', 500, `generated access group id \`${id}\` is already taken`);
    const by = actorId(ctx);
    const change = putGroup({
      id,
      accountId: account.id,
      name: body.name,
      description: body.description ?? '',
      members: [],
      rules: [],
      federated: false,
      createdAt: ctx.now,
      createdById: by,
      lastModifiedAt: ctx.now,
      lastModifiedById: by,
    });
    const row = change.value;
    return done(state, withEtagField(accessGroupBody(row, false), row), [change]);
  },
});

// The Public Access group is listed unless `hide_public_access`; `iam_id` keeps the groups that principal is in
// now, static or dynamic (as isMemberOfGroup).
/** Lists the access groups of an account, paged and sorted (seed: List Access Groups). */
export const listAccessGroups = defineOperation({
  name: 'listAccessGroups',
  codes: IBM_GROUP_CODES,
  guard: {
    check() {},
    // the Public Access group is synthesized by the operation, so it is hidden through its own query parameter
    rewrite(gate, input) {
      const accountId = groupAccount(gate, input);
      if (gate.may(IBM_ACTIONS.groupsRead, accessGroupTarget(accountId, PUBLIC_ACCESS_GROUP_ID))) return input;
      return { ...(input as Loose), hide_public_access: true };
    },
    // the seed: only the groups the caller has access to, through a policy on the group or on the whole service
    narrow(gate, input) {
      const accountId = groupAccount(gate, input);
      return without(gate.state, 'group', gate.state.list('group', accountId), (g: { id: string }) =>
        gate.may(IBM_ACTIONS.groupsRead, accessGroupTarget(accountId, g.id)),
      );
    },
  },
  run(state: SourceState, input: ListAccessGroupsInput, ctx: ManageContext): OpResult<AccessGroupList> {
    refuseUnknownKeys(input, ['account_id', 'iam_id', 'limit', 'offset', 'sort', 'show_federated', 'hide_public_access']);
    const account = requireAccount(state, input?.account_id);
    const iamId = queryString(input.iam_id, 'iam_id');
    const page = checkPage(input.limit, input.offset);
    const sort = queryString(input.sort, 'sort') ?? 'name';
    const field = sort.startsWith('-') ? sort.slice(1) : sort;
    if (!SORT_FIELDS.has(field))
      throw new SeedError('invalid_query_parameter', 400, `cannot sort by \`${sort}\`: use id, name, description or is_federated`);
    const showFederated = queryBool(input.show_federated, 'show_federated');
    const hidePublic = queryBool(input.hide_public_access, 'hide_public_access');

    let rows: Group[] = [];
    if (!hidePublic) rows.push(publicAccessGroup(state, account.id));
    for (const g of state.list('group', account.id)) if (g.id !== PUBLIC_ACCESS_GROUP_ID) rows.push(g);
    if (iamId !== undefined) {
      const mine = groupIdsOfMember(state, account.id, iamId, ctx.now);
      rows = rows.filter((g) => mine.has(g.id));
    }
    rows = sortBy(rows, sort, (g, name) =>
      name === 'is_federated' ? g.rules.length > 0 : name === 'id' ? g.id : name === 'name' ? g.name : g.description,
    );
    const query = queryOf({
      account_id: account.id,
      iam_id: iamId,
      sort: input.sort,
      show_federated: input.show_federated,
      hide_public_access: input.hide_public_access,
    });
    const groups = rows.slice(page.offset, page.offset + page.limit).map((g) => ({
      ...accessGroupBody(g, showFederated),
      href: `${IBM_GROUPS_BASE}/groups/${encodeURIComponent(g.id)}`,
    }));
    const links = pageLinks(`${IBM_GROUPS_BASE}/groups?${query}`, page, rows.length) as Omit<AccessGroupList, 'groups'>;
    return done(state, { ...links, groups }, []);
  },
});

/** Reads one access group with its etag (seed: Get an Access Group). */
export const getAccessGroup = defineOperation({
  name: 'getAccessGroup',
  codes: IBM_GROUP_CODES,
  guard: onGroup(IBM_ACTIONS.groupsRead),
  run(state: SourceState, input: GetAccessGroupInput, ctx: ManageContext): OpResult<AccessGroupResult> {
    refuseUnknownKeys(input, ['access_group_id', 'account_id', 'show_federated']);
    const { group } = resolveGroup(state, input ?? {}, ctx);
    const showFederated = queryBool(input.show_federated, 'show_federated');
    return done(state, withEtagField(accessGroupBody(group, showFederated), group), []);
  },
});

/** Renames or redescribes an access group; If-Match must carry its current etag (seed: Update an Access Group). */
export const updateAccessGroup = defineOperation({
  name: 'updateAccessGroup',
  codes: IBM_GROUP_CODES,
  guard: onGroup(IBM_ACTIONS.groupsUpdate),
  run(state: SourceState, input: UpdateAccessGroupInput, ctx: ManageContext): OpResult<AccessGroupResult> {
    refuseUnknownKeys(input, ['access_group_id', 'account_id', 'if_match', 'name', 'description']);
    const { group } = resolveWritableGroup(state, input ?? {}, ctx, 'update group');
    const body = parseBody(updateBody, { name: input.name, description: input.description });
    if (body.name === undefined && body.description === undefined)
      throw invalidPayload([{ path: [], message: 'give a name or a description to update' }]);
    checkIfMatch(typeof input.if_match === 'string' ? input.if_match : undefined, currentEtag(group));
    const by = actorId(ctx);
    const next = produce(group, (d) => {
      if (body.name !== undefined) d.name = body.name;
      if (body.description !== undefined) d.description = body.description;
      d.lastModifiedAt = ctx.now;
      d.lastModifiedById = by;
    });
    const change = putGroup(next);
    const row = change.value;
    return done(state, withEtagField(accessGroupBody(row, false), row), [change]);
  },
});

// A group with members, rules or live dynamic members needs `force` (409 `group_not_empty` without it).
/** Deletes an access group with its policies, bindings and dynamic memberships, so no reference dangles. */
export const deleteAccessGroup = defineOperation({
  name: 'deleteAccessGroup',
  codes: IBM_GROUP_CODES,
  guard: onGroup(IBM_ACTIONS.groupsDelete),
  run(state: SourceState, input: DeleteAccessGroupInput, ctx: ManageContext): OpResult<null> {
    refuseUnknownKeys(input, ['access_group_id', 'account_id', 'force']);
    const { account, group } = resolveWritableGroup(state, input ?? {}, ctx, 'delete group');
    const force = queryBool(input.force, 'force');
    const memberships = state.list('membership', account.id).filter((m) => m.groupId === group.id);
    const liveDynamic = memberships.some((m) => dynamicHolds(m.expiresAt, ctx.now));
    if (!force && (group.members.length > 0 || group.rules.length > 0 || liveDynamic))
      throw new SeedError('group_not_empty', 409, `access group is not empty: \`${group.id}\``);
    const changes: Change[] = [{ op: 'delete', entity: 'group', key: entityKey('group', group) }];
    for (const p of state.list('policy', account.id))
      if (p.subject.kind === 'group' && p.subject.id === group.id) changes.push({ op: 'delete', entity: 'policy', key: entityKey('policy', p) });
    for (const b of state.list('binding', account.id))
      if (b.subject.kind === 'group' && b.subject.id === group.id) changes.push({ op: 'delete', entity: 'binding', key: entityKey('binding', b) });
    for (const m of memberships) changes.push({ op: 'delete', entity: 'membership', key: entityKey('membership', m) });
    return done(state, null, changes);
  },
});

/** The group operations of this file. */
export const ibmAccessGroupCoreOperations = {
  createAccessGroup,
  listAccessGroups,
  getAccessGroup,
  updateAccessGroup,
  deleteAccessGroup,
};

/** Every IBM Access Groups operation (groups, members, claim rules, login), by the seed's operation names. */
export const ibmAccessGroupOperations = {
  ...ibmAccessGroupCoreOperations,
  ...ibmGroupMemberOperations,
  ...ibmClaimRuleOperations,
};
