import { ValidationError, type Issue } from '../errors.js';
import type {
  AccountTable,
  Candidate,
  ClaimMatcher,
  ClaimRuleEntry,
  CompiledPolicy,
  DynamicEntry,
  GroupEntry,
  IdentityIndex,
  PrincipalEntry,
  Tables,
} from '../compile/tables.js';
import { ACCEL_MIN, buildAccel, type BucketAccel } from '../compile/bucket-accel.js';
import { CandFlag, RANK_SHIFT, REC, SLOT } from '../compile/identity-index.js';
import { NO_STRING } from '../compile/strings.js';
import { accountGate } from './account-gates.js';
import { createGathered, gather, holdsWithoutClaims, type Gathered } from './gather.js';
import { matchLeft, runProgram } from './match-policy.js';
import { accountNumOf, createContext, batchChecks, itemKeyIssues, nodeUpsOf, resolveRequest, valueIdOf, zoneIdsOf, type RequestContext } from './resolve-request.js';
import type { AuthorizeOptions, AuthorizeRequest, Decision, Explanation, IdentityPath, RequestScalar, RequestSubject } from './types.js';

/** How an identity was reached, for explanations. */
const enum Via {
  Principal = 0,
  Static = 1,
  Dynamic = 2,
  Claims = 3,
  Public = 4,
  Service = 5,
}

/** The caller's identities in one account at one time: indexes to scan, and how each was reached. */
export interface IdentitySet {
  account: AccountTable | undefined;
  now: number;
  principal: PrincipalEntry | null;
  count: number;
  indexes: IdentityIndex[];
  via: Via[];
  refs: (GroupEntry | DynamicEntry | ClaimRuleEntry | PrincipalEntry | null)[];
  service: Record<string, RequestScalar> | undefined;
  /**
   * Set by a fast resolution: the principal whose own index and groups held without claims (static, dynamic active at
   * `now`, public) are not in `indexes` but read through its gathered ranges (see ownRangesOf in gather.ts). Null
   * otherwise.
   */
  merged: PrincipalEntry | null;
}

/** Creates an empty identity set, to be reused across calls. */
export function createIdentitySet(): IdentitySet {
  return { account: undefined, now: 0, principal: null, count: 0, indexes: [], via: [], refs: [], service: undefined, merged: null };
}

/** Marks groups already pushed in one resolution, so a group reached twice is scanned once. */
let serial = 1;

function push(set: IdentitySet, index: IdentityIndex, via: Via, ref: IdentitySet['refs'][number]): void {
  const n = set.count++;
  set.indexes[n] = index;
  set.via[n] = via;
  set.refs[n] = ref;
}

function pushGroup(set: IdentitySet, g: GroupEntry, via: Via, ref: IdentitySet['refs'][number], mark: number): void {
  if (g.mark === mark) return;
  g.mark = mark;
  push(set, g.index, via, ref);
}

function claimValues(raw: unknown): string[] | null {
  if (raw === undefined || raw === null) return null;
  if (Array.isArray(raw)) {
    const out: string[] = [];
    for (const v of raw) if (v !== null && typeof v !== 'object' && v !== undefined) out.push(String(v));
    return out;
  }
  if (typeof raw === 'object') return [];
  return [String(raw)];
}

/** One claim condition on the login's claims: multi-valued claims match if any value does; NOT_* if none does. */
export function matchClaim(m: ClaimMatcher, claims: Record<string, unknown>): boolean {
  const raw = Object.hasOwn(claims, m.claim) ? claims[m.claim] : undefined;
  // a claim whose value is an object is neither a value nor missing: no operator holds on it
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) return false;
  return holdsOn(m, claimValues(raw), Array.isArray(raw));
}

/**
 * The claims one resolution has read so far, each with its values (claimValues) and whether it is an array, so that
 * the conditions of a realm's rules (ten at L, most naming the same two or three claims) read and convert each claim
 * once. Scratch reused by every resolution (evaluation is synchronous and never re-entered), emptied after each.
 */
const readClaims = { names: [] as string[], values: [] as (string[] | null)[], multi: [] as boolean[], object: [] as boolean[], count: 0 };

