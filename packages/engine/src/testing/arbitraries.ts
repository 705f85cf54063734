// fast-check arbitraries for sources and requests. A source is generated as a blueprint of small
// independent choices (mostly indices into tiny pools) and then built by a pure function that
// resolves every reference, so each source is valid by construction and shrinks like plain data.
// The pools are tiny on purpose: subjects, groups, actions and attribute values should collide.
import fc from 'fast-check';
import type { AuthorizeRequest, RequestResource, RequestScalar, RequestSubject } from '../evaluate/types.js';
import type { Rule, RuleLeaf } from '../model/rule-condition.js';
import type {
  Account,
  Binding,
  DynamicMembership,
  Group,
  HierarchyNode,
  Policy,
  Principal,
  RegisteredResource,
  ResourceGroup,
  Role,
  Scope,
  Service,
  Source,
} from '../model/source.js';
import type { SsoConnector } from '../model/sso-connector.js';

/** The fixed clock of generated data: Wednesday 2025-03-12 10:30:00 UTC; every generated time is near it. */
export const BASE_TIME: number = Date.UTC(2025, 2, 12, 10, 30, 0);

/** The seed systems an account can follow. */
export type SeedSystem = 'ibm' | 'cloudflare' | 'bluexp';

/** Options of arbSource. */
export interface ArbSourceOptions {
  /** Which systems to generate accounts for; all three by default. */
  systems?: SeedSystem[];
  /** At most this many policies (or bindings) per account; 6 by default. */
  maxPolicies?: number;
}

/** Options of arbRequest. */
export interface ArbRequestOptions {
  /** Also produce, now and then, requests that break SEMANTICS §0 (they are typed as requests all the same). */
  malformed?: boolean;
}

const PUBLIC = 'AccessGroupId-PublicAccess';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const ACCOUNT_IDS: Record<SeedSystem, [string, string]> = { ibm: ['a1', 'a2'], cloudflare: ['c1', 'c2'], bluexp: ['o1', 'o2'] };
const PRINCIPAL_IDS = ['u1', 'u2', 'u3', 'svc1', 'agent1', 'agent2'] as const;
const GROUP_IDS = ['g1', 'g2', 'g3'] as const;
const REALMS = ['realm-a', 'realm-b'] as const;
const CLAIM_NAMES = ['dept', 'groups', 'level', 'toString'] as const;
const CLAIM_VALUES: (string | number | boolean)[] = ['eng', 'Eng', 'ops', 'a,b', '', '1', 1, true, 'true'];
const ZONES = ['z1', 'z2', 'z3'] as const;

const ACTIONS: Record<SeedSystem, string[]> = {
  ibm: ['cos.bucket.read', 'cos.bucket.write', 'cos.bucket.object.read', 'iam-groups.groups.read', 'iam-groups.groups.update', 'kms.key.read'],
  cloudflare: ['account:read', 'zone:read', 'zone:edit', 'dns:read', 'dns:edit', 'user:read'],
  bluexp: ['workspace:create', 'workspace:read', 'connector:read', 'volume:read', 'volume:create'],
};
const PATTERNS: Record<SeedSystem, string[]> = {
  ibm: ['cos.bucket.*', 'cos.*', 'iam-groups.*', 'kms.key.*'],
  cloudflare: ['dns:*', 'zone:*'],
  bluexp: ['workspace:*', 'volume:*'],
};
/** Actions a request may carry that no role grants as such: edge cases of the pattern rule. */
const ODD_ACTIONS = ['cos.', 'cos.bucket.', 'workspace:', 'workspace:*', 'cos.*', 'accounts:create', 'unknown.read'];

const SERVICE_NAMES = ['cos', 'iam-groups', 'kms', 'toString'] as const;
const ATTRIBUTE_NAMES = [
  'accountId',
  'serviceName',
  'serviceInstance',
  'region',
  'resourceType',
  'resource',
  'resourceGroupId',
  'serviceType',
  'service_group_id',
  'toString',
  'path',
] as const;
const GENERIC_VALUES: RequestScalar[] = ['', 'x', 5, 0, true, false, '5', 'true'];
const NAMED_VALUES: Record<string, RequestScalar[]> = {
  serviceName: ['cos', 'iam-groups', 'kms', 'toString', 'unknown-svc'],
  serviceInstance: ['inst-1', 'inst-2'],
  region: ['us-south', 'eu-de', 'us-east'],
  resourceType: ['bucket', 'key', 'user'],
  resource: ['bucket/a', 'bucket/a/b', 'a*b', 'a?b', '(x)', '[y]', '.+', 'a.b', 'x\ny', 'u1', 'u2'],
  resourceGroupId: ['rg-default', 'rg-2'],
  serviceType: ['service', 'platform_service'],
  service_group_id: ['IAM', 'SEC'],
  toString: ['x', ''],
  path: ['/a/b', '/a', 'a/b*', '$^', 'a\\b'],
};
const GLOBS = [
  '*',
  '',
  '?',
  'us-*',
  '?u-south',
  'bucket/*',
  '*/b',
  'a{{*}}b',
  'a{{?}}b',
  '*{{*}}*',
  '{{*}}',
  '{{?}}',
  '{{',
  '(x)',
  '.+',
  '[y]*',
  '*.*',
  '*\n*',
  'c?s',
  'iam-*',
  '*-groups',
  'platform_*',
  'I?M',
  '/a/*',
  '$^',
  'a\\*',
];
const TAG_NAMES = ['env', 'team', 'owner'] as const;
const TAG_VALUES = ['prod', 'dev', '', 'a:b', 'p*', 'd?v', '*', 'pr{{*}}d'] as const;
const OFFSETS = ['Z', '+00:00', '-05:00', '+05:30', '+02:00', '-11:00'] as const;
const DELTAS = [-7 * DAY, -DAY, -HOUR, -1, 0, 1, HOUR, DAY, 7 * DAY] as const;

// ---------------------------------------------------------------------------------------------
// small helpers

