import { parseSource, StoreError, type Change, type Snapshot, type Source, type Store } from '@portcullis/engine';
import {
  checkExpectedDigest,
  checkRevision,
  expectDigest,
  expectRevision,
  prepareFrozenCommit,
  deepFreeze,
  GENESIS_DIGEST,
  nextHistoryDigest,
  type ChangesSince,
} from '@portcullis/engine/store-kit';

/** One committed batch, kept so `changesSince` can replay it, and the history digest of its revision. */
interface LogEntry {
  revision: number;
  changes: readonly Change[];
  digest: string;
}

/**
 * A Store kept in memory, with the same contract as the SQLite store: all-or-nothing commits, optimistic
 * concurrency on the revision, a change feed, and validation of every commit.
 * State is deep-frozen rather than cloned on the way out: `load()` is O(1) and callers still cannot reach it
 * (a structuredClone of 100k policies costs over a second; freezing costs only the rows a commit adds).
 */
export class MemoryStore implements Store {
  #source: Source;
  #revision = 0;
  #log: LogEntry[] = [];
  #closed = false;

  constructor(initial?: Source) {
    this.#source = deepFreeze(parseSource(initial ?? { version: 1 }));
  }

  /** The current source (frozen: it is the stored state itself) and its revision. */
  async load(): Promise<Snapshot> {
    this.#open();
    // INVARIANT: the constructor parsed the initial source and prepareCommit validated every commit since
    return { source: this.#source, revision: this.#revision, validated: true, digest: this.#digestOf(this.#revision)! };
  }

  /** Validates and applies the whole batch or nothing; refuses a stale `expectedRevision` (or `expectedDigest`). */
  async commit(changes: Change[], expectedRevision: number, expectedDigest?: string): Promise<{ revision: number; digest: string }> {
    this.#open();
    checkRevision(expectedRevision, 'expectedRevision');
    checkExpectedDigest(expectedDigest);
    expectRevision(expectedRevision, this.#revision);
    const head = this.#digestOf(this.#revision)!;
    expectDigest(expectedDigest, head, this.#revision);
    // INVARIANT: nothing below awaits, so no other commit can interleave between the check and the write
    const prepared = prepareFrozenCommit(this.#source, changes);
    // the text the SQLite and PostgreSQL stores write to their change logs, so all three agree on every digest
    const digest = nextHistoryDigest(head, prepared.changes.map((c) => JSON.stringify(c)));
    this.#source = prepared.source;
    this.#revision += 1;
    this.#log.push({ revision: this.#revision, changes: prepared.changes, digest });
    return { revision: this.#revision, digest };
  }

  /** The changes of every commit after `revision`, in commit order, the current revision, and both digests. */
  async changesSince(revision: number): Promise<ChangesSince> {
    this.#open();
    checkRevision(revision, 'revision');
    const changes: Change[] = [];
    // entries are in revision order and revision r sits at index r - 1
    for (let i = Math.max(0, revision); i < this.#log.length; i++) changes.push(...this.#log[i]!.changes);
    return { changes, revision: this.#revision, digest: this.#digestOf(this.#revision)!, baseDigest: this.#digestOf(revision) ?? null };
  }

  /** The history digest of `revision`; undefined past the store's revision. */
  #digestOf(revision: number): string | undefined {
    return revision === 0 ? GENESIS_DIGEST : this.#log[revision - 1]?.digest;
  }

  /** Closes the store; every later call fails with `store_closed`. Closing twice is harmless. */
  async close(): Promise<void> {
    this.#closed = true;
  }

  #open(): void {
    if (this.#closed) throw new StoreError('store_closed', 'store closed: the memory store was closed');
  }
}

/** Creates an in-memory store, optionally holding `initial` (validated) at revision 0. */
export function createMemoryStore(initial?: Source): Store {
  return new MemoryStore(initial);
}
