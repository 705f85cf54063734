import type Database from 'better-sqlite3';
import {
  StoreError,
  ValidationError,
  type Change,
  type FeedListener,
  type Snapshot,
  type StoreFeed,
  type Source,
  type Store,
} from '@portcullis/engine';
import {
  catchUp,
  CHECKPOINT_FORMAT,
  checkpointChecksum,
  checkExpectedDigest,
  checkRevision,
  decodeCheckpoint,
  DEFAULT_CHECKPOINT_EVERY,
  encodeCheckpoint,
  expectDigest,
  expectRevision,
  GENESIS_DIGEST,
  nextHistoryDigest,
  prepareFrozenCommit,
  storedSnapshotSource,
  type ChangesSince,
} from '@portcullis/engine/store-kit';
import { EntityTables } from './entity-tables.js';
import { openDatabase, translate } from './open-database.js';
import { PollFeed } from './poll-feed.js';

/** Options of `openSqliteStore`, checked when the store opens. */
export interface SqliteStoreOptions {
  /** How long a writer waits for another process's transaction before failing, in milliseconds (default 5000). */
  busyTimeoutMs?: number;
  /**
   * Whether a load from disk re-validates the rows with `parseSource` (default true). Commits are always
   * validated; this guards against a file edited by hand or by another tool, at the cost of a parse per cold load.
   */
  verifyOnLoad?: boolean;
  /** How often a change feed (`watch`) looks for commits of other processes, in milliseconds (default 50). */
  pollIntervalMs?: number;
  /**
   * After how many changes committed through this store (counted from its load, or from the checkpoint it loaded) it
   * writes a checkpoint, the whole source as one row that the next cold load reads instead of every table (default
   * 10000); `false` never writes one on its own (`checkpoint()` still does). A load uses a checkpoint either way.
   */
  checkpointEvery?: number | false;
}

/** A source, the revision it is at and that revision's history digest: what the store keeps in memory between calls. */
interface Cached {
  source: Source;
  revision: number;
  digest: string;
}

/** The database's revision and its history digest, read together. */
interface Head {
  revision: number;
  digest: string;
}

/**
 * A Store in one SQLite file. Commits run in one IMMEDIATE transaction: check the revision, validate the
 * resulting source, write the rows and the change log, bump the revision. The last source read or written is
 * kept in memory, frozen, so a commit validates without reading the tables and `load()` at an unchanged
 * revision costs nothing; when another process has committed, the cache catches up from the change log.
 */
