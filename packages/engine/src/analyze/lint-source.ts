import { createAttributeNames } from '../compile/attribute-names.js';
import { buildRoleCatalog } from '../compile/role-catalog.js';
import { createCompileCache } from '../compile/compile-cache.js';
import { compileBinding, compilePolicy } from '../compile/compile-policy.js';
import { resolveResourceGroups } from '../compile/account-scopes.js';
import type { CompiledPolicy, RuleNode } from '../compile/tables.js';
import { PUBLIC_ACCESS_GROUP_ID, type Source } from '../model/source.js';

/** The stable codes of lint findings. */
export type FindingCode =
  | 'shadowed_by_deny'
  | 'duplicate_policy'
  | 'subsumed_policy'
  | 'empty_subject_group'
  | 'expired_binding'
  | 'expired_membership'
  | 'expired_policy_rule'
  | 'role_grants_nothing'
  | 'unknown_role'
  | 'uncompilable_policy';

/** One finding: what is wrong, on which stored item, and the items it relates to. */
export interface Finding {
  code: FindingCode;
  kind: 'policy' | 'binding' | 'role' | 'membership';
  /** The policy, binding or role id; for a membership `principalId/groupId`. */
  id: string;
  /** The account of the item; absent for a global role. */
  accountId?: string;
  /** Other ids involved: the shadowing deny, the duplicate, the subsuming policy, the policies using a role. */
  related: string[];
  message: string;
}

/** Options of lint: with `now` (epoch ms), expired bindings, memberships and rules are reported too. */
export interface LintOptions {
  now?: number;
}

/** A policy or binding reduced to what comparing two of them needs. */
interface Unit {
  id: string;
  kind: 'policy' | 'binding';
  accountId: string;
  subjectKey: string;
  subject: { kind: string; id?: string };
  deny: boolean;
  /** `pattern|service|admin|scopeType` for every action the roles grant. */
  grants: string[];
  roles: string[];
  conditions: Set<string>;
  scopes: string | null;
  nodes: Set<string> | null;
  rule: string | null;
  expiresAt: number;
  compiled: CompiledPolicy;
}

/**
 * Findings over a source, each with a stable code: policies a deny shadows, duplicate and subsumed policies, policies on
 * a group nobody can join, expired bindings, memberships and rules still stored (with `now`), roles that grant nothing.
 * Conservative: a finding is reported only when it holds for every request (a subsumed policy never decides alone).
 */
