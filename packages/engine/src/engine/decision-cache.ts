import { LRUCache } from 'lru-cache';
import type { CompiledPolicy, Tables } from '../compile/tables.js';
import type { AuthorizeRequest, Decision, RequestResource, RequestSubject } from '../evaluate/types.js';

/** What the cache does with one request field: builds the key from it, or refuses to cache a request that carries it. */
type Coverage = 'key' | 'absent';
type Covers<T> = { readonly [K in keyof Required<T>]: Coverage };

/**
 * Every field of a request and what the cache does with it. Checked against the request types: a field added to
 * AuthorizeRequest, RequestSubject or RequestResource and not listed here fails to compile, so a request carrying it
 * can never be served a decision the cache made without it. `key()` builds its key from the `key` fields and reads
 * the `absent` lists below, nothing else.
 */
export const CACHE_COVERAGE = {
  request: { subject: 'key', action: 'key', resource: 'key', environment: 'absent' },
  // `authenticated` is in the key as "true or unset": an unauthenticated id still has its stored email read by the SSO gate
  subject: { id: 'key', accountId: 'key', authenticated: 'key', claims: 'absent', service: 'absent', email: 'absent', sso: 'absent' },
  resource: { id: 'key', attributes: 'absent', tags: 'absent', projects: 'absent', folders: 'absent', zones: 'absent', agentId: 'absent' },
} as const satisfies { request: Covers<AuthorizeRequest>; subject: Covers<RequestSubject>; resource: Covers<RequestResource> };

function absent<T>(coverage: Covers<T>): readonly (keyof T)[] {
  return (Object.keys(coverage) as (keyof T)[]).filter((k) => coverage[k] === 'absent');
}

const ABSENT_REQUEST = absent<AuthorizeRequest>(CACHE_COVERAGE.request);
const ABSENT_SUBJECT = absent<RequestSubject>(CACHE_COVERAGE.subject);
const ABSENT_RESOURCE = absent<RequestResource>(CACHE_COVERAGE.resource);

interface Entry {
  decision: Decision;
  /** The policies that determined an allow, so a hit counts their usage without a lookup by id. */
  allowed: readonly CompiledPolicy[];
  revision: number;
  /** The decision holds for times in [from, until). */
  from: number;
  until: number;
}

const ACTION_BITS = 2 ** 11;
const PRINCIPAL_BITS = 2 ** 21;
const RESOURCE_LIMIT = 2 ** 21;

/**
 * Caches decisions of plain requests: a principal id (or none), an action, a registered resource id; no claims, no
 * calling service, no email or SSO flag of the request's own, no explicit time, acting for the resource's account.
 * Keys are numbers built from the ids the tables already gave the resource, action and principal, so a lookup hashes
 * no string. An entry is served only for the same source revision and only between the time it was computed and the
 * next expiry in the resource's account, so that it can never outlive what it was computed from.
 */
export class DecisionCache {
  readonly #lru: LRUCache<number, Entry>;
  /**
   * The cache's own numbers for action strings: every action a request names, not only those a role names exactly
   * (an action granted through `type:*` alone is cacheable too). Append-only and bounded, so a stream of made-up
   * actions cannot grow it without limit: past the bound a new action is simply not cached.
   */
  readonly #actions = new Map<string, number>();
  constructor(max: number) {
    this.#lru = new LRUCache<number, Entry>({ max });
  }

  #actionId(action: string): number | undefined {
    let id = this.#actions.get(action);
    if (id === undefined) {
      if (this.#actions.size >= ACTION_BITS || action.length > 256) return undefined;
      id = this.#actions.size;
      this.#actions.set(action, id);
    }
    return id;
  }

  /** The cache key of a request, or undefined when the request is not cacheable. */
  key(request: AuthorizeRequest, tables: Tables): number | undefined {
    if (request === null || typeof request !== 'object') return undefined;
    const s = request.subject;
    const r = request.resource;
    if (s === null || typeof s !== 'object' || r === null || typeof r !== 'object') return undefined;
    // INVARIANT: only requests whose every field is one the key covers (CACHE_COVERAGE), of a valid type, are cached,
    // so a hit never skips a check of SEMANTICS §0 that the same request would fail
    for (let i = 0; i < ABSENT_REQUEST.length; i++) if (request[ABSENT_REQUEST[i]!] !== undefined) return undefined;
    for (let i = 0; i < ABSENT_SUBJECT.length; i++) if (s[ABSENT_SUBJECT[i]!] !== undefined) return undefined;
    for (let i = 0; i < ABSENT_RESOURCE.length; i++) if (r[ABSENT_RESOURCE[i]!] !== undefined) return undefined;
    if (typeof r.id !== 'string' || typeof request.action !== 'string' || (s.accountId !== undefined && typeof s.accountId !== 'string')) return undefined;
    // an unauthenticated id is not the anonymous caller: the SSO gate still reads that principal's stored email
    if (s.authenticated !== undefined && s.authenticated !== true) return undefined;
    const res = tables.resources.get(r.id);
    if (res === undefined || res.num >= RESOURCE_LIMIT) return undefined;
    const action = this.#actionId(request.action);
    if (action === undefined) return undefined;
    let principal = 0;
    if (s.id !== undefined) {
      if (typeof s.id !== 'string' || (s.accountId !== undefined && s.accountId !== res.accountId)) return undefined;
      const p = tables.accounts.get(res.accountId)?.principals.get(s.id);
      // INVARIANT: a subject that is not a principal of the account decides as an anonymous caller unless an email
      // of its own gates it, and the request carries none: so it shares the anonymous key
      if (p !== undefined) {
        if (p.num >= PRINCIPAL_BITS) return undefined;
        principal = p.num;
      }
    }
    return (res.num * ACTION_BITS + action) * PRINCIPAL_BITS + principal;
  }

  /** The cached entry for a key, if it is still valid at this revision and time. */
  get(key: number, revision: number, now: number): Entry | undefined {
    const e = this.#lru.get(key);
    if (e === undefined || e.revision !== revision || now < e.from || now >= e.until) return undefined;
    return e;
  }

  /** Stores a decision if its account's decisions cannot change by themselves at a time we cannot bound. */
  set(key: number, request: AuthorizeRequest, decision: Decision, allowed: readonly CompiledPolicy[], tables: Tables, revision: number, now: number): void {
    if (decision.reason === 'invalid-request') return;
    const res = tables.resources.get(request.resource.id!);
    const account = res === undefined ? undefined : tables.accounts.get(res.accountId);
    let until = Number.POSITIVE_INFINITY;
    if (account !== undefined) {
      if (account.timeRules) return;
      const ex = account.expiries;
      let lo = 0;
      let hi = ex.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ex[mid]! <= now) lo = mid + 1;
        else hi = mid;
      }
      if (lo < ex.length) until = ex[lo]!;
    }
    // a cached decision is handed to every later caller: frozen, so no caller can change another's answer
    Object.freeze(decision.policies);
    if (decision.errors !== undefined) Object.freeze(decision.errors);
    this.#lru.set(key, { decision: Object.freeze(decision), allowed, revision, from: now, until });
  }

  clear(): void {
    this.#lru.clear();
  }

  get size(): number {
    return this.#lru.size;
  }
}