/** matchClaim, reading each claim through readClaims. */
function matchClaimOnce(m: ClaimMatcher, claims: Record<string, unknown>): boolean {
  const seen = readClaims;
  let k = 0;
  // Stryker disable next-line ConditionalExpression: the name test forced true makes every lookup a miss that reads the claim afresh into a new entry: the same answers, speed only (the mark also hides the killed forms: `k < seen.count` forced true never ends, the whole test forced false answers from entry 0)
  while (k < seen.count && seen.names[k] !== m.claim) k++;
  // Stryker disable next-line ConditionalExpression: forced true, a claim found at k is read again into its own entry (the same values) and the count grows over entries no lookup reaches but by a name, whose entry is then read again too: the same answers, speed only (the mark also hides the killed `false`, which never reads a claim)
  if (k === seen.count) {
    const raw = Object.hasOwn(claims, m.claim) ? claims[m.claim] : undefined;
    const object = raw !== null && typeof raw === 'object' && !Array.isArray(raw);
    seen.names[k] = m.claim;
    seen.object[k] = object;
    // Stryker disable next-line ConditionalExpression: forced false, an object's values are claimValues' [] instead of null, never read: the object flag answers first (the mark also hides the killed `true`)
    seen.values[k] = object ? null : claimValues(raw);
    seen.multi[k] = Array.isArray(raw);
    seen.count++;
  }
  // as matchClaim: no operator holds on a claim whose value is an object
  return !seen.object[k]! && holdsOn(m, seen.values[k]!, seen.multi[k]!);
}

/**
 * Forgets the claims read (no reference to a request's values is kept past its resolution). Memory only: the next
 * resolution starts from `count = 0` and reads no entry it did not write, so no decision depends on this.
 */
// Stryker disable next-line BlockStatement: emptied, the entries stay until overwritten; every resolution starts from count 0 and reads only what it wrote: memory only
function forgetClaims(): void {
  const seen = readClaims;
  // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: fewer entries cleared (forced false, `>=`, an empty body) or one more (`<=`): memory only, as above (the mark also hides the forced true and `>=` at count 0, which never end)
  for (let k = 0; k < seen.count; k++) {
    // Stryker disable next-line StringLiteral: a name no entry below count holds once count is 0: memory only
    seen.names[k] = '';
    seen.values[k] = null;
  }
  seen.count = 0;
}

/** One claim condition on a claim's values (null: the claim is missing); `multi` when the claim is an array. */
function holdsOn(m: ClaimMatcher, values: string[] | null, multi: boolean): boolean {
  switch (m.op) {
    case 'EQUALS':
      return values !== null && values.includes(m.value);
    case 'NOT_EQUALS':
      return values === null || !values.includes(m.value);
    case 'EQUALS_IGNORE_CASE':
      return values !== null && values.some((v) => v.toLowerCase() === m.lower);
    case 'NOT_EQUALS_IGNORE_CASE':
      return values === null || !values.some((v) => v.toLowerCase() === m.lower);
    case 'IN':
      return values !== null && values.some((v) => m.values.includes(v));
    case 'CONTAINS':
      if (values === null) return false;
      return multi ? values.includes(m.value) : values.some((v) => v.includes(m.value));
    default:
      // Stryker disable next-line BooleanLiteral: unreachable: compileClaim answers UNKNOWN only for an operator or value the claim-rule schema (model/claim-rule.ts) refuses (checked by hand through parseSource: EQUALS `sales`, IN `"sales"`, an object value, BOGUS: each an invalid source), so every stored condition is one of the six
      return false;
  }
}

/**
 * Resolves the caller's identities in the resource's account (DESIGN "The decision", step 1).
 * INVARIANT: the subject was checked as resolveRequest checks it (authorize, authorizeMany, whatCan and resourceFilter
 * refuse a malformed one first, each pinned by a test): `service` is an object or absent, `claims` is absent or
 * `{realm: string, attributes: object}`.
 */
