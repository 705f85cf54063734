/**
 * Peers side by side: casbin, CASL and Cedar (wasm) on an equivalent slice of the workload —
 * groups + roles + resource attribute equality + deny — each set up the way its users set it up.
 */
import { createMongoAbility, subject as caslSubject, type MongoAbility, type RawRuleOf } from '@casl/ability';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { newEnforcer, newModelFromString, type Enforcer } from 'casbin';
import type { Policy, Source } from '@portcullis/engine';
import { generateRequests, type BenchRequest, type Workload } from './workload.js';

/** The attributes a slice policy may test with `stringEquals`. */
const SLICE_ATTRIBUTES = ['accountId', 'serviceName', 'serviceInstance', 'region', 'resourceType', 'resource'] as const;
const OPTIONAL_ATTRIBUTES = ['serviceInstance', 'region', 'resourceType', 'resource'] as const;
type OptionalAttribute = (typeof OPTIONAL_ATTRIBUTES)[number];
/** Verbs a role pattern `svc.x.*` stands for: the closed action universe of the slice. */
const PATTERN_VERBS = ['list', 'get', 'update', 'create', 'delete', 'manage', 'read', 'list-objects', 'write', 'purge', 'configure', 'audit'];

/** A slice policy, in the neutral form every peer translates from. */
export interface SlicePolicy {
  id: string;
  accountId: string;
  effect: 'allow' | 'deny';
  subject: { kind: 'principal' | 'group'; id: string };
  service: string;
  /** `service#roleId` action groups. */
  svcRoles: string[];
  attrs: Partial<Record<OptionalAttribute, string>>;
}

/** The slice: a valid source (for our engine), its neutral model (for the peers), and requests. */
export interface Slice {
  source: Source;
  policies: SlicePolicy[];
  /** `svc#role` -> the concrete actions it grants. */
  svcRoleActions: Map<string, string[]>;
  /** action -> the `svc#role` groups that grant it. */
  actionParents: Map<string, string[]>;
  /** `account/principal` -> its static groups. */
  groupsOf: Map<string, string[]>;
  requests: BenchRequest[];
  stats: Record<string, number>;
}

