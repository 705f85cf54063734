import { writeProgram } from './flat-conditions.js';
import { recordNeedsTail, writeTailSteps } from './flat-tail.js';
import { internString, NO_STRING, type StringTable } from './strings.js';
import type { Bucket, Candidate, IdentityIndex, RoleGrantGroup } from './tables.js';

/**
 * The flat layout of an identity's index (one Int32Array, `IdentityIndex.data`):
 *
 *   slots   SLOT ints per hash slot: key (-1 when empty), start, denyEnd, end — positions in `data` of the key's
 *           candidate numbers, denies first. A key is `2 * actionId` for an exact action, `2 * prefixId + 1` for a
 *           pattern prefix. Open addressing, load at most three quarters (at one half the slots were four fifths of
 *           the tables' typed memory at L and writing them a fifth of a compile; measured idle: compile at L 21 %
 *           less CPU, decisions unchanged within the A/B's noise), so a probe reads one to three cache lines.
 *   records REC ints per candidate of the identity, from `recBase`: flags (CandFlag), service id (NO_STRING: any
 *           service), the inlined `stringEquals`' attribute id (-1: none) and value id (interned, see strings.ts),
 *           and where its program starts and ends in `data` (equal when it has none).
 *   ranges  the candidate numbers of every key, each range contiguous.
 *   programs the candidates' other integer conditions (flat-conditions.ts, then flat-tail.ts), in candidate order.
 *
 * A candidate is numbered within its identity, so one identity's records are contiguous whatever the number of
 * policies elsewhere. `cands` is the side table a candidate number leads to (the policy, its role, the conditions the
 * record does not hold): read only when the record says so (CandFlag.Tail), to explain, or by the analyses.
 *
 * Changes are staged (`pending`, `removed`) by the row path and sealed by `sealIndex` once the rows are applied, for
 * the touched identities only: compile seals every identity once, an update the few it touched.
 */
export const SLOT = 4;
export const REC = 6;

/**
 * Flags of a candidate record: the low bits of its first int. The bits from RANK_SHIFT up hold its policy's rank
 * (CompiledPolicy.rank), 0 for none.
 */
export const RANK_SHIFT = 3;
export const enum CandFlag {
  Deny = 1,
  /** The policy cannot be evaluated: it never grants, and a deny refuses (SEMANTICS §0). */
  Error = 2,
  /** Something beyond the record and its program must be checked: other conditions or the slow parts. */
  Tail = 4,
}

/**
 * The candidates staged by the row path, each with the role grant that says under which keys it goes: two parallel
 * lists rather than a pair object per candidate, which compile would keep alive until the seal (174k at L).
 */
export interface Pending {
  readonly cands: Candidate[];
  readonly groups: RoleGrantGroup[];
}

// Stryker disable next-line UnaryOperator: `+1640531535` is another odd multiplier, used alike by the seal and every probe: the keys land in other slots, found all the same
const HASH = -1640531535; // 0x9E3779B1, Fibonacci hashing

/** Two empty slots and nothing else: what an identity with no candidate reads (shared, never written). */
const EMPTY_DATA = new Int32Array([-1, 0, 0, 0, -1, 0, 0, 0]);

/** Creates an empty per-identity index. */
export function createIdentityIndex(): IdentityIndex {
  return {
    data: EMPTY_DATA,
    mask: 1,
    shift: 31,
    recBase: 2 * SLOT,
    cands: [],
    ids: [],
    exactCount: 0,
    patternCount: 0,
    pending: null,
    removed: null,
    accel: null,
    views: null,
  };
}

/** The key of an exact action id. */
export function exactKey(actionId: number): number {
  return actionId * 2;
}

/** The key of a pattern prefix id. */
export function patternKey(prefixId: number): number {
  return prefixId * 2 + 1;
}

/** The slot of a key in an index, or -1. */
export function slotOf(ix: IdentityIndex, key: number): number {
  const d = ix.data;
  const mask = ix.mask;
  let h = Math.imul(key, HASH) >>> ix.shift;
  for (;;) {
    const k = d[h * SLOT]!;
    if (k === key) return h;
    if (k === -1) return -1;
    h = (h + 1) & mask;
  }
}

/** Stages a candidate under the keys of a role grant; sealIndex places it. */
export function stage(ix: IdentityIndex, c: Candidate, group: RoleGrantGroup): void {
  const p = (ix.pending ??= { cands: [], groups: [] });
  p.cands.push(c);
  p.groups.push(group);
}

