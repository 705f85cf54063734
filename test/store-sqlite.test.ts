// What only the SQLite store has: files it must refuse untouched, schema migrations, several connections
// (and processes) on one file, and reopening.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseSource, StoreError, ValidationError, type Change, type Source } from '@portcullis/engine';
import { applyChanges, entityKey } from '@portcullis/engine/store-kit';
import { migrate, openSqliteStore, SCHEMA_VERSION } from '@portcullis/store-sqlite';
import { richSource } from './helpers/store-arbitraries.js';
import { stageForOtherUser } from './helpers/stage-for-other-user.js';

// better-sqlite3 as the store package itself resolves it, to craft files the store would never write
const require = createRequire(fileURLToPath(new URL('../packages/store-sqlite/package.json', import.meta.url)));
const Database = require('better-sqlite3') as typeof import('better-sqlite3');

const TRY_OPEN = fileURLToPath(new URL('./helpers/store-try-open.mjs', import.meta.url));
const COMMITTER = fileURLToPath(new URL('./crash/committer.mjs', import.meta.url));
const OPEN_RACE = fileURLToPath(new URL('./helpers/store-open-race.mjs', import.meta.url));
const EMPTY = parseSource({ version: 1 });
const source = parseSource(richSource);
const puts: Change[] = (['account', 'service', 'role', 'principal', 'node', 'group', 'resourceGroup', 'policy', 'binding', 'resource', 'membership'] as const).flatMap(
  (entity) => {
    const field = { account: 'accounts', service: 'services', role: 'roles', principal: 'principals', node: 'nodes', group: 'groups', resourceGroup: 'resourceGroups', policy: 'policies', binding: 'bindings', resource: 'resources', membership: 'memberships' }[entity] as keyof Source;
    return (source[field] as unknown[]).map((value) => ({ op: 'put', entity, value }) as Change);
  },
);

let dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-sqlite-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs) {
    fs.chmodSync(d, 0o700);
    fs.rmSync(d, { recursive: true, force: true });
  }
  dirs = [];
});

function openError(file: string, options?: object): StoreError {
  try {
    openSqliteStore(file, options as never);
  } catch (e) {
    expect(e).toBeInstanceOf(StoreError);
    return e as StoreError;
  }
  throw new Error(`opening ${file} did not fail`);
}

/** Asserts opening `file` fails with `code`, names the file, and leaves its bytes and its directory as they were. */
function expectRefused(file: string, code: string): void {
  const dir = path.dirname(file);
  const before = fs.readFileSync(file);
  const listing = fs.readdirSync(dir).sort();
  const e = openError(file);
  expect(e.code).toBe(code);
  expect(e.message).toContain(file);
  expect(fs.readFileSync(file).equals(before)).toBe(true);
  expect(fs.readdirSync(dir).sort()).toEqual(listing);
}