/** The element at `i` modulo the length, or undefined for an empty list. */
function at<T>(list: readonly T[], i: number): T | undefined {
  return list.length === 0 ? undefined : list[i % list.length];
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** Writes an instant as ISO 8601 at a UTC offset, e.g. `2025-03-12T12:30:00+02:00`. */
export function isoAtOffset(ms: number, offset: string): string {
  const sign = offset.startsWith('-') ? -1 : 1;
  const minutes = offset === 'Z' ? 0 : sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  let s = new Date(ms + minutes * 60_000).toISOString();
  if (s.endsWith('.000Z')) s = s.slice(0, -5) + 'Z';
  return s.slice(0, -1) + offset;
}

const arbOffset = fc.constantFrom(...OFFSETS);
const arbInstant = fc.record({ delta: fc.constantFrom(...DELTAS), offset: arbOffset }).map(({ delta, offset }) => isoAtOffset(BASE_TIME + delta, offset));
const seed = fc.nat(1000);

// ---------------------------------------------------------------------------------------------
// attribute, tag and rule conditions

interface CondSpec {
  name: number;
  op: number;
  values: number[];
}
const arbCondSpec: fc.Arbitrary<CondSpec> = fc.record({
  name: fc.nat(ATTRIBUTE_NAMES.length - 1),
  op: fc.nat(4),
  values: fc.array(seed, { minLength: 1, maxLength: 3 }),
});

function valuesFor(name: string, account: string): RequestScalar[] {
  if (name === 'accountId') return [account, 'a2', 'c1'];
  return [...(NAMED_VALUES[name] ?? []), ...GENERIC_VALUES];
}

function buildCondition(spec: CondSpec, account: string): { name: string; operator: Policy['resource']['attributes'][number]['operator']; value: RequestScalar | RequestScalar[] } {
  const name = at(ATTRIBUTE_NAMES, spec.name) as string;
  const exact = valuesFor(name, account);
  const globs: RequestScalar[] = [...exact.filter((v) => typeof v === 'string'), ...GLOBS];
  const first = spec.values[0] ?? 0;
  switch (spec.op) {
    case 0:
      return { name, operator: 'stringEquals', value: at(exact, first) as RequestScalar };
    case 1:
      return { name, operator: 'stringMatch', value: at(globs, first) as RequestScalar };
    case 2:
      return { name, operator: 'stringExists', value: at([true, false, 'true', 'false'], first) as RequestScalar };
    case 3:
      return { name, operator: 'stringEqualsAnyOf', value: spec.values.map((v) => at(exact, v) as RequestScalar) };
    default:
      return { name, operator: 'stringMatchAnyOf', value: spec.values.map((v) => at(globs, v) as RequestScalar) };
  }
}

const arbTag = fc
  .record({ name: fc.constantFrom(...TAG_NAMES), value: fc.constantFrom(...TAG_VALUES), match: fc.boolean() })
  .map(({ name, value, match }) => ({ name, value, operator: match ? ('stringMatch' as const) : ('stringEquals' as const) }));

const TIME_OPS = ['timeLessThan', 'timeLessThanOrEquals', 'timeGreaterThan', 'timeGreaterThanOrEquals'] as const;
const DATE_TIME_OPS = ['dateTimeLessThan', 'dateTimeLessThanOrEquals', 'dateTimeGreaterThan', 'dateTimeGreaterThanOrEquals'] as const;

type LeafSpec =
  | { t: 'time'; op: number; hour: number; minute: number; second: number | undefined; offset: string }
  | { t: 'dateTime'; op: number; when: string }
  | { t: 'day'; days: number[]; offset: string; many: boolean; ints: boolean[] }
  | { t: 'attr'; cond: CondSpec };

const arbLeafSpec: fc.Arbitrary<LeafSpec> = fc.oneof(
  fc.record({
    t: fc.constant('time' as const),
    op: fc.nat(3),
    hour: fc.constantFrom(10, 0, 5, 11, 15, 23),
    minute: fc.constantFrom(30, 0, 29, 31, 59),
    second: fc.option(fc.constantFrom(0, 59), { nil: undefined }),
    offset: arbOffset,
  }),
  fc.record({ t: fc.constant('dateTime' as const), op: fc.nat(3), when: arbInstant }),
  fc.record({
    t: fc.constant('day' as const),
    days: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 3 }),
    offset: arbOffset,
    many: fc.boolean(),
    // an integer weekday (IBM's `[1,2,3,4,5]`) means UTC; values of both forms mix
    ints: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  }),
  fc.record({ t: fc.constant('attr' as const), cond: arbCondSpec }),
);

type RuleSpec = { and: boolean; alone: boolean; items: (LeafSpec | { and: boolean; leaves: LeafSpec[] })[] };
const arbRuleSpec: fc.Arbitrary<RuleSpec> = fc.record({
  and: fc.boolean(),
  // the first item, when a leaf, stands alone as the whole rule (IBM v2 accepts a bare `{key, operator, value}`)
  alone: fc.boolean(),
  items: fc.array(
    fc.oneof(
      { weight: 3, arbitrary: arbLeafSpec },
      { weight: 1, arbitrary: fc.record({ and: fc.boolean(), leaves: fc.array(arbLeafSpec, { minLength: 1, maxLength: 3 }) }) },
    ),
    { minLength: 1, maxLength: 3 },
  ),
});

const two = (n: number) => String(n).padStart(2, '0');

function buildLeaf(spec: LeafSpec, account: string): RuleLeaf {
  switch (spec.t) {
    case 'time': {
      const sec = spec.second === undefined ? '' : `:${two(spec.second)}`;
      return { key: '{{environment.attributes.current_time}}', operator: TIME_OPS[spec.op % 4]!, value: `${two(spec.hour)}:${two(spec.minute)}${sec}${spec.offset}` };
    }
    case 'dateTime':
      return { key: '{{environment.attributes.current_date_time}}', operator: DATE_TIME_OPS[spec.op % 4]!, value: spec.when };
    case 'day': {
      const vals = spec.days.map((d, i) => (spec.ints[i] === true ? d : `${d}${spec.offset}`));
      return spec.many
        ? { key: '{{environment.attributes.day_of_week}}', operator: 'dayOfWeekAnyOf', value: vals }
        : { key: '{{environment.attributes.day_of_week}}', operator: 'dayOfWeekEquals', value: vals[0]! };
    }
    default: {
      const c = buildCondition(spec.cond, account);
      return { key: `{{resource.attributes.${c.name}}}`, operator: c.operator, value: c.value };
    }
  }
}

function buildRule(spec: RuleSpec, account: string): Rule {
  const first = spec.items[0];
  if (spec.alone && first !== undefined && !('leaves' in first)) return buildLeaf(first, account);
  return {
    operator: spec.and ? 'and' : 'or',
    conditions: spec.items.map((it) =>
      'leaves' in it ? { operator: it.and ? 'and' : 'or', conditions: it.leaves.map((l) => buildLeaf(l, account)) } : buildLeaf(it, account),
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// principals, groups, memberships

const arbStatus = fc.oneof(
  { weight: 6, arbitrary: fc.constant('active' as const) },
  { weight: 1, arbitrary: fc.constant('pending' as const) },
  { weight: 1, arbitrary: fc.constant('disabled' as const) },
);
const arbPrincipalSpecs = fc.uniqueArray(fc.record({ id: fc.nat(PRINCIPAL_IDS.length - 1), status: arbStatus, locked: fc.boolean(), projects: fc.array(seed, { maxLength: 2 }) }), {
  selector: (p) => p.id,
  maxLength: 5,
});

const arbClaimCondition = fc
  .record({ claim: fc.constantFrom(...CLAIM_NAMES), op: fc.nat(5), values: fc.array(fc.constantFrom(...CLAIM_VALUES), { minLength: 1, maxLength: 3 }) })
  .map(({ claim, op, values }) => {
    const operator = (['EQUALS', 'NOT_EQUALS', 'EQUALS_IGNORE_CASE', 'NOT_EQUALS_IGNORE_CASE', 'IN', 'CONTAINS'] as const)[op]!;
    return { claim, operator, value: JSON.stringify(operator === 'IN' ? values : values[0]) };
  });
const arbClaimRule = fc.record({
  realmName: fc.constantFrom(...REALMS),
  expiration: fc.integer({ min: 1, max: 24 }),
  conditions: fc.array(arbClaimCondition, { minLength: 1, maxLength: 3 }),
});
const arbGroupSpec = fc.record({
  members: fc.array(seed, { maxLength: 3 }),
  rules: fc.array(arbClaimRule, { maxLength: 2 }),
  federated: fc.boolean(),
});
const arbMembershipSpec = fc.record({ principal: seed, group: seed, realm: fc.constantFrom(...REALMS), expires: arbInstant, ruled: fc.boolean() });

// ---------------------------------------------------------------------------------------------
// policies, bindings, resources, nodes, resource groups

const arbSubjectSpec = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('principal' as const), i: seed }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('group' as const), i: seed }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('public' as const), i: seed }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('service' as const), i: seed }) },
);
const arbPolicySpec = fc.record({
  subject: arbSubjectSpec,
  deny: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  deleted: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  roles: fc.array(seed, { minLength: 1, maxLength: 2 }),
  attributes: fc.array(arbCondSpec, { maxLength: 3 }),
  tags: fc.array(arbTag, { maxLength: 2 }),
  rule: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arbRuleSpec }),
  /** Cloudflare resource groups / BlueXP nodes: undefined = none, else indices (possibly none at all). */
  scope: fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 6, arbitrary: fc.array(seed, { minLength: 1, maxLength: 2 }) },
    { weight: 1, arbitrary: fc.constant([]) },
  ),
});
type PolicySpec = typeof arbPolicySpec extends fc.Arbitrary<infer T> ? T : never;

