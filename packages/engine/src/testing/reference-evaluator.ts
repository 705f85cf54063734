// The naive twin of the compiled evaluator, written straight from SEMANTICS.md: no indexes, no
// caching, no interning. Every request loops over every policy and binding of the source. It is
// slow on purpose; its only job is to be obviously right so that differential tests can trust it.
import type { Issue } from '../errors.js';
import type {
  AuthorizeOptions,
  AuthorizeRequest,
  Decision,
  Explanation,
  IdentityPath,
  RequestScalar,
} from '../evaluate/types.js';
import { parseScope } from '../model/scope.js';
import type { Binding, Group, Policy, Principal, Role, Service, Source } from '../model/source.js';

const PUBLIC_ACCESS = 'AccessGroupId-PublicAccess';
const KEY_TIME = '{{environment.attributes.current_time}}';
const KEY_DATE_TIME = '{{environment.attributes.current_date_time}}';
const KEY_DAY = '{{environment.attributes.day_of_week}}';
const KEY_RESOURCE = /^\{\{resource\.attributes\.([A-Za-z0-9_.-]{1,128})\}\}$/;
const OFFSET = '(Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)';
const TIME_RE = new RegExp(`^([01]\\d|2[0-3]):([0-5]\\d)(?::([0-5]\\d))?${OFFSET}$`);
const DAY_RE = new RegExp(`^([1-7])${OFFSET}$`);
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const DAY_MS = 86_400_000;

/** A part of a candidate that cannot be evaluated; such a candidate is errored (SEMANTICS §3.6). */
const ERR = Symbol('errored');
type Tri = boolean | typeof ERR;

/** The request after §0: everything later sections read, already checked and normalised. */
interface Ctx {
  source: Source;
  account: string;
  now: number;
  action: string;
  subject: {
    id: string | undefined;
    accountId: string | undefined;
    authenticated: boolean;
    claims: { realm: string; attributes: Record<string, unknown> } | undefined;
    service: Record<string, RequestScalar> | undefined;
    email: string | undefined;
    sso: boolean;
  };
  attributes: Map<string, string>;
  tags: string[];
  projects: string[];
  folders: string[];
  zones: string[];
  agentId: string | undefined;
  /** The resource's service `S`, or undefined. */
  serviceName: string | undefined;
}

/** The caller's identities in the resource's account (§1). */
interface Identities {
  principal: Principal | undefined;
  /** group id -> the first way it was reached, in the order static, dynamic, claims, public. */
  groups: Map<string, IdentityPath>;
  service: Record<string, RequestScalar> | undefined;
}

/** One role of a candidate that grants the action, with the first pattern that does. */
interface Grant {
  role: Role;
  pattern: string;
}

interface Outcome {
  id: string;
  effect: 'allow' | 'deny';
  errored: boolean;
  explanation: Explanation;
}

/** Decides one request by brute force; never throws (an internal failure is an `invalid-request` deny). */
export function referenceAuthorize(source: Source, request: AuthorizeRequest, options?: AuthorizeOptions): Decision {
  try {
    const checked = checkRequest(source, request as unknown, options as unknown);
    if (Array.isArray(checked)) return invalid(checked);
    return decide(checked, options?.explain === true);
  } catch (e) {
    return invalid([{ path: [], message: `internal error: ${e instanceof Error ? e.message : String(e)}` }]);
  }
}

function invalid(issues: Issue[]): Decision {
  return { allowed: false, reason: 'invalid-request', policies: [], issues };
}

// ---------------------------------------------------------------------------------------------
// §0 the request

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(rec: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(rec, key) ? rec[key] : undefined;
}

