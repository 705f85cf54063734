// Issue 12, the hole red team 8 left: a store whose history is not the one an engine followed, but whose revision
// reads at or above the engine's (a restore from a backup, then more commits than were lost; a fail-over to a
// lagging replica that took new writes; a schema dropped and made again with more revisions than before). Over a
// real SQLite file and a real PostgreSQL (the run's throwaway cluster, test/postgres-setup.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEngineFromStore, IBM_ROLES, ValidationError, type Change, type Engine, type FollowStatus, type Store } from '@portcullis/engine';
import { createMemoryStore } from '@portcullis/store-memory';
import { openPostgresStore } from '@portcullis/store-postgres';
import { openSqliteStore } from '@portcullis/store-sqlite';
import { changeBatch, seedBatch } from './helpers/store-arbitraries.js';
import { closeAfterEach, NOW } from './helpers/access.js';
import { ibmWorldChanges } from './helpers/ibm-world.js';

const closers = closeAfterEach();
const PG_URL = process.env['PORTCULLIS_PG_URL']!;
let admin: pg.Client;
let schemas = 0;
const schemaName = (tag: string): string => `history_${tag}_${process.pid}_${++schemas}`;
beforeAll(async () => {
  admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
});
afterAll(() => admin.end());
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-history-'));
  dirs.push(d);
  return d;
}