const arbResourceSpec = fc.record({
  attributes: fc.uniqueArray(fc.record({ name: fc.nat(ATTRIBUTE_NAMES.length - 1), value: seed }), { selector: (a) => a.name, maxLength: 4 }),
  declareAccount: fc.boolean(),
  tags: fc.array(fc.record({ name: fc.constantFrom(...TAG_NAMES), value: fc.constantFrom(...TAG_VALUES) }), { maxLength: 2 }),
  projects: fc.array(seed, { maxLength: 2 }),
  folders: fc.array(seed, { maxLength: 1 }),
  zones: fc.array(fc.constantFrom(...ZONES), { maxLength: 2 }),
  agent: fc.option(seed, { nil: undefined }),
});
type ResourceSpec = typeof arbResourceSpec extends fc.Arbitrary<infer T> ? T : never;

const arbNodeSpec = fc.record({ project: fc.boolean(), parent: fc.option(seed, { nil: undefined, freq: 3 }), chain: fc.boolean() });
const arbBindingSpec = fc.record({
  group: fc.boolean(),
  i: seed,
  role: seed,
  node: fc.option(seed, { nil: undefined }),
  expires: fc.option(arbInstant, { nil: undefined }),
});

type ScopeKind = 'account' | 'zones' | 'legacy' | 'user' | 'mixed';
const arbScopeSpec = fc.record({ kind: fc.constantFrom<ScopeKind>('account', 'zones', 'legacy', 'user', 'mixed'), a: seed, b: seed });

const arbAccountSpec = (maxPolicies: number) =>
  fc.record({
    present: fc.boolean(),
    publicAccess: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    publicGroup: fc.boolean(),
    principals: arbPrincipalSpecs,
    groups: fc.array(arbGroupSpec, { maxLength: GROUP_IDS.length }),
    memberships: fc.array(arbMembershipSpec, { maxLength: 3 }),
    policies: fc.array(arbPolicySpec, { maxLength: maxPolicies }),
    resources: fc.array(arbResourceSpec, { maxLength: 3 }),
    nodes: fc.array(arbNodeSpec, { maxLength: 9 }),
    bindings: fc.array(arbBindingSpec, { maxLength: maxPolicies }),
    resourceGroups: fc.array(fc.array(arbScopeSpec, { minLength: 1, maxLength: 2 }), { maxLength: 4 }),
  });
type AccountSpec = typeof arbAccountSpec extends (n: number) => fc.Arbitrary<infer T> ? T : never;

const arbActions = (system: SeedSystem) => fc.subarray([...ACTIONS[system], ...PATTERNS[system]], { maxLength: 4 });
const arbRoleActions = fc.record({
  ibm: fc.tuple(arbActions('ibm'), arbActions('ibm'), arbActions('ibm'), arbActions('ibm')),
  cloudflare: fc.tuple(arbActions('cloudflare'), arbActions('cloudflare'), arbActions('cloudflare')),
  bluexp: fc.tuple(arbActions('bluexp'), arbActions('bluexp'), arbActions('bluexp'), arbActions('bluexp')),
  custom: fc.tuple(arbActions('ibm'), seed),
});
const arbCatalog = fc.record({
  present: fc.subarray([...SERVICE_NAMES], { minLength: 1 }),
  kmsGroups: fc.subarray(['IAM', 'SEC']),
  roleActions: fc.array(fc.record({ service: seed, role: seed, actions: arbActions('ibm') }), { maxLength: 4 }),
});

// ---------------------------------------------------------------------------------------------
// building

function buildRoles(systems: SeedSystem[], accounts: Account[], actions: typeof arbRoleActions extends fc.Arbitrary<infer T> ? T : never): Role[] {
  const roles: Role[] = [];
  if (systems.includes('ibm')) {
    const [viewer, editor, writer, odd] = actions.ibm;
    roles.push({ id: 'Viewer', kind: 'platform', actions: viewer });
    roles.push({ id: 'Editor', kind: 'platform', actions: editor });
    roles.push({ id: 'Writer', kind: 'service', actions: writer });
    // a role id that is also an Object.prototype member: lookups must use own properties
    roles.push({ id: 'toString', kind: 'service', actions: odd });
    for (const a of accounts)
      if (a.system === 'ibm')
        roles.push({ id: `Custom-${a.id}`, kind: 'custom', accountId: a.id, serviceName: at(SERVICE_NAMES, actions.custom[1])!, actions: actions.custom[0] });
  }
  if (systems.includes('cloudflare')) {
    const [acct, zone, user] = actions.cloudflare;
    roles.push({ id: 'pg-account', kind: 'permission-group', scopeType: 'account', actions: acct });
    roles.push({ id: 'pg-zone', kind: 'permission-group', scopeType: 'zone', actions: zone });
    roles.push({ id: 'pg-user', kind: 'permission-group', scopeType: 'user', actions: user });
  }
  if (systems.includes('bluexp')) {
    const [org, folder, member, viewer] = actions.bluexp;
    roles.push({ id: 'bx-org-admin', kind: 'bluexp', admin: 'organization', actions: org });
    roles.push({ id: 'bx-folder-admin', kind: 'bluexp', admin: 'folder-or-project', actions: folder });
    roles.push({ id: 'bx-member', kind: 'bluexp', actions: member });
    roles.push({ id: 'bx-viewer', kind: 'bluexp', actions: viewer });
  }
  return roles;
}

function buildCatalog(spec: typeof arbCatalog extends fc.Arbitrary<infer T> ? T : never, roles: Role[]): Service[] {
  const globalRoles = roles.filter((r) => r.accountId === undefined);
  return spec.present.map((name) => {
    const type = name === 'iam-groups' ? ('platform_service' as const) : ('service' as const);
    const groups = name === 'iam-groups' ? ['IAM'] : name === 'kms' ? [...spec.kmsGroups] : [];
    const rolesOf: Record<string, string[]> = {};
    for (const ra of spec.roleActions) {
      if (at(spec.present, ra.service) !== name) continue;
      const role = at(globalRoles, ra.role);
      if (role === undefined) continue;
      // own properties only: a role may be called `toString`
      const before = Object.prototype.hasOwnProperty.call(rolesOf, role.id) ? (rolesOf[role.id] ?? []) : [];
      rolesOf[role.id] = uniq([...before, ...ra.actions]);
    }
    return { name, type, groups, roles: rolesOf };
  });
}

function scopesOf(spec: { kind: ScopeKind; a: number; b: number }[], account: string): { scope: Scope[]; types: Set<string> } {
  const acct = `com.cloudflare.api.account.${account}`;
  const zoneKey = (z: string) => `com.cloudflare.api.account.zone.${z}`;
  const scope: Scope[] = [];
  const types = new Set<string>();
  for (const s of spec) {
    const z = at(ZONES, s.a)!;
    switch (s.kind) {
      case 'account':
        scope.push({ key: acct, objects: [{ key: '*' }] });
        types.add('account');
        break;
      case 'zones': {
        const objs = uniq([at([...ZONES, '*'], s.a)!, at([...ZONES, '*'], s.b)!]).map((x) => ({ key: zoneKey(x) }));
        scope.push({ key: acct, objects: objs });
        types.add('zone');
        break;
      }
      case 'legacy':
        scope.push({ key: zoneKey(z), objects: [{ key: '*' }] });
        types.add('zone');
        break;
      case 'user':
        scope.push({ key: `com.cloudflare.api.user.${at(['u1', 'u2'], s.a)!}`, objects: [{ key: '*' }] });
        types.add('user');
        break;
      default:
        scope.push({ key: acct, objects: [{ key: '*' }, { key: zoneKey(z) }] });
        types.add('account');
        types.add('zone');
    }
  }
  return { scope, types };
}

interface Built {
  accounts: Account[];
  principals: Principal[];
  groups: Group[];
  policies: Policy[];
  resourceGroups: ResourceGroup[];
  nodes: HierarchyNode[];
  bindings: Binding[];
  resources: RegisteredResource[];
  memberships: DynamicMembership[];
}

