// The store port: what every store package implements, over the entity catalogue of model/entities.ts.
import type { StoreError } from './errors.js';
import type { Change } from './model/entities.js';
import type { Source } from './model/source.js';

/** A source and the revision it was read at. */
export interface Snapshot {
  source: Source;
  revision: number;
  /**
   * True when the store itself checked this source with parseSource (on load or on every commit that built it), so an
   * engine need not parse it again. A store that cannot promise it leaves it out and the engine parses.
   */
  validated?: boolean;
  /** The history digest of `revision` (see `Store`): what the engine compares on every catch-up. */
  digest: string;
}

/** What `changesSince` returns: the changes after a revision, and the digests a follower checks its history by. */
export interface ChangesSince {
  changes: Change[];
  /** The store's revision now; the changes end there. */
  revision: number;
  /** The history digest of `revision`. */
  digest: string;
  /**
   * The history digest of the revision asked about as the store holds it now; null when the store holds no such
   * revision (it is past the store's, or its digest is gone). A follower whose digest of that revision differs is
   * on another history: the changes do not apply to what it holds.
   */
  baseDigest: string | null;
}

/**
 * What every store implements: all-or-nothing commits with optimistic concurrency, and a change feed.
 *
 * Every revision carries a history digest, chained: digest(0) is `GENESIS_DIGEST` (store-kit), digest(R) is sha256 of
 * digest(R-1) and the stored JSON text of revision R's changes (`nextHistoryDigest`). Two stores agree on a revision's
 * digest exactly when they hold the same history up to it, so a follower tells a store restored from a backup, a
 * lagging replica or a schema made again from the history it followed, whatever revision the store reads.
 */
export interface Store {
  /** The whole current source, its revision (0 for an empty store) and that revision's history digest. */
  load(): Promise<Snapshot>;
  /**
   * Writes all changes or none; refused with StoreError `revision_conflict` when `expectedRevision` is stale, or when
   * `expectedDigest` is given and is not the digest of the store's revision (the same revision of another history).
   * Returns the new revision and its digest.
   */
  commit(changes: Change[], expectedRevision: number, expectedDigest?: string): Promise<{ revision: number; digest: string }>;
  /** The changes committed after `revision`, in order, for another process to catch up, with the digests to check them by. */
  changesSince(revision: number): Promise<ChangesSince>;
  close(): Promise<void>;
  /**
   * Announces every revision committed to the store, by any process, until the feed is closed. Optional: a store
   * without it (memory) has no other writers to hear of. Announcements may skip or repeat revisions, and none
   * arrive while the feed is disconnected, so a follower always reads what it missed with `changesSince`.
   */
  watch?(listener: FeedListener): StoreFeed;
}

/** What a store's change feed tells its follower. */
export interface FeedListener {
  /** A revision was committed; the store is at least at `revision`. */
  onRevision(revision: number): void;
  /**
   * The feed lost its connection (`connected: false`, with the error) or has it again (`connected: true`, after
   * which the follower catches up: announcements sent while it was away are gone).
   */
  onStatus(status: { connected: boolean; error?: StoreError }): void;
}

/** A running change feed; closing it stops its connection and timers. */
export interface StoreFeed {
  close(): Promise<void>;
}

// The port speaks in the entity catalogue's terms (model/entities.ts): re-exported so a store reads its whole contract here.
export type { Change, EntityName, EntityTypes } from './model/entities.js';
export { applyChanges, entityKey, ENTITY_FIELDS, ENTITY_NAMES } from './model/entities.js';