function isScalar(v: unknown): v is RequestScalar {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** The range of a JavaScript Date: a time outside it is no time at all. */
const MAX_TIME = 8.64e15;

/** The keys each part of a request defines (SEMANTICS §0); any other own key is an issue. */
const DEFINED = {
  request: ['subject', 'action', 'resource', 'environment'],
  subject: ['id', 'accountId', 'authenticated', 'claims', 'service', 'email', 'sso'],
  claims: ['realm', 'attributes'],
  resource: ['id', 'attributes', 'tags', 'projects', 'folders', 'zones', 'agentId'],
  environment: ['now'],
  options: ['now', 'explain'],
} as const;

function checkRequest(source: Source, request: unknown, options: unknown): Ctx | Issue[] {
  const issues: Issue[] = [];
  const add = (path: (string | number)[], message: string) => issues.push({ path, message });
  const keys = (o: unknown, part: keyof typeof DEFINED, path: string[]) => {
    if (isObject(o)) for (const k of Object.keys(o)) if (!(DEFINED[part] as readonly string[]).includes(k)) add([...path, k], `unknown key \`${k}\``);
  };
  if (!isObject(request)) return [{ path: [], message: 'the request must be an object' }];
  if (options !== undefined && !isObject(options)) add(['options'], 'options must be an object');
  keys(request, 'request', []);
  keys(options, 'options', ['options']);
  keys(own(request, 'subject'), 'subject', ['subject']);
  keys(own(request, 'resource'), 'resource', ['resource']);
  keys(own(request, 'environment'), 'environment', ['environment']);
  const subjectClaims = isObject(own(request, 'subject')) ? own(own(request, 'subject') as Record<string, unknown>, 'claims') : undefined;
  keys(subjectClaims, 'claims', ['subject', 'claims']);
  const opts = isObject(options) ? options : {};

  const action = own(request, 'action');
  if (typeof action !== 'string' || action.length === 0) add(['action'], 'must be a non-empty string');
  const subject = own(request, 'subject');
  if (!isObject(subject)) add(['subject'], 'must be an object');
  const resource = own(request, 'resource');
  if (!isObject(resource)) add(['resource'], 'must be an object');

  // the time: environment.now wins over options.now
  let now = Number.NaN;
  const env = own(request, 'environment');
  if (env !== undefined && !isObject(env)) add(['environment'], 'must be an object');
  const envNow = isObject(env) ? own(env, 'now') : undefined;
  const optNow = own(opts, 'now');
  if (envNow !== undefined) {
    if (typeof envNow === 'number' && Number.isFinite(envNow) && Math.abs(envNow) <= MAX_TIME) now = envNow;
    else if (typeof envNow === 'string' && Number.isFinite(Date.parse(envNow))) now = Date.parse(envNow);
    else add(['environment', 'now'], 'must be epoch milliseconds or an ISO 8601 date-time');
  } else if (optNow !== undefined) {
    if (typeof optNow === 'number' && Number.isFinite(optNow) && Math.abs(optNow) <= MAX_TIME) now = optNow;
    else add(['options', 'now'], 'must be finite epoch milliseconds');
  } else {
    add(['environment', 'now'], 'no time: neither `environment.now` nor `options.now` is given');
  }

  // the subject
  let claims: Ctx['subject']['claims'];
  let service: Ctx['subject']['service'];
  const sub = isObject(subject) ? subject : {};
  const id = own(sub, 'id');
  if (id !== undefined && typeof id !== 'string') add(['subject', 'id'], 'must be a string');
  const actingAccount = own(sub, 'accountId');
  if (actingAccount !== undefined && typeof actingAccount !== 'string') add(['subject', 'accountId'], 'must be a string');
  const authenticated = own(sub, 'authenticated');
  if (authenticated !== undefined && typeof authenticated !== 'boolean') add(['subject', 'authenticated'], 'must be a boolean');
  const rawClaims = own(sub, 'claims');
  if (rawClaims !== undefined) {
    const realm = isObject(rawClaims) ? own(rawClaims, 'realm') : undefined;
    const attrs = isObject(rawClaims) ? own(rawClaims, 'attributes') : undefined;
    if (typeof realm !== 'string' || !isObject(attrs)) add(['subject', 'claims'], 'must be `{realm, attributes}`');
    else claims = { realm, attributes: attrs };
  }
  const email = own(sub, 'email');
  if (email !== undefined && typeof email !== 'string') add(['subject', 'email'], 'must be a string');
  const sso = own(sub, 'sso');
  if (sso !== undefined && typeof sso !== 'boolean') add(['subject', 'sso'], 'must be a boolean');
  const rawService = own(sub, 'service');
  if (rawService !== undefined) {
    if (!isObject(rawService)) add(['subject', 'service'], 'must be an object');
    else {
      for (const k of Object.keys(rawService))
        if (!isScalar(rawService[k])) add(['subject', 'service', k], 'must be a string, finite number or boolean');
      service = rawService as Record<string, RequestScalar>;
    }
  }

  // the resource: the request's own fields are checked even when a registered resource replaces them
  const res = isObject(resource) ? resource : {};
  const rawAttrs = own(res, 'attributes');
  if (rawAttrs !== undefined && !isObject(rawAttrs)) add(['resource', 'attributes'], 'must be an object');
  const reqAttrs = isObject(rawAttrs) ? rawAttrs : {};
  for (const k of Object.keys(reqAttrs))
    if (!isScalar(reqAttrs[k])) add(['resource', 'attributes', k], 'must be a string, finite number or boolean');
  for (const field of ['tags', 'projects', 'folders', 'zones'] as const) {
    const v = own(res, field);
    if (v !== undefined && !isStringArray(v)) add(['resource', field], 'must be an array of strings');
  }
  const reqAgent = own(res, 'agentId');
  if (reqAgent !== undefined && typeof reqAgent !== 'string') add(['resource', 'agentId'], 'must be a string');
  const resourceId = own(res, 'id');
  const registered = resourceId === undefined ? undefined : source.resources.find((r) => r.id === resourceId);
  if (resourceId !== undefined && registered === undefined)
    add(['resource', 'id'], `unknown resource \`${typeof resourceId === 'string' ? resourceId : String(resourceId)}\``);

  const attributes = new Map<string, string>();
  let tags: string[];
  let projects: string[];
  let folders: string[];
  let zones: string[];
  let agentId: string | undefined;
  let account: string | undefined;
  if (registered !== undefined) {
    for (const k of Object.keys(registered.attributes)) attributes.set(k, String(registered.attributes[k]));
    attributes.set('accountId', registered.accountId);
    account = registered.accountId;
    tags = [...registered.tags];
    projects = [...registered.projects];
    folders = [...registered.folders];
    zones = [...registered.zones];
    agentId = registered.agentId;
  } else {
    for (const k of Object.keys(reqAttrs)) if (isScalar(reqAttrs[k])) attributes.set(k, String(reqAttrs[k]));
    account = attributes.get('accountId');
    const list = (f: string) => {
      const v = own(res, f);
      return isStringArray(v) ? [...v] : [];
    };
    tags = list('tags');
    projects = list('projects');
    folders = list('folders');
    zones = list('zones');
    agentId = typeof reqAgent === 'string' ? reqAgent : undefined;
    if (isObject(resource) && account === undefined) add(['resource', 'attributes', 'accountId'], 'the resource has no account id');
  }

  if (issues.length > 0 || account === undefined || typeof action !== 'string') return issues;
  return {
    source,
    account,
    now,
    action,
    subject: {
      id: typeof id === 'string' ? id : undefined,
      accountId: typeof actingAccount === 'string' ? actingAccount : undefined,
      authenticated: authenticated !== false,
      claims,
      service,
      email: typeof email === 'string' ? email : undefined,
      sso: sso === true,
    },
    attributes,
    tags: tags.map((t) => t.toLowerCase()),
    projects,
    folders,
    zones,
    agentId,
    serviceName: attributes.get('serviceName'),
  };
}

// ---------------------------------------------------------------------------------------------
// §1 identities

function resolveIdentities(ctx: Ctx): Identities {
  const { source, account: A, subject, now } = ctx;
  const groups = new Map<string, IdentityPath>();
  const addGroup = (id: string, path: IdentityPath) => {
    if (!groups.has(id)) groups.set(id, path);
  };
  let principal: Principal | undefined;
  if (subject.id !== undefined && subject.authenticated && (subject.accountId ?? A) === A) {
    principal = source.principals.find((p) => p.accountId === A && p.id === subject.id && p.status === 'active');
  }
  if (principal !== undefined) {
    const pid = principal.id;
    for (const g of source.groups) if (g.accountId === A && g.members.includes(pid)) addGroup(g.id, { kind: 'group', id: g.id, via: 'static' });
    for (const m of source.memberships) {
      if (m.accountId === A && m.principalId === pid && parseInstant(m.loginAt) <= now && now < parseInstant(m.expiresAt))
        addGroup(m.groupId, { kind: 'group', id: m.groupId, via: 'dynamic', realm: m.realm, expiresAt: m.expiresAt });
    }
    const claims = subject.claims;
    if (claims !== undefined) {
      for (const g of source.groups) {
        if (g.accountId !== A) continue;
        const rule = g.rules.find((r) => r.realmName === claims.realm && r.conditions.length > 0 && r.conditions.every((c) => claimHolds(c, claims.attributes)));
        if (rule !== undefined) addGroup(g.id, { kind: 'group', id: g.id, via: 'claims', ruleId: rule.id, realm: rule.realmName });
      }
    }
  }
  const acct = source.accounts.find((a) => a.id === A);
  // INVARIANT: with publicAccess false the Public Access group is no identity at all, however it was reached
  if (acct?.publicAccess === false) groups.delete(PUBLIC_ACCESS);
  else addGroup(PUBLIC_ACCESS, { kind: 'group', id: PUBLIC_ACCESS, via: 'public' });
  return { principal, groups, service: subject.service };
}

/** Parses a stored instant strictly; NaN for anything malformed. */
function parseInstant(s: unknown): number {
  if (typeof s !== 'string' || !INSTANT_RE.test(s)) return Number.NaN;
  return Date.parse(s);
}

/** One claim condition on the claims of the request (§1, claim conditions). */
function claimHolds(cond: { claim: string; operator: string; value: string }, attrs: Record<string, unknown>): boolean {
  let v: unknown;
  try {
    v = JSON.parse(cond.value);
  } catch {
    return false;
  }
  const str = (x: unknown): string | undefined =>
    typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : undefined;
  const raw = own(attrs, cond.claim);
  const missing = raw === undefined || raw === null;
  let values: (string | undefined)[] = [];
  let multi = false;
  if (Array.isArray(raw)) {
    multi = true;
    values = raw.map(str);
  } else if (!missing) {
    const c = str(raw);
    // an object claim is neither a value nor missing: no operator holds on it
    if (c === undefined) return false;
    values = [c];
  }
  const lower = (s: string) => s.toLowerCase();
  let want: string;
  let wantList: string[] = [];
  if (cond.operator === 'IN') {
    if (!Array.isArray(v)) return false;
    wantList = v.map(str).filter((x): x is string => x !== undefined);
    want = '';
  } else {
    const w = str(v);
    if (w === undefined) return false;
    want = w;
  }
  const some = (f: (c: string) => boolean) => values.some((c) => c !== undefined && f(c));
  switch (cond.operator) {
    case 'EQUALS':
      return !missing && some((c) => c === want);
    case 'NOT_EQUALS':
      return missing || !some((c) => c === want);
    case 'EQUALS_IGNORE_CASE':
      return !missing && some((c) => lower(c) === lower(want));
    case 'NOT_EQUALS_IGNORE_CASE':
      return missing || !some((c) => lower(c) === lower(want));
    case 'IN':
      return !missing && some((c) => wantList.includes(c));
    case 'CONTAINS':
      return !missing && (multi ? some((c) => c === want) : some((c) => c.includes(want)));
    default:
      return false;
  }
}

/** The identity a policy subject names, when the caller holds it. */
function identityFor(subject: Policy['subject'] | Binding['subject'], ids: Identities): IdentityPath | undefined {
  switch (subject.kind) {
    case 'principal':
      return ids.principal !== undefined && ids.principal.id === subject.id ? { kind: 'principal', id: subject.id } : undefined;
    case 'group':
      return ids.groups.get(subject.id);
    case 'service': {
      const svc = ids.service;
      if (svc === undefined) return undefined;
      for (const k of Object.keys(subject.attributes)) {
        const mine = own(svc, k);
        if (mine === undefined || String(mine) !== String(subject.attributes[k])) return undefined;
      }
      const name = own(svc, 'serviceName');
      return { kind: 'service', serviceName: name === undefined ? '' : String(name) };
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// §2 roles and actions

/** True when pattern `p` matches action `a`: equal, or a trailing `*` over a strictly longer action. */
export function referenceActionMatch(p: string, a: string): boolean {
  if (p === '*') return false;
  if (p === a) return true;
  if (!p.endsWith('*')) return false;
  const prefix = p.slice(0, -1);
  return a.length > prefix.length && a.startsWith(prefix);
}

function catalogEntry(ctx: Ctx): Service | undefined {
  const S = ctx.serviceName;
  return S === undefined ? undefined : ctx.source.services.find((s) => s.name === S);
}

/** The roles (in the given order) that grant the action for the resource's service, each with its first matching pattern. */
function grantsOf(ctx: Ctx, roleIds: string[]): Grant[] {
  const out: Grant[] = [];
  const entry = catalogEntry(ctx);
  for (const roleId of roleIds) {
    const role = ctx.source.roles.find((r) => r.id === roleId);
    if (role === undefined) continue;
    const patterns: string[] = [];
    if (role.serviceName === undefined || role.serviceName === ctx.serviceName) patterns.push(...role.actions);
    if (entry !== undefined && Object.prototype.hasOwnProperty.call(entry.roles, role.id)) {
      const extra = entry.roles[role.id];
      if (Array.isArray(extra)) patterns.push(...extra);
    }
    const pattern = patterns.find((p) => typeof p === 'string' && referenceActionMatch(p, ctx.action));
    if (pattern !== undefined) out.push({ role, pattern });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// §3.1 attributes, glob

type Tok = { kind: 'star' } | { kind: 'one' } | { kind: 'lit'; c: string };

/** Whole-string glob match: `*` any run (with `/`), `?` one code unit, `{{*}}`/`{{?}}` literal; all else literal. */
export function referenceGlobMatch(pattern: string, text: string): boolean {
  const toks: Tok[] = [];
  for (let i = 0; i < pattern.length; ) {
    if (pattern.startsWith('{{*}}', i)) {
      toks.push({ kind: 'lit', c: '*' });
      i += 5;
    } else if (pattern.startsWith('{{?}}', i)) {
      toks.push({ kind: 'lit', c: '?' });
      i += 5;
    } else {
      const c = pattern[i] as string;
      toks.push(c === '*' ? { kind: 'star' } : c === '?' ? { kind: 'one' } : { kind: 'lit', c });
      i += 1;
    }
  }
  // dp[j]: the tokens seen so far match text[0, j)
  let dp: boolean[] = new Array<boolean>(text.length + 1).fill(false);
  dp[0] = true;
  for (const t of toks) {
    const next: boolean[] = new Array<boolean>(text.length + 1).fill(false);
    if (t.kind === 'star') {
      let any = false;
      for (let j = 0; j <= text.length; j++) {
        any = any || dp[j] === true;
        next[j] = any;
      }
    } else {
      for (let j = 1; j <= text.length; j++) next[j] = dp[j - 1] === true && (t.kind === 'one' || text[j - 1] === t.c);
    }
    dp = next;
  }
  return dp[text.length] === true;
}

/** The values attribute `name` takes: `[undefined]` when absent; derived attributes may give several (or none). */
function attributeValues(ctx: Ctx, name: string): (string | undefined)[] {
  const entry = catalogEntry(ctx);
  if (name === 'serviceType' && entry !== undefined) return [entry.type];
  if (name === 'service_group_id' && entry !== undefined) return [...entry.groups];
  return [ctx.attributes.get(name)];
}

/** One attribute condition (§3.1); ERR for an unknown operator or a value of the wrong shape. */
function attributeHolds(ctx: Ctx, name: string, operator: string, value: unknown): Tri {
  const single = isScalar(value) ? String(value) : undefined;
  const many = Array.isArray(value) && value.length > 0 && value.every(isScalar) ? value.map(String) : undefined;
  let test: (x: string | undefined) => boolean;
  switch (operator) {
    case 'stringEquals':
      if (single === undefined) return ERR;
      test = (x) => x !== undefined && x === single;
      break;
    case 'stringMatch':
      if (single === undefined) return ERR;
      test = (x) => x !== undefined && referenceGlobMatch(single, x);
      break;
    case 'stringExists':
      if (single !== 'true' && single !== 'false') return ERR;
      test = (x) => (single === 'true' ? x !== undefined : x === undefined);
      break;
    case 'stringEqualsAnyOf':
      if (many === undefined) return ERR;
      test = (x) => x !== undefined && many.includes(x);
      break;
    case 'stringMatchAnyOf':
      if (many === undefined) return ERR;
      test = (x) => x !== undefined && many.some((v) => referenceGlobMatch(v, x));
      break;
    default:
      return ERR;
  }
  return attributeValues(ctx, name).some(test);
}

/** ANDs tri-state results without short-circuit, so that an error anywhere is seen whatever else fails. */
function allOf(results: Tri[]): Tri {
  if (results.includes(ERR)) return ERR;
  return results.every((r) => r === true);
}

function anyOf(results: Tri[]): Tri {
  if (results.includes(ERR)) return ERR;
  return results.some((r) => r === true);
}

// §3.2 tags

function tagHolds(ctx: Ctx, cond: { name: unknown; value: unknown; operator: unknown }): Tri {
  if (typeof cond.name !== 'string' || typeof cond.value !== 'string') return ERR;
  if (cond.operator !== 'stringEquals' && cond.operator !== 'stringMatch') return ERR;
  const name = cond.name.toLowerCase();
  const value = cond.value.toLowerCase();
  return ctx.tags.some((t) => {
    const i = t.indexOf(':');
    const key = i === -1 ? t : t.slice(0, i);
    const val = i === -1 ? '' : t.slice(i + 1);
    return key === name && (cond.operator === 'stringEquals' ? val === value : referenceGlobMatch(value, val));
  });
}

// §3.3 Cloudflare scopes

function scopeHolds(ctx: Ctx, role: Role, resourceGroups: string[]): boolean {
  const A = ctx.account;
  const type = ctx.zones.length > 0 ? 'zone' : ctx.attributes.get('resourceType') === 'user' ? 'user' : 'account';
  if (role.kind === 'permission-group' && role.scopeType !== type) return false;
  for (const rgId of resourceGroups) {
    const rg = ctx.source.resourceGroups.find((r) => r.id === rgId && r.accountId === A);
    if (rg === undefined) continue;
    for (const scope of rg.scope) {
      const parsed = parseScope(scope, rg.accountId);
      if ('error' in parsed) continue;
      for (const t of parsed.targets) {
        if (t.type === 'account' && t.accountId === A && type === 'account') return true;
        if (t.type === 'zone' && t.accountId === A && type === 'zone' && (t.zone === '*' || ctx.zones.includes(t.zone))) return true;
        if (t.type === 'user' && type === 'user' && ctx.attributes.get('resource') === t.userId) return true;
      }
    }
  }
  return false;
}

// §3.4 BlueXP nodes

/** `up(n)`: n, its folders up to the top, and the organization; empty for a node that is not of account A (or of the wrong kind). */
function up(ctx: Ctx, n: string, kind: 'project' | 'folder'): string[] {
  const A = ctx.account;
  const nodes = ctx.source.nodes.filter((x) => x.accountId === A);
  const start = nodes.find((x) => x.id === n);
  if (start === undefined || start.kind !== kind) return [];
  const out = [start.id];
  let cur = start;
  while (cur.parentId !== null) {
    const parentId = cur.parentId;
    const parent = nodes.find((x) => x.id === parentId);
    if (parent === undefined || out.includes(parent.id)) break;
    out.push(parent.id);
    cur = parent;
  }
  out.push(A);
  return out;
}

function nodesHold(ctx: Ctx, role: Role, selector: string[]): boolean {
  const A = ctx.account;
  const agentRule = ctx.agentId !== undefined && role.admin !== 'organization';
  const agent = ctx.agentId === undefined ? undefined : ctx.source.principals.find((p) => p.accountId === A && p.id === ctx.agentId && p.kind === 'agent');
  const agentProjects = agent?.projects ?? [];
  const folderPath = role.admin === 'organization' || role.admin === 'folder-or-project';
  for (const N of selector) {
    for (const p of ctx.projects) {
      if (up(ctx, p, 'project').includes(N) && (!agentRule || agentProjects.includes(p))) return true;
    }
    if (folderPath) {
      for (const f of ctx.folders) {
        if (up(ctx, f, 'folder').includes(N) && (!agentRule || agentProjects.some((q) => up(ctx, q, 'project').includes(N)))) return true;
      }
    }
    if (ctx.projects.length === 0 && ctx.folders.length === 0 && N === A && !agentRule) return true;
  }
  return false;
}

// §3.5 rule conditions

function ruleHolds(ctx: Ctx, node: unknown, depth: number): Tri {
  if (!isObject(node)) return ERR;
  if (Array.isArray(node['conditions'])) {
    const op = node['operator'];
    if ((op !== 'and' && op !== 'or') || depth > 2 || node['conditions'].length === 0) return ERR;
    const results = (node['conditions'] as unknown[]).map((c) => ruleHolds(ctx, c, depth + 1));
    return op === 'and' ? allOf(results) : anyOf(results);
  }
  // a leaf may stand alone as the whole rule (IBM v2 accepts `{key, operator, value}` as the rule)
  return leafHolds(ctx, node['key'], node['operator'], node['value']);
}

function offsetMs(s: string): number {
  if (s === 'Z') return 0;
  const sign = s[0] === '-' ? -1 : 1;
  return sign * (Number(s.slice(1, 3)) * 60 + Number(s.slice(4, 6))) * 60_000;
}

function compare(op: string, a: number, b: number): boolean {
  if (op.endsWith('LessThan')) return a < b;
  if (op.endsWith('LessThanOrEquals')) return a <= b;
  if (op.endsWith('GreaterThan')) return a > b;
  return a >= b;
}

function leafHolds(ctx: Ctx, key: unknown, operator: unknown, value: unknown): Tri {
  if (typeof key !== 'string' || typeof operator !== 'string') return ERR;
  const now = ctx.now;
  switch (operator) {
    case 'timeLessThan':
    case 'timeLessThanOrEquals':
    case 'timeGreaterThan':
    case 'timeGreaterThanOrEquals': {
      if (key !== KEY_TIME || typeof value !== 'string') return ERR;
      const m = TIME_RE.exec(value);
      if (m === null) return ERR;
      const want = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? '0');
      const local = Math.floor((now + offsetMs(m[4] as string)) / 1000);
      const mine = ((local % 86_400) + 86_400) % 86_400;
      return compare(operator, mine, want);
    }
    case 'dateTimeLessThan':
    case 'dateTimeLessThanOrEquals':
    case 'dateTimeGreaterThan':
    case 'dateTimeGreaterThanOrEquals': {
      if (key !== KEY_DATE_TIME) return ERR;
      const t = parseInstant(value);
      if (Number.isNaN(t)) return ERR;
      return compare(operator, now, t);
    }
    case 'dayOfWeekEquals':
    case 'dayOfWeekAnyOf': {
      if (key !== KEY_DAY) return ERR;
      const values = operator === 'dayOfWeekEquals' ? (Array.isArray(value) ? undefined : [value]) : Array.isArray(value) ? value : undefined;
      if (values === undefined || values.length === 0) return ERR;
      let hit = false;
      for (const v of values) {
        // an integer 1..7 is an ISO weekday in UTC; a string carries its own offset
        const whole = typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 7;
        const m = typeof v === 'string' ? DAY_RE.exec(v) : null;
        if (m === null && !whole) return ERR;
        const d = new Date(now + (whole ? 0 : offsetMs(m![2] as string))).getUTCDay();
        if ((d === 0 ? 7 : d) === (whole ? v : Number(m![1]))) hit = true;
      }
      return hit;
    }
    case 'stringEquals':
    case 'stringMatch':
    case 'stringExists':
    case 'stringEqualsAnyOf':
    case 'stringMatchAnyOf': {
      const m = KEY_RESOURCE.exec(key);
      if (m === null) return ERR;
      return attributeHolds(ctx, m[1] as string, operator, value);
    }
    default:
      return ERR;
  }
}

// ---------------------------------------------------------------------------------------------
// §2-§4 candidates, matching, decision

function explanationOf(id: string, effect: 'allow' | 'deny', source: 'policy' | 'binding', identity: IdentityPath, g: Grant): Explanation {
  return { policyId: id, effect, source, identity, roleId: g.role.id, actionPattern: g.pattern };
}

function evaluatePolicy(ctx: Ctx, ids: Identities, p: Policy): Outcome | undefined {
  if (p.state !== 'active' || p.accountId !== ctx.account) return undefined;
  const identity = identityFor(p.subject, ids);
  if (identity === undefined) return undefined;
  const grants = grantsOf(ctx, p.roles);
  const first = grants[0];
  if (first === undefined) return undefined;
  const effect = p.effect === 'deny' ? 'deny' : 'allow';
  const errored = (): Outcome => ({ id: p.id, effect, errored: true, explanation: explanationOf(p.id, effect, 'policy', identity, first) });
  try {
    if (p.effect !== 'allow' && p.effect !== 'deny') return errored();
    const sel = p.resource;
    const checks: Tri[] = [
      ...sel.attributes.map((c) => attributeHolds(ctx, c.name, c.operator, c.value)),
      ...sel.tags.map((t) => tagHolds(ctx, t)),
    ];
    if (p.rule !== undefined) checks.push(ruleHolds(ctx, p.rule, 1));
    const common = allOf(checks);
    if (common === ERR) return errored();
    if (!common) return undefined;
    for (const g of grants) {
      if (sel.resourceGroups !== undefined && !scopeHolds(ctx, g.role, sel.resourceGroups)) continue;
      if (sel.nodes !== undefined && !nodesHold(ctx, g.role, sel.nodes)) continue;
      return { id: p.id, effect, errored: false, explanation: explanationOf(p.id, effect, 'policy', identity, g) };
    }
    return undefined;
  } catch {
    return errored();
  }
}

function evaluateBinding(ctx: Ctx, ids: Identities, b: Binding): Outcome | undefined {
  if (b.accountId !== ctx.account) return undefined;
  const identity = identityFor(b.subject, ids);
  if (identity === undefined) return undefined;
  const g = grantsOf(ctx, [b.roleId])[0];
  if (g === undefined) return undefined;
  try {
    if (b.expiresAt !== undefined) {
      const t = parseInstant(b.expiresAt);
      if (Number.isNaN(t)) return { id: b.id, effect: 'allow', errored: true, explanation: explanationOf(b.id, 'allow', 'binding', identity, g) };
      if (!(ctx.now < t)) return undefined;
    }
    if (b.subject.kind === 'group') {
      const groupId = b.subject.id;
      const group: Group | undefined = ctx.source.groups.find((x) => x.accountId === ctx.account && x.id === groupId);
      if (group?.federated === true && !holdsDirectBinding(ctx, ids)) return undefined;
    }
    if (!nodesHold(ctx, g.role, [b.nodeId])) return undefined;
    return { id: b.id, effect: 'allow', errored: false, explanation: explanationOf(b.id, 'allow', 'binding', identity, g) };
  } catch {
    return { id: b.id, effect: 'allow', errored: true, explanation: explanationOf(b.id, 'allow', 'binding', identity, g) };
  }
}

/** The federated-group rule: an active user holding an unexpired direct binding in the account. */
function holdsDirectBinding(ctx: Ctx, ids: Identities): boolean {
  const me = ids.principal;
  if (me === undefined || me.kind !== 'user' || me.status !== 'active') return false;
  return ctx.source.bindings.some(
    (b) =>
      b.accountId === ctx.account &&
      b.subject.kind === 'principal' &&
      b.subject.id === me.id &&
      (b.expiresAt === undefined || ctx.now < parseInstant(b.expiresAt)),
  );
}

// ---------------------------------------------------------------------------------------------
// §0.1 gates: SSO login, account options

function gate(ctx: Ctx): Decision | undefined {
  const { source, account: A, subject } = ctx;
  if (!subject.sso) {
    const stored = subject.id === undefined ? undefined : source.principals.find((p) => p.accountId === A && p.id === subject.id)?.email;
    const connectorOf = (email: string | undefined) => {
      const at = email === undefined ? -1 : email.lastIndexOf('@');
      // a DNS name as mail reads it: a non-ASCII name in IDNA's form, lowercased, the trailing dots of an absolute name dropped
      let domain = email === undefined || at < 0 ? undefined : email.slice(at + 1);
      if (domain !== undefined) {
        if ([...domain].some((ch) => ch.charCodeAt(0) > 0x7f)) {
          try {
            domain = new URL(`http://${domain}`).hostname;
          } catch {
            // as written
          }
        }
        domain = domain.toLowerCase();
        while (domain.endsWith('.')) domain = domain.slice(0, -1);
        if (domain === '') domain = undefined;
      }
      return (source.ssoConnectors ?? []).find((c) => c.accountId === A && c.enabled && c.verification.status === 'verified' && c.emailDomain === domain);
    };
    // the email the request asserts first, then the principal's stored one: either in a gated domain gates
    const connector = connectorOf(subject.email) ?? connectorOf(stored);
    if (connector !== undefined)
      return { allowed: false, reason: 'sso-required', policies: [], ssoConnector: { id: connector.id, emailDomain: connector.emailDomain } };
  }
  const acct = source.accounts.find((a) => a.id === A);
  if (acct === undefined) return undefined;
  const nothing: Decision = { allowed: false, reason: 'no-match', policies: [] };
  if (acct.options?.saasEnabled === false) return nothing;
  if (acct.options?.thirdPartyServicesEnabled === false) {
    const thirdParty = (name: unknown) => name !== undefined && source.services.some((s) => s.name === String(name) && s.thirdParty === true);
    if (thirdParty(ctx.serviceName) || thirdParty(subject.service === undefined ? undefined : own(subject.service, 'serviceName'))) return nothing;
  }
  return undefined;
}

function decide(ctx: Ctx, explain: boolean): Decision {
  const gated = gate(ctx);
  if (gated !== undefined) return gated;
  const ids = resolveIdentities(ctx);
  const outcomes: Outcome[] = [];
  for (const p of ctx.source.policies) {
    const o = evaluatePolicy(ctx, ids, p);
    if (o !== undefined) outcomes.push(o);
  }
  for (const b of ctx.source.bindings) {
    const o = evaluateBinding(ctx, ids, b);
    if (o !== undefined) outcomes.push(o);
  }
  const sortUnique = (xs: string[]) => [...new Set(xs)].sort();
  const errors = sortUnique(outcomes.filter((o) => o.errored).map((o) => o.id));
  // an errored deny fails closed: it counts as a matching deny
  const denies = outcomes.filter((o) => o.effect === 'deny');
  const allows = outcomes.filter((o) => o.effect === 'allow' && !o.errored);
  const determining = denies.length > 0 ? denies : allows;
  const decision: Decision =
    denies.length > 0
      ? { allowed: false, reason: 'explicit-deny', policies: sortUnique(denies.map((o) => o.id)) }
      : allows.length > 0
        ? { allowed: true, reason: 'allow', policies: sortUnique(allows.map((o) => o.id)) }
        : { allowed: false, reason: 'no-match', policies: [] };
  if (errors.length > 0) decision.errors = errors;
  if (explain) {
    decision.explanation =
      decision.reason === 'no-match'
        ? []
        : [...determining].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((o) => o.explanation);
  }
  return decision;
}
