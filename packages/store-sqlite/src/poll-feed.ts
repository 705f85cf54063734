import { StoreError, type FeedListener, type StoreFeed } from '@portcullis/engine';

/** What the poller reads from the store's connection. */
export interface PollSource {
  /** SQLite's `PRAGMA data_version`: it changes when another connection has committed to the file. */
  dataVersion(): number;
  revision(): number;
  /** Maps a failure to the StoreError the listener is told of. */
  translate(e: unknown): StoreError;
}

/**
 * The SQLite store's change feed: one file has no server to push announcements, so the store's own connection
 * polls `PRAGMA data_version` (a read of the shared memory index, no disk I/O) and reads the revision only when
 * it moved. A failed poll (the file locked for longer than the busy timeout, a disk error) reports the feed
 * disconnected; the next good one reports it connected again, and the follower catches up.
 */
export class PollFeed implements StoreFeed {
  readonly #source: PollSource;
  readonly #listener: FeedListener;
  readonly #timer: NodeJS.Timeout;
  #last: number | undefined;
  #connected = false;
  #closed = false;

  constructor(source: PollSource, listener: FeedListener, intervalMs: number) {
    this.#source = source;
    this.#listener = listener;
    this.#timer = setInterval(() => this.#poll(), intervalMs);
    // polling must not keep a process alive on its own
    this.#timer.unref();
    setImmediate(() => this.#poll());
  }

  #poll(): void {
    if (this.#closed) return;
    try {
      const version = this.#source.dataVersion();
      const changed = version !== this.#last;
      this.#last = version;
      const revision = changed ? this.#source.revision() : undefined;
      if (!this.#connected) {
        this.#connected = true;
        this.#listener.onStatus({ connected: true });
      }
      if (revision !== undefined) this.#listener.onRevision(revision);
    } catch (e) {
      const error = this.#source.translate(e);
      if (error.code === 'store_closed') {
        void this.close();
        return;
      }
      if (this.#connected || this.#last === undefined) this.#listener.onStatus({ connected: false, error });
      this.#connected = false;
    }
  }

  /** Stops polling; harmless twice. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
  }
}
