import { ATTR } from './attribute-names.js';
import type { Bucket, Candidate } from './tables.js';

/** Below this many candidates a bucket is scanned whole: a keyed lookup would cost more than it saves. */
export const ACCEL_MIN = 8;

/** The candidates of a bucket under one key, denies apart. */
export interface KeyedLists {
  deny: Candidate[];
  allow: Candidate[];
}

/**
 * A prefilter for a large bucket (DESIGN "then by the most selective exact attribute"): its candidates keyed by what
 * the request must have for them to match, so a request looks at the candidates under its own keys plus `rest`.
 * It only prefilters: every candidate it yields is still matched in full.
 */
export type BucketAccel =
  /** keyed by the value a `stringEquals`/`stringEqualsAnyOf` condition on `attr` requires */
  | { kind: 'attr'; attr: number; keyed: Map<string, KeyedLists>; rest: KeyedLists }
  /** keyed by the Cloudflare zone a zone-scoped target names */
  | { kind: 'zone'; keyed: Map<string, KeyedLists>; rest: KeyedLists }
  /** keyed by the BlueXP node a policy or binding is bound at */
  | { kind: 'node'; keyed: Map<string, KeyedLists>; rest: KeyedLists };

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

function build(kind: BucketAccel['kind'], attr: number, b: Bucket, keysOf: (c: Candidate) => Keys): BucketAccel {
  const keyed = new Map<string, KeyedLists>();
  const rest: KeyedLists = { deny: [], allow: [] };
  const add = (c: Candidate, deny: boolean) => {
    // INVARIANT: an errored candidate sits in `rest`, so every request it is a candidate for sees it (an errored
    // deny must refuse whatever its other conditions say)
    const keys = c.error !== null ? null : keysOf(c);
    if (keys === null) return void (deny ? rest.deny : rest.allow).push(c);
    for (const k of new Set(keys)) {
      let l = keyed.get(k);
      if (l === undefined) keyed.set(k, (l = { deny: [], allow: [] }));
      (deny ? l.deny : l.allow).push(c);
    }
  };
  for (const c of b.deny) add(c, true);
  for (const c of b.allow) add(c, false);
  return kind === 'attr' ? { kind, attr, keyed, rest } : { kind, keyed, rest };
}

/**
 * Chooses, for a bucket of at least ACCEL_MIN candidates, the key that leaves the fewest candidates unkeyed (`rest`),
 * or null when no key leaves fewer than half. Attributes considered are those some candidate tests for equality.
 */
export function buildAccel(b: Bucket): BucketAccel | null {
  const all = b.deny.length + b.allow.length;
  if (all < ACCEL_MIN) return null;
  const unkeyed = (keysOf: (c: Candidate) => Keys) => {
    let n = 0;
    for (const c of b.deny) if (c.error !== null || keysOf(c) === null) n++;
    for (const c of b.allow) if (c.error !== null || keysOf(c) === null) n++;
    return n;
  };
  const attrs = new Set<number>();
  for (const list of [b.deny, b.allow])
    for (const c of list) for (const m of c.attributes) if (m.derived === 0 && m.operator.keys(m) !== null) attrs.add(m.attr);
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
  return build(best.kind, best.attr, b, keysOf);
}
