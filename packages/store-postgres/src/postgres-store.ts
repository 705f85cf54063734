import pg from 'pg';
import {
  StoreError,
  ValidationError,
  type Change,
  type FeedListener,
  type Issue,
  type Snapshot,
  type Source,
  type Store,
  type StoreFeed,
} from '@portcullis/engine';
import {
  catchUp,
  CHECKPOINT_FORMAT,
  checkpointChecksum,
  CheckpointReader,
  checkExpectedDigest,
  checkRevision,
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
import { ChangeFeed } from './change-feed.js';
import { EntityTables } from './entity-tables.js';
import { POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION } from './migrations.js';
import { translateError } from './translate-error.js';

/** Options of `openPostgresStore`, checked before anything connects. */
export interface PostgresStoreOptions {
  /** A libpq connection URL: `postgresql://user:password@host:5432/database`. */
  url: string;
  /** The schema holding the store's tables, created on first open (default `portcullis`). Several stores may share a database under different schemas. */
  schema?: string;
  /** Connections in the pool for loads and commits (default 4); a change feed uses one more of its own. */
  poolSize?: number;
  /** How long to wait for a connection before failing with `unavailable`, in milliseconds (default 10000). */
  connectTimeoutMs?: number;
  /** Whether a load from the tables re-validates the rows with `parseSource` (default true), as the SQLite store does. */
  verifyOnLoad?: boolean;
  /** Bounds of the change feed's reconnect backoff, in milliseconds (default 100 and 5000). */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** How often the feed checks its connection is alive; silence as long counts as a lost connection (default 10000 ms). */
  heartbeatMs?: number;
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

// INVARIANT: BIGINT columns (revisions, counters) hold safe integers, so they are read as numbers, not strings
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * A Store in one PostgreSQL schema: a table per entity, forward migrations, a change log and an optimistic
 * revision. A commit runs in one transaction that first locks the revision row, so commits from every process
 * are applied one after another in revision order, all or nothing; it announces its revision with NOTIFY, which
 * PostgreSQL delivers only once the transaction has committed. Like the SQLite store it keeps the last source it
 * read or wrote in memory, frozen, and catches it up from the change log when another process committed.
 */
export class PostgresStore implements Store {
  /** The schema this store lives in. */
  readonly schema: string;
  readonly #pool: pg.Pool;
  readonly #clientConfig: pg.ClientConfig;
  readonly #q: string;
  readonly #channel: string;
  readonly #tables: EntityTables;
  readonly #verifyOnLoad: boolean;
  readonly #poolSize: number;
  readonly #backoff: { minMs: number; maxMs: number; heartbeatMs: number };
  readonly #feeds = new Set<ChangeFeed>();
  #cache: Cached | undefined;
  #closed = false;
  readonly #checkpointEvery: number;
  /** Changes committed since the newest checkpoint this store knows of (rows read, for a load from the tables). */
  #sinceCheckpoint = 0;

  private constructor(options: Required<PostgresStoreOptions>) {
    this.schema = options.schema;
    this.#q = `"${options.schema}"`;
    this.#channel = `portcullis:${options.schema}`;
    this.#verifyOnLoad = options.verifyOnLoad;
    this.#poolSize = options.poolSize;
    this.#checkpointEvery = options.checkpointEvery === false ? Number.POSITIVE_INFINITY : options.checkpointEvery;
    this.#backoff = { minMs: options.reconnectMinMs, maxMs: options.reconnectMaxMs, heartbeatMs: options.heartbeatMs };
    this.#clientConfig = { connectionString: options.url, connectionTimeoutMillis: options.connectTimeoutMs, types: TYPES, keepAlive: true };
    this.#pool = new pg.Pool({ ...this.#clientConfig, max: options.poolSize });
    // an idle pooled connection that the server drops reports here; the next query gets a fresh connection
    this.#pool.on('error', () => undefined);
    this.#tables = new EntityTables(this.#q);
  }

  /** Connects, checks the schema is ours (or absent) and migrates it forward; see `openPostgresStore`. */
  static async open(input: string | PostgresStoreOptions): Promise<PostgresStore> {
    const store = new PostgresStore(checkOptions(input));
    try {
      await store.#prepareSchema();
    } catch (e) {
      await store.close();
      throw e;
    }
    return store;
  }

  /** The whole current source (frozen) and its revision, read from one snapshot. */
  async load(): Promise<Snapshot> {
    // the source at the snapshot's revision, even with a newer cache: a cache newer than what the database holds is
    // a commit of this store that finished after the snapshot began (the next read catches up again), or a state of
    // a history the database no longer has (a schema made again, a restore), which must not be handed out
    const cached = await this.#transaction('cannot load store', 'read', async (client, revision, digest) => this.#current(client, revision, digest, true));
    return { source: cached.source, revision: cached.revision, digest: cached.digest, ...(this.#verifyOnLoad ? { validated: true } : {}) };
  }

  /** Writes all changes or none, in one transaction holding the revision row; refuses a stale `expectedRevision` (or `expectedDigest`). */
  async commit(changes: Change[], expectedRevision: number, expectedDigest?: string): Promise<{ revision: number; digest: string }> {
    checkRevision(expectedRevision, 'expectedRevision');
    checkExpectedDigest(expectedDigest);
    this.#open();
    // INVARIANT: every commit locks the one meta row first, so commits are applied one at a time in revision order
    const next = await this.#transaction('cannot commit to store', 'lock', async (client, revision, head): Promise<Cached> => {
      expectRevision(expectedRevision, revision);
      expectDigest(expectedDigest, head, revision);
      const current = await this.#current(client, revision, head);
      const prepared = prepareFrozenCommit(current.source, changes);
      await this.#tables.write(client, prepared.changes);
      const texts = prepared.changes.map((c) => JSON.stringify(c));
      // the digest over the very text the log holds (a TEXT column: stored as sent)
      const digest = nextHistoryDigest(head, texts);
      // the log, the digest, the revision and the announcement in one round trip; NOTIFY is delivered only if the
      // transaction commits, and still carries the revision alone (digits: the feed refuses anything else)
      await client.query(
        `WITH log AS (INSERT INTO ${this.#q}.change_log (revision, seq, change) SELECT $1::bigint, n - 1, c FROM unnest($2::text[]) WITH ORDINALITY AS t(c, n)),
              history AS (INSERT INTO ${this.#q}.history (revision, digest) VALUES ($1::bigint, $4) ON CONFLICT (revision) DO UPDATE SET digest = EXCLUDED.digest),
              meta AS (UPDATE ${this.#q}.meta SET revision = $1::bigint WHERE id = 1)
         SELECT pg_notify($3, $1::bigint::text)`,
        [revision + 1, texts, this.#channel, digest],
      );
      return { source: prepared.source, revision: revision + 1, digest };
    });
    // only now is the commit durable, so only now may the cache move on
    if (!this.#cache || this.#cache.revision < next.revision) this.#cache = next;
    this.#sinceCheckpoint += changes.length;
    if (this.#sinceCheckpoint >= this.#checkpointEvery) {
      // the commit is durable and acknowledged whatever happens here: a checkpoint that cannot be written now (another
      // process writing one at the same time, the connection lost) costs the next cold load time, never a decision;
      // the next commit tries again
      await this.#writeCheckpoint(false).catch(() => undefined);
    }
    return { revision: next.revision, digest: next.digest };
  }

  /**
   * Writes a checkpoint of the source at the current revision now, in one REPEATABLE READ transaction that sees
   * exactly that revision, replacing an older one; returns its revision.
   */
  async checkpoint(): Promise<{ revision: number }> {
    return { revision: await this.#writeCheckpoint(true) };
  }

  /** Writes a checkpoint; with `always` unset, only if this store's cache is at the revision the snapshot sees. */
  async #writeCheckpoint(always: boolean): Promise<number> {
    const revision = await this.#transaction('cannot write a checkpoint of store', 'snapshot', async (client, revision, digest) => {
      // a commit of this store that finished after the snapshot began: a later commit writes the checkpoint
      if (!always && this.#cache !== undefined && this.#cache.revision !== revision) return -1;
      const current = await this.#current(client, revision, digest);
      const text = encodeCheckpoint(current.source);
      // the checksum vouches for a validated source: without verifyOnLoad the rows this store loaded were not checked
      const checksum = this.#verifyOnLoad ? checkpointChecksum(text) : null;
      // the row first: it is locked from here on, so two processes writing a checkpoint write one after the other
      const written = await client.query(
        `INSERT INTO ${this.#q}.checkpoint (id, revision, format, checksum) VALUES (1, $1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET revision = EXCLUDED.revision, format = EXCLUDED.format, checksum = EXCLUDED.checksum,
           written_at = now()
         WHERE ${this.#q}.checkpoint.revision <= EXCLUDED.revision`,
        [current.revision, CHECKPOINT_FORMAT, checksum],
      );
      if (written.rowCount === 0) return current.revision;
      // a parameter per line: an array parameter would be sent as an array literal, every `"` of the JSON escaped
      const lines = text.split('\n');
      await client.query(`DELETE FROM ${this.#q}.checkpoint_lines`);
      await client.query(`INSERT INTO ${this.#q}.checkpoint_lines (n, line) VALUES ${lines.map((_, i) => `(${i + 1}, $${i + 1})`).join(', ')}`, lines);
      return current.revision;
    });
    if (revision >= 0) this.#sinceCheckpoint = 0;
    return revision;
  }

  /**
   * The changes committed after `revision`, in commit order, the current revision and its digest, and the digest of
   * `revision` as the schema holds it now (null past its revision), read from one snapshot.
   */
  async changesSince(revision: number): Promise<ChangesSince> {
    checkRevision(revision, 'revision');
    return this.#transaction('cannot read the change log of store', 'read', async (client, current, digest): Promise<ChangesSince> => {
      const changes = await this.#readLog(client, revision, current);
      const baseDigest = revision > current ? null : revision === current ? digest : await this.#digestAt(client, revision);
      return { changes, revision: current, digest, baseDigest };
    });
  }

  /** Follows every commit to this schema, from any process, over a LISTEN connection of its own (see ChangeFeed). */
  watch(listener: FeedListener): StoreFeed {
    this.#open();
    const feed: ChangeFeed = new ChangeFeed(this.#clientConfig, this.#channel, listener, this.#backoff, () => this.#feeds.delete(feed));
    this.#feeds.add(feed);
    return feed;
  }

  /** Closes the pool and every feed; every later call fails with `store_closed`. Closing twice is harmless. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cache = undefined;
    await Promise.all([...this.#feeds].map((f) => f.close()));
    await this.#pool.end().catch(() => undefined);
  }

  #open(): void {
    if (this.#closed) throw new StoreError('store_closed', `store closed: schema \`${this.schema}\` was closed`);
  }

  /**
   * Runs `step` in a transaction: `read` is a REPEATABLE READ snapshot, `snapshot` one that may write, `lock` a write
   * transaction holding the meta row, `write` one that does not read it. The transaction begins with the revision and
   * its history digest read in the same round trip (`BEGIN; SELECT …`), which `step` receives (-1 and '' for `write`).
   */
  async #transaction<T>(
    what: string,
    mode: 'read' | 'lock' | 'write' | 'snapshot',
    step: (client: pg.PoolClient, revision: number, digest: string) => Promise<T>,
  ): Promise<T> {
    this.#open();
    const where = `${what} \`${this.schema}\``;
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (e) {
      throw translateError(e, where);
    }
    let broken: Error | undefined;
    // a checked-out client whose connection dies emits 'error' besides failing its query: without a listener
    // that would be an uncaught exception in the host process
    const onError = (e: Error): void => {
      broken = e;
    };
    client.on('error', onError);
    try {
      let revision = -1;
      let digest = '';
      if (mode === 'write') await client.query('BEGIN');
      else {
        // a commit (`lock`) tells the triggers of schema 3 that the entity tables are written by it, not by hand
        const begin =
          mode === 'read'
            ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'
            : mode === 'snapshot'
              ? 'BEGIN ISOLATION LEVEL REPEATABLE READ'
              : mode === 'lock'
                ? "BEGIN; SET LOCAL portcullis.writing = 'on'"
                : 'BEGIN';
        // INVARIANT: a commit reads the digest in a statement after the one that locks the meta row: under READ COMMITTED
        // that statement's snapshot is taken once the lock is held, so it sees the history row of the commit it waited
        // for (the locking statement's own snapshot, from before the wait, does not)
        const head = `SELECT m.revision, h.digest FROM ${this.#q}.meta m LEFT JOIN ${this.#q}.history h ON h.revision = m.revision WHERE m.id = 1`;
        const results = (await client.query(
          mode === 'lock' ? `${begin}; SELECT revision FROM ${this.#q}.meta WHERE id = 1 FOR UPDATE; ${head}` : `${begin}; ${head}`,
        )) as unknown as pg.QueryResult[];
        const row = results[results.length - 1]!.rows[0] as { revision: number; digest: string | null };
        revision = row.revision;
        if (revision === 0) digest = GENESIS_DIGEST;
        else if (row.digest === null)
          throw new StoreError('corrupt_data', `${where}: revision ${revision} has no history digest (the \`history\` table was edited)`);
        else digest = row.digest;
      }
      const result = await step(client, revision, digest);
      try {
        await client.query('COMMIT');
      } catch (e) {
        broken = e as Error;
        const t = translateError(e, where);
        // the server may have committed before the connection dropped: say so instead of guessing
        if (mode !== 'read' && t instanceof StoreError && t.code === 'unavailable')
          throw new StoreError('unavailable', `${where}: the connection dropped during COMMIT: the commit may or may not have been written`, { cause: e });
        throw t;
      }
      return result;
    } catch (e) {
      if (!(e instanceof StoreError || e instanceof ValidationError)) broken = e as Error;
      if (!broken) await client.query('ROLLBACK').catch((r: Error) => (broken = r));
      throw translateError(e, where);
    } finally {
      client.off('error', onError);
      // a connection that failed mid-statement is dropped, never handed out again
      client.release(broken ?? false);
    }
  }

  async #readLog(client: pg.PoolClient, after: number, upTo: number): Promise<Change[]> {
    const r = await client.query({
      text: `SELECT change FROM ${this.#q}.change_log WHERE revision > $1 AND revision <= $2 ORDER BY revision, seq`,
      values: [after, upTo],
      rowMode: 'array',
    });
    try {
      return r.rows.map((row: unknown[]) => JSON.parse(row[0] as string) as Change);
    } catch (e) {
      throw new StoreError('corrupt_data', `store \`${this.schema}\`: a change log entry does not parse`, { cause: e });
    }
  }

  /** The history digest of a revision at or below the schema's; null when the schema holds none for it. */
  async #digestAt(client: pg.PoolClient, revision: number): Promise<string | null> {
    if (revision === 0) return GENESIS_DIGEST;
    const r = await client.query({ text: `SELECT digest FROM ${this.#q}.history WHERE revision = $1`, values: [revision], rowMode: 'array' });
    return (r.rows[0]?.[0] as string | undefined) ?? null;
  }

  /**
   * The source at `revision` (whose digest is `digest`): the cache, the cache caught up from the change log, or the
   * tables read afresh. The cache is caught up only while the schema holds the cache's revision with the cache's
   * digest: a cache of another history (the schema restored from a backup, or made again, and committed past it)
   * is not laid under this history's log.
   */
  async #current(client: pg.PoolClient, revision: number, digest: string, snapshot = false): Promise<Cached> {
    const cache = this.#cache;
    if (cache && cache.revision === revision && cache.digest === digest) return cache;
    let next: Cached;
    if (cache && cache.revision < revision && (await this.#digestAt(client, cache.revision)) === cache.digest) {
      next = { source: catchUp(cache.source, await this.#readLog(client, cache.revision, revision)), revision, digest };
    } else {
      let source = await this.#fromCheckpoint(client, revision);
      if (source === undefined) {
        const raw = snapshot && this.#freeConnection() ? await this.#readInParallel(client) : await this.#tables.readSource(client);
        source = storedSnapshotSource(raw, this.#verifyOnLoad, `\`${this.schema}\``);
        // no checkpoint to start from: what the rows would cost to read again counts as changes since one
        this.#sinceCheckpoint = Object.values(source).reduce((n: number, v) => n + (Array.isArray(v) ? v.length : 0), 0);
      }
      next = { source, revision, digest };
    }
    // INVARIANT: the cache is the state at the revision last read, as in the SQLite store: one newer than the database
    // is not caught up from the log again (a log after a restore is another history's)
    this.#cache = next;
    return next;
  }

  /** The source at `revision` from the checkpoint and the log after it; undefined when there is none it can use. */
  async #fromCheckpoint(client: pg.PoolClient, revision: number): Promise<Source | undefined> {
    // a checkpoint at R is usable only while the log holds R: then it holds every revision after R as well
    const head = await client.query(
      `SELECT revision, format, checksum, EXISTS (SELECT 1 FROM ${this.#q}.change_log l WHERE l.revision = c.revision) AS logged FROM ${this.#q}.checkpoint c WHERE id = 1`,
    );
    const h = head.rows[0] as { revision: number; format: number; checksum: number | null; logged: boolean } | undefined;
    if (h === undefined || h.format !== CHECKPOINT_FORMAT || h.revision > revision || !h.logged) return undefined;
    // each line is parsed as its row arrives, while the server reads and sends the next (encodeCheckpoint breaks its
    // text into lines of ~1 MB), so no message is the size of the whole text and no line is kept once parsed
    const reader = new CheckpointReader();
    await eachRow(client, `SELECT line FROM ${this.#q}.checkpoint_lines ORDER BY n`, (row) => reader.add(row[0] as string));
    const source = reader.source(this.#verifyOnLoad, h.checksum);
    if (source === undefined) return undefined;
    const changes = await this.#readLog(client, h.revision, revision);
    this.#sinceCheckpoint = changes.length;
    return changes.length === 0 ? source : catchUp(source, changes);
  }

  /**
   * Whether the pool can hand out a connection at once (one idle, or room for one more, and nobody waiting): a load
   * only borrows a second connection that no one else is waiting for, so loads never wait on each other for one.
   */
  #freeConnection(): boolean {
    const pool = this.#pool;
    return pool.waitingCount === 0 && (pool.idleCount > 0 || pool.totalCount < this.#poolSize);
  }

  /**
   * The tables read over two connections at once, both in the snapshot of `client`'s REPEATABLE READ transaction
   * (exported to the second with `SET TRANSACTION SNAPSHOT`): the policies, most of the rows, come in on one while
   * their roles and every other table come in on the other, so the server's work and the transfer of one overlap
   * the decoding of the other.
   */
  async #readInParallel(client: pg.PoolClient): Promise<Source> {
    const exported = (await client.query('SELECT pg_export_snapshot() AS s')).rows[0].s as string;
    const helper = await this.#pool.connect();
    let broken: Error | undefined;
    const onError = (e: Error): void => {
      broken = e;
    };
    helper.on('error', onError);
    try {
      await helper.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT ${pg.escapeLiteral(exported)}`);
      const source = await this.#tables.readSource(client, helper);
      await helper.query('COMMIT');
      return source;
    } catch (e) {
      broken ??= e as Error;
      throw e;
    } finally {
      helper.off('error', onError);
      // a helper that failed is dropped, never handed out again mid-transaction
      helper.release(broken ?? false);
    }
  }

  /**
   * Makes sure the schema is a Portcullis store of a version this build knows. The common case (current schema)
   * only reads; creating or migrating takes a transaction-scoped advisory lock, so processes starting together
   * migrate once. A schema that holds tables but no `schema_version` and `meta` is someone else's: refused.
   */
  async #prepareSchema(): Promise<void> {
    const check = async (client: pg.PoolClient): Promise<number> => {
      const r = await client.query(
        `SELECT count(*) FILTER (WHERE table_name IN ('schema_version', 'meta')) AS ours, count(*) AS tables
         FROM information_schema.tables WHERE table_schema = $1`,
        [this.schema],
      );
      const { ours, tables } = r.rows[0] as { ours: number; tables: number };
      if (tables === 0) return 0;
      if (ours !== 2)
        throw new StoreError('not_a_database', `cannot open store \`${this.schema}\`: schema \`${this.schema}\` holds tables, but is not a Portcullis store`);
      const v = await client.query(`SELECT coalesce(max(version), 0) AS version FROM ${this.#q}.schema_version`);
      const version = Number(v.rows[0].version);
      if (version > POSTGRES_SCHEMA_VERSION)
        throw new StoreError(
          'schema_too_new',
          `cannot open store \`${this.schema}\`: schema version ${version} is newer than ${POSTGRES_SCHEMA_VERSION}, the newest this build of @portcullis/store-postgres knows: upgrade the package`,
        );
      return version;
    };
    const version = await this.#transaction('cannot open store', 'write', check);
    if (version === POSTGRES_SCHEMA_VERSION) return;
    await this.#transaction('cannot open store', 'write', async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.#channel]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.#q}`);
      const from = await check(client);
      if (from === 0)
        await client.query(`CREATE TABLE ${this.#q}.schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      for (const m of POSTGRES_MIGRATIONS) {
        if (m.version <= from) continue;
        await client.query(m.sql.replaceAll('$schema', this.#q));
        await client.query(`INSERT INTO ${this.#q}.schema_version (version, description) VALUES ($1, $2)`, [m.version, m.description]);
      }
    });
  }
}

