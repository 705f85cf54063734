// Issue 12, red team (seventh round), over a real PostgreSQL: what reaches an engine through its store's change feed.
// The feed's NOTIFY carries a revision only, and any role that can connect to the database may send one on any
// channel (NOTIFY needs no privilege on the tables). "hole: …" tests failed on the code they were found on and pass
// since the fix named beside them; "refused: …" tests are attacks that failed, kept as regression tests. Outside
// test/access-control*: the mutation run starts no PostgreSQL.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createEngineFromStore, IBM_ROLES, type Change, type Engine, type FollowStatus, type Store } from '@portcullis/engine';
import { createMemoryStore } from '@portcullis/store-memory';
import { openPostgresStore } from '@portcullis/store-postgres';
import { closeAfterEach, NOW } from './helpers/access.js';
import { ibmWorldChanges, key } from './helpers/ibm-world.js';

const closers = closeAfterEach();
let schemas = 0;

/** Polls until `ok` holds of the engine's follow status (a feed is asynchronous), or fails after `ms`. */
async function until(e: Engine, ok: (s: FollowStatus) => boolean, ms = 10_000): Promise<FollowStatus> {
  const end = Date.now() + ms;
  for (;;) {
    const s = e.followStatus();
    if (ok(s)) return s;
    if (Date.now() > end) throw new Error(`follow status never held: ${JSON.stringify({ ...s, lastError: String(s.lastError) })}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a NOTIFY on the feed’s channel announces, it does not decide', () => {
  it('hole: a forged NOTIFY of a revision far ahead leaves every engine reporting itself behind for good', async () => {
    // (fixed in engine/follow.ts: after a catch-up, the store's revision it read is what the follower knows; an
    // announcement newer than the store only triggers that catch-up)
    const url = process.env['PORTCULLIS_PG_URL']!;
    const schema = `redteam7_${process.pid}_${++schemas}`;
    const store = await openPostgresStore({ url, schema });
    await store.commit(await ibmWorldChanges(), 0);
    const e = await createEngineFromStore(store, { clock: () => NOW });
    closers.push(() => e.close());
    await until(e, (s) => s.connected && s.behind === 0);
    const revision = e.revision;
    // any role that can connect: no table is written
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    closers.push(() => other.end());
    await other.query('SELECT pg_notify($1, $2)', [`portcullis:${schema}`, String(Number.MAX_SAFE_INTEGER)]);
    // the engine asks the store, finds nothing new, and says so
    const s = await until(e, (st) => st.behind === 0 && st.storeRevision === revision);
    expect(s).toMatchObject({ connected: true, revision, storeRevision: revision, behind: 0 });
    // a real commit after it is still followed
    await store.commit([{ op: 'delete', entity: 'policy', key: 'p-me-kms' }], revision);
    await until(e, (st) => st.revision === revision + 1 && st.behind === 0);
    expect(e.authorize({ subject: { id: 'IBMid-me', accountId: 'acc' }, action: 'kms.keys.write', resource: key('k1') }).allowed).toBe(false);
  });

  it('hole: a forged NOTIFY of a padded number (` 9 `), or of what is no revision at all (text, a negative or fractional number), changes nothing', async () => {
    const url = process.env['PORTCULLIS_PG_URL']!;
    const schema = `redteam7_${process.pid}_${++schemas}`;
    const store = await openPostgresStore({ url, schema });
    await store.commit(await ibmWorldChanges(), 0);
    const e = await createEngineFromStore(store, { clock: () => NOW });
    closers.push(() => e.close());
    await until(e, (s) => s.connected && s.behind === 0);
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    closers.push(() => other.end());
    for (const payload of ['{"op":"put","entity":"policy"}', '-1', '1.5', '1e400', ' 9 ', ''])
      await other.query('SELECT pg_notify($1, $2)', [`portcullis:${schema}`, payload]);
    await other.query('SELECT pg_notify($1, $2)', [`portcullis:${schema}`, String(e.revision)]);
    await new Promise((r) => setTimeout(r, 300));
    expect(e.followStatus()).toMatchObject({ connected: true, revision: 1, storeRevision: 1, behind: 0 });
    expect(e.authorize({ subject: { id: 'IBMid-me', accountId: 'acc' }, action: 'kms.keys.write', resource: key('k1') }).allowed).toBe(true);
  });
});

describe('a schema name means one store that works', () => {
  it('hole: a schema name of 53 to 63 characters was accepted, and every commit to it failed (`channel name too long`)', async () => {
    // (fixed in store-postgres checkOptions: at most 52 characters, the channel `portcullis:<schema>` within 63)
    const url = process.env['PORTCULLIS_PG_URL']!;
    const long = `r${String(process.pid).padStart(8, '0')}${'x'.repeat(44)}`;
    expect(long).toHaveLength(53);
    await expect(openPostgresStore({ url, schema: long })).rejects.toMatchObject({ code: 'invalid_options' });
    // the longest accepted takes commits and announces them
    const store = await openPostgresStore({ url, schema: long.slice(0, 52) });
    closers.push(() => store.close());
    await store.commit(await ibmWorldChanges(), 0);
    const e = await createEngineFromStore(store, { clock: () => NOW });
    closers.push(() => e.close());
    await until(e, (s) => s.connected && s.behind === 0);
    await store.commit([{ op: 'delete', entity: 'policy', key: 'p-me-kms' }], e.revision);
    await until(e, (s) => s.revision === 2);
  });
});

// A store is the source of truth. One whose history is not the one an engine followed (a schema dropped and made
// again, a restore from a backup, a fail-over to a replica that had not received the last commits) says so with a
// revision below the engine's: the engine must take the store's source, not keep the grants only it still holds.
describe('a store whose revision went back is read again, not followed on top of what the engine held', () => {
  it('hole: a grant the restored store no longer holds still allows, and a decision of the old timeline is served at the new one’s revision', async () => {
    // (fixed in engine/engine.ts #catchUp: a store revision below the engine's reloads the whole source from the
    // store and clears the decision cache, whose entries are keyed by a revision the new history reuses)
    const world = await ibmWorldChanges();
    const grant: Change = {
      op: 'put',
      entity: 'policy',
      value: { id: 'p-friend', accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-friend' }, roles: [IBM_ROLES.administrator], resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'kms' }] } },
    };
    const before = createMemoryStore();
    await before.commit(world, 0);
    await before.commit([grant], 1);
    // the store as restored: the same first commit, not the grant
    const restored = createMemoryStore();
    await restored.commit(world, 0);
    let current: Store = before;
    const store: Store = { load: () => current.load(), changesSince: (r) => current.changesSince(r), commit: (c, r) => current.commit(c, r), close: async () => undefined };
    const e = await createEngineFromStore(store, { follow: false, clock: () => NOW });
    closers.push(() => e.close());
    const friend = () => e.authorize({ subject: { id: 'IBMid-friend', accountId: 'acc' }, action: 'kms.keys.write', resource: key('k1') }).allowed;
    expect(e.revision).toBe(2);
    expect(friend()).toBe(true);
    current = restored;
    await e.refresh();
    expect(e.revision).toBe(1);
    expect(e.source.policies.some((p) => p.id === 'p-friend')).toBe(false);
    expect(friend()).toBe(false);
    // the new history reaches revision 2 with another commit: the old revision-2 decision is not served
    await restored.commit([{ op: 'delete', entity: 'policy', key: 'p-me-iam' }], 1);
    await e.refresh();
    expect(e.revision).toBe(2);
    expect(friend()).toBe(false);
    expect(e.source.policies.some((p) => p.id === 'p-me-iam')).toBe(false);
  });
});

describe('a PostgreSQL schema made again under a running engine', () => {
  it('hole: the store hands the engine its cached source of the dropped schema, and the engine keeps a grant the new schema never had', async () => {
    // (fixed in engine/engine.ts #catchUp, above, and in store-postgres: load() reads the snapshot's revision even
    // under a newer cache, and the cache is the state last read, as in the SQLite store)
    const url = process.env['PORTCULLIS_PG_URL']!;
    const schema = `redteam7_${process.pid}_${++schemas}`;
    const world = await ibmWorldChanges();
    const grant: Change = {
      op: 'put',
      entity: 'policy',
      value: { id: 'p-friend', accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-friend' }, roles: [IBM_ROLES.administrator], resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'kms' }] } },
    };
    const store = await openPostgresStore({ url, schema });
    closers.push(() => store.close());
    await store.commit(world, 0);
    await store.commit([grant], 1);
    const e = await createEngineFromStore(store, { follow: false, clock: () => NOW });
    closers.push(() => e.close());
    const friend = () => e.authorize({ subject: { id: 'IBMid-friend', accountId: 'acc' }, action: 'kms.keys.write', resource: key('k1') }).allowed;
    expect(friend()).toBe(true);
    // the operator drops the schema and another process makes it again, with the world only
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    closers.push(() => admin.end());
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    const again = await openPostgresStore({ url, schema });
    closers.push(() => again.close());
    await again.commit(world, 0);
    await e.refresh();
    expect(e.revision).toBe(1);
    expect(friend()).toBe(false);
    await again.commit([{ op: 'delete', entity: 'policy', key: 'p-me-iam' }], 1);
    await e.refresh();
    expect(e.revision).toBe(2);
    expect(friend()).toBe(false);
    expect(e.source.policies.map((p) => p.id).sort()).toEqual((await again.load()).source.policies.map((p) => p.id).sort());
  });
});
