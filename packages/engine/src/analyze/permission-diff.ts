import { createAttributeNames } from '../compile/attribute-names.js';
import { buildRoleCatalog, compileBinding, compilePolicy, resolveResourceGroups } from '../compile/compile-source.js';
import type { RuleNode, ServiceInfo } from '../compile/tables.js';
import { PUBLIC_ACCESS_GROUP_ID, type Source } from '../model/source.js';
import { attributePredicate } from './resource-filter.js';
import type { Predicate } from './predicate.js';

/** Who holds a grant: a principal, every caller (Public Access), whoever a claim rule admits at login, or a calling service. */
export type GrantIdentity =
  | { kind: 'principal'; id: string }
  | { kind: 'public' }
  | { kind: 'rule'; realm: string; conditions: { claim: string; operator: string; value: string }[] }
  | { kind: 'service'; attributes: Record<string, string> };

/** The resource side of a grant, normalised so that equal conditions compare equal whatever their order or spelling. */
export interface GrantResource {
  /** Attribute conditions, `serviceType` and `service_group_id` expanded through the catalog. */
  attributes: Predicate[];
  tags: { name: string; value: string; glob: boolean }[];
  /** Cloudflare scope targets reached, and the permission group's scope type. */
  scopes?: { targets: string[]; scopeType: string | null };
  /** BlueXP: the nodes covered (the selector's nodes and everything below them), the role's admin level, and the agents' projects among them. */
  nodes?: { covered: string[]; admin: string | null; agents: Record<string, string[]> };
  /** The v2 rule, attribute leaves normalised like `attributes`. */
  rule?: unknown;
}

/** One effective grant: an identity may (or may not, for a deny) perform the actions of a pattern on a resource selector. */
export interface Grant {
  accountId: string;
  identity: GrantIdentity;
  effect: 'allow' | 'deny';
  /** An action or a pattern (`cos.bucket.*`). */
  action: string;
  /** The service the role grants the action for; null for any service. */
  service: string | null;
  resource: GrantResource;
  /** Epoch ms after which the grant stops holding (a binding's or a dynamic membership's expiry); absent for never. */
  until?: number;
  /** An errored deny refuses everything it is a candidate for, whatever its selector. */
  errored?: boolean;
  /** Where it comes from: the policy or binding ids, and the groups it was reached through. */
  via: { policyId: string; groupId?: string }[];
}

/** Something outside policies that decisions read, added, removed or changed between the two sources. */
export interface ContextChange {
  kind: 'account' | 'principal' | 'resource' | 'service' | 'sso-connector';
  id: string;
  change: 'added' | 'removed' | 'changed';
}

/** What changes in effective access from source A to source B. */
export interface PermissionDiff {
  /** Grants B has and A has not. */
  added: Grant[];
  /** Grants A has and B has not. */
  removed: Grant[];
  /** Principals' status, registered resources, account options, catalog entries, SSO connectors that changed. */
  context: ContextChange[];
}

/** Options of diff: with `now`, grants already expired at that instant are left out of both sides. */
export interface DiffOptions {
  now?: number;
}

/**
 * The grants that appear or disappear between two sources. Each policy and binding is expanded to effective grants:
 * through every role's actions (so a role or catalog edit shows), through group membership (static, dynamic, claim
 * rules, Public Access), through resource groups and the folder hierarchy (so moving a folder shows). Grants are
 * keyed without policy ids, so an access that stays reachable some other way is no change.
 */
export function diff(a: Source, b: Source, options: DiffOptions = {}): PermissionDiff {
  const ga = grantsOf(a, options.now);
  const gb = grantsOf(b, options.now);
  const added: Grant[] = [];
  const removed: Grant[] = [];
  for (const [k, g] of gb) if (!ga.has(k)) added.push(g);
  for (const [k, g] of ga) if (!gb.has(k)) removed.push(g);
  const byKey = (x: Grant, y: Grant) => cmp(grantKey(x), grantKey(y));
  return { added: added.sort(byKey), removed: removed.sort(byKey), context: contextChanges(a, b) };
}

