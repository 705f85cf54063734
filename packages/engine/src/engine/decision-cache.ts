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

/** One cached decision, linked twice: in its resource's chain (lookup) and in the recency list (eviction). */
interface Entry {
  readonly resource: string;
  action: string;
  subject: string | undefined;
  subjectAccount: string | undefined;
  decision: Decision;
  /** The policies that determined an allow, so a hit counts their usage without a lookup by id. */
  allowed: readonly CompiledPolicy[];
  revision: number;
  /** The decision holds for times in [from, until). */
  from: number;
  until: number;
  /** The next entry of the same resource. */
  nextInResource: Entry | null;
  /** Neighbours in the recency list (most recent first). */
  newer: Entry | null;
  older: Entry | null;
}

/**
 * Caches decisions of plain requests: a subject id (or none), an action, a registered resource id; no claims, no
 * calling service, no email or SSO flag of the request's own, no explicit time, acting for the resource's account.
 * A lookup hashes one string (the resource id) and compares the action and subject id of that resource's few entries:
 * a hit hashes once and allocates nothing. An entry is served only for the same source revision and only between the
 * time it was computed and the next expiry in the resource's account, so that it can never outlive what it was
 * computed from. Least recently used entries go first once `max` are held.
 */
export class DecisionCache {
  readonly #byResource = new Map<string, Entry>();
  readonly #max: number;
  #size = 0;
  #newest: Entry | null = null;
  #oldest: Entry | null = null;
  constructor(max: number) {
    this.#max = max;
  }

  /** True when the request carries only fields the cache keys on, of the right types (no table is read). */
  #plain(request: AuthorizeRequest): boolean {
    if (request === null || typeof request !== 'object') return false;
    const s = request.subject;
    const r = request.resource;
    if (s === null || typeof s !== 'object' || r === null || typeof r !== 'object') return false;
    // INVARIANT: only requests whose every field is one the key covers (CACHE_COVERAGE), of a valid type, are cached,
    // so a hit never skips a check of SEMANTICS §0 that the same request would fail
    for (let i = 0; i < ABSENT_REQUEST.length; i++) if (request[ABSENT_REQUEST[i]!] !== undefined) return false;
    for (let i = 0; i < ABSENT_SUBJECT.length; i++) if (s[ABSENT_SUBJECT[i]!] !== undefined) return false;
    for (let i = 0; i < ABSENT_RESOURCE.length; i++) if (r[ABSENT_RESOURCE[i]!] !== undefined) return false;
    if (typeof r.id !== 'string' || typeof request.action !== 'string') return false;
    if (s.accountId !== undefined && typeof s.accountId !== 'string') return false;
    if (s.id !== undefined && typeof s.id !== 'string') return false;
    // an unauthenticated id is not the anonymous caller: the SSO gate still reads that principal's stored email
    return s.authenticated === undefined || s.authenticated === true;
  }

  #find(request: AuthorizeRequest): Entry | null {
    const s = request.subject;
    let e = this.#byResource.get(request.resource.id!) ?? null;
    while (e !== null && (e.action !== request.action || e.subject !== s.id || e.subjectAccount !== s.accountId)) e = e.nextInResource;
    return e;
  }

  /**
   * The cached entry for a request, if held and still valid at this revision and time; undefined for a miss, null for
   * a request the cache never holds.
   */
  get(request: AuthorizeRequest, revision: number, now: number): Entry | undefined | null {
    if (!this.#plain(request)) return null;
    const e = this.#find(request);
    if (e === null || e.revision !== revision || now < e.from || now >= e.until) return undefined;
    this.#touch(e);
    return e;
  }

  /** Stores a decision if the request is cacheable and its account's decisions cannot change by themselves at a time we cannot bound. */
  set(request: AuthorizeRequest, decision: Decision, allowed: readonly CompiledPolicy[], tables: Tables, revision: number, now: number): void {
    if (this.#max === 0 || decision.reason === 'invalid-request' || !this.#plain(request)) return;
    const res = tables.resources.get(request.resource.id!);
    const s = request.subject;
    if (res === undefined || (s.accountId !== undefined && s.accountId !== res.accountId)) return;
    const account = tables.accounts.get(res.accountId);
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
    Object.freeze(decision);
    let e = this.#find(request);
    if (e === null) {
      if (this.#size >= this.#max) this.#evict();
      const head = this.#byResource.get(res.id) ?? null;
      e = {
        resource: res.id,
        action: request.action,
        subject: s.id,
        subjectAccount: s.accountId,
        decision,
        allowed,
        revision,
        from: now,
        until,
        nextInResource: head,
        newer: null,
        older: null,
      };
      this.#byResource.set(res.id, e);
      this.#size++;
    } else {
      this.#unlink(e);
      e.decision = decision;
      e.allowed = allowed;
      e.revision = revision;
      e.from = now;
      e.until = until;
    }
    this.#pushNewest(e);
  }

  #unlink(e: Entry): void {
    if (e.newer !== null) e.newer.older = e.older;
    else this.#newest = e.older;
    if (e.older !== null) e.older.newer = e.newer;
    else this.#oldest = e.newer;
    e.newer = e.older = null;
  }

  #pushNewest(e: Entry): void {
    e.older = this.#newest;
    if (this.#newest !== null) this.#newest.newer = e;
    this.#newest = e;
    if (this.#oldest === null) this.#oldest = e;
  }

  #touch(e: Entry): void {
    if (this.#newest === e) return;
    this.#unlink(e);
    this.#pushNewest(e);
  }

  /** Drops the least recently used entry. */
  #evict(): void {
    const e = this.#oldest;
    if (e === null) return;
    this.#unlink(e);
    const head = this.#byResource.get(e.resource)!;
    if (head === e) {
      if (e.nextInResource === null) this.#byResource.delete(e.resource);
      else this.#byResource.set(e.resource, e.nextInResource);
    } else {
      let p = head;
      while (p.nextInResource !== e) p = p.nextInResource!;
      p.nextInResource = e.nextInResource;
    }
    this.#size--;
  }

  clear(): void {
    this.#byResource.clear();
    this.#newest = this.#oldest = null;
    this.#size = 0;
  }

  get size(): number {
    return this.#size;
  }
}
