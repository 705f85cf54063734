import type { CompiledPolicy, Tables } from '../compile/tables.js';
import { strayRequestKey, strayResourceKey, straySubjectKey } from '../evaluate/resolve-request.js';
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

/** The `absent` fields #plain reads by name; checked at load against CACHE_COVERAGE, so the two cannot drift apart. */
const ABSENT_FIELDS = {
  request: ['environment'],
  subject: ['claims', 'service', 'email', 'sso'],
  resource: ['attributes', 'tags', 'projects', 'folders', 'zones', 'agentId'],
} as const;
for (const [where, fields] of [
  ['request', absent<AuthorizeRequest>(CACHE_COVERAGE.request)],
  ['subject', absent<RequestSubject>(CACHE_COVERAGE.subject)],
  ['resource', absent<RequestResource>(CACHE_COVERAGE.resource)],
] as const) {
  if ([...fields].sort().join() !== [...ABSENT_FIELDS[where]].sort().join())
    throw new Error(`decision-cache: the ${where} fields #plain reads are not CACHE_COVERAGE's absent ones`);
}

/** One cached decision: in its resource's chain (lookup) and in one slot of the clock (eviction). */
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
  /** Used since the clock hand last passed it: it is passed over once more before it can go. */
  used: boolean;
  /** Hits not yet counted on `allowed` (see countHit). */
  hits: number;
}

/** Told how many times a cached allow was served since its hits were last counted. */
export type OnHits = (allowed: readonly CompiledPolicy[], hits: number) => void;

/**
 * Caches decisions of plain requests: a subject id (or none), an action, a registered resource id; no claims, no
 * calling service, no email or SSO flag of the request's own, no explicit time, acting for the resource's account.
 * A lookup hashes one string (the resource id) and compares the action and subject id of that resource's few entries:
 * a hit hashes once, allocates nothing and writes only the entry it read. An entry is served only for the same source
 * revision and only between the time it was computed and the next expiry in the resource's account, so that it can
 * never outlive what it was computed from. Once `max` are held, a new entry takes the slot of one not used since the
 * clock hand last came by (second chance, CLOCK): recency as a flag on the entry rather than a list, because moving
 * an entry to the head of a list on every hit wrote to two neighbours no other part of the hit reads (at L, cold).
 */
export class DecisionCache {
  readonly #byResource = new Map<string, Entry>();
  readonly #max: number;
  /** The clock: every entry held, in the slot it was given. */
  readonly #slots: Entry[] = [];
  #hand = 0;
  /** Entries whose hits are not counted yet (some may have been counted since, by eviction or replacement). */
  readonly #uncounted: Entry[] = [];
  readonly #onHits: OnHits;
  constructor(max: number, onHits: OnHits = () => {}) {
    this.#max = max;
    this.#onHits = onHits;
  }

  /**
   * Notes one serving of an entry's allow. Its policies are counted later, `hits` at a time (drainHits), not here: at
   * L the policies of a cached decision are cold, and bumping each one's counter cost a hit as much as the lookup.
   * They are counted before the entry's `allowed` changes, before it leaves the cache, and by drainHits.
   */
  countHit(e: Entry): void {
    if (e.hits++ === 0) {
      this.#uncounted.push(e);
      // bounded: entries that left the cache stay listed (counted, 0 hits) until the next drain
      if (this.#uncounted.length > this.#max) this.drainHits();
    }
  }

  /** Counts every pending hit on its policies (through `onHits`). */
  drainHits(): void {
    const list = this.#uncounted;
    for (let i = 0; i < list.length; i++) this.#countNow(list[i]!);
    list.length = 0;
  }

  #countNow(e: Entry): void {
    if (e.hits === 0) return;
    const n = e.hits;
    e.hits = 0;
    this.#onHits(e.allowed, n);
  }

  /** True when the request carries only fields the cache keys on, of the right types (no table is read). */
  #plain(request: AuthorizeRequest): boolean {
    if (request === null || typeof request !== 'object') return false;
    const s = request.subject;
    const r = request.resource;
    if (s === null || typeof s !== 'object' || r === null || typeof r !== 'object') return false;
    // INVARIANT: only requests whose every field is one the key covers (CACHE_COVERAGE), of a valid type, are cached,
    // so a hit never skips a check of SEMANTICS §0 that the same request would fail. The `absent` fields are read by
    // name rather than through the lists: a load by a key from an array costs a generic lookup each, about as much
    // as the rest of a hit. ABSENT_FIELDS below fails at load if a field becomes `absent` and is not read here, and
    // engine.test.ts sends a request with each one.
    // a key no part of a request defines is refused by resolveRequest: never served from the cache
    if (strayRequestKey(request) || straySubjectKey(s) || strayResourceKey(r)) return false;
    if (request.environment !== undefined) return false;
    if (s.claims !== undefined || s.service !== undefined || s.email !== undefined || s.sso !== undefined) return false;
    if (r.attributes !== undefined || r.tags !== undefined || r.projects !== undefined || r.folders !== undefined || r.zones !== undefined || r.agentId !== undefined)
      return false;
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
    e.used = true;
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
      // the slot first: the entry evicted may be of the same resource, and leaves its chain before the new one joins
      const slot = this.#slots.length < this.#max ? this.#slots.length : this.#evict();
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
        used: false,
        hits: 0,
      };
      this.#byResource.set(res.id, e);
      this.#slots[slot] = e;
    } else {
      this.#countNow(e);
      e.decision = decision;
      e.allowed = allowed;
      e.revision = revision;
      e.from = now;
      e.until = until;
      e.used = true;
    }
  }

  /**
   * Drops the entry under the clock hand that was not used since the hand last passed (clearing the flag of each
   * used one it passes), and returns its slot, the hand moved past it.
   */
  #evict(): number {
    const slots = this.#slots;
    let h = this.#hand;
    while (slots[h]!.used) {
      slots[h]!.used = false;
      h = h + 1 === slots.length ? 0 : h + 1;
    }
    const e = slots[h]!;
    this.#hand = h + 1 === slots.length ? 0 : h + 1;
    this.#countNow(e);
    const head = this.#byResource.get(e.resource)!;
    if (head === e) {
      if (e.nextInResource === null) this.#byResource.delete(e.resource);
      else this.#byResource.set(e.resource, e.nextInResource);
    } else {
      let p = head;
      while (p.nextInResource !== e) p = p.nextInResource!;
      p.nextInResource = e.nextInResource;
    }
    return h;
  }

  clear(): void {
    this.drainHits();
    this.#byResource.clear();
    this.#slots.length = 0;
    this.#hand = 0;
  }

  get size(): number {
    return this.#slots.length;
  }
}
