import { prefixIdsOf } from '../compile/action-table.js';
import { ACCEL_MIN } from '../compile/bucket-accel.js';
import { exactKey, mergeSlots, patternKey, SLOT, slotOf } from '../compile/identity-index.js';
import type { AccountTable, DynamicEntry, GroupEntry, IdentityIndex, OwnRanges, PrincipalEntry, Tables } from '../compile/tables.js';
import type { IdentitySet } from './authorize.js';

/** The ranges an identity set holds for one action, each with the identity it came from (-1: the principal's gathered own ranges). */
export interface Gathered {
  ixs: IdentityIndex[];
  slots: number[];
  owners: number[];
  count: number;
}

export function createGathered(): Gathered {
  // Stryker disable next-line ArrayDeclaration: gather writes entries 0 to count - 1 before any is read, so what the lists start with is never read
  return { ixs: [], slots: [], owners: [], count: 0 };
}

/**
 * At most this many actions keep an entry per principal (merged ranges, or the mark of a first use); past it the oldest
 * entry goes, one at a time. The bench's S principals ask up to 126 actions each over its stream: at 64, cleared whole
 * when full, almost every request there gathered anew and merged again, and the uncached decision at S cost more than
 * at L.
 */
export const OWN_MAX = 128;

/**
 * The memo's entry of a (principal, action) asked once: nothing is kept for it but that it was asked, so the second
 * use merges and a one-off request copies and allocates nothing. Shared by every such entry; never read as ranges.
 */
export const ASKED_ONCE: OwnRanges = Object.freeze({ ixs: Object.freeze([]), slots: Object.freeze([]), merged: false, from: 0, until: 0 });

/**
 * Writes into `out` from entry `n` on the slots of one index for an action (owner -1: the principal's own ranges): its
 * exact key and each known prefix of the action; answers the new count. An unknown action (-1) has the exact key -2,
 * which no slot holds (keys are 0 and up, an empty slot's is -1), so it is probed like any other.
 */
function slotsOf(ix: IdentityIndex, actionId: number, prefixes: readonly number[], out: Gathered, n: number): number {
  const s = slotOf(ix, exactKey(actionId));
  if (s >= 0) {
    out.ixs[n] = ix;
    out.slots[n] = s;
    out.owners[n++] = -1;
  }
  // Stryker disable next-line ConditionalExpression: forced false is speed only: an index without pattern keys finds none of the prefixes' keys (the mark also hides the killed `true`)
  if (ix.patternCount === 0) return n;
  // Stryker disable next-line EqualityOperator: one step past the end probes the key of undefined (NaN), which no slot holds (the mark also hides the killed `>=`)
  for (let i = 0; i < prefixes.length; i++) {
    const s = slotOf(ix, patternKey(prefixes[i]!));
    if (s >= 0) {
      out.ixs[n] = ix;
      out.slots[n] = s;
      out.owners[n++] = -1;
    }
  }
  return n;
}

/**
 * The own ranges gathered in `out` (entries 0 to n - 1), kept for the window `[from, until)`: several small ranges
 * copied into one, so a decision reads one contiguous range of records; a range large enough for a keyed prefilter
 * stays apart, so the prefilter its own index keeps serves it (the merged range is scanned whole, as its parts would
 * have been).
 */
function mergeSmall(out: Gathered, n: number, from: number, until: number): OwnRanges {
  const ixs = out.ixs.slice(0, n);
  const slots = out.slots.slice(0, n);
  const small: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = ixs[i]!.data;
    const b = slots[i]! * SLOT;
    if (d[b + 3]! - d[b + 1]! < ACCEL_MIN) small.push(i);
  }
  if (small.length < 2) return { ixs, slots, merged: true, from, until };
  const merged = mergeSlots(
    small.map((i) => ixs[i]!),
    small.map((i) => slots[i]!),
  );
  // INVARIANT: no prefilter for the merged range (its parts had none): the memo slot holds "none" from the start
  merged.accel = [null];
  const own: OwnRanges = { ixs: [merged], slots: [0], merged: true, from, until };
  for (let i = 0; i < n; i++) {
    if (small.includes(i)) continue;
    (own.ixs as IdentityIndex[]).push(ixs[i]!);
    (own.slots as number[]).push(slots[i]!);
  }
  return own;
}

/**
 * Whether the principal holds group `g` without claims at time `now` (statically, through an active dynamic
 * membership, or as the public group): then its gathered ranges (ownRangesOf) already hold the group.
 */
export function holdsWithoutClaims(account: AccountTable, p: PrincipalEntry, g: GroupEntry, now: number): boolean {
  if (p.staticGroups.includes(g) || (account.publicAccess && g === account.publicGroup)) return true;
  for (const d of p.dynamic) if (d.group === g && d.loginAt <= now && now < d.expiresAt) return true;
  return false;
}

/**
 * Writes into `out` (from entry 0, owner -1) the ranges of the identities a principal holds without claims for an
 * action at time `now`, and answers their count: from its memo when it holds merged ranges for the pair, tables version
 * and a window around `now`; else probed, straight into `out` (nothing allocated), and then, if the pair was asked
 * before, merged (see mergeSmall) and kept for the next ones: one map lookup and one contiguous range where there would
 * be a probe and a range per group. Unknown actions (reached only through patterns) are keyed by their string.
 */