function buildAccount(system: SeedSystem, id: string, spec: AccountSpec, roles: Role[], out: Built): void {
  out.accounts.push({
    id,
    system,
    publicAccess: spec.publicAccess,
    options: { saasEnabled: true, thirdPartyServicesEnabled: true, notificationOptIn: false },
  });

  // BlueXP hierarchy first: principals (agents) and resources refer to it
  const nodes: HierarchyNode[] = [];
  const depth = new Map<string, number>();
  if (system === 'bluexp') {
    spec.nodes.forEach((n, i) => {
      const folders = nodes.filter((x) => x.kind === 'folder');
      const last = folders[folders.length - 1];
      let parent: HierarchyNode | undefined;
      if (n.chain && last !== undefined) parent = last;
      else if (n.parent !== undefined) parent = at(folders, n.parent);
      // INVARIANT: folders at most 6 deep, projects at most at level 7 (parse-source checkHierarchy)
      if (!n.project && parent !== undefined && (depth.get(parent.id) ?? 0) >= 6) parent = undefined;
      const node: HierarchyNode = { id: `${id}.${n.project ? 'p' : 'f'}${i + 1}`, accountId: id, kind: n.project ? 'project' : 'folder', parentId: parent?.id ?? null };
      depth.set(node.id, parent === undefined ? 1 : (depth.get(parent.id) ?? 0) + 1);
      nodes.push(node);
    });
  }
  const projects = nodes.filter((n) => n.kind === 'project').map((n) => n.id);
  const folders = nodes.filter((n) => n.kind === 'folder').map((n) => n.id);
  out.nodes.push(...nodes);

  const principals: Principal[] = spec.principals.map((p) => {
    const pid = PRINCIPAL_IDS[p.id]!;
    const kind = pid.startsWith('u') ? 'user' : pid.startsWith('svc') ? 'service' : 'agent';
    return {
      id: pid,
      accountId: id,
      kind,
      status: p.status,
      locked: kind === 'service' && p.locked,
      projects: kind === 'agent' ? uniq(p.projects.map((x) => at(projects, x)).filter((x): x is string => x !== undefined)) : [],
    };
  });
  out.principals.push(...principals);
  const pids = principals.map((p) => p.id);

  const groups: Group[] = spec.groups.map((g, i) => ({
    id: GROUP_IDS[i]!,
    accountId: id,
    name: `group ${GROUP_IDS[i]}`,
    description: '',
    members: uniq(g.members.map((m) => at(pids, m)).filter((x): x is string => x !== undefined)),
    rules: system === 'ibm' ? g.rules.map((r, j) => ({ id: `rule-${j + 1}`, ...r })) : [],
    federated: system === 'bluexp' && g.federated,
  }));
  if (system === 'ibm' && spec.publicGroup)
    groups.push({ id: PUBLIC, accountId: id, name: 'Public Access', description: '', members: [], rules: [], federated: false });
  out.groups.push(...groups);
  const realGroups = groups.filter((g) => g.id !== PUBLIC);

  for (const m of spec.memberships) {
    const principalId = at(pids, m.principal);
    const group = at(realGroups, m.group);
    if (principalId === undefined || group === undefined) continue;
    // one stored membership per (principal, group, realm): a later login replaces the earlier one
    if (out.memberships.some((x) => x.accountId === id && x.principalId === principalId && x.groupId === group.id && x.realm === m.realm)) continue;
    const ruleId = m.ruled ? group.rules[0]?.id : undefined;
    out.memberships.push({
      accountId: id,
      principalId,
      groupId: group.id,
      ...(ruleId !== undefined ? { ruleId } : {}),
      realm: m.realm,
      // a day before the expiry: requests fall before the login as well as after the expiry
      loginAt: isoAtOffset(Number.isFinite(Date.parse(m.expires)) ? Date.parse(m.expires) - DAY : BASE_TIME - 2 * DAY, 'Z'),
      expiresAt: m.expires,
    });
  }

  // Cloudflare resource groups
  const rgs: { rg: ResourceGroup; types: Set<string> }[] = [];
  if (system === 'cloudflare') {
    spec.resourceGroups.forEach((scopes, i) => {
      const { scope, types } = scopesOf(scopes, id);
      rgs.push({ rg: { id: `${id}.rg${i + 1}`, accountId: id, scope }, types });
    });
    out.resourceGroups.push(...rgs.map((r) => r.rg));
  }

  const usable = roles.filter((r) => {
    if (r.accountId !== undefined) return r.accountId === id;
    if (system === 'ibm') return r.kind === 'platform' || r.kind === 'service';
    if (system === 'cloudflare') return r.kind === 'permission-group';
    return r.kind === 'bluexp';
  });
  spec.policies.forEach((p, i) => out.policies.push(buildPolicy(system, id, `${id}.pol${i + 1}`, p, usable, pids, realGroups, rgs, nodes)));

  if (system === 'bluexp') {
    spec.bindings.forEach((b, i) => {
      const role = at(usable, b.role);
      if (role === undefined) return;
      const principalId = at(pids, b.i);
      const group = at(realGroups, b.i);
      const subject =
        (b.group || principalId === undefined) && group !== undefined
          ? { kind: 'group' as const, id: group.id }
          : principalId !== undefined
            ? { kind: 'principal' as const, id: principalId }
            : { kind: 'group' as const, id: PUBLIC };
      const nodeId = role.admin === 'organization' || b.node === undefined ? id : (at(nodes, b.node)?.id ?? id);
      out.bindings.push({ id: `${id}.b${i + 1}`, accountId: id, subject, roleId: role.id, nodeId, ...(b.expires !== undefined ? { expiresAt: b.expires } : {}) });
    });
  }

  spec.resources.forEach((r, i) => out.resources.push(buildResource(system, id, `${id}.r${i + 1}`, r, projects, folders, principals)));
}

function buildPolicy(
  system: SeedSystem,
  account: string,
  id: string,
  spec: PolicySpec,
  usable: Role[],
  pids: string[],
  groups: Group[],
  rgs: { rg: ResourceGroup; types: Set<string> }[],
  nodes: HierarchyNode[],
): Policy {
  let subject: Policy['subject'];
  const principalId = at(pids, spec.subject.i);
  const group = at(groups, spec.subject.i);
  if (spec.subject.kind === 'service') {
    const svc = at(SERVICE_NAMES, spec.subject.i)!;
    // INVARIANT: an authorization subject names its service and account (seed 004); a third come from another account
    subject = { kind: 'service', attributes: { serviceName: svc, accountId: spec.subject.i % 3 === 0 ? `${account}-src` : account } };
  } else if (spec.subject.kind === 'principal' && principalId !== undefined) subject = { kind: 'principal', id: principalId };
  else if (spec.subject.kind === 'group' && group !== undefined) subject = { kind: 'group', id: group.id };
  else subject = { kind: 'group', id: PUBLIC };

  let roles = uniq(spec.roles.map((r) => at(usable, r)).filter((r): r is Role => r !== undefined));
  // INVARIANT: every permission group of a policy has the one scope type its resource groups name (parse-source)
  const scopeType = roles.find((r) => r.kind === 'permission-group')?.scopeType;
  if (scopeType !== undefined) roles = roles.filter((r) => r.kind !== 'permission-group' || r.scopeType === scopeType);
  // attribute conditions and tags are IBM's; other systems get one now and then
  const ibm = system === 'ibm';
  const resource: Policy['resource'] = {
    attributes: spec.attributes.slice(0, ibm ? 3 : spec.attributes.length > 2 ? 1 : 0).map((c) => buildCondition(c, account)),
    tags: spec.tags.slice(0, ibm ? 2 : spec.tags.length > 1 ? 1 : 0),
  };
  if (subject.kind === 'service') {
    // INVARIANT: an authorization resource names its account and service and takes no tags (seed 004)
    const has = (name: string) => resource.attributes.some((a) => a.name === name);
    if (!has('accountId')) resource.attributes.unshift({ name: 'accountId', operator: 'stringEquals', value: account });
    if (!has('serviceName')) resource.attributes.push({ name: 'serviceName', operator: 'stringEquals', value: at(SERVICE_NAMES, spec.roles.length)! });
    resource.tags = [];
  }
  // INVARIANT: a Cloudflare policy names its resource groups (parse-source); without a blueprint, every one that fits
  if (system === 'cloudflare') {
    const picked = uniq((spec.scope ?? rgs.map((_, i) => i)).map((s) => at(rgs, s)).filter((x) => x !== undefined));
    const fitting = picked.filter((x) => scopeType === undefined || [...x.types].every((t) => t === scopeType)).map((x) => x.rg.id);
    // an empty list (which reaches nothing) only when the blueprint asks for one
    resource.resourceGroups = fitting;
  }
  if (spec.scope !== undefined && system === 'bluexp') {
    const targets = [account, ...nodes.map((n) => n.id)];
    resource.nodes = uniq(spec.scope.map((s) => at(targets, s)!));
  }
  const policy: Policy = {
    id,
    accountId: account,
    type: subject.kind === 'service' ? 'authorization' : 'access',
    effect: spec.deny ? 'deny' : 'allow',
    subject,
    roles: roles.length > 0 ? roles.map((r) => r.id) : [usable[0]!.id],
    resource,
    state: spec.deleted ? 'deleted' : 'active',
  };
  if (spec.rule !== undefined) policy.rule = buildRule(spec.rule, account);
  return policy;
}