export function lint(source: Source, options: LintOptions = {}): Finding[] {
  const now = options.now;
  const out: Finding[] = [];
  const catalog = buildRoleCatalog(source);
  const resourceGroups = resolveResourceGroups(source);
  const names = createAttributeNames();
  const cache = createCompileCache();
  const units: Unit[] = [];
  const roleUsers = new Map<string, string[]>();
  const use = (roleId: string, id: string) => {
    const list = roleUsers.get(roleId);
    if (list === undefined) roleUsers.set(roleId, [id]);
    else list.push(id);
  };
  const roleGrants = new Map<string, string[]>();
  const grantsOfRole = (r: string): string[] => {
    let list = roleGrants.get(r);
    if (list === undefined) {
      const role = catalog.roles.get(r);
      const tail = role === undefined ? '' : `|${role.admin ?? ''}|${role.kind === 'permission-group' ? (role.scopeType ?? '') : ''}`;
      list = role === undefined ? [] : [...new Set((catalog.grants.get(r) ?? []).map(([pattern, service]) => `${pattern}|${service ?? ''}${tail}`))].sort();
      roleGrants.set(r, list);
    }
    return list;
  };
  const combined = new Map<string, string[]>();
  const grantsOf = (roleIds: readonly string[]) => {
    if (roleIds.length === 1) return grantsOfRole(roleIds[0]!);
    const key = [...roleIds].sort().join('\u0000');
    let list = combined.get(key);
    if (list === undefined) combined.set(key, (list = [...new Set(roleIds.flatMap(grantsOfRole))].sort()));
    return list;
  };
  for (const p of source.policies) {
    if (p.state === 'deleted') continue;
    const cp = compilePolicy(p, resourceGroups, names, cache);
    for (const r of p.roles) use(r, p.id);
    for (const r of p.roles) {
      if (!catalog.roles.has(r)) out.push(finding('unknown_role', 'policy', p.id, p.accountId, [r], `policy \`${p.id}\`: role \`${r}\` is not defined`));
    }
    if (cp.error !== null) {
      out.push(finding('uncompilable_policy', 'policy', p.id, p.accountId, [], `policy \`${p.id}\`: cannot be evaluated: ${cp.error}`));
      continue;
    }
    const res = p.resource;
    const conditions = new Set<string>([
      ...(res.attributes ?? []).map((c) => `a:${JSON.stringify([c.name, c.operator, Array.isArray(c.value) ? c.value.map(String).sort() : String(c.value)])}`),
      ...(res.tags ?? []).map((t) => `t:${JSON.stringify([t.name, t.operator, t.value])}`),
    ]);
    units.push({
      id: p.id,
      kind: 'policy',
      accountId: p.accountId,
      subjectKey: p.subject.kind === 'service' ? `service:${JSON.stringify(Object.entries(p.subject.attributes).sort())}` : `${p.subject.kind}:${p.subject.id}`,
      subject: p.subject,
      deny: p.effect === 'deny',
      grants: grantsOf(p.roles),
      roles: [...p.roles].sort(),
      conditions,
      scopes: res.resourceGroups === undefined ? null : JSON.stringify([...new Set(res.resourceGroups)].sort()),
      nodes: res.nodes === undefined ? null : new Set(res.nodes),
      rule: p.rule === undefined ? null : JSON.stringify(p.rule),
      expiresAt: Infinity,
      compiled: cp,
    });
  }
  for (const b of source.bindings) {
    use(b.roleId, b.id);
    if (!catalog.roles.has(b.roleId)) out.push(finding('unknown_role', 'binding', b.id, b.accountId, [b.roleId], `binding \`${b.id}\`: role \`${b.roleId}\` is not defined`));
    const federated = b.subject.kind === 'group' && source.groups.some((g) => g.accountId === b.accountId && g.id === b.subject.id && g.federated);
    const cp = compileBinding(b, federated);
    if (cp.error !== null) {
      out.push(finding('uncompilable_policy', 'binding', b.id, b.accountId, [], `binding \`${b.id}\`: cannot be evaluated: ${cp.error}`));
      continue;
    }
    if (now !== undefined && now >= cp.expiresAt)
      out.push(finding('expired_binding', 'binding', b.id, b.accountId, [], `binding \`${b.id}\`: expired at \`${b.expiresAt ?? ''}\``));
    units.push({
      id: b.id,
      kind: 'binding',
      accountId: b.accountId,
      // a binding on an identity-provider group reaches fewer callers than a policy on that group: never compared with one
      subjectKey: `${b.subject.kind}:${b.subject.id}${federated ? '#federated' : ''}`,
      subject: b.subject,
      deny: false,
      grants: grantsOf([b.roleId]),
      roles: [b.roleId],
      conditions: new Set(),
      scopes: null,
      nodes: new Set([b.nodeId]),
      rule: null,
      expiresAt: cp.expiresAt,
      compiled: cp,
    });
  }
  for (const role of source.roles) {
    if ((catalog.grants.get(role.id) ?? []).length === 0)
      out.push(finding('role_grants_nothing', 'role', role.id, role.accountId, [...new Set(roleUsers.get(role.id) ?? [])].sort(), `role \`${role.id}\`: grants no action on any service`));
  }
  lintGroups(source, units, now, out);
  if (now !== undefined) {
    for (const m of source.memberships) {
      if (now >= Date.parse(m.expiresAt))
        out.push(finding('expired_membership', 'membership', `${m.principalId}/${m.groupId}`, m.accountId, [m.groupId], `membership of \`${m.principalId}\` in \`${m.groupId}\`: expired at \`${m.expiresAt}\``));
    }
    for (const u of units) {
      if (u.compiled.rule !== null && neverAgain(u.compiled.rule, now))
        out.push(finding('expired_policy_rule', u.kind, u.id, u.accountId, [], `${u.kind} \`${u.id}\`: its rule can no longer hold after \`${new Date(now).toISOString()}\``));
    }
  }
  lintPairs(source, units, out);
  return out.sort((x, y) => cmp(x.code, y.code) || cmp(x.accountId ?? '', y.accountId ?? '') || cmp(x.id, y.id) || cmp(x.related.join(), y.related.join()));
}