export function ownRangesOf(tables: Tables, account: AccountTable, p: PrincipalEntry, actionId: number, action: string, now: number, out: Gathered): number {
  // INVARIANT: ownBuckets is null only with ownVersion -1 (createPrincipal, clearMemos), and no tables version is
  // negative: a null map is always replaced here
  if (p.ownVersion !== tables.version) {
    p.ownBuckets = new Map();
    p.ownVersion = tables.version;
  }
  const cache = p.ownBuckets!;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: keyed by its string (forced false, or action 0 with `>`), an action names its entry as uniquely: numbers and strings never equal (the mark also hides the killed `true`, which keys every unknown action as -1)
  const key = actionId >= 0 ? actionId : action;
  const kept = cache.get(key);
  // a time outside the window may have other dynamic groups active: gathered again
  if (kept !== undefined && kept.merged && kept.from <= now && now < kept.until) {
    const n = kept.slots.length;
    // Stryker disable next-line EqualityOperator: one step past the end writes undefined at entry n, past the count returned, which gather overwrites or never reads (the mark also hides the killed `>=`)
    for (let i = 0; i < n; i++) {
      out.ixs[i] = kept.ixs[i]!;
      out.slots[i] = kept.slots[i]!;
      // Stryker disable next-line UnaryOperator: read only to explain, and an explaining decision resolves every identity one by one (set.merged null), so no owner of these ranges is ever read
      out.owners[i] = -1;
    }
    return n;
  }
  const prefixes = prefixIdsOf(tables.actions, action, actionId);
  let n = slotsOf(p.index, actionId, prefixes, out, 0);
  // each group once, however many ways the principal holds it: statics are distinct, a dynamic group is skipped when
  // a static one or an earlier active membership holds it
  const statics = p.staticGroups;
  for (let i = 0; i < statics.length; i++) n = slotsOf(statics[i]!.index, actionId, prefixes, out, n);
  let from = Number.NEGATIVE_INFINITY;
  let until = Number.POSITIVE_INFINITY;
  const dynamic = p.dynamic;
  for (let i = 0; i < dynamic.length; i++) {
    const d = dynamic[i]!;
    if (d.loginAt <= now) from = Math.max(from, d.loginAt);
    else until = Math.min(until, d.loginAt);
    if (d.expiresAt <= now) from = Math.max(from, d.expiresAt);
    else until = Math.min(until, d.expiresAt);
    if (d.loginAt <= now && now < d.expiresAt && !statics.includes(d.group) && !heldBefore(dynamic, i, d.group, now)) n = slotsOf(d.group.index, actionId, prefixes, out, n);
  }
  const pub = account.publicGroup;
  if (account.publicAccess && !statics.includes(pub) && !heldBefore(dynamic, dynamic.length, pub, now)) n = slotsOf(pub.index, actionId, prefixes, out, n);
  if (kept === undefined) {
    // Stryker disable next-line EqualityOperator: `>` keeps one entry more: memory only
    if (cache.size >= OWN_MAX) cache.delete(cache.keys().next().value!);
    cache.set(key, ASKED_ONCE);
  } else cache.set(key, mergeSmall(out, n, from, until));
  return n;
}

/** Whether one of the first `k` dynamic memberships holds group `g` at time `now`. */
function heldBefore(dynamic: readonly DynamicEntry[], k: number, g: GroupEntry, now: number): boolean {
  for (let i = 0; i < k; i++) {
    const d = dynamic[i]!;
    if (d.group === g && d.loginAt <= now && now < d.expiresAt) return true;
  }
  return false;
}

/** Gathers into `out` the ranges of every identity of the set for an action: what a batch shares across its requests. */
export function gather(tables: Tables, action: string, set: IdentitySet, out: Gathered): Gathered {
  let n = 0;
  const { ixs, slots, owners } = out;
  const actions = tables.actions;
  const actionId = actions.actions.get(action) ?? -1;
  let prefixes: readonly number[] | null = null;
  if (set.merged !== null) n = ownRangesOf(tables, set.account!, set.merged, actionId, action, set.now, out);
  // an unknown action's key (-2) is in no slot (see slotsOf)
  const key = exactKey(actionId);
  for (let k = 0; k < set.count; k++) {
    const ix = set.indexes[k]!;
    const s = slotOf(ix, key);
    if (s >= 0) {
      ixs[n] = ix;
      slots[n] = s;
      owners[n++] = k;
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: speed only: an index without pattern keys finds none of the prefixes' keys, so probing them gathers nothing more (the mark also hides this line's killed `false` and `<=` forms)
    if (ix.patternCount > 0) {
      prefixes ??= prefixIdsOf(actions, action, actionId);
      // Stryker disable next-line EqualityOperator: one step past the end probes the key of undefined (NaN), which no slot holds (the mark also hides the killed `>=`)
      for (let i = 0; i < prefixes.length; i++) {
        const s = slotOf(ix, patternKey(prefixes[i]!));
        if (s >= 0) {
          ixs[n] = ix;
          slots[n] = s;
          owners[n++] = k;
        }
      }
    }
  }
  out.count = n;
  return out;
}
