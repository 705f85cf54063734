import { ATTR } from './attribute-names.js';
import { SLOT } from './identity-index.js';
import type { Candidate, IdentityIndex } from './tables.js';

/** Below this many candidates a range is scanned whole: a keyed lookup would cost more than it saves. */
export const ACCEL_MIN = 8;

/** Candidate numbers of one index under one key, denies first (`[0, denyEnd)` deny, `[denyEnd, ids.length)` allow). */
export interface KeyedIds {
  readonly ids: Int32Array;
  readonly denyEnd: number;
}

/**
 * A prefilter for a large range of one identity's index (DESIGN "then by the most selective exact attribute"): its
 * candidates keyed by what the request must have for them to match, so a request looks at the candidates under its
 * own keys plus `rest`. It only prefilters: every candidate it yields is still matched in full.
 */
export type BucketAccel =
  /** keyed by the value a `stringEquals`/`stringEqualsAnyOf` condition on `attr` requires */
  | { kind: 'attr'; attr: number; keyed: Map<string, KeyedIds>; rest: KeyedIds }
  /** keyed by the Cloudflare zone a zone-scoped target names */
  | { kind: 'zone'; keyed: Map<string, KeyedIds>; rest: KeyedIds }
  /** keyed by the BlueXP node a policy or binding is bound at */
  | { kind: 'node'; keyed: Map<string, KeyedIds>; rest: KeyedIds };

type Keys = readonly string[] | null;

function attrKeys(c: Candidate, attr: number): Keys {
  for (const m of c.attributes) {
    if (m.attr !== attr || m.derived !== 0) continue;
    const keys = m.operator.keys(m);
    if (keys !== null) return keys;
  }
  return null;
}

function zoneKeys(c: Candidate): Keys {
  const scopes = c.policy.scopes;
  if (scopes === null || scopes.length === 0) return null;
  const out: string[] = [];
  for (const t of scopes) {
    // an account or user target, or every zone, reaches resources without naming a zone: no key
    if (t.type !== 'zone' || t.zone === '*') return null;
    out.push(t.zone);
  }
  return out;
}

function nodeKeys(c: Candidate): Keys {
  const nodes = c.policy.nodes;
  return nodes === null || nodes.length === 0 ? null : nodes;
}

function keyedIds(deny: number[], allow: number[]): KeyedIds {
  const ids = new Int32Array(deny.length + allow.length);
  ids.set(deny);
  ids.set(allow, deny.length);
  return { ids, denyEnd: deny.length };
}

function build(kind: BucketAccel['kind'], attr: number, ix: IdentityIndex, b: number, keysOf: (c: Candidate) => Keys): BucketAccel {
  const d = ix.data;
  const keyed = new Map<string, { deny: number[]; allow: number[] }>();
  const rest = { deny: [] as number[], allow: [] as number[] };
  for (let p = d[b + 1]!; p < d[b + 3]!; p++) {
    const n = d[p]!;
    const c = ix.cands[n]!;
    const deny = p < d[b + 2]!;
    // INVARIANT: an errored candidate sits in `rest`, so every request it is a candidate for sees it (an errored
    // deny must refuse whatever its other conditions say)
    const keys = c.error !== null ? null : keysOf(c);
    if (keys === null) {
      (deny ? rest.deny : rest.allow).push(n);
      continue;
    }
    for (const k of new Set(keys)) {
      let l = keyed.get(k);
      if (l === undefined) keyed.set(k, (l = { deny: [], allow: [] }));
      (deny ? l.deny : l.allow).push(n);
    }
  }
  const out = new Map<string, KeyedIds>();
  for (const [k, l] of keyed) out.set(k, keyedIds(l.deny, l.allow));
  const r = keyedIds(rest.deny, rest.allow);
  return kind === 'attr' ? { kind, attr, keyed: out, rest: r } : { kind, keyed: out, rest: r };
}

/**
 * Chooses, for a slot of at least ACCEL_MIN candidates, the key that leaves the fewest candidates unkeyed (`rest`),
 * or null when no key leaves fewer than half. Attributes considered are those some candidate tests for equality.
 */
export function buildAccel(ix: IdentityIndex, slot: number): BucketAccel | null {
  const d = ix.data;
  const b = slot * SLOT;
  const all = d[b + 3]! - d[b + 1]!;
  if (all < ACCEL_MIN) return null;
  const cands: Candidate[] = [];
  for (let p = d[b + 1]!; p < d[b + 3]!; p++) cands.push(ix.cands[d[p]!]!);
  const unkeyed = (keysOf: (c: Candidate) => Keys) => {
    let n = 0;
    for (const c of cands) if (c.error !== null || keysOf(c) === null) n++;
    return n;
  };
  const attrs = new Set<number>();
  for (const c of cands) for (const m of c.attributes) if (m.derived === 0 && m.operator.keys(m) !== null) attrs.add(m.attr);
  let best: { kind: BucketAccel['kind']; attr: number; rest: number } | null = null;
  for (const attr of attrs) {
    // accountId is implied by the table; serviceName by the candidate's service: neither selects anything
    if (attr === ATTR.accountId) continue;
    const rest = unkeyed((c) => attrKeys(c, attr));
    if (best === null || rest < best.rest) best = { kind: 'attr', attr, rest };
  }
  const zr = unkeyed(zoneKeys);
  if (best === null || zr < best.rest) best = { kind: 'zone', attr: -1, rest: zr };
  const nr = unkeyed(nodeKeys);
  if (nr < best.rest) best = { kind: 'node', attr: -1, rest: nr };
  if (best.rest * 2 >= all) return null;
  const keysOf = best.kind === 'attr' ? (c: Candidate) => attrKeys(c, best!.attr) : best.kind === 'zone' ? zoneKeys : nodeKeys;
  return build(best.kind, best.attr, ix, b, keysOf);
}
