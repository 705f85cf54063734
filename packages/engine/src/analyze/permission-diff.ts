import { createAttributeNames } from '../compile/attribute-names.js';
import { buildRoleCatalog } from '../compile/role-catalog.js';
import { createCompileCache } from '../compile/compile-cache.js';
import { compileBinding, compilePolicy } from '../compile/compile-policy.js';
import { resolveResourceGroups } from '../compile/account-scopes.js';
import type { RuleNode, ServiceInfo } from '../compile/tables.js';
import { PUBLIC_ACCESS_GROUP_ID, type Source } from '../model/source.js';
import { attributePredicate } from './resource-filter.js';
import type { Predicate } from '../compile/predicate.js';

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
  /** Epoch ms from which the grant holds (a dynamic membership's login: never before it); absent for always. */
  from?: number;
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
  const bodies: BodyTable = { ids: new Map(), resources: new Map(), list: [] };
  const ma = accessModel(a, options.now, bodies);
  const mb = accessModel(b, options.now, bodies);
  const added: Grant[] = [];
  const removed: Grant[] = [];
  const changedNodes = new Map<string, boolean>();
  const changed = (node: string) => {
    let c = changedNodes.get(node);
    if (c === undefined) changedNodes.set(node, (c = !sameKeys(ma.direct.get(node), mb.direct.get(node))));
    return c;
  };
  const compare = (identity: GrantIdentity, accountId: string, ea: Map<string, Effective>, eb: Map<string, Effective>) => {
    for (const [k, e] of eb) if (!ea.has(k)) added.push(toGrant(bodies, accountId, identity, e));
    for (const [k, e] of ea) if (!eb.has(k)) removed.push(toGrant(bodies, accountId, identity, e));
  };
  // identities that are nodes themselves: Public Access and calling services
  const nodes = new Set([...ma.direct.keys(), ...mb.direct.keys()]);
  for (const node of nodes) {
    if (!(node.startsWith('pub:') || node.startsWith('s:')) || !changed(node)) continue;
    const { accountId, identity } = nodeIdentity(node);
    compare(identity, accountId, nodeEffective(ma, node), nodeEffective(mb, node));
  }
  // principals: only those whose own policies, groups, or groups' policies changed are expanded
  const principals = new Set([...ma.principals.keys(), ...mb.principals.keys()]);
  for (const key of principals) {
    const pa = ma.principals.get(key);
    const pb = mb.principals.get(key);
    const affected =
      pa === undefined ||
      pb === undefined ||
      pa.signature !== pb.signature ||
      changed(`p:${key}`) ||
      pa.groups.some((g) => changed(g.node)) ||
      pb.groups.some((g) => changed(g.node));
    if (!affected) continue;
    const [accountId, id] = splitKey(key);
    compare({ kind: 'principal', id }, accountId, principalEffective(ma, key), principalEffective(mb, key));
  }
  // claim rules: whoever a rule admits at login holds its groups' grants
  const rules = new Set([...ma.rules.keys(), ...mb.rules.keys()]);
  for (const key of rules) {
    const ra = ma.rules.get(key);
    const rb = mb.rules.get(key);
    const affected = ra === undefined || rb === undefined || ra.groups.join() !== rb.groups.join() || [...ra.groups, ...rb.groups].some(changed);
    if (!affected) continue;
    const r = (ra ?? rb)!;
    compare(r.identity, r.accountId, ruleEffective(ma, key), ruleEffective(mb, key));
  }
  const order = (x: Grant, y: Grant) =>
    cmp(x.accountId, y.accountId) || cmp(JSON.stringify(x.identity), JSON.stringify(y.identity)) || cmp(x.action, y.action) || cmp(x.effect, y.effect) || cmp(JSON.stringify(x.resource), JSON.stringify(y.resource)) || (x.until ?? Infinity) - (y.until ?? Infinity) || (x.from ?? -Infinity) - (y.from ?? -Infinity);
  return { added: added.sort(order), removed: removed.sort(order), context: contextChanges(a, b) };
}