export function resolveIdentities(set: IdentitySet, account: AccountTable | undefined, subject: RequestSubject, now: number, fast = false): void {
  const mark = serial++;
  set.account = account;
  set.now = now;
  set.count = 0;
  set.principal = null;
  set.merged = null;
  set.service = subject.service;
  if (account === undefined) return;
  const authenticated = typeof subject.id === 'string' && subject.authenticated !== false;
  const actingFor = subject.accountId ?? account.id;
  const p = authenticated && actingFor === account.id ? account.principals.get(subject.id!) : undefined;
  if (p !== undefined && p.active) {
    set.principal = p;
    // the principal's own index and the groups it holds without claims are read through its gathered ranges; a
    // claimed group it also holds that way is already there
    if (fast) set.merged = p;
    else {
      push(set, p.index, Via.Principal, p);
      for (const g of p.staticGroups) pushGroup(set, g, Via.Static, g, mark);
      for (const d of p.dynamic) if (d.loginAt <= now && now < d.expiresAt) pushGroup(set, d.group, Via.Dynamic, d, mark);
    }
    const claims = subject.claims;
    if (claims !== undefined) {
      const rules = account.claimRules.get(claims.realm);
      if (rules !== undefined) {
        // from nothing, even if the last resolution threw before forgetting what it read
        readClaims.count = 0;
        for (const r of rules) {
          // a group already pushed (by another rule, or held without claims on the explaining path): pushGroup would skip it
          // Stryker disable next-line ConditionalExpression: forced false, the rule's conditions are read and pushGroup skips the group by its mark: speed only (the mark also hides the killed `true`, which skips every rule)
          if (r.group.mark === mark) continue;
          if (fast && holdsWithoutClaims(account, p, r.group, now)) continue;
          let ok = true;
          for (const c of r.conditions) {
            if (!matchClaimOnce(c, claims.attributes)) {
              ok = false;
              break;
            }
          }
          if (ok) pushGroup(set, r.group, Via.Claims, r, mark);
        }
        forgetClaims();
      }
    }
  }
  if (account.publicAccess && set.merged === null) pushGroup(set, account.publicGroup, Via.Public, account.publicGroup, mark);
  if (set.service !== undefined) push(set, account.serviceIndex, Via.Service, null);
}

function invalid(issues: Issue[]): Decision {
  return { allowed: false, reason: 'invalid-request', policies: [], issues };
}

/** How the caller holds identity `k` of the set (for an explanation); `realm` names the login's realm for claims. */
function identityPath(set: IdentitySet, k: number, realm: string): IdentityPath {
  const ref = set.refs[k];
  switch (set.via[k]) {
    case Via.Principal:
      return { kind: 'principal', id: (ref as PrincipalEntry).id };
    case Via.Static:
      return { kind: 'group', id: (ref as GroupEntry).id, via: 'static' };
    case Via.Dynamic: {
      const d = ref as DynamicEntry;
      return { kind: 'group', id: d.group.id, via: 'dynamic', realm: d.realm, expiresAt: d.expiresAtIso };
    }
    case Via.Claims: {
      const r = ref as ClaimRuleEntry;
      return { kind: 'group', id: r.group.id, via: 'claims', ruleId: r.ruleId, realm };
    }
    case Via.Public:
      return { kind: 'group', id: (ref as GroupEntry).id, via: 'public' };
    default: {
      const name = set.service?.['serviceName'];
      return { kind: 'service', serviceName: name === undefined ? '' : String(name) };
    }
  }
}

/** Scratch reused by every call: evaluation is synchronous and never re-entered. */
const scratch = {
  ctx: createContext(),
  set: createIdentitySet(),
};

/**
 * Told, once per allow decision, which compiled policies determined it (one entry per matching candidate, so a policy
 * reached through two roles appears twice). The Engine's usage figures come through here, never through module state.
 */
export type OnAllowed = (policies: readonly CompiledPolicy[]) => void;

/** Sorts a few ids by code unit and drops repeats (a policy reached by two roles or two keys counts once). */
function sortUnique(ids: string[]): string[] {
  for (let i = 1; i < ids.length; i++) {
    const x = ids[i]!;
    let j = i - 1;
    while (
      // Stryker disable next-line ConditionalExpression: `j >= 0` forced true is equivalent: index -1 reads undefined, which compares false, so the loop stops there alike (the mark also hides this line's killed `false` and whole-condition forms)
      j >= 0 &&
      // Stryker disable next-line EqualityOperator: `>=` is equivalent: equal strings are one policy, adjacent either way (the mark also hides the killed `<=`)
      ids[j]! > x
    ) {
      ids[j + 1] = ids[j]!;
      j--;
    }
    ids[j + 1] = x;
  }
  let n = 1;
  for (let i = 1; i < ids.length; i++) if (ids[i] !== ids[n - 1]) ids[n++] = ids[i]!;
  ids.length = n;
  return ids;
}

