// Cloudflare permission groups (seed 003, "IAM Permission Groups"): read-only views of the roles of kind
// `permission-group` that an account may use, the global ones and its own.
import { z } from 'zod';
import { SeedError } from '../../errors.js';
import type { Role } from '../../model/source.js';
import {
  cloudflareAccount,
  cloudflarePage,
  envelope,
  isPermissionGroupOf,
  paginate,
  type CloudflareEnvelope,
  pageQuery,
} from './common.js';
import { parseInput } from '../input.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';
import { CLOUDFLARE_CODES } from '../access/codes.js';
import { defineOperation } from '../define-operation.js';
import { CLOUDFLARE_ACTIONS, onAccount } from './guards.js';

/** A permission group as the seed returns it. The model keeps no `meta` for roles, so none is returned. */
export interface CloudflarePermissionGroup {
  id: string;
  meta?: { key?: string; value?: string };
  name?: string;
}

/** The permission group view of a role. */
export function permissionGroupView(role: Role): CloudflarePermissionGroup {
  return role.name === undefined ? { id: role.id } : { id: role.id, name: role.name };
}

const listSchema = z.strictObject({
  account_id: z.string().min(1),
  id: z.string().optional(),
  name: z.string().optional(),
  ...pageQuery,
});

/** GET /accounts/{account_id}/iam/permission_groups: filters `id` and `name` are exact; paged by `page`/`per_page`. */
export const listPermissionGroups = defineOperation({
  name: 'listPermissionGroups',
  codes: CLOUDFLARE_CODES,
  input: listSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.iamRead),
  run(
    state: SourceState,
    input: z.input<typeof listSchema>,
    _ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflarePermissionGroup[]>> {
    const q = parseInput(listSchema, input);
    const page = cloudflarePage(q.page, q.per_page);
    cloudflareAccount(state, q.account_id);
    const rows = [...state.list('role', ''), ...state.list('role', q.account_id)]
      .filter((r) => isPermissionGroupOf(r, q.account_id))
      .filter((r) => (q.id === undefined || r.id === q.id) && (q.name === undefined || r.name === q.name));
    const { rows: slice, info } = paginate(rows, page);
    return done(state, envelope(slice.map(permissionGroupView), info), []);
  },
});

const getSchema = z.strictObject({ account_id: z.string().min(1), permission_group_id: z.string().min(1) });

/** GET /accounts/{account_id}/iam/permission_groups/{permission_group_id}: 404 `permission_group_not_found`. */
export const getPermissionGroup = defineOperation({
  name: 'getPermissionGroup',
  codes: CLOUDFLARE_CODES,
  input: getSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.iamRead),
  run(
    state: SourceState,
    input: z.input<typeof getSchema>,
    _ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflarePermissionGroup>> {
    const q = parseInput(getSchema, input);
    cloudflareAccount(state, q.account_id);
    const role = state.get('role', q.permission_group_id);
    if (!isPermissionGroupOf(role, q.account_id))
      throw new SeedError('permission_group_not_found', 404, `permission group \`${q.permission_group_id}\` not found`);
    return done(state, envelope(permissionGroupView(role)), []);
  },
});
