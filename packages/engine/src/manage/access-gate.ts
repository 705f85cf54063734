// The gate a guard asks: one authenticated actor, the tables as they are before the operation, one clock reading.
// Every answer comes from `authorize`, the same evaluator that decides the host's own requests.
import type { Tables } from '../compile/tables.js';
import { SeedError } from '../errors.js';
import { whatCan } from '../analyze/what-can.js';
import { authorize } from '../evaluate/authorize.js';
import type { RequestResource, RequestScalar } from '../evaluate/types.js';
import type { Role } from '../model/source.js';
import type { AccessCodes, Gate, SubjectActor } from './access-guard.js';
import { ANY_VALUE } from './access-targets.js';
import type { SourceState } from './source-state.js';

/** The seed's 401 for `codes`. */
export function unauthenticated(codes: AccessCodes): SeedError {
  return new SeedError(codes.unauthenticated.code, 401, codes.unauthenticated.message);
}

/** The seed's 403 for `codes`. */
export function forbidden(codes: AccessCodes, details?: Record<string, unknown>): SeedError {
  return new SeedError(codes.forbidden.code, 403, codes.forbidden.message, details);
}

/** Creates the gate of one operation run. */
export function createGate(actor: SubjectActor, state: SourceState, tables: Tables, now: number, codes: AccessCodes): Gate {
  // the host's word that the actor signed in through SSO passes the login gate, as it does for a request
  const subject = actor.sso === true ? { id: actor.id, accountId: actor.accountId, sso: true } : { id: actor.id, accountId: actor.accountId };
  const decide = (action: string, resource: RequestResource, explain: boolean) =>
    authorize(tables, { subject, action, resource }, { now, explain });
  const may = (action: string, resource: RequestResource): boolean => decide(action, resource, false).allowed === true;
  const gate: Gate = {
    actor,
    state,
    now,
    may,
    require(action, resource) {
      if (!may(action, resource)) throw forbidden(codes, { action });
    },
    holds(roleId, targets) {
      const role = state.get('role', roleId);
      // INVARIANT: an unknown role grants nothing, so holding it is vacuous; the operation refuses unknown roles itself
      if (!role) return true;
      return targets.every((t) => grantedActions(state, role, t).every(([action, resource]) => may(action, resource)));
    },
    mayAsOrganizationAdmin(action, resource) {
      const d = decide(action, resource, true);
      return d.allowed && (d.explanation ?? []).some((e) => state.get('role', e.roleId)?.admin === 'organization');
    },
    adminLevel(action, resource) {
      const d = decide(action, resource, true);
      if (!d.allowed) return null;
      let level: 'organization' | 'folder-or-project' | null = null;
      for (const e of d.explanation ?? []) {
        const admin = state.get('role', e.roleId)?.admin;
        if (admin === 'organization') return admin;
        if (admin === 'folder-or-project') level = admin;
      }
      return level;
    },
    actionsOn(resource) {
      try {
        const w = whatCan(tables, subject, resource, { now });
        return [...w.actions.map((a) => a.action), ...w.patterns.map((p) => p.pattern)];
      } catch {
        // a resource the analysis refuses is one nothing is held on
        return [];
      }
    },
    as: (principalId) => (principalId === actor.id ? gate : createGate({ ...actor, id: principalId }, state, tables, now, codes)),
    forbidden: () => forbidden(codes),
    inAccount: (accountId) => (accountId === actor.accountId ? gate : createGate({ ...actor, accountId }, state, tables, now, codes)),
  };
  return gate;
}

/**
 * Each (action pattern, resource) role `role` grants on `target`: its own actions (for its service, if it has one)
 * and what the catalog lists for it, per catalog service the target can reach when it names none.
 */
export function grantedActions(state: SourceState, role: Role, target: RequestResource): [string, RequestResource][] {
  const attrs = target.attributes ?? {};
  const named = attrs['serviceName'];
  const out: [string, RequestResource][] = [];
  const withService = (s: string | undefined): RequestResource =>
    s === undefined ? target : { ...target, attributes: { ...attrs, serviceName: s } as Record<string, RequestScalar> };
  if (role.serviceName !== undefined) {
    if (named !== undefined && named !== ANY_VALUE && String(named) !== role.serviceName) return out;
    for (const a of role.actions) out.push([a, withService(role.serviceName)]);
  } else {
    for (const a of role.actions) out.push([a, target]);
  }
  const services =
    named !== undefined && named !== ANY_VALUE
      ? state.list('service').filter((s) => s.name === String(named))
      : state.list('service').filter((s) => reaches(s, attrs));
  for (const s of services) for (const a of s.roles[role.id] ?? []) out.push([a, withService(s.name)]);
  return out;
}

function reaches(s: { type: string; groups: string[] }, attrs: Record<string, RequestScalar>): boolean {
  const type = attrs['serviceType'];
  if (type !== undefined && type !== ANY_VALUE && String(type) !== s.type) return false;
  const group = attrs['service_group_id'];
  if (group !== undefined && group !== ANY_VALUE && !s.groups.includes(String(group))) return false;
  return true;
}
