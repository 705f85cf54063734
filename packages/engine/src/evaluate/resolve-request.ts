import type { Issue } from '../errors.js';
import { ATTR, type AttributeNames } from '../compile/attribute-names.js';
import type { AccountTable, ServiceInfo, Tables } from '../compile/tables.js';
import type { AuthorizeOptions, AuthorizeRequest } from './types.js';

const EMPTY: readonly string[] = [];

/** Everything one evaluation reads about the request, resolved once. Reused between calls: never kept. */
export interface RequestContext {
  now: number;
  action: string;
  accountId: string;
  account: AccountTable | undefined;
  /** Request attribute values as strings, by interned attribute id; only names some matcher reads are kept. */
  values: (string | undefined)[];
  /** The ids set in `values`, so the next request clears only those. */
  touched: number[];
  touchedCount: number;
  serviceName: string | undefined;
  service: ServiceInfo | undefined;
  tags: readonly string[];
  tagPairs: [string, string][] | null;
  projects: readonly string[];
  folders: readonly string[];
  zones: readonly string[];
  agentId: string | undefined;
  scopeType: 'account' | 'zone' | 'user';
}

/** Creates an empty context to be filled by resolveRequest. */
export function createContext(): RequestContext {
  return {
    now: 0,
    action: '',
    accountId: '',
    account: undefined,
    values: [],
    touched: [],
    touchedCount: 0,
    serviceName: undefined,
    service: undefined,
    tags: EMPTY,
    tagPairs: null,
    projects: EMPTY,
    folders: EMPTY,
    zones: EMPTY,
    agentId: undefined,
    scopeType: 'account',
  };
}

/** The time of a request: `environment.now` wins over `options.now`; NaN when neither is usable. */
export function requestTime(request: AuthorizeRequest, options: AuthorizeOptions | undefined): number {
  const env = request.environment;
  const raw = env !== undefined && env !== null && typeof env === 'object' ? env.now : undefined;
  const t = raw !== undefined ? raw : options?.now;
  if (typeof t === 'number') return Number.isFinite(t) ? t : Number.NaN;
  if (typeof t === 'string') return Date.parse(t);
  return Number.NaN;
}

function stringList(v: unknown, path: string, issues: Issue[]): readonly string[] {
  if (v === undefined) return EMPTY;
  if (!Array.isArray(v)) {
    issues.push({ path: ['resource', path], message: 'must be an array of strings' });
    return EMPTY;
  }
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'string') {
      issues.push({ path: ['resource', path, i], message: 'must be a string' });
      return EMPTY;
    }
  }
  return v as string[];
}

/**
 * Copies a resource's attributes into `ctx.values` by interned id, checking each value; returns false (with issues)
 * when a value is not a string, finite number or boolean. Names no matcher reads are skipped.
 */
function loadAttributes(names: AttributeNames, attrs: Readonly<Record<string, unknown>>, ctx: RequestContext, issues: Issue[]): void {
  const values = ctx.values;
  const touched = ctx.touched;
  for (const k in attrs) {
    if (!Object.hasOwn(attrs, k)) continue;
    const v = attrs[k];
    const t = typeof v;
    let s: string;
    if (t === 'string') s = v as string;
    else if (t === 'boolean' || (t === 'number' && Number.isFinite(v))) s = String(v);
    else {
      issues.push({ path: ['resource', 'attributes', k], message: 'must be a string, a finite number or a boolean' });
      continue;
    }
    const id = names.get(k);
    if (id === undefined) continue;
    values[id] = s;
    touched[ctx.touchedCount++] = id;
  }
}

/**
 * Checks the request and fills the context; returns the issues (empty when the request is usable).
 * Hand-written rather than zod: it runs on every request.
 */
