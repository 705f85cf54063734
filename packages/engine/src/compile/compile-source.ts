import { ATTR, createAttributeNames, type AttributeNames } from './attribute-names.js';
import { Op, PAGE_BITS, PAGE_MASK } from './tables.js';
import { createActionTable, internAction, internPrefix, type ActionTable } from './action-table.js';
import { compileAttribute, compileClaim, compileRule, compileTag, Uncompilable } from './compile-matchers.js';
import type {
  AccountTable,
  AttributeMatcher,
  Bucket,
  Candidate,
  ClaimRuleEntry,
  CompiledPolicy,
  GroupEntry,
  IdentityIndex,
  NodeEntry,
  PrincipalEntry,
  ResolvedResource,
  RoleCatalog,
  RoleGrantGroup,
  RoleInfo,
  RuleNode,
  ServiceInfo,
  Tables,
  TagMatcher,
} from './tables.js';
import { parseScope, type ScopeTarget } from '../model/scope.js';
import { PUBLIC_ACCESS_GROUP_ID, type Binding, type Policy, type Role, type Source } from '../model/source.js';
import type { SsoConnector } from '../model/sso-connector.js';
import { compileSso } from './compile-sso.js';

/** Creates an empty per-identity index. */
export function createIdentityIndex(): IdentityIndex {
  return { pages: [], exactCount: 0, patterns: new Map() };
}

function createGroup(id: string): GroupEntry {
  return { id, federated: false, index: createIdentityIndex(), mark: 0 };
}

function createPrincipal(id: string, num: number): PrincipalEntry {
  return {
    id,
    num,
    kind: 'user',
    active: false,
    index: createIdentityIndex(),
    staticGroups: [],
    ownBuckets: null,
    ownVersion: -1,
    dynamic: [],
    directBindingUntil: Number.NEGATIVE_INFINITY,
    projects: [],
    email: undefined,
  };
}

function createAccount(id: string): AccountTable {
  return {
    id,
    publicAccess: true,
    thirdPartyServicesEnabled: true,
    saasEnabled: true,
    sso: null,
    principals: new Map(),
    principalCount: 0,
    groups: new Map(),
    publicGroup: createGroup(PUBLIC_ACCESS_GROUP_ID),
    claimRules: new Map(),
    serviceIndex: createIdentityIndex(),
    nodes: new Map(),
    expiries: [],
    timeRules: false,
  };
}


/** Resolves what each role grants: its own actions (for its service, if it is a custom role) and the catalog's per-service actions. */
export function buildRoleCatalog(source: Source, actions: ActionTable = createActionTable()): RoleCatalog {
  const roles = new Map<string, Role>();
  const grants = new Map<string, [string, string | null][]>();
  for (const r of source.roles) {
    roles.set(r.id, r);
    const list: [string, string | null][] = [];
    for (const a of r.actions ?? []) list.push([a, r.serviceName ?? null]);
    grants.set(r.id, list);
  }
  for (const s of source.services) {
    for (const [roleId, actions] of Object.entries(s.roles ?? {})) {
      const list = grants.get(roleId);
      if (!list) continue;
      for (const a of actions) list.push([a, s.name]);
    }
  }
  const groups = new Map<string, RoleGrantGroup[]>();
  for (const [roleId, list] of grants) {
    const role = roles.get(roleId)!;
    const info = roleInfo(role);
    const byService = new Map<string | null, { actions: Set<number>; prefixes: Set<number> }>();
    for (const [pattern, service] of list) {
      let g = byService.get(service);
      if (g === undefined) byService.set(service, (g = { actions: new Set(), prefixes: new Set() }));
      if (pattern.endsWith('*')) g.prefixes.add(internPrefix(actions, pattern.slice(0, -1)));
      else g.actions.add(internAction(actions, pattern));
    }
    groups.set(
      roleId,
      [...byService].map(([service, g]) => ({ service, role: info, actions: [...g.actions], prefixes: [...g.prefixes] })),
    );
  }
  return { roles, grants, groups };
}

function roleInfo(role: Role): RoleInfo {
  return { id: role.id, scopeType: role.kind === 'permission-group' ? (role.scopeType ?? null) : null, admin: role.admin ?? null };
}