function buildResource(
  system: SeedSystem,
  account: string,
  id: string,
  spec: ResourceSpec,
  projects: string[],
  folders: string[],
  principals: Principal[],
): RegisteredResource {
  const attributes: Record<string, RequestScalar> = {};
  for (const a of spec.attributes) {
    const name = ATTRIBUTE_NAMES[a.name]!;
    if (name === 'accountId') continue;
    attributes[name] = at(valuesFor(name, account), a.value)!;
  }
  if (spec.declareAccount) attributes['accountId'] = account;
  const agents = principals.filter((p) => p.kind === 'agent').map((p) => p.id);
  const agentId = system === 'bluexp' && spec.agent !== undefined ? at(agents, spec.agent) : undefined;
  return {
    id,
    accountId: account,
    attributes,
    tags: spec.tags.map((t) => `${t.name}:${t.value}`),
    projects: uniq(spec.projects.map((p) => at(projects, p)).filter((x): x is string => x !== undefined)),
    folders: uniq(spec.folders.map((f) => at(folders, f)).filter((x): x is string => x !== undefined)),
    zones: system === 'cloudflare' ? uniq(spec.zones) : [],
    ...(agentId !== undefined ? { agentId } : {}),
  };
}

/** Valid sources (parseSource accepts them unchanged) covering IBM, Cloudflare and BlueXP accounts, built from tiny pools so that ids collide. */
export function arbSource(opts: ArbSourceOptions = {}): fc.Arbitrary<Source> {
  const systems: SeedSystem[] = opts.systems ?? ['ibm', 'cloudflare', 'bluexp'];
  const maxPolicies = opts.maxPolicies ?? 6;
  const accountArb = arbAccountSpec(maxPolicies);
  return fc
    .record({
      accounts: fc.tuple(...systems.map(() => fc.tuple(accountArb, accountArb))),
      roleActions: arbRoleActions,
      catalog: arbCatalog,
      extras: arbExtras,
    })
    .map(({ accounts, roleActions, catalog, extras }) => {
      const out: Built = { accounts: [], principals: [], groups: [], policies: [], resourceGroups: [], nodes: [], bindings: [], resources: [], memberships: [] };
      const plan: { system: SeedSystem; id: string; spec: AccountSpec }[] = [];
      systems.forEach((system, i) => {
        const [first, second] = accounts[i]!;
        plan.push({ system, id: ACCOUNT_IDS[system][0], spec: first });
        if (second.present) plan.push({ system, id: ACCOUNT_IDS[system][1], spec: second });
      });
      const accountsOnly: Account[] = plan.map((p) => ({ id: p.id, system: p.system, publicAccess: true, options: { saasEnabled: true, thirdPartyServicesEnabled: true, notificationOptIn: false } }));
      const roles = buildRoles(systems, accountsOnly, roleActions);
      const services = systems.includes('ibm') ? buildCatalog(catalog, roles) : [];
      for (const p of plan) buildAccount(p.system, p.id, p.spec, roles, out);
      const source: Source = {
        version: 1,
        accounts: out.accounts,
        principals: out.principals,
        groups: out.groups,
        services,
        roles,
        policies: out.policies,
        resourceGroups: out.resourceGroups,
        nodes: out.nodes,
        bindings: out.bindings,
        resources: out.resources,
        memberships: out.memberships,
        ssoConnectors: [],
      };
      return applyExtras(source, extras);
    });
}

// ---------------------------------------------------------------------------------------------
// SSO connectors, account options, third-party services, emails (SEMANTICS §0.1)

/** The email domains of generated principals, requests and connectors; `corp.example.evil` must not pass for `corp.example`. */
const SSO_DOMAINS = ['corp.example', 'other.example'] as const;
const REQUEST_EMAILS = ['u1@corp.example', 'U2@Corp.Example', 'x@other.example', 'x@corp.example.evil', 'no-at-sign', 'trailing@'] as const;
const mostly = (v: boolean) => fc.oneof({ weight: 4, arbitrary: fc.constant(v) }, { weight: 1, arbitrary: fc.constant(!v) });
const arbExtras = fc.record({
  emails: fc.array(fc.nat(2), { minLength: PRINCIPAL_IDS.length, maxLength: PRINCIPAL_IDS.length }),
  options: fc.array(fc.record({ saas: mostly(true), third: mostly(true), notify: fc.boolean() }), { minLength: 6, maxLength: 6 }),
  thirdParty: fc.array(fc.boolean(), { minLength: SERVICE_NAMES.length, maxLength: SERVICE_NAMES.length }),
  connectors: fc.array(
    fc.record({
      account: fc.nat(5),
      domain: fc.nat(SSO_DOMAINS.length - 1),
      status: fc.constantFrom('awaiting', 'pending', 'verified', 'verified', 'failed') as fc.Arbitrary<SsoConnector['verification']['status']>,
      enabled: fc.boolean(),
      fedramp: fc.boolean(),
    }),
    { maxLength: 3 },
  ),
});

/** Adds emails, account options, third-party flags and SSO connectors to a built source; it stays valid. */
function applyExtras(source: Source, extras: typeof arbExtras extends fc.Arbitrary<infer T> ? T : never): Source {
  const emailOf = (id: string): string | undefined => {
    const k = extras.emails[PRINCIPAL_IDS.indexOf(id as (typeof PRINCIPAL_IDS)[number])] ?? 0;
    return k === 0 ? undefined : `${id}@${SSO_DOMAINS[k - 1]}`;
  };
  const principals = source.principals.map((p) => {
    const email = p.kind === 'user' ? emailOf(p.id) : undefined;
    return email === undefined ? p : { ...p, email };
  });
  const accounts = source.accounts.map((a, i) => {
    const o = extras.options[i % extras.options.length]!;
    return { ...a, options: { saasEnabled: o.saas, thirdPartyServicesEnabled: o.third, notificationOptIn: o.notify } };
  });
  const services = source.services.map((sv) => {
    const k = SERVICE_NAMES.indexOf(sv.name as (typeof SERVICE_NAMES)[number]);
    return k >= 0 && extras.thirdParty[k] === true ? { ...sv, thirdParty: true } : sv;
  });
  const ssoConnectors: SsoConnector[] = [];
  for (const c of extras.connectors) {
    const account = at(source.accounts, c.account);
    if (account === undefined) continue;
    const emailDomain = SSO_DOMAINS[c.domain]!;
    if (ssoConnectors.some((x) => x.accountId === account.id && x.emailDomain === emailDomain)) continue;
    ssoConnectors.push({
      id: `sso${account.id}d${c.domain}`.padEnd(32, '0'),
      accountId: account.id,
      emailDomain,
      enabled: c.enabled && c.status === 'verified',
      useFedrampLanguage: c.fedramp,
      verification: { code: `cloudflare_sso_verification=${account.id}.${c.domain}`, status: c.status },
    });
  }
  return { ...source, principals, accounts, services, ssoConnectors };
}

