import type { Issue } from '../errors.js';
import { ATTR, type AttributeNames } from '../compile/attribute-names.js';
import { upOf, type AccountTable, type ServiceInfo, type Tables } from '../compile/tables.js';
import { UNKNOWN_STRING, type StringTable } from '../compile/strings.js';
import { ScopeCode, scopeCode } from '../compile/flat-conditions.js';
import type { AuthorizeOptions, AuthorizeRequest, RequestResource, RequestSubject } from './types.js';

const EMPTY: readonly string[] = [];

/** Everything one evaluation reads about the request, resolved once. Reused between calls: never kept. */
export interface RequestContext {
  now: number;
  action: string;
  accountId: string;
  account: AccountTable | undefined;
  /** Request attribute values as strings, by interned attribute id; only names some matcher reads are kept. */
  values: (string | undefined)[];
  /**
   * The same values as interned string ids (see strings.ts), each looked up at most once per request, when a
   * candidate's inlined equality first needs it (valueIdOf): UNKNOWN_STRING for a value no literal equals.
   */
  valueIds: (number | undefined)[];
  /** The tables' interned strings, for valueIdOf. */
  strings: StringTable;
  /** The ids set in `values`, so the next request clears only those. */
  touched: number[];
  touchedCount: number;
  /**
   * A batch's context (decideMany's own, serving one tables object for its whole life): an item of the last one's
   * account or service finds them without a lookup. `accountFor` and `serviceFor` are the account id and service name
   * `account` and `service` (and `serviceId`) were found for; null before the first.
   */
  batch: boolean;
  accountFor: string | null;
  serviceFor: string | undefined | null;
  serviceName: string | undefined;
  /** `serviceName` interned; UNKNOWN_STRING when there is none or it is no literal. */
  serviceId: number;
  service: ServiceInfo | undefined;
  tags: readonly string[];
  tagPairs: [string, string][] | null;
  projects: readonly string[];
  folders: readonly string[];
  zones: readonly string[];
  agentId: string | undefined;
  scopeType: 'account' | 'zone' | 'user';
  /** `scopeType` as the programs compare it (flat-conditions.ts). */
  scope: ScopeCode;
  /**
   * Interned on first use by a program, like valueIds (NOT_YET until then): `accountId`, the derived serviceType, and
   * each of `zones` (the list itself rebuilt per request only when a program asks).
   */
  accountNum: number;
  serviceTypeId: number;
  zoneIds: number[];
  zoneIdsFor: readonly string[] | null;
  /** The node ids above the resource, interned on first use by a program (nodeUpsOf); `nodeUpsReady` says whether they are this request's. */
  nodeUps: NodeUps;
  nodeUpsReady: boolean;
}

/**
 * The interned ids of the nodes above a resource (SEMANTICS §3.4 `up`), as the Nodes step reads them: above any of its
 * projects, above those of its projects its agent is in, above its folders, and above the agent's own projects. Ids of
 * nodes no literal names are left out: no Node step names them.
 */
export interface NodeUps {
  projects: number[];
  agentProjects: number[];
  folders: number[];
  agent: number[];
}

/** An interned id not looked up yet in this request. */
export const NOT_YET = -3;

/** Creates an empty context to be filled by resolveRequest; `batch` for one that serves a single batch (RequestContext.batch). */
export function createContext(batch = false): RequestContext {
  // the fields marked below are set by resolveRequest (or cleared by their reader) before any read, so what they start
  // with is never read; `values` is not (a fresh context's first request reads it)
  return {
    now: 0,
    // Stryker disable next-line StringLiteral: set before any read (see above)
    action: '',
    // Stryker disable next-line StringLiteral: set before any read
    accountId: '',
    account: undefined,
    values: [],
    // Stryker disable next-line ArrayDeclaration: a stale entry 0 is an id for accountId, which only an equality with another account reads (compile drops the own account's, index-policy.ts), and that never holds
    valueIds: [],
    strings: new Map(),
    // Stryker disable next-line ArrayDeclaration: written at 0 to touchedCount - 1 before any read
    touched: [],
    touchedCount: 0,
    batch,
    accountFor: null,
    serviceFor: null,
    serviceName: undefined,
    serviceId: UNKNOWN_STRING,
    service: undefined,
    tags: EMPTY,
    tagPairs: null,
    projects: EMPTY,
    folders: EMPTY,
    zones: EMPTY,
    agentId: undefined,
    // Stryker disable next-line StringLiteral: set before any read
    scopeType: 'account',
    scope: ScopeCode.Account,
    accountNum: NOT_YET,
    serviceTypeId: NOT_YET,
    // Stryker disable next-line ArrayDeclaration: zoneIdsOf sets its length and every entry before any read
    zoneIds: [],
    zoneIdsFor: null,
    // Stryker disable next-line ArrayDeclaration: nodeUpsOf empties each list before filling it
    nodeUps: { projects: [], agentProjects: [], folders: [], agent: [] },
    // Stryker disable next-line BooleanLiteral: set before any read
    nodeUpsReady: false,
  };
}

