import type { Glob } from './glob.js';
import { isFlatMatcher } from './flat-conditions.js';
import { Derived, Op, type AttributeMatcher, type Candidate, type CompiledPolicy, type TagMatcher } from './tables.js';

/**
 * More program steps (after flat-conditions.ts's), for what most Tail candidates at L needed the side table for: a
 * `stringMatch` glob on a request attribute, a tag condition, a federated group binding. Profiled on the L stream, the
 * walk through a Tail candidate's objects (the candidate, its matchers, its policy, its tags, the glob) was a fifth of
 * an uncached decision's CPU time; these steps read the same facts from the index's own array. Only the glob kinds
 * that are one literal (exact, prefix, suffix, contains, anything; glob.ts) are written; a glob with `?` or several
 * stars, an any-of list, a rule, a service subject keep the side table (the record's Tail flag, recordNeedsTail).
 *
 *   Text      a: attribute id, b: kind | length << 3   the request's value of the attribute matches the literal that
 *             the next ceil(length / 6) triples hold (two UTF-16 code units an int, high half first), as glob kind
 *             `kind` (0 exact, 1 prefix, 2 suffix, 3 contains, 4 anything) matches it; no value matches nothing
 *   Tag       a: name length, b: kind | length << 3    some tag of the resource has the (lowercased) name, then a
 *             value the literal matches as glob kind `kind` (an equality is kind 0): the name's code units, then the
 *             literal's, each from a fresh int, in as many triples as they need
 *   Federated                                          the caller is a user holding a direct binding at the request's
 *                                                      time (a federated group binding's condition, SEMANTICS §3.4)
 *
 * Tags are compared as code units rather than interned: a request's tag pairs are new strings (lowercased, split),
 * whose hashing would cost more than the compare.
 *
 * The steps hold exactly what matchAttribute (for a `stringMatch` matcher), matchRest's tag loop and its federated
 * check hold; flat-program.test.ts compares them on every glob kind, and the differential properties on every source.
 */
export const enum TailOp {
  Text = 11,
  Tag = 12,
  Federated = 13,
}

/** True when a glob is one literal a Text step holds: exact, prefix, suffix, contains or anything. */
function flatGlob(g: Glob): boolean {
  return g.kind <= 4;
}

/** A `stringMatch` on a request attribute (not a derived one) whose glob a Text step holds. */
export function isTextMatcher(m: AttributeMatcher): boolean {
  // only a `stringMatch` matcher has a glob (compileAttribute): the operator test guards the `!`
  return m.op === Op.Match && m.derived === Derived.None && flatGlob(m.glob!);
}

/** A tag condition a TagEq or TagText step holds. */
function isFlatTag(t: TagMatcher): boolean {
  return t.glob === null || flatGlob(t.glob);
}

/** True when a policy needs a slow check the steps do not hold: the side table's (CandFlag.Tail) part of its slow parts. */
function slowBeyondSteps(p: CompiledPolicy): boolean {
  // the expiry: Infinity needs no step, an integer has its Before step (flat-conditions.ts, writeProgram).
  // Never true of a compiled policy: kept so that any other expiry fails over to the side table
  // Stryker disable next-line ConditionalExpression,BlockStatement: an expiry is Infinity or what Date.parse gives, an integer or NaN, and NaN makes the binding errored, whose record is never matched (authorize reads the Error flag first), so the test forced false or its block emptied changes nothing; the mark also hides three killed forms of this line (forced true, and each term forced true), which only send more candidates to the side table
  if (p.expiresAt !== Number.POSITIVE_INFINITY && !Number.isSafeInteger(p.expiresAt)) {
    // Stryker disable next-line BooleanLiteral: never reached (the test above is never true of a compiled policy)
    return true;
  }
  if (p.serviceSubject !== null || p.rule !== null) return true;
  const tags = p.tags;
  for (let i = 0; i < tags.length; i++) if (!isFlatTag(tags[i]!)) return true;
  return false;
}

/**
 * True when something beyond the record and its program (both parts) must be checked: the record's CandFlag.Tail. The
 * side table then checks every condition it holds again, the flattened ones included, so a Tail candidate decides as
 * matchLeft says.
 */
export function recordNeedsTail(c: Candidate): boolean {
  const rest = c.rest;
  for (let i = 0; i < rest.length; i++) if (!isFlatMatcher(rest[i]!) && !isTextMatcher(rest[i]!)) return true;
  return c.slow && slowBeyondSteps(c.policy);
}

/**
 * Appends the code units of `t` to `out`, two an int, high half first. An odd length's last int has a low half of 0:
 * past the end `charCodeAt` is NaN, which `|` reads as 0.
 */
function pushUnits(out: number[], t: string): void {
  for (let i = 0; i < t.length; i += 2) out.push((t.charCodeAt(i) << 16) | t.charCodeAt(i + 1));
}