/** Adds an email (often in a connector's domain) and an SSO flag to some request subjects. */
function withSsoSubject(req: fc.Arbitrary<AuthorizeRequest>): fc.Arbitrary<AuthorizeRequest> {
  return fc
    .tuple(req, fc.option(fc.constantFrom(...REQUEST_EMAILS), { nil: undefined, freq: 2 }), fc.option(fc.boolean(), { nil: undefined, freq: 2 }))
    .map(([r, email, sso]) => {
      if (email === undefined && sso === undefined) return r;
      const subject: RequestSubject = { ...r.subject };
      if (email !== undefined) subject.email = email;
      if (sso !== undefined) subject.sso = sso;
      return { ...r, subject };
    });
}

// ---------------------------------------------------------------------------------------------
// requests

/** A string that the glob matches, so that `stringMatch` conditions are hit as often as missed. */
function sampleForGlob(glob: string, fill: string): string {
  return glob.replace(/\{\{\*\}\}/g, '\u0000').replace(/\{\{\?\}\}/g, '\u0001').replace(/\*/g, fill).replace(/\?/g, 'q').replace(/\u0000/g, '*').replace(/\u0001/g, '?');
}

function sub<T>(pool: T[], maxLength: number): fc.Arbitrary<T[]> {
  return fc.subarray(pool, { maxLength: Math.min(maxLength, pool.length) });
}

function fromPool<T>(pool: T[], fallback: T): fc.Arbitrary<T> {
  return pool.length === 0 ? fc.constant(fallback) : fc.constantFrom(...pool);
}

interface Pools {
  accounts: string[];
  principals: string[];
  actions: string[];
  attributeNames: string[];
  values: Map<string, RequestScalar[]>;
  tags: string[];
  projects: string[];
  folders: string[];
  agents: string[];
  resources: string[];
  times: number[];
  realms: string[];
  claims: Map<string, unknown[]>;
  services: Record<string, RequestScalar>[];
}

function poolsOf(source: Source): Pools {
  const values = new Map<string, RequestScalar[]>();
  const addValue = (name: string, v: RequestScalar) => values.set(name, uniq([...(values.get(name) ?? []), v]));
  for (const n of ATTRIBUTE_NAMES) for (const v of NAMED_VALUES[n] ?? []) addValue(n, v);
  const addCond = (name: string, operator: string, value: RequestScalar | RequestScalar[]) => {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (operator.startsWith('stringMatch')) {
        addValue(name, sampleForGlob(String(v), ''));
        addValue(name, sampleForGlob(String(v), 'x/y'));
      } else if (operator !== 'stringExists') addValue(name, v);
    }
  };
  const tags: string[] = ['ENV:Prod', 'env', 'team:', 'env:prod:x'];
  const times: number[] = [BASE_TIME, BASE_TIME + HOUR, BASE_TIME - 6 * HOUR, BASE_TIME + 3 * DAY, BASE_TIME + 13 * HOUR + 29 * 60_000];
  const addTime = (iso: string) => {
    const t = Date.parse(iso);
    if (Number.isFinite(t)) times.push(t - 1, t, t + 1);
  };
  const walkRule = (node: Rule | RuleLeaf) => {
    if ('conditions' in node) node.conditions.forEach(walkRule);
    else if (node.key.startsWith('{{resource.attributes.')) addCond(node.key.slice(22, -2), node.operator, node.value);
    else if (node.operator.startsWith('dateTime') && typeof node.value === 'string') addTime(node.value);
    else if (node.operator.startsWith('time') && typeof node.value === 'string') {
      // the instant on BASE_TIME's day when the local clock shows the value, and just around it
      const t = timeOfDayOnBaseDay(node.value);
      if (t !== undefined) times.push(t - 1000, t - 1, t, t + 500, t + 1000);
    }
  };
  const services: Record<string, RequestScalar>[] = [{ serviceName: 'cos' }, { serviceName: 'unknown-svc', accountId: 'a1' }];
  for (const p of source.policies) {
    for (const c of p.resource.attributes) addCond(c.name, c.operator, c.value);
    for (const t of p.resource.tags) tags.push(`${t.name}:${t.operator === 'stringMatch' ? sampleForGlob(t.value, 'r') : t.value}`);
    if (p.rule !== undefined) walkRule(p.rule);
    if (p.subject.kind === 'service') services.push({ ...p.subject.attributes, serviceInstance: 'inst-1' });
  }
  for (const r of source.resources) {
    for (const [k, v] of Object.entries(r.attributes)) addValue(k, v);
    tags.push(...r.tags);
  }
  for (const b of source.bindings) if (b.expiresAt !== undefined) addTime(b.expiresAt);
  for (const m of source.memberships) {
    addTime(m.loginAt);
    addTime(m.expiresAt);
  }
  const claims = new Map<string, unknown[]>();
  const addClaim = (name: string, v: unknown) => claims.set(name, [...(claims.get(name) ?? []), v]);
  for (const n of CLAIM_NAMES) addClaim(n, null);
  for (const g of source.groups)
    for (const r of g.rules)
      for (const c of r.conditions) {
        const v: unknown = JSON.parse(c.value);
        for (const x of Array.isArray(v) ? v : [v]) {
          addClaim(c.claim, x);
          if (typeof x === 'string') addClaim(c.claim, x.toUpperCase());
          addClaim(c.claim, [x, 'other']);
        }
      }
  const actions = new Set<string>(ODD_ACTIONS);
  const addAction = (a: string) => {
    actions.add(a);
    if (a.endsWith('*')) {
      actions.add(`${a.slice(0, -1)}read`);
      actions.add(`${a.slice(0, -1)}x.y`);
    }
  };
  for (const r of source.roles) r.actions.forEach(addAction);
  for (const s of source.services) for (const list of Object.values(s.roles)) list.forEach(addAction);
  for (const system of ['ibm', 'cloudflare', 'bluexp'] as const) ACTIONS[system].forEach(addAction);
  return {
    accounts: uniq([...source.accounts.map((a) => a.id)]),
    principals: uniq([...source.principals.map((p) => p.id), 'nobody']),
    actions: [...actions],
    attributeNames: [...ATTRIBUTE_NAMES],
    values,
    tags: uniq(tags),
    // mostly nodes of the right kind; a few unknown or of the wrong kind, which must reach nothing
    projects: uniq([...source.nodes.filter((n) => n.kind === 'project').map((n) => n.id), 'unknown-node']),
    folders: uniq([...source.nodes.filter((n) => n.kind === 'folder').map((n) => n.id), ...source.nodes.slice(0, 1).map((n) => n.id)]),
    agents: uniq(source.principals.filter((p) => p.kind === 'agent').map((p) => p.id)),
    resources: source.resources.map((r) => r.id),
    times: uniq(times),
    realms: uniq([...source.groups.flatMap((g) => g.rules.map((r) => r.realmName)), 'realm-x']),
    claims,
    services,
  };
}

