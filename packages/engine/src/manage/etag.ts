// Etags of rows and the If-Match check of the seed APIs that carry them.
import { SeedError } from '../errors.js';

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

/**
 * Checks an If-Match header against a row's etag. The seeds (IBM access groups: "must be populated with the group's
 * most recent revision number"; IBM policies: "must match the ETag value of the existing policy") require the current
 * etag: `*` is not a wildcard here, it is an etag that matches no row, so a writer cannot skip the lost-update check.
 * A stale or foreign etag is 412 `incorrect_etag`.
 */
export function checkIfMatch(ifMatch: string | undefined, etag: string | undefined, required = true): void {
  if (ifMatch === undefined) {
    if (required) throw new SeedError('missing_required_header', 400, 'the If-Match header is required');
    return;
  }
  if (etag === undefined || ifMatch !== etag) throw new SeedError('incorrect_etag', 412, `if-match \`${ifMatch}\` does not match the current etag`);
}