/** The resource of an errored deny: it refuses whatever it is a candidate for. */
const ERRORED: GrantResource = { attributes: [], tags: [] };

/** Grant bodies (everything but the identity and expiry) interned across both sources, so equal bodies share an id. */
interface BodyTable {
  ids: Map<string, number>;
  resources: Map<string, number>;
  list: Omit<Grant, 'via' | 'identity' | 'until' | 'accountId'>[];
}

/** One grant a node (principal, group, Public Access, service) holds directly. */
interface Entry {
  body: number;
  until: number;
  /** A BlueXP identity-provider group binding: holds only for users with an unexpired direct binding. */
  federated: boolean;
  via: Grant['via'];
}

/** One effective grant of an identity, before it is written out: it holds in [from, until). */
interface Effective {
  body: number;
  from: number;
  until: number;
  via: Grant['via'];
}

/** What a source grants, at two levels: grants held by each node, and how principals and rules reach group nodes. */
interface AccessModel {
  direct: Map<string, Map<string, Entry>>;
  principals: Map<string, { signature: string; kind: string; directUntil: number; groups: { node: string; from: number; until: number }[] }>;
  rules: Map<string, { accountId: string; identity: GrantIdentity; groups: string[] }>;
}

function sameKeys(x: Map<string, Entry> | undefined, y: Map<string, Entry> | undefined): boolean {
  const n = x?.size ?? 0;
  if (n !== (y?.size ?? 0)) return false;
  if (n === 0) return true;
  for (const k of x!.keys()) if (!y!.has(k)) return false;
  return true;
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

function nodeIdentity(node: string): { accountId: string; identity: GrantIdentity } {
  if (node.startsWith('pub:')) return { accountId: node.slice(4), identity: { kind: 'public' } };
  const [accountId, json] = splitKey(node.slice(2));
  return { accountId, identity: { kind: 'service', attributes: JSON.parse(json) as Record<string, string> } };
}

function addEffective(out: Map<string, Effective>, body: number, from: number, until: number, via: Grant['via']): void {
  const key = `${body}|${from}|${until}`;
  const have = out.get(key);
  if (have === undefined) out.set(key, { body, from, until, via: [...via] });
  else for (const v of via) if (!have.via.some((w) => w.policyId === v.policyId && w.groupId === v.groupId)) have.via.push(v);
}

function nodeEffective(m: AccessModel, node: string): Map<string, Effective> {
  const out = new Map<string, Effective>();
  for (const e of m.direct.get(node)?.values() ?? []) addEffective(out, e.body, -Infinity, e.until, e.via);
  return out;
}

function principalEffective(m: AccessModel, key: string): Map<string, Effective> {
  const out = new Map<string, Effective>();
  const p = m.principals.get(key);
  if (p === undefined) return out;
  for (const e of m.direct.get(`p:${key}`)?.values() ?? []) addEffective(out, e.body, -Infinity, e.until, e.via);
  for (const g of p.groups) {
    for (const e of m.direct.get(g.node)?.values() ?? []) {
      if (e.federated && p.kind !== 'user') continue;
      const until = Math.min(e.until, g.until, e.federated ? p.directUntil : Infinity);
      if (until === -Infinity || g.from >= until) continue;
      addEffective(out, e.body, g.from, until, e.via);
    }
  }
  return out;
}

function ruleEffective(m: AccessModel, key: string): Map<string, Effective> {
  const out = new Map<string, Effective>();
  for (const node of m.rules.get(key)?.groups ?? []) {
    for (const e of m.direct.get(node)?.values() ?? []) if (!e.federated) addEffective(out, e.body, -Infinity, e.until, e.via);
  }
  return out;
}

function toGrant(bodies: BodyTable, accountId: string, identity: GrantIdentity, e: Effective): Grant {
  const g: Grant = { accountId, identity, ...bodies.list[e.body]!, via: [...e.via].sort((x, y) => cmp(x.policyId, y.policyId) || cmp(x.groupId ?? '', y.groupId ?? '')) };
  if (e.until !== Infinity) g.until = e.until;
  if (e.from !== -Infinity) g.from = e.from;
  return { accountId: g.accountId, identity: g.identity, effect: g.effect, action: g.action, service: g.service, resource: g.resource, ...(g.from !== undefined ? { from: g.from } : {}), ...(g.until !== undefined ? { until: g.until } : {}), ...(g.errored ? { errored: true } : {}), via: g.via };
}

/** Role catalogs by the (roles, services) arrays they were built from: sources that share both arrays share one. */
const catalogs = new WeakMap<object, WeakMap<object, ReturnType<typeof buildRoleCatalog>>>();

function catalogOf(source: Source): ReturnType<typeof buildRoleCatalog> {
  let byServices = catalogs.get(source.roles);
  if (byServices === undefined) catalogs.set(source.roles, (byServices = new WeakMap()));
  let c = byServices.get(source.services);
  if (c === undefined) byServices.set(source.services, (c = buildRoleCatalog(source)));
  return c;
}

/** Builds the two-level access model of a source (see AccessModel); grants expired at `now` are left out. */
function accessModel(source: Source, now: number | undefined, bodies: BodyTable): AccessModel {
  const model: AccessModel = { direct: new Map(), principals: new Map(), rules: new Map() };
  // INVARIANT: a catalog is read only, and a source's roles and services arrays are never mutated after it is built
  const catalog = catalogOf(source);
  const resourceGroups = resolveResourceGroups(source);
  const names = createAttributeNames();
  const cache = createCompileCache();
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
  const dynamic = new Map<string, { principalId: string; from: number; until: number }[]>();
  for (const m of source.memberships) {
    const k = `${m.accountId}/${m.groupId}`;
    if (!groups.has(k)) continue;
    const until = Date.parse(m.expiresAt);
    if (Number.isNaN(until)) continue;
    // the engine holds a membership in [loginAt, expiresAt) only: a login that has not happened yet grants nothing before it
    const login = m.loginAt === undefined ? -Infinity : Date.parse(m.loginAt);
    const from = Number.isNaN(login) ? until : login;
    const list = dynamic.get(k) ?? [];
    list.push({ principalId: m.principalId, from, until });
    dynamic.set(k, list);
  }
  // the hierarchy, resolved once: every node's chain up to the organization, and what each node covers
  const byNode = new Map<string, Source['nodes'][number]>();
  const nodesOf = new Map<string, string[]>();
  for (const n of source.nodes) {
    byNode.set(`${n.accountId}/${n.id}`, n);
    const list = nodesOf.get(n.accountId);
    if (list === undefined) nodesOf.set(n.accountId, [n.id]);
    else list.push(n.id);
  }
  const upCache = new Map<string, Set<string>>();
  const up = (acc: string, id: string): Set<string> => {
    const key = `${acc}/${id}`;
    let s = upCache.get(key);
    if (s !== undefined) return s;
    s = new Set();
    let cur = byNode.get(key);
    if (cur !== undefined) {
      s.add(cur.id);
      for (let i = 0; i < 64 && cur.parentId !== null; i++) {
        const parent: (typeof cur) | undefined = byNode.get(`${acc}/${cur.parentId}`);
        if (parent === undefined) break;
        s.add(parent.id);
        cur = parent;
      }
      s.add(acc);
    }
    upCache.set(key, s);
    return s;
  };
  const coveredCache = new Map<string, string[]>();
  const covered = (acc: string, node: string): string[] => {
    const key = `${acc}/${node}`;
    let c = coveredCache.get(key);
    if (c === undefined) {
      c = (nodesOf.get(acc) ?? []).filter((n) => up(acc, n).has(node));
      if (node === acc) c.push(`organization:${acc}`);
      c.sort(cmp);
      coveredCache.set(key, c);
    }
    return c;
  };
  const agentsOf = new Map<string, { id: string; projects: string[] }[]>();
  for (const p of source.principals) {
    if ((p.projects ?? []).length === 0) continue;
    const list = agentsOf.get(p.accountId) ?? [];
    list.push({ id: p.id, projects: p.projects });
    agentsOf.set(p.accountId, list);
  }
  const agentCache = new Map<string, Record<string, string[]>>();
  const agentsUnder = (acc: string, nodes: readonly string[]): Record<string, string[]> => {
    const key = `${acc}\u0000${nodes.join('\u0000')}`;
    let r = agentCache.get(key);
    if (r === undefined) {
      r = {};
      for (const a of agentsOf.get(acc) ?? []) {
        const inside = a.projects.filter((q) => nodes.some((n) => up(acc, q).has(n))).sort(cmp);
        if (inside.length > 0) r[a.id] = inside;
      }
      agentCache.set(key, r);
    }
    return r;
  };

  /** The node a subject names: a principal (only if registered and active), a group, Public Access, or a calling service. */
  const nodeOf = (acc: string, subject: { kind: string; id?: string; attributes?: Record<string, unknown> }): string | null => {
    if (subject.kind === 'service') {
      const attrs: Record<string, string> = {};
      for (const k of Object.keys(subject.attributes ?? {}).sort()) attrs[k] = String(subject.attributes![k]);
      return `s:${acc}/${JSON.stringify(attrs)}`;
    }
    const id = subject.id!;
    if (subject.kind === 'principal') return active(acc, id) ? `p:${acc}/${id}` : null;
    if (id === PUBLIC_ACCESS_GROUP_ID) return accounts.get(acc)?.publicAccess !== false ? `pub:${acc}` : null;
    return groups.has(`${acc}/${id}`) ? `g:${acc}/${id}` : null;
  };
  // how principals reach groups (static, dynamic), and how claim rules do
  const reach = new Map<string, { node: string; from: number; until: number }[]>();
  const via = (key: string, node: string, from: number, until: number) => {
    if (now !== undefined && now >= until) return;
    if (from >= until) return;
    const list = reach.get(key);
    if (list === undefined) reach.set(key, [{ node, from, until }]);
    else list.push({ node, from, until });
  };
  for (const g of source.groups) {
    if (g.id === PUBLIC_ACCESS_GROUP_ID) continue;
    for (const m of g.members ?? []) via(`${g.accountId}/${m}`, `g:${g.accountId}/${g.id}`, -Infinity, Infinity);
    for (const r of g.rules ?? []) {
      const conditions = [...(r.conditions ?? [])].map((c) => ({ claim: c.claim, operator: c.operator, value: c.value })).sort((x, y) => cmp(JSON.stringify(x), JSON.stringify(y)));
      const key = JSON.stringify([g.accountId, r.realmName, conditions]);
      const have = model.rules.get(key);
      const node = `g:${g.accountId}/${g.id}`;
      if (have === undefined) model.rules.set(key, { accountId: g.accountId, identity: { kind: 'rule', realm: r.realmName, conditions }, groups: [node] });
      else if (!have.groups.includes(node)) have.groups.push(node);
    }
  }
  for (const [k, list] of dynamic) for (const d of list) via(`${splitKey(k)[0]}/${d.principalId}`, `g:${k}`, d.from, d.until);
  for (const rule of model.rules.values()) rule.groups.sort(cmp);
  for (const p of source.principals) {
    if (p.status !== 'active') continue;
    const key = `${p.accountId}/${p.id}`;
    const paths = (reach.get(key) ?? []).sort((x, y) => cmp(x.node, y.node) || x.until - y.until || x.from - y.from);
    const directUntilOf = directUntil.get(key) ?? -Infinity;
    model.principals.set(key, { signature: JSON.stringify([p.kind, directUntilOf, paths]), kind: p.kind, directUntil: directUntilOf, groups: paths });
  }

  // resources are interned twice: by object (one per policy and role) and by content, so grant keys stay short
  const resourceKeys = new Map<GrantResource, number>();
  const resourceIds = bodies.resources;
  const add = (node: string, entry: Omit<Entry, 'via'>, v: Grant['via'][number]) => {
    let m = model.direct.get(node);
    if (m === undefined) model.direct.set(node, (m = new Map()));
    const key = `${entry.body}|${entry.until}|${entry.federated ? 1 : 0}`;
    const have = m.get(key);
    if (have === undefined) m.set(key, { ...entry, via: [v] });
    else if (!have.via.some((w) => w.policyId === v.policyId && w.groupId === v.groupId)) have.via.push(v);
  };

  const emit = (
    acc: string,
    policyId: string,
    cp: ReturnType<typeof compilePolicy>,
    roleIds: readonly string[],
    node: string | null,
    federated: boolean,
  ) => {
    if (node === null) return;
    const groupId = node.startsWith('g:') ? splitKey(node.slice(2))[1] : node.startsWith('pub:') ? PUBLIC_ACCESS_GROUP_ID : undefined;
    const pinned = cp.attributes.find((m) => m.name === 'serviceName' && m.op === 0)?.value ?? null;
    const attrs = cp.attributes.map((m) => attributePredicate({ services }, m, acc)).sort((x, y) => cmp(JSON.stringify(x), JSON.stringify(y)));
    const tags = cp.tags.map((t) => ({ name: t.name, value: t.value, glob: t.glob !== null })).sort((x, y) => cmp(JSON.stringify(x), JSON.stringify(y)));
    for (const roleId of roleIds) {
      const role = catalog.roles.get(roleId);
      if (role === undefined) continue;
      const resource: GrantResource = { attributes: attrs, tags };
      if (cp.scopes !== null) {
        resource.scopes = {
          targets: [...new Set(cp.scopes.map((t) => JSON.stringify(t)))].sort(cmp),
          scopeType: role.kind === 'permission-group' ? (role.scopeType ?? null) : null,
        };
      }
      if (cp.nodes !== null) {
        const cov = cp.nodes.length === 1 ? covered(acc, cp.nodes[0]!) : [...new Set(cp.nodes.flatMap((n) => covered(acc, n)))].sort(cmp);
        resource.nodes = { covered: cov, admin: role.admin ?? null, agents: role.admin === 'organization' ? {} : agentsUnder(acc, cp.nodes) };
      }
      if (cp.rule !== null) resource.rule = canonicalRule(cp.rule, services, acc);
      for (const [pattern, service] of catalog.grants.get(roleId) ?? []) {
        if (pinned !== null && service !== null && service !== pinned) continue;
        if (cp.error !== null && !cp.deny) continue;
        const body: BodyTable['list'][number] = {
          effect: cp.deny ? 'deny' : 'allow',
          action: pattern,
          service: cp.error !== null ? null : service,
          resource: cp.error !== null ? ERRORED : resource,
        };
        if (cp.error !== null) body.errored = true;
        let resourceKey = resourceKeys.get(body.resource);
        if (resourceKey === undefined) {
          const json = JSON.stringify(body.resource);
          let n = resourceIds.get(json);
          if (n === undefined) resourceIds.set(json, (n = resourceIds.size));
          resourceKeys.set(body.resource, (resourceKey = n));
        }
        const bodyKey = `${acc}\u0000${body.effect}\u0000${body.errored === true}\u0000${body.service ?? ''}\u0000${body.service === null ? 0 : 1}\u0000${pattern}\u0000${resourceKey}`;
        let id = bodies.ids.get(bodyKey);
        if (id === undefined) {
          id = bodies.list.length;
          bodies.list.push(body);
          bodies.ids.set(bodyKey, id);
        }
        if (now !== undefined && now >= cp.expiresAt) continue;
        add(node, { body: id, until: cp.expiresAt, federated }, groupId === undefined ? { policyId } : { policyId, groupId });
      }
    }
  };

  for (const p of source.policies) {
    if (p.state === 'deleted') continue;
    const cp = compilePolicy(p, resourceGroups, names, cache);
    emit(p.accountId, p.id, cp, p.roles, nodeOf(p.accountId, p.subject), false);
  }
  for (const bd of source.bindings) {
    const federated = bd.subject.kind === 'group' && groups.get(`${bd.accountId}/${bd.subject.id}`)?.federated === true;
    const cp = compileBinding(bd, federated);
    emit(bd.accountId, bd.id, cp, [bd.roleId], nodeOf(bd.accountId, bd.subject), federated);
  }
  return model;
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
