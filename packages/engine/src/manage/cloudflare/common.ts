// What every Cloudflare account IAM operation shares: the v4 response envelope, the account check, 32-character ids
// and page/per_page paging (input parsing is manage/input.ts, as in every room).
import { z } from 'zod';
import { SeedError, type Issue } from '../../errors.js';
import { refuseIssues } from '../input.js';
import { parseScope, type ScopeTarget } from '../../model/scope.js';
import type { Account, Policy, ResourceGroup, Role } from '../../model/source.js';
import type { ManageContext } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';

/** The page figures Cloudflare adds to a list response. */
export interface CloudflareResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
  total_pages: number;
}

/** The Cloudflare v4 envelope: every operation returns it, so a host can send the result unchanged. */
export interface CloudflareEnvelope<T> {
  success: true;
  errors: [];
  messages: [];
  result: T;
  result_info?: CloudflareResultInfo;
}

/** Wraps a result in the v4 envelope. */
export function envelope<T>(result: T, resultInfo?: CloudflareResultInfo): CloudflareEnvelope<T> {
  return resultInfo === undefined
    ? { success: true, errors: [], messages: [], result }
    : { success: true, errors: [], messages: [], result, result_info: resultInfo };
}

/** The Cloudflare account `account_id`; any other account (unknown, or of another system) is 404 `account_not_found`. */
export function cloudflareAccount(state: SourceState, accountId: string): Account {
  const a = state.get('account', accountId);
  if (!a || a.system !== 'cloudflare') throw new SeedError('account_not_found', 404, `account \`${accountId}\` not found`);
  return a;
}

/**
 * A fresh 32-character lowercase hex id (Cloudflare ids are exactly 32 characters). An id from `ctx.newId('')`
 * that already has that shape is used as is; any other is hashed to it, and an id already `taken` is drawn again.
 */
export function newCloudflareId(ctx: ManageContext, taken: (id: string) => boolean): string {
  for (let i = 0; i < 64; i++) {
    const raw = ctx.newId('');
    const id = /^[0-9a-f]{32}$/i.test(raw) ? raw.toLowerCase() : hash128(raw);
    if (!taken(id)) return id;
  }
  throw new SeedError('id_exhausted', 500, 'could not draw an unused id');
}

function hash128(s: string): string {
  let out = '';
  for (const seed of [0x811c9dc5, 0x01000193, 0x5bd1e995, 0x27d4eb2f]) {
    let h = seed ^ s.length;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) ^ (h >>> 15);
    out += (h >>> 0).toString(16).padStart(8, '0');
  }
  return out;
}

/** The page query fields every Cloudflare listing takes; checked by cloudflarePage. */
export const pageQuery = { page: z.unknown().optional(), per_page: z.unknown().optional() };

/** The checked page parameters: `page` >= 1 (default 1), `per_page` 1..100 (default 50). */
export interface CloudflarePage {
  page: number;
  perPage: number;
}

/** Checks `page` and `per_page` (numbers or numeric strings, as a query string gives them); 400 `invalid_request` otherwise. */
export function cloudflarePage(page: unknown, perPage: unknown): CloudflarePage {
  const p = page === undefined ? 1 : Number(page);
  const pp = perPage === undefined ? 50 : Number(perPage);
  const issues: Issue[] = [];
  if (!Number.isInteger(p) || p < 1) issues.push({ path: ['page'], message: 'must be an integer of at least 1' });
  if (!Number.isInteger(pp) || pp < 1 || pp > 100) issues.push({ path: ['per_page'], message: 'must be an integer 1..100' });
  refuseIssues('invalid_request', issues);
  return { page: p, perPage: pp };
}

/** One page of rows and the `result_info` that describes it. */
export function paginate<T>(rows: T[], page: CloudflarePage): { rows: T[]; info: CloudflareResultInfo } {
  const start = (page.page - 1) * page.perPage;
  const slice = rows.slice(start, start + page.perPage);
  return {
    rows: slice,
    info: {
      page: page.page,
      per_page: page.perPage,
      count: slice.length,
      total_count: rows.length,
      total_pages: Math.ceil(rows.length / page.perPage),
    },
  };
}

/** Orders rows by a text key, `desc` reversing it; ties keep their stored order. */
export function orderBy<T>(rows: T[], key: (row: T) => string, direction: 'asc' | 'desc' | undefined): T[] {
  if (direction === undefined) return rows;
  const sign = direction === 'desc' ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -sign : x > y ? sign : 0;
  });
}

/** True for a permission group usable in account `accountId`: global, or of that account. */
export function isPermissionGroupOf(role: Role | undefined, accountId: string): role is Role {
  return role !== undefined && role.kind === 'permission-group' && (role.accountId === undefined || role.accountId === accountId);
}

/** The resource types (account, zone, user) a resource group's scopes reach. */
export function scopeTypesOf(rg: ResourceGroup): Set<ScopeTarget['type']> {
  const types = new Set<ScopeTarget['type']>();
  for (const sc of rg.scope) {
    const parsed = parseScope(sc, rg.accountId);
    if (!('error' in parsed)) for (const t of parsed.targets) types.add(t.type);
  }
  return types;
}

/**
 * The scope-type mismatches of a policy: a permission group scoped to one resource type paired with a resource
 * group that reaches another. Paths are relative to the policy (`roles.j`).
 */
export function scopeMismatches(
  state: SourceState,
  policy: Pick<Policy, 'roles' | 'resource'>,
  rgOverride?: ResourceGroup,
): { roleIndex: number; message: string }[] {
  const types = new Set<string>();
  for (const rgId of policy.resource.resourceGroups ?? []) {
    const rg = rgOverride?.id === rgId ? rgOverride : state.get('resourceGroup', rgId);
    if (rg) for (const t of scopeTypesOf(rg)) types.add(t);
  }
  const out: { roleIndex: number; message: string }[] = [];
  policy.roles.forEach((roleId, j) => {
    const role = state.get('role', roleId);
    if (!role || role.kind !== 'permission-group') return;
    for (const t of types)
      if (t !== role.scopeType)
        out.push({
          roleIndex: j,
          message: `permission group \`${roleId}\` is scoped to ${role.scopeType} resources but a resource group names a ${t} scope`,
        });
  });
  return out;
}
