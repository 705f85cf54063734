// AuthZEN entities -> Portcullis requests. Structural problems (a required member missing or of the wrong JSON type)
// are collected as issues for a 400; what only the engine can judge (an unknown resource id, a resource without an
// account) is left to authorize, which answers deny with `invalid-request`.
import type { Issue } from '../errors.js';
import type { Tables } from '../compile/tables.js';
import type { AuthorizeRequest, RequestResource, RequestScalar, RequestSubject } from '../evaluate/types.js';

type Path = (string | number)[];

/** The subject types AuthZEN requests may name: the principal kinds, and `anonymous` for a caller without identity. */
export const AUTHZEN_SUBJECT_TYPES = ['user', 'service', 'agent', 'anonymous'] as const;

/** Subject properties that become fields of the Portcullis subject; any other property is ignored, as the spec asks. */
const SUBJECT_FIELDS = ['accountId', 'claims', 'service', 'email', 'sso'] as const;

/** Resource properties that are not attributes but where the resource lives. */
const RESOURCE_PLACES = ['tags', 'projects', 'folders', 'zones', 'agentId'] as const;

/** True for a plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): v is RequestScalar {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/** Checks an entity's shape: an object whose `key` members are strings (`optional` ones may be absent), `properties` an object. */
export function checkEntity(v: unknown, path: Path, required: readonly string[], optional: readonly string[], issues: Issue[]): v is Record<string, unknown> {
  if (!isObject(v)) {
    issues.push({ path, message: 'must be an object' });
    return false;
  }
  for (const k of required) if (typeof v[k] !== 'string' || (v[k] as string).length === 0) issues.push({ path: [...path, k], message: 'must be a non-empty string' });
  for (const k of optional) if (v[k] !== undefined && typeof v[k] !== 'string') issues.push({ path: [...path, k], message: 'must be a string' });
  if (v['properties'] !== undefined && !isObject(v['properties'])) issues.push({ path: [...path, 'properties'], message: 'must be an object' });
  return true;
}

function entityOk(v: unknown, id: 'required' | 'optional' | 'none', key: 'type' | 'name'): boolean {
  if (!isObject(v)) return false;
  const k = v[key];
  if (typeof k !== 'string' || k.length === 0) return false;
  if (id !== 'none') {
    const i = v['id'];
    if (id === 'required' ? typeof i !== 'string' || i.length === 0 : i !== undefined && typeof i !== 'string') return false;
  }
  const p = v['properties'];
  return p === undefined || isObject(p);
}

/**
 * True when an evaluation's subject, action, resource and context pass every check `checkEntity`/`checkContext`
 * make of them in an evaluation (a subject other than `anonymous` has a non-empty id), without building a path or
 * an issue: the hot path asks this first and collects issues only for a request that fails it.
 */
export function wellFormed(s: unknown, a: unknown, r: unknown, context: unknown): boolean {
  if (!entityOk(s, 'optional', 'type') || !entityOk(a, 'none', 'name') || !entityOk(r, 'required', 'type')) return false;
  const subject = s as Record<string, unknown>;
  if (subject['type'] !== 'anonymous' && (typeof subject['id'] !== 'string' || subject['id'] === '')) return false;
  if (context === undefined) return true;
  if (!isObject(context)) return false;
  const t = context['time'];
  return t === undefined || typeof t === 'string' || typeof t === 'number';
}

/** Checks the optional context: an object whose `time` is an ISO 8601 string or epoch milliseconds. */
export function checkContext(v: unknown, path: Path, issues: Issue[]): void {
  if (v === undefined) return;
  if (!isObject(v)) {
    issues.push({ path, message: 'must be an object' });
    return;
  }
  const t = v['time'];
  if (t !== undefined && typeof t !== 'string' && typeof t !== 'number') issues.push({ path: [...path, 'time'], message: 'must be an ISO 8601 string or epoch milliseconds' });
}

