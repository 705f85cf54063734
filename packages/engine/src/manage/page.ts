// Paging and sorting of listings as the IBM APIs do them.
import { SeedError } from '../errors.js';

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
