// The gate a guard asks: one authenticated actor, the tables as they are before the operation, one clock reading.
// Every answer comes from `authorize`, the same evaluator that decides the host's own requests.
import { randomBytes } from 'node:crypto';
import type { Tables } from '../../compile/tables.js';
import { SeedError } from '../../errors.js';
import { whatCan } from '../../analyze/what-can.js';
import { authorize } from '../../evaluate/authorize.js';
import type { RequestResource } from '../../evaluate/types.js';
import type { AccessCodes, Gate, SubjectActor } from './guard.js';
import { ANY_VALUE, GLOB_VALUE, isOpenValue } from './targets.js';
import type { SourceState } from '../../model/source-state.js';

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
    mayAsOrganizationAdmin(action, resource) {
      return decideAll(action, resource, true).every((d) => d.allowed && (d.explanation ?? []).some((e) => state.get('role', e.roleId)?.admin === 'organization'));
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
    // another principal is asked as if signed in through SSO: the most it can hold, so a lock-out check never under-asks
    as: (principalId) => createGate({ kind: 'subject', id: principalId, accountId: actor.accountId, sso: true }, state, tables, now, codes),
    forbidden: () => forbidden(codes),
    inAccount: (accountId) => (accountId === actor.accountId ? gate : createGate({ ...actor, accountId }, state, tables, now, codes)),
  };
  return gate;
}