/** Cuts the equality-only IBM part of the first `accounts` IBM accounts out of a workload. */
export function buildSlice(w: Workload, accounts: number, requestCount: number): Slice {
  const chosen = new Set(w.ibm.slice(0, accounts).map((u) => u.accountId));
  const s = w.source;
  const customRoles = new Set(s.roles.filter((r) => r.kind === 'custom').map((r) => r.id));
  const keep = (p: Policy) =>
    chosen.has(p.accountId) &&
    p.state === 'active' &&
    p.rule === undefined &&
    p.resource.tags.length === 0 &&
    p.resource.resourceGroups === undefined &&
    p.resource.nodes === undefined &&
    p.subject.kind !== 'service' &&
    !(p.subject.kind === 'group' && p.subject.id === 'AccessGroupId-PublicAccess') &&
    p.roles.every((r) => !customRoles.has(r)) &&
    p.resource.attributes.some((c) => c.name === 'serviceName') &&
    p.resource.attributes.every((c) => c.operator === 'stringEquals' && (SLICE_ATTRIBUTES as readonly string[]).includes(c.name));
  const policies = s.policies.filter(keep);
  const source: Source = {
    version: 1,
    accounts: s.accounts.filter((a) => chosen.has(a.id)).map((a) => ({ ...a, publicAccess: false })),
    principals: s.principals.filter((p) => chosen.has(p.accountId)).map((p) => ({ ...p, status: 'active' as const })),
    groups: s.groups.filter((g) => chosen.has(g.accountId)).map((g) => ({ ...g, rules: [] })),
    services: s.services,
    roles: s.roles.filter((r) => r.kind === 'platform' || r.kind === 'service'),
    policies,
    resourceGroups: [],
    nodes: [],
    bindings: [],
    resources: [],
    memberships: [],
    ssoConnectors: [],
  };

  const svcRoleActions = new Map<string, string[]>();
  const actionParents = new Map<string, string[]>();
  for (const v of source.services) {
    for (const [roleId, actions] of Object.entries(v.roles)) {
      const key = `${v.name}#${roleId}`;
      const concrete = actions.flatMap((a) => (a.endsWith('.*') ? PATTERN_VERBS.map((verb) => a.slice(0, -1) + verb) : [a]));
      svcRoleActions.set(key, concrete);
      for (const a of concrete) {
        const list = actionParents.get(a) ?? [];
        list.push(key);
        actionParents.set(a, list);
      }
    }
  }
  const groupsOf = new Map<string, string[]>();
  for (const g of source.groups) {
    for (const m of g.members) {
      const k = `${g.accountId}/${m}`;
      const list = groupsOf.get(k) ?? [];
      list.push(g.id);
      groupsOf.set(k, list);
    }
  }
  const neutral: SlicePolicy[] = policies.map((p) => {
    const service = String(p.resource.attributes.find((c) => c.name === 'serviceName')!.value);
    const attrs: SlicePolicy['attrs'] = {};
    for (const c of p.resource.attributes) if ((OPTIONAL_ATTRIBUTES as readonly string[]).includes(c.name)) attrs[c.name as OptionalAttribute] = String(c.value);
    return {
      id: p.id,
      accountId: p.accountId,
      effect: p.effect,
      subject: p.subject as SlicePolicy['subject'],
      service,
      svcRoles: p.roles.map((r) => `${service}#${r}`),
      attrs,
    };
  });
  const sliceWorkload: Workload = {
    ...w,
    source,
    ibm: w.ibm.filter((u) => chosen.has(u.accountId)).map((u) => ({ ...u, claimFor: new Map() })),
    cf: [],
    bx: [],
  };
  const { requests } = generateRequests(sliceWorkload, requestCount, {
    seed: 99,
    systems: ['ibm'],
    claimsShare: 0,
    anonymousShare: 0,
    foreignShare: 0,
  });
  return {
    source,
    policies: neutral,
    svcRoleActions,
    actionParents,
    groupsOf,
    requests,
    stats: {
      accounts: source.accounts.length,
      principals: source.principals.length,
      groups: source.groups.length,
      policies: policies.length,
      denyPolicies: policies.filter((p) => p.effect === 'deny').length,
    },
  };
}

/** A peer's answer: allowed, and when it can say so, the determining policy ids. */
export interface PeerAnswer {
  allowed: boolean;
  policies?: string[];
}

/** A prepared peer: `decide` is what is timed; `prepare` turns a request into what its users would hold. */
export interface Peer<P = unknown> {
  name: string;
  version: string;
  /** What setup cost (policy loading) was, in ms. */
  setupMs: number;
  prepare(r: BenchRequest): P;
  decide(p: P): PeerAnswer;
  /** Lines/rules/policies the peer holds, for the report. */
  size: string;
}

const attr = (r: BenchRequest, k: string): string | undefined => r.resource.attributes?.[k];

// ---------------------------------------------------------------------------------------------
// casbin: RBAC with domains (the account), action groups per (service, role), ABAC equality, deny-override.

const CASBIN_MODEL = `
[request_definition]
r = sub, dom, act, svc, inst, region, rtype, res

[policy_definition]
p = sub, dom, svcrole, svc, inst, region, rtype, res, eft

[role_definition]
g = _, _, _
g2 = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = r.dom == p.dom && r.svc == p.svc && (p.inst == "*" || r.inst == p.inst) && (p.region == "*" || r.region == p.region) && (p.rtype == "*" || r.rtype == p.rtype) && (p.res == "*" || r.res == p.res) && g(r.sub, p.sub, r.dom) && g2(r.act, p.svcrole)
`;

type CasbinArgs = string[];

