// Cloudflare account members: the principals (kind `user`) of a Cloudflare account. The seed names a member's
// status in the account `accepted` or `pending`; the model writes `active` for accepted, and a pending member
// counts only as an anonymous caller until it accepts.
import { produce } from 'immer';
import { z } from 'zod';
import { SeedError } from '../../errors.js';
import type { Principal } from '../../model/source.js';
import { entityKey, type Change } from '../../model/entities.js';
import { mailboxOf } from '../../model/sso-connector.js';
import {
  cloudflareAccount,
  cloudflarePage,
  envelope,
  newCloudflareId,
  orderBy,
  paginate,
  type CloudflareEnvelope,
  pageQuery,
} from './common.js';
import { parseInput } from '../input.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import { withEtag } from '../etag.js';
import type { SourceState } from '../../model/source-state.js';
import { dropMembers } from '../group-member-list.js';
import { CLOUDFLARE_CODES } from '../access/codes.js';
import { defineOperation } from '../define-operation.js';
import { CLOUDFLARE_ACTIONS, onAccount } from './guards.js';

/** A member's status in the account as the seed names it. */
export type CloudflareMemberStatus = 'accepted' | 'pending';

/** A member as the seed returns it; a disabled principal (no seed status) is returned without `status`. */
export interface CloudflareMember {
  id: string;
  email?: string;
  status?: CloudflareMemberStatus;
}

/** The seed view of a principal. */
export function memberView(p: Principal): CloudflareMember {
  const out: CloudflareMember = { id: p.id };
  if (p.email !== undefined) out.email = p.email;
  if (p.status === 'active') out.status = 'accepted';
  else if (p.status === 'pending') out.status = 'pending';
  return out;
}

/** The model status for a seed status. */
export function principalStatus(status: CloudflareMemberStatus): Principal['status'] {
  return status === 'accepted' ? 'active' : 'pending';
}

/** The member (a user principal) `id` of the account, or 404 `member_not_found`. */
export function findMember(state: SourceState, accountId: string, id: string): Principal {
  const p = state.get('principal', `${accountId}/${id}`);
  if (!p || p.kind !== 'user') throw new SeedError('member_not_found', 404, `member \`${id}\` not found`);
  return p;
}

const statusField = z.enum(['accepted', 'pending']);
const emailField = z
  .string()
  .trim()
  .min(3)
  .max(90)
  .refine((s) => /^[^\s@]+@[^\s@]+$/.test(s), { message: 'must be an email address' });

const listSchema = z.strictObject({
  account_id: z.string().min(1),
  status: statusField.optional(),
  direction: z.enum(['asc', 'desc']).optional(),
  ...pageQuery,
});

/** GET /accounts/{account_id}/members: the account's user principals; `status` filters, `direction` orders by email. */
export const listAccountMembers = defineOperation({
  name: 'listAccountMembers',
  codes: CLOUDFLARE_CODES,
  input: listSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.memberRead),
  run(
    state: SourceState,
    input: z.input<typeof listSchema>,
    _ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareMember[]>> {
    const q = parseInput(listSchema, input);
    const page = cloudflarePage(q.page, q.per_page);
    cloudflareAccount(state, q.account_id);
    const rows = state
      .list('principal', q.account_id)
      .filter((p) => p.kind === 'user')
      .map(memberView)
      .filter((m) => q.status === undefined || m.status === q.status);
    const { rows: slice, info } = paginate(orderBy(rows, (m) => m.email ?? '', q.direction), page);
    return done(state, envelope(slice, info), []);
  },
});

const getSchema = z.strictObject({ account_id: z.string().min(1), member_id: z.string().min(1) });

/** GET /accounts/{account_id}/members/{member_id}: 404 `member_not_found`. */
export const getAccountMember = defineOperation({
  name: 'getAccountMember',
  codes: CLOUDFLARE_CODES,
  input: getSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.memberRead),
  run(
    state: SourceState,
    input: z.input<typeof getSchema>,
    _ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareMember>> {
    const q = parseInput(getSchema, input);
    cloudflareAccount(state, q.account_id);
    return done(state, envelope(memberView(findMember(state, q.account_id, q.member_id))), []);
  },
});