/**
 * The ids of the matching policies a decision collected, and their ranks: scratch reused by every call (evaluation is
 * synchronous and never re-entered), read back by rankedIds.
 */
const hits = { ids: [] as string[], ranks: [] as number[] };

/**
 * A ranked hit's sort key is `rank * KEY_SPAN + i` (i: its place among the hits): ranks stay below 2^28
 * (compile-source.ts), so with i below KEY_SPAN the key is an exact double, keys order as ranks do, and each key gives
 * back its hit.
 */
const KEY_SPAN = 2 ** 25;

/** byRank's keys: scratch grown on demand, as `hits`. */
let keys = new Float64Array(256);

/**
 * The first `n` collected ids sorted by rank without repeats, as a new array, when every one is ranked (tables compiled
 * together): an insertion sort of one array of numbers, where sorting the two parallel lists, comparing ids when a rank
 * is missing, cost a sixth of a Cloudflare caller's decision with 30-57 hits. Null when one is unranked.
 */
// Stryker disable next-line BlockStatement: with the body removed it answers undefined and rankedIds sorts the strings instead, which gives the same list (ranks order as the strings do): speed only
function byRank(n: number): string[] | null {
  const ranks = hits.ranks;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: no decision collects 2^25 hits; the test keeps the keys exact past it
  if (n >= KEY_SPAN) return null;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: forced true or `<=`, it only grows more often: speed only (the mark also hides the killed `false` and `>=`)
  if (keys.length < n) keys = new Float64Array(2 * n);
  // Stryker disable next-line EqualityOperator: `i <= n` reads one stale rank: 0 sends the decision to the string sort (the same list), anything else writes a key no later loop reads (the mark also hides the killed `>=`)
  for (let i = 0; i < n; i++) {
    const r = ranks[i]!;
    // Stryker disable next-line ConditionalExpression: forced true, every decision goes to the string sort, which gives the same list: speed only (the mark also hides the killed `false`, which keys unranked hits as rank 0)
    if (r === 0) return null;
    keys[i] = r * KEY_SPAN + i;
  }
  // the hits come in a few sorted runs (one per piece), and a native sort costs more on so few
  for (let i = 1; i < n; i++) {
    const x = keys[i]!;
    let j = i - 1;
    while (
      // Stryker disable next-line ConditionalExpression: as in sortUnique: index -1 reads undefined, which compares false
      j >= 0 &&
      // Stryker disable next-line EqualityOperator: `>=` is equivalent: the keys are distinct (each holds its hit's place)
      keys[j]! > x
    ) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = x;
  }
  // a policy has one rank, so its hits are adjacent once sorted: the first is kept, in place
  let k = 1;
  for (let i = 1; i < n; i++) {
    const key = keys[i]!;
    if (Math.floor(key / KEY_SPAN) !== Math.floor(keys[k - 1]! / KEY_SPAN)) keys[k++] = key;
  }
  // one array of the exact length: pushing would grow it, and allocate, several times
  const ids = hits.ids;
  // Stryker disable next-line ArrayDeclaration: `new Array()` filled at 0 to k - 1 is the same list
  const out = new Array<string>(k);
  for (let i = 0; i < k; i++) {
    const key = keys[i]!;
    // exact (KEY_SPAN is a power of two), and no floating-point remainder, which V8 computes out of line
    out[i] = ids[key - Math.floor(key / KEY_SPAN) * KEY_SPAN]!;
  }
  return out;
}

/**
 * The first `n` collected ids, sorted by code unit without repeats, as a new array: by rank when every one is ranked
 * (CompiledPolicy.rank orders them as their strings do), by string otherwise.
 */
function rankedIds(n: number): string[] {
  // some unranked (compiled by an update since): the strings are compared, as rare as updates are
  const out = byRank(n) ?? sortUnique(hits.ids.slice(0, n));
  // INVARIANT: the scratch holds no reference past the call, so a decision's ids are not kept alive by it
  const ids = hits.ids;
  // Stryker disable next-line BlockStatement,ConditionalExpression,EqualityOperator,StringLiteral: what the loop writes is never read (decide writes entries 0 to n - 1 before rankedIds reads them); it frees memory, no decision sees it ('true' loops forever)
  for (let i = 0; i < n; i++) ids[i] = '';
  return out;
}

