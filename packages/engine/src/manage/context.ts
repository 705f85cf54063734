import { SeedError } from '../errors.js';
import type { Change } from '../store.js';
import type { SourceState } from './source-state.js';

/**
 * Who performs an operation: a subject of an account, or the host's own `system` actor, named on purpose. A subject's
 * `sso: true` is the host saying the actor signed in through SSO (SEMANTICS §0.1: the login gate of an SSO-enabled
 * email domain lets it through), as the host asserts claims; without it, an actor whose email domain is SSO-gated
 * is refused like any request of it.
 */
export type Actor = { kind: 'system' } | { kind: 'subject'; id: string; accountId: string; sso?: boolean } | { kind: 'anonymous' };

/** What every management operation receives besides its input: the actor, the time and fresh ids. Injected, never read. */
export interface ManageContext {
  actor: Actor;
  /** The time of the operation, ISO 8601. */
  now: string;
  /** A fresh id for a new row; `prefix` is a hint such as `AccessGroupId-`. */
  newId(prefix: string): string;
}

/** What an operation returns: the result in the seed's JSON shape, the changes it made, and the resulting state. */
export interface OpResult<T> {
  result: T;
  changes: Change[];
  state: SourceState;
}

/** Builds an OpResult; the resulting state is computed on first access, so an owner that applies the changes itself never pays for it. */
export function done<T>(state: SourceState, result: T, changes: Change[]): OpResult<T> {
  let next: SourceState | undefined;
  return {
    result,
    changes,
    get state(): SourceState {
      return (next ??= state.with(changes));
    },
  };
}

/** A management operation: pure, `(state, input, ctx) -> OpResult`, throwing SeedError on refusal. */
export type Operation<I, R> = (state: SourceState, input: I, ctx: ManageContext) => OpResult<R>;

/** The input an operation takes, so a host can name it: `OperationInput<typeof cloudflareOperations.createUserGroup>`. */
export type OperationInput<O> = O extends (state: SourceState, input: infer I, ctx: ManageContext) => OpResult<unknown> ? I : never;

/** The result an operation resolves to through `engine.apply`, in the seed's JSON shape. */
export type OperationResult<O> = O extends (state: SourceState, input: never, ctx: ManageContext) => OpResult<infer R> ? R : never;

/** The etag of a row: changes on every write because it hashes the row's content. */
export function etagOf(row: unknown): string {
  const s = JSON.stringify(row, (k, v) => (k === 'etag' ? undefined : v));
  // FNV-1a over UTF-16 code units, two rounds with different seeds for 64 bits
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return `W/"${(h1 >>> 0).toString(16).padStart(8, '0')}${(h2 >>> 0).toString(16).padStart(8, '0')}"`;
}

/** A row with a fresh etag. */
export function withEtag<T extends { etag?: string | undefined }>(row: T): T {
  return { ...row, etag: etagOf(row) };
}

/** Checks an If-Match header against a row's etag: `*` matches anything; a stale etag is 412 `incorrect_etag`. */
export function checkIfMatch(ifMatch: string | undefined, etag: string | undefined, required = true): void {
  if (ifMatch === undefined) {
    if (required) throw new SeedError('missing_required_header', 400, 'the If-Match header is required');
    return;
  }
  if (ifMatch !== '*' && ifMatch !== etag) throw new SeedError('incorrect_etag', 412, `if-match \`${ifMatch}\` does not match the current etag`);
}

/** Seed-style page parameters after checking: limit 0..100 (default 50), offset >= 0. */
export interface Page {
  limit: number;
  offset: number;
}

/** Checks `limit` and `offset` as the IBM APIs do. */
export function checkPage(limit: unknown, offset: unknown, max = 100, dflt = 50): Page {
  const l = limit === undefined ? dflt : Number(limit);
  const o = offset === undefined ? 0 : Number(offset);
  if (!Number.isInteger(l) || l < 0 || l > max) throw new SeedError('invalid_query_parameter', 400, `limit must be an integer 0..${max}`);
  if (!Number.isInteger(o) || o < 0) throw new SeedError('invalid_query_parameter', 400, 'offset must be a non-negative integer');
  return { limit: l, offset: o };
}

/** The IBM page envelope: limit, offset, total_count and first/previous/next/last links. */
export function pageLinks(base: string, page: Page, total: number): Record<string, unknown> {
  const href = (offset: number) => ({ href: `${base}${base.includes('?') ? '&' : '?'}offset=${offset}&limit=${page.limit}` });
  const out: Record<string, unknown> = { limit: page.limit, offset: page.offset, total_count: total, first: href(0) };
  if (page.limit > 0) {
    if (page.offset > 0) out['previous'] = href(Math.max(0, page.offset - page.limit));
    if (page.offset + page.limit < total) out['next'] = href(page.offset + page.limit);
    out['last'] = href(total === 0 ? 0 : Math.floor((total - 1) / page.limit) * page.limit);
  }
  return out;
}

/** Sorts rows by a field, `-field` for descending; unknown fields are refused by the caller. */
export function sortBy<T>(rows: T[], sort: string | undefined, field: (row: T, name: string) => unknown): T[] {
  if (sort === undefined || sort === '') return rows;
  const desc = sort.startsWith('-');
  const name = desc ? sort.slice(1) : sort;
  const sorted = [...rows].sort((a, b) => {
    const x = field(a, name);
    const y = field(b, name);
    const c = String(x ?? '') < String(y ?? '') ? -1 : String(x ?? '') > String(y ?? '') ? 1 : 0;
    return desc ? -c : c;
  });
  return sorted;
}
