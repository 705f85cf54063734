// The AuthZEN Authorization API 1.0 as a library: evaluation, evaluations (three semantics), subject, resource and
// action search, and PDP metadata, mapped onto authorize, authorizeMany, whoCan, listResources and whatCan. A host
// (the server) only moves JSON in and out; a malformed payload throws ValidationError `invalid_request` (HTTP 400).
import { whatCan } from '../analyze/what-can.js';
import { whoCan } from '../analyze/who-can.js';
import { listResources } from '../analyze/list-resources.js';
import type { Tables } from '../compile/tables.js';
import { ValidationError, type Issue } from '../errors.js';
import type { AuthorizeOptions, AuthorizeRequest, Decision, RequestSubject } from '../evaluate/types.js';
import {
  checkContext,
  checkEntity,
  isObject,
  wellFormed,
  subjectTypeIssue,
  toEnvironment,
  toResource,
  toSubject,
} from './authzen-request.js';
import type {
  AuthzenDecision,
  AuthzenEvaluationsResponse,
  AuthzenMetadata,
  AuthzenSearchResponse,
  EvaluationsSemantic,
} from './authzen-types.js';

/** What the AuthZEN API needs of an engine: its decisions and its live tables (for the searches). */
export interface AuthzenEngine {
  readonly tables: Tables;
  authorize(request: AuthorizeRequest, options?: AuthorizeOptions): Decision;
  authorizeMany(subject: RequestSubject, requests: readonly Omit<AuthorizeRequest, 'subject'>[], options?: AuthorizeOptions): Decision[];
}

/** Options of createAuthzen, checked at construction. */
export interface AuthzenOptions {
  /** The clock for searches without `context.time`, epoch milliseconds. Defaults to Date.now. */
  clock?: () => number;
  /** Most evaluations one request may carry. Default 1,000. */
  maxEvaluations?: number;
  /** Largest search page. Default 1,000 (also the page size when the request names none). */
  maxPageSize?: number;
}

/** The AuthZEN API over one engine; every method takes the parsed JSON body and returns the JSON response. */
export interface Authzen {
  evaluation(body: unknown): AuthzenDecision;
  /** Without a non-empty `evaluations` array it answers like `evaluation`, as the spec asks. */
  evaluations(body: unknown): AuthzenEvaluationsResponse | AuthzenDecision;
  /** `JSON.stringify(evaluation(body))`, built without the intermediate objects (what the server sends). */
  evaluationJson(body: unknown): string;
  /** `JSON.stringify(evaluations(body))`, built without the intermediate objects (what the server sends). */
  evaluationsJson(body: unknown): string;
  searchSubject(body: unknown): AuthzenSearchResponse<{ type: string; id: string }>;
  searchResource(body: unknown): AuthzenSearchResponse<{ type: string; id: string }>;
  searchAction(body: unknown): AuthzenSearchResponse<{ name: string }>;
  /** The metadata document for a PDP whose base URL is `baseUrl` (https, no query or fragment). */
  metadata(baseUrl: string): AuthzenMetadata;
}

/** The default endpoint paths of the HTTPS binding. */
export const AUTHZEN_PATHS = {
  evaluation: '/access/v1/evaluation',
  evaluations: '/access/v1/evaluations',
  searchSubject: '/access/v1/search/subject',
  searchResource: '/access/v1/search/resource',
  searchAction: '/access/v1/search/action',
  metadata: '/.well-known/authzen-configuration',
} as const;

const PRINCIPAL_KINDS: readonly string[] = ['user', 'service', 'agent'];

const SEMANTICS: readonly EvaluationsSemantic[] = ['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'];

function fail(issues: Issue[]): never {
  throw new ValidationError('invalid_request', issues);
}