/** Keeps the first explanation of each policy. */
function uniqueExplanations(list: Explanation[]): Explanation[] {
  const seen = new Set<string>();
  return list.filter((e) => {
    if (seen.has(e.policyId)) return false;
    seen.add(e.policyId);
    return true;
  });
}

/**
 * The pieces of candidate numbers a decision scans, denies `[d0, d1)` and allows `[d1, a1)` of `ids`, each of index
 * `ix` (whose records the numbers lead to) and reached through identity `owners` (for explanations). Scratch reused by
 * every call: evaluation is synchronous and never re-entered.
 */
const pieces = {
  ix: [] as IdentityIndex[],
  ids: [] as Int32Array[],
  d0: [] as number[],
  d1: [] as number[],
  a1: [] as number[],
  owners: [] as number[],
};

function piece(nb: number, ix: IdentityIndex, ids: Int32Array, d0: number, d1: number, a1: number, k: number): number {
  pieces.ix[nb] = ix;
  pieces.ids[nb] = ids;
  pieces.d0[nb] = d0;
  pieces.d1[nb] = d1;
  pieces.a1[nb] = a1;
  pieces.owners[nb] = k;
  return nb + 1;
}

/** Adds the piece of a prefilter's list that starts at `at` (see bucket-accel.ts), if there is one. */
function listPiece(nb: number, ix: IdentityIndex, acc: BucketAccel, at: number | undefined, k: number): number {
  if (at === undefined) return nb;
  const d = acc.data;
  const start = at + 2;
  return piece(nb, ix, d, start, start + d[at]!, start + d[at + 1]!, k);
}

/** Adds the pieces of one slot that can match the request: its whole range, or, through its prefilter, those under the request's keys. */
function collect(ix: IdentityIndex, slot: number, k: number, ctx: RequestContext, nb: number): number {
  const d = ix.data;
  const b = slot * SLOT;
  const start = d[b + 1]!;
  const end = d[b + 3]!;
  if (end - start < ACCEL_MIN) return piece(nb, ix, d, start, d[b + 2]!, end, k);
  let accs = ix.accel;
  if (accs === null) ix.accel = accs = [];
  let acc = accs[slot];
  if (acc === undefined) acc = accs[slot] = buildAccel(ix, slot, ctx.strings);
  if (acc === null) return piece(nb, ix, d, start, d[b + 2]!, end, k);
  nb = listPiece(nb, ix, acc, acc.rest, k);
  if (acc.kind === 'attr') {
    const v = ctx.values[acc.attr];
    if (v !== undefined) nb = listPiece(nb, ix, acc, acc.keyed.get(v), k);
  } else if (acc.kind === 'zone') {
    const zones = zoneIdsOf(ctx);
    for (let i = 0; i < zones.length; i++) nb = listPiece(nb, ix, acc, acc.keyed.get(zones[i]!), k);
  } else {
    // a candidate bound at node N can only match a resource with N above one of its projects or folders, or at the organization
    const org = accountNumOf(ctx);
    const ups = nodeUpsOf(ctx);
    nb = listPiece(nb, ix, acc, acc.keyed.get(org), k);
    nb = nodePieces(nb, ix, acc, ups.projects, org, k);
    nb = nodePieces(nb, ix, acc, ups.folders, org, k);
  }
  return nb;
}

/** Adds the pieces of a node prefilter under each of `nodes` but the organization (its list was added once already). */
function nodePieces(nb: number, ix: IdentityIndex, acc: BucketAccel & { kind: 'node' }, nodes: readonly number[], org: number, k: number): number {
  for (let i = 0; i < nodes.length; i++) if (nodes[i] !== org) nb = listPiece(nb, ix, acc, acc.keyed.get(nodes[i]!), k);
  return nb;
}

/** One gathered list reused by single decisions: evaluation is synchronous and never re-entered. */
const scratchGathered = createGathered();

/**
 * Whether candidate `c` of index `ix` (a deny or an allow, not errored) applies to the request: the inlined equality
 * and the program (flat-conditions.ts) compared as integers from the index's own array, then, only when the record
 * says so, what is left from its side table. The same answer as matchCandidate (match-policy.ts) on the candidate.
 */
