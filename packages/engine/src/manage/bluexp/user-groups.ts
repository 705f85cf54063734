// BlueXP user groups (seed 000, "user and usergroup"): groups of users, some federated from an identity
// provider. A group can hold role bindings like a user; a federated group's bindings count only for users who
// also hold a direct binding (SEMANTICS §3.4).
import { produce } from 'immer';
import { z } from 'zod';
import { SeedError, type Issue } from '../../errors.js';
import { PUBLIC_ACCESS_GROUP_ID, type Group } from '../../model/source.js';
import { entityKey, type Change } from '../../model/entities.js';
import { actorId } from '../actor.js';
import { bluexpAccount, freshId } from './common.js';
import { parseInput, refuseIssues } from '../input.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import { withEtag } from '../etag.js';
import type { SourceState } from '../../model/source-state.js';
import { dropMembers } from '../group-member-list.js';
import { BLUEXP_CODES } from '../access/codes.js';
import { defineOperation } from '../define-operation.js';
import { atOrg, BLUEXP_ACTIONS, readAtOrg } from './guards.js';

/** A user group as the operations return it. */
export interface BluexpUserGroup {
  id: string;
  accountId: string;
  name: string;
  description: string;
  federated: boolean;
  members: string[];
}

/** The view of a group row. */
export function userGroupView(g: Group): BluexpUserGroup {
  return { id: g.id, accountId: g.accountId, name: g.name, description: g.description, federated: g.federated, members: [...g.members] };
}

/** The user group `id` of the organization, or 404 `user_group_not_found`. */
export function findGroup(state: SourceState, accountId: string, id: string): Group {
  const g = id === PUBLIC_ACCESS_GROUP_ID ? undefined : state.get('group', `${accountId}/${id}`);
  if (!g) throw new SeedError('user_group_not_found', 404, `user group \`${id}\` not found`);
  return g;
}

function checkName(state: SourceState, accountId: string, name: string, exceptId?: string): void {
  const lower = name.toLowerCase();
  if (state.list('group', accountId).some((g) => g.id !== exceptId && g.name.toLowerCase() === lower))
    throw new SeedError('name_conflict', 409, `a user group named \`${name}\` already exists`);
}

/** The issues of member ids that are not users or service accounts of the organization, or repeat. */
function memberIssues(state: SourceState, accountId: string, members: string[]): Issue[] {
  const issues: Issue[] = [];
  members.forEach((id, j) => {
    const p = state.get('principal', `${accountId}/${id}`);
    if (!p || p.kind === 'agent') issues.push({ path: ['members', j], message: `unknown user \`${id}\`` });
    if (members.indexOf(id) !== j) issues.push({ path: ['members', j], message: `member \`${id}\` is listed twice` });
  });
  return issues;
}

const nameField = z.string().trim().min(1).max(100);
const descriptionField = z.string().max(250);
const createSchema = z.strictObject({
  account_id: z.string().min(1),
  /** The identity provider's group id for a federated group, when known. */
  id: z.string().min(1).max(256).optional(),
  name: nameField,
  description: descriptionField.default(''),
  federated: z.boolean().default(false),
  members: z.array(z.string().min(1)).max(1000).default([]),
});

/** Creates a user group (`federated: true` for one from the identity provider); 409 `name_conflict` for a taken name. */
export const createUserGroup = defineOperation({
  name: 'createUserGroup',
  codes: BLUEXP_CODES,
  input: createSchema,
  guard: atOrg(BLUEXP_ACTIONS.userGroupCreate),
  run(state: SourceState, input: z.input<typeof createSchema>, ctx: ManageContext): OpResult<BluexpUserGroup> {
    const q = parseInput(createSchema, input);
    bluexpAccount(state, q.account_id);
    refuseIssues('invalid_request', memberIssues(state, q.account_id, q.members));
    checkName(state, q.account_id, q.name);
    if (q.id !== undefined && (q.id === PUBLIC_ACCESS_GROUP_ID || state.get('group', `${q.account_id}/${q.id}`)))
      throw new SeedError('user_group_exists', 409, `user group \`${q.id}\` already exists`);
    const id = q.id ?? freshId(ctx, 'group-', (x) => state.get('group', `${q.account_id}/${x}`) !== undefined);
    const g = withEtag<Group>({
      id,
      accountId: q.account_id,
      name: q.name,
      description: q.description,
      members: q.members,
      rules: [],
      federated: q.federated,
      createdAt: ctx.now,
      createdById: actorId(ctx),
      lastModifiedAt: ctx.now,
      lastModifiedById: actorId(ctx),
    });
    return done(state, userGroupView(g), [{ op: 'put', entity: 'group', value: g }]);
  },
});

const listSchema = z.strictObject({ account_id: z.string().min(1), federated: z.boolean().optional() });

/** The organization's user groups (only federated or only local ones when `federated` is given). */
export const listUserGroups = defineOperation({
  name: 'listUserGroups',
  codes: BLUEXP_CODES,
  input: listSchema,
  guard: readAtOrg(BLUEXP_ACTIONS.userGroupRead, 'group'),
  run(state: SourceState, input: z.input<typeof listSchema>, _ctx: ManageContext): OpResult<{ groups: BluexpUserGroup[] }> {
    const q = parseInput(listSchema, input);
    bluexpAccount(state, q.account_id);
    const rows = state.list('group', q.account_id).filter((g) => g.id !== PUBLIC_ACCESS_GROUP_ID && (q.federated === undefined || g.federated === q.federated));
    return done(state, { groups: rows.map(userGroupView) }, []);
  },
});

