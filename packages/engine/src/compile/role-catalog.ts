import { createActionTable, internAction, internPrefix, type ActionTable } from './action-table.js';
import type { RoleCatalog, RoleGrantGroup, RoleInfo } from './tables.js';
import type { Role, Source } from '../model/source.js';

/** The prefixes of a grant group with none (most of them): one shared list instead of an empty one each. */
const NO_PREFIXES: readonly number[] = Object.freeze([]);

/** What each role grants, as [pattern, service or null] pairs: its own actions (for its service, if it is a custom role), then the catalog's. */
function grantsOf(roles: Source['roles'], services: Source['services']): Map<string, [string, string | null][]> {
  const grants = new Map<string, [string, string | null][]>();
  for (const r of roles) {
    const list: [string, string | null][] = [];
    for (const a of r.actions) list.push([a, r.serviceName ?? null]);
    grants.set(r.id, list);
  }
  for (const s of services) {
    for (const [roleId, actions] of Object.entries(s.roles ?? {})) {
      const list = grants.get(roleId);
      if (!list) continue;
      for (const a of actions) list.push([a, s.name]);
    }
  }
  return grants;
}

/**
 * Resolves what each role grants: its own actions (for its service, if it is a custom role) and the catalog's
 * per-service actions. The pairs of `grants` are built again on first read (only explanations and analyses read
 * them): kept from the start they were two thirds of the catalog, 200 KiB, a fifth of the tables at scale S.
 */
export function buildRoleCatalog(source: Source, actions: ActionTable = createActionTable()): RoleCatalog {
  const roles = new Map<string, Role>();
  for (const r of source.roles) roles.set(r.id, r);
  const groups = new Map<string, RoleGrantGroup[]>();
  for (const [roleId, list] of grantsOf(source.roles, source.services)) {
    const role = roles.get(roleId)!;
    const info = roleInfo(role);
    const byService = new Map<string | null, { actions: Set<number>; prefixes: Set<number> }>();
    for (const [pattern, service] of list) {
      let g = byService.get(service);
      if (g === undefined) byService.set(service, (g = { actions: new Set(), prefixes: new Set() }));
      if (pattern.endsWith('*')) g.prefixes.add(internPrefix(actions, pattern.slice(0, -1)));
      else g.actions.add(internAction(actions, pattern));
    }
    groups.set(
      roleId,
      [...byService].map(([service, g]) => ({ service, role: info, actions: [...g.actions], prefixes: g.prefixes.size === 0 ? NO_PREFIXES : [...g.prefixes] })),
    );
  }
  const sourceRoles = source.roles;
  const services = source.services;
  let grants: Map<string, [string, string | null][]> | undefined;
  return {
    roles,
    get grants() {
      return (grants ??= grantsOf(sourceRoles, services));
    },
    groups,
  };
}

/** What matching needs of a role. */
export function roleInfo(role: Role): RoleInfo {
  return { id: role.id, scopeType: role.kind === 'permission-group' ? (role.scopeType ?? null) : null, admin: role.admin ?? null };
}