/** casbin with its policies and role links loaded through the management API. */
export async function createCasbinPeer(slice: Slice, version: string): Promise<Peer<CasbinArgs>> {
  const t = performance.now();
  const e: Enforcer = await newEnforcer(newModelFromString(CASBIN_MODEL));
  const rules: string[][] = [];
  for (const p of slice.policies) {
    const sub = p.subject.kind === 'principal' ? `u:${p.subject.id}` : `g:${p.subject.id}`;
    for (const sr of p.svcRoles)
      rules.push([sub, p.accountId, sr, p.service, p.attrs.serviceInstance ?? '*', p.attrs.region ?? '*', p.attrs.resourceType ?? '*', p.attrs.resource ?? '*', p.effect]);
  }
  await e.addPolicies(rules);
  const links: string[][] = [];
  for (const [k, groups] of slice.groupsOf) {
    const [account, principal] = splitKey(k);
    for (const g of groups) links.push([`u:${principal}`, `g:${g}`, account]);
  }
  await e.addGroupingPolicies(links);
  const actionLinks: string[][] = [];
  for (const [sr, actions] of slice.svcRoleActions) for (const a of actions) actionLinks.push([a, sr]);
  await e.addNamedGroupingPolicies('g2', actionLinks);
  const setupMs = performance.now() - t;
  return {
    name: 'casbin',
    version,
    setupMs,
    size: `${rules.length} p lines, ${links.length} g links, ${actionLinks.length} g2 links`,
    prepare: (r) => [
      `u:${r.subject.id ?? ''}`,
      attr(r, 'accountId') ?? '',
      r.action,
      attr(r, 'serviceName') ?? '',
      attr(r, 'serviceInstance') ?? '',
      attr(r, 'region') ?? '',
      attr(r, 'resourceType') ?? '',
      attr(r, 'resource') ?? '',
    ],
    decide: (args) => ({ allowed: e.enforceSync(...args) }),
  };
}

function splitKey(k: string): [string, string] {
  const i = k.indexOf('/');
  return [k.slice(0, i), k.slice(i + 1)];
}

// ---------------------------------------------------------------------------------------------
// CASL: one ability per (subject, account), built from the rules of the subject's identities, as an app
// builds it at login; `cannot` rules come last so that they win.

type CaslAbility = MongoAbility<[string, 'Resource' | Record<string, unknown>]>;
interface CaslArgs {
  ability: CaslAbility;
  action: string;
  resource: Record<string, unknown>;
}

/** CASL abilities, built lazily per (account, principal) and kept, as a session would keep them. */
export function createCaslPeer(slice: Slice, version: string): Peer<CaslArgs> {
  const t = performance.now();
  const bySubject = new Map<string, SlicePolicy[]>();
  for (const p of slice.policies) {
    const k = `${p.accountId}/${p.subject.kind}/${p.subject.id}`;
    const list = bySubject.get(k) ?? [];
    list.push(p);
    bySubject.set(k, list);
  }
  const abilities = new Map<string, CaslAbility>();
  const indexMs = performance.now() - t;
  let buildMs = 0;
  const abilityFor = (account: string, principal: string | undefined): CaslAbility => {
    const key = `${account}/${principal ?? ''}`;
    let a = abilities.get(key);
    if (a) return a;
    const t0 = performance.now();
    const mine: SlicePolicy[] = [];
    if (principal !== undefined) {
      mine.push(...(bySubject.get(`${account}/principal/${principal}`) ?? []));
      for (const g of slice.groupsOf.get(key) ?? []) mine.push(...(bySubject.get(`${account}/group/${g}`) ?? []));
    }
    const allows: RawRuleOf<CaslAbility>[] = [];
    const denies: RawRuleOf<CaslAbility>[] = [];
    for (const p of mine) {
      const conditions: Record<string, string> = { accountId: p.accountId, serviceName: p.service, ...p.attrs };
      const action = [...new Set(p.svcRoles.flatMap((sr) => slice.svcRoleActions.get(sr) ?? []))];
      (p.effect === 'deny' ? denies : allows).push({ action, subject: 'Resource', conditions, inverted: p.effect === 'deny' });
    }
    a = createMongoAbility<CaslAbility>([...allows, ...denies]);
    abilities.set(key, a);
    buildMs += performance.now() - t0;
    return a;
  };
  return {
    name: 'CASL',
    version,
    get setupMs() {
      return indexMs + buildMs;
    },
    get size() {
      return `${abilities.size} abilities, built per subject in ${(buildMs / Math.max(1, abilities.size)).toFixed(2)} ms each`;
    },
    prepare: (r) => ({
      ability: abilityFor(attr(r, 'accountId') ?? '', r.subject.id),
      action: r.action,
      resource: caslSubject('Resource', { ...(r.resource.attributes ?? {}) }),
    }),
    decide: (x) => ({ allowed: x.ability.can(x.action, x.resource) }),
  };
}