const updateSchema = z.strictObject({ account_id: z.string().min(1), group_id: z.string().min(1), name: nameField.optional(), description: descriptionField.optional() });

/** Renames a user group or changes its description. */
export const updateUserGroup = defineOperation({
  name: 'updateUserGroup',
  codes: BLUEXP_CODES,
  input: updateSchema,
  guard: atOrg(BLUEXP_ACTIONS.userGroupUpdate),
  run(state: SourceState, input: z.input<typeof updateSchema>, ctx: ManageContext): OpResult<BluexpUserGroup> {
    const q = parseInput(updateSchema, input);
    bluexpAccount(state, q.account_id);
    const old = findGroup(state, q.account_id, q.group_id);
    if (q.name !== undefined) checkName(state, q.account_id, q.name, old.id);
    if ((q.name ?? old.name) === old.name && (q.description ?? old.description) === old.description) return done(state, userGroupView(old), []);
    const next = withEtag(
      produce(old, (d) => {
        if (q.name !== undefined) d.name = q.name;
        if (q.description !== undefined) d.description = q.description;
        d.lastModifiedAt = ctx.now;
        d.lastModifiedById = actorId(ctx);
      }),
    );
    return done(state, userGroupView(next), [{ op: 'put', entity: 'group', value: next }]);
  },
});

const oneSchema = z.strictObject({ account_id: z.string().min(1), group_id: z.string().min(1) });

/** Deletes a user group with its role bindings (a group's bindings are not a user's own role). */
export const deleteUserGroup = defineOperation({
  name: 'deleteUserGroup',
  codes: BLUEXP_CODES,
  input: oneSchema,
  guard: atOrg(BLUEXP_ACTIONS.userGroupDelete),
  run(state: SourceState, input: z.input<typeof oneSchema>, _ctx: ManageContext): OpResult<{ id: string }> {
    const q = parseInput(oneSchema, input);
    bluexpAccount(state, q.account_id);
    const g = findGroup(state, q.account_id, q.group_id);
    const changes: Change[] = [];
    for (const b of state.list('binding', q.account_id))
      if (b.subject.kind === 'group' && b.subject.id === g.id) changes.push({ op: 'delete', entity: 'binding', key: b.id });
    for (const p of state.list('policy', q.account_id))
      if (p.subject.kind === 'group' && p.subject.id === g.id) changes.push({ op: 'delete', entity: 'policy', key: p.id });
    for (const m of state.list('membership', q.account_id))
      if (m.groupId === g.id) changes.push({ op: 'delete', entity: 'membership', key: entityKey('membership', m) });
    changes.push({ op: 'delete', entity: 'group', key: entityKey('group', g) });
    return done(state, { id: g.id }, changes);
  },
});

const membersSchema = z.strictObject({ account_id: z.string().min(1), group_id: z.string().min(1), members: z.array(z.string().min(1)).min(1).max(1000) });

/** Adds users or service accounts to a user group; those already in it stay. */
export const addUserGroupMembers = defineOperation({
  name: 'addUserGroupMembers',
  codes: BLUEXP_CODES,
  input: membersSchema,
  guard: atOrg(BLUEXP_ACTIONS.userGroupUpdate),
  run(state: SourceState, input: z.input<typeof membersSchema>, ctx: ManageContext): OpResult<BluexpUserGroup> {
    const q = parseInput(membersSchema, input);
    bluexpAccount(state, q.account_id);
    const old = findGroup(state, q.account_id, q.group_id);
    refuseIssues('invalid_request', memberIssues(state, q.account_id, q.members));
    const added = q.members.filter((m) => !old.members.includes(m));
    if (added.length === 0) return done(state, userGroupView(old), []);
    const next = withEtag(
      produce(old, (d) => {
        d.members.push(...added);
        d.lastModifiedAt = ctx.now;
        d.lastModifiedById = actorId(ctx);
      }),
    );
    return done(state, userGroupView(next), [{ op: 'put', entity: 'group', value: next }]);
  },
});

const removeSchema = z.strictObject({ account_id: z.string().min(1), group_id: z.string().min(1), member_id: z.string().min(1) });

/** Removes one member from a user group: 404 `member_not_found` when it is not a member. */
export const removeUserGroupMember = defineOperation({
  name: 'removeUserGroupMember',
  codes: BLUEXP_CODES,
  input: removeSchema,
  guard: atOrg(BLUEXP_ACTIONS.userGroupUpdate),
  run(state: SourceState, input: z.input<typeof removeSchema>, ctx: ManageContext): OpResult<BluexpUserGroup> {
    const q = parseInput(removeSchema, input);
    bluexpAccount(state, q.account_id);
    const old = findGroup(state, q.account_id, q.group_id);
    if (!old.members.includes(q.member_id)) throw new SeedError('member_not_found', 404, `\`${q.member_id}\` is not in user group \`${old.id}\``);
    const next = withEtag(
      produce(old, (d) => {
        dropMembers(d, new Set([q.member_id]));
        d.lastModifiedAt = ctx.now;
        d.lastModifiedById = actorId(ctx);
      }),
    );
    return done(state, userGroupView(next), [{ op: 'put', entity: 'group', value: next }]);
  },
});