function matchFlat(ix: IdentityIndex, c: number, ctx: RequestContext, principal: PrincipalEntry | null, service: Record<string, RequestScalar> | undefined): boolean {
  const d = ix.data;
  const r = ix.recBase + c * REC;
  const eqAttr = d[r + 2]!;
  if (eqAttr >= 0 && valueIdOf(ctx, eqAttr) !== d[r + 3]!) return false;
  const from = d[r + 4]!;
  const to = d[r + 5]!;
  // Stryker disable next-line ConditionalExpression: an empty program holds (runProgram's loop does not run), so `from !== to` forced true decides alike; the test only saves the call
  if (from !== to && !runProgram(d, from, to, ctx, principal)) return false;
  // Stryker disable next-line ConditionalExpression: without Tail every rest matcher is flat and the only slow part is the scopes, which matchLeft skips, so it holds: calling it always decides alike
  return (d[r]! & CandFlag.Tail) === 0 || matchLeft(ix.cands[c]!, ctx, principal, service);
}

/** Evaluates a resolved request against the ranges gathered for its identity set and action. */
function decide(
  tables: Tables,
  ctx: RequestContext,
  set: IdentitySet,
  gathered: Gathered,
  explain: boolean,
  realm: string | undefined,
  onAllowed: OnAllowed | undefined,
): Decision {
  let nb = 0;
  for (let i = 0; i < gathered.count; i++) nb = collect(gathered.ixs[i]!, gathered.slots[i]!, gathered.owners[i]!, ctx, nb);
  if (nb === 0) return { allowed: false, reason: 'no-match', policies: [] };
  const { ix: pIx, ids: pIds, d0, d1, a1, owners } = pieces;
  const sid = ctx.serviceId;
  // matching policies: their ids (from the index's id array, not the candidate objects) and ranks (from the records)
  const hitIds = hits.ids;
  const hitRanks = hits.ranks;
  let denies = 0;
  let errors: string[] | null = null;
  const explanation: Explanation[] | null = explain ? [] : null;
  const principal = set.principal;
  const service = set.service;
  // deny first: one matching deny decides, and allows need not be looked at
  for (let i = 0; i < nb; i++) {
    const ix = pIx[i]!;
    const ids = pIds[i]!;
    const d = ix.data;
    const recBase = ix.recBase;
    for (let j = d0[i]!, end = d1[i]!; j < end; j++) {
      const c = ids[j]!;
      const r = recBase + c * REC;
      // a role that grants the action only for another service does not make the policy a candidate, errored or not
      const svc = d[r + 1]!;
      if (svc !== NO_STRING && svc !== sid) continue;
      const flags = d[r]!;
      if ((flags & CandFlag.Error) !== 0) {
        (errors ??= []).push(ix.ids[c]!);
        hitIds[denies] = ix.ids[c]!;
        hitRanks[denies++] = flags >>> RANK_SHIFT;
      } else if (matchFlat(ix, c, ctx, principal, service)) {
        hitIds[denies] = ix.ids[c]!;
        hitRanks[denies++] = flags >>> RANK_SHIFT;
        if (explanation !== null) explanation.push(explainOne(tables, ctx.action, set, owners[i]!, ix.cands[c]!, realm));
      }
    }
  }
  if (denies !== 0) {
    // errored allows are listed too: they were candidates, whatever decided
    for (let i = 0; i < nb; i++) {
      const ix = pIx[i]!;
      const ids = pIds[i]!;
      const d = ix.data;
      for (let j = d1[i]!, end = a1[i]!; j < end; j++) {
        const c = ids[j]!;
        const r = ix.recBase + c * REC;
        const svc = d[r + 1]!;
        if ((d[r]! & CandFlag.Error) !== 0 && (svc === NO_STRING || svc === sid)) (errors ??= []).push(ix.ids[c]!);
      }
    }
    const dec: Decision = { allowed: false, reason: 'explicit-deny', policies: rankedIds(denies) };
    if (errors !== null) dec.errors = sortUnique(errors);
    if (explanation !== null) dec.explanation = uniqueExplanations(explanation);
    return dec;
  }
  let allows = 0;
  // built only for a caller that asked: a decision without usage figures allocates nothing for them
  let allowed: CompiledPolicy[] | null = null;
  for (let i = 0; i < nb; i++) {
    const ix = pIx[i]!;
    const ids = pIds[i]!;
    const d = ix.data;
    const recBase = ix.recBase;
    for (let j = d1[i]!, end = a1[i]!; j < end; j++) {
      const c = ids[j]!;
      const r = recBase + c * REC;
      const svc = d[r + 1]!;
      if (svc !== NO_STRING && svc !== sid) continue;
      const flags = d[r]!;
      if ((flags & CandFlag.Error) !== 0) (errors ??= []).push(ix.ids[c]!);
      else if (matchFlat(ix, c, ctx, principal, service)) {
        hitIds[allows] = ix.ids[c]!;
        hitRanks[allows++] = flags >>> RANK_SHIFT;
        if (onAllowed !== undefined) (allowed ??= []).push(ix.cands[c]!.policy);
        if (explanation !== null) explanation.push(explainOne(tables, ctx.action, set, owners[i]!, ix.cands[c]!, realm));
      }
    }
  }
  let dec: Decision;
  if (allows !== 0) dec = { allowed: true, reason: 'allow', policies: rankedIds(allows) };
  else dec = { allowed: false, reason: 'no-match', policies: [] };
  if (errors !== null) dec.errors = sortUnique(errors);
  if (explanation !== null) dec.explanation = uniqueExplanations(explanation);
  if (allowed !== null) onAllowed!(allowed);
  return dec;
}