// Stryker disable next-line ArrayDeclaration: emptied at the start of every call before any read
const scratchIssues: Issue[] = [];
const NO_ISSUES: Issue[] = Object.freeze([]) as unknown as Issue[];

/** The range of a JavaScript Date (±8.64e15 ms): a number outside it is no time at all. */
const MAX_TIME = 8.64e15;

/**
 * The time of a request: `environment.now` wins over `options.now`; NaN when neither is usable. An environment that is
 * no object has no `now` (a primitive's property reads undefined); NaN and the infinities fail the bound.
 */
export function requestTime(request: AuthorizeRequest, options: AuthorizeOptions | undefined): number {
  const raw = request.environment?.now;
  if (raw !== undefined) {
    if (typeof raw === 'number') return Math.abs(raw) <= MAX_TIME ? raw : Number.NaN;
    if (typeof raw === 'string') return Date.parse(raw);
    return Number.NaN;
  }
  const t = options?.now;
  return typeof t === 'number' && Math.abs(t) <= MAX_TIME ? t : Number.NaN;
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

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isScalar(v: unknown): boolean {
  const t = typeof v;
  // Number.isFinite takes numbers only (no coercion)
  return t === 'string' || t === 'boolean' || Number.isFinite(v);
}

/**
 * Copies a resource's attributes into `ctx.values` by interned id (when `load`), checking each value.
 * Names no matcher reads are skipped.
 */
function loadAttributes(names: AttributeNames, attrs: Readonly<Record<string, unknown>>, ctx: RequestContext, issues: Issue[], load: boolean): void {
  const values = ctx.values;
  const touched = ctx.touched;
  for (const k in attrs) {
    if (!Object.hasOwn(attrs, k)) continue;
    const v = attrs[k];
    if (!isScalar(v)) {
      issues.push({ path: ['resource', 'attributes', k], message: 'must be a string, a finite number or a boolean' });
      continue;
    }
    if (!load) continue;
    const id = names.get(k);
    // Stryker disable next-line ConditionalExpression: forced false, a name no matcher reads is stored under the array property "undefined", which no read asks for (the mark also hides the killed `true`)
    if (id === undefined) continue;
    // Stryker disable next-line ConditionalExpression,StringLiteral: forced false (or 'string' as ""), String of a string is itself: speed only (the mark also hides the `true` form, which keeps a number a number; test/mutation-pins-resolve-request.test.ts kills it)
    values[id] = typeof v === 'string' ? v : String(v);
    touched[ctx.touchedCount++] = id;
  }
}

/** Every key one part of a request may carry: typed against the request types, so a field added there and not here fails to compile. */
type Keys<T> = { readonly [K in keyof Required<T>]: true };
const REQUEST_KEYS: Keys<AuthorizeRequest> = { subject: true, action: true, resource: true, environment: true };
/** A batch item: a request without its subject (the batch's subject is the one decided). */
const ITEM_KEYS: Keys<Omit<AuthorizeRequest, 'subject'>> = { action: true, resource: true, environment: true };
const SUBJECT_KEYS: Keys<RequestSubject> = { id: true, accountId: true, authenticated: true, claims: true, service: true, email: true, sso: true };
const CLAIMS_KEYS: Keys<NonNullable<RequestSubject['claims']>> = { realm: true, attributes: true };
const RESOURCE_KEYS: Keys<RequestResource> = { id: true, attributes: true, tags: true, projects: true, folders: true, zones: true, agentId: true };
const ENVIRONMENT_KEYS: Keys<NonNullable<AuthorizeRequest['environment']>> = { now: true };
const OPTIONS_KEYS: Keys<AuthorizeOptions> = { now: true, explain: true };

/** Appends copies of issues checked once (a batch's), so that no two decisions share an issue. */
function copyIssues(from: readonly Issue[], issues: Issue[]): void {
  for (const i of from) issues.push({ path: [...i.path], message: i.message });
}

/**
 * A request means exactly what it says (SEMANTICS §0): a key its part does not define is an issue, as in a source, so
 * a misspelt `servce` or `acountId` is refused rather than decided as if absent. for…in, as every read of the request
 * does, sees inherited enumerable keys too; `known[k]` is `true` only for a listed key (`toString`, `__proto__` read
 * something else). Called only once a stray… check below found one, so a request whose keys are all known allocates nothing.
 */
function unknownKeys(o: object, known: Readonly<Record<string, true>>, path: readonly (string | number)[], issues: Issue[]): void {
  for (const k in o) if (known[k] !== true) issues.push({ path: [...path, k], message: `unknown key \`${k}\`` });
}

/** The issues of a batch item's unknown keys (paths from the item, as resolveRequest's): null when there is none. */
export function itemKeyIssues(item: object): Issue[] | null {
  if (!strayItemKey(item)) return null;
  const issues: Issue[] = [];
  unknownKeys(item, ITEM_KEYS, [], issues);
  return issues;
}

// One loop per part, each its own function: a for…in that meets one object shape keeps V8's fast path (the enum cache
// of that shape); a shared loop meeting the five parts' shapes went generic and cost a fifth of a batch item. Each names
// its part's keys in a switch rather than reading its table: a key of a for…in is an internalized string, which the
// cases compare by reference, where the table's keyed read went megamorphic (2 to 4 times the cost of the loop, a
// bare loop measured). The switches must list exactly their table's keys: stray-keys.test.ts checks each against it.
export function straySubjectKey(o: object): boolean {
  for (const k in o) {
    switch (k) {
      case 'id':
      case 'accountId':
      case 'authenticated':
      case 'claims':
      case 'service':
      case 'email':
      case 'sso':
        continue;
      default:
        return true;
    }
  }
  return false;
}
export function strayResourceKey(o: object): boolean {
  for (const k in o) {
    switch (k) {
      case 'id':
      case 'attributes':
      case 'tags':
      case 'projects':
      case 'folders':
      case 'zones':
      case 'agentId':
        continue;
      default:
        return true;
    }
  }
  return false;
}
export function strayEnvironmentKey(o: object): boolean {
  for (const k in o) if (k !== 'now') return true;
  return false;
}
export function strayOptionsKey(o: object): boolean {
  for (const k in o) if (k !== 'now' && k !== 'explain') return true;
  return false;
}
export function strayClaimsKey(o: object): boolean {
  for (const k in o) if (k !== 'realm' && k !== 'attributes') return true;
  return false;
}
export function strayRequestKey(o: object): boolean {
  for (const k in o) {
    switch (k) {
      case 'subject':
      case 'action':
      case 'resource':
      case 'environment':
        continue;
      default:
        return true;
    }
  }
  return false;
}
/** An item of a batch: a request without its subject. */
export function strayItemKey(o: object): boolean {
  for (const k in o) if (k !== 'action' && k !== 'resource' && k !== 'environment') return true;
  return false;
}

/** Each part's key table and its stray… check, for stray-keys.test.ts. */
export const KEY_CHECKS: readonly (readonly [Readonly<Record<string, true>>, (o: object) => boolean])[] = [
  [REQUEST_KEYS, strayRequestKey],
  [ITEM_KEYS, strayItemKey],
  [SUBJECT_KEYS, straySubjectKey],
  [CLAIMS_KEYS, strayClaimsKey],
  [RESOURCE_KEYS, strayResourceKey],
  [ENVIRONMENT_KEYS, strayEnvironmentKey],
  [OPTIONS_KEYS, strayOptionsKey],
];

function checkSubject(subject: Record<string, unknown>, issues: Issue[]): void {
  // Stryker disable next-line ConditionalExpression: forced true, unknownKeys pushes an issue only for a key not listed: the same issues, speed only (the mark also hides the killed `false`)
  if (straySubjectKey(subject)) unknownKeys(subject, SUBJECT_KEYS, ['subject'], issues);
  const { id, accountId, authenticated, claims, service, email, sso } = subject;
  if (email !== undefined && typeof email !== 'string') issues.push({ path: ['subject', 'email'], message: 'must be a string' });
  if (sso !== undefined && typeof sso !== 'boolean') issues.push({ path: ['subject', 'sso'], message: 'must be a boolean' });
  if (id !== undefined && typeof id !== 'string') issues.push({ path: ['subject', 'id'], message: 'must be a string' });
  if (accountId !== undefined && typeof accountId !== 'string') issues.push({ path: ['subject', 'accountId'], message: 'must be a string' });
  if (authenticated !== undefined && typeof authenticated !== 'boolean') issues.push({ path: ['subject', 'authenticated'], message: 'must be a boolean' });
  if (claims !== undefined) {
    if (!isObject(claims) || typeof claims['realm'] !== 'string' || !isObject(claims['attributes'])) issues.push({ path: ['subject', 'claims'], message: 'must be `{realm, attributes}`' });
    else {
      // Stryker disable next-line ConditionalExpression: forced true, unknownKeys pushes an issue only for a key not listed: the same issues, speed only (the mark also hides the killed `false`)
      if (strayClaimsKey(claims)) unknownKeys(claims, CLAIMS_KEYS, ['subject', 'claims'], issues);
    }
  }
  if (service !== undefined) {
    if (!isObject(service)) issues.push({ path: ['subject', 'service'], message: 'must be an object' });
    else for (const k in service) if (Object.hasOwn(service, k) && !isScalar(service[k])) issues.push({ path: ['subject', 'service', k], message: 'must be a string, a finite number or a boolean' });
  }
}

/**
 * Checks the request and fills the context; returns the issues (empty when the request is usable).
 * Hand-written rather than zod: it runs on every request. The request's own resource fields are checked even
 * when a registered resource replaces them.
 */
/**
 * The issues of a subject, checked once for a batch whose items share it: handed to resolveRequest for each item, they
 * stand where its own check would have put them.
 */
// Stryker disable next-line BlockStatement: without its body it answers undefined, and resolveRequest checks the subject of each item itself, with the same issues: speed only
export function subjectIssues(subject: unknown): readonly Issue[] {
  const issues: Issue[] = [];
  if (!isObject(subject)) issues.push({ path: ['subject'], message: 'must be an object' });
  else checkSubject(subject as Record<string, unknown>, issues);
  return issues;
}

/** The issues of the options, checked once for a batch (see BatchChecks). */
function optionsIssues(options: AuthorizeOptions | undefined, issues: Issue[]): void {
  if (options === undefined) return;
  if (!isObject(options)) issues.push({ path: ['options'], message: 'must be an object' });
  else {
    // Stryker disable next-line ConditionalExpression: forced true, unknownKeys pushes an issue only for a key not listed: the same issues, speed only (the mark also hides the killed `false`)
    if (strayOptionsKey(options)) unknownKeys(options, OPTIONS_KEYS, ['options'], issues);
  }
}

/**
 * What a batch checks once for all its items (decideMany): the issues of its options and of its subject, which
 * resolveRequest copies into each item's where its own checks would have put them (the options' first, the subject's
 * after the action's).
 */
export interface BatchChecks {
  options: readonly Issue[];
  subject: readonly Issue[];
}

// Stryker disable next-line BlockStatement: emptied, it answers undefined and resolveRequest checks each item's options and subject itself, as authorize does, with the same issues: speed only (test/perfreq-batch.test.ts compares every item with authorize)
export function batchChecks(subject: unknown, options: AuthorizeOptions | undefined): BatchChecks {
  const opts: Issue[] = [];
  optionsIssues(options, opts);
  return { options: opts, subject: subjectIssues(subject) };
}

export function resolveRequest(
  tables: Tables,
  request: AuthorizeRequest,
  options: AuthorizeOptions | undefined,
  ctx: RequestContext,
  checked?: BatchChecks,
): Issue[] {
  // INVARIANT: one scratch list per process (evaluation is synchronous and never re-entered); a request without
  // issues costs no allocation, a request with some gets its own copy
  const issues = scratchIssues;
  // Stryker disable next-line ConditionalExpression: forced true, it empties an empty list: speed only (the mark also hides the killed `false`, which keeps the last request's issues)
  if (issues.length !== 0) issues.length = 0;
  if (!isObject(request)) {
    issues.push({ path: [], message: 'request must be an object' });
    return issues.slice();
  }
  // Stryker disable next-line ConditionalExpression: forced true, a batch item's options are checked again and give the issues the batch's copy holds: speed only (the mark also hides the killed `false`, which reads the checks of no batch)
  if (checked === undefined) optionsIssues(options, issues);
  else copyIssues(checked.options, issues);
  // a batch's request is built by decideMany (checked given), which checks each item's own keys
  // Stryker disable next-line ConditionalExpression,LogicalOperator: forced true (either operand or the whole) or `||`, unknownKeys also runs on a batch's request, which decideMany builds with the four keys REQUEST_KEYS lists, and on a request with no stray key: it pushes nothing there, speed only (the mark also hides the killed `false`)
  if (checked === undefined && strayRequestKey(request)) unknownKeys(request, REQUEST_KEYS, [], issues);
  const { subject, action, resource, environment } = request;
  if (typeof action !== 'string' || action.length === 0) issues.push({ path: ['action'], message: 'must be a non-empty string' });
  // Stryker disable next-line ConditionalExpression: forced false, the subject is checked again, with the same issues: speed only (the mark also hides the killed `true`)
  if (checked !== undefined) copyIssues(checked.subject, issues);
  else if (!isObject(subject)) issues.push({ path: ['subject'], message: 'must be an object' });
  else checkSubject(subject as Record<string, unknown>, issues);
  if (environment !== undefined) {
    if (!isObject(environment)) issues.push({ path: ['environment'], message: 'must be an object' });
    else {
      // Stryker disable next-line ConditionalExpression: forced true, unknownKeys pushes an issue only for a key not listed: the same issues, speed only (the mark also hides the killed `false`)
      if (strayEnvironmentKey(environment)) unknownKeys(environment, ENVIRONMENT_KEYS, ['environment'], issues);
    }
  }
  const now = requestTime(request, isObject(options) ? options : undefined);
  if (Number.isNaN(now)) issues.push({ path: ['environment', 'now'], message: 'a time is required: epoch milliseconds or an ISO date-time' });
  if (!isObject(resource)) {
    issues.push({ path: ['resource'], message: 'must be an object' });
    return issues.slice();
  }
  // Stryker disable next-line ConditionalExpression: forced true, unknownKeys pushes an issue only for a key not listed: the same issues, speed only (the mark also hides the killed `false`)
  if (strayResourceKey(resource)) unknownKeys(resource, RESOURCE_KEYS, ['resource'], issues);
  ctx.now = now;
  ctx.action = action;
  ctx.tagPairs = null;
  // Stryker disable next-line EqualityOperator: `<=` also clears touched[touchedCount], an id an earlier request set and cleared, or undefined: nothing this request reads (the mark also hides the killed `>=`)
  for (let i = 0; i < ctx.touchedCount; i++) {
    ctx.values[ctx.touched[i]!] = undefined;
    ctx.valueIds[ctx.touched[i]!] = undefined;
  }
  ctx.touchedCount = 0;
  const names = tables.attributeNames;
  const attrs = resource.attributes;
  if (attrs !== undefined && !isObject(attrs)) issues.push({ path: ['resource', 'attributes'], message: 'must be an object' });
  const inline = resource.id === undefined;
  if (isObject(attrs)) loadAttributes(names, attrs, ctx, issues, inline);
  const tags = stringList(resource.tags, 'tags', issues);
  const projects = stringList(resource.projects, 'projects', issues);
  const folders = stringList(resource.folders, 'folders', issues);
  const zones = stringList(resource.zones, 'zones', issues);
  if (resource.agentId !== undefined && typeof resource.agentId !== 'string') issues.push({ path: ['resource', 'agentId'], message: 'must be a string' });
  if (!inline) {
    // an id that is no string names no registered resource (the map's keys are strings)
    const r = tables.resources.get(resource.id as string);
    if (r === undefined) {
      issues.push({ path: ['resource', 'id'], message: `unknown resource \`${String(resource.id)}\`` });
      return issues.slice();
    }
    ctx.accountId = r.accountId;
    loadAttributes(names, r.attributes, ctx, issues, true);
    ctx.tags = r.tags;
    ctx.projects = r.projects;
    ctx.folders = r.folders;
    ctx.zones = r.zones;
    ctx.agentId = r.agentId;
  } else {
    const acc = ctx.values[ATTR.accountId];
    if (acc === undefined) issues.push({ path: ['resource', 'attributes', 'accountId'], message: 'the resource needs an accountId' });
    // Stryker disable next-line StringLiteral: read only when there is no issue, and a missing accountId is one
    ctx.accountId = acc ?? '';
    ctx.tags = tags;
    ctx.projects = projects;
    ctx.folders = folders;
    ctx.zones = zones;
    // read only when there is no issue, so a string or absent (checked above)
    ctx.agentId = resource.agentId as string | undefined;
  }
  if (issues.length > 0) return issues.slice();
  // a batch's item of the last one's account and service (a batch's common case) finds them again without a lookup
  // Stryker disable next-line ConditionalExpression: forced true, the account is looked up again and is the same: speed only (the mark also hides the killed `false`)
  if (!ctx.batch || ctx.accountFor !== ctx.accountId) {
    ctx.account = tables.accounts.get(ctx.accountId);
    ctx.accountFor = ctx.accountId;
  }
  ctx.strings = tables.strings;
  const sn = ctx.values[ATTR.serviceName];
  ctx.serviceName = sn;
  // Stryker disable next-line ConditionalExpression: forced true, the service and its id are looked up again and are the same: speed only (the mark also hides the killed `false`)
  if (!ctx.batch || ctx.serviceFor !== sn) {
    ctx.serviceId = valueIdOf(ctx, ATTR.serviceName);
    // no serviceName finds no service
    ctx.service = tables.services.get(sn as string);
    ctx.serviceFor = sn;
    // the last item's id of the same name stands for valueIdOf's lookup; a request without serviceName has no id to set
  } else if (
    // Stryker disable next-line ConditionalExpression: forced false, valueIdOf looks the name up again on first use and finds the same id: speed only (the mark also hides the forced `true`, killed by test/perfreq-batch.test.ts: an id left for an absent name outlives the item, touched not listing it)
    sn !== undefined
  )
    ctx.valueIds[ATTR.serviceName] = ctx.serviceId;
  ctx.scopeType = ctx.zones.length > 0 ? 'zone' : ctx.values[ATTR.resourceType] === 'user' ? 'user' : 'account';
  ctx.scope = scopeCode(ctx.scopeType);
  ctx.accountNum = NOT_YET;
  ctx.serviceTypeId = NOT_YET;
  ctx.zoneIdsFor = null;
  ctx.nodeUpsReady = false;
  return NO_ISSUES;
}

/**
 * The interned id of the request's value of an attribute, looked up on first use (one hash lookup per request value
 * at most): UNKNOWN_STRING when the request has no such value or no literal equals it.
 */
export function valueIdOf(ctx: RequestContext, attr: number): number {
  let id = ctx.valueIds[attr];
  // Stryker disable next-line ConditionalExpression: forced true, the id is looked up again and is the same: the memo only saves work (the mark also hides the killed `false`)
  if (id === undefined) {
    const v = ctx.values[attr];
    if (v === undefined) return UNKNOWN_STRING;
    // INVARIANT: only an attribute with a value gets an id, so the touched list resets every id set
    ctx.valueIds[attr] = id = ctx.strings.get(v) ?? UNKNOWN_STRING;
  }
  return id;
}

/** The interned id of the resource's account, looked up on first use. */
export function accountNumOf(ctx: RequestContext): number {
  let id = ctx.accountNum;
  // Stryker disable next-line ConditionalExpression: as in valueIdOf, the memo only saves work
  if (id === NOT_YET) ctx.accountNum = id = ctx.strings.get(ctx.accountId) ?? UNKNOWN_STRING;
  return id;
}

/**
 * The interned id of the derived serviceType (SEMANTICS §3.1): the catalog's type of the resource's service, or the
 * request's own `serviceType` when the service is not catalogued; looked up on first use.
 */
export function serviceTypeIdOf(ctx: RequestContext): number {
  let id = ctx.serviceTypeId;
  // Stryker disable next-line ConditionalExpression: as in valueIdOf, the memo only saves work
  if (id === NOT_YET) ctx.serviceTypeId = id = ctx.service === undefined ? valueIdOf(ctx, ATTR.serviceType) : (ctx.strings.get(ctx.service.type) ?? UNKNOWN_STRING);
  return id;
}

/** The resource's zones interned (UNKNOWN_STRING for one no literal names), computed once per request on first use. */
export function zoneIdsOf(ctx: RequestContext): readonly number[] {
  const ids = ctx.zoneIds;
  // Stryker disable next-line ConditionalExpression: as in valueIdOf, the memo only saves work
  if (ctx.zoneIdsFor !== ctx.zones) {
    const zones = ctx.zones;
    ids.length = zones.length;
    // Stryker disable next-line EqualityOperator: `<=` adds one UNKNOWN_STRING, which equals no zone literal and keys no prefilter list (the mark also hides the killed `>=`)
    for (let i = 0; i < zones.length; i++) ids[i] = ctx.strings.get(zones[i]!) ?? UNKNOWN_STRING;
    ctx.zoneIdsFor = zones;
  }
  return ids;
}

/** The resource's tags split at the first `:` into lowercased [key, value] pairs; computed once per request, on demand. */
export function tagPairs(ctx: RequestContext): [string, string][] {
  // Stryker disable next-line ConditionalExpression: as in valueIdOf, the memo only saves work
  if (ctx.tagPairs !== null) return ctx.tagPairs;
  // Stryker disable next-line ArrayDeclaration: a string entry destructures as its first two characters ('S', 't'), and no tag condition's name is uppercase (compile lowercases them)
  const out: [string, string][] = [];
  for (const raw of ctx.tags) {
    const t = raw.toLowerCase();
    const i = t.indexOf(':');
    out.push(i < 0 ? [t, ''] : [t.slice(0, i), t.slice(i + 1)]);
  }
  ctx.tagPairs = out;
  return out;
}

/** Appends to `out` the interned ids of the nodes above `id` (a project or folder of the account), if it is one. */
function pushUps(ctx: RequestContext, account: AccountTable, id: string, kind: 'project' | 'folder', out: number[]): void {
  const up = upOf(account, id, kind);
  if (up === undefined) return;
  for (const n of up) {
    const v = ctx.strings.get(n);
    // Stryker disable next-line ConditionalExpression: an id left in as undefined equals no node id, so it only lengthens the list
    if (v !== undefined) out.push(v);
  }
}

/**
 * The request's NodeUps, computed once per request on first use. INVARIANT: called only by a program of a candidate
 * of the resource's account, so `ctx.account` is set.
 */
export function nodeUpsOf(ctx: RequestContext): NodeUps {
  const ups = ctx.nodeUps;
  // Stryker disable next-line ConditionalExpression: the memo only saves work; the lists computed again are the same
  if (ctx.nodeUpsReady) return ups;
  ups.projects.length = 0;
  ups.agentProjects.length = 0;
  ups.folders.length = 0;
  ups.agent.length = 0;
  const account = ctx.account!;
  const agent = ctx.agentId === undefined ? undefined : account.principals.get(ctx.agentId);
  for (const p of ctx.projects) {
    pushUps(ctx, account, p, 'project', ups.projects);
    if (agent !== undefined && agent.projects.includes(p)) pushUps(ctx, account, p, 'project', ups.agentProjects);
  }
  for (const f of ctx.folders) pushUps(ctx, account, f, 'folder', ups.folders);
  if (agent !== undefined) for (const q of agent.projects) pushUps(ctx, account, q, 'project', ups.agent);
  // Stryker disable next-line BooleanLiteral: as above, the memo only saves work
  ctx.nodeUpsReady = true;
  return ups;
}
