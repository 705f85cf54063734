import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '@portcullis/engine';
import { APPLICATION_ID, migrate, readSchemaVersion, SCHEMA_VERSION } from './migrations.js';

const HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Opens (or creates) a store file and brings its schema up to date. Every refusal happens before anything is
 * written, so a file this build cannot use is left byte for byte as it was:
 * - a new store is built under a temporary name beside the final one and linked into place, so no process ever
 *   sees a half-made store, and processes creating the same file at once agree on one of theirs;
 * - an existing file is classified from one read snapshot (header id, tables, schema version) before anything
 *   else, and only a Portcullis store is switched to WAL or migrated;
 * - opening a current store takes no write lock; a migration takes it (waiting up to the busy timeout).
 */
export function openDatabase(file: string, busyTimeoutMs: number): Database.Database {
  const full = path.resolve(file);
  const dir = path.dirname(full);
  const dirStat = statOrUndefined(dir);
  if (!dirStat || !dirStat.isDirectory()) throw new StoreError('missing_directory', `cannot open store \`${file}\`: directory \`${dir}\` does not exist`);
  const stat = statOrUndefined(full);
  if (stat) {
    if (!stat.isFile()) throw new StoreError('not_a_database', `cannot open store \`${file}\`: not a regular file`);
    // INVARIANT: this build never leaves an empty file at a store's path (a new store is linked in whole), so an
    // empty file is a truncated store or someone else's: refused, never silently bootstrapped into an empty store
    if (stat.size === 0)
      throw new StoreError('not_a_database', `cannot open store \`${file}\`: the file is empty (a truncated store?): remove it to create a new store there`);
    if (!hasSqliteHeader(full)) throw new StoreError('not_a_database', `cannot open store \`${file}\`: not a SQLite database`);
    if (!writable(full)) throw new StoreError('read_only', `cannot open store \`${file}\`: the file is read-only`);
  }
  // WAL needs the -wal and -shm files beside the database, so the directory must be writable too
  if (!writable(dir)) throw new StoreError('read_only', `cannot open store \`${file}\`: directory \`${dir}\` is read-only`);
  if (!stat) createStoreFile(full, file, busyTimeoutMs);

  let db: Database.Database;
  try {
    db = new Database(full, { timeout: busyTimeoutMs, fileMustExist: true });
  } catch (e) {
    throw translate(e, file, 'cannot open store');
  }
  try {
    // INVARIANT: nothing writes before the file is known to be a Portcullis store of a version we know
    const found = db.transaction(() => classify(db)).deferred();
    if (found.kind === 'foreign') throw new StoreError('not_a_database', `cannot open store \`${file}\`: a SQLite database, but not a Portcullis store`);
    if (found.version > SCHEMA_VERSION)
      throw new StoreError(
        'schema_too_new',
        `cannot open store \`${file}\`: schema version ${found.version} is newer than ${SCHEMA_VERSION}, the newest this build of @portcullis/store-sqlite knows: upgrade the package`,
      );
    useWal(db, busyTimeoutMs);
    db.pragma('synchronous = FULL');
    if (found.version < SCHEMA_VERSION) migrate(db);
    return db;
  } catch (e) {
    db.close();
    throw translate(e, file, 'cannot open store');
  }
}

/**
 * What an open file is, from one read snapshot: `empty` (a SQLite database without tables: made by a build that
 * crashed before its first migration, or by hand), `ours` with its schema version, or `foreign`. Ours means our
 * application id in the header, or (files of builds before it) our three bookkeeping tables with our columns: a
 * table merely named `schema_version` is not enough.
 */
function classify(db: Database.Database): { kind: 'empty' | 'ours' | 'foreign'; version: number } {
  const tables = new Set(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[]);
  if (tables.size === 0) return { kind: 'empty', version: 0 };
  const columns = (table: string) => (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]).sort().join(',');
  const marked = db.pragma('application_id', { simple: true }) === APPLICATION_ID;
  const shaped =
    tables.has('schema_version') &&
    columns('schema_version') === 'applied_at,description,version' &&
    tables.has('meta') &&
    columns('meta') === 'id,revision,source_version' &&
    tables.has('change_log');
  if (!marked && !shaped) return { kind: 'foreign', version: 0 };
  return { kind: 'ours', version: readSchemaVersion(db) };
}

/**
 * Switches the file to WAL unless it is already (a new store is created in WAL). The switch needs every other
 * connection gone and SQLite answers busy at once instead of waiting, so it is retried up to the busy timeout.
 */
