/**
 * Deterministic workload generator: a source shaped like the three seed systems, at four scales,
 * and a stream of requests with a realistic mix of allow, explicit deny and no match.
 *
 * Everything is drawn from one seeded PRNG (mulberry32), so a scale and a seed always give the same
 * source and the same requests, byte for byte.
 */
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
  Service,
  Source,
} from '@portcullis/engine';

/** The instant every request is decided at (a Monday, midday UTC). */
export const NOW = Date.parse('2025-06-02T12:00:00Z');

/** One request as `authorize` takes it (structurally an `AuthorizeRequest`). */
export interface BenchRequest {
  subject: {
    id?: string;
    accountId?: string;
    claims?: { realm: string; attributes: Record<string, unknown> };
  };
  action: string;
  resource: {
    id?: string;
    attributes?: Record<string, string>;
    tags?: string[];
    projects?: string[];
    zones?: string[];
    agentId?: string;
  };
  environment?: { now: number };
}

/** A request without its subject, as `authorizeMany` takes it. */
export type BenchItem = Omit<BenchRequest, 'subject'>;

/** What a request was generated to exercise; the real outcome is what the engine answers. */
export type Intent = 'allow' | 'deny' | 'random';

export type ScaleName = 'S' | 'M' | 'L' | 'XL';

/** Policies (IBM policies + Cloudflare policies + BlueXP bindings) and principals per scale. */
export const SCALES: Record<ScaleName, { policies: number; principals: number }> = {
  S: { policies: 1_000, principals: 100 },
  M: { policies: 10_000, principals: 1_000 },
  L: { policies: 100_000, principals: 10_000 },
  XL: { policies: 1_000_000, principals: 100_000 },
};

/** A small, fast, seedable PRNG (mulberry32); returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Helpers over one PRNG. */
export class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('pick from an empty list');
    return xs[this.int(xs.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(16)];
    return s;
  }
  /** k distinct elements (k <= xs.length). */
  sample<T>(xs: readonly T[], k: number): T[] {
    const idx = new Set<number>();
    const n = Math.min(k, xs.length);
    while (idx.size < n) idx.add(this.int(xs.length));
    return [...idx].map((i) => xs[i] as T);
  }
}

// ---------------------------------------------------------------------------------------------
// The global catalog: services, their resource types and what each IBM role grants on them.

const REGIONS = ['us-south', 'us-east', 'eu-de', 'eu-gb', 'jp-tok', 'au-syd', 'ca-tor', 'br-sao'];
const SERVICE_NAMES = [
  'cloud-object-storage', 'kms', 'hs-crypto', 'secrets-manager', 'databases-for-postgresql', 'databases-for-mongodb',
  'databases-for-redis', 'messages-for-rabbitmq', 'messagehub', 'containers-kubernetes', 'is', 'logdna', 'sysdig-monitor',
  'cloudantnosqldb', 'appid', 'event-notifications', 'codeengine', 'functions', 'schematics', 'toolchain',
  'continuous-delivery', 'cloud-logs', 'atracker', 'dns-svcs', 'transit', 'directlink', 'power-iaas', 'watson-assistant',
  'watsonx-ai', 'project',
];
const PLATFORM_SERVICES = ['iam-groups', 'iam-identity', 'iam-access-management', 'billing', 'resource-controller', 'support'];
const RESOURCE_TYPES = ['bucket', 'instance', 'key', 'secret', 'cluster', 'volume', 'database', 'topic', 'subnet', 'vpc', 'queue', 'zone'];

/** IBM role ids, as the seed writes them. */
export const IBM_ROLES = {
  Viewer: 'crn:v1:bluemix:public:iam::::role:Viewer',
  Operator: 'crn:v1:bluemix:public:iam::::role:Operator',
  Editor: 'crn:v1:bluemix:public:iam::::role:Editor',
  Administrator: 'crn:v1:bluemix:public:iam::::role:Administrator',
  Reader: 'crn:v1:bluemix:public:iam::::serviceRole:Reader',
  Writer: 'crn:v1:bluemix:public:iam::::serviceRole:Writer',
  Manager: 'crn:v1:bluemix:public:iam::::serviceRole:Manager',
} as const;
const ROLE_VERBS: Record<keyof typeof IBM_ROLES, string[]> = {
  Viewer: ['list', 'get'],
  Operator: ['list', 'get', 'update'],
  Editor: ['list', 'get', 'update', 'create'],
  Administrator: ['list', 'get', 'update', 'create', 'delete', 'manage'],
  Reader: ['read', 'list-objects'],
  Writer: ['read', 'list-objects', 'write'],
  Manager: ['read', 'list-objects', 'write', 'purge', 'configure'],
};
const ALL_VERBS = [...new Set(Object.values(ROLE_VERBS).flat()), 'audit'];
const PRIVILEGED_VERBS = ['delete', 'manage', 'purge', 'configure', 'audit'];

/** Per service: its resource types. */
export interface ServiceInfo {
  name: string;
  resourceTypes: string[];
}

function buildCatalog(rng: Rng): { services: Service[]; infos: ServiceInfo[]; roles: Role[] } {
  const services: Service[] = [];
  const infos: ServiceInfo[] = [];
  const names = [...SERVICE_NAMES, ...PLATFORM_SERVICES];
  for (const name of names) {
    const platform = PLATFORM_SERVICES.includes(name);
    const rts = rng.sample(RESOURCE_TYPES, 2 + rng.int(3));
    const roles: Record<string, string[]> = {};
    for (const [short, id] of Object.entries(IBM_ROLES) as [keyof typeof IBM_ROLES, string][]) {
      const verbs = ROLE_VERBS[short];
      roles[id] = rts.flatMap((rt) => verbs.map((v) => `${name}.${rt}.${v}`));
    }
    // Administrator also holds the service's IAM actions through a pattern, as real platform roles do.
    roles[IBM_ROLES.Administrator]!.push(`${name}.policy.*`);
    services.push({ name, type: platform ? 'platform_service' : 'service', groups: platform ? ['IAM'] : [], roles });
    infos.push({ name, resourceTypes: rts });
  }
  const roles: Role[] = Object.entries(IBM_ROLES).map(([short, id]) => ({
    id,
    kind: short === 'Reader' || short === 'Writer' || short === 'Manager' ? 'service' : 'platform',
    name: short,
    actions: [],
  }));
  return { services, infos, roles };
}

