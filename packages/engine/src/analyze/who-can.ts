import type { GroupEntry, Tables } from '../compile/tables.js';
import { accountGate } from '../evaluate/account-gates.js';
import type { RequestResource } from '../evaluate/types.js';
import { bucketsFor, checkNow, federatedHolds, resolveTarget, sortedIds, verdictOf, type AnalyzeOptions, type IdentityVerdict } from './action-candidates.js';

/** How an allowed principal holds one granting policy. */
export type GrantPath =
  | { policyId: string; via: 'principal' }
  | { policyId: string; via: 'static' | 'public'; groupId: string }
  | { policyId: string; via: 'dynamic'; groupId: string; expiresAt: string };

/** A principal that may perform the action on the resource, with every allow that matches (as `decision.policies`). */
export interface AllowedPrincipal {
  id: string;
  kind: 'user' | 'service' | 'agent';
  policies: string[];
  paths: GrantPath[];
  /** An enabled SSO connector gates the principal's email domain: allowed only when signed in through SSO. */
  ssoRequired: boolean;
}

/** A principal some policy would allow but a matching deny refuses. */
export interface DeniedPrincipal {
  id: string;
  /** The matching denies (an errored deny counts, as in `authorize`). */
  denies: string[];
  /** The allows the denies override. */
  overridden: string[];
}

/** A group whose own policies allow, and that no deny of its own or of Public Access refuses. */
export interface AllowedGroup {
  id: string;
  policies: string[];
  /** BlueXP identity-provider group: its bindings count only for active users holding a direct binding. */
  federated: boolean;
}

/** A claim rule whose future members are allowed: who they are is known only at login. */
export interface MembersByRule {
  groupId: string;
  ruleId: string;
  realm: string;
  policies: string[];
}

/** A calling service (authorization policy subject) that is allowed, described by the attributes it must carry. */
export interface AllowedService {
  attributes: Record<string, string>;
  policies: string[];
}

/** Why nobody at all may act: the account's own options switch the decision off before any policy (SEMANTICS §0.1). */
export type AccountGateReason = 'saas-disabled' | 'third-party-disabled';

/** Who may perform one action on one resource at one instant. */
export interface WhoCanResult {
  accountId: string;
  action: string;
  /** Set when an account option refuses every caller; every list is then empty. */
  gate: AccountGateReason | null;
  /** Every caller, even unauthenticated, through the Public Access group. */
  anonymous: { allowed: boolean; policies: string[]; denies: string[] };
  principals: AllowedPrincipal[];
  groups: AllowedGroup[];
  membersByRule: MembersByRule[];
  denied: DeniedPrincipal[];
  services: AllowedService[];
}

const EMPTY: IdentityVerdict = { denies: new Set(), allows: new Set(), federatedAllows: new Set() };

/**
 * Who may perform `action` on `resource` at `options.now`: read from the per-identity indexes of the resource's account
 * (one bucket lookup per identity), never by trying requests. A principal allowed through a group but denied through
 * any of its identities is listed under `denied`, not `principals`. Throws `invalid_request` / `invalid_options`.
 */
