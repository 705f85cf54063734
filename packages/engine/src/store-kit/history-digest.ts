// The history digest every store keeps beside its revision, so a follower can tell the history it followed from
// another one that reached the same or a higher revision (a restore from a backup, a fail-over to a lagging
// replica, a schema made again).
import { createHash } from 'node:crypto';
import { StoreError, ValidationError } from '../errors.js';

/** The digest of revision 0, the empty history: 32 zero bytes, as lowercase hex. */
export const GENESIS_DIGEST = '0'.repeat(64);

const HEX64 = /^[0-9a-f]{64}$/;

/** True for a digest as stores keep it: 64 lowercase hex digits. */
export function isHistoryDigest(value: unknown): value is string {
  return typeof value === 'string' && HEX64.test(value);
}

/**
 * The digest of the revision after `previous` whose changes the store wrote as `texts` (each change's stored JSON
 * text, in commit order): sha256(previous's 32 bytes, then per change its UTF-8 length as 4 bytes big-endian and
 * its UTF-8 bytes), as lowercase hex. Over the text a store writes, never over objects serialized again, so every
 * store (and a PostgreSQL migration computing it in SQL) hashes the same bytes; the length before each text keeps
 * two commits whose texts join into the same bytes apart.
 */
export function nextHistoryDigest(previous: string, texts: readonly string[]): string {
  // a digest read back from a store is checked before it is chained: a hand-edited row would otherwise chain from
  // garbage, and every later digest would differ from every other store's without saying why
  if (!HEX64.test(previous)) throw new StoreError('corrupt_data', `history digest \`${String(previous).slice(0, 80)}\` is not 64 lowercase hex digits`);
  const hash = createHash('sha256');
  hash.update(Buffer.from(previous, 'hex'));
  const length = Buffer.alloc(4);
  for (const text of texts) {
    const bytes = Buffer.from(text, 'utf8');
    length.writeUInt32BE(bytes.length, 0);
    hash.update(length);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

/** Refuses an `expectedDigest` argument that is not a digest (`invalid_input`): a typo must not turn the check off. */
export function checkExpectedDigest(digest: unknown): void {
  if (digest !== undefined && !isHistoryDigest(digest))
    throw new ValidationError('invalid_input', [{ path: ['expectedDigest'], message: 'must be a history digest (64 lowercase hex digits)' }]);
}

/**
 * Refuses a commit whose `expectedDigest` is not the digest of the store's revision (StoreError `revision_conflict`):
 * the writer holds the same revision of another history, and its changes were worked out on state the store lacks.
 */
export function expectDigest(expected: string | undefined, actual: string, revision: number): void {
  if (expected !== undefined && expected !== actual)
    throw new StoreError('revision_conflict', `revision conflict: the store's revision ${revision} is of another history than the writer's (history digest ${actual.slice(0, 12)}…, expected ${expected.slice(0, 12)}…)`);
}