// Cloudflare permission groups (global) and BlueXP roles (global).
const CF_PERMISSION_GROUPS: Role[] = [
  pg('cf-pg-account-read', 'account', ['account:read', 'billing:read', 'members:read']),
  pg('cf-pg-account-admin', 'account', ['account:*', 'billing:*', 'members:*']),
  pg('cf-pg-billing', 'account', ['billing:read', 'billing:edit']),
  pg('cf-pg-zone-read', 'zone', ['zone:read', 'dns:read', 'analytics:read']),
  pg('cf-pg-dns-edit', 'zone', ['dns:read', 'dns:edit', 'dns:create', 'dns:delete']),
  pg('cf-pg-zone-admin', 'zone', ['zone:*', 'dns:*', 'firewall:*', 'cache:purge']),
  pg('cf-pg-firewall', 'zone', ['firewall:read', 'firewall:edit']),
];
function pg(id: string, scopeType: 'account' | 'zone', actions: string[]): Role {
  return { id, kind: 'permission-group', name: id, actions, scopeType };
}
const CF_ACTIONS = ['account:read', 'billing:read', 'billing:edit', 'members:read', 'members:invite', 'zone:read', 'zone:edit',
  'dns:read', 'dns:edit', 'dns:create', 'dns:delete', 'firewall:read', 'firewall:edit', 'analytics:read', 'cache:purge'];

const BX_ROLES: Role[] = [
  { id: 'bx-org-admin', kind: 'bluexp', name: 'Organization admin', actions: ['tenancy:*', 'workspace:*', 'volume:*', 'agent:*'], admin: 'organization' },
  { id: 'bx-folder-admin', kind: 'bluexp', name: 'Folder or project admin', actions: ['workspace:*', 'volume:*'], admin: 'folder-or-project' },
  { id: 'bx-storage-admin', kind: 'bluexp', name: 'Storage admin', actions: ['volume:*', 'workspace:read'] },
  { id: 'bx-viewer', kind: 'bluexp', name: 'Viewer', actions: ['workspace:read', 'volume:read'] },
  { id: 'bx-ops', kind: 'bluexp', name: 'Operations support', actions: ['volume:read', 'volume:snapshot', 'agent:read'] },
];
const BX_ACTIONS = ['workspace:read', 'workspace:create', 'volume:read', 'volume:create', 'volume:delete', 'volume:snapshot', 'agent:read', 'tenancy:read'];

// ---------------------------------------------------------------------------------------------
// Per-account universes (what resources exist), kept beside the source for the request generator.

/** A service instance of an IBM account. */
export interface Instance {
  service: string;
  crn: string;
  region: string;
}

/** What the request generator needs to know about an IBM account beyond the source. */
export interface IbmUniverse {
  accountId: string;
  principals: string[];
  instances: Instance[];
  /** group id -> claim attributes that satisfy its rule (for requests carrying claims). */
  claimFor: Map<string, { realm: string; attributes: Record<string, unknown> }>;
}

export interface CfUniverse {
  accountId: string;
  members: string[];
  zones: string[];
}

export interface BxUniverse {
  accountId: string;
  users: string[];
  agents: string[];
  projects: string[];
  /** node id -> the projects at or below it. */
  projectsUnder: Map<string, string[]>;
  resources: string[];
}

/** A generated workload: the source, plus the universes the request generator draws from. */
export interface Workload {
  scale: ScaleName | 'custom';
  seed: number;
  source: Source;
  infos: ServiceInfo[];
  ibm: IbmUniverse[];
  cf: CfUniverse[];
  bx: BxUniverse[];
  /** Counts worth reporting. */
  stats: Record<string, number>;
}

