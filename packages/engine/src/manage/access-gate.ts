// The gate a guard asks: one authenticated actor, the tables as they are before the operation, one clock reading.
// Every answer comes from `authorize`, the same evaluator that decides the host's own requests.
import { randomBytes } from 'node:crypto';
import type { Tables } from '../compile/tables.js';
import { SeedError } from '../errors.js';
import { whatCan } from '../analyze/what-can.js';
import { authorize } from '../evaluate/authorize.js';
import type { RequestResource, RequestScalar } from '../evaluate/types.js';
import type { Role } from '../model/source.js';
import type { AccessCodes, Gate, SubjectActor } from './access-guard.js';
import { ANY_VALUE, GLOB_VALUE, isOpenValue } from './access-targets.js';
import type { SourceState } from './source-state.js';

/** The seed's 401 for `codes`. */
export function unauthenticated(codes: AccessCodes): SeedError {
  return new SeedError(codes.unauthenticated.code, 401, codes.unauthenticated.message);
}

/** The seed's 403 for `codes`. */
export function forbidden(codes: AccessCodes, details?: Record<string, unknown>): SeedError {
  return new SeedError(codes.forbidden.code, 403, codes.forbidden.message, details);
}

/** Random text from the Private Use Area, which no seed names: `length` characters. */
function randomWord(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; i < length; i++) out += String.fromCharCode(0xe000 + (((bytes[2 * i]! << 8) | bytes[2 * i + 1]!) % 0x1900));
  return out;
}

/** A random length in [min, min + spread). */
const randomLength = (min: number, spread: number) => min + (randomBytes(1)[0]! % spread);

/**
 * One concrete value for a target's open value, drawn afresh on every ask: for "any value", random text of a random
 * length; for a glob, the glob with each `*` and `?` replaced by random text. A constant stand-in would be a value like
 * any other — a grant on that very value, or a glob that happens to match it (`*y` matches `\u0001any`), would pass
 * for a grant on every value — while unguessable text is matched only by a grant that matches (nearly) every value
 * there: `*`, `?*`, an exists test, or a glob that covers the asked one.
 */
function instance(value: string): string {
  if (value === ANY_VALUE) return randomWord(randomLength(24, 48));
  let out = '';
  const p = value.slice(GLOB_VALUE.length);
  for (let i = 0; i < p.length; ) {
    if (p.startsWith('{{*}}', i) || p.startsWith('{{?}}', i)) {
      out += p[i + 2];
      i += 5;
    } else if (p[i] === '*') {
      out += randomWord(randomLength(8, 24));
      i++;
    } else if (p[i] === '?') {
      out += randomWord(1);
      i++;
    } else out += p[i++];
  }
  return out;
}

/** How many concrete requests a target with open values is asked as (each must be allowed). */
const PROBES = 2;

/** `resource` with every open value (any value, a glob) made concrete, `PROBES` times; `[resource]` when it holds none. */
function concrete(resource: RequestResource): RequestResource[] {
  const attrs = resource.attributes;
  if (attrs === undefined || !Object.values(attrs).some(isOpenValue)) return [resource];
  return Array.from({ length: PROBES }, () => ({ ...resource, attributes: Object.fromEntries(Object.entries(attrs).map(([k, x]) => [k, isOpenValue(x) ? instance(x) : x])) }));
}

/** Creates the gate of one operation run. */
export function createGate(actor: SubjectActor, state: SourceState, tables: Tables, now: number, codes: AccessCodes): Gate {
  // the host's word that the actor signed in through SSO passes the login gate, as it does for a request
  const subject = actor.sso === true ? { id: actor.id, accountId: actor.accountId, sso: true } : { id: actor.id, accountId: actor.accountId };
  // INVARIANT: the evaluator never sees an open value itself, only unguessable instances, each of which must be allowed
  const decideAll = (action: string, resource: RequestResource, explain: boolean) =>
    concrete(resource).map((r) => authorize(tables, { subject, action, resource: r }, { now, explain }));
  const may = (action: string, resource: RequestResource): boolean => decideAll(action, resource, false).every((d) => d.allowed === true);
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
      return decideAll(action, resource, true).every((d) => d.allowed && (d.explanation ?? []).some((e) => state.get('role', e.roleId)?.admin === 'organization'));
    },
    adminLevel(action, resource) {
      const levels = decideAll(action, resource, true).map((d) => {
        if (!d.allowed) return null;
        let level: 'organization' | 'folder-or-project' | null = null;
        for (const e of d.explanation ?? []) {
          const admin = state.get('role', e.roleId)?.admin;
          if (admin === 'organization') return admin;
          if (admin === 'folder-or-project') level = admin;
        }
        return level;
      });
      // the lowest level any probe reaches: every value must be reached at that level
      if (levels.includes(null)) return null;
      return levels.includes('folder-or-project') ? 'folder-or-project' : (levels[0] ?? null);
    },
    actionsOn(resource) {
      // what is held on any instance of an open value is held there (a lock-out takes it)
      const out = new Set<string>();
      for (const r of concrete(resource)) {
        try {
          const w = whatCan(tables, subject, r, { now });
          for (const a of w.actions) out.add(a.action);
          for (const p of w.patterns) out.add(p.pattern);
        } catch {
          // a resource the analysis refuses is one nothing is held on
        }
      }
      return [...out];
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
    if (named !== undefined && !isOpenValue(named) && String(named) !== role.serviceName) return out;
    for (const a of role.actions) out.push([a, withService(role.serviceName)]);
  } else {
    for (const a of role.actions) out.push([a, target]);
  }
  const services =
    named !== undefined && !isOpenValue(named)
      ? state.list('service').filter((s) => s.name === String(named))
      : state.list('service').filter((s) => reaches(s, attrs));
  for (const s of services) for (const a of s.roles[role.id] ?? []) out.push([a, withService(s.name)]);
  return out;
}

function reaches(s: { type: string; groups: string[] }, attrs: Record<string, RequestScalar>): boolean {
  const type = attrs['serviceType'];
  if (type !== undefined && !isOpenValue(type) && String(type) !== s.type) return false;
  const group = attrs['service_group_id'];
  if (group !== undefined && !isOpenValue(group) && !s.groups.includes(String(group))) return false;
  return true;
}