/** Stages the removal of every candidate of a policy or binding id; sealIndex drops them. */
export function unstagePolicy(ix: IdentityIndex, id: string): void {
  const p = ix.pending;
  if (p !== null && p.cands.some((c) => c.id === id)) {
    const keep = p.cands.map((c) => c.id !== id);
    ix.pending = { cands: p.cands.filter((_, i) => keep[i]), groups: p.groups.filter((_, i) => keep[i]) };
  }
  // INVARIANT: `removed` applies to the sealed candidates only; one added again after is in `pending`, and stays
  (ix.removed ??= new Set()).add(id);
}

/** True when the index has staged changes that sealIndex has not placed yet. */
export function isStaged(ix: IdentityIndex): boolean {
  return ix.pending !== null || ix.removed !== null;
}

/**
 * Scratch of sealIndex, reused from one seal to the next (a compile seals ~11k identities at L, and fresh JS lists
 * for each were a fifth of the seal's time in allocation and garbage collection): key -> its ordinal in the index
 * being sealed (-1 elsewhere, reset after each seal); per ordinal, its key and its deny and allow counts (then write
 * positions); per staged candidate, the first STAGED ints of its record; the staged candidates' programs and where
 * each ends. Grown by doubling, never shrunk.
 */
let keyOrdinal = new Int32Array(256).fill(-1);
let keyOf = new Int32Array(256);
let denyAt = new Int32Array(256);
let allowAt = new Int32Array(256);
let staged = new Int32Array(256);
// Stryker disable next-line ArrayDeclaration: stagedRecords empties it before each use (`programs.length = 0`), so what it starts with is never read
const programs: number[] = [];
let programEnds = new Int32Array(256);

/** The ints of a record that stagedRecords writes: flags (with the rank), service id, equality attribute and value ids. */
const STAGED = 4;

/** `a` grown to hold index `n`, past its end (each caller checks), its contents kept and the new part filled with `fill`. */
function grown(a: Int32Array<ArrayBuffer>, n: number, fill = 0): Int32Array<ArrayBuffer> {
  const need = n + 1;
  // Stryker disable next-line ArithmeticOperator: doubling only spares regrowths; `n` is past the end, so `need` is the larger with `a.length / 2` and index n is held alike
  const b = new Int32Array(Math.max(need, a.length * 2));
  b.fill(fill, a.length);
  b.set(a);
  return b;
}

/** The ordinal of a key in the index being sealed, given it the first time (`count` keys have one so far). */
function ordinalOf(k: number, count: number): number {
  if (k >= keyOrdinal.length) keyOrdinal = grown(keyOrdinal, k, -1);
  const o = keyOrdinal[k]!;
  if (o >= 0) return o;
  if (count >= keyOf.length) {
    keyOf = grown(keyOf, count);
    denyAt = grown(denyAt, count);
    allowAt = grown(allowAt, count);
  }
  keyOrdinal[k] = count;
  keyOf[count] = k;
  denyAt[count] = 0;
  allowAt[count] = 0;
  return count;
}

/**
 * Writes the record ints (`staged`) and the program (`programs`, `programEnds`) of each staged candidate. The one part
 * of a seal that reads the candidates' objects, kept out of sealIndex: their shapes vary from policy to policy (tags,
 * rules, scopes …), and where the JIT meets one it has not seen in optimised code, it drops back to unoptimised code
 * for the rest of the call (some 300 times in a compile at L), which is then these few candidates, not a whole seal.
 */
function stagedRecords(cands: readonly Candidate[], strings: StringTable): void {
  // Stryker disable next-line EqualityOperator: `>=` also grows when the list fits exactly (one int spare): speed only; hides the `<=` form, which times out
  if (cands.length * STAGED > staged.length) staged = grown(staged, cands.length * STAGED);
  // Stryker disable next-line EqualityOperator: as above, `>=` grows one early; hides the `<=` form, which times out
  if (cands.length > programEnds.length) programEnds = grown(programEnds, cands.length);
  programs.length = 0;
  for (let i = 0; i < cands.length; i++) {
    const c = cands[i]!;
    const r = i * STAGED;
    staged[r] = (c.deny ? CandFlag.Deny : 0) | (c.error !== null ? CandFlag.Error : 0) | (recordNeedsTail(c) ? CandFlag.Tail : 0) | (c.policy.rank << RANK_SHIFT);
    staged[r + 1] = c.service === null ? NO_STRING : internString(strings, c.service);
    staged[r + 2] = c.eqAttr;
    staged[r + 3] = c.eqAttr < 0 ? NO_STRING : internString(strings, c.eqValue);
    writeProgram(c, strings, programs);
    writeTailSteps(c, programs);
    programEnds[i] = programs.length;
  }
}

