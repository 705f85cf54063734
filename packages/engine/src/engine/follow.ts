import { StoreError, type Issue } from '../errors.js';
import type { Store, StoreFeed } from '../store.js';

/** Options of an engine following its store's change feed. */
export interface FollowOptions {
  /** Wait before retrying a failed catch-up, doubled per failure up to `retryMaxMs` (default 100 and 5000 ms). */
  retryMinMs?: number;
  retryMaxMs?: number;
}

/** How far behind its store an engine is, as far as it can know. */
export interface FollowStatus {
  /** True while the engine follows a feed (a store with `watch`, `follow` not turned off, not closed). */
  following: boolean;
  /** True while the feed is connected, so announcements of new commits arrive. */
  connected: boolean;
  /** The revision the engine decides on. */
  revision: number;
  /** The newest revision the engine has heard the store is at. */
  storeRevision: number;
  /** `storeRevision - revision`: commits heard of and not applied yet. */
  behind: number;
  /**
   * Since when (the engine's clock, epoch ms) the engine may be behind without knowing by how much: the feed is
   * disconnected, or catching up failed. Undefined while connected and caught up (or catching up).
   */
  staleSince: number | undefined;
  /** The last failure of the feed or of a catch-up, cleared once caught up over a connected feed. */
  lastError: StoreError | undefined;
  /** The store's history digest of `revision` (undefined for an engine without a store). */
  digest: string | undefined;
  /**
   * How many times the engine found its store on another history than the one it followed (the store's digest of the
   * engine's revision was not the engine's, or the store no longer held that revision: a restore, a fail-over to a
   * lagging replica, a schema made again) and took the store's source whole, its decision cache emptied.
   */
  reloads: number;
  /** When the last of those happened (the engine's clock, epoch ms); undefined if never. */
  reloadedAt: number | undefined;
}

/** What the follower drives: the engine's revision and its serialized catch-up from `changesSince`. */
export interface FollowTarget {
  revision(): number;
  /** Applies every change committed after the engine's revision; returns the store's revision. */
  catchUp(): Promise<number>;
  /** The engine's history digest and its reloads, for the status (see FollowStatus). */
  history(): { digest: string | undefined; reloads: number; reloadedAt: number | undefined };
}

const KNOWN = ['retryMinMs', 'retryMaxMs'];

/** Checks the `follow` option of createEngineFromStore: a boolean or FollowOptions. */
export function checkFollowOption(follow: unknown, issues: Issue[]): void {
  if (follow === undefined || typeof follow === 'boolean') return;
  if (follow === null || typeof follow !== 'object' || Array.isArray(follow)) {
    issues.push({ path: ['follow'], message: 'must be a boolean or an object' });
    return;
  }
  for (const [k, v] of Object.entries(follow)) {
    if (!KNOWN.includes(k)) issues.push({ path: ['follow', k], message: `unknown option \`${k}\`` });
    else if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) issues.push({ path: ['follow', k], message: 'must be a positive integer' });
  }
}

/**
 * Keeps an engine up to date with its store: every announced revision triggers a catch-up from the change log (so a
 * skipped announcement is healed, never lost, and one of another history is checked by its digest), and so does
 * every reconnection of the feed (announcements sent while it was down are gone). Catch-ups never overlap; one that fails is retried with
 * backoff, and meanwhile the engine keeps deciding on the tables it has and reports itself stale.
 */
export class Follower {
  readonly #target: FollowTarget;
  readonly #clock: () => number;
  readonly #minMs: number;
  readonly #maxMs: number;
  #feed: StoreFeed | undefined;
  #known: number;
  #connected = false;
  #staleSince: number | undefined;
  #lastError: StoreError | undefined;
  #running = false;
  #pending = false;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(store: Store & Required<Pick<Store, 'watch'>>, target: FollowTarget, clock: () => number, options: FollowOptions) {
    this.#target = target;
    this.#clock = clock;
    this.#minMs = options.retryMinMs ?? 100;
    this.#maxMs = Math.max(options.retryMaxMs ?? 5000, this.#minMs);
    this.#known = target.revision();
    // stale until the feed says it is connected: commits made before it listened are only found by a catch-up
    this.#staleSince = clock();
    this.#feed = store.watch({
      onRevision: (revision) => {
        if (revision > this.#known) this.#known = revision;
        // INVARIANT: every announcement is a reason to read, not only one past the engine's revision: a store restored
        // from a backup and committed to again announces revisions at or below the engine's, of another history that
        // only the catch-up's digest check tells apart (an announcement of the engine's own commit costs one read)
        this.#schedule();
      },
      onStatus: ({ connected, error }) => {
        this.#connected = connected;
        if (!connected) {
          this.#staleSince ??= this.#clock();
          if (error) this.#lastError = error;
          return;
        }
        this.#schedule();
      },
    });
  }

  status(): FollowStatus {
    const revision = this.#target.revision();
    const storeRevision = Math.max(this.#known, revision);
    return {
      following: !this.#closed,
      connected: this.#connected && !this.#closed,
      revision,
      storeRevision,
      behind: storeRevision - revision,
      staleSince: this.#staleSince,
      lastError: this.#lastError,
      ...this.#target.history(),
    };
  }

  #schedule(): void {
    if (this.#closed) return;
    if (this.#running || this.#timer !== undefined) {
      this.#pending = true;
      return;
    }
    void this.#run();
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      do {
        this.#pending = false;
        // INVARIANT: what a catch-up read is the store's revision, and what the follower knows: an announcement is
        // only a reason to read (any role that can connect to PostgreSQL may NOTIFY the channel with any number), so
        // one ahead of the store is dropped here, not kept as commits the engine is behind on for good. One that
        // arrived during the read set #pending, and the loop reads again.
        this.#known = await this.#target.catchUp();
      } while (this.#pending && !this.#closed);
      this.#failures = 0;
      if (this.#connected) {
        this.#staleSince = undefined;
        this.#lastError = undefined;
      }
    } catch (e) {
      if (this.#closed || (e instanceof StoreError && e.code === 'store_closed')) return;
      this.#lastError = e instanceof StoreError ? e : new StoreError('io_error', 'catching up with the store failed', { cause: e });
      this.#staleSince ??= this.#clock();
      const delay = Math.min(this.#maxMs, this.#minMs * 2 ** this.#failures++);
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#schedule();
      }, delay);
      this.#timer.unref();
    } finally {
      this.#running = false;
    }
  }

  /** Stops following: closes the feed and clears the retry timer. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const feed = this.#feed;
    this.#feed = undefined;
    await feed?.close();
  }
}