export function account(tables: Map<string, AccountTable>, id: string): AccountTable {
  let a = tables.get(id);
  if (!a) {
    a = createAccount(id);
    tables.set(id, a);
  }
  return a;
}

export function groupOf(a: AccountTable, id: string): GroupEntry {
  if (id === PUBLIC_ACCESS_GROUP_ID) return a.publicGroup;
  let g = a.groups.get(id);
  if (!g) {
    g = createGroup(id);
    a.groups.set(id, g);
  }
  return g;
}

export function principalOf(a: AccountTable, id: string): PrincipalEntry {
  let p = a.principals.get(id);
  if (!p) {
    p = createPrincipal(id, ++a.principalCount);
    a.principals.set(id, p);
  }
  return p;
}

/** Compiles the selector, rule and subject of a policy; never throws (an unevaluable policy is compiled as errored). */
export function compilePolicy(p: Policy, resourceGroups: Map<string, ScopeTarget[]>, names: AttributeNames): CompiledPolicy {
  let error: string | null = null;
  let attributes: AttributeMatcher[] = [];
  let tags: TagMatcher[] = [];
  let rule: RuleNode | null = null;
  let scopes: ScopeTarget[] | null = null;
  let serviceSubject: [string, string][] | null = null;
  try {
    const res = p.resource ?? { attributes: [], tags: [] };
    attributes = (res.attributes ?? []).map((c) => compileAttribute(names, c.name, c.operator, c.value));
    tags = (res.tags ?? []).map((t) => compileTag(t.name, t.value, t.operator));
    if (p.rule !== undefined) rule = compileRule(p.rule, names);
    if (res.resourceGroups !== undefined) {
      scopes = [];
      for (const rg of res.resourceGroups) scopes.push(...(resourceGroups.get(rg) ?? []));
    }
    if (p.subject.kind === 'service') {
      serviceSubject = Object.entries(p.subject.attributes).map(([k, v]) => {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new Uncompilable(`subject attribute \`${k}\``);
        return [k, String(v)];
      });
    }
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  return {
    id: p.id,
    deny: p.effect === 'deny',
    source: 'policy',
    error,
    attributes,
    tags,
    scopes,
    nodes: p.resource?.nodes ?? null,
    rule,
    expiresAt: Number.POSITIVE_INFINITY,
    federatedGroup: false,
    serviceSubject,
    permits: 0,
  };
}

/** Compiles a BlueXP role binding as a one-role allow policy on its node. */
export function compileBinding(b: Binding, federatedGroup: boolean): CompiledPolicy {
  let expiresAt = Number.POSITIVE_INFINITY;
  let error: string | null = null;
  if (b.expiresAt !== undefined) {
    expiresAt = Date.parse(b.expiresAt);
    if (Number.isNaN(expiresAt)) error = `binding \`${b.id}\`: malformed expiry \`${b.expiresAt}\``;
  }
  return {
    id: b.id,
    deny: false,
    source: 'binding',
    error,
    attributes: [],
    tags: [],
    scopes: null,
    nodes: [b.nodeId],
    rule: null,
    expiresAt,
    federatedGroup,
    serviceSubject: null,
    permits: 0,
  };
}

/** The empty candidate list every bucket starts with (most never get a deny): shared, so it costs nothing. */
export const NO_CANDIDATES: Candidate[] = Object.freeze([]) as unknown as Candidate[];

/** Trims every candidate list to its length: a list grown by push keeps spare capacity, which at 100k policies is most of the heap. */
function trimIndex(index: IdentityIndex): void {
  // a one-candidate list was created exactly sized ([c]); only lists grown by push carry spare capacity
  const trim = (b: Bucket) => {
    if (b.deny.length > 1) b.deny = b.deny.slice();
    if (b.allow.length > 1) b.allow = b.allow.slice();
  };
  for (const page of index.pages) if (page !== undefined) for (const b of page) if (b !== undefined) trim(b);
  for (const b of index.patterns.values()) trim(b);
}

/** The bucket of an action pattern in an index, created on demand when `create`. */
export function bucketOf(index: IdentityIndex, actions: ActionTable, pattern: string, create: boolean): Bucket | undefined {
  if (pattern.endsWith('*')) {
    const id = internPrefix(actions, pattern.slice(0, -1));
    return create ? patternSlot(index, id) : index.patterns.get(id);
  }
  const id = internAction(actions, pattern);
  return create ? exactSlot(index, id) : exactBucket(index, id);
}

/** Drops the bucket of a pattern when it holds no candidate any more. */
export function dropIfEmpty(index: IdentityIndex, actions: ActionTable, pattern: string): void {
  const b = bucketOf(index, actions, pattern, false);
  if (b === undefined || b.deny.length > 0 || b.allow.length > 0) return;
  if (pattern.endsWith('*')) index.patterns.delete(internPrefix(actions, pattern.slice(0, -1)));
  else {
    const id = internAction(actions, pattern);
    index.pages[id >>> PAGE_BITS]![id & PAGE_MASK] = undefined;
    index.exactCount--;
  }
}

/** The bucket of an interned action id in an index, if any. */
export function exactBucket(index: IdentityIndex, actionId: number): Bucket | undefined {
  const p = actionId >>> PAGE_BITS;
  if (actionId < 0 || p >= index.pages.length) return undefined;
  const page = index.pages[p];
  return page === undefined ? undefined : page[actionId & PAGE_MASK];
}

/** Calls `fn` for every exact action bucket of an index with its action id. */
export function forEachExactBucket(index: IdentityIndex, fn: (b: Bucket, actionId: number) => void): void {
  index.pages.forEach((page, p) => page?.forEach((b, i) => b !== undefined && fn(b, (p << PAGE_BITS) | i)));
}

/** True when a policy needs more than its service and attribute conditions checked. */
function isSlow(p: CompiledPolicy): boolean {
  return (
    p.expiresAt !== Number.POSITIVE_INFINITY ||
    p.serviceSubject !== null ||
    p.federatedGroup ||
    p.tags.length > 0 ||
    p.scopes !== null ||
    p.nodes !== null ||
    p.rule !== null
  );
}

/** The service a policy pins with `serviceName stringEquals`, if any: grants for other services can never match. */
function pinnedService(attributes: readonly AttributeMatcher[]): string | null {
  for (const m of attributes) if (m.name === 'serviceName' && m.op === 0) return m.value;
  return null;
}

/** Indexes a compiled policy under its subject identity, once per (role, pattern, service) it can grant. */
export function indexPolicy(
  a: AccountTable,
  subject: Policy['subject'] | Binding['subject'],
  cp: CompiledPolicy,
  roleIds: readonly string[],
  catalog: RoleCatalog,
): void {
  const index =
    subject.kind === 'principal' ? principalOf(a, subject.id).index : subject.kind === 'group' ? groupOf(a, subject.id).index : a.serviceIndex;
  const pinned = pinnedService(cp.attributes);
  // INVARIANT: a policy is indexed under its own account, and a request is looked up in the resource's account,
  // so `accountId stringEquals <own account>` always holds where the policy can be a candidate
  const general = cp.attributes.filter((m) => !(m.attr === ATTR.accountId && m.op === Op.Equals && m.value === a.id));
  const forService = new Map<string | null, AttributeMatcher[]>();
  const attributesFor = (service: string | null): AttributeMatcher[] => {
    let list = forService.get(service);
    if (list === undefined) {
      // a candidate granted for service S is only tried when the resource's serviceName is S
      list = service === null ? general : general.filter((m) => !(m.attr === ATTR.serviceName && m.op === Op.Equals && m.value === service));
      forService.set(service, list);
    }
    return list;
  };
  const slow = isSlow(cp);
  for (const roleId of roleIds) {
    const groups = catalog.groups.get(roleId);
    if (groups === undefined) continue;
    for (const g of groups) {
      const service = g.service;
      if (pinned !== null && service !== null && service !== pinned) continue;
      const attributes = attributesFor(service);
      const eq = attributes.findIndex((m) => m.op === Op.Equals && m.derived === 0);
      const c: Candidate = {
        id: cp.id,
        deny: cp.deny,
        error: cp.error,
        slow,
        policy: cp,
        role: g.role,
        service,
        attributes,
        eqAttr: eq < 0 ? -1 : attributes[eq]!.attr,
        eqValue: eq < 0 ? '' : attributes[eq]!.value,
        rest: eq < 0 ? attributes : attributes.filter((_, i) => i !== eq),
      };
      for (const id of g.actions) addCandidate(exactSlot(index, id), c);
      for (const id of g.prefixes) addCandidate(patternSlot(index, id), c);
    }
  }
}

/** The bucket of an interned action id, created if missing. */
function exactSlot(index: IdentityIndex, id: number): Bucket {
  const pages = index.pages;
  const p = id >>> PAGE_BITS;
  // INVARIANT: pages and pages' slots are filled with undefined up to what is used, so the arrays stay packed
  while (pages.length <= p) pages.push(undefined);
  let page = pages[p];
  if (page === undefined) pages[p] = page = new Array<Bucket | undefined>(PAGE_MASK + 1).fill(undefined);
  let b = page[id & PAGE_MASK];
  if (b === undefined) {
    page[id & PAGE_MASK] = b = { deny: NO_CANDIDATES, allow: NO_CANDIDATES, accel: undefined };
    index.exactCount++;
  }
  return b;
}

/** The bucket of an interned pattern prefix id, created if missing. */
function patternSlot(index: IdentityIndex, id: number): Bucket {
  let b = index.patterns.get(id);
  if (b === undefined) index.patterns.set(id, (b = { deny: NO_CANDIDATES, allow: NO_CANDIDATES, accel: undefined }));
  return b;
}

/** Adds a candidate to a bucket (once). */
function addCandidate(bucket: Bucket, c: Candidate): void {
  const deny = c.deny;
  const list = deny ? bucket.deny : bucket.allow;
  if (list[list.length - 1] === c) return;
  // INVARIANT: the shared empty list is never written to; a bucket gets its own list on its first candidate
  if (list === NO_CANDIDATES) {
    if (deny) bucket.deny = [c];
    else bucket.allow = [c];
  } else list.push(c);
  // INVARIANT: every bucket is created with an `accel` slot, so resetting it never changes the bucket's shape
  if (bucket.accel !== undefined) bucket.accel = undefined;
}

export function resolveResourceGroups(source: Pick<Source, 'resourceGroups'>): Map<string, ScopeTarget[]> {
  const out = new Map<string, ScopeTarget[]>();
  for (const rg of source.resourceGroups) {
    const targets: ScopeTarget[] = [];
    for (const sc of rg.scope) {
      const parsed = parseScope(sc, rg.accountId);
      if ('targets' in parsed) targets.push(...parsed.targets);
    }
    out.set(rg.id, targets);
  }
  return out;
}

/** Computes `up` (self, ancestors, organization) for every node given. */
export function compileNodes(nodes: Source['nodes'], accounts: Map<string, AccountTable>): void {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const n of nodes) {
    const up = new Set<string>([n.id]);
    let cur = n;
    // INVARIANT: parseSource refuses cycles; the bound keeps an unvalidated cycle from looping
    for (let i = 0; i < 64 && cur.parentId !== null; i++) {
      const parent = byId.get(cur.parentId);
      if (!parent || parent.accountId !== n.accountId) break;
      up.add(parent.id);
      cur = parent;
    }
    up.add(n.accountId);
    account(accounts, n.accountId).nodes.set(n.id, { id: n.id, kind: n.kind, up } satisfies NodeEntry);
  }
}