function lintGroups(source: Source, units: Unit[], now: number | undefined, out: Finding[]): void {
  const groups = new Map(source.groups.map((g) => [`${g.accountId}/${g.id}`, g]));
  const dynamic = new Set(source.memberships.filter((m) => now === undefined || now < Date.parse(m.expiresAt)).map((m) => `${m.accountId}/${m.groupId}`));
  for (const u of units) {
    if (u.subject.kind !== 'group' || u.subject.id === PUBLIC_ACCESS_GROUP_ID) continue;
    const key = `${u.accountId}/${u.subject.id}`;
    const g = groups.get(key);
    if (g === undefined) {
      out.push(finding('empty_subject_group', u.kind, u.id, u.accountId, [u.subject.id!], `${u.kind} \`${u.id}\`: subject group \`${u.subject.id}\` does not exist`));
    } else if ((g.members ?? []).length === 0 && (g.rules ?? []).length === 0 && !dynamic.has(key)) {
      out.push(finding('empty_subject_group', u.kind, u.id, u.accountId, [g.id], `${u.kind} \`${u.id}\`: subject group \`${g.id}\` has no members and no claim rules`));
    }
  }
}

/** The subsets of a small set of conditions, as sorted keys; none for a large one (its comparisons are skipped). */
function subsetKeys(conditions: Set<string>): string[] {
  const xs = [...conditions].sort();
  if (xs.length > 8) return [];
  const out: string[] = [];
  for (let mask = 0; mask < 1 << xs.length; mask++) out.push(JSON.stringify(xs.filter((_, i) => (mask & (1 << i)) !== 0)));
  return out;
}

function lintPairs(source: Source, units: Unit[], out: Finding[]): void {
  // units by (account, subject, effect, exact condition set): a unit can only be covered by one whose conditions are a subset of its own
  const index = new Map<string, Unit[]>();
  const keyOf = (accountId: string, subjectKey: string, deny: boolean, conditions: string) => `${accountId}\u0000${subjectKey}\u0000${deny}\u0000${conditions}`;
  for (const u of units) {
    const k = keyOf(u.accountId, u.subjectKey, u.deny, JSON.stringify([...u.conditions].sort()));
    const list = index.get(k);
    if (list === undefined) index.set(k, [u]);
    else list.push(u);
  }
  const subsets = new Map<Unit, string[]>();
  const subsetsOf = (u: Unit) => {
    let s = subsets.get(u);
    if (s === undefined) subsets.set(u, (s = subsetKeys(u.conditions)));
    return s;
  };
  for (const p of units) {
    for (const sub of subsetsOf(p)) {
      for (const q of index.get(keyOf(p.accountId, p.subjectKey, p.deny, sub)) ?? []) {
        if (q === p) continue;
        if (same(p, q)) {
          if (q.id < p.id) out.push(finding('duplicate_policy', p.kind, p.id, p.accountId, [q.id], `${p.kind} \`${p.id}\`: duplicates \`${q.id}\``));
        } else if (covers(q, p)) {
          out.push(finding('subsumed_policy', p.kind, p.id, p.accountId, [q.id], `${p.kind} \`${p.id}\`: every request it matches, \`${q.id}\` matches too`));
        }
      }
    }
  }
  // a deny shadows an allow when it reaches everyone the allow reaches and matches every request the allow matches
  const groupsOf = new Map<string, string[]>();
  for (const g of source.groups) {
    for (const m of g.members ?? []) {
      const k = `${g.accountId}/${m}`;
      const list = groupsOf.get(k);
      if (list === undefined) groupsOf.set(k, [g.id]);
      else list.push(g.id);
    }
  }
  const publicOn = new Map(source.accounts.map((a) => [a.id, a.publicAccess !== false]));
  for (const p of units) {
    if (p.deny) continue;
    const reaching = new Set<string>([p.subjectKey]);
    if (p.subject.kind !== 'service' && publicOn.get(p.accountId) !== false) reaching.add(`group:${PUBLIC_ACCESS_GROUP_ID}`);
    if (p.subject.kind === 'principal') for (const g of groupsOf.get(`${p.accountId}/${p.subject.id}`) ?? []) reaching.add(`group:${g}`);
    const seen = new Set<Unit>();
    for (const subjectKey of reaching) {
      for (const sub of subsetsOf(p)) {
        for (const d of index.get(keyOf(p.accountId, subjectKey, true, sub)) ?? []) {
          if (seen.has(d) || !covers(d, p)) continue;
          seen.add(d);
          out.push(finding('shadowed_by_deny', p.kind, p.id, p.accountId, [d.id], `${p.kind} \`${p.id}\`: every request it matches is denied by \`${d.id}\``));
        }
      }
    }
  }
}

