import { patternIdsOf } from '../compile/identity-index.js';
import type { Bucket, Tables } from '../compile/tables.js';
import { accountGate } from '../evaluate/account-gates.js';
import { createIdentitySet, resolveIdentities } from '../evaluate/authorize.js';
import { matchCandidate } from '../evaluate/match-policy.js';
import type { RequestResource, RequestSubject } from '../evaluate/types.js';
import { bucketsFor, checkNow, exactIdsOf, resolveTarget, sortedIds, type AnalyzeOptions } from './action-candidates.js';

/** One action and the policies that determine its decision (IBM's `format=display` view). */
export interface ActionGrant {
  action: string;
  policies: string[];
}

/** A pattern grant. An action not listed by name is allowed exactly when the longest of the subject's patterns covering it is listed. */
export interface PatternGrant {
  pattern: string;
  policies: string[];
}

/** What one subject may do on one resource at one instant. */
export interface WhatCanResult {
  accountId: string;
  /** Allowed actions, by name, sorted. */
  actions: ActionGrant[];
  /** Actions some policy grants but a matching deny refuses, with the denies. */
  denied: ActionGrant[];
  /** Allowed patterns (`cos.*`): the actions under them that no role names for the resource's service. */
  patterns: PatternGrant[];
}

/** A character no action contains: a stand-in for "some action under this prefix that no role names". */
const UNNAMED = '\u0000';

type Outcome = { allowed: boolean; denied: boolean; policies: string[] };

/**
 * The actions `subject` may perform on `resource` at `options.now`. The actions tried are only those the subject's
 * identity indexes hold (exact actions, and under its patterns the actions a role names for the resource's service). Actions that reach the
 * same buckets decide alike (matching never reads the action), so each distinct set of buckets is decided once, the
 * way `authorize` decides: an errored or matching deny refuses, else a matching allow grants.
 * Throws `invalid_request` / `invalid_options`.
 */
export function whatCan(tables: Tables, subject: RequestSubject, resource: RequestResource, options: AnalyzeOptions): WhatCanResult {
  const now = checkNow(options);
  const ctx = resolveTarget(tables, UNNAMED, resource, now, subject);
  const out: WhatCanResult = { accountId: ctx.accountId, actions: [], denied: [], patterns: [] };
  if (accountGate(ctx.account, subject, ctx.service, tables.services) !== null) return out;
  const set = createIdentitySet();
  resolveIdentities(set, ctx.account, subject, now);
  const exactIds = new Set<number>();
  const prefixIds = new Set<number>();
  for (let k = 0; k < set.count; k++) {
    const index = set.indexes[k]!;
    for (const id of exactIdsOf(index)) exactIds.add(id);
    for (const id of patternIdsOf(index)) prefixIds.add(id);
  }
  if (exactIds.size === 0 && prefixIds.size === 0) return out;
  const names = new Set<string>();
  const prefixes: string[] = [];
  for (const [p, id] of tables.actions.prefixes) if (prefixIds.has(id)) prefixes.push(p);
  const under = (name: string) => prefixes.some((p) => name.length > p.length && name.startsWith(p));
  for (const [name, id] of tables.actions.actions) if (exactIds.has(id)) names.add(name);
  // under a pattern, name the actions some role names for the resource's service; any other action under it decides as
  // the pattern row of the longest of the subject's patterns that covers it (it reaches the same buckets)
  if (prefixes.length > 0) {
    for (const grants of tables.catalog.grants.values()) {
      for (const [name, service] of grants) {
        if ((service === null || service === ctx.serviceName) && !name.endsWith('*') && under(name)) names.add(name);
      }
    }
  }

  const bucketIds = new Map<Bucket, number>();
  const outcomes = new Map<string, Outcome>();
  const decideAction = (action: string): Outcome => {
    const buckets: Bucket[] = [];
    for (let k = 0; k < set.count; k++) buckets.push(...bucketsFor(tables, set.indexes[k]!, action));
    const key = buckets.map((b) => bucketIds.get(b) ?? (bucketIds.set(b, bucketIds.size), bucketIds.size - 1)).join(',');
    let o = outcomes.get(key);
    if (o === undefined) {
      o = decideBuckets(buckets);
      outcomes.set(key, o);
    }
    return o;
  };
  const decideBuckets = (buckets: readonly Bucket[]): Outcome => {
    const denies: string[] = [];
    for (const b of buckets) for (const c of b.deny) if (c.policy.error !== null || matchCandidate(c, ctx, set.principal, set.service)) denies.push(c.policy.id);
    if (denies.length > 0) return { allowed: false, denied: true, policies: sortedIds(denies) };
    const allows: string[] = [];
    for (const b of buckets) for (const c of b.allow) if (c.policy.error === null && matchCandidate(c, ctx, set.principal, set.service)) allows.push(c.policy.id);
    return { allowed: allows.length > 0, denied: false, policies: sortedIds(allows) };
  };
  for (const action of [...names].sort(cmp)) {
    const o = decideAction(action);
    if (o.allowed) out.actions.push({ action, policies: o.policies });
    else if (o.denied) out.denied.push({ action, policies: o.policies });
  }
  for (const p of prefixes.sort(cmp)) {
    const o = decideAction(p + UNNAMED);
    if (o.allowed) out.patterns.push({ pattern: `${p}*`, policies: o.policies });
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