/** The AuthZEN decision of a Portcullis decision: the reason and determining policies travel in `context`. */
export function toAuthzenDecision(d: Decision): AuthzenDecision {
  const context: Record<string, unknown> = { reason: d.reason };
  if (d.policies.length > 0) context['policies'] = d.policies;
  if (d.reason === 'invalid-request') context['error'] = { status: 400, message: (d.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  if (d.ssoConnector !== undefined) context['sso_connector'] = d.ssoConnector;
  return { decision: d.allowed, context };
}

const REASON_JSON = new Map<string, string>();

/**
 * The JSON text of `toAuthzenDecision(d)`, byte for byte what JSON.stringify makes of it (same members, same order),
 * without building the intermediate objects: the server's hot path writes it as the response body.
 */
export function toAuthzenDecisionJson(d: Decision): string {
  let reason = REASON_JSON.get(d.reason);
  if (reason === undefined) REASON_JSON.set(d.reason, (reason = JSON.stringify(d.reason)));
  let s = d.allowed ? '{"decision":true,"context":{"reason":' : '{"decision":false,"context":{"reason":';
  s += reason;
  if (d.policies.length > 0) s += ',"policies":' + JSON.stringify(d.policies);
  if (d.reason === 'invalid-request') s += ',"error":' + JSON.stringify(toAuthzenDecision(d).context!['error']);
  if (d.ssoConnector !== undefined) s += ',"sso_connector":' + JSON.stringify(d.ssoConnector);
  return s + '}}';
}

/** A Portcullis decision, or an AuthZEN decision made without the engine (a refused item, a short-circuit). */
type Outcome = Decision | AuthzenDecision;

function isDecision(o: Outcome): o is Decision {
  return (o as Decision).allowed !== undefined;
}

function outcomeJson(o: Outcome): string {
  return isDecision(o) ? toAuthzenDecisionJson(o) : JSON.stringify(o);
}

function toAuthzen(o: Outcome): AuthzenDecision {
  return isDecision(o) ? toAuthzenDecision(o) : o;
}

/** A deny for an evaluation the engine cannot take: fail closed, with the reason in context. */
function refused(message: string): AuthzenDecision {
  return { decision: false, context: { reason: 'invalid-request', error: { status: 400, message } } };
}

/** A stable fingerprint of a search request without its page token: a token is only good for the request it came from. */
function fingerprint(body: Record<string, unknown>): string {
  const page = isObject(body['page']) ? { ...body['page'], token: undefined } : undefined;
  const s = JSON.stringify({ ...body, page }, (_k, v) => (isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

/** Creates the AuthZEN API over `engine`. */
export function createAuthzen(engine: AuthzenEngine, options: AuthzenOptions = {}): Authzen {
  const issues: Issue[] = [];
  if (options.clock !== undefined && typeof options.clock !== 'function') issues.push({ path: ['clock'], message: 'must be a function' });
  for (const k of ['maxEvaluations', 'maxPageSize'] as const)
    if (options[k] !== undefined && (!Number.isInteger(options[k]) || (options[k] as number) < 1)) issues.push({ path: [k], message: 'must be a positive integer' });
  if (issues.length > 0) throw new ValidationError('invalid_options', issues);
  const clock = options.clock ?? Date.now;
  const maxEvaluations = options.maxEvaluations ?? 1000;
  const maxPage = options.maxPageSize ?? 1000;

  /** Checks one complete evaluation (after defaults): its request, the deny it gets, or undefined with `issues` filled. */
  function prepare(item: Record<string, unknown>, path: (string | number)[], issues: Issue[]): AuthorizeRequest | AuthzenDecision | undefined {
    const s = item['subject'];
    const a = item['action'];
    const r = item['resource'];
    if (!wellFormed(s, a, r, item['context'])) {
      collectIssues(s, a, r, item['context'], path, issues);
      return undefined;
    }
    const subject = s as Record<string, unknown>;
    const typeIssue = subjectTypeIssue(subject);
    if (typeIssue !== undefined) return refused(typeIssue);
    const request: AuthorizeRequest = {
      subject: toSubject(subject),
      action: (a as Record<string, unknown>)['name'] as string,
      resource: toResource(engine.tables, r as Record<string, unknown>),
    };
    const environment = toEnvironment(item['context']);
    if (environment !== undefined) request.environment = environment;
    return request;
  }

  /** The issues of an evaluation `wellFormed` refused (at least one). */
  function collectIssues(s: unknown, a: unknown, r: unknown, context: unknown, path: (string | number)[], issues: Issue[]): void {
    const n = issues.length;
    const sOk = checkEntity(s, [...path, 'subject'], ['type'], ['id'], issues);
    if (sOk && s['type'] !== 'anonymous' && (typeof s['id'] !== 'string' || s['id'] === '')) issues.push({ path: [...path, 'subject', 'id'], message: 'must be a non-empty string' });
    checkEntity(a, [...path, 'action'], ['name'], [], issues);
    checkEntity(r, [...path, 'resource'], ['type', 'id'], [], issues);
    checkContext(context, [...path, 'context'], issues);
    // INVARIANT: wellFormed is exactly "these checks find nothing" (a property test holds them together)
    if (issues.length === n) issues.push({ path, message: 'malformed evaluation' });
  }

  function evaluationOutcome(body: unknown): Outcome {
    if (!isObject(body)) fail([{ path: [], message: 'the request body must be a JSON object' }]);
    const issues: Issue[] = [];
    const p = prepare(body, [], issues);
    if (p === undefined) fail(issues);
    if ('decision' in p) return p;
    return engine.authorize(p);
  }

  function evaluation(body: unknown): AuthzenDecision {
    return toAuthzen(evaluationOutcome(body));
  }

  function evaluationJson(body: unknown): string {
    return outcomeJson(evaluationOutcome(body));
  }

  /** The outcomes of an evaluations request in order, or the one outcome of a request without items. */
  function evaluationsOutcomes(body: unknown): Outcome[] | Outcome {
    if (!isObject(body)) fail([{ path: [], message: 'the request body must be a JSON object' }]);
    const list = body['evaluations'];
    if (list !== undefined && !Array.isArray(list)) fail([{ path: ['evaluations'], message: 'must be an array' }]);
    const opts = body['options'];
    if (opts !== undefined && !isObject(opts)) fail([{ path: ['options'], message: 'must be an object' }]);
    const semantic = isObject(opts) ? (opts['evaluations_semantic'] ?? 'execute_all') : 'execute_all';
    if (!SEMANTICS.includes(semantic as EvaluationsSemantic))
      fail([{ path: ['options', 'evaluations_semantic'], message: `must be one of ${SEMANTICS.join(', ')}` }]);
    if (list === undefined || list.length === 0) return evaluationOutcome(body);
    if (list.length > maxEvaluations) fail([{ path: ['evaluations'], message: `at most ${maxEvaluations} evaluations per request` }]);
    const issues: Issue[] = [];
    const ready: (AuthorizeRequest | AuthzenDecision)[] = [];
    let sharedSubject = true;
    let allReady = true;
    const defaults = { subject: body['subject'], action: body['action'], resource: body['resource'], context: body['context'] };
    // one object reused for every item's merge: prepare reads it and keeps nothing of it
    const merged: Record<string, unknown> = { subject: undefined, action: undefined, resource: undefined, context: undefined };
    for (let i = 0; i < list.length; i++) {
      const item = list[i];
      if (!isObject(item)) {
        issues.push({ path: ['evaluations', i], message: 'must be an object' });
        continue;
      }
      if (item['subject'] !== undefined) sharedSubject = false;
      // INVARIANT: an item's own key overrides the top-level default, key by key (subject, action, resource, context)
      merged['subject'] = item['subject'] ?? defaults.subject;
      merged['action'] = item['action'] ?? defaults.action;
      merged['resource'] = item['resource'] ?? defaults.resource;
      merged['context'] = item['context'] ?? defaults.context;
      // an item that is incomplete even after the defaults is denied on its own (the certification scenario's
      // reading of execute_all); only a payload malformed as a whole is a 400
      const own: Issue[] = [];
      const p = prepare(merged, ['evaluations', i], own) ?? refused(own.map((x) => `${x.path.join('.')}: ${x.message}`).join('; '));
      if ('decision' in p) allReady = false;
      ready.push(p);
    }
    if (issues.length > 0) fail(issues);
    if (semantic === 'execute_all') {
      // one subject for the whole batch: its identities are resolved once
      if (sharedSubject && allReady) {
        const requests = ready as AuthorizeRequest[];
        const items = requests.map((q) => (q.environment === undefined ? { action: q.action, resource: q.resource } : { action: q.action, resource: q.resource, environment: q.environment }));
        return engine.authorizeMany(requests[0]!.subject, items);
      }
      return ready.map((p) => ('decision' in p ? p : engine.authorize(p)));
    }
    const out: Outcome[] = [];
    const stopOn = semantic === 'deny_on_first_deny' ? false : true;
    for (const p of ready) {
      const d: Outcome = 'decision' in p ? p : engine.authorize(p);
      if ((isDecision(d) ? d.allowed : d.decision) === stopOn) {
        // the spec's own shape for the deny that ends a deny_on_first_deny batch
        const a = toAuthzen(d);
        out.push(stopOn ? d : { decision: false, context: { ...a.context, code: '200', reason: 'deny_on_first_deny', cause: a.context?.['reason'] } });
        return out;
      }
      out.push(d);
    }
    return out;
  }

  function evaluations(body: unknown): AuthzenEvaluationsResponse | AuthzenDecision {
    const o = evaluationsOutcomes(body);
    return Array.isArray(o) ? { evaluations: o.map(toAuthzen) } : toAuthzen(o);
  }

  function evaluationsJson(body: unknown): string {
    const o = evaluationsOutcomes(body);
    if (!Array.isArray(o)) return outcomeJson(o);
    let s = '{"evaluations":[';
    for (let i = 0; i < o.length; i++) s += (i === 0 ? '' : ',') + outcomeJson(o[i]!);
    return s + ']}';
  }

  /** Checks the search request's page and common members; returns the time to decide at. */
  function searchBase(body: unknown, searched: 'subject' | 'resource' | 'action'): { body: Record<string, unknown>; now: number; limit: number; offset: number; print: string } {
    if (!isObject(body)) fail([{ path: [], message: 'the request body must be a JSON object' }]);
    const issues: Issue[] = [];
    if (searched === 'subject') checkEntity(body['subject'], ['subject'], ['type'], ['id'], issues);
    else {
      const s = body['subject'];
      if (checkEntity(s, ['subject'], ['type'], ['id'], issues) && s['type'] !== 'anonymous' && typeof s['id'] !== 'string')
        issues.push({ path: ['subject', 'id'], message: 'must be a non-empty string' });
    }
    if (searched !== 'action') checkEntity(body['action'], ['action'], ['name'], [], issues);
    if (searched === 'resource') checkEntity(body['resource'], ['resource'], ['type'], ['id'], issues);
    else checkEntity(body['resource'], ['resource'], ['type', 'id'], [], issues);
    checkContext(body['context'], ['context'], issues);
    const page = body['page'];
    let limit = maxPage;
    let offset = 0;
    const print = fingerprint(body);
    if (page !== undefined) {
      if (!isObject(page)) issues.push({ path: ['page'], message: 'must be an object' });
      else {
        const l = page['limit'];
        if (l !== undefined) {
          if (typeof l !== 'number' || !Number.isInteger(l) || l < 0 || l > maxPage) issues.push({ path: ['page', 'limit'], message: `must be an integer 0..${maxPage}` });
          else limit = l;
        }
        const t = page['token'];
        if (t !== undefined && t !== '') {
          const parsed = typeof t === 'string' ? /^(\d+)\.([0-9a-z]+)$/.exec(Buffer.from(t, 'base64url').toString('latin1')) : null;
          if (parsed === null) issues.push({ path: ['page', 'token'], message: 'not a token this PDP issued' });
          else if (parsed[2] !== print) issues.push({ path: ['page', 'token'], message: 'the request changed since the token was issued' });
          else offset = Number(parsed[1]);
        }
      }
    }
    if (issues.length > 0) fail(issues);
    const env = toEnvironment(body['context']);
    const now = env?.now === undefined ? clock() : typeof env.now === 'number' ? env.now : Date.parse(env.now);
    if (!Number.isFinite(now)) fail([{ path: ['context', 'time'], message: 'must be an ISO 8601 date-time or epoch milliseconds' }]);
    return { body, now, limit, offset, print };
  }

  function pageOf<T>(all: T[], base: { limit: number; offset: number; print: string }, context?: Record<string, unknown>): AuthzenSearchResponse<T> {
    const results = all.slice(base.offset, base.offset + base.limit);
    const end = base.offset + results.length;
    const next_token = end < all.length && base.limit > 0 ? Buffer.from(`${end}.${base.print}`, 'latin1').toString('base64url') : '';
    const out: AuthzenSearchResponse<T> = { page: { next_token, count: results.length, total: all.length }, results };
    if (context !== undefined) out.context = context;
    return out;
  }

  /**
   * Runs an analysis; an entity the engine cannot resolve (an unknown resource id, a resource without an account)
   * matches nothing, so the search answers no results rather than an error, as the certification scenario asks.
   */
  function orNothing<T>(run: () => T[]): { found: T[]; error?: string } {
    try {
      return { found: run() };
    } catch (e) {
      if (e instanceof ValidationError && e.code === 'invalid_request') return { found: [], error: e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
      throw e;
    }
  }

  function searchSubject(body: unknown): AuthzenSearchResponse<{ type: string; id: string }> {
    const base = searchBase(body, 'subject');
    const s = base.body['subject'] as Record<string, unknown>;
    const type = s['type'] as string;
    // subject.id is ignored, as the spec asks; a type without principals has no results
    if (!PRINCIPAL_KINDS.includes(type)) return pageOf([], base);
    const sso = isObject(s['properties']) && s['properties']['sso'] === true;
    const action = (base.body['action'] as Record<string, unknown>)['name'] as string;
    let anonymous: string[] | undefined;
    const r = orNothing(() => {
      const w = whoCan(engine.tables, action, toResource(engine.tables, base.body['resource'] as Record<string, unknown>), { now: base.now });
      if (w.anonymous.allowed) anonymous = w.anonymous.policies;
      // a principal that needs an SSO login is listed only for a search that says the caller comes through SSO
      return w.principals.filter((p) => p.kind === type && (sso || !p.ssoRequired)).map((p) => p.id);
    });
    r.found.sort();
    const context: Record<string, unknown> = {};
    if (anonymous !== undefined) Object.assign(context, { public: true, policies: anonymous });
    if (r.error !== undefined) context['error'] = { status: 400, message: r.error };
    return pageOf(r.found.map((id) => ({ type, id })), base, Object.keys(context).length > 0 ? context : undefined);
  }

  function searchResource(body: unknown): AuthzenSearchResponse<{ type: string; id: string }> {
    const base = searchBase(body, 'resource');
    const r = base.body['resource'] as Record<string, unknown>;
    const s = base.body['subject'] as Record<string, unknown>;
    const type = r['type'] as string;
    if (subjectTypeIssue(s) !== undefined) return pageOf([], base);
    const subject = toSubject(s);
    const props = isObject(r['properties']) ? r['properties'] : {};
    const accountId = typeof props['accountId'] === 'string' ? props['accountId'] : typeof subject.accountId === 'string' ? subject.accountId : undefined;
    const action = (base.body['action'] as Record<string, unknown>)['name'] as string;
    // resource.id is ignored: the candidates are the registered resources of the type (their `resourceType`
    // attribute), with the request's properties laid over each, decided one by one as authorize would
    const overlay = Object.keys(props).length > 0;
    const candidates = [...engine.tables.resources.values()].filter((x) => x.attributes['resourceType'] === type && (accountId === undefined || x.accountId === accountId));
    const requests = candidates.map((x) => (overlay ? toResource(engine.tables, { type, id: x.id, properties: props }) : { id: x.id }));
    const res = orNothing(() => listResources(engine.tables, subject, action, requests, { now: base.now }).map((l) => candidates[l.index!]!.id));
    res.found.sort();
    return pageOf(res.found.map((id) => ({ type, id })), base, res.error === undefined ? undefined : { error: { status: 400, message: res.error } });
  }

  function searchAction(body: unknown): AuthzenSearchResponse<{ name: string }> {
    const base = searchBase(body, 'action');
    const s = base.body['subject'] as Record<string, unknown>;
    if (subjectTypeIssue(s) !== undefined) return pageOf([], base);
    let patterns: string[] = [];
    const res = orNothing(() => {
      const w = whatCan(engine.tables, toSubject(s), toResource(engine.tables, base.body['resource'] as Record<string, unknown>), { now: base.now });
      patterns = w.patterns.map((p) => p.pattern);
      return w.actions.map((a) => ({ name: a.action }));
    });
    // patterns cover actions no role names; they cannot be listed one by one, so they travel in context
    const context: Record<string, unknown> = {};
    if (patterns.length > 0) context['patterns'] = patterns;
    if (res.error !== undefined) context['error'] = { status: 400, message: res.error };
    return pageOf(res.found, base, Object.keys(context).length > 0 ? context : undefined);
  }

  function metadata(baseUrl: string): AuthzenMetadata {
    let u: URL;
    try {
      u = new URL(baseUrl);
    } catch {
      throw new ValidationError('invalid_options', [{ path: ['baseUrl'], message: 'must be an absolute URL' }]);
    }
    if (u.search !== '' || u.hash !== '') throw new ValidationError('invalid_options', [{ path: ['baseUrl'], message: 'must have no query or fragment' }]);
    const root = baseUrl.replace(/\/+$/, '');
    return {
      policy_decision_point: root,
      access_evaluation_endpoint: root + AUTHZEN_PATHS.evaluation,
      access_evaluations_endpoint: root + AUTHZEN_PATHS.evaluations,
      search_subject_endpoint: root + AUTHZEN_PATHS.searchSubject,
      search_resource_endpoint: root + AUTHZEN_PATHS.searchResource,
      search_action_endpoint: root + AUTHZEN_PATHS.searchAction,
    };
  }

  return { evaluation, evaluations, evaluationJson, evaluationsJson, searchSubject, searchResource, searchAction, metadata };
}