function arbClaims(pools: Pools): fc.Arbitrary<{ realm: string; attributes: Record<string, unknown> }> {
  const names = [...pools.claims.keys()];
  return fc
    .record({
      realm: fromPool(pools.realms, 'realm-a'),
      attributes: fc.uniqueArray(
        fc.constantFrom(...names).chain((n) => fc.tuple(fc.constant(n), fromPool(pools.claims.get(n) ?? [], null))),
        { selector: ([n]) => n, maxLength: 3 },
      ),
    })
    .map(({ realm, attributes }) => {
      const rec: Record<string, unknown> = {};
      for (const [k, v] of attributes) Object.defineProperty(rec, k, { value: v, enumerable: true, writable: true, configurable: true });
      return { realm, attributes: rec };
    });
}

function timeOfDayOnBaseDay(value: string): number | undefined {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (m === null) return undefined;
  const off = m[4] === 'Z' ? 0 : (m[4]!.startsWith('-') ? -1 : 1) * (Number(m[4]!.slice(1, 3)) * 60 + Number(m[4]!.slice(4, 6)));
  const midnight = BASE_TIME - (BASE_TIME % DAY);
  return midnight + ((Number(m[1]) * 60 + Number(m[2]) - off) * 60 + Number(m[3] ?? '0')) * 1000;
}

/** What a request needs to meet one policy or binding: built from the source so that aimed requests often match. */
interface Aim {
  account: string;
  subjects: RequestSubject[];
  /** Actions the roles grant, with the service they need (if any). */
  actions: { action: string; serviceName: string | undefined }[];
  /** attribute name -> values that satisfy the conditions on it; `undefined` means leave it absent. */
  attributes: [string, (RequestScalar | undefined)[]][];
  tags: string[];
  /** Where the resource may sit: zones, projects and folders, agent, extra attributes. */
  places: { zones?: string[]; projects?: string[]; folders?: string[]; agentId?: string; attributes?: Record<string, RequestScalar> }[];
}

function satisfying(operator: string, value: RequestScalar | RequestScalar[]): (RequestScalar | undefined)[] {
  const vs = Array.isArray(value) ? value : [value];
  switch (operator) {
    case 'stringEquals':
    case 'stringEqualsAnyOf':
      return vs;
    case 'stringMatch':
    case 'stringMatchAnyOf':
      return vs.flatMap((v) => [sampleForGlob(String(v), ''), sampleForGlob(String(v), 'x/y')]);
    case 'stringExists':
      return String(value) === 'true' ? ['x', ''] : [undefined];
    default:
      return [];
  }
}

function claimsFor(rule: Group['rules'][number]): Record<string, unknown> {
  const attrs: Record<string, unknown> = {};
  for (const c of rule.conditions) {
    if (c.operator.startsWith('NOT_')) continue;
    const v: unknown = JSON.parse(c.value);
    const x = Array.isArray(v) ? v[0] : v;
    Object.defineProperty(attrs, c.claim, { value: c.operator === 'CONTAINS' && typeof x === 'string' ? `<${x}>` : x, enumerable: true, writable: true, configurable: true });
  }
  return attrs;
}

function aimsOf(source: Source): Aim[] {
  const aims: Aim[] = [];
  const nodeUp = (id: string): string[] => {
    const out: string[] = [];
    let cur = source.nodes.find((n) => n.id === id);
    while (cur !== undefined && !out.includes(cur.id)) {
      out.push(cur.id);
      const parentId: string | null = cur.parentId;
      cur = parentId === null ? undefined : source.nodes.find((n) => n.id === parentId);
    }
    return out;
  };
  const subjectsFor = (account: string, subject: Policy['subject'] | Binding['subject']): RequestSubject[] => {
    const active = source.principals.filter((p) => p.accountId === account);
    if (subject.kind === 'principal') return [{ id: subject.id }, { id: subject.id, accountId: account }];
    if (subject.kind === 'service') return [{ service: { ...subject.attributes } }];
    if (subject.id === PUBLIC) return [{}, ...active.slice(0, 1).map((p) => ({ id: p.id }))];
    const out: RequestSubject[] = [];
    for (const g of source.groups.filter((x) => x.accountId === account && x.id === subject.id)) {
      out.push(...g.members.map((id) => ({ id })));
      for (const r of g.rules) for (const p of active.slice(0, 2)) out.push({ id: p.id, claims: { realm: r.realmName, attributes: claimsFor(r) } });
    }
    for (const m of source.memberships) if (m.accountId === account && m.groupId === subject.id) out.push({ id: m.principalId });
    return out;
  };
  const actionsFor = (roleIds: string[]): Aim['actions'] => {
    const out: Aim['actions'] = [];
    const expand = (p: string, serviceName: string | undefined) => {
      if (p.endsWith('*')) out.push({ action: `${p.slice(0, -1)}read`, serviceName }, { action: `${p.slice(0, -1)}a.b`, serviceName });
      else out.push({ action: p, serviceName });
    };
    for (const id of roleIds) {
      const role = source.roles.find((r) => r.id === id);
      if (role === undefined) continue;
      for (const a of role.actions) expand(a, role.serviceName);
      for (const s of source.services) if (Object.prototype.hasOwnProperty.call(s.roles, id)) for (const a of s.roles[id] ?? []) expand(a, s.name);
    }
    return out;
  };
  const placesFor = (account: string, resourceGroups: string[] | undefined, nodes: string[] | undefined): Aim['places'] => {
    const places: Aim['places'] = [];
    for (const rgId of resourceGroups ?? []) {
      const rg = source.resourceGroups.find((r) => r.id === rgId);
      for (const sc of rg?.scope ?? []) {
        const user = /^com\.cloudflare\.api\.user\.(.+)$/.exec(sc.key);
        const legacy = /^com\.cloudflare\.api\.account\.zone\.(.+)$/.exec(sc.key);
        if (user) places.push({ attributes: { resourceType: 'user', resource: user[1]! } });
        else if (legacy) places.push({ zones: [legacy[1]!] });
        else
          for (const o of sc.objects) {
            if (o.key === '*') places.push({});
            else {
              const z = o.key.slice('com.cloudflare.api.account.zone.'.length);
              places.push({ zones: [z === '*' ? 'z2' : z] });
            }
          }
      }
    }
    for (const n of nodes ?? []) {
      if (n === account) places.push({});
      const agents = source.principals.filter((p) => p.accountId === account && p.kind === 'agent');
      for (const node of source.nodes.filter((x) => x.accountId === account && nodeUp(x.id).includes(n))) {
        if (node.kind === 'project') {
          places.push({ projects: [node.id] });
          for (const a of agents) places.push({ projects: [node.id], agentId: a.id });
        } else places.push({ folders: [node.id] });
      }
    }
    return places.length > 0 ? places : [{}];
  };
  for (const p of source.policies) {
    if (p.state !== 'active') continue;
    const attributes = new Map<string, (RequestScalar | undefined)[]>();
    const add = (name: string, vs: (RequestScalar | undefined)[]) => attributes.set(name, [...(attributes.get(name) ?? []), ...vs]);
    for (const c of p.resource.attributes) add(c.name, satisfying(c.operator, c.value));
    const walk = (node: Rule | RuleLeaf) => {
      if ('conditions' in node) node.conditions.forEach(walk);
      else if (node.key.startsWith('{{resource.attributes.')) add(node.key.slice(22, -2), satisfying(node.operator, node.value));
    };
    if (p.rule !== undefined) walk(p.rule);
    attributes.delete('accountId');
    aims.push({
      account: p.accountId,
      subjects: subjectsFor(p.accountId, p.subject),
      actions: actionsFor(p.roles),
      attributes: [...attributes],
      tags: p.resource.tags.map((t) => `${t.name}:${t.operator === 'stringMatch' ? sampleForGlob(t.value, 'r') : t.value}`),
      places: placesFor(p.accountId, p.resource.resourceGroups, p.resource.nodes),
    });
  }
  for (const b of source.bindings) {
    aims.push({
      account: b.accountId,
      subjects: subjectsFor(b.accountId, b.subject),
      actions: actionsFor([b.roleId]),
      attributes: [],
      tags: [],
      places: placesFor(b.accountId, undefined, [b.nodeId]),
    });
  }
  return aims.filter((a) => a.subjects.length > 0 && a.actions.length > 0);
}