export function resolveResource(r: Source['resources'][number], num: number): ResolvedResource {
  const attributes: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(r.attributes ?? {})) attributes[k] = String(v);
  attributes['accountId'] = r.accountId;
  return {
    id: r.id,
    num,
    accountId: r.accountId,
    attributes,
    tags: (r.tags ?? []).map((t) => t.toLowerCase()),
    projects: r.projects ?? [],
    folders: r.folders ?? [],
    zones: r.zones ?? [],
    agentId: r.agentId,
  };
}

/** Compiles a source into decision tables. Pure: the source is not modified and nothing is read from outside. */
export function compile(source: Source): Tables {
  const accounts = new Map<string, AccountTable>();
  for (const acc of source.accounts) {
    const a = account(accounts, acc.id);
    a.publicAccess = acc.publicAccess !== false;
    a.thirdPartyServicesEnabled = acc.options?.thirdPartyServicesEnabled !== false;
    a.saasEnabled = acc.options?.saasEnabled !== false;
  }
  const connectors = new Map<string, SsoConnector[]>();
  for (const c of source.ssoConnectors ?? []) connectors.set(c.accountId, [...(connectors.get(c.accountId) ?? []), c]);
  for (const [accountId, list] of connectors) compileSso(account(accounts, accountId), list);
  for (const p of source.principals) {
    const e = principalOf(account(accounts, p.accountId), p.id);
    e.kind = p.kind;
    e.active = (p.status ?? 'active') === 'active';
    e.projects = p.projects ?? [];
    e.email = p.email;
  }
  for (const g of source.groups) {
    const a = account(accounts, g.accountId);
    const entry = groupOf(a, g.id);
    entry.federated = g.federated === true;
    if (g.id === PUBLIC_ACCESS_GROUP_ID) continue;
    for (const m of g.members ?? []) principalOf(a, m).staticGroups.push(entry);
    for (const rule of g.rules ?? []) {
      const list = a.claimRules.get(rule.realmName) ?? [];
      list.push({
        group: entry,
        ruleId: rule.id,
        conditions: (rule.conditions ?? []).map((c) => compileClaim(c.claim, c.operator, c.value)),
      } satisfies ClaimRuleEntry);
      a.claimRules.set(rule.realmName, list);
    }
  }
  for (const m of source.memberships) {
    const a = account(accounts, m.accountId);
    if (!a.groups.has(m.groupId)) continue;
    const expiresAt = Date.parse(m.expiresAt);
    const loginAt = Date.parse(m.loginAt);
    // a membership whose times cannot be read grants nothing
    if (Number.isNaN(expiresAt) || Number.isNaN(loginAt)) continue;
    // decisions change at the login as at the expiry
    a.expiries.push(loginAt, expiresAt);
    principalOf(a, m.principalId).dynamic.push({ group: groupOf(a, m.groupId), realm: m.realm, loginAt, expiresAt, expiresAtIso: m.expiresAt });
  }
  compileNodes(source.nodes, accounts);
  const actions = createActionTable();
  const catalog = buildRoleCatalog(source, actions);
  const attributeNames = createAttributeNames();
  const resourceGroups = resolveResourceGroups(source);
  let size = 0;
  for (const p of source.policies) {
    if (p.state === 'deleted') continue;
    const cp = compilePolicy(p, resourceGroups, attributeNames);
    const a = account(accounts, p.accountId);
    if (cp.rule !== null) a.timeRules = true;
    indexPolicy(a, p.subject, cp, p.roles, catalog);
    size++;
  }
  const groupsById = new Map(source.groups.map((g) => [`${g.accountId}/${g.id}`, g]));
  for (const b of source.bindings) {
    const a = account(accounts, b.accountId);
    if (b.subject.kind === 'principal') {
      const until = b.expiresAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(b.expiresAt);
      const pe = principalOf(a, b.subject.id);
      if (!Number.isNaN(until) && until > pe.directBindingUntil) pe.directBindingUntil = until;
    }
    if (b.expiresAt !== undefined) a.expiries.push(Date.parse(b.expiresAt));
    const federated = b.subject.kind === 'group' && groupsById.get(`${b.accountId}/${b.subject.id}`)?.federated === true;
    indexPolicy(a, b.subject, compileBinding(b, federated), [b.roleId], catalog);
    size++;
  }
  for (const a of accounts.values()) a.expiries = a.expiries.filter((t) => !Number.isNaN(t)).sort((x, y) => x - y);
  const resources = new Map<string, ResolvedResource>();
  let nextResourceNum = 1;
  for (const r of source.resources) resources.set(r.id, resolveResource(r, nextResourceNum++));
  const services = new Map<string, ServiceInfo>();
  for (const s of source.services) services.set(s.name, { type: s.type, groups: s.groups ?? [], thirdParty: s.thirdParty === true });
  for (const a of accounts.values()) {
    trimIndex(a.publicGroup.index);
    trimIndex(a.serviceIndex);
    for (const g of a.groups.values()) trimIndex(g.index);
    for (const p of a.principals.values()) trimIndex(p.index);
  }
  return { accounts, resources, services, size, version: 0, nextResourceNum, catalog, actions, attributeNames, resourceGroupTargets: resourceGroups };
}