/** `IBMid-friend` made kms Administrator: the grant the restored store no longer holds. */
const GRANT: Change = {
  op: 'put',
  entity: 'policy',
  value: { id: 'p-friend', accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-friend' }, roles: [IBM_ROLES.administrator], resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'kms' }] } },
};
/** A harmless commit: one more principal, named by the history it belongs to. */
const filler = (name: string): Change[] => [{ op: 'put', entity: 'principal', value: { id: `IBMid-${name}`, accountId: 'acc', kind: 'user', status: 'active' } }];
/** The IBM world (helpers/ibm-world.ts) and a stored kms key `k1`, so decisions on it by id are cached. */
const world = async (): Promise<Change[]> => [
  ...(await ibmWorldChanges()),
  { op: 'put', entity: 'resource', value: { id: 'k1', accountId: 'acc', attributes: { serviceName: 'kms', resource: 'k1' }, tags: [], projects: [], folders: [], zones: [] } },
];
const friend = (e: Engine): boolean => e.authorize({ subject: { id: 'IBMid-friend', accountId: 'acc' }, action: 'kms.keys.write', resource: { id: 'k1' } }).allowed;
const ids = (policies: readonly { id: string }[]): string[] => policies.map((p) => p.id).sort();
const principals = (e: Engine): string[] => e.source.principals.map((p) => p.id).sort();

describe('a SQLite store restored from a backup, then committed past a following engine before it reads', () => {
  it('hole: the follower laid the new history’s commits over the old one’s tables and kept a grant the store no longer has', async () => {
    const file = path.join(tempDir(), 'store.db');
    const backup = path.join(path.dirname(file), 'backup.db');
    const writer = openSqliteStore(file);
    closers.push(() => writer.close());
    await writer.commit(await world(), 0);
    for (let r = 1; r < 40; r++) await writer.commit(filler(`old-${r}`), r);
    // the operator's backup at revision 40, through SQLite's online backup
    const raw = new Database(file);
    await raw.backup(backup);
    raw.close();
    for (let r = 40; r < 49; r++) await writer.commit(filler(`old-${r}`), r);
    await writer.commit([GRANT], 49);
    const follower = await createEngineFromStore(openSqliteStore(file), { follow: false, clock: () => NOW });
    closers.push(() => follower.close());
    expect(follower.revision).toBe(50);
    expect(friend(follower)).toBe(true);
    expect(follower.cacheStats().size).toBe(1);

    // the restore (online, into the live file), then 15 commits of the new history before the follower reads
    const src = new Database(backup, { readonly: true });
    await src.backup(file);
    src.close();
    for (let r = 40; r < 55; r++) await writer.commit(filler(`new-${r}`), r);
    expect((await writer.load()).revision).toBe(55);

    await follower.refresh();
    const store = await writer.load();
    expect(follower.revision).toBe(55);
    // the decision cache of the old history is emptied, not left to age out
    expect(follower.cacheStats().size).toBe(0);
    // decides as the store says: no grant, none of the lost commits' principals, all of the new ones
    expect(friend(follower)).toBe(false);
    expect(ids(follower.source.policies)).toEqual(ids(store.source.policies));
    expect(principals(follower)).toEqual(store.source.principals.map((p) => p.id).sort());
    expect(principals(follower)).not.toContain('IBMid-old-45');
    expect(principals(follower)).toContain('IBMid-new-54');
    // and says so, with the store's digest of its revision
    expect(follower.followStatus()).toMatchObject({ revision: 55, reloads: 1, reloadedAt: NOW, digest: store.digest });
  });
});

/** Polls until `ok` holds of the engine's follow status (a feed is asynchronous), or fails after `ms`. */
async function until(e: Engine, ok: (s: FollowStatus) => boolean, ms = 20_000): Promise<FollowStatus> {
  const end = Date.now() + ms;
  for (;;) {
    const st = e.followStatus();
    if (ok(st)) return st;
    if (Date.now() > end) throw new Error(`follow status never held: ${JSON.stringify({ ...st, lastError: String(st.lastError) })}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The tables of a PostgreSQL schema (a store's, every one of them). */
async function tablesOf(schema: string): Promise<string[]> {
  const r = await admin.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`, [schema]);
  return r.rows.map((row: { table_name: string }) => row.table_name);
}

/** An operator's backup of a store's schema: every table copied, as it is, into a schema of its own. */
async function backupSchema(schema: string): Promise<string> {
  const to = `${schema}_bk`;
  await admin.query(`CREATE SCHEMA "${to}"`);
  for (const t of await tablesOf(schema)) await admin.query(`CREATE TABLE "${to}"."${t}" AS TABLE "${schema}"."${t}"`);
  return to;
}

/** Restores a backup into the live schema in one transaction: every table emptied and written back as backed up. */
async function restoreSchema(schema: string, from: string): Promise<void> {
  await admin.query('BEGIN');
  try {
    // a restore of the whole schema, checkpoint included: the triggers that drop a checkpoint on a hand edit stay quiet
    await admin.query("SET LOCAL portcullis.writing = 'on'");
    const tables = await tablesOf(schema);
    await admin.query(`TRUNCATE ${tables.map((t) => `"${schema}"."${t}"`).join(', ')}`);
    for (const t of tables) await admin.query(`INSERT INTO "${schema}"."${t}" OVERRIDING SYSTEM VALUE SELECT * FROM "${from}"."${t}"`);
    await admin.query('COMMIT');
  } catch (e) {
    await admin.query('ROLLBACK');
    throw e;
  }
}

describe('a PostgreSQL store restored from a backup under two engines that follow it', () => {
  it('hole: both engines applied the new history’s commits over the old one’s tables and kept the lost grant', async () => {
    const schema = schemaName('restore');
    const writer = await openPostgresStore({ url: PG_URL, schema });
    closers.push(() => writer.close());
    await writer.commit(await world(), 0);
    for (let r = 1; r < 5; r++) await writer.commit(filler(`old-${r}`), r);
    const backup = await backupSchema(schema);
    closers.push(() => admin.query(`DROP SCHEMA "${backup}" CASCADE`));
    for (let r = 5; r < 9; r++) await writer.commit(filler(`old-${r}`), r);
    const granted = await writer.commit([GRANT], 9);
    const engines: Engine[] = [];
    for (let i = 0; i < 2; i++) {
      const e = await createEngineFromStore(await openPostgresStore({ url: PG_URL, schema }), { clock: () => NOW });
      closers.push(() => e.close());
      engines.push(e);
      await until(e, (st) => st.connected && st.behind === 0);
      expect(e.followStatus()).toMatchObject({ revision: 10, digest: granted.digest, reloads: 0 });
      expect(friend(e)).toBe(true);
    }

    // what the feed's channel carries: still the revision's digits alone (red team 7), no digest
    const listener = new pg.Client({ connectionString: PG_URL });
    await listener.connect();
    closers.push(() => listener.end());
    const payloads: string[] = [];
    listener.on('notification', (m) => payloads.push(m.payload ?? ''));
    await listener.query(`LISTEN "portcullis:${schema}"`);
    await restoreSchema(schema, backup);
    // the new history: six commits, one past the engines' revision, each announced
    for (let r = 5; r < 11; r++) await writer.commit(filler(`new-${r}`), r);
    const store = await writer.load();
    expect(store.revision).toBe(11);
    for (let waited = 0; payloads.length < 6 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(payloads).toEqual(['6', '7', '8', '9', '10', '11']);
    for (const e of engines) {
      await until(e, (st) => st.revision === 11 && st.behind === 0);
      expect(e.followStatus()).toMatchObject({ reloads: 1, digest: store.digest });
      expect(friend(e)).toBe(false);
      expect(ids(e.source.policies)).toEqual(ids(store.source.policies));
      expect(principals(e)).toEqual(store.source.principals.map((p) => p.id).sort());
    }
    // and they go on following the new history by its log: one more commit, no reload
    const last = await writer.commit(filler('new-11'), 11);
    for (const e of engines) {
      await until(e, (st) => st.revision === 12);
      expect(e.followStatus()).toMatchObject({ reloads: 1, digest: last.digest });
    }
  });

  it('hole: a restored schema committed back up to exactly the engines’ revision was never read: no announcement was newer than it', async () => {
    // (fixed in engine/follow.ts: every announcement starts a catch-up, not only one past the engine's revision)
    const schema = schemaName('level');
    const writer = await openPostgresStore({ url: PG_URL, schema });
    closers.push(() => writer.close());
    await writer.commit(await world(), 0);
    const backup = await backupSchema(schema);
    closers.push(() => admin.query(`DROP SCHEMA "${backup}" CASCADE`));
    for (let r = 1; r < 4; r++) await writer.commit(filler(`old-${r}`), r);
    await writer.commit([GRANT], 4);
    const e = await createEngineFromStore(await openPostgresStore({ url: PG_URL, schema }), { clock: () => NOW });
    closers.push(() => e.close());
    await until(e, (st) => st.connected && st.behind === 0);
    expect(friend(e)).toBe(true);
    await restoreSchema(schema, backup);
    for (let r = 1; r < 5; r++) await writer.commit(filler(`new-${r}`), r);
    const store = await writer.load();
    expect(store.revision).toBe(5);
    // the first announcement of the new history (revision 2, below the engine's 5) is read, its digest found not the
    // engine's: reloaded there, the rest followed by the log
    await until(e, (st) => st.reloads === 1 && st.revision === 5 && st.behind === 0);
    expect(e.followStatus()).toMatchObject({ reloads: 1, digest: store.digest });
    expect(friend(e)).toBe(false);
  });

  it('an engine writing on the old history is refused at its revision, reloads and reruns on the store’s state', async () => {
    const schema = schemaName('write');
    const writer = await openPostgresStore({ url: PG_URL, schema });
    closers.push(() => writer.close());
    await writer.commit(await world(), 0);
    const backup = await backupSchema(schema);
    closers.push(() => admin.query(`DROP SCHEMA "${backup}" CASCADE`));
    await writer.commit([GRANT], 1);
    const e = await createEngineFromStore(await openPostgresStore({ url: PG_URL, schema }), { follow: false, clock: () => NOW });
    closers.push(() => e.close());
    expect(friend(e)).toBe(true);
    // restored to 1, then one commit of another history: the store is at the engine's revision, 2
    await restoreSchema(schema, backup);
    await writer.commit(filler('new-1'), 1);
    // the engine's raw commit names its history's digest: refused, nothing written
    await expect(e.commit(filler('from-engine'))).rejects.toMatchObject({ code: 'revision_conflict' });
    expect((await writer.load()).revision).toBe(2);
    await e.refresh();
    expect(e.followStatus()).toMatchObject({ revision: 2, reloads: 1 });
    expect(friend(e)).toBe(false);
    await e.commit(filler('from-engine'));
    const store = await writer.load();
    expect(store.revision).toBe(3);
    expect(principals(e)).toEqual(store.source.principals.map((p) => p.id).sort());
    expect(e.followStatus().digest).toBe(store.digest);
  });
});

describe('a PostgreSQL schema dropped and made again with more revisions than before', () => {
  it('hole: the engine followed the new schema’s log past its revision and kept the dropped schema’s grant', async () => {
    const schema = schemaName('again');
    const first = await openPostgresStore({ url: PG_URL, schema });
    closers.push(() => first.close());
    await first.commit(await world(), 0);
    await first.commit([GRANT], 1);
    const e = await createEngineFromStore(await openPostgresStore({ url: PG_URL, schema }), { clock: () => NOW });
    closers.push(() => e.close());
    await until(e, (st) => st.connected && st.behind === 0);
    expect(friend(e)).toBe(true);
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    const again = await openPostgresStore({ url: PG_URL, schema });
    closers.push(() => again.close());
    await again.commit(await world(), 0);
    for (let r = 1; r < 6; r++) await again.commit(filler(`again-${r}`), r);
    const store = await again.load();
    await until(e, (st) => st.revision === 6 && st.behind === 0);
    expect(e.followStatus()).toMatchObject({ reloads: 1, digest: store.digest });
    expect(friend(e)).toBe(false);
    expect(ids(e.source.policies)).toEqual(ids(store.source.policies));
    expect(principals(e)).toEqual(store.source.principals.map((p) => p.id).sort());
  });
});

/** Commits of every kind of batch the property uses, and an empty one: a store's history to migrate. */
async function someHistory(store: Store): Promise<string[]> {
  const digests = [(await store.load()).digest];
  const batches: Change[][] = [await world(), filler('m-1'), [], [{ op: 'delete', entity: 'principal', key: 'acc/IBMid-m-1' }], [GRANT], filler('m-ü-€-𝄞')];
  for (const [i, b] of batches.entries()) digests.push((await store.commit(b, i)).digest);
  return digests;
}

describe('a store of the schema before history digests', () => {
  it('SQLite: the migration computes the digests a current store writes, and an engine loads and follows it', async () => {
    const file = path.join(tempDir(), 'old.db');
    const current = openSqliteStore(file);
    const digests = await someHistory(current);
    await current.close();
    // the file as schema 5 left it: no history table, no record of version 6
    const db = new Database(file);
    db.exec('DROP TABLE history; DELETE FROM schema_version WHERE version = 6');
    db.close();
    const store = openSqliteStore(file);
    closers.push(() => store.close());
    for (let r = 0; r < digests.length; r++) expect((await store.changesSince(r)).baseDigest).toBe(digests[r]);
    const e = await createEngineFromStore(openSqliteStore(file, { pollIntervalMs: 10 }), { clock: () => NOW });
    closers.push(() => e.close());
    expect(e.followStatus()).toMatchObject({ revision: 6, digest: digests[6], reloads: 0 });
    expect(friend(e)).toBe(true);
    await store.commit([{ op: 'delete', entity: 'policy', key: 'p-friend' }], 6);
    await until(e, (st) => st.revision === 7);
    expect(e.followStatus()).toMatchObject({ reloads: 0, digest: (await store.load()).digest });
    expect(friend(e)).toBe(false);
  });

  it('PostgreSQL: the migration computes, in SQL, the digests a current store writes, and an engine loads and follows it', async () => {
    const schema = schemaName('old');
    const current = await openPostgresStore({ url: PG_URL, schema });
    const digests = await someHistory(current);
    await current.close();
    await admin.query(`DROP TABLE "${schema}".history; DELETE FROM "${schema}".schema_version WHERE version = 5`);
    const store = await openPostgresStore({ url: PG_URL, schema });
    closers.push(() => store.close());
    for (let r = 0; r < digests.length; r++) expect((await store.changesSince(r)).baseDigest).toBe(digests[r]);
    const e = await createEngineFromStore(await openPostgresStore({ url: PG_URL, schema }), { clock: () => NOW });
    closers.push(() => e.close());
    await until(e, (st) => st.connected && st.behind === 0);
    expect(e.followStatus()).toMatchObject({ revision: 6, digest: digests[6], reloads: 0 });
    expect(friend(e)).toBe(true);
    await store.commit([{ op: 'delete', entity: 'policy', key: 'p-friend' }], 6);
    await until(e, (st) => st.revision === 7);
    expect(e.followStatus()).toMatchObject({ reloads: 0, digest: (await store.load()).digest });
    expect(friend(e)).toBe(false);
  });
});

describe('one history, one digest, in every store', () => {
  it('memory, SQLite and PostgreSQL agree on every revision’s digest, so an engine moves between them without a reload', async () => {
    const stores: Store[] = [createMemoryStore(), openSqliteStore(path.join(tempDir(), 'same.db')), await openPostgresStore({ url: PG_URL, schema: schemaName('same') })];
    for (const st of stores) closers.push(() => st.close());
    const chains = [];
    for (const st of stores) chains.push(await someHistory(st));
    expect(chains[1]).toEqual(chains[0]);
    expect(chains[2]).toEqual(chains[0]);
    expect(new Set(chains[0]).size).toBe(chains[0]!.length);
    // an engine on the memory store, moved to the SQLite one, then the PostgreSQL one (a fleet moving its store)
    let at = stores[0]!;
    const moving: Store = { load: () => at.load(), changesSince: (r) => at.changesSince(r), commit: (c, r, d) => at.commit(c, r, d), close: async () => undefined };
    const e = await createEngineFromStore(moving, { follow: false, clock: () => NOW });
    closers.push(() => e.close());
    expect(friend(e)).toBe(true);
    at = stores[1]!;
    await stores[1]!.commit(filler('sqlite-only'), 6);
    await e.refresh();
    expect(e.followStatus()).toMatchObject({ revision: 7, reloads: 0 });
    // the PostgreSQL store at revision 7 of another history (its own seventh commit): that one is read whole
    await stores[2]!.commit(filler('postgres-only'), 6);
    await stores[2]!.commit([{ op: 'delete', entity: 'policy', key: 'p-friend' }], 7);
    at = stores[2]!;
    await e.refresh();
    expect(e.followStatus()).toMatchObject({ revision: 8, reloads: 1, digest: (await stores[2]!.load()).digest });
    expect(principals(e)).toContain('IBMid-postgres-only');
    expect(principals(e)).not.toContain('IBMid-sqlite-only');
    expect(friend(e)).toBe(false);
  });
});

describe('property: an engine that follows a store ends on the store’s history, whatever the store went through', () => {
  it('random commits, restores to an earlier revision and refreshes: the engine’s digest and source are the store’s', async () => {
    // a step commits a batch (refused ones write nothing), restores the store to an earlier revision of its
    // history (a copy replaying the batches up to it), or lets the engine catch up
    const step = fc.oneof(
      { weight: 5, arbitrary: changeBatch.map((batch) => ({ kind: 'commit' as const, batch })) },
      { weight: 1, arbitrary: fc.nat().map((back) => ({ kind: 'restore' as const, back })) },
      { weight: 2, arbitrary: fc.constant({ kind: 'refresh' as const }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        let history: Change[][] = [seedBatch];
        let store = createMemoryStore();
        await store.commit(seedBatch, 0);
        const wrapper: Store = { load: () => store.load(), changesSince: (r) => store.changesSince(r), commit: (c, r, d) => store.commit(c, r, d), close: async () => undefined };
        const e = await createEngineFromStore(wrapper, { follow: false, clock: () => NOW });
        try {
          for (const s of steps) {
            if (s.kind === 'commit') {
              const done = await store.commit(s.batch, history.length).then(
                () => true,
                (err: unknown) => {
                  expect(err).toBeInstanceOf(ValidationError);
                  return false;
                },
              );
              if (done) history.push(s.batch);
            } else if (s.kind === 'restore') {
              history = history.slice(0, s.back % (history.length + 1));
              store = createMemoryStore();
              for (const [i, b] of history.entries()) await store.commit(b, i);
            } else await e.refresh();
          }
          await e.refresh();
          const now = await store.load();
          expect(e.followStatus()).toMatchObject({ revision: now.revision, digest: now.digest });
          expect(e.source).toEqual(now.source);
        } finally {
          await e.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('a store that keeps no history digest', () => {
  it('is refused by the engine (corrupt_data), at start-up and on a catch-up, rather than followed by revision alone', async () => {
    const inner = createMemoryStore();
    await inner.commit(await world(), 0);
    // a store written before the port had digests, as plain JavaScript would hand it over
    const strip = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'digest' && k !== 'baseDigest')) as T;
    const old = { load: async () => strip(await inner.load()), changesSince: async (r: number) => strip(await inner.changesSince(r)), commit: (c: Change[], r: number) => inner.commit(c, r), close: async () => undefined } as unknown as Store;
    await expect(createEngineFromStore(old, { follow: false })).rejects.toMatchObject({ name: 'StoreError', code: 'corrupt_data' });
    // one that stops answering them mid-life: the catch-up fails and the engine keeps the tables it had
    let stripped = false;
    const flaky = { load: () => inner.load(), changesSince: async (r: number) => (stripped ? strip(await inner.changesSince(r)) : inner.changesSince(r)), commit: (c: Change[], r: number, d?: string) => inner.commit(c, r, d), close: async () => undefined } as Store;
    const e = await createEngineFromStore(flaky, { follow: false, clock: () => NOW });
    closers.push(() => e.close());
    await inner.commit([GRANT], 1);
    stripped = true;
    await expect(e.refresh()).rejects.toMatchObject({ code: 'corrupt_data' });
    expect(e.revision).toBe(1);
    expect(friend(e)).toBe(false);
  });
});
