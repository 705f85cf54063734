import {
  deepFreeze,
  parseSource,
  prepareCommit,
  StoreError,
  ValidationError,
  type Change,
  type Snapshot,
  type Source,
  type Store,
} from '@portcullis/engine';

/** One committed batch, kept so `changesSince` can replay it. */
interface LogEntry {
  revision: number;
  changes: readonly Change[];
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
    return { source: this.#source, revision: this.#revision, validated: true };
  }

  /** Validates and applies the whole batch or nothing; refuses a stale `expectedRevision`. */
  async commit(changes: Change[], expectedRevision: number): Promise<{ revision: number }> {
    this.#open();
    checkRevision(expectedRevision, 'expectedRevision');
    if (expectedRevision !== this.#revision)
      throw new StoreError('revision_conflict', `revision conflict: expected revision ${expectedRevision}, the store is at ${this.#revision}`);
    // INVARIANT: nothing below awaits, so no other commit can interleave between the check and the write
    const prepared = prepareCommit(this.#source, changes);
    const frozen = deepFreeze(prepared.changes);
    this.#source = freezeArrays(prepared.source);
    this.#revision += 1;
    this.#log.push({ revision: this.#revision, changes: frozen });
    return { revision: this.#revision };
  }

  /** The changes of every commit after `revision`, in commit order, and the current revision. */
  async changesSince(revision: number): Promise<{ changes: Change[]; revision: number }> {
    this.#open();
    checkRevision(revision, 'revision');
    const changes: Change[] = [];
    // entries are in revision order and revision r sits at index r - 1
    for (let i = Math.max(0, revision); i < this.#log.length; i++) changes.push(...this.#log[i]!.changes);
    return { changes, revision: this.#revision };
  }

  /** Closes the store; every later call fails with `store_closed`. Closing twice is harmless. */
  async close(): Promise<void> {
    this.#closed = true;
  }

  #open(): void {
    if (this.#closed) throw new StoreError('store_closed', 'store closed: the memory store was closed');
  }
}

/**
 * Freezes a source that `prepareCommit` returned once its changes are frozen: every row in it is then a row of the
 * frozen current source or a frozen put value, so only the source and its arrays are left, and walking 100k frozen
 * rows to find that out would cost more than the rest of the commit.
 */
function freezeArrays(source: Source): Source {
  for (const v of Object.values(source)) if (Array.isArray(v)) Object.freeze(v);
  return Object.freeze(source);
}

function checkRevision(revision: unknown, name: string): void {
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0)
    throw new ValidationError('invalid_input', [{ path: [name], message: `must be a non-negative integer, got \`${String(revision)}\`` }]);
}

/** Creates an in-memory store, optionally holding `initial` (validated) at revision 0. */
export function createMemoryStore(initial?: Source): Store {
  return new MemoryStore(initial);
}
