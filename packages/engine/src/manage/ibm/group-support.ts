import { z } from 'zod';
import { SeedError, type Issue } from '../../errors.js';
import { zodIssues } from '../../model/parse-source.js';
import { findLoneSurrogates } from '../../model/primitives.js';
import { PUBLIC_ACCESS_GROUP_ID, type Account, type Group } from '../../model/source.js';
import type { Change } from '../../model/entities.js';
import { issuesMessage } from '../input.js';
import { etagOf, withEtag } from '../etag.js';
import { type ManageContext } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';

// Relative on purpose: the seed's `https://iam.cloud.ibm.com/v2` would point a host's clients at IBM.
/** The path prefix of every href these operations return; a host prefixes its own origin. */
export const IBM_GROUPS_BASE = '/v2';

/** The name the seed gives the Public Access group in listings. */
export const PUBLIC_ACCESS_GROUP_NAME = 'Public Access';

/** The description the seed gives the Public Access group in listings. */
export const PUBLIC_ACCESS_GROUP_DESCRIPTION =
  'This group includes all users and service IDs by default. All group members, including unauthenticated users, are given public access to any resources that are defined in the policies for the group.';

/** Each iam_id can be added to at most this many access groups (seed: "each iam_id can only be added to 50 groups"). */
export const MAX_GROUPS_PER_MEMBER = 50;

/** At most this many members (or groups) in one add/remove request (seed). */
export const MAX_ITEMS_PER_CALL = 50;

/** A 400 `invalid_payload` refusal listing every problem of a request body. */
export function invalidPayload(issues: Issue[]): SeedError {
  return new SeedError('invalid_payload', 400, `invalid payload: ${issuesMessage(issues)}`, { issues });
}

/** Parses a request body (or the body part of the input) with a zod schema; every issue is reported at once. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const r = schema.safeParse(body);
  if (!r.success) throw invalidPayload(zodIssues(r.error));
  return r.data;
}

/**
 * Refuses every key of an operation's input that the operation does not read, each with the key as its path:
 * a misspelt field (`descripton`, `forse`) is a mistake to report, never a default to apply silently. A string
 * holding a lone surrogate is refused too.
 */
export function refuseUnknownKeys(input: unknown, known: readonly string[], refusal: (issues: Issue[]) => SeedError = invalidPayload): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return;
  const issues: Issue[] = [];
  for (const [k, v] of Object.entries(input)) if (v !== undefined && !known.includes(k)) issues.push({ path: [k], message: `unknown key \`${k}\`` });
  // every IBM operation reads its input here first: a lone surrogate no store can keep is refused under the seed's code
  findLoneSurrogates(input, [], issues);
  if (issues.length > 0) throw refusal(issues);
}

/** A boolean query parameter as a host passes it: a boolean or the strings `true`/`false`; absent is `dflt`. */
export function queryBool(value: unknown, name: string, dflt = false): boolean {
  if (value === undefined || value === null) return dflt;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new SeedError('invalid_query_parameter', 400, `query parameter \`${name}\` must be true or false`);
}

/** An optional string query parameter; anything but a string is refused. */
export function queryString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new SeedError('invalid_query_parameter', 400, `query parameter \`${name}\` must be a string`);
  return value;
}

/** The IBM account named by a required `account_id` query parameter; 400 when absent, 404 when not an IBM account. */
export function requireAccount(state: SourceState, accountId: unknown): Account {
  if (accountId === undefined || accountId === null || accountId === '')
    throw new SeedError('missing_required_query_parameter', 400, 'query parameter `account_id` is required');
  if (typeof accountId !== 'string') throw new SeedError('invalid_query_parameter', 400, 'query parameter `account_id` must be a string');
  const account = state.get('account', accountId);
  // INVARIANT: these operations manage IBM accounts only; Cloudflare and BlueXP groups have their own operations
  if (!account || account.system !== 'ibm') throw new SeedError('account_not_found', 404, `account \`${accountId}\` not found`);
  return account;
}

/** A group of an IBM account together with whether it is the built-in Public Access group. */
export interface ResolvedGroup {
  account: Account;
  group: Group;
  isPublic: boolean;
}

/** The Public Access group of an account: the stored row when there is one, else synthesized with the seed's name. */
export function publicAccessGroup(state: SourceState, accountId: string): Group {
  const stored = state.get('group', `${accountId}/${PUBLIC_ACCESS_GROUP_ID}`);
  if (stored) return stored;
  const row: Group = {
    id: PUBLIC_ACCESS_GROUP_ID,
    accountId,
    name: PUBLIC_ACCESS_GROUP_NAME,
    description: PUBLIC_ACCESS_GROUP_DESCRIPTION,
    members: [],
    rules: [],
    federated: false,
  };
  return { ...row, etag: etagOf(row) };
}

function groupNotFound(id: string): SeedError {
  return new SeedError('group_not_found', 404, `access group \`${id}\` not found`);
}

