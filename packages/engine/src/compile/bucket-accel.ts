import { ATTR } from './attribute-names.js';
import { SLOT } from './identity-index.js';
import type { StringTable } from './strings.js';
import type { Candidate, IdentityIndex } from './tables.js';

/**
 * Below this many candidates a range is scanned whole: a keyed lookup would cost more than it saves. At L the lookup
 * (a Map probe on the request's string, then a list in another array) is mostly cache misses, while a range's records
 * lie side by side: raised from 8 to 32, uncached `authorize` on the L stream took 0.80-0.86 of the CPU time and the
 * Cloudflare callers with 30+ hits 0.85 (in-process A/B, 2026-12-07).
 */
export const ACCEL_MIN = 32;

/**
 * A prefilter for a large range of one identity's index (DESIGN "then by the most selective exact attribute"): its
 * candidates keyed by what the request must have for them to match, so a request looks at the candidates under its
 * own keys plus `rest`. It only prefilters: every candidate it yields is still matched in full.
 *
 * Every list of one prefilter lies in its one `data` array, as `[denies, total, ...candidate numbers]` (denies first),
 * and a key or `rest` leads to where its list starts: a request reads integers from one array instead of following a
 * list object and its own array per key.
 */
export type BucketAccel =
  /** keyed by the value a `stringEquals`/`stringEqualsAnyOf` condition on `attr` requires */
  | { kind: 'attr'; attr: number; keyed: Map<string, number>; rest: number; data: Int32Array }
  /** keyed by the interned id (strings.ts) of the Cloudflare zone a zone-scoped target names */
  | { kind: 'zone'; keyed: Map<number, number>; rest: number; data: Int32Array }
  /** keyed by the interned id of the BlueXP node a policy or binding is bound at */
  | { kind: 'node'; keyed: Map<number, number>; rest: number; data: Int32Array };

type Keys = readonly string[] | null;

function attrKeys(c: Candidate, attr: number): Keys {
  for (const m of c.attributes) {
    if (m.attr !== attr) continue;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a derived attribute is never the one keyed (buildAccel considers none, and derived is a property of the name, compile-matchers.ts); skipping every matcher only puts candidates in `rest` (speed only)
    if (m.derived !== 0) continue;
    const keys = m.operator.keys(m);
    // Stryker disable next-line ConditionalExpression: returning null at the first matcher of the attribute puts the candidate in `rest`: speed only: every candidate a prefilter yields is matched in full, so one more candidate in `rest` (or no prefilter) decides alike
    if (keys !== null) return keys;
  }
  return null;
}