describe('sqlite store: files it refuses', () => {
  it('refuses a file that is not a SQLite database', () => {
    const file = path.join(tempDir(), 'notes.txt');
    fs.writeFileSync(file, 'these are my notes, not a database\n'.repeat(200));
    expectRefused(file, 'not_a_database');
  });

  it('refuses a file with a SQLite header and garbage after it', () => {
    const file = path.join(tempDir(), 'broken.db');
    fs.writeFileSync(file, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(4096, 0xab)]));
    expectRefused(file, 'not_a_database');
  });

  it('refuses a SQLite database that is not a Portcullis store', () => {
    const file = path.join(tempDir(), 'other.db');
    const db = new Database(file);
    db.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (9.5)");
    db.close();
    expectRefused(file, 'not_a_database');
  });

  it('refuses, untouched, a database of another application that has a table named schema_version', () => {
    const file = path.join(tempDir(), 'other-app.db');
    const db = new Database(file);
    // rollback-journal mode: switching it to WAL would change its header, which expectRefused would see
    db.exec('CREATE TABLE schema_version (version INTEGER); INSERT INTO schema_version VALUES (1); CREATE TABLE meta (k TEXT, v TEXT)');
    db.close();
    expectRefused(file, 'not_a_database');
  });

  it('refuses an empty file (a truncated store is never re-bootstrapped into an empty one)', () => {
    const file = path.join(tempDir(), 'store.db');
    fs.writeFileSync(file, '');
    expectRefused(file, 'not_a_database');
    expect(fs.statSync(file).size).toBe(0);
  });

  it('refuses a store written by a newer schema version', async () => {
    const file = path.join(tempDir(), 'future.db');
    const store = openSqliteStore(file);
    await store.commit(puts, 0);
    await store.close();
    const db = new Database(file);
    db.prepare("INSERT INTO schema_version (version, description, applied_at) VALUES (?, 'from the future', '2099-01-01T00:00:00Z')").run(SCHEMA_VERSION + 1);
    db.close();
    expectRefused(file, 'schema_too_new');
  });

  it('refuses a path whose directory does not exist, creating nothing', () => {
    const dir = tempDir();
    const file = path.join(dir, 'no', 'such', 'dir', 'store.db');
    const e = openError(file);
    expect(e.code).toBe('missing_directory');
    expect(e.message).toContain(file);
    expect(fs.existsSync(path.join(dir, 'no'))).toBe(false);
  });

  it('checks its options', () => {
    const file = path.join(tempDir(), 'store.db');
    expect(() => openSqliteStore(file, { busyTimeoutMs: -1 })).toThrow(ValidationError);
    expect(() => openSqliteStore(file, { busyTimout: 5 } as never)).toThrow(ValidationError);
    expect(fs.existsSync(file)).toBe(false);
  });

  // Root writes anything, so as root the read-only cases run the open in a child process as `nobody`, from a copy
  // of the helper and its packages that `nobody` can reach wherever the checkout lives.
  const asRoot = process.getuid?.() === 0;
  let staged: { script: string; cleanup: () => void } | undefined;
  afterAll(() => staged?.cleanup());
  const tryOpen = (file: string): { ok?: boolean; code?: string; message?: string } => {
    if (asRoot) staged ??= stageForOtherUser(TRY_OPEN, ['@portcullis/store-sqlite'], path.dirname(TRY_OPEN));
    const script = asRoot ? staged!.script : TRY_OPEN;
    const r = spawnSync(process.execPath, [script, file], { encoding: 'utf8', ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  it('refuses a read-only file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'store.db');
    const store = openSqliteStore(file);
    await store.commit(puts, 0);
    await store.close();
    fs.chmodSync(file, 0o444);
    fs.chmodSync(dir, asRoot ? 0o777 : 0o755); // a writable directory: only the file is read-only
    const before = fs.readFileSync(file);
    const r = tryOpen(file);
    expect(r.code).toBe('read_only');
    expect(r.message).toContain(file);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a file in a read-only directory', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'store.db');
    const store = openSqliteStore(file);
    await store.commit(puts, 0);
    await store.close();
    const before = fs.readFileSync(file);
    fs.chmodSync(file, asRoot ? 0o666 : 0o644);
    fs.chmodSync(dir, 0o555);
    const existing = tryOpen(file);
    expect(existing.code).toBe('read_only');
    expect(existing.message).toContain(file);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    const fresh = tryOpen(path.join(dir, 'new.db'));
    expect(fresh.code).toBe('read_only');
    expect(fs.existsSync(path.join(dir, 'new.db'))).toBe(false);
  });
});