/** Options of the generator; defaults are the realistic mix. */
export interface WorkloadOptions {
  seed?: number;
  /** Policies per IBM account (the seed limit is 4020). */
  policiesPerIbmAccount?: number;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Generates a whole source at a scale. Deterministic in (scale, seed). */
export function generateWorkload(scale: ScaleName | { policies: number; principals: number }, options: WorkloadOptions = {}): Workload {
  const seed = options.seed ?? 42;
  const rng = new Rng(seed);
  const size = typeof scale === 'string' ? SCALES[scale] : scale;
  const perIbm = options.policiesPerIbmAccount ?? 2500;

  const ibmPolicies = Math.round(size.policies * 0.85);
  const cfPolicies = Math.round(size.policies * 0.1);
  const bxBindings = size.policies - ibmPolicies - cfPolicies;
  const ibmPrincipals = Math.round(size.principals * 0.85);
  const cfPrincipals = Math.round(size.principals * 0.1);
  const bxPrincipals = size.principals - ibmPrincipals - cfPrincipals;

  const nIbm = Math.max(1, Math.round(ibmPolicies / perIbm));
  const nCf = Math.max(1, Math.round(cfPolicies / 1000));
  const nBx = Math.max(1, Math.round(bxBindings / 1000));

  const catalog = buildCatalog(rng);
  const source: Source = {
    version: 1,
    accounts: [],
    principals: [],
    groups: [],
    services: catalog.services,
    roles: [...catalog.roles, ...CF_PERMISSION_GROUPS, ...BX_ROLES],
    policies: [],
    resourceGroups: [],
    nodes: [],
    bindings: [],
    resources: [],
    memberships: [],
    ssoConnectors: [],
  };
  const w: Workload = { scale: typeof scale === 'string' ? scale : 'custom', seed, source, infos: catalog.infos, ibm: [], cf: [], bx: [], stats: {} };

  for (let a = 0; a < nIbm; a++) {
    const policies = Math.floor(ibmPolicies / nIbm) + (a < ibmPolicies % nIbm ? 1 : 0);
    const principals = Math.max(4, Math.floor(ibmPrincipals / nIbm) + (a < ibmPrincipals % nIbm ? 1 : 0));
    genIbmAccount(rng, w, a, policies, principals);
  }
  for (let a = 0; a < nCf; a++) {
    const policies = Math.floor(cfPolicies / nCf) + (a < cfPolicies % nCf ? 1 : 0);
    const members = Math.max(4, Math.floor(cfPrincipals / nCf));
    genCfAccount(rng, w, a, policies, members);
  }
  for (let a = 0; a < nBx; a++) {
    const bindings = Math.floor(bxBindings / nBx) + (a < bxBindings % nBx ? 1 : 0);
    const users = Math.max(6, Math.floor(bxPrincipals / nBx));
    genBxOrg(rng, w, a, bindings, users);
  }

  const s = source;
  w.stats = {
    accounts: s.accounts.length,
    ibmAccounts: nIbm,
    cloudflareAccounts: nCf,
    bluexpOrganizations: nBx,
    principals: s.principals.length,
    groups: s.groups.length,
    claimRuleGroups: s.groups.filter((g) => g.rules.length > 0).length,
    memberships: s.memberships.length,
    policies: s.policies.length,
    denyPolicies: s.policies.filter((p) => p.effect === 'deny').length,
    bindings: s.bindings.length,
    policiesAndBindings: s.policies.length + s.bindings.length,
    resourceGroups: s.resourceGroups.length,
    nodes: s.nodes.length,
    registeredResources: s.resources.length,
  };
  return w;
}

function genIbmAccount(rng: Rng, w: Workload, index: number, policies: number, principalCount: number): void {
  const s = w.source;
  const accountId = `ibm${String(index).padStart(4, '0')}${rng.hex(24)}`;
  s.accounts.push(account(accountId, 'ibm', index % 17 === 16 ? false : true));
  const realm = `https://login.ibm.com/idp/${accountId.slice(0, 12)}`;

  // principals: users mostly, some service ids, a few pending/disabled
  const principalIds: string[] = [];
  for (let i = 0; i < principalCount; i++) {
    const service = rng.chance(0.1);
    const id = service ? `iam-ServiceId-${rng.hex(8)}-${rng.hex(4)}-${rng.hex(12)}` : `IBMid-${rng.hex(10).toUpperCase()}`;
    const status = rng.chance(0.01) ? 'disabled' : rng.chance(0.01) ? 'pending' : 'active';
    s.principals.push(principal(id, accountId, service ? 'service' : 'user', status));
    principalIds.push(id);
  }

  // groups: ~principals/5 of them, 80% static, 20% filled by claim rules (dynamic memberships)
  const nGroups = Math.max(10, Math.round(principalCount / 5));
  const groupIds: string[] = [];
  const staticGroups: Group[] = [];
  const claimGroups: Group[] = [];
  const claimFor = new Map<string, { realm: string; attributes: Record<string, unknown> }>();
  for (let g = 0; g < nGroups; g++) {
    const id = `AccessGroupId-${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`;
    const dynamic = g % 5 === 4;
    const group: Group = {
      id,
      accountId,
      name: `${dynamic ? 'sso' : 'team'}-${g}`,
      description: dynamic ? `members from ${realm}` : '',
      members: [],
      rules: [],
      federated: false,
    };
    if (dynamic) {
      const dept = `dept-${g}`;
      const ruleId = `ClaimRule-${rng.hex(8)}`;
      group.rules.push({
        id: ruleId,
        realmName: realm,
        expiration: 12,
        conditions: rng.chance(0.5)
          ? [{ claim: 'department', operator: 'EQUALS', value: JSON.stringify(dept) }]
          : [
              { claim: 'groups', operator: 'CONTAINS', value: JSON.stringify(dept) },
              { claim: 'employeeType', operator: 'NOT_EQUALS', value: JSON.stringify('contractor') },
            ],
      });
      claimFor.set(id, { realm, attributes: { department: dept, groups: [dept, 'all-staff'], employeeType: 'regular' } });
      claimGroups.push(group);
    } else staticGroups.push(group);
    s.groups.push(group);
    groupIds.push(id);
  }
  // about 10 groups per principal: 8 static, 2 dynamic (one in ten of those logins has expired)
  for (const pid of principalIds) {
    for (const g of rng.sample(staticGroups, Math.min(8, staticGroups.length))) g.members.push(pid);
    for (const g of rng.sample(claimGroups, Math.min(2, claimGroups.length))) {
      const expired = rng.chance(0.1);
      const loginAt = NOW - (expired ? 20 : 2) * 3600_000;
      s.memberships.push({
        accountId,
        principalId: pid,
        groupId: g.id,
        ruleId: g.rules[0]!.id,
        realm,
        loginAt: iso(loginAt),
        expiresAt: iso(loginAt + 12 * 3600_000),
      });
    }
  }

  // service instances of this account
  const instances: Instance[] = [];
  const nInstances = 60 + rng.int(60);
  for (let i = 0; i < nInstances; i++) {
    const info = rng.pick(w.infos.slice(0, SERVICE_NAMES.length));
    const region = rng.pick(REGIONS);
    instances.push({ service: info.name, region, crn: `crn:v1:bluemix:public:${info.name}:${region}:a/${accountId}:${rng.hex(8)}-${rng.hex(4)}-${rng.hex(12)}::` });
  }

  // two custom roles of the account, each for one service, with a pattern
  const customRoles: Role[] = [];
  for (let c = 0; c < 2; c++) {
    const info = rng.pick(w.infos.slice(0, SERVICE_NAMES.length));
    const rt = info.resourceTypes[0]!;
    const role: Role = {
      id: `crn:v1:bluemix:public:${info.name}::a/${accountId}::customRole:Custom${c}`,
      kind: 'custom',
      accountId,
      name: `Custom${c}`,
      actions: [`${info.name}.${rt}.*`, `${info.name}.${rt}.audit`],
      serviceName: info.name,
    };
    customRoles.push(role);
    s.roles.push(role);
  }

  const roleShort = Object.keys(IBM_ROLES) as (keyof typeof IBM_ROLES)[];
  const platformShort = roleShort.filter((r) => !['Reader', 'Writer', 'Manager'].includes(r));
  const serviceShort = ['Reader', 'Writer', 'Manager'] as const;
  const publicPolicies = Math.max(1, Math.round(policies * 0.002));
  for (let k = 0; k < policies; k++) {
    const id = `${accountId.slice(0, 7)}-${String(k).padStart(5, '0')}-${rng.hex(10)}`;
    const deny = rng.chance(0.05);
    let subject: Policy['subject'];
    if (k < publicPolicies) subject = { kind: 'group', id: 'AccessGroupId-PublicAccess' };
    else if (rng.chance(0.75)) subject = { kind: 'group', id: rng.pick(groupIds) };
    else subject = { kind: 'principal', id: rng.pick(principalIds) };

    const inst = rng.pick(instances);
    const info = w.infos.find((i) => i.name === inst.service)!;
    const attributes: Policy['resource']['attributes'] = [{ name: 'accountId', operator: 'stringEquals', value: accountId }];
    const tags: Policy['resource']['tags'] = [];
    let roles: string[];
    const wide = rng.next();
    if (wide < 0.01 && !deny) {
      // all IAM-enabled services of the account
      attributes.push({ name: 'serviceType', operator: 'stringEquals', value: 'service' });
      roles = [IBM_ROLES[rng.pick(platformShort)]];
    } else {
      attributes.push({ name: 'serviceName', operator: 'stringEquals', value: inst.service });
      const custom = customRoles.filter((r) => r.serviceName === inst.service);
      if (custom.length > 0 && rng.chance(0.3)) roles = [custom[0]!.id];
      else if (rng.chance(0.5)) roles = [IBM_ROLES[rng.pick(platformShort)], IBM_ROLES[rng.pick(serviceShort)]];
      else roles = [IBM_ROLES[rng.chance(0.5) ? rng.pick(platformShort) : rng.pick(serviceShort)]];
      // allows mostly name an instance or a resource; denies always carve out one resource (or a few, by pattern)
      const shape = deny ? (rng.chance(0.7) ? 0.6 : 0.9) : rng.next();
      const rt = rng.pick(info.resourceTypes);
      if (shape < 0.04) {
        // service-wide
      } else if (shape < 0.54) {
        attributes.push({ name: 'serviceInstance', operator: 'stringEquals', value: inst.crn });
      } else if (shape < 0.82) {
        attributes.push({ name: 'serviceInstance', operator: 'stringEquals', value: inst.crn });
        attributes.push({ name: 'resourceType', operator: 'stringEquals', value: rt });
        attributes.push({ name: 'resource', operator: 'stringEquals', value: `${rt}-${rng.int(40)}` });
      } else if (shape < 0.85) {
        attributes.push({ name: 'region', operator: 'stringEquals', value: inst.region });
      } else if (shape < 0.93) {
        attributes.push({ name: 'serviceInstance', operator: 'stringEquals', value: inst.crn });
        attributes.push({ name: 'resource', operator: 'stringMatch', value: `${rt}-${rng.int(4) + 1}*` });
      } else {
        attributes.push({ name: 'serviceInstance', operator: 'stringEquals', value: inst.crn });
        if (rng.chance(0.7)) tags.push({ name: 'env', value: rng.pick(['prod', 'staging', 'dev']), operator: 'stringEquals' });
        else tags.push({ name: 'team', value: `${rng.pick(['a', 'b', 'c'])}*`, operator: 'stringMatch' });
      }
    }
    const policy: Policy = {
      id,
      accountId,
      type: 'access',
      effect: deny ? 'deny' : 'allow',
      subject,
      roles,
      resource: { attributes, tags },
      state: rng.chance(0.005) ? 'deleted' : 'active',
    };
    // time-based policies exist in one IBM account in five (and make that account's decisions uncacheable)
    if (index % 5 === 4 && rng.chance(0.02)) {
      policy.rule = {
        operator: 'and',
        conditions: [
          { key: '{{environment.attributes.current_time}}', operator: 'timeGreaterThanOrEquals', value: '09:00:00+00:00' },
          { key: '{{environment.attributes.current_time}}', operator: 'timeLessThan', value: '17:00:00+00:00' },
        ],
      };
    }
    s.policies.push(policy);
  }
  w.ibm.push({ accountId, principals: principalIds, instances, claimFor });
}

function genCfAccount(rng: Rng, w: Workload, index: number, policies: number, memberCount: number): void {
  const s = w.source;
  const accountId = `cf${String(index).padStart(4, '0')}${rng.hex(26)}`;
  s.accounts.push(account(accountId, 'cloudflare', false));
  const members: string[] = [];
  for (let i = 0; i < memberCount; i++) {
    const id = `cfm${rng.hex(29)}`;
    s.principals.push(principal(id, accountId, 'user', rng.chance(0.03) ? 'pending' : 'active'));
    members.push(id);
  }
  const groups: Group[] = [];
  for (let g = 0; g < Math.max(4, Math.round(memberCount / 5)); g++) {
    const group: Group = {
      id: `cfug${rng.hex(28)}`,
      accountId,
      name: `user-group-${g}`,
      description: '',
      members: [],
      rules: [],
      federated: false,
    };
    groups.push(group);
    s.groups.push(group);
  }
  for (const m of members) for (const g of rng.sample(groups, Math.min(6, groups.length))) g.members.push(m);

  const zones: string[] = [];
  for (let z = 0; z < 20; z++) zones.push(rng.hex(32));
  const rgAccount: ResourceGroup = {
    id: `cfrg-${accountId}-acct`,
    accountId,
    scope: [{ key: `com.cloudflare.api.account.${accountId}`, objects: [{ key: '*' }] }],
  };
  const rgAllZones: ResourceGroup = {
    id: `cfrg-${accountId}-zones`,
    accountId,
    scope: [{ key: `com.cloudflare.api.account.${accountId}`, objects: [{ key: 'com.cloudflare.api.account.zone.*' }] }],
  };
  const zoneRgs: ResourceGroup[] = [];
  for (let r = 0; r < 30; r++) {
    const picked = rng.sample(zones, 1 + rng.int(3));
    zoneRgs.push({
      id: `cfrg-${accountId}-${r}`,
      accountId,
      scope: [{ key: `com.cloudflare.api.account.${accountId}`, objects: picked.map((z) => ({ key: `com.cloudflare.api.account.zone.${z}` })) }],
    });
  }
  s.resourceGroups.push(rgAccount, rgAllZones, ...zoneRgs);
  const accountPgs = CF_PERMISSION_GROUPS.filter((p) => p.scopeType === 'account');
  const zonePgs = CF_PERMISSION_GROUPS.filter((p) => p.scopeType === 'zone');
  for (let k = 0; k < policies; k++) {
    // denies are rarer than in IBM-style allow lists and always name a few zones
    const deny = rng.chance(0.05);
    const accountScoped = !deny && rng.chance(0.25);
    const roles = accountScoped ? rng.sample(accountPgs, 1 + rng.int(2)) : rng.sample(zonePgs, 1 + rng.int(2));
    const rgs = accountScoped ? [rgAccount.id] : !deny && rng.chance(0.2) ? [rgAllZones.id] : [rng.pick(zoneRgs).id];
    s.policies.push({
      id: `cfp-${accountId.slice(0, 6)}-${String(k).padStart(5, '0')}-${rng.hex(8)}`,
      accountId,
      type: 'access',
      effect: deny ? 'deny' : 'allow',
      subject: rng.chance(0.6) ? { kind: 'group', id: rng.pick(groups).id } : { kind: 'principal', id: rng.pick(members) },
      roles: roles.map((r) => r.id),
      resource: { attributes: [], tags: [], resourceGroups: rgs },
      state: 'active',
    });
  }
  w.cf.push({ accountId, members, zones });
}

function genBxOrg(rng: Rng, w: Workload, index: number, bindings: number, userCount: number): void {
  const s = w.source;
  const accountId = `bxorg-${String(index).padStart(4, '0')}-${rng.hex(12)}`;
  s.accounts.push(account(accountId, 'bluexp', false));
  // hierarchy: 5 top folders, 4 subfolders each, 2 projects per subfolder, plus 4 projects at the root
  const projects: string[] = [];
  const projectsUnder = new Map<string, string[]>();
  const nodes: HierarchyNode[] = [];
  const addNode = (kind: 'folder' | 'project', parentId: string | null) => {
    const id = `${kind === 'folder' ? 'fld' : 'prj'}-${rng.hex(16)}`;
    nodes.push({ id, accountId, kind, parentId, name: id });
    if (kind === 'project') projects.push(id);
    return id;
  };
  const under = (node: string, p: string) => {
    const list = projectsUnder.get(node) ?? [];
    list.push(p);
    projectsUnder.set(node, list);
  };
  for (let f = 0; f < 5; f++) {
    const top = addNode('folder', null);
    for (let g = 0; g < 4; g++) {
      const sub = addNode('folder', top);
      for (let p = 0; p < 2; p++) {
        const prj = addNode('project', sub);
        under(prj, prj);
        under(sub, prj);
        under(top, prj);
        under(accountId, prj);
      }
    }
  }
  for (let p = 0; p < 4; p++) {
    const prj = addNode('project', null);
    under(prj, prj);
    under(accountId, prj);
  }
  s.nodes.push(...nodes);

  const users: string[] = [];
  for (let i = 0; i < userCount; i++) {
    const id = `bxu-${rng.hex(20)}`;
    s.principals.push(principal(id, accountId, 'user', 'active'));
    users.push(id);
  }
  const agents: string[] = [];
  for (let i = 0; i < 3; i++) {
    const id = `bxagent-${rng.hex(16)}`;
    const p = principal(id, accountId, 'agent', 'active');
    p.projects = rng.sample(projects, 8);
    s.principals.push(p);
    agents.push(id);
  }
  const groups: Group[] = [];
  for (let g = 0; g < Math.max(3, Math.round(userCount / 8)); g++) {
    const group: Group = {
      id: `bxgrp-${rng.hex(16)}`,
      accountId,
      name: `bx-group-${g}`,
      description: '',
      members: [],
      rules: [],
      federated: g % 4 === 3,
    };
    groups.push(group);
    s.groups.push(group);
  }
  for (const u of users) for (const g of rng.sample(groups, Math.min(3, groups.length))) g.members.push(u);

  const folderAndProjectNodes = nodes.map((n) => n.id);
  for (let k = 0; k < bindings; k++) {
    const role = k === 0 ? BX_ROLES[0]! : rng.pick(BX_ROLES.slice(1));
    const nodeId = role.admin === 'organization' ? accountId : rng.chance(0.05) ? accountId : rng.pick(folderAndProjectNodes);
    const b: Binding = {
      id: `bxb-${accountId.slice(6, 10)}-${String(k).padStart(5, '0')}-${rng.hex(8)}`,
      accountId,
      subject: k < userCount || rng.chance(0.7) ? { kind: 'principal', id: users[k % users.length]! } : { kind: 'group', id: rng.pick(groups).id },
      roleId: role.id,
      nodeId,
    };
    if (rng.chance(0.1)) b.expiresAt = iso(NOW + (rng.chance(0.3) ? -1 : 1) * (1 + rng.int(30)) * 86400_000);
    s.bindings.push(b);
  }
  const resources: string[] = [];
  for (let r = 0; r < 200; r++) {
    const res: RegisteredResource = {
      id: `bxres-${rng.hex(20)}`,
      accountId,
      attributes: { accountId, serviceName: 'bluexp', resourceType: rng.pick(['volume', 'workspace']) },
      tags: [],
      projects: rng.sample(projects, 1 + rng.int(2)),
      folders: [],
      zones: [],
    };
    if (rng.chance(0.3)) res.agentId = rng.pick(agents);
    s.resources.push(res);
    resources.push(res.id);
  }
  w.bx.push({ accountId, users, agents, projects, projectsUnder, resources });
}

function account(id: string, system: Account['system'], publicAccess: boolean): Account {
  // publicAccess stays on for most IBM accounts (the default); Cloudflare and BlueXP have no such group
  return {
    id,
    system,
    name: id,
    publicAccess,
    options: { saasEnabled: true, thirdPartyServicesEnabled: true, notificationOptIn: false },
  };
}

function principal(id: string, accountId: string, kind: Principal['kind'], status: Principal['status']): Principal {
  return { id, accountId, kind, status, locked: false, projects: [] };
}

// ---------------------------------------------------------------------------------------------
// The request stream.

/** Options of the request stream. */
export interface StreamOptions {
  seed?: number;
  /** Share of requests built from an allow policy (the rest: deny policies, then random). */
  allowShare?: number;
  denyShare?: number;
  /** Share of IBM requests that carry login claims, anonymous callers, callers of another account. */
  claimsShare?: number;
  anonymousShare?: number;
  foreignShare?: number;
  /** Systems to draw from (default all three in their policy proportions). */
  systems?: ('ibm' | 'cf' | 'bx')[];
}

/** Indexes of a workload the request generator needs (built once). */
class StreamIndex {
  readonly ibmByAccount = new Map<string, IbmUniverse>();
  readonly cfByAccount = new Map<string, CfUniverse>();
  readonly bxByAccount = new Map<string, BxUniverse>();
  readonly allow: Policy[] = [];
  readonly deny: Policy[] = [];
  readonly cfAllow: Policy[] = [];
  readonly cfDeny: Policy[] = [];
  readonly groups = new Map<string, Group>();
  readonly dynamicMembers = new Map<string, string[]>();
  readonly roles = new Map<string, Role>();
  readonly services = new Map<string, Service>();
  readonly rgs = new Map<string, ResourceGroup>();
  readonly infos = new Map<string, ServiceInfo>();
  constructor(readonly w: Workload) {
    for (const u of w.ibm) this.ibmByAccount.set(u.accountId, u);
    for (const u of w.cf) this.cfByAccount.set(u.accountId, u);
    for (const u of w.bx) this.bxByAccount.set(u.accountId, u);
    for (const p of w.source.policies) {
      if (p.state !== 'active') continue;
      const cf = this.cfByAccount.has(p.accountId);
      if (!cf && !this.ibmByAccount.has(p.accountId)) continue;
      (cf ? (p.effect === 'deny' ? this.cfDeny : this.cfAllow) : p.effect === 'deny' ? this.deny : this.allow).push(p);
    }
    for (const g of w.source.groups) this.groups.set(`${g.accountId}\u0000${g.id}`, g);
    for (const m of w.source.memberships) {
      if (Date.parse(m.expiresAt) <= NOW) continue;
      const k = `${m.accountId}\u0000${m.groupId}`;
      const list = this.dynamicMembers.get(k) ?? [];
      list.push(m.principalId);
      this.dynamicMembers.set(k, list);
    }
    for (const r of w.source.roles) this.roles.set(r.id, r);
    for (const v of w.source.services) this.services.set(v.name, v);
    for (const r of w.source.resourceGroups) this.rgs.set(r.id, r);
    for (const i of w.infos) this.infos.set(i.name, i);
  }
  /** Actions a role grants on a service, patterns expanded to one concrete action. */
  actionsFor(roleId: string, service: string, rng: Rng): string[] {
    const role = this.roles.get(roleId);
    const out: string[] = [];
    if (role && (role.serviceName === undefined || role.serviceName === service)) out.push(...role.actions);
    out.push(...(this.services.get(service)?.roles[roleId] ?? []));
    return out.map((a) => (a.endsWith('*') ? a.slice(0, -1) + rng.pick(a.endsWith(':*') ? ['read', 'edit', 'create'] : ALL_VERBS) : a));
  }
}

/** Generates `count` requests against a workload. */
export function generateRequests(w: Workload, count: number, options: StreamOptions = {}): { requests: BenchRequest[]; intents: Intent[] } {
  const rng = new Rng(options.seed ?? 7);
  const ix = new StreamIndex(w);
  const allowShare = options.allowShare ?? 0.6;
  const denyShare = options.denyShare ?? 0.08;
  const systems = options.systems ?? ['ibm', 'cf', 'bx'];
  const weights = { ibm: w.ibm.length > 0 ? 0.85 : 0, cf: w.cf.length > 0 ? 0.1 : 0, bx: w.bx.length > 0 ? 0.05 : 0 };
  const requests: BenchRequest[] = [];
  const intents: Intent[] = [];
  const total = systems.reduce((t, s) => t + weights[s], 0);
  while (requests.length < count) {
    let r = rng.next() * total;
    let system = systems[0]!;
    for (const s of systems) {
      r -= weights[s];
      if (r < 0) {
        system = s;
        break;
      }
    }
    const roll = rng.next();
    const intent: Intent = roll < allowShare ? 'allow' : roll < allowShare + denyShare ? 'deny' : 'random';
    const req = system === 'ibm' ? ibmRequest(rng, ix, intent, options) : system === 'cf' ? cfRequest(rng, ix, intent) : bxRequest(rng, ix, intent);
    if (!req) continue;
    requests.push(req);
    intents.push(intent);
  }
  return { requests, intents };
}

function memberOf(rng: Rng, ix: StreamIndex, accountId: string, groupId: string): string | undefined {
  const g = ix.groups.get(`${accountId}\u0000${groupId}`);
  const dyn = ix.dynamicMembers.get(`${accountId}\u0000${groupId}`) ?? [];
  const all = [...(g?.members ?? []), ...dyn];
  return all.length > 0 ? rng.pick(all) : undefined;
}

function ibmRequest(rng: Rng, ix: StreamIndex, intent: Intent, o: StreamOptions): BenchRequest | undefined {
  const now = NOW;
  if (intent === 'random' || (intent === 'deny' ? ix.deny : ix.allow).length === 0) {
    const u = rng.pick(ix.w.ibm);
    const inst = rng.pick(u.instances);
    const info = ix.infos.get(inst.service)!;
    const rt = rng.pick(info.resourceTypes);
    const attributes: Record<string, string> = {
      accountId: u.accountId,
      serviceName: inst.service,
      serviceInstance: inst.crn,
      region: inst.region,
      resourceType: rt,
      resource: `${rt}-${rng.int(60)}`,
    };
    // probes lean towards privileged verbs, which is where real callers get refused
    const verb = rng.chance(0.6) ? rng.pick(PRIVILEGED_VERBS) : rng.pick(ALL_VERBS);
    return { subject: { id: rng.pick(u.principals) }, action: `${inst.service}.${rt}.${verb}`, resource: { attributes }, environment: { now } };
  }
  const p = rng.pick(intent === 'deny' ? ix.deny : ix.allow);
  const u = ix.ibmByAccount.get(p.accountId)!;
  // the subject
  const subject: BenchRequest['subject'] = {};
  if (p.subject.kind === 'principal') subject.id = p.subject.id;
  else if (p.subject.kind === 'group' && p.subject.id === 'AccessGroupId-PublicAccess') {
    if (!rng.chance(o.anonymousShare ?? 0.3)) subject.id = rng.pick(u.principals);
  } else if (p.subject.kind === 'group') {
    const claims = u.claimFor.get(p.subject.id);
    if (claims && rng.chance((o.claimsShare ?? 0.05) * 5)) {
      subject.id = rng.pick(u.principals);
      subject.claims = claims;
    } else {
      const m = memberOf(rng, ix, p.accountId, p.subject.id);
      if (!m) return undefined;
      subject.id = m;
    }
  }
  if (subject.id !== undefined && rng.chance(o.foreignShare ?? 0.01)) subject.accountId = rng.pick(ix.w.ibm).accountId;
  // the resource: satisfy every condition, fill the rest from the account's universe
  const cond = new Map(p.resource.attributes.map((c) => [c.name, c]));
  const svcCond = cond.get('serviceName');
  const instCond = cond.get('serviceInstance');
  let inst = instCond ? u.instances.find((i) => i.crn === instCond.value) : undefined;
  if (!inst && svcCond) inst = u.instances.find((i) => i.service === svcCond.value);
  inst ??= rng.pick(u.instances);
  const service = svcCond ? String(svcCond.value) : inst.service;
  const info = ix.infos.get(service)!;
  const rtCond = cond.get('resourceType');
  const rt = rtCond ? String(rtCond.value) : rng.pick(info.resourceTypes);
  const attributes: Record<string, string> = { accountId: u.accountId, serviceName: service, serviceInstance: inst.crn, region: inst.region };
  const resCond = cond.get('resource');
  if (resCond?.operator === 'stringMatch') {
    attributes.resourceType = rt;
    attributes.resource = String(resCond.value).replace('*', String(rng.int(100)));
  } else if (resCond) {
    attributes.resourceType = rt;
    attributes.resource = String(resCond.value);
  } else if (rng.chance(0.7)) {
    attributes.resourceType = rt;
    attributes.resource = `${rt}-${rng.int(60)}`;
  }
  const regionCond = cond.get('region');
  if (regionCond) attributes.region = String(regionCond.value);
  const tags: string[] = [];
  for (const t of p.resource.tags) tags.push(`${t.name}:${t.value.replace('*', 'x')}`);
  if (rng.chance(0.2)) tags.push(`project:${rng.pick(['apollo', 'gemini', 'mercury'])}`);
  const roleId = rng.pick(p.roles);
  const actions = ix.actionsFor(roleId, service, rng);
  if (actions.length === 0) return undefined;
  const req: BenchRequest = { subject, action: rng.pick(actions), resource: { attributes }, environment: { now } };
  if (tags.length > 0) req.resource.tags = tags;
  return req;
}

function cfRequest(rng: Rng, ix: StreamIndex, intent: Intent): BenchRequest | undefined {
  const now = NOW;
  const list = intent === 'deny' ? ix.cfDeny : ix.cfAllow;
  if (intent === 'random' || list.length === 0) {
    const u = rng.pick(ix.w.cf);
    const zoned = rng.chance(0.7);
    return {
      subject: { id: rng.pick(u.members) },
      action: rng.pick(CF_ACTIONS),
      resource: zoned ? { attributes: { accountId: u.accountId }, zones: [rng.pick(u.zones)] } : { attributes: { accountId: u.accountId } },
      environment: { now },
    };
  }
  const p = rng.pick(list);
  const u = ix.cfByAccount.get(p.accountId)!;
  const id = p.subject.kind === 'principal' ? p.subject.id : p.subject.kind === 'group' ? memberOf(rng, ix, p.accountId, p.subject.id) : undefined;
  if (!id) return undefined;
  const rg = ix.rgs.get(p.resource.resourceGroups![0]!)!;
  const obj = rng.pick(rg.scope[0]!.objects).key;
  const role = ix.roles.get(rng.pick(p.roles))!;
  const action = rng.pick(ix.actionsFor(role.id, '', rng));
  let resource: BenchRequest['resource'];
  if (obj === '*') resource = { attributes: { accountId: u.accountId } };
  else {
    const z = obj.slice('com.cloudflare.api.account.zone.'.length);
    resource = { attributes: { accountId: u.accountId }, zones: [z === '*' ? rng.pick(u.zones) : z] };
  }
  return { subject: { id }, action, resource, environment: { now } };
}

function bxRequest(rng: Rng, ix: StreamIndex, intent: Intent): BenchRequest | undefined {
  const now = NOW;
  const src = ix.w.source;
  if (intent === 'random' || src.bindings.length === 0) {
    const u = rng.pick(ix.w.bx);
    return {
      subject: { id: rng.pick(u.users) },
      action: rng.pick(BX_ACTIONS),
      resource: rng.chance(0.3) ? { id: rng.pick(u.resources) } : { attributes: { accountId: u.accountId, serviceName: 'bluexp' }, projects: [rng.pick(u.projects)] },
      environment: { now },
    };
  }
  const b = rng.pick(src.bindings);
  const u = ix.bxByAccount.get(b.accountId)!;
  const id = b.subject.kind === 'principal' ? b.subject.id : memberOf(rng, ix, b.accountId, b.subject.id);
  if (!id) return undefined;
  const under = u.projectsUnder.get(b.nodeId);
  if (!under || under.length === 0) return undefined;
  const action = rng.pick(ix.actionsFor(b.roleId, 'bluexp', rng));
  const resource: BenchRequest['resource'] = { attributes: { accountId: u.accountId, serviceName: 'bluexp', resourceType: 'volume' }, projects: [rng.pick(under)] };
  if (rng.chance(0.1)) resource.agentId = rng.pick(u.agents);
  return { subject: { id }, action, resource, environment: { now } };
}

/**
 * Batches for `authorizeMany`: one subject, one action, `size` resources of the same service
 * (the "filter a listing" use), drawn from the IBM part of the workload.
 */
export function generateBatches(w: Workload, batches: number, size: number, seed = 11): { subject: BenchRequest['subject']; items: BenchItem[] }[] {
  const rng = new Rng(seed);
  const { requests } = generateRequests(w, batches * 4, { seed, systems: ['ibm'], allowShare: 0.9, denyShare: 0.05, claimsShare: 0, anonymousShare: 0 });
  const out: { subject: BenchRequest['subject']; items: BenchItem[] }[] = [];
  for (const r of requests) {
    if (out.length >= batches) break;
    if (!r.subject.id || r.subject.claims || r.subject.accountId) continue;
    const a = r.resource.attributes!;
    const u = w.ibm.find((x) => x.accountId === a.accountId)!;
    const sameService = u.instances.filter((i) => i.service === a.serviceName);
    const items: BenchItem[] = [];
    for (let k = 0; k < size; k++) {
      const inst = k === 0 || rng.chance(0.5) ? undefined : rng.pick(sameService);
      const attributes: Record<string, string> = inst ? { ...a, serviceInstance: inst.crn, region: inst.region } : { ...a };
      if (attributes['resourceType'] !== undefined) attributes['resource'] = `${attributes['resourceType']}-${rng.int(60)}`;
      items.push({ action: r.action, resource: { attributes }, environment: { now: NOW } });
    }
    out.push({ subject: r.subject, items });
  }
  return out;
}

/**
 * The cacheable form of a stream, as a host that registers its resources sends it: each distinct resource is
 * registered (returned, to be appended to the source) and named by id; no `environment` (the engine's clock decides).
 */
export function registerResources(requests: readonly BenchRequest[]): { resources: RegisteredResource[]; requests: BenchRequest[] } {
  const byKey = new Map<string, RegisteredResource>();
  const out: BenchRequest[] = [];
  for (const r of requests) {
    if (r.resource.id !== undefined) {
      out.push({ subject: r.subject, action: r.action, resource: { id: r.resource.id } } as BenchRequest);
      continue;
    }
    const key = JSON.stringify(r.resource);
    let reg = byKey.get(key);
    if (!reg) {
      const attributes = r.resource.attributes ?? {};
      reg = {
        id: `reg-${byKey.size}`,
        accountId: attributes['accountId'] ?? '',
        attributes,
        tags: (r.resource.tags ?? []).map((t) => t.toLowerCase()),
        projects: r.resource.projects ?? [],
        folders: [],
        zones: r.resource.zones ?? [],
      };
      if (r.resource.agentId !== undefined) reg.agentId = r.resource.agentId;
      byKey.set(key, reg);
    }
    out.push({ subject: r.subject, action: r.action, resource: { id: reg.id } } as BenchRequest);
  }
  return { resources: [...byKey.values()], requests: out };
}
