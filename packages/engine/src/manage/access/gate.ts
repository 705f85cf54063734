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

/** One open value cut into its parts: literal text, a `?` (one character) and a run (a `*`, or the whole of "any value"). */
type Part = { text: string } | { one: true } | { run: true };

function partsOf(value: string): Part[] {
  if (value === ANY_VALUE) return [{ run: true }];
  const out: Part[] = [];
  const p = value.slice(GLOB_VALUE.length);
  for (let i = 0; i < p.length; ) {
    if (p.startsWith('{{*}}', i) || p.startsWith('{{?}}', i)) {
      out.push({ text: p[i + 2]! });
      i += 5;
    } else if (p[i] === '*') {
      out.push({ run: true });
      i++;
    } else if (p[i] === '?') {
      out.push({ one: true });
      i++;
    } else out.push({ text: p[i++]! });
  }
  return out;
}

const runsOf = (parts: readonly Part[]) => parts.filter((p) => 'run' in p).length;

/** A run's length in one probe: a number of characters, or `LONG` for random text of a random length (8 to 32). */
const LONG = -1;

/** One concrete instance of `parts`, whose `k`-th run takes `lengths[first + k]` characters of unguessable text. */
function instanceOf(parts: readonly Part[], lengths: readonly number[], first: number): string {
  let out = '';
  let k = first;
  for (const part of parts) {
    if ('text' in part) out += part.text;
    else if ('one' in part) out += randomWord(1);
    else {
      const n = lengths[k++]!;
      out += randomWord(n === LONG ? randomLength(8, 24) : n);
    }
  }
  return out;
}

/** The most probes one target is asked as when every combination of run lengths is asked. */
const MAX_PRODUCT = 256;

/** The longest glob any policy of `accountId` holds (what a held glob can tell apart by length), at most 62. */
function longestGlob(state: SourceState, accountId: string): number {
  let max = 0;
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) visit(x);
    else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const op = o['operator'];
      if (op === 'stringMatch' || op === 'stringMatchAnyOf') for (const g of [o['value']].flat()) if (typeof g === 'string') max = Math.max(max, g.length);
      for (const x of Object.values(o)) if (x !== null && typeof x === 'object') visit(x);
    }
  };
  for (const p of state.rowsOf('policy', accountId)) visit([p.resource, p.rule ?? null]);
  return Math.min(max, 62);
}

/**
 * `resource` with every open value (any value, a glob) made concrete; `[resource]` when it holds none. Each run (a
 * `*`, or "any value") is asked at every length a held glob can tell apart — none, one character, ... up to one past
 * the longest glob of the account (`longest`) — and as long random text drawn twice; every combination of those
 * lengths across the runs when they are few (a grant may hold one run only while another is empty), else each run's
 * lengths with the others long, and every run at each length together. Unguessable text (the Private Use Area) keeps
 * a held glob from matching an instance unless it matches (nearly) every text of that length: a constant stand-in
 * would be a value like any other (a grant on that very value, or a glob like `*y`, would pass for a grant on every
 * value), and runs that are never empty nor short would let a grant on `?*` or `k-????????*` pass for one on `*` or
 * `k-*` (red team 2).
 */
function concrete(resource: RequestResource, longest: () => number): RequestResource[] {
  const attrs = resource.attributes;
  if (attrs === undefined || !Object.values(attrs).some(isOpenValue)) return [resource];
  const open = Object.entries(attrs).map(([k, x]) => [k, isOpenValue(x) ? partsOf(x) : x] as const);
  let runs = 0;
  for (const [, x] of open) if (Array.isArray(x)) runs += runsOf(x);
  const probe = (lengths: readonly number[]): RequestResource => {
    let first = 0;
    const out: Record<string, unknown> = {};
    for (const [k, x] of open) {
      if (!Array.isArray(x)) out[k] = x;
      else {
        out[k] = instanceOf(x, lengths, first);
        first += runsOf(x);
      }
    }
    return { ...resource, attributes: out as typeof attrs };
  };
  const rows: number[][] = [Array<number>(runs).fill(LONG), Array<number>(runs).fill(LONG)];
  if (runs > 0) {
    const lengths = [...Array.from({ length: longest() + 2 }, (_, i) => i)];
    if ((lengths.length + 1) ** runs <= MAX_PRODUCT) {
      let combos: number[][] = [[]];
      for (let r = 0; r < runs; r++) combos = combos.flatMap((c) => [...lengths, LONG].map((n) => [...c, n]));
      rows.push(...combos);
    } else {
      for (const n of lengths) rows.push(Array<number>(runs).fill(n));
      for (let r = 0; r < runs; r++) for (const n of lengths) rows.push(Array.from({ length: runs }, (_, i) => (i === r ? n : LONG)));
    }
  }
  return rows.map(probe);
}

/** Creates the gate of one operation run. */
export function createGate(actor: SubjectActor, state: SourceState, tables: Tables, now: number, codes: AccessCodes): Gate {
  // the host's word that the actor signed in through SSO passes the login gate, as it does for a request
  const subject = actor.sso === true ? { id: actor.id, accountId: actor.accountId, sso: true } : { id: actor.id, accountId: actor.accountId };
  // INVARIANT: the evaluator never sees an open value itself, only unguessable instances, each of which must be allowed
  let longestHeld: number | undefined;
  const longest = () => (longestHeld ??= longestGlob(state, actor.accountId));
  const decideAll = (action: string, resource: RequestResource, explain: boolean) =>
    concrete(resource, longest).map((r) => authorize(tables, { subject, action, resource: r }, { now, explain }));
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
      for (const r of concrete(resource, longest)) {
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
    at: (instant) => (instant === now ? gate : createGate(actor, state, tables, instant, codes)),
  };
  return gate;
}