describe('sqlite store: migrations', () => {
  it('migrates a version 1 file forward and keeps its data', async () => {
    const file = path.join(tempDir(), 'v1.db');
    // a file as version 1 of the schema wrote it: one account, its change log entry, revision 1
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    migrate(db, 1);
    const account = source.accounts[0]!;
    db.prepare('INSERT INTO accounts (key, id, system, name, public_access, options) VALUES (?, ?, ?, ?, ?, ?)').run(
      account.id,
      account.id,
      account.system,
      account.name ?? null,
      account.publicAccess ? 1 : 0,
      JSON.stringify(account.options),
    );
    db.prepare('INSERT INTO change_log (revision, seq, change) VALUES (1, 0, ?)').run(JSON.stringify({ op: 'put', entity: 'account', value: account }));
    db.prepare('UPDATE meta SET revision = 1').run();
    expect(db.prepare('SELECT version FROM schema_version').pluck().all()).toEqual([1]);
    db.close();

    const store = openSqliteStore(file);
    // schema 6 computed the digest of revision 1 from the log the older schema kept
    const loaded = await store.load();
    expect(loaded).toEqual({ source: { ...EMPTY, accounts: [account] }, revision: 1, validated: true, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((await store.changesSince(0)).digest).toBe(loaded.digest);
    expect((await store.changesSince(0)).changes).toEqual([{ op: 'put', entity: 'account', value: account }]);
    expect(await store.commit(puts.slice(1, 3), 1)).toMatchObject({ revision: 2 });
    await store.close();

    const after = new Database(file, { readonly: true });
    expect(after.prepare('SELECT version FROM schema_version ORDER BY version').pluck().all()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(SCHEMA_VERSION).toBe(6);
    // version 6's history: a digest per revision, the one migrated and the one committed after it
    expect(after.prepare('SELECT revision FROM history ORDER BY revision').pluck().all()).toEqual([1, 2]);
    // version 5's checkpoint table is there, empty: two small commits are far from a checkpoint's worth of changes
    expect(after.prepare('SELECT count(*) FROM checkpoint').pluck().get()).toBe(0);
    // version 2's column is there and filled by new commits
    expect(after.prepare('SELECT committed_at FROM change_log WHERE revision = 2').pluck().all().every((t) => typeof t === 'number')).toBe(true);
    expect(after.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'policy_roles_role'").get()).toBeDefined();
    after.close();
  });

  it('opens a current file without migrating again', async () => {
    const file = path.join(tempDir(), 'store.db');
    await openSqliteStore(file).close();
    await openSqliteStore(file).close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT version FROM schema_version ORDER BY version').pluck().all()).toEqual([1, 2, 3, 4, 5, 6]);
    db.close();
  });
});

describe('sqlite store: one file, several connections', () => {
  it('shows each connection the commits of the other through changesSince and load', async () => {
    const file = path.join(tempDir(), 'shared.db');
    const a = openSqliteStore(file);
    const b = openSqliteStore(file);
    try {
      await a.load();
      await b.load();
      expect(await a.commit(puts.slice(0, 10), 0)).toMatchObject({ revision: 1 });
      expect(await b.changesSince(0)).toMatchObject({ changes: puts.slice(0, 10).map((c) => ({ ...c, value: (c as { value: unknown }).value })), revision: 1 });
      // b validates against a's rows even though it never loaded them: its cache catches up from the log
      expect(await b.commit(puts.slice(10), 1)).toMatchObject({ revision: 2 });
      expect((await a.changesSince(1)).changes).toEqual(puts.slice(10));
      // a is behind: a stale commit is refused, a current one holds
      const del: Change = { op: 'delete', entity: 'membership', key: entityKey('membership', source.memberships[0]!) };
      await expect(a.commit([del], 1)).rejects.toMatchObject({ code: 'revision_conflict' });
      expect(await a.commit([del], 2)).toMatchObject({ revision: 3 });
      const expected = { ...source, memberships: [] };
      const digest = (await a.changesSince(0)).digest;
      expect(await a.load()).toEqual({ source: expected, revision: 3, validated: true, digest });
      expect(await b.load()).toEqual({ source: expected, revision: 3, validated: true, digest });
      // b refuses a batch that is only invalid given a's commit (the principal a policy names is gone)
      await expect(b.commit([{ op: 'delete', entity: 'principal', key: 'acc-cf/m-1' }], 3)).rejects.toBeInstanceOf(ValidationError);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('serializes two processes committing to one file at once', async () => {
    const file = path.join(tempDir(), 'two.db');
    await openSqliteStore(file).close();
    const run = (tag: string) =>
      new Promise<string[]>((resolve, reject) => {
        const { spawn } = require('node:child_process') as typeof import('node:child_process');
        const child = spawn(process.execPath, [COMMITTER, file, tag, '40'], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (code) => (code === 0 ? resolve(out.trim().split('\n')) : reject(new Error(`committer ${tag} exited with ${code}`))));
      });
    const [x, y] = await Promise.all([run('x'), run('y')]);
    expect(x).toHaveLength(40);
    expect(y).toHaveLength(40);
    const revisions = [...x, ...y].map((l) => Number(l.split(' ')[1])).sort((p, q) => p - q);
    expect(revisions).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    const store = openSqliteStore(file);
    const { source: s, revision } = await store.load();
    expect(revision).toBe(80);
    expect(s.groups).toHaveLength(80);
    expect(s.policies).toHaveLength(400);
    expect(applyChanges(EMPTY, (await store.changesSince(0)).changes)).toEqual(s);
    await store.close();
  });
});

describe('sqlite store: opening while others work on the file', () => {
  it('eight processes creating one new file at the same moment all open it and commit', async () => {
    const file = path.join(tempDir(), 'race.db');
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const tags = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const children = tags.map((tag) => {
      const child = spawn(process.execPath, [OPEN_RACE, file, tag], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      let ready: () => void;
      const loaded = new Promise<void>((resolve) => (ready = resolve));
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.startsWith('ready\n')) ready();
      });
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const done = new Promise<string>((resolve, reject) =>
        child.on('close', (code) => (code === 0 ? resolve(out.replace('ready\n', '').trim()) : reject(new Error(`opener ${tag} exited with ${code}: ${err}`)))),
      );
      return { child, loaded, done };
    });
    // once every child has loaded its modules, give them the word together
    await Promise.all(children.map(({ loaded }) => loaded));
    for (const { child } of children) child.stdin.write('go\n');
    const acks = await Promise.all(children.map(({ done }) => done));
    expect(acks.map((l) => Number(l.split(' ')[1])).sort((p, q) => p - q)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const store = openSqliteStore(file);
    expect((await store.load()).source.accounts).toHaveLength(8);
    expect(store.integrityCheck()).toEqual(['ok']);
    await store.close();
    // no temporary file of the losers is left behind
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('switches a new file to WAL while another process holds a read transaction on it, once the reader lets go', async () => {
    const file = path.join(tempDir(), 'store.db');
    // a SQLite database without tables, in rollback-journal mode: opening takes it as new and switches it to WAL
    new Database(file).exec('VACUUM');
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))}); const db = new D(${JSON.stringify(file)});
         db.exec('BEGIN'); db.prepare('SELECT count(*) FROM sqlite_master').get(); console.log('holding');
         setTimeout(() => { db.exec('COMMIT'); db.close(); }, 300);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout.on('data', (d: Buffer) => d.toString().includes('holding') && resolve()));
    // the switch needs every other connection's lock gone: it waits (SQLite's busy handler, then our retries) until the holder lets go
    const store = openSqliteStore(file, { busyTimeoutMs: 30_000 });
    expect(await store.commit(puts, 0)).toMatchObject({ revision: 1 });
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    await new Promise((resolve) => (holder.exitCode !== null ? resolve(null) : holder.once('close', resolve)));
  });

  it('opens a current file, and reads it, while another connection holds the write lock', async () => {
    const file = path.join(tempDir(), 'store.db');
    const first = openSqliteStore(file);
    await first.commit(puts, 0);
    await first.close();
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    try {
      // a zero busy timeout: opening must not need the lock at all
      const store = openSqliteStore(file, { busyTimeoutMs: 0 });
      expect((await store.load()).revision).toBe(1);
      await store.close();
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('reports a lock held past the busy timeout as `busy`, writing nothing', async () => {
    const file = path.join(tempDir(), 'store.db');
    const store = openSqliteStore(file, { busyTimeoutMs: 20 });
    await store.commit(puts, 0);
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const e = await store.commit([{ op: 'delete', entity: 'binding', key: 'bind-2' }], 1).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(StoreError);
      expect((e as StoreError).code).toBe('busy');
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect((await store.load()).revision).toBe(1);
    expect(await store.commit([{ op: 'delete', entity: 'binding', key: 'bind-2' }], 1)).toMatchObject({ revision: 2 });
    await store.close();
  });
});

describe('sqlite store: reopening', () => {
  it('loads after reopening exactly what it had before closing, and continues the revisions', async () => {
    const file = path.join(tempDir(), 'store.db');
    let store = openSqliteStore(file);
    await store.commit(puts, 0);
    await store.commit([{ op: 'delete', entity: 'binding', key: 'bind-2' }], 1);
    const before = await store.load();
    await store.close();
    await expect(store.load()).rejects.toMatchObject({ code: 'store_closed' });

    store = openSqliteStore(file);
    expect(await store.load()).toEqual(before);
    // read from the tables, rows come back frozen all the way down, like the cached ones
    const other = openSqliteStore(file, { verifyOnLoad: false });
    const reread = (await other.load()).source;
    await other.close();
    expect(reread).toEqual(before.source);
    const frozenDeep = (v: unknown): boolean =>
      v === null || typeof v !== 'object' || (Object.isFrozen(v) && Object.values(v as object).every(frozenDeep));
    expect(frozenDeep(reread)).toBe(true);
    expect(store.integrityCheck()).toEqual(['ok']);
    expect(await store.commit([{ op: 'delete', entity: 'binding', key: 'bind-1' }], 2)).toMatchObject({ revision: 3 });
    await store.close();
    store = openSqliteStore(file, { verifyOnLoad: false });
    expect((await store.load()).source.bindings).toEqual([]);
    await store.close();
  });

  it('reports rows edited by hand into an invalid source as corrupt data', async () => {
    const file = path.join(tempDir(), 'store.db');
    const store = openSqliteStore(file);
    await store.commit(puts, 0);
    await store.close();
    const db = new Database(file);
    db.prepare("UPDATE policies SET resource = '{not json' WHERE id = 'pol-1'").run();
    db.prepare("UPDATE groups SET name = '' WHERE id = 'ug-1'").run();
    db.close();
    const reopened = openSqliteStore(file);
    await expect(reopened.load()).rejects.toMatchObject({ code: 'corrupt_data' });
    await reopened.close();
    const db2 = new Database(file);
    db2.prepare(`UPDATE policies SET resource = '{"attributes":[]}' WHERE id = 'pol-1'`).run();
    db2.close();
    const again = openSqliteStore(file);
    await expect(again.load()).rejects.toMatchObject({ code: 'corrupt_data' });
    await again.close();
  });
});
