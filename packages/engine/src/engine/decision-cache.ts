import { LRUCache } from 'lru-cache';
import type { Tables } from '../compile/tables.js';
import type { AuthorizeRequest, Decision } from '../evaluate/types.js';

interface Entry {
  decision: Decision;
  revision: number;
  /** The decision holds for times in [from, until). */
  from: number;
  until: number;
}

/**
 * Caches decisions of plain requests (a principal id, an action, a registered resource id, no claims, no explicit
 * time). An entry is served only for the same source revision and only between the time it was computed and the next
 * expiry in the resource's account, so that it can never outlive what it was computed from.
 */
export class DecisionCache {
  readonly #lru: LRUCache<string, Entry>;
  constructor(max: number) {
    this.#lru = new LRUCache<string, Entry>({ max });
  }

  /** The cache key of a request, or undefined when the request is not cacheable. */
  key(request: AuthorizeRequest): string | undefined {
    const s = request.subject;
    const r = request.resource;
    if (request.environment !== undefined || s === null || typeof s !== 'object' || r === null || typeof r !== 'object') return undefined;
    if (typeof r.id !== 'string' || r.attributes !== undefined || s.claims !== undefined || s.service !== undefined) return undefined;
    if (typeof request.action !== 'string') return undefined;
    const id = typeof s.id === 'string' ? s.id : '';
    const acting = typeof s.accountId === 'string' ? s.accountId : '';
    // the SSO gate reads `email` and `sso`: requests that differ in them are different requests
    if (typeof s.email === 'string' && s.email.includes('\u0001')) return undefined;
    const gate = `${typeof s.email === 'string' ? `1${s.email}` : '0'}\u0001${s.sso === true ? 1 : 0}`;
    return `${id}\u0001${acting}\u0001${s.authenticated === false ? 0 : 1}\u0001${gate}\u0001${request.action}\u0001${r.id}`;
  }

  get(key: string, revision: number, now: number): Decision | undefined {
    const e = this.#lru.get(key);
    if (e === undefined || e.revision !== revision || now < e.from || now >= e.until) return undefined;
    return e.decision;
  }

  /** Stores a decision if its account's decisions cannot change by themselves at a time we cannot bound. */
  set(key: string, request: AuthorizeRequest, decision: Decision, tables: Tables, revision: number, now: number): void {
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
    this.#lru.set(key, { decision, revision, from: now, until });
  }

  clear(): void {
    this.#lru.clear();
  }

  get size(): number {
    return this.#lru.size;
  }
}
