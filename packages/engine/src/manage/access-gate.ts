// The gate a guard asks: one authenticated actor, the tables as they are before the operation, one clock reading.
// Every answer comes from `authorize`, the same evaluator that decides the host's own requests.
import type { Tables } from '../compile/tables.js';
import { SeedError } from '../errors.js';
import { whatCan } from '../analyze/what-can.js';
import { authorize } from '../evaluate/authorize.js';
import type { RequestResource } from '../evaluate/types.js';
import type { AccessCodes, Gate, SubjectActor } from './access-guard.js';
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
    mayAsOrganizationAdmin(action, resource) {
      const d = decide(action, resource, true);
      return d.allowed && (d.explanation ?? []).some((e) => state.get('role', e.roleId)?.admin === 'organization');
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
    // another principal is asked as if signed in through SSO: the most it can hold, so a lock-out check never under-asks
    as: (principalId) => createGate({ kind: 'subject', id: principalId, accountId: actor.accountId, sso: true }, state, tables, now, codes),
    forbidden: () => forbidden(codes),
    inAccount: (accountId) => (accountId === actor.accountId ? gate : createGate({ ...actor, accountId }, state, tables, now, codes)),
  };
  return gate;
}