/** Same subject, effect, roles and selector: two policies that always decide alike. */
function same(p: Unit, q: Unit): boolean {
  return (
    p.roles.join('\u0000') === q.roles.join('\u0000') &&
    p.conditions.size === q.conditions.size &&
    [...p.conditions].every((c) => q.conditions.has(c)) &&
    p.scopes === q.scopes &&
    setEq(p.nodes, q.nodes) &&
    p.rule === q.rule &&
    p.expiresAt === q.expiresAt
  );
}

/** Whether `q` matches every (action, resource, time) that `p` matches, as far as their written selectors show. */
function covers(q: Unit, p: Unit): boolean {
  if (p.grants.length === 0) return false;
  for (const c of q.conditions) if (!p.conditions.has(c)) return false;
  if (q.scopes !== null && q.scopes !== p.scopes) return false;
  if (q.nodes !== null && (p.nodes === null || ![...p.nodes].every((n) => q.nodes!.has(n)))) return false;
  if (q.rule !== null && q.rule !== p.rule) return false;
  if (q.expiresAt < p.expiresAt) return false;
  const exact = new Set(q.grants);
  const patterns = q.grants.filter((h) => h.split('|', 1)[0]!.endsWith('*'));
  return p.grants.every((g) => exact.has(g) || patterns.some((h) => grantCovers(h, g)));
}

/** `pattern|service|admin|scopeType` h covers g: h's pattern matches every action g's does, on g's service (or any). */
function grantCovers(h: string, g: string): boolean {
  const [hp, hs, ha, ht] = h.split('|');
  const [gp, gs, ga, gt] = g.split('|');
  if (ha !== ga || ht !== gt) return false;
  if (hs !== '' && hs !== gs) return false;
  if (hp === gp) return true;
  if (!hp!.endsWith('*')) return false;
  const prefix = hp!.slice(0, -1);
  return gp!.startsWith(prefix) && gp!.length > prefix.length;
}

/** True when a rule cannot hold at `now` or any later instant: a `dateTimeLessThan…` bound already passed. */
function neverAgain(node: RuleNode, now: number): boolean {
  switch (node.kind) {
    case 'and':
      return node.children.some((c) => neverAgain(c, now));
    case 'or':
      return node.children.every((c) => neverAgain(c, now));
    case 'dateTime':
      return (node.cmp === 'lt' && now >= node.at) || (node.cmp === 'le' && now > node.at);
    default:
      return false;
  }
}

function setEq(a: Set<string> | null, b: Set<string> | null): boolean {
  if (a === null || b === null) return a === b;
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function finding(code: FindingCode, kind: Finding['kind'], id: string, accountId: string | undefined, related: string[], message: string): Finding {
  const f: Finding = { code, kind, id, related, message };
  if (accountId !== undefined) f.accountId = accountId;
  return f;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
