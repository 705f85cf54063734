// Issue 12, red team (seventh round), over a real PostgreSQL: what reaches an engine through its store's change feed.
// The feed's NOTIFY carries a revision only, and any role that can connect to the database may send one on any
// channel (NOTIFY needs no privilege on the tables). "hole: …" tests failed on the code they were found on and pass
// since the fix named beside them; "refused: …" tests are attacks that failed, kept as regression tests. Outside
// test/access-control*: the mutation run starts no PostgreSQL.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createEngineFromStore, type Engine, type FollowStatus } from '@portcullis/engine';
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