/** Every effective grant of a source, by canonical key (see diff). */
export function grantsOf(source: Source, now?: number): Map<string, Grant> {
  const out = new Map<string, Grant>();
  const catalog = buildRoleCatalog(source);
  const resourceGroups = resolveResourceGroups(source);
  const names = createAttributeNames();
  const services = new Map<string, ServiceInfo>();
  for (const s of source.services) services.set(s.name, { type: s.type, groups: s.groups ?? [], thirdParty: (s as { thirdParty?: boolean }).thirdParty === true });
  const accounts = new Map(source.accounts.map((x) => [x.id, x]));
  const principals = new Map(source.principals.map((p) => [`${p.accountId}/${p.id}`, p]));
  const groups = new Map(source.groups.map((g) => [`${g.accountId}/${g.id}`, g]));
  const active = (acc: string, id: string) => principals.get(`${acc}/${id}`)?.status === 'active';
  const directUntil = new Map<string, number>();
  for (const bd of source.bindings) {
    if (bd.subject.kind !== 'principal') continue;
    const k = `${bd.accountId}/${bd.subject.id}`;
    const t = bd.expiresAt === undefined ? Infinity : Date.parse(bd.expiresAt);
    if (!Number.isNaN(t) && t > (directUntil.get(k) ?? -Infinity)) directUntil.set(k, t);
  }
  const dynamic = new Map<string, { principalId: string; until: number }[]>();
  for (const m of source.memberships) {
    const k = `${m.accountId}/${m.groupId}`;
    if (!groups.has(k)) continue;
    const until = Date.parse(m.expiresAt);
    if (Number.isNaN(until)) continue;
    const list = dynamic.get(k) ?? [];
    list.push({ principalId: m.principalId, until });
    dynamic.set(k, list);
  }
  const nodesOf = new Map<string, Source['nodes']>();
  for (const n of source.nodes) nodesOf.set(n.accountId, [...(nodesOf.get(n.accountId) ?? []), n]);
  const upCache = new Map<string, Set<string>>();
  const up = (acc: string, id: string): Set<string> => {
    const key = `${acc}/${id}`;
    let s = upCache.get(key);
    if (s !== undefined) return s;
    s = new Set();
    const byId = new Map((nodesOf.get(acc) ?? []).map((n) => [n.id, n]));
    let cur = byId.get(id);
    if (cur !== undefined) {
      s.add(cur.id);
      for (let i = 0; i < 64 && cur.parentId !== null; i++) {
        const parent: (typeof cur) | undefined = byId.get(cur.parentId);
        if (parent === undefined) break;
        s.add(parent.id);
        cur = parent;
      }
      s.add(acc);
    }
    upCache.set(key, s);
    return s;
  };
  const covered = (acc: string, node: string): string[] => {
    const out2 = (nodesOf.get(acc) ?? []).filter((n) => up(acc, n.id).has(node)).map((n) => n.id);
    if (node === acc) out2.push(`organization:${acc}`);
    return out2.sort(cmp);
  };

  /** The identities one subject reaches, each with the expiry of the way it is reached. */
  const expand = (acc: string, subject: { kind: string; id?: string; attributes?: Record<string, unknown> }, federated: boolean) => {
    const ids: { identity: GrantIdentity; until: number; groupId?: string }[] = [];
    if (subject.kind === 'service') {
      const attrs: Record<string, string> = {};
      for (const k of Object.keys(subject.attributes ?? {}).sort()) attrs[k] = String(subject.attributes![k]);
      ids.push({ identity: { kind: 'service', attributes: attrs }, until: Infinity });
      return ids;
    }
    const id = subject.id!;
    if (subject.kind === 'principal') {
      if (active(acc, id)) ids.push({ identity: { kind: 'principal', id }, until: Infinity });
      return ids;
    }
    if (id === PUBLIC_ACCESS_GROUP_ID) {
      if (accounts.get(acc)?.publicAccess !== false) ids.push({ identity: { kind: 'public' }, until: Infinity, groupId: id });
      return ids;
    }
    const g = groups.get(`${acc}/${id}`);
    if (g === undefined) return ids;
    const member = (pid: string, until: number) => {
      if (!active(acc, pid)) return;
      let u = until;
      if (federated) {
        if (principals.get(`${acc}/${pid}`)?.kind !== 'user') return;
        u = Math.min(u, directUntil.get(`${acc}/${pid}`) ?? -Infinity);
      }
      ids.push({ identity: { kind: 'principal', id: pid }, until: u, groupId: id });
    };
    for (const m of g.members ?? []) member(m, Infinity);
    for (const d of dynamic.get(`${acc}/${id}`) ?? []) member(d.principalId, d.until);
    if (!federated) {
      for (const r of g.rules ?? []) {
        const conditions = [...(r.conditions ?? [])].map((c) => ({ claim: c.claim, operator: c.operator, value: c.value })).sort((x, y) => cmp(JSON.stringify(x), JSON.stringify(y)));
        ids.push({ identity: { kind: 'rule', realm: r.realmName, conditions }, until: Infinity, groupId: id });
      }
    }
    return ids;
  };

  const add = (g: Omit<Grant, 'via'>, via: Grant['via'][number]) => {
    if (now !== undefined && g.until !== undefined && now >= g.until) return;
    const key = grantKey(g);
    const have = out.get(key);
    if (have === undefined) out.set(key, { ...g, via: [via] });
    else if (!have.via.some((v) => v.policyId === via.policyId && v.groupId === via.groupId)) have.via.push(via);
  };

  const emit = (
    acc: string,
    policyId: string,
    cp: ReturnType<typeof compilePolicy>,
    roleIds: readonly string[],
    identities: ReturnType<typeof expand>,
  ) => {
    const pinned = cp.attributes.find((m) => m.name === 'serviceName' && m.op === 0)?.value ?? null;
    const attrs = cp.attributes.map((m) => attributePredicate({ services }, m, acc)).sort((x, y) => cmp(JSON.stringify(x), JSON.stringify(y)));
    const tags = cp.tags.map((t) => ({ name: t.name, value: t.value, glob: t.glob !== null })).sort((x, y) => cmp(JSON.stringify(x), JSON.stringify(y)));
    for (const roleId of roleIds) {
      const role = catalog.roles.get(roleId);
      if (role === undefined) continue;
      for (const [pattern, service] of catalog.grants.get(roleId) ?? []) {
        if (pinned !== null && service !== null && service !== pinned) continue;
        const resource: GrantResource = { attributes: attrs, tags };
        if (cp.scopes !== null) {
          resource.scopes = {
            targets: [...new Set(cp.scopes.map((t) => JSON.stringify(t)))].sort(cmp),
            scopeType: role.kind === 'permission-group' ? (role.scopeType ?? null) : null,
          };
        }
        if (cp.nodes !== null) {
          const cov = [...new Set(cp.nodes.flatMap((n) => covered(acc, n)))].sort(cmp);
          const agents: Record<string, string[]> = {};
          if (role.admin !== 'organization') {
            for (const p of source.principals) {
              if (p.accountId !== acc || (p.projects ?? []).length === 0) continue;
              const inside = (p.projects ?? []).filter((q) => cp.nodes!.some((n) => up(acc, q).has(n))).sort(cmp);
              if (inside.length > 0) agents[p.id] = inside;
            }
          }
          resource.nodes = { covered: cov, admin: role.admin ?? null, agents };
        }
        if (cp.rule !== null) resource.rule = canonicalRule(cp.rule, services, acc);
        for (const who of identities) {
          const until = Math.min(who.until, cp.expiresAt);
          const g: Omit<Grant, 'via'> = {
            accountId: acc,
            identity: who.identity,
            effect: cp.deny ? 'deny' : 'allow',
            action: pattern,
            service: cp.error !== null ? null : service,
            resource: cp.error !== null ? { attributes: [], tags: [] } : resource,
          };
          if (until !== Infinity) g.until = until;
          if (cp.error !== null) g.errored = true;
          if (cp.error !== null && !cp.deny) continue;
          add(g, who.groupId === undefined ? { policyId } : { policyId, groupId: who.groupId });
        }
      }
    }
  };

  for (const p of source.policies) {
    if (p.state === 'deleted') continue;
    const cp = compilePolicy(p, resourceGroups, names);
    emit(p.accountId, p.id, cp, p.roles, expand(p.accountId, p.subject, false));
  }
  for (const bd of source.bindings) {
    const federated = bd.subject.kind === 'group' && groups.get(`${bd.accountId}/${bd.subject.id}`)?.federated === true;
    const cp = compileBinding(bd, federated);
    emit(bd.accountId, bd.id, cp, [bd.roleId], expand(bd.accountId, bd.subject, federated));
  }
  return out;
}

