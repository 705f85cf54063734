import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '@portcullis/engine';
import { migrate, readSchemaVersion, SCHEMA_VERSION } from './migrations.js';

const HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Opens (or creates) a store file and brings its schema up to date. Every refusal happens before anything is
 * written, so a file this build cannot use is left byte for byte as it was.
 */
export function openDatabase(file: string, busyTimeoutMs: number): Database.Database {
  const full = path.resolve(file);
  const dir = path.dirname(full);
  const dirStat = statOrUndefined(dir);
  if (!dirStat || !dirStat.isDirectory()) throw new StoreError('missing_directory', `cannot open store \`${file}\`: directory \`${dir}\` does not exist`);
  const stat = statOrUndefined(full);
  if (stat) {
    if (!stat.isFile()) throw new StoreError('not_a_database', `cannot open store \`${file}\`: not a regular file`);
    if (stat.size > 0 && !hasSqliteHeader(full)) throw new StoreError('not_a_database', `cannot open store \`${file}\`: not a SQLite database`);
    if (!writable(full)) throw new StoreError('read_only', `cannot open store \`${file}\`: the file is read-only`);
  }
  // WAL needs the -wal and -shm files beside the database, so the directory must be writable too
  if (!writable(dir)) throw new StoreError('read_only', `cannot open store \`${file}\`: directory \`${dir}\` is read-only`);

  let db: Database.Database;
  try {
    db = new Database(full, { timeout: busyTimeoutMs });
  } catch (e) {
    throw translate(e, file, 'cannot open store');
  }
  try {
    // INVARIANT: nothing writes before the schema version is known to be ours
    const version = readSchemaVersion(db);
    if (version > SCHEMA_VERSION)
      throw new StoreError(
        'schema_too_new',
        `cannot open store \`${file}\`: schema version ${version} is newer than ${SCHEMA_VERSION}, the newest this build of @portcullis/store-sqlite knows: upgrade the package`,
      );
    if (version === 0 && hasForeignTables(db))
      throw new StoreError('not_a_database', `cannot open store \`${file}\`: a SQLite database, but not a Portcullis store`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    migrate(db);
    return db;
  } catch (e) {
    db.close();
    throw translate(e, file, 'cannot open store');
  }
}

/** Maps a SQLite or file-system failure to a StoreError naming the file; passes StoreErrors through. */
export function translate(e: unknown, file: string, what: string): StoreError {
  if (e instanceof StoreError) return e;
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  const say = (c: ConstructorParameters<typeof StoreError>[0], text: string) =>
    new StoreError(c, `${what} \`${file}\`: ${text}`, { cause: e });
  if (isMissingNativeBuild(code, message)) return say('native_build_missing', NATIVE_BUILD_HINT);
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

function hasForeignTables(db: Database.Database): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1`).get() !== undefined;
}