// ---------------------------------------------------------------------------------------------
// Cedar: a preparsed policy set, schema-less; entities (principal with its groups, the resource with its
// attributes, the action with its action groups) passed with each call.

/** One Cedar policy in text form. */
export function cedarPolicyText(p: SlicePolicy): string {
  const q = JSON.stringify;
  const principal =
    p.subject.kind === 'principal' ? `principal == User::${q(`${p.accountId}/${p.subject.id}`)}` : `principal in Group::${q(`${p.accountId}/${p.subject.id}`)}`;
  const actions = p.svcRoles.map((sr) => `Action::${q(sr)}`).join(', ');
  const conds = [`resource.accountId == ${q(p.accountId)}`, `resource.serviceName == ${q(p.service)}`];
  for (const [k, v] of Object.entries(p.attrs)) conds.push(`resource has ${k} && resource.${k} == ${q(v)}`);
  return `${p.effect === 'deny' ? 'forbid' : 'permit'} (${principal}, action in [${actions}], resource is Resource) when { ${conds.join(' && ')} };`;
}

/** Cedar through cedar-wasm's stateful API (`preparsePolicySet` once, `statefulIsAuthorized` per call). */
export function createCedarPeer(slice: Slice, version: string): Peer<cedar.StatefulAuthorizationCall> {
  const t = performance.now();
  const staticPolicies: Record<string, string> = {};
  for (const p of slice.policies) staticPolicies[p.id] = cedarPolicyText(p);
  const id = `slice-${Date.now()}`;
  const parsed = cedar.preparsePolicySet(id, { staticPolicies });
  if (parsed.type !== 'success') throw new Error(`cedar: ${parsed.errors.map((e) => e.message).join('; ')}`);
  const setupMs = performance.now() - t;
  return {
    name: 'cedar-wasm',
    version: `${version} (cedar ${cedar.getCedarVersion()})`,
    setupMs,
    size: `${slice.policies.length} policies`,
    prepare: (r) => {
      const account = attr(r, 'accountId') ?? '';
      const user = `${account}/${r.subject.id ?? 'anonymous'}`;
      const groups = slice.groupsOf.get(user) ?? [];
      const entities: cedar.EntityJson[] = [
        { uid: { type: 'User', id: user }, attrs: {}, parents: groups.map((g) => ({ type: 'Group', id: `${account}/${g}` })) },
        { uid: { type: 'Resource', id: 'r' }, attrs: { ...(r.resource.attributes ?? {}) }, parents: [] },
        { uid: { type: 'Action', id: r.action }, attrs: {}, parents: (slice.actionParents.get(r.action) ?? []).map((sr) => ({ type: 'Action', id: sr })) },
      ];
      return {
        principal: { type: 'User', id: user },
        action: { type: 'Action', id: r.action },
        resource: { type: 'Resource', id: 'r' },
        context: {},
        preparsedPolicySetId: id,
        entities,
      };
    },
    decide: (call) => {
      const a = cedar.statefulIsAuthorized(call);
      if (a.type !== 'success') throw new Error(`cedar: ${a.errors.map((e) => e.message).join('; ')}`);
      if (a.response.diagnostics.errors.length > 0) throw new Error(`cedar: ${JSON.stringify(a.response.diagnostics.errors[0])}`);
      return { allowed: a.response.decision === 'allow', policies: [...a.response.diagnostics.reason].sort() };
    },
  };
}