function arbAimed(aim: Aim, now: fc.Arbitrary<number | string>): fc.Arbitrary<AuthorizeRequest> {
  return fc
    .record({
      subject: fc.constantFrom(...aim.subjects),
      action: fc.constantFrom(...aim.actions),
      attributes: fc.tuple(...aim.attributes.map(([name, vs]) => fromPool(vs, undefined).map((v) => [name, v] as const))),
      tags: fc.oneof({ weight: 3, arbitrary: fc.constant(aim.tags) }, { weight: 1, arbitrary: sub(aim.tags, 2) }),
      place: fc.constantFrom(...aim.places),
      now,
    })
    .map(({ subject, action, attributes, tags, place, now: n }) => {
      const attrs: Record<string, RequestScalar> = {};
      const set = (k: string, v: RequestScalar) => Object.defineProperty(attrs, k, { value: v, enumerable: true, writable: true, configurable: true });
      if (action.serviceName !== undefined) set('serviceName', action.serviceName);
      for (const [k, v] of attributes) if (v !== undefined) set(k, v);
      for (const [k, v] of Object.entries(place.attributes ?? {})) set(k, v);
      set('accountId', aim.account);
      const resource: RequestResource = { attributes: attrs };
      if (tags.length > 0) resource.tags = [...tags];
      if (place.zones !== undefined) resource.zones = [...place.zones];
      if (place.projects !== undefined) resource.projects = [...place.projects];
      if (place.folders !== undefined) resource.folders = [...place.folders];
      if (place.agentId !== undefined) resource.agentId = place.agentId;
      return { subject: { ...subject }, action: action.action, resource, environment: { now: n } };
    });
}

/** Requests aimed at one source: mostly its own ids, actions, attribute values, tags, nodes, zones and boundary times. */
export function arbRequest(source: Source, opts: ArbRequestOptions = {}): fc.Arbitrary<AuthorizeRequest> {
  const pools = poolsOf(source);
  const account = fc.oneof({ weight: 12, arbitrary: fromPool(pools.accounts, 'a1') }, { weight: 1, arbitrary: fc.constant('acct-unknown') });
  const subject: fc.Arbitrary<RequestSubject> = fc.oneof(
    { weight: 1, arbitrary: fc.constant({}) },
    {
      weight: 6,
      arbitrary: fc
        .record({
          id: fromPool(pools.principals, 'u1'),
          accountId: fc.option(account, { nil: undefined, freq: 4 }),
          authenticated: fc.option(fc.boolean(), { nil: undefined, freq: 4 }),
          claims: fc.option(arbClaims(pools), { nil: undefined, freq: 2 }),
        })
        .map(stripUndefined),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ service: fromPool(pools.services, { serviceName: 'cos' }), id: fc.option(fromPool(pools.principals, 'u1'), { nil: undefined }) })
        .map(stripUndefined),
    },
  );
  const attributeEntry = fc
    .constantFrom(...pools.attributeNames.filter((n) => n !== 'accountId'))
    .chain((n) => fc.tuple(fc.constant(n), fromPool(pools.values.get(n) ?? [], 'x')));
  const adhoc: fc.Arbitrary<RequestResource> = fc
    .record({
      account,
      attributes: fc.uniqueArray(attributeEntry, { selector: ([n]) => n, maxLength: 5 }),
      tags: fc.option(sub(pools.tags, 3), { nil: undefined }),
      projects: fc.option(sub(pools.projects, 2), { nil: undefined }),
      folders: fc.option(sub(pools.folders, 1), { nil: undefined, freq: 3 }),
      zones: fc.option(sub([...ZONES, 'z9'], 2), { nil: undefined, freq: 3 }),
      agentId: fc.option(fromPool(pools.agents, 'agent1'), { nil: undefined, freq: 4 }),
    })
    .map(({ account: a, attributes, ...rest }) => {
      const attrs: Record<string, RequestScalar> = {};
      for (const [k, v] of attributes) Object.defineProperty(attrs, k, { value: v, enumerable: true, writable: true, configurable: true });
      attrs['accountId'] = a;
      return stripUndefined({ attributes: attrs, ...rest });
    });
  const resource: fc.Arbitrary<RequestResource> =
    pools.resources.length === 0 ? adhoc : fc.oneof({ weight: 3, arbitrary: adhoc }, { weight: 1, arbitrary: fc.constantFrom(...pools.resources).map((id) => ({ id })) });
  const now = fc
    .record({ t: fc.constantFrom(...pools.times), shift: fc.constantFrom(0, 0, 0, 1, -1, HOUR, -DAY), iso: fc.option(arbOffset, { nil: undefined, freq: 4 }) })
    .map(({ t, shift, iso }) => (iso === undefined ? t + shift : isoAtOffset(t + shift, iso)));
  const scattered: fc.Arbitrary<AuthorizeRequest> = fc
    .record({ subject, action: fromPool(pools.actions, 'cos.bucket.read'), resource, now })
    .map(({ subject: s, action, resource: r, now: n }) => ({ subject: s, action, resource: r, environment: { now: n } }));
  // half the requests are aimed at one policy or binding, so that matches are common rather than rare
  const aims = aimsOf(source);
  const good: fc.Arbitrary<AuthorizeRequest> =
    aims.length === 0
      ? scattered
      : fc.oneof({ weight: 1, arbitrary: scattered }, { weight: 1, arbitrary: fc.oneof(...aims.map((a) => arbAimed(a, now))) });
  const gated = withSsoSubject(good);
  if (opts.malformed !== true) return gated;
  return fc.oneof({ weight: 8, arbitrary: gated }, { weight: 1, arbitrary: fc.tuple(gated, fc.nat(11)).map(([req, k]) => breakRequest(req, k)) });
}

/** Breaks one rule of SEMANTICS §0 in a valid request. */
function breakRequest(req: AuthorizeRequest, k: number): AuthorizeRequest {
  const r = JSON.parse(JSON.stringify(req)) as Record<string, unknown>;
  const resource = (r['resource'] ?? {}) as Record<string, unknown>;
  const subject = (r['subject'] ?? {}) as Record<string, unknown>;
  switch (k) {
    case 0:
      r['action'] = '';
      break;
    case 1:
      delete r['environment'];
      break;
    case 2:
      r['environment'] = { now: 'not a date' };
      break;
    case 3:
      r['resource'] = { attributes: { serviceName: 'cos' } };
      break;
    case 4:
      r['resource'] = { ...resource, attributes: { ...((resource['attributes'] as object | undefined) ?? { accountId: 'a1' }), region: { nested: true } } };
      break;
    case 5:
      r['resource'] = { ...resource, tags: 'env:prod' };
      break;
    case 6:
      r['resource'] = { id: 'no-such-resource' };
      break;
    case 7:
      r['subject'] = { ...subject, id: 42 };
      break;
    case 8:
      r['subject'] = null;
      break;
    case 10:
      r['subject'] = { ...subject, email: 5 };
      break;
    case 11:
      r['subject'] = { ...subject, sso: 'yes' };
      break;
    default:
      r['environment'] = { now: Number.NaN };
  }
  return r as unknown as AuthorizeRequest;
}

function stripUndefined<T extends object>(o: T): T {
  const out = {} as T;
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** A source together with a few requests aimed at it. */
export function arbSourceAndRequests(
  opts: ArbSourceOptions & ArbRequestOptions & { maxRequests?: number } = {},
): fc.Arbitrary<{ source: Source; requests: AuthorizeRequest[] }> {
  return arbSource(opts).chain((source) =>
    fc.array(arbRequest(source, opts), { minLength: 1, maxLength: opts.maxRequests ?? 8 }).map((requests) => ({ source, requests })),
  );
}