/** The first pattern of a candidate's role, on its service, that matches the action: recovered only to explain. */
function patternOf(tables: Tables, c: Candidate, action: string): string {
  for (const [pattern, service] of tables.catalog.grants.get(c.role.id) ?? []) {
    if (service !== c.service) continue;
    if (pattern === action || (pattern.endsWith('*') && action.length >= pattern.length && action.startsWith(pattern.slice(0, -1)))) return pattern;
  }
  return action;
}

/** One explanation entry: the identity, role and pattern that let a determining candidate in. */
function explainOne(tables: Tables, action: string, set: IdentitySet, k: number, c: Candidate, realm: string | undefined): Explanation {
  const identity = identityPath(set, k, realm ?? '');
  return {
    policyId: c.policy.id,
    effect: c.policy.deny ? 'deny' : 'allow',
    source: c.policy.source,
    identity,
    roleId: c.role.id,
    actionPattern: patternOf(tables, c, action),
  };
}

/**
 * Decides one request over compiled tables. Pure and synchronous; never throws: a malformed request or an
 * internal error answers deny with reason `invalid-request`.
 */
export function authorize(tables: Tables, request: AuthorizeRequest, options?: AuthorizeOptions): Decision {
  return decideOne(tables, request, options, undefined);
}

/** authorize, telling `onAllowed` which policies determined an allow (the Engine's usage figures). */
export function decideOne(tables: Tables, request: AuthorizeRequest, options: AuthorizeOptions | undefined, onAllowed: OnAllowed | undefined): Decision {
  try {
    const ctx = scratch.ctx;
    const issues = resolveRequest(tables, request, options, ctx);
    if (issues.length > 0) return invalid(issues);
    const gate = accountGate(ctx.account, request.subject, ctx.service, tables.services);
    if (gate !== null) return gate;
    const set = scratch.set;
    const explain = options?.explain === true;
    // an explanation names the identity of each policy, so it resolves every identity one by one
    resolveIdentities(set, ctx.account, request.subject, ctx.now, !explain);
    return decide(tables, ctx, set, gather(tables, ctx.action, set, scratchGathered), explain, request.subject.claims?.realm, onAllowed);
  } catch (e) {
    return invalid([{ path: [], message: `internal error: ${e instanceof Error ? e.message : String(e)}` }]);
  }
}

/**
 * Decides many requests of one subject, resolving its identities once per (account, time) instead of once per request.
 * An item is a request without its subject: one that carries a `subject` (or any other key a request does not define)
 * is decided invalid-request.
 */
export function authorizeMany(
  tables: Tables,
  subject: RequestSubject,
  requests: readonly Omit<AuthorizeRequest, 'subject'>[],
  options?: AuthorizeOptions,
): Decision[] {
  return decideMany(tables, subject, requests, options, undefined);
}