/** The canonical key of a grant: everything but where it comes from. */
function grantKey(g: Omit<Grant, 'via'>): string {
  return JSON.stringify([g.accountId, g.identity, g.effect, g.action, g.service, g.resource, g.until ?? null, g.errored === true]);
}

function canonicalRule(node: RuleNode, services: ReadonlyMap<string, ServiceInfo>, acc: string): unknown {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { [node.kind]: node.children.map((c) => canonicalRule(c, services, acc)) };
    case 'attr':
      return attributePredicate({ services } as never, node.matcher, acc);
    default:
      return node;
  }
}

function contextChanges(a: Source, b: Source): ContextChange[] {
  const out: ContextChange[] = [];
  const compare = (kind: ContextChange['kind'], xs: readonly object[], ys: readonly object[], keyOf: (x: never) => string, strip: (x: never) => unknown) => {
    const ma = new Map(xs.map((x) => [keyOf(x as never), canonical(strip(x as never))]));
    const mb = new Map(ys.map((y) => [keyOf(y as never), canonical(strip(y as never))]));
    for (const [k, v] of mb) {
      const w = ma.get(k);
      if (w === undefined) out.push({ kind, id: k, change: 'added' });
      else if (w !== v) out.push({ kind, id: k, change: 'changed' });
    }
    for (const k of ma.keys()) if (!mb.has(k)) out.push({ kind, id: k, change: 'removed' });
  };
  type Acc = Source['accounts'][number];
  type Pr = Source['principals'][number];
  type Res = Source['resources'][number];
  type Svc = Source['services'][number];
  compare('account', a.accounts, b.accounts, (x: Acc) => x.id, (x: Acc) => ({ publicAccess: x.publicAccess, options: x.options }));
  compare('principal', a.principals, b.principals, (x: Pr) => `${x.accountId}/${x.id}`, (x: Pr) => ({ kind: x.kind, status: x.status, email: x.email, projects: x.projects }));
  compare('resource', a.resources, b.resources, (x: Res) => x.id, (x: Res) => x);
  compare('service', a.services, b.services, (x: Svc) => x.name, (x: Svc) => ({ type: x.type, groups: x.groups, thirdParty: (x as { thirdParty?: boolean }).thirdParty }));
  const sso = (s: Source) => ((s as { ssoConnectors?: { id: string; accountId: string }[] }).ssoConnectors ?? []) as object[];
  compare('sso-connector', sso(a), sso(b), (x: { accountId: string; id: string }) => `${x.accountId}/${x.id}`, (x: object) => x);
  return out.sort((x, y) => cmp(x.kind, y.kind) || cmp(x.id, y.id));
}

/** JSON with object keys sorted, so that equal data written in another order compares equal. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as object).sort(([p], [q]) => cmp(p, q))) : x,
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