export function resolveRequest(tables: Tables, request: AuthorizeRequest, options: AuthorizeOptions | undefined, ctx: RequestContext): Issue[] {
  const issues: Issue[] = [];
  if (request === null || typeof request !== 'object') {
    issues.push({ path: [], message: 'request must be an object' });
    return issues;
  }
  const { subject, action, resource } = request;
  if (typeof action !== 'string' || action.length === 0) issues.push({ path: ['action'], message: 'must be a non-empty string' });
  if (subject === null || typeof subject !== 'object') issues.push({ path: ['subject'], message: 'must be an object' });
  else {
    if (subject.id !== undefined && typeof subject.id !== 'string') issues.push({ path: ['subject', 'id'], message: 'must be a string' });
    if (subject.accountId !== undefined && typeof subject.accountId !== 'string')
      issues.push({ path: ['subject', 'accountId'], message: 'must be a string' });
  }
  const now = requestTime(request, options);
  if (Number.isNaN(now)) issues.push({ path: ['environment', 'now'], message: 'a time is required: epoch milliseconds or an ISO date-time' });
  if (resource === null || typeof resource !== 'object') {
    issues.push({ path: ['resource'], message: 'must be an object' });
    return issues;
  }
  ctx.now = now;
  ctx.action = action;
  ctx.tagPairs = null;
  for (let i = 0; i < ctx.touchedCount; i++) ctx.values[ctx.touched[i]!] = undefined;
  ctx.touchedCount = 0;
  const names = tables.attributeNames;
  if (resource.id !== undefined) {
    const r = typeof resource.id === 'string' ? tables.resources.get(resource.id) : undefined;
    if (r === undefined) {
      issues.push({ path: ['resource', 'id'], message: `unknown resource \`${String(resource.id)}\`` });
      return issues;
    }
    ctx.accountId = r.accountId;
    loadAttributes(names, r.attributes, ctx, issues);
    ctx.tags = r.tags;
    ctx.projects = r.projects;
    ctx.folders = r.folders;
    ctx.zones = r.zones;
    ctx.agentId = r.agentId;
  } else {
    const attrs = resource.attributes;
    if (attrs !== undefined && (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs))) {
      issues.push({ path: ['resource', 'attributes'], message: 'must be an object' });
      return issues;
    }
    if (attrs !== undefined) loadAttributes(names, attrs, ctx, issues);
    const acc = ctx.values[ATTR.accountId];
    if (acc === undefined) issues.push({ path: ['resource', 'attributes', 'accountId'], message: 'the resource needs an accountId' });
    ctx.accountId = acc ?? '';
    const tags = stringList(resource.tags, 'tags', issues);
    ctx.tags = tags;
    ctx.projects = stringList(resource.projects, 'projects', issues);
    ctx.folders = stringList(resource.folders, 'folders', issues);
    ctx.zones = stringList(resource.zones, 'zones', issues);
    if (resource.agentId !== undefined && typeof resource.agentId !== 'string')
      issues.push({ path: ['resource', 'agentId'], message: 'must be a string' });
    ctx.agentId = resource.agentId;
  }
  if (issues.length > 0) return issues;
  ctx.account = tables.accounts.get(ctx.accountId);
  const sn = ctx.values[ATTR.serviceName];
  ctx.serviceName = sn;
  ctx.service = sn === undefined ? undefined : tables.services.get(sn);
  ctx.scopeType = ctx.zones.length > 0 ? 'zone' : ctx.values[ATTR.resourceType] === 'user' ? 'user' : 'account';
  return issues;
}

/** The resource's tags split at the first `:` into lowercased [key, value] pairs; computed once per request, on demand. */
export function tagPairs(ctx: RequestContext): [string, string][] {
  if (ctx.tagPairs !== null) return ctx.tagPairs;
  const out: [string, string][] = [];
  for (const raw of ctx.tags) {
    const t = raw.toLowerCase();
    const i = t.indexOf(':');
    out.push(i < 0 ? [t, ''] : [t.slice(0, i), t.slice(i + 1)]);
  }
  ctx.tagPairs = out;
  return out;
}