function zoneKeys(c: Candidate): Keys {
  const scopes = c.policy.scopes;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: no key for every candidate is speed only: every candidate a prefilter yields is matched in full, so one more candidate in `rest` (or no prefilter) decides alike; a candidate of no scope target (a policy naming no resource group, `[]`) keyed under no key is never tried, and it matches no resource (match-policy.ts, coversScope)
  if (scopes === null || scopes.length === 0) return null;
  // Stryker disable next-line ArrayDeclaration: a stray key lists the candidate under one more key, where it is matched in full (and a key no zone has is never asked)
  const out: string[] = [];
  for (const t of scopes) {
    // an account or user target, or every zone, reaches resources without naming a zone: no key
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,StringLiteral: no key is speed only; a key pushed for such a target (`*`, or undefined for an account or user target) is never interned, so build puts the candidate in `rest` all the same (the pins' `*` case passes under each form)
    if (t.type !== 'zone' || t.zone === '*') return null;
    out.push(t.zone);
  }
  return out;
}

function nodeKeys(c: Candidate): Keys {
  const nodes = c.policy.nodes;
  // Stryker disable next-line ConditionalExpression: a candidate of no node (a policy naming `nodes: []`) keyed under no key is never tried, and it matches no resource (match-policy.ts); `null` keys nothing either way
  return nodes === null || nodes.length === 0 ? null : nodes;
}

/** Appends a list to `out` as `[denies, total, ...deny, ...allow]`; returns where it starts. */
function writeList(deny: number[], allow: number[], out: number[]): number {
  const at = out.length;
  out.push(deny.length, deny.length + allow.length, ...deny, ...allow);
  return at;
}

function build(kind: BucketAccel['kind'], attr: number, ix: IdentityIndex, b: number, keysOf: (c: Candidate) => Keys, strings: StringTable): BucketAccel {
  const d = ix.data;
  const keyed = new Map<string, { deny: number[]; allow: number[] }>();
  const rest = { deny: [] as number[], allow: [] as number[] };
  for (let p = d[b + 1]!; p < d[b + 3]!; p++) {
    const n = d[p]!;
    const c = ix.cands[n]!;
    const deny = p < d[b + 2]!;
    // INVARIANT: an errored candidate sits in `rest`, so every request it is a candidate for sees it (an errored
    // deny must refuse whatever its other conditions say)
    // Stryker disable next-line ConditionalExpression: every candidate in `rest` is speed only: every candidate a prefilter yields is matched in full, so one more candidate in `rest` (or no prefilter) decides alike
    let keys = c.error !== null ? null : keysOf(c);
    // a zone or node keys by its interned id, which the candidate's program interned (flat-conditions.ts); one that
    // is not interned all the same sits in `rest`, so no request misses it
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,StringLiteral,MethodExpression,ArrowFunction,BooleanLiteral: more candidates in `rest` is speed only: every candidate a prefilter yields is matched in full, so one more candidate in `rest` (or no prefilter) decides alike; fewer: every zone and node a program names is interned (flat-conditions.ts), and zone `*` is not keyed (zoneKeys), so this guard never fires today (it and zoneKeys's test each stand in for the other)
    if (keys !== null && kind !== 'attr' && keys.some((k) => !strings.has(k))) keys = null;
    // Stryker disable next-line ConditionalExpression: every candidate in `rest` is speed only: every candidate a prefilter yields is matched in full, so one more candidate in `rest` (or no prefilter) decides alike
    if (keys === null) {
      (deny ? rest.deny : rest.allow).push(n);
      continue;
    }
    for (const k of new Set(keys)) {
      let l = keyed.get(k);
      // Stryker disable next-line ArrayDeclaration: the stray entry is candidate 0 as an allow; it is matched in full, and when it matches, it (a deny) also sits in this list's or `rest`'s denies, and a deny wins
      if (l === undefined) keyed.set(k, (l = { deny: [], allow: [] }));
      (deny ? l.deny : l.allow).push(n);
    }
  }
  // Stryker disable next-line ArrayDeclaration: a stray first entry moves every list by one, and every list is read where writeList says it starts
  const out: number[] = [];
  const at = writeList(rest.deny, rest.allow, out);
  if (kind === 'attr') {
    const byValue = new Map<string, number>();
    for (const [k, l] of keyed) byValue.set(k, writeList(l.deny, l.allow, out));
    return { kind, attr, keyed: byValue, rest: at, data: new Int32Array(out) };
  }
  const byId = new Map<number, number>();
  for (const [k, l] of keyed) byId.set(strings.get(k)!, writeList(l.deny, l.allow, out));
  return { kind, keyed: byId, rest: at, data: new Int32Array(out) };
}

/**
 * Chooses, for a slot of at least ACCEL_MIN candidates, the key that leaves the fewest candidates unkeyed (`rest`),
 * or null when no key leaves fewer than half. Attributes considered are those some candidate tests for equality.
 */
export function buildAccel(ix: IdentityIndex, slot: number, strings: StringTable): BucketAccel | null {
  const d = ix.data;
  const b = slot * SLOT;
  // Stryker disable next-line ArithmeticOperator: `all` only chooses whether to prefilter (this line and the `rest * 2` test): speed only: every candidate a prefilter yields is matched in full, so one more candidate in `rest` (or no prefilter) decides alike
  const all = d[b + 3]! - d[b + 1]!;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: collect calls buildAccel for ACCEL_MIN candidates or more only; the test is for other callers
  if (all < ACCEL_MIN) return null;
  const cands: Candidate[] = [];
  for (let p = d[b + 1]!; p < d[b + 3]!; p++) cands.push(ix.cands[d[p]!]!);
  const unkeyed = (keysOf: (c: Candidate) => Keys) => {
    let n = 0;
    // Stryker disable next-line ConditionalExpression: the count only chooses the key: speed only: every candidate a prefilter yields is matched in full, so one more candidate in `rest` (or no prefilter) decides alike
    for (const c of cands) if (c.error !== null || keysOf(c) === null) n++;
    return n;
  };
  const attrs = new Set<number>();
  // Stryker disable next-line ConditionalExpression,LogicalOperator: an attribute no candidate keys by leaves every candidate unkeyed by attrKeys, and is never chosen
  for (const c of cands) for (const m of c.attributes) if (m.derived === 0 && m.operator.keys(m) !== null) attrs.add(m.attr);
  let best: { kind: BucketAccel['kind']; attr: number; rest: number } | null = null;
  for (const attr of attrs) {
    // accountId is implied by the table; serviceName by the candidate's service: neither selects anything
    // Stryker disable next-line ConditionalExpression: keying by accountId is correct, only useless (the request's accountId is the table's)
    if (attr === ATTR.accountId) continue;
    // Stryker disable next-line ArrowFunction: a wrong count only chooses another key: speed only: every candidate a prefilter yields is matched in full, so one more candidate in `rest` (or no prefilter) decides alike
    const rest = unkeyed((c) => attrKeys(c, attr));
    // Stryker disable next-line ConditionalExpression,EqualityOperator,ObjectLiteral,StringLiteral: another choice of key is speed only: every candidate a prefilter yields is matched in full, so one more candidate in `rest` (or no prefilter) decides alike; a `best` without kind builds with nodeKeys, and collect reads a prefilter of no known kind as a node prefilter, which it then is
    if (best === null || rest < best.rest) best = { kind: 'attr', attr, rest };
  }
  const zr = unkeyed(zoneKeys);
  // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral,UnaryOperator: another choice of key is speed only: every candidate a prefilter yields is matched in full, so one more candidate in `rest` (or no prefilter) decides alike; `attr` is read for kind 'attr' only
  if (best === null || zr < best.rest) best = { kind: 'zone', attr: -1, rest: zr };
  const nr = unkeyed(nodeKeys);
  // Stryker disable next-line EqualityOperator,UnaryOperator: as above
  if (nr < best.rest) best = { kind: 'node', attr: -1, rest: nr };
  // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: whether to prefilter at all is speed only: every candidate a prefilter yields is matched in full, so one more candidate in `rest` (or no prefilter) decides alike
  if (best.rest * 2 >= all) return null;
  const keysOf =
    best.kind === 'attr'
      ? (c: Candidate) => attrKeys(c, best!.attr)
      : // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: for a zone prefilter, nodeKeys keys only a candidate with `nodes`, and for a node one zoneKeys only one with resource groups: no source of the tests or seeds has a policy with both (the schema admits it: such a policy would make these real, MUTATION.md mutcmp3)
        best.kind === 'zone'
        ? zoneKeys
        : nodeKeys;
  return build(best.kind, best.attr, ix, b, keysOf, strings);
}