/**
 * Builds the flat layout of an index from its sealed candidates less those removed, then those staged, in that order
 * (so an update appends, as compile does), and clears the staging and the memos. Cost: the identity's own size, in two
 * counting passes that allocate the new array and the candidate lists, nothing per key.
 */
export function sealIndex(ix: IdentityIndex, strings: StringTable): void {
  if (!isStaged(ix)) return;
  const old = ix.data;
  const oldCands = ix.cands;
  const removed = ix.removed;
  const pendingCands = ix.pending?.cands ?? [];
  // read only at the indexes of pendingCands, so only when something is staged
  const pendingGroups = ix.pending?.groups;
  // candidate numbers: the kept ones first (their records and programs are copied), then the staged ones
  // (a first seal, as in compile, takes the staged list over instead of copying it)
  const remap = new Int32Array(oldCands.length);
  let cands: Candidate[] = [];
  let oldPrograms = 0;
  for (let i = 0; i < oldCands.length; i++) {
    if (removed !== null && removed.has(oldCands[i]!.id)) remap[i] = -1;
    else {
      remap[i] = cands.push(oldCands[i]!) - 1;
      const r = ix.recBase + i * REC;
      oldPrograms += old[r + 5]! - old[r + 4]!;
    }
  }
  const kept = cands.length;
  // Stryker disable next-line ConditionalExpression: forced false, the staged candidates are pushed onto an empty list instead of taken over: the same list (it is copied below), speed only; hides the killed forced-true form
  if (kept === 0) cands = pendingCands;
  else for (let i = 0; i < pendingCands.length; i++) cands.push(pendingCands[i]!);
  stagedRecords(pendingCands, strings);
  // pass 1: keys in first-seen order, and how many denies and allows each holds
  let nkeys = 0;
  for (let s = 0; s <= ix.mask; s++) {
    const b = s * SLOT;
    if (old[b]! < 0) continue;
    // INVARIANT: the old slots hold distinct keys and come first, so each takes the next ordinal
    const o = ordinalOf(old[b]!, nkeys++);
    for (let p = old[b + 1]!; p < old[b + 3]!; p++) if (remap[old[p]!]! >= 0) (p < old[b + 2]! ? denyAt : allowAt)[o]!++;
  }
  // INVARIANT: a candidate is staged once, with one grant that names each action and prefix once, so no key lists it twice
  // (indexed loops here and below: see compile-source.ts, applyRows)
  for (let i = 0; i < pendingCands.length; i++) {
    const { actions, prefixes } = pendingGroups![i]!;
    const deny = (staged[i * STAGED]! & CandFlag.Deny) !== 0;
    for (let j = 0; j < actions.length; j++) {
      const o = ordinalOf(exactKey(actions[j]!), nkeys);
      if (o === nkeys) nkeys++;
      if (deny) denyAt[o]!++;
      else allowAt[o]!++;
    }
    for (let j = 0; j < prefixes.length; j++) {
      const o = ordinalOf(patternKey(prefixes[j]!), nkeys);
      if (o === nkeys) nkeys++;
      if (deny) denyAt[o]!++;
      else allowAt[o]!++;
    }
  }
  let bits = 1;
  // INVARIANT: at least one slot stays empty, so a probe for a missing key ends
  while ((1 << bits) * 3 < nkeys * 4) bits++;
  const slots = 1 << bits;
  const recBase = slots * SLOT;
  let total = 0;
  for (let o = 0; o < nkeys; o++) total += denyAt[o]! + allowAt[o]!;
  // programs: the kept ones copied from the old array (oldPrograms), the staged ones from stagedRecords
  const data = new Int32Array(recBase + cands.length * REC + total + oldPrograms + programs.length);
  for (let s = 0; s < slots; s++) data[s * SLOT] = -1;
  // each key's range, denies then allows; `denyAt`/`allowAt` become the next write positions
  let pos = recBase + cands.length * REC;
  let exactCount = 0;
  for (let o = 0; o < nkeys; o++) {
    const k = keyOf[o]!;
    if ((k & 1) === 0) exactCount++;
    let h = Math.imul(k, HASH) >>> (32 - bits);
    while (data[h * SLOT] !== -1) h = (h + 1) & (slots - 1);
    const b = h * SLOT;
    const d = denyAt[o]!;
    const a = allowAt[o]!;
    data[b] = k;
    data[b + 1] = pos;
    data[b + 2] = pos + d;
    data[b + 3] = pos + d + a;
    denyAt[o] = pos;
    allowAt[o] = pos + d;
    pos += d + a;
  }
  // pass 2: place the numbers, in the same order as counted
  for (let s = 0; s <= ix.mask; s++) {
    const b = s * SLOT;
    if (old[b]! < 0) continue;
    const o = keyOrdinal[old[b]!]!;
    for (let p = old[b + 1]!; p < old[b + 3]!; p++) {
      const n = remap[old[p]!]!;
      if (n < 0) continue;
      if (p < old[b + 2]!) data[denyAt[o]!++] = n;
      else data[allowAt[o]!++] = n;
    }
  }
  for (let i = 0; i < pendingCands.length; i++) {
    const { actions, prefixes } = pendingGroups![i]!;
    const n = kept + i;
    const at = (staged[i * STAGED]! & CandFlag.Deny) !== 0 ? denyAt : allowAt;
    // Stryker disable next-line EqualityOperator: `j <= actions.length` reads actions[length], undefined: its key NaN has no ordinal, `at[undefined]++` is NaN and the write to data[NaN] is dropped; hides the `>=` form, which times out
    for (let j = 0; j < actions.length; j++) data[at[keyOrdinal[exactKey(actions[j]!)]!]!++] = n;
    // Stryker disable next-line EqualityOperator: as above, `j <= prefixes.length` writes nowhere; hides the `>=` form, which times out
    for (let j = 0; j < prefixes.length; j++) data[at[keyOrdinal[patternKey(prefixes[j]!)]!]!++] = n;
  }
  // Stryker disable next-line EqualityOperator: `o <= nkeys` also resets the ordinal of keyOf[nkeys], a key of an earlier seal, already -1 (each seal resets its own); hides the killed `>=`
  for (let o = 0; o < nkeys; o++) keyOrdinal[keyOf[o]!] = -1;
  // records: copied for the kept candidates (with their programs), built for the staged ones
  for (let i = 0; i < oldCands.length; i++) {
    const n = remap[i]!;
    if (n < 0) continue;
    const from = ix.recBase + i * REC;
    const r = recBase + n * REC;
    data.set(old.subarray(from, from + 4), r);
    data.set(old.subarray(old[from + 4]!, old[from + 5]!), pos);
    data[r + 4] = pos;
    data[r + 5] = pos += old[from + 5]! - old[from + 4]!;
  }
  for (let n = kept; n < cands.length; n++) {
    const r = recBase + n * REC;
    const s = (n - kept) * STAGED;
    data[r] = staged[s]!;
    data[r + 1] = staged[s + 1]!;
    data[r + 2] = staged[s + 2]!;
    data[r + 3] = staged[s + 3]!;
    const from = n === kept ? 0 : programEnds[n - kept - 1]!;
    const to = programEnds[n - kept]!;
    // Stryker disable next-line EqualityOperator: `k <= to` also copies programs[to], the next candidate's first int, to where that program is written next (or, for the last, undefined past the array's end: dropped); hides the `>=` form, which times out
    for (let k = from; k < to; k++) data[pos + k - from] = programs[k]!;
    data[r + 4] = pos;
    data[r + 5] = pos += to - from;
  }
  ix.data = data;
  ix.mask = slots - 1;
  ix.shift = 32 - bits;
  ix.recBase = recBase;
  // copied to its length: a list grown by push keeps up to half again (and at least 16 slots) spare, which was a
  // hundredth of the tables' heap at S
  // Stryker disable next-line MethodExpression: `cands` uncopied holds the same candidates (the staged list it may be is dropped below): memory only
  ix.cands = cands.slice();
  ix.ids = cands.map((c) => c.id);
  ix.exactCount = exactCount;
  ix.patternCount = nkeys - exactCount;
  ix.pending = null;
  ix.removed = null;
  ix.accel = null;
  ix.views = null;
}

