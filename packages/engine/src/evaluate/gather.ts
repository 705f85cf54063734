import { prefixIdsOf } from '../compile/action-table.js';
import { ACCEL_MIN } from '../compile/bucket-accel.js';
import { exactKey, mergeSlots, patternKey, SLOT, slotOf } from '../compile/identity-index.js';
import type { AccountTable, GroupEntry, IdentityIndex, OwnRanges, PrincipalEntry, Tables } from '../compile/tables.js';
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

/** At most this many actions keep gathered ranges per principal; past it the map starts again. */
export const OWN_MAX = 64;

/**
 * Appends to `ixs`/`slots` the slots of one index for an action: its exact key and each known prefix of the action.
 * An unknown action (-1) has the exact key -2, which no slot holds (keys are 0 and up, an empty slot's is -1), so it
 * is probed like any other.
 */
function slotsOf(ix: IdentityIndex, actionId: number, prefixes: readonly number[], ixs: IdentityIndex[], slots: number[]): void {
  const s = slotOf(ix, exactKey(actionId));
  if (s >= 0) {
    ixs.push(ix);
    slots.push(s);
  }
  // Stryker disable next-line ConditionalExpression: forced false is speed only: an index without pattern keys finds none of the prefixes' keys (the mark also hides the killed `true`)
  if (ix.patternCount === 0) return;
  for (const p of prefixes) {
    const s = slotOf(ix, patternKey(p));
    if (s >= 0) {
      ixs.push(ix);
      slots.push(s);
    }
  }
}

/**
 * Several small ranges copied into one, so a decision reads one contiguous range of records; a range large enough for
 * a keyed prefilter stays apart, so the prefilter its own index keeps serves it (the merged range is scanned whole, as
 * its parts would have been).
 */
function mergeSmall(own: OwnRanges): OwnRanges {
  const ixs = own.ixs as IdentityIndex[];
  const slots = own.slots as number[];
  const small: number[] = [];
  for (let i = 0; i < ixs.length; i++) {
    const d = ixs[i]!.data;
    const b = slots[i]! * SLOT;
    if (d[b + 3]! - d[b + 1]! < ACCEL_MIN) small.push(i);
  }
  if (small.length < 2) return { ixs, slots, merged: true, from: own.from, until: own.until };
  const merged = mergeSlots(
    small.map((i) => ixs[i]!),
    small.map((i) => slots[i]!),
  );
  // INVARIANT: no prefilter for the merged range (its parts had none): the memo slot holds "none" from the start
  merged.accel = [null];
  const out: OwnRanges = { ixs: [merged], slots: [0], merged: true, from: own.from, until: own.until };
  for (let i = 0; i < ixs.length; i++) {
    if (small.includes(i)) continue;
    (out.ixs as IdentityIndex[]).push(ixs[i]!);
    (out.slots as number[]).push(slots[i]!);
  }
  return out;
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
 * The ranges of the identities a principal holds without claims (OwnRanges) for an action at time `now`, gathered once
 * per (principal, action) and tables version while `now` stays in the window, and from the second use merged into one
 * (see mergeSmall): one map lookup and one contiguous range where there would be a probe and a range per group.
 * Unknown actions (reached only through patterns) are keyed by their string.
 */
export function ownRangesOf(tables: Tables, account: AccountTable, p: PrincipalEntry, actionId: number, action: string, now: number): OwnRanges {
  // INVARIANT: ownBuckets is null only with ownVersion -1 (createPrincipal, clearMemos), and no tables version is
  // negative: a null map is always replaced here
  if (p.ownVersion !== tables.version) {
    p.ownBuckets = new Map();
    p.ownVersion = tables.version;
  }
  const cache = p.ownBuckets!;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: keyed by its string (forced false, or action 0 with `>`), an action names its entry as uniquely: numbers and strings never equal (the mark also hides the killed `true`, which keys every unknown action as -1)
  const key = actionId >= 0 ? actionId : action;
  let out = cache.get(key);
  // a time outside the window may have other dynamic groups active: gathered again
  if (out !== undefined && !(out.from <= now && now < out.until)) out = undefined;
  else if (out !== undefined && !out.merged) cache.set(key, (out = mergeSmall(out)));
  if (out === undefined) {
    const ixs: IdentityIndex[] = [];
    const slots: number[] = [];
    const prefixes = prefixIdsOf(tables.actions, action, actionId);
    slotsOf(p.index, actionId, prefixes, ixs, slots);
    // each group once, however many ways the principal holds it
    const held = p.staticGroups.slice();
    let from = Number.NEGATIVE_INFINITY;
    let until = Number.POSITIVE_INFINITY;
    for (const d of p.dynamic) {
      for (const t of [d.loginAt, d.expiresAt]) {
        if (t <= now) from = Math.max(from, t);
        else until = Math.min(until, t);
      }
      if (d.loginAt <= now && now < d.expiresAt && !held.includes(d.group)) held.push(d.group);
    }
    if (account.publicAccess && !held.includes(account.publicGroup)) held.push(account.publicGroup);
    for (const g of held) slotsOf(g.index, actionId, prefixes, ixs, slots);
    if (cache.size >= OWN_MAX) cache.clear();
    cache.set(key, (out = { ixs, slots, merged: false, from, until }));
  }
  return out;
}

/** Gathers into `out` the ranges of every identity of the set for an action: what a batch shares across its requests. */
export function gather(tables: Tables, action: string, set: IdentitySet, out: Gathered): Gathered {
  let n = 0;
  const { ixs, slots, owners } = out;
  const actions = tables.actions;
  const actionId = actions.actions.get(action) ?? -1;
  let prefixes: readonly number[] | null = null;
  if (set.merged !== null) {
    const own = ownRangesOf(tables, set.account!, set.merged, actionId, action, set.now);
    for (let i = 0; i < own.slots.length; i++) {
      ixs[n] = own.ixs[i]!;
      slots[n] = own.slots[i]!;
      // Stryker disable next-line UnaryOperator: read only to explain, and an explaining decision resolves every identity one by one (set.merged null), so no owner of these ranges is ever read
      owners[n++] = -1;
    }
  }
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
