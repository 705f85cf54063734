// BlueXP IAM `permission` component (seed 000 names it among the five): the permissions the organization's roles
// grant, as `<type>:<action>` strings (`workspace:*` is one permission: any workspace action). Each permission lists
// the roles that grant it, so "what each role grants" is the listing filtered by `role_id`. Read-only: the roles are
// predefined (the catalog), which is where the engine reads them when it decides.
import { z } from 'zod';
import { SeedError } from '../../errors.js';
import type { Role } from '../../model/source.js';
import { bluexpAccount } from './common.js';
import { parseInput } from '../input.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';
import { BLUEXP_CODES } from '../access/codes.js';
import { defineOperation } from '../define-operation.js';
import { readsBindingsAnywhere } from './guards.js';

/** One permission and the roles of the organization that grant it. */
export interface BluexpPermission {
  permission: string;
  roles: { roleId: string; name?: string }[];
}

/** The BlueXP roles usable in an organization: the predefined ones and its own. */
export function bluexpRolesOf(state: SourceState, accountId: string): Role[] {
  return state.list('role').filter((r) => r.kind === 'bluexp' && (r.accountId === undefined || r.accountId === accountId));
}

function permissionsOf(state: SourceState, accountId: string, roleId: string | undefined): BluexpPermission[] {
  const by = new Map<string, BluexpPermission>();
  for (const r of bluexpRolesOf(state, accountId)) {
    if (roleId !== undefined && r.id !== roleId) continue;
    for (const a of r.actions) {
      let p = by.get(a);
      if (!p) by.set(a, (p = { permission: a, roles: [] }));
      p.roles.push(r.name !== undefined ? { roleId: r.id, name: r.name } : { roleId: r.id });
    }
  }
  return [...by.values()].sort((x, y) => (x.permission < y.permission ? -1 : x.permission > y.permission ? 1 : 0));
}

const listSchema = z.object({ account_id: z.string().min(1), role_id: z.string().min(1).optional() }).strict();

/** Lists the permissions the organization's roles grant, sorted; `role_id` keeps one role's (404 `role_not_found` for another). */
export const listPermissions = defineOperation({
  name: 'listPermissions',
  codes: BLUEXP_CODES,
  input: listSchema,
  // the permission component (seed 000): a read-only view decided by the same tables
  guard: readsBindingsAnywhere,
  run(state: SourceState, input: z.input<typeof listSchema>, _ctx: ManageContext): OpResult<BluexpPermission[]> {
    const q = parseInput(listSchema, input);
    bluexpAccount(state, q.account_id);
    if (q.role_id !== undefined && !bluexpRolesOf(state, q.account_id).some((r) => r.id === q.role_id))
      throw new SeedError('role_not_found', 404, `role \`${q.role_id}\` not found`);
    return done(state, permissionsOf(state, q.account_id, q.role_id), []);
  },
});

const getSchema = z.object({ account_id: z.string().min(1), permission: z.string().min(1) }).strict();

/** Reads one permission with the roles that grant it; 404 `permission_not_found` when no role of the organization does. */
export const getPermission = defineOperation({
  name: 'getPermission',
  codes: BLUEXP_CODES,
  input: getSchema,
  guard: readsBindingsAnywhere,
  run(state: SourceState, input: z.input<typeof getSchema>, _ctx: ManageContext): OpResult<BluexpPermission> {
    const q = parseInput(getSchema, input);
    bluexpAccount(state, q.account_id);
    const p = permissionsOf(state, q.account_id, undefined).find((x) => x.permission === q.permission);
    if (!p) throw new SeedError('permission_not_found', 404, `permission \`${q.permission}\` not found`);
    return done(state, p, []);
  },
});