/**
 * One index holding, under key 0, the candidates of several slots of other indexes (denies of all, then allows of all,
 * each in slot order, repeats kept), their records copied: what a principal's own index and static groups hold for one
 * action, read as one contiguous range instead of one range per identity.
 */
export function mergeSlots(ixs: readonly IdentityIndex[], slots: readonly number[]): IdentityIndex {
  let denies = 0;
  let total = 0;
  let programs = 0;
  for (let i = 0; i < ixs.length; i++) {
    const ix = ixs[i]!;
    const d = ix.data;
    const b = slots[i]! * SLOT;
    denies += d[b + 2]! - d[b + 1]!;
    total += d[b + 3]! - d[b + 1]!;
    for (let p = d[b + 1]!; p < d[b + 3]!; p++) {
      const r = ix.recBase + d[p]! * REC;
      programs += d[r + 5]! - d[r + 4]!;
    }
  }
  const recBase = 2 * SLOT;
  const idsBase = recBase + total * REC;
  let pos = idsBase + total;
  const data = new Int32Array(pos + programs);
  const cands: Candidate[] = [];
  data[0] = 0;
  data[1] = idsBase;
  data[2] = idsBase + denies;
  data[3] = idsBase + total;
  data[SLOT] = -1;
  const copy = (from: number, to: number, d: Int32Array, ix: IdentityIndex) => {
    for (let p = from; p < to; p++) {
      const c = d[p]!;
      const n = cands.push(ix.cands[c]!) - 1;
      const from = ix.recBase + c * REC;
      const r = recBase + n * REC;
      data.set(d.subarray(from, from + 4), r);
      data.set(d.subarray(d[from + 4]!, d[from + 5]!), pos);
      data[r + 4] = pos;
      data[r + 5] = pos += d[from + 5]! - d[from + 4]!;
      data[idsBase + n] = n;
    }
  };
  for (let i = 0; i < ixs.length; i++) copy(ixs[i]!.data[slots[i]! * SLOT + 1]!, ixs[i]!.data[slots[i]! * SLOT + 2]!, ixs[i]!.data, ixs[i]!);
  for (let i = 0; i < ixs.length; i++) copy(ixs[i]!.data[slots[i]! * SLOT + 2]!, ixs[i]!.data[slots[i]! * SLOT + 3]!, ixs[i]!.data, ixs[i]!);
  const merged = createIdentityIndex();
  merged.data = data;
  merged.cands = cands;
  merged.ids = cands.map((c) => c.id);
  merged.exactCount = 1;
  return merged;
}