export class SqliteStore implements Store {
  readonly path: string;
  #db: Database.Database | undefined;
  #tables: EntityTables;
  #verifyOnLoad: boolean;
  #pollIntervalMs: number;
  #feeds = new Set<PollFeed>();
  #cache: Cached | undefined;
  #checkpointEvery: number;
  /** Changes committed since the newest checkpoint this store knows of (rows read, for a load from the tables). */
  #sinceCheckpoint = 0;
  #stmt: {
    revision: Database.Statement;
    head: Database.Statement;
    digestAt: Database.Statement;
    insertHistory: Database.Statement;
    beginWrite: Database.Statement;
    endWrite: Database.Statement;
    log: Database.Statement;
    insertLog: Database.Statement;
    checkpointHead: Database.Statement;
    checkpointBody: Database.Statement;
    writeCheckpoint: Database.Statement;
  };

  constructor(path: string, options: SqliteStoreOptions = {}) {
    const { busyTimeoutMs = 5000, verifyOnLoad = true, pollIntervalMs = 50, checkpointEvery = DEFAULT_CHECKPOINT_EVERY } = checkOptions(options);
    this.#pollIntervalMs = pollIntervalMs;
    this.#checkpointEvery = checkpointEvery === false ? Number.POSITIVE_INFINITY : checkpointEvery;
    this.path = path;
    const db = openDatabase(path, busyTimeoutMs);
    this.#db = db;
    this.#verifyOnLoad = verifyOnLoad;
    try {
      this.#tables = new EntityTables(db);
      this.#stmt = {
        revision: db.prepare('SELECT revision FROM meta WHERE id = 1').pluck(),
        head: db.prepare('SELECT m.revision, h.digest FROM meta m LEFT JOIN history h ON h.revision = m.revision WHERE m.id = 1').raw(),
        digestAt: db.prepare('SELECT digest FROM history WHERE revision = ?').pluck(),
        insertHistory: db.prepare('INSERT OR REPLACE INTO history (revision, digest) VALUES (?, ?)'),
        // `writing` tells the triggers of schema 5 that the entity tables are written by a commit, not by hand
        beginWrite: db.prepare('UPDATE meta SET writing = 1 WHERE id = 1'),
        endWrite: db.prepare('UPDATE meta SET revision = ?, writing = 0 WHERE id = 1'),
        log: db.prepare('SELECT change FROM change_log WHERE revision > ? ORDER BY revision, seq').pluck(),
        insertLog: db.prepare('INSERT INTO change_log (revision, seq, change, committed_at) VALUES (?, ?, ?, ?)'),
        // a checkpoint at R is usable only while the log holds R: then it holds every revision after R as well
        checkpointHead: db.prepare(
          'SELECT revision, format, EXISTS (SELECT 1 FROM change_log l WHERE l.revision = c.revision) AS logged FROM checkpoint c WHERE id = 1',
        ),
        checkpointBody: db.prepare('SELECT body, checksum FROM checkpoint WHERE id = 1').raw(),
        writeCheckpoint: db.prepare('INSERT OR REPLACE INTO checkpoint (id, revision, format, body, checksum, written_at) VALUES (1, ?, ?, ?, ?, ?)'),
      };
    } catch (e) {
      db.close();
      throw translate(e, path, 'cannot open store');
    }
  }

  /** The whole current source (frozen) and its revision. */
  async load(): Promise<Snapshot> {
    const db = this.#open();
    const cached = this.#run('cannot load store', () => db.transaction(() => this.#current()).deferred());
    // with verifyOnLoad the rows were parsed on load, and every commit since was validated before it was written
    return { source: cached.source, revision: cached.revision, digest: cached.digest, ...(this.#verifyOnLoad ? { validated: true } : {}) };
  }

  /** Writes all changes or none, in one IMMEDIATE transaction; refuses a stale `expectedRevision` (or `expectedDigest`). */
  async commit(changes: Change[], expectedRevision: number, expectedDigest?: string): Promise<{ revision: number; digest: string }> {
    const db = this.#open();
    checkRevision(expectedRevision, 'expectedRevision');
    checkExpectedDigest(expectedDigest);
    const next = this.#run('cannot commit to store', () =>
      db
        .transaction((): Cached => {
          const head = this.#readHead();
          const revision = head.revision;
          expectRevision(expectedRevision, revision);
          expectDigest(expectedDigest, head.digest, revision);
          const current = this.#current(head);
          // frozen before it can reach the cache; the rows of `current` are frozen already
          const prepared = prepareFrozenCommit(current.source, changes);
          const committedAt = Date.now();
          const texts = prepared.changes.map((change) => JSON.stringify(change));
          this.#stmt.beginWrite.run();
          prepared.changes.forEach((change, seq) => {
            this.#tables.apply(change);
            this.#stmt.insertLog.run(revision + 1, seq, texts[seq], committedAt);
          });
          // the digest over the very text the log holds
          const digest = nextHistoryDigest(head.digest, texts);
          this.#stmt.insertHistory.run(revision + 1, digest);
          this.#stmt.endWrite.run(revision + 1);
          return { source: prepared.source, revision: revision + 1, digest };
        })
        .immediate(),
    );
    // only now is the commit durable, so only now may the cache move on
    this.#cache = next;
    this.#sinceCheckpoint += changes.length;
    if (this.#sinceCheckpoint >= this.#checkpointEvery) {
      // the commit is durable and acknowledged whatever happens here: a checkpoint that cannot be written now (the
      // file is busy, the disk full) costs the next cold load time, never a decision; the next commit tries again
      try {
        this.#writeCheckpoint();
      } catch {
        // kept counting: the next commit retries
      }
    }
    return { revision: next.revision, digest: next.digest };
  }

  /**
   * Writes a checkpoint of the source at the current revision now, in one IMMEDIATE transaction that sees exactly
   * that revision, replacing the older one; returns its revision.
   */
  async checkpoint(): Promise<{ revision: number }> {
    this.#open();
    return { revision: this.#run('cannot write a checkpoint of store', () => this.#writeCheckpoint()) };
  }

  #writeCheckpoint(): number {
    const db = this.#open();
    const revision = db
      .transaction(() => {
        const current = this.#current();
        const body = encodeCheckpoint(current.source);
        // the checksum vouches for a validated source: without verifyOnLoad the rows this store loaded were not checked
        const checksum = this.#verifyOnLoad ? checkpointChecksum(body) : null;
        this.#stmt.writeCheckpoint.run(current.revision, CHECKPOINT_FORMAT, body, checksum, Date.now());
        return current.revision;
      })
      .immediate();
    this.#sinceCheckpoint = 0;
    return revision;
  }

  /**
   * The changes committed after `revision`, in commit order, the current revision and its digest, and the digest of
   * `revision` as this file holds it now (null past its revision), read from one snapshot.
   */
  async changesSince(revision: number): Promise<ChangesSince> {
    const db = this.#open();
    checkRevision(revision, 'revision');
    return this.#run('cannot read the change log of store', () =>
      db
        .transaction((): ChangesSince => {
          const head = this.#readHead();
          const changes = (this.#stmt.log.all(revision) as string[]).map((c) => JSON.parse(c) as Change);
          return { changes, revision: head.revision, digest: head.digest, baseDigest: revision > head.revision ? null : this.#digestAt(revision) };
        })
        .deferred(),
    );
  }

  /** Follows commits to the file from every connection and process on this host by polling (see PollFeed). */
  watch(listener: FeedListener): StoreFeed {
    const db = this.#open();
    const dataVersion = db.prepare('PRAGMA data_version').pluck();
    const feed = new PollFeed(
      {
        dataVersion: () => {
          this.#open();
          return dataVersion.get() as number;
        },
        revision: () => this.#readRevision(),
        translate: (e) => (e instanceof StoreError ? e : translate(e, this.path, 'cannot follow store')),
      },
      listener,
      this.#pollIntervalMs,
    );
    this.#feeds.add(feed);
    return feed;
  }

  /** Runs `PRAGMA integrity_check`: `['ok']` for a sound file, otherwise SQLite's list of problems. */
  integrityCheck(): string[] {
    const db = this.#open();
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check);
  }

  /** Closes the file; every later call fails with `store_closed`. Closing twice is harmless. */
  async close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    this.#cache = undefined;
    for (const feed of this.#feeds) await feed.close();
    this.#feeds.clear();
    db?.close();
  }

  #open(): Database.Database {
    if (!this.#db) throw new StoreError('store_closed', `store closed: \`${this.path}\` was closed`);
    return this.#db;
  }

  #readRevision(): number {
    return this.#stmt.revision.get() as number;
  }

  /** The revision and its history digest; a revision past 0 without one is a file edited by hand (`corrupt_data`). */
  #readHead(): Head {
    const [revision, digest] = this.#stmt.head.get() as [number, string | null];
    if (revision === 0) return { revision, digest: GENESIS_DIGEST };
    if (digest === null) throw new StoreError('corrupt_data', `store \`${this.path}\`: revision ${revision} has no history digest (the \`history\` table was edited)`);
    return { revision, digest };
  }

  /** The history digest of a revision at or below the database's; null when the file holds none for it. */
  #digestAt(revision: number): string | null {
    if (revision === 0) return GENESIS_DIGEST;
    return (this.#stmt.digestAt.get(revision) as string | undefined) ?? null;
  }

  /**
   * The source at the database's current revision; the caller holds a transaction. Catches the cache up from
   * the change log when another connection committed, and reads the tables when there is no cache, or when the
   * cache is of another history than the file's (the file restored from a backup under this process, then
   * committed to): its revision's digest in the file is not the cache's, so the log after it does not apply.
   */
  #current(head: Head = this.#readHead()): Cached {
    const { revision, digest } = head;
    const cache = this.#cache;
    if (cache && cache.revision === revision && cache.digest === digest) return cache;
    let next: Cached;
    if (cache && cache.revision < revision && this.#digestAt(cache.revision) === cache.digest) {
      const changes = (this.#stmt.log.all(cache.revision) as string[]).map((c) => JSON.parse(c) as Change);
      next = { source: catchUp(cache.source, changes), revision, digest };
    } else {
      next = { source: this.#fromCheckpoint(revision) ?? this.#fromTables(), revision, digest };
    }
    this.#cache = next;
    return next;
  }

  /** The source at `revision` from the checkpoint and the log after it; undefined when there is none it can use. */
  #fromCheckpoint(revision: number): Source | undefined {
    const head = this.#stmt.checkpointHead.get() as { revision: number; format: number; logged: number } | undefined;
    if (head === undefined || head.format !== CHECKPOINT_FORMAT || head.revision > revision || head.logged !== 1) return undefined;
    const [body, checksum] = this.#stmt.checkpointBody.get() as [string, number | null];
    const source = decodeCheckpoint(body, this.#verifyOnLoad, checksum);
    if (source === undefined) return undefined;
    const changes = (this.#stmt.log.all(head.revision) as string[]).map((c) => JSON.parse(c) as Change);
    this.#sinceCheckpoint = changes.length;
    return changes.length === 0 ? source : catchUp(source, changes);
  }

  #fromTables(): Source {
    const source = storedSnapshotSource(this.#tables.readSource(), this.#verifyOnLoad, `\`${this.path}\``);
    // no checkpoint to start from: what the rows would cost to read again counts as changes since one
    this.#sinceCheckpoint = Object.values(source).reduce((n: number, v) => n + (Array.isArray(v) ? v.length : 0), 0);
    return source;
  }

  /** Runs a database step, passing our own errors through and translating SQLite's. */
  #run<T>(what: string, step: () => T): T {
    try {
      return step();
    } catch (e) {
      if (e instanceof StoreError || e instanceof ValidationError) throw e;
      if (e instanceof SyntaxError) throw new StoreError('corrupt_data', `${what} \`${this.path}\`: a stored JSON column does not parse`, { cause: e });
      throw translate(e, this.path, what);
    }
  }
}