export function whoCan(tables: Tables, action: string, resource: RequestResource, options: AnalyzeOptions): WhoCanResult {
  const now = checkNow(options);
  const ctx = resolveTarget(tables, action, resource, now);
  const out: WhoCanResult = {
    accountId: ctx.accountId,
    action,
    gate: null,
    anonymous: { allowed: false, policies: [], denies: [] },
    principals: [],
    groups: [],
    membersByRule: [],
    denied: [],
    services: [],
  };
  const a = ctx.account;
  if (a === undefined) return out;
  if (accountGate(a, {}, ctx.service, tables.services) !== null) {
    out.gate = a.saasEnabled === false ? 'saas-disabled' : 'third-party-disabled';
    return out;
  }
  const publicV = a.publicAccess ? verdictOf(bucketsFor(tables, a.publicGroup.index, action), ctx, null, undefined) : EMPTY;
  out.anonymous = {
    allowed: publicV.denies.size === 0 && publicV.allows.size > 0,
    policies: publicV.denies.size === 0 ? sortedIds(publicV.allows) : [],
    denies: sortedIds(publicV.denies),
  };
  const groupV = new Map<GroupEntry, IdentityVerdict>();
  for (const g of a.groups.values()) {
    const buckets = bucketsFor(tables, g.index, action);
    if (buckets.length > 0) groupV.set(g, verdictOf(buckets, ctx, null, undefined));
  }
  for (const [g, v] of groupV) {
    const allows = [...v.allows, ...v.federatedAllows];
    if (allows.length === 0 || v.denies.size > 0 || publicV.denies.size > 0) continue;
    out.groups.push({ id: g.id, policies: sortedIds(allows), federated: g.federated });
  }
  out.groups.sort((x, y) => cmp(x.id, y.id));
  for (const [realm, rules] of a.claimRules) {
    for (const r of rules) {
      const v = groupV.get(r.group);
      if (v === undefined || v.allows.size === 0 || v.denies.size > 0 || publicV.denies.size > 0) continue;
      out.membersByRule.push({ groupId: r.group.id, ruleId: r.ruleId, realm, policies: sortedIds(v.allows) });
    }
  }
  out.membersByRule.sort((x, y) => cmp(x.groupId, y.groupId) || cmp(x.ruleId, y.ruleId));
  for (const p of a.principals.values()) {
    if (!p.active) continue;
    const own = bucketsFor(tables, p.index, action);
    const ownV = own.length > 0 ? verdictOf(own, ctx, p, undefined) : EMPTY;
    const denies = new Set(ownV.denies);
    const paths: GrantPath[] = [];
    for (const id of ownV.allows) paths.push({ policyId: id, via: 'principal' });
    const seen = new Set<GroupEntry>();
    const addGroup = (g: GroupEntry, path: (id: string) => GrantPath) => {
      if (seen.has(g)) return;
      seen.add(g);
      const v = groupV.get(g);
      if (v === undefined) return;
      for (const d of v.denies) denies.add(d);
      for (const id of v.allows) paths.push(path(id));
      if (v.federatedAllows.size > 0 && federatedHolds(p, now)) for (const id of v.federatedAllows) paths.push(path(id));
    };
    for (const g of p.staticGroups) addGroup(g, (id) => ({ policyId: id, via: 'static', groupId: g.id }));
    for (const d of p.dynamic) {
      if (d.loginAt <= now && now < d.expiresAt) addGroup(d.group, (id) => ({ policyId: id, via: 'dynamic', groupId: d.group.id, expiresAt: d.expiresAtIso }));
    }
    for (const d of publicV.denies) denies.add(d);
    for (const id of publicV.allows) paths.push({ policyId: id, via: 'public', groupId: a.publicGroup.id });
    if (paths.length === 0 && denies.size === 0) continue;
    const allows = sortedIds(paths.map((x) => x.policyId));
    if (denies.size > 0) {
      if (allows.length > 0) out.denied.push({ id: p.id, denies: sortedIds(denies), overridden: allows });
    } else {
      const ssoRequired = a.sso !== null && accountGate(a, { id: p.id }, ctx.service, tables.services)?.reason === 'sso-required';
      out.principals.push({ id: p.id, kind: p.kind, policies: allows, paths: firstPaths(paths), ssoRequired });
    }
  }
  out.principals.sort((x, y) => cmp(x.id, y.id));
  out.denied.sort((x, y) => cmp(x.id, y.id));
  out.services = servicesAllowed(tables, action, ctx, publicV);
  return out;
}

function servicesAllowed(tables: Tables, action: string, ctx: Parameters<typeof verdictOf>[1], publicV: IdentityVerdict): AllowedService[] {
  const a = ctx.account!;
  const buckets = bucketsFor(tables, a.serviceIndex, action);
  if (buckets.length === 0 || publicV.denies.size > 0) return [];
  // each authorization policy's own subject attributes describe one calling service; denies whose subject those attributes satisfy refuse it
  const subjects = new Map<string, Record<string, string>>();
  for (const b of buckets) {
    for (const c of b.allow) {
      if (c.policy.serviceSubject === null) continue;
      const attrs = Object.fromEntries(c.policy.serviceSubject) as Record<string, string>;
      subjects.set(JSON.stringify(Object.entries(attrs).sort()), attrs);
    }
  }
  const out: AllowedService[] = [];
  for (const attrs of subjects.values()) {
    const v = verdictOf(buckets, ctx, null, attrs);
    if (v.denies.size > 0 || v.allows.size === 0) continue;
    out.push({ attributes: attrs, policies: sortedIds([...v.allows, ...publicV.allows]) });
  }
  return out.sort((x, y) => cmp(JSON.stringify(x.attributes), JSON.stringify(y.attributes)));
}

/** One path per policy: the first found, in the order principal, static, dynamic, public (as explanations name them). */
function firstPaths(paths: GrantPath[]): GrantPath[] {
  const seen = new Set<string>();
  const out: GrantPath[] = [];
  for (const p of paths) {
    if (seen.has(p.policyId)) continue;
    seen.add(p.policyId);
    out.push(p);
  }
  return out.sort((x, y) => cmp(x.policyId, y.policyId));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