/**
 * The Portcullis subject of an AuthZEN subject. `anonymous` (or no id) is a caller without identity; the listed
 * properties pass through unchanged for authorize to check.
 */
export function toSubject(s: Record<string, unknown>): RequestSubject {
  const out: RequestSubject = {};
  const props = isObject(s['properties']) ? s['properties'] : undefined;
  if (props !== undefined) for (const k of SUBJECT_FIELDS) if (props[k] !== undefined) (out as Record<string, unknown>)[k] = props[k];
  if (s['type'] === 'anonymous' || typeof s['id'] !== 'string') out.authenticated = false;
  else out.id = s['id'];
  return out;
}

/**
 * The Portcullis resource of an AuthZEN resource. An `id` that names a registered resource brings its attributes,
 * tags and places; without properties the request names it by id (the cached path). Properties overlay its
 * attributes (a PEP tells its current `status`), but never where it is: its account, tags and places are the
 * registry's (SEMANTICS §0), whatever `accountId` or place property the request carries. An unregistered resource is
 * described by its properties alone: scalar properties are attributes (`accountId` among them), the place properties
 * (`tags`, `projects`, `folders`, `zones`, `agentId`) say where it lives, structured properties are ignored (no policy
 * can match them); `resourceType` defaults to `type` and `resource` to `id`, unless the property is given (null keeps
 * the attribute absent).
 */
export function toResource(tables: Tables, r: Record<string, unknown>): RequestResource {
  const props = isObject(r['properties']) ? r['properties'] : undefined;
  const id = typeof r['id'] === 'string' ? r['id'] : undefined;
  const registered = id === undefined ? undefined : tables.resources.get(id);
  if (props === undefined || Object.keys(props).length === 0) {
    if (registered !== undefined || id === undefined) return { id: id as string };
  }
  const attributes: Record<string, RequestScalar> = {};
  const out: RequestResource = { attributes };
  if (registered !== undefined) {
    Object.assign(attributes, registered.attributes);
    attributes['accountId'] = registered.accountId;
    out.tags = [...registered.tags];
    out.projects = [...registered.projects];
    out.folders = [...registered.folders];
    out.zones = [...registered.zones];
    if (registered.agentId !== undefined) out.agentId = registered.agentId;
  }
  for (const k of Object.keys(props ?? {})) {
    const v = props![k];
    // INVARIANT: a registered resource is decided in its own account, where it lives (SEMANTICS §0), as authorize
    // decides it: overlaid, a PEP that adds the caller's organization to every resource it asks about had a stranger's
    // resource decided in the caller's organization (red team, round 10: its organization admin deleted it)
    if ((RESOURCE_PLACES as readonly string[]).includes(k)) {
      if (registered === undefined) (out as Record<string, unknown>)[k] = v;
    } else if (isScalar(v) && !(registered !== undefined && k === 'accountId')) attributes[k] = v;
  }
  // a property given as null keeps the attribute absent (no default from `type` or `id`)
  const given = (k: string) => props !== undefined && Object.hasOwn(props, k);
  if (attributes['resourceType'] === undefined && !given('resourceType') && typeof r['type'] === 'string') attributes['resourceType'] = r['type'];
  if (registered === undefined && attributes['resource'] === undefined && !given('resource') && id !== undefined) attributes['resource'] = id;
  return out;
}

/** The environment of an AuthZEN context: its `time`, when given. */
export function toEnvironment(c: unknown): AuthorizeRequest['environment'] {
  if (!isObject(c)) return undefined;
  const t = c['time'];
  return typeof t === 'string' || typeof t === 'number' ? { now: t } : undefined;
}

/** The subject type problem of an evaluation, if any: a type Portcullis has no principals of decides nothing. */
export function subjectTypeIssue(s: Record<string, unknown>): string | undefined {
  return (AUTHZEN_SUBJECT_TYPES as readonly string[]).includes(s['type'] as string)
    ? undefined
    : `unknown subject type \`${String(s['type'])}\`: one of ${AUTHZEN_SUBJECT_TYPES.join(', ')}`;
}
