import type { Tables } from '../compile/tables.js';
import { authorizeMany, createIdentitySet, resolveIdentities } from '../evaluate/authorize.js';
import type { RequestResource, RequestSubject } from '../evaluate/types.js';
import { checkNow, exactIdsOf, resolveTarget, type AnalyzeOptions } from './action-candidates.js';

/** One action and the policies that determine its decision (IBM's `format=display` view). */
export interface ActionGrant {
  action: string;
  policies: string[];
}

/** A pattern grant: every action starting with the pattern's prefix that is not listed by name decides this way. */
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
  /** Allowed patterns (`cos.*`) for actions no role names exactly. */
  patterns: PatternGrant[];
}

/** A character no action contains: a stand-in for "some action under this prefix that no role names". */
const UNNAMED = '\u0000';

/**
 * The actions `subject` may perform on `resource` at `options.now`. The actions tried are only those the subject's
 * identity indexes hold (exact actions, and the actions any role names under its patterns); each is then decided by `authorize`
 * itself, so the answer cannot drift from it. Throws `invalid_request` / `invalid_options`.
 */
export function whatCan(tables: Tables, subject: RequestSubject, resource: RequestResource, options: AnalyzeOptions): WhatCanResult {
  const now = checkNow(options);
  const ctx = resolveTarget(tables, UNNAMED, resource, now);
  const out: WhatCanResult = { accountId: ctx.accountId, actions: [], denied: [], patterns: [] };
  const set = createIdentitySet();
  resolveIdentities(set, ctx.account, subject, now);
  const exactIds = new Set<number>();
  const prefixIds = new Set<number>();
  for (let k = 0; k < set.count; k++) {
    const index = set.indexes[k]!;
    for (const id of exactIdsOf(index)) exactIds.add(id);
    for (const id of index.patterns.keys()) prefixIds.add(id);
  }
  if (exactIds.size === 0 && prefixIds.size === 0) return out;
  const names = new Set<string>();
  const prefixes: string[] = [];
  for (const [p, id] of tables.actions.prefixes) if (prefixIds.has(id)) prefixes.push(p);
  const under = (name: string) => prefixes.some((p) => name.length > p.length && name.startsWith(p));
  for (const [name, id] of tables.actions.actions) if (exactIds.has(id) || under(name)) names.add(name);
  // actions a role names but no indexed policy uses are still worth naming when one of the subject's patterns covers them
  if (prefixes.length > 0) for (const grants of tables.catalog.grants.values()) for (const [name] of grants) if (!name.endsWith('*') && under(name)) names.add(name);
  const actions = [...names].sort(cmp);
  prefixes.sort(cmp);
  const items = [...actions, ...prefixes.map((p) => p + UNNAMED)].map((action) => ({ action, resource }));
  const decisions = authorizeMany(tables, subject, items, { now });
  actions.forEach((action, i) => {
    const d = decisions[i]!;
    if (d.allowed) out.actions.push({ action, policies: d.policies });
    else if (d.reason === 'explicit-deny') out.denied.push({ action, policies: d.policies });
  });
  prefixes.forEach((p, i) => {
    const d = decisions[actions.length + i]!;
    if (d.allowed) out.patterns.push({ pattern: `${p}*`, policies: d.policies });
  });
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