/**
 * Pads `out` with zeros to whole triples. INVARIANT: a program is whole triples (every step of writeProgram's and of
 * this file is), so `out` is a whole number of triples before each step and the padding ends the step's literal.
 */
function padTriples(out: number[]): void {
  while (out.length % 3 !== 0) out.push(0);
}

/** Appends a Text step: its triple, then the triples of the glob's literal. */
function pushText(out: number[], attr: number, g: Glob): void {
  out.push(TailOp.Text, attr, g.kind | (g.text.length << 3));
  pushUnits(out, g.text);
  padTriples(out);
}

/** Appends a Tag step: its triple, then the triples of the name's and the literal's code units. */
function pushTag(out: number[], t: TagMatcher): void {
  // an equality is an exact literal
  const kind = t.glob === null ? 0 : t.glob.kind;
  const text = t.glob === null ? t.value : t.glob.text;
  out.push(TailOp.Tag, t.name.length, kind | (text.length << 3));
  pushUnits(out, t.name);
  pushUnits(out, text);
  padTriples(out);
}

/**
 * Appends the steps of a candidate's globs, tags and federated group (after writeProgram's). Tags and the federated
 * group only when the candidate is slow: otherwise matchTail never reads them either.
 */
export function writeTailSteps(c: Candidate, out: number[]): void {
  const rest = c.rest;
  for (let i = 0; i < rest.length; i++) {
    const m = rest[i]!;
    if (!isFlatMatcher(m) && isTextMatcher(m)) pushText(out, m.attr, m.glob!);
  }
  if (!c.slow) return;
  const p = c.policy;
  if (p.federatedGroup) out.push(TailOp.Federated, 0, 0);
  const tags = p.tags;
  for (let i = 0; i < tags.length; i++) {
    const t = tags[i]!;
    // Stryker disable next-line ConditionalExpression: forced true writes a kind-5 glob (text '') as a Tag step its reader takes as "anything" (literalMatches' default): it still asks for a tag of the name, which the glob needs too, and the candidate is Tail (slowBeyondSteps), so the side table checks the tag again; the mark also hides the killed `false`
    if (isFlatTag(t)) pushTag(out, t);
  }
}

/** The code unit `i` of the literal whose units start at `base` in `d`. */
function unitAt(d: Int32Array, base: number, i: number): number {
  const v = d[base + (i >> 1)]!;
  return (i & 1) === 0 ? v >>> 16 : v & 0xffff;
}

function unitsAt(d: Int32Array, base: number, len: number, s: string, at: number): boolean {
  for (let i = 0; i < len; i++) if (s.charCodeAt(at + i) !== unitAt(d, base, i)) return false;
  return true;
}

/** Whether the literal whose `len` code units start at int `base` of `d` matches all of `s` as glob kind `kind` (matchGlob). */
function literalMatches(d: Int32Array, base: number, kind: number, len: number, s: string): boolean {
  switch (kind) {
    case 0:
      return s.length === len && unitsAt(d, base, len, s, 0);
    case 1:
      // Stryker disable next-line ConditionalExpression: the length test is a shortcut: forced true, a shorter `s` reads NaN past its end, never equal to a code unit, so unitsAt answers false as the test did; the mark also hides the killed forms of the whole `&&`
      return s.length >= len && unitsAt(d, base, len, s, 0);
    case 2:
      // Stryker disable next-line ConditionalExpression: as for kind 1: a shorter `s` starts at a negative index, where charCodeAt is NaN
      return s.length >= len && unitsAt(d, base, len, s, s.length - len);
    case 3:
      // Stryker disable next-line ArithmeticOperator: `at - len <= s.length` adds starts whose literal runs past the end of `s` (NaN there), which never match
      for (let at = 0; at + len <= s.length; at++) if (unitsAt(d, base, len, s, at)) return true;
      return false;
    default:
      return true;
  }
}

/** Whether the Text step at `p` holds on the request's value `s` of its attribute. */
export function textMatches(d: Int32Array, p: number, s: string): boolean {
  const b = d[p + 2]!;
  return literalMatches(d, p + 3, b & 7, b >>> 3, s);
}

/** Whether the Tag step at `p` holds on one tag, split at its first `:` and lowercased (tagPairs). */
export function tagMatches(d: Int32Array, p: number, name: string, value: string): boolean {
  const n = d[p + 1]!;
  if (name.length !== n || !unitsAt(d, p + 3, n, name, 0)) return false;
  const b = d[p + 2]!;
  return literalMatches(d, p + 3 + ((n + 1) >> 1), b & 7, b >>> 3, value);
}

/** Where the step after the Text or Tag step at `p` starts. */
export function afterStep(d: Int32Array, p: number): number {
  const ints = (d[p]! === TailOp.Tag ? (d[p + 1]! + 1) >> 1 : 0) + ((d[p + 2]! >>> 3) + 1 >> 1);
  return p + 3 + Math.ceil(ints / 3) * 3;
}