function useWal(db: Database.Database, busyTimeoutMs: number): void {
  if (db.pragma('journal_mode', { simple: true }) === 'wal') return;
  const deadline = Date.now() + busyTimeoutMs;
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (e) {
      if (!isBusy(e) || Date.now() >= deadline) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause);
    }
  }
}

/**
 * Builds a new store under a temporary name in the same directory (WAL, schema, application id), closes it so
 * it is one self-contained file, and links it to `full`. A link never replaces a file: when another process got
 * there first, theirs is kept and opened, and ours is removed. A crash here leaves at most a `.tmp` file behind.
 */
function createStoreFile(full: string, file: string, busyTimeoutMs: number): void {
  const tmp = path.join(path.dirname(full), `.${path.basename(full)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const db = new Database(tmp, { timeout: busyTimeoutMs });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      migrate(db);
    } finally {
      db.close();
    }
    try {
      fs.linkSync(tmp, full);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'EEXIST') return;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw e;
      // a file system without hard links: an exclusive copy still never replaces another process's store
      try {
        fs.copyFileSync(tmp, full, fs.constants.COPYFILE_EXCL);
      } catch (c) {
        if ((c as { code?: string }).code !== 'EEXIST') throw c;
      }
    }
  } catch (e) {
    throw translate(e, file, 'cannot create store');
  } finally {
    for (const leftover of [tmp, `${tmp}-wal`, `${tmp}-shm`]) fs.rmSync(leftover, { force: true });
  }
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** Maps a SQLite or file-system failure to a StoreError naming the file; passes StoreErrors through. */
export function translate(e: unknown, file: string, what: string): StoreError {
  if (e instanceof StoreError) return e;
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  const say = (c: ConstructorParameters<typeof StoreError>[0], text: string) =>
    new StoreError(c, `${what} \`${file}\`: ${text}`, { cause: e });
  if (isMissingNativeBuild(code, message)) return say('native_build_missing', NATIVE_BUILD_HINT);
  if (isBusy(e)) return say('busy', `the file is locked by another connection beyond the busy timeout: ${message}`);
  switch (code) {
    case 'SQLITE_NOTADB':
      return say('not_a_database', 'not a SQLite database');
    case 'SQLITE_READONLY':
    case 'SQLITE_READONLY_DBMOVED':
    case 'SQLITE_READONLY_DIRECTORY':
    case 'SQLITE_READONLY_CANTINIT':
    case 'SQLITE_READONLY_RECOVERY':
    case 'SQLITE_PERM':
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return say('read_only', `not writable: ${message}`);
    case 'SQLITE_CORRUPT':
    case 'SQLITE_CORRUPT_INDEX':
    case 'SQLITE_CORRUPT_SEQUENCE':
    case 'SQLITE_CORRUPT_VTAB':
      return say('corrupt_data', `the database is corrupt: ${message}`);
    default:
      return say('io_error', message);
  }
}

/**
 * What to do when better-sqlite3's compiled addon cannot be loaded: the commonest cause is a package manager that
 * skipped its install script (pnpm 10 and later do so unless told), the next a Node.js upgrade since it was built.
 */
export const NATIVE_BUILD_HINT =
  "better-sqlite3's native build is missing or was built for another Node.js version: its install script did not run " +
  '(pnpm skips it unless `allowBuilds: { better-sqlite3: true }` is in pnpm-workspace.yaml, or `onlyBuiltDependencies` ' +
  'on pnpm 10), so allow it and run `pnpm rebuild better-sqlite3` (npm: `npm rebuild better-sqlite3`)';

/** Whether a failure to open is better-sqlite3 failing to load its addon, not anything about the file. */
function isMissingNativeBuild(code: unknown, message: string): boolean {
  // `bindings` (how better-sqlite3 finds its addon) throws a plain Error naming the paths it tried; a stale or
  // foreign build fails in dlopen with ERR_DLOPEN_FAILED and a NODE_MODULE_VERSION mismatch
  return (
    message.includes('Could not locate the bindings file') ||
    code === 'ERR_DLOPEN_FAILED' ||
    message.includes('NODE_MODULE_VERSION') ||
    message.includes('better_sqlite3.node')
  );
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

function writable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function hasSqliteHeader(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(HEADER.length);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return n === HEADER.length && buf.equals(HEADER);
  } finally {
    fs.closeSync(fd);
  }
}