/** authorizeMany, telling `onAllowed` which policies determined each allow (the Engine's usage figures). */
export function decideMany(
  tables: Tables,
  subject: RequestSubject,
  requests: readonly Omit<AuthorizeRequest, 'subject'>[],
  options: AuthorizeOptions | undefined,
  onAllowed: OnAllowed | undefined,
): Decision[] {
  if (!Array.isArray(requests)) throw new ValidationError('invalid_request', [{ path: ['requests'], message: 'must be an array of requests' }]);
  // Stryker disable next-line ArrayDeclaration: `new Array()` grows to the same list (every index below is written once): speed only
  const out: Decision[] = new Array(requests.length);
  // per account: the subject's identities, resolved once, and the ranges they hold per action, gathered once
  const sets = new Map<AccountTable | undefined, { set: IdentitySet; gathered: Map<string, Gathered> }>();
  const explain = options?.explain === true;
  // a batch's own context: an item's value equal to the last item's keeps its interned id, and the same account and
  // service are not looked up again (RequestContext.batch)
  // Stryker disable next-line BooleanLiteral: `false`, the batch's context looks the account, service and service id up again for every item and finds the same: speed only
  const ctx = createContext(true);
  // the last item's identities and gathered ranges, for an item of the same account, time and action (the common
  // batch: one action over many resources of one account) without the two map lookups
  let lastSet: IdentitySet | null = null;
  let lastGathered: Gathered | null = null;
  // Stryker disable next-line StringLiteral: read only once lastSet is set, which sets it
  let lastAction = '';
  // one request object reused for every item: only its action, resource and environment change. The environment slot
  // is always there (undefined when the item has none): deleting it would turn the object into a slow dictionary
  // Stryker disable next-line ObjectLiteral,StringLiteral: a batch's request is read only after its action, resource and environment are written, and its subject never (resolveRequest takes the batch's checks, decide the batch's subject): `{}` or another first action decides alike, speed only (the object's shape)
  const req: AuthorizeRequest = { subject, action: '', resource: {}, environment: undefined };
  // the subject and the options are the same for every item: checked once
  const checked = batchChecks(subject, options);
  for (let i = 0; i < requests.length; i++) {
    try {
      const item = requests[i]!;
      if (subject === null || typeof subject !== 'object' || item === null || typeof item !== 'object') {
        out[i] = invalid([{ path: subject === null || typeof subject !== 'object' ? ['subject'] : [i], message: 'must be an object' }]);
        continue;
      }
      // an item means what it says: a key of its own `subject` (the batch's is decided) or a misspelt one is refused
      const unknown = itemKeyIssues(item);
      if (unknown !== null) {
        out[i] = invalid(unknown);
        continue;
      }
      req.action = item.action;
      req.resource = item.resource;
      req.environment = item.environment;
      const issues = resolveRequest(tables, req, options, ctx, checked);
      if (issues.length > 0) {
        out[i] = invalid(issues);
        continue;
      }
      const gate = accountGate(ctx.account, subject, ctx.service, tables.services);
      if (gate !== null) {
        out[i] = gate;
        continue;
      }
      // Stryker disable next-line ConditionalExpression: forced true (an operand or the whole), the lookups below find the same entry and ranges again: speed only (the mark also hides the forms forced false, which the batch property in test/perfreq-batch.test.ts and test/properties.test.ts kills)
      if (lastSet === null || lastSet.account !== ctx.account || lastSet.now !== ctx.now || lastAction !== ctx.action) {
        let entry = sets.get(ctx.account);
        // Stryker disable next-line ConditionalExpression: forced true, the identities are resolved again and are the same: speed only (the mark also hides the killed forms that force the time test or the whole false: test/perfreq-batch.test.ts, another time of the same account)
        if (entry === undefined || entry.set.now !== ctx.now) {
          const set = createIdentitySet();
          resolveIdentities(set, ctx.account, subject, ctx.now, !explain);
          sets.set(ctx.account, (entry = { set, gathered: new Map() }));
        }
        let gathered = entry.gathered.get(ctx.action);
        // Stryker disable next-line ConditionalExpression: forced true, the ranges are gathered again and are the same: speed only (the mark also hides the killed `false`, which reads no ranges)
        if (gathered === undefined) entry.gathered.set(ctx.action, (gathered = gather(tables, ctx.action, entry.set, createGathered())));
        lastSet = entry.set;
        lastGathered = gathered;
        lastAction = ctx.action;
      }
      out[i] = decide(tables, ctx, lastSet, lastGathered!, explain, subject.claims?.realm, onAllowed);
    } catch (e) {
      out[i] = invalid([{ path: [], message: `internal error: ${e instanceof Error ? e.message : String(e)}` }]);
    }
  }
  return out;
}