function checkOptions(options: SqliteStoreOptions): SqliteStoreOptions {
  if (options === null || typeof options !== 'object')
    throw new ValidationError('invalid_options', [{ path: [], message: 'options must be an object' }]);
  const issues = [];
  const known = new Set(['busyTimeoutMs', 'verifyOnLoad', 'pollIntervalMs', 'checkpointEvery']);
  for (const k of Object.keys(options)) if (!known.has(k)) issues.push({ path: [k], message: `unknown option \`${k}\`` });
  const t = options.busyTimeoutMs;
  if (t !== undefined && (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0))
    issues.push({ path: ['busyTimeoutMs'], message: 'must be a non-negative integer number of milliseconds' });
  const p = options.pollIntervalMs;
  if (p !== undefined && (typeof p !== 'number' || !Number.isSafeInteger(p) || p < 1))
    issues.push({ path: ['pollIntervalMs'], message: 'must be a positive integer number of milliseconds' });
  const every = options.checkpointEvery;
  if (every !== undefined && every !== false && (typeof every !== 'number' || !Number.isSafeInteger(every) || every < 1))
    issues.push({ path: ['checkpointEvery'], message: 'must be a positive integer number of changes, or false' });
  if (options.verifyOnLoad !== undefined && typeof options.verifyOnLoad !== 'boolean')
    issues.push({ path: ['verifyOnLoad'], message: 'must be a boolean' });
  if (issues.length > 0) throw new ValidationError('invalid_options', issues);
  return options;
}

/**
 * Opens the store in `path`, creating the file when it does not exist and migrating an older schema forward.
 * Throws a StoreError naming the path (`not_a_database`, `schema_too_new`, `read_only`, `missing_directory`)
 * and leaves the file untouched when it cannot be used.
 */
export function openSqliteStore(path: string, options?: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(path, options);
}