// The seed addresses a group by `access_group_id` alone (its ids are global); ours are unique per account, so the
// account is `account_id` when given, else the acting subject's account, else the one IBM account holding a group
// with that id (the Public Access group, in every account, needs one of the first two).
/** Finds the group an operation names: 404 `group_not_found` when there is none. */
export function resolveGroup(state: SourceState, input: { access_group_id?: unknown; account_id?: unknown }, ctx: ManageContext): ResolvedGroup {
  const id = input.access_group_id;
  if (typeof id !== 'string' || id === '') throw groupNotFound(String(id ?? ''));
  let accountId: string | undefined;
  if (input.account_id !== undefined && input.account_id !== null) {
    if (typeof input.account_id !== 'string') throw new SeedError('invalid_query_parameter', 400, 'query parameter `account_id` must be a string');
    accountId = input.account_id;
  } else if (ctx.actor.kind === 'subject') {
    accountId = ctx.actor.accountId;
  }
  if (accountId === undefined) {
    if (id === PUBLIC_ACCESS_GROUP_ID)
      throw new SeedError('missing_required_query_parameter', 400, 'query parameter `account_id` is required for the Public Access group');
    const found = state.list('group').filter((g) => g.id === id && state.get('account', g.accountId)?.system === 'ibm');
    if (found.length === 0) throw groupNotFound(id);
    if (found.length > 1) throw new SeedError('missing_required_query_parameter', 400, `access group id \`${id}\` is in several accounts: \`account_id\` is required`);
    accountId = found[0]!.accountId;
  }
  const account = state.get('account', accountId);
  if (!account || account.system !== 'ibm') throw groupNotFound(id);
  if (id === PUBLIC_ACCESS_GROUP_ID) return { account, group: publicAccessGroup(state, accountId), isPublic: true };
  const group = state.get('group', `${accountId}/${id}`);
  if (!group) throw groupNotFound(id);
  return { account, group, isPublic: false };
}

/** Like resolveGroup, but the Public Access group is refused with 405 `method_not_allowed_for_group` (it cannot be changed). */
export function resolveWritableGroup(
  state: SourceState,
  input: { access_group_id?: unknown; account_id?: unknown },
  ctx: ManageContext,
  what: string,
): ResolvedGroup {
  const r = resolveGroup(state, input, ctx);
  if (r.isPublic) throw new SeedError('method_not_allowed_for_group', 405, `cannot ${what} for: \`${PUBLIC_ACCESS_GROUP_ID}\``);
  return r;
}

/** A row's etag; a row imported without one (written by no operation yet) gets the etag of its content. */
export function currentEtag(row: { etag?: string | undefined }): string {
  return row.etag ?? etagOf(row);
}

/** The change that writes a group row, with a fresh etag. */
export function putGroup(group: Group): Change & { op: 'put'; entity: 'group'; value: Group } {
  return { op: 'put', entity: 'group', value: withEtag(group) };
}

/** True when a stored dynamic membership holds at `now`: it expires at `expiresAt`, not after (`now < expiresAt`). */
export function dynamicHolds(expiresAt: string, now: string): boolean {
  const t = Date.parse(now);
  const e = Date.parse(expiresAt);
  return Number.isFinite(t) && Number.isFinite(e) && t < e;
}

// Everyone is in the Public Access group unless the account disabled public access (SEMANTICS.md §1).
/** Whether `iamId` is in a group at `now`: static member, or dynamic member (from a login) until it expires. */
export function isMemberOfGroup(state: SourceState, accountId: string, groupId: string, iamId: string, now: string): boolean {
  const account = state.get('account', accountId);
  if (!account) return false;
  if (groupId === PUBLIC_ACCESS_GROUP_ID) return account.publicAccess !== false;
  const group = state.get('group', `${accountId}/${groupId}`);
  if (!group) return false;
  if (group.members.includes(iamId)) return true;
  for (const m of state.list('membership', accountId))
    if (m.principalId === iamId && m.groupId === groupId && dynamicHolds(m.expiresAt, now)) return true;
  return false;
}

/** The ids of the groups of an account `iamId` is in at `now`: static, unexpired dynamic, and Public Access (as isMemberOfGroup). */
export function groupIdsOfMember(state: SourceState, accountId: string, iamId: string, now: string): Set<string> {
  const out = new Set<string>();
  const account = state.get('account', accountId);
  if (!account) return out;
  if (account.publicAccess !== false) out.add(PUBLIC_ACCESS_GROUP_ID);
  for (const g of state.list('group', accountId)) if (g.members.includes(iamId)) out.add(g.id);
  for (const m of state.list('membership', accountId)) if (m.principalId === iamId && dynamicHolds(m.expiresAt, now)) out.add(m.groupId);
  return out;
}

/** How many access groups of an account list `iamId` as a static member (what the 50-groups limit counts). */
export function staticGroupCount(state: SourceState, accountId: string, iamId: string): number {
  let n = 0;
  for (const g of state.list('group', accountId)) if (g.id !== PUBLIC_ACCESS_GROUP_ID && g.members.includes(iamId)) n++;
  return n;
}

/** A request query string from defined parameters, for page links. */
export function queryOf(params: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') parts.push(`${k}=${encodeURIComponent(String(v))}`);
  return parts.join('&');
}

/** One per-item failure in a 207 body, in the seed's shape (`error_occurred` with the item's own status). */
export interface ItemError {
  status_code: number;
  errors: { code: string; message: string }[];
}

/** Builds a per-item failure as the seed's 207 bodies show it. */
export function itemError(status: number, message: string): ItemError {
  return { status_code: status, errors: [{ code: 'error_occurred', message }] };
}
