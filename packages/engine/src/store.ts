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
}

/** What every store implements: all-or-nothing commits with optimistic concurrency, and a change feed. */
export interface Store {
  /** The whole current source and its revision (0 for an empty store). */
  load(): Promise<Snapshot>;
  /** Writes all changes or none; refused with StoreError `revision_conflict` when `expectedRevision` is stale. */
  commit(changes: Change[], expectedRevision: number): Promise<{ revision: number }>;
  /** The changes committed after `revision`, in order, for another process to catch up. */
  changesSince(revision: number): Promise<{ changes: Change[]; revision: number }>;
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