/** The candidates of a slot as lists (a view for the analyses, built on first use and kept until the next seal). */
export function bucketAt(ix: IdentityIndex, slot: number): Bucket {
  let views = ix.views;
  if (views === null) ix.views = views = [];
  let v = views[slot];
  if (v === undefined) {
    const d = ix.data;
    const b = slot * SLOT;
    const deny: Candidate[] = [];
    const allow: Candidate[] = [];
    for (let p = d[b + 1]!; p < d[b + 2]!; p++) deny.push(ix.cands[d[p]!]!);
    for (let p = d[b + 2]!; p < d[b + 3]!; p++) allow.push(ix.cands[d[p]!]!);
    views[slot] = v = { deny, allow };
  }
  return v;
}

/** The bucket of an interned action id in an index, if any. */
export function exactBucket(ix: IdentityIndex, actionId: number): Bucket | undefined {
  // Stryker disable next-line ConditionalExpression: speed only — forced false, an uninterned action (-1) probes for exactKey(-1) = -2, which no slot holds (an empty one holds -1), and answers undefined all the same (the mark also hides the killed forced-true form)
  if (actionId < 0) return undefined;
  const s = slotOf(ix, exactKey(actionId));
  return s < 0 ? undefined : bucketAt(ix, s);
}

/** The bucket of an interned pattern prefix id in an index, if any. */
export function patternBucket(ix: IdentityIndex, prefixId: number): Bucket | undefined {
  // Stryker disable next-line ConditionalExpression,LogicalOperator: each test is a shortcut — with none of them an index without patterns probes and finds no pattern key (undefined), and prefixId -1 (its key -1 is an empty slot's) gives an empty slot's bucket, no candidates: bucketsFor's only caller reads the same nothing (and passes known prefixes only); the mark also hides the killed forced-true forms
  if (prefixId < 0 || ix.patternCount === 0) return undefined;
  const s = slotOf(ix, patternKey(prefixId));
  return s < 0 ? undefined : bucketAt(ix, s);
}

/** The exact action ids an index holds candidates for. */
export function exactIdsOfIndex(ix: IdentityIndex): number[] {
  const out: number[] = [];
  for (let s = 0; s <= ix.mask; s++) {
    const k = ix.data[s * SLOT]!;
    // Stryker disable next-line ConditionalExpression: `k >= 0` forced true is the same test, an empty slot's key (-1) being odd (the mark also hides the killed forms of the whole test forced either way)
    if (k >= 0 && (k & 1) === 0) out.push(k / 2);
  }
  return out;
}

/** The pattern prefix ids an index holds candidates for. */
export function patternIdsOf(ix: IdentityIndex): number[] {
  const out: number[] = [];
  for (let s = 0; s <= ix.mask; s++) {
    const k = ix.data[s * SLOT]!;
    // Stryker disable next-line EqualityOperator: `k > 0` is the same test, key 0 (exact action 0) being even (the mark also hides the killed `k < 0` and `!==` forms)
    if (k >= 0 && (k & 1) === 1) out.push((k - 1) / 2);
  }
  return out;
}