/** Runs a query, handing each row to `onRow` as it arrives instead of collecting them all first. */
function eachRow(client: pg.PoolClient, text: string, onRow: (row: unknown[]) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    // pg's Query takes rowMode at run time, though its types leave it out of the constructor's
    const config: pg.QueryArrayConfig = { text, rowMode: 'array' };
    const query = new pg.Query(config);
    // a row handler runs inside the driver's socket callback, where a throw would be uncaught: it fails the query instead
    let failed: unknown;
    query.on('row', (row: unknown[]) => {
      if (failed !== undefined) return;
      try {
        onRow(row);
      } catch (e) {
        failed = e;
      }
    });
    query.on('error', reject);
    query.on('end', () => (failed === undefined ? resolve() : reject(failed as Error)));
    client.query(query);
  });
}

const KNOWN = ['url', 'schema', 'poolSize', 'connectTimeoutMs', 'verifyOnLoad', 'reconnectMinMs', 'reconnectMaxMs', 'heartbeatMs', 'checkpointEvery'];

function checkOptions(input: unknown): Required<PostgresStoreOptions> {
  const options = (typeof input === 'string' ? { url: input } : input) as PostgresStoreOptions;
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new ValidationError('invalid_options', [{ path: [], message: 'options must be a connection URL or an object' }]);
  const issues: Issue[] = [];
  for (const k of Object.keys(options)) if (!KNOWN.includes(k)) issues.push({ path: [k], message: `unknown option \`${k}\`` });
  if (typeof options.url !== 'string' || !/^postgres(ql)?:\/\//.test(options.url))
    issues.push({ path: ['url'], message: 'must be a `postgresql://` connection URL' });
  // INVARIANT: the feed's channel `portcullis:<schema>` is an identifier too (at most 63 bytes): pg_notify refuses a
  // longer one, so a longer schema name opened a store every commit of which failed (`channel name too long`)
  if (options.schema !== undefined && (typeof options.schema !== 'string' || !/^[a-z_][a-z0-9_]{0,51}$/.test(options.schema)))
    issues.push({ path: ['schema'], message: 'must be a lowercase SQL identifier (letters, digits, `_`, at most 52: the change feed\'s channel adds 11)' });
  const positive = (k: 'poolSize' | 'connectTimeoutMs' | 'reconnectMinMs' | 'reconnectMaxMs' | 'heartbeatMs') => {
    const v = options[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)) issues.push({ path: [k], message: 'must be a positive integer' });
  };
  positive('poolSize');
  positive('connectTimeoutMs');
  positive('reconnectMinMs');
  positive('reconnectMaxMs');
  positive('heartbeatMs');
  const every = options.checkpointEvery;
  if (every !== undefined && every !== false && (typeof every !== 'number' || !Number.isSafeInteger(every) || every < 1))
    issues.push({ path: ['checkpointEvery'], message: 'must be a positive integer number of changes, or false' });
  if (options.verifyOnLoad !== undefined && typeof options.verifyOnLoad !== 'boolean') issues.push({ path: ['verifyOnLoad'], message: 'must be a boolean' });
  if (issues.length > 0) throw new ValidationError('invalid_options', issues);
  return {
    url: options.url,
    schema: options.schema ?? 'portcullis',
    poolSize: options.poolSize ?? 4,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    verifyOnLoad: options.verifyOnLoad ?? true,
    reconnectMinMs: options.reconnectMinMs ?? 100,
    reconnectMaxMs: Math.max(options.reconnectMaxMs ?? 5000, options.reconnectMinMs ?? 100),
    heartbeatMs: options.heartbeatMs ?? 10_000,
    checkpointEvery: every ?? DEFAULT_CHECKPOINT_EVERY,
  };
}

/**
 * Opens the store in a PostgreSQL database: `openPostgresStore('postgresql://…')` or with options. Creates its
 * schema on first use and migrates an older one forward; refuses, without writing, a schema that is not a
 * Portcullis store (`not_a_database`) or is newer than this build (`schema_too_new`). A server that cannot be
 * reached is `unavailable`.
 */
export function openPostgresStore(urlOrOptions: string | PostgresStoreOptions): Promise<PostgresStore> {
  return PostgresStore.open(urlOrOptions);
}