const createSchema = z.strictObject({ account_id: z.string().min(1), email: emailField, status: statusField.default('pending') });

/** POST /accounts/{account_id}/members: invites a user (pending unless `status: accepted`); 409 `member_already_exists` for a known email. */
export const createAccountMember = defineOperation({
  name: 'createAccountMember',
  codes: CLOUDFLARE_CODES,
  input: createSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.memberEdit),
  run(
    state: SourceState,
    input: z.input<typeof createSchema>,
    ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareMember>> {
    const q = parseInput(createSchema, input);
    cloudflareAccount(state, q.account_id);
    // one mailbox, one member: `bob@x` and `Bob@X.` are the same person to the SSO gate and to mail
    const mailbox = mailboxOf(q.email);
    if (state.list('principal', q.account_id).some((p) => p.email !== undefined && mailboxOf(p.email) === mailbox))
      throw new SeedError('member_already_exists', 409, `a member with email \`${q.email}\` already exists`);
    const id = newCloudflareId(ctx, (x) => state.get('principal', `${q.account_id}/${x}`) !== undefined);
    const p: Principal = {
      id,
      accountId: q.account_id,
      kind: 'user',
      email: q.email,
      status: principalStatus(q.status),
      locked: false,
      projects: [],
    };
    return done(state, envelope(memberView(p)), [{ op: 'put', entity: 'principal', value: p }]);
  },
});

const updateSchema = z.strictObject({ account_id: z.string().min(1), member_id: z.string().min(1), status: statusField });

/** PUT /accounts/{account_id}/members/{member_id}: sets the member's status (accepted or pending). */
export const updateAccountMember = defineOperation({
  name: 'updateAccountMember',
  codes: CLOUDFLARE_CODES,
  input: updateSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.memberEdit),
  run(
    state: SourceState,
    input: z.input<typeof updateSchema>,
    _ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareMember>> {
    const q = parseInput(updateSchema, input);
    cloudflareAccount(state, q.account_id);
    const old = findMember(state, q.account_id, q.member_id);
    const next = produce(old, (d) => {
      d.status = principalStatus(q.status);
    });
    const changes: Change[] = next === old ? [] : [{ op: 'put', entity: 'principal', value: next }];
    return done(state, envelope(memberView(next)), changes);
  },
});

/** DELETE /accounts/{account_id}/members/{member_id}: removes the member from every user group and deletes the policies naming it. */
export const removeAccountMember = defineOperation({
  name: 'removeAccountMember',
  codes: CLOUDFLARE_CODES,
  input: getSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.memberEdit),
  run(
    state: SourceState,
    input: z.input<typeof getSchema>,
    ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<{ id: string }>> {
    const q = parseInput(getSchema, input);
    cloudflareAccount(state, q.account_id);
    const p = findMember(state, q.account_id, q.member_id);
    const changes: Change[] = [];
    for (const g of state.list('group', q.account_id)) {
      if (!g.members.includes(p.id)) continue;
      const next = produce(g, (d) => {
        dropMembers(d, new Set([p.id]));
        d.lastModifiedAt = ctx.now;
      });
      changes.push({ op: 'put', entity: 'group', value: withEtag(next) });
    }
    for (const pol of state.list('policy', q.account_id))
      if (pol.subject.kind === 'principal' && pol.subject.id === p.id) changes.push({ op: 'delete', entity: 'policy', key: pol.id });
    for (const b of state.list('binding', q.account_id))
      if (b.subject.kind === 'principal' && b.subject.id === p.id) changes.push({ op: 'delete', entity: 'binding', key: b.id });
    for (const m of state.list('membership', q.account_id))
      if (m.principalId === p.id) changes.push({ op: 'delete', entity: 'membership', key: entityKey('membership', m) });
    changes.push({ op: 'delete', entity: 'principal', key: entityKey('principal', p) });
    return done(state, envelope({ id: p.id }), changes);
  },
});
