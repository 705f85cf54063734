// Engines as a fleet, in one process: apply reruns an operation that lost a race, an engine follows the commits
// other engines make to its store (SQLite by polling, PostgreSQL over LISTEN/NOTIFY), reports when it may be
// stale, heals a gap in the feed from the change log, and close() releases everything. Real stores throughout:
// a SQLite file in a temporary directory and the PostgreSQL server test/postgres-setup.ts started.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createEngineFromStore, StoreError, type Change, type Engine, type Store } from '@portcullis/engine';
import { createMemoryStore } from '@portcullis/store-memory';
import { openPostgresStore } from '@portcullis/store-postgres';
import { openSqliteStore } from '@portcullis/store-sqlite';
import { addMember, ask, baseChanges, GROUP, principalId, until } from './helpers/fleet-fixture.mjs';

const PG_URL = process.env.PORTCULLIS_PG_URL!;
let closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
});
const track = <T extends { close(): Promise<unknown> }>(x: T): T => {
  closers.push(() => x.close());
  return x;
};

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

const members = async (store: Store): Promise<string[]> => (await store.load()).source.groups.find((g) => g.id === GROUP)!.members;

describe('engine.apply and revision conflicts', () => {
  it('reruns an operation that lost a race on the state that won, so both writers land', async () => {
    const store = createMemoryStore();
    await store.commit(baseChanges(2, 2), 0);
    const a = await createEngineFromStore(store);
    const b = await createEngineFromStore(store);
    await addMember(a, principalId(0, 0));
    // b is still at revision 1: its first commit is refused, it catches up and reruns
    await addMember(b, principalId(1, 0));
    expect(b.revision).toBe(3);
    expect(await members(store)).toEqual([principalId(0, 0), principalId(1, 0)]);
    expect(b.authorize(ask(principalId(0, 0))).allowed).toBe(true);
  });

  it('surfaces the conflict when retries are turned off, and writes nothing', async () => {
    const store = createMemoryStore();
    await store.commit(baseChanges(2, 2), 0);
    const a = await createEngineFromStore(store);
    const b = await createEngineFromStore(store, { conflictRetries: 0 });
    await addMember(a, principalId(0, 0));
    const e = await rejection(addMember(b, principalId(1, 0)));
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).code).toBe('revision_conflict');
    expect((await store.load()).revision).toBe(2);
    expect(b.revision).toBe(1);
  });

  it('gives up after `conflictRetries` lost races and surfaces the conflict', async () => {
    const inner = createMemoryStore();
    await inner.commit(baseChanges(2, 4), 0);
    const rival = await createEngineFromStore(inner);
    let k = 0;
    // a store through which every commit of `loser` races a real commit of `rival` that lands first
    const racing: Store = {
      load: () => inner.load(),
      changesSince: (r) => inner.changesSince(r),
      close: () => inner.close(),
      commit: async (changes, expected) => {
        await rival.refresh();
        await addMember(rival, principalId(0, k++));
        return inner.commit(changes, expected);
      },
    };
    const loser = await createEngineFromStore(racing, { conflictRetries: 2 });
    const e = await rejection(addMember(loser, principalId(1, 0)));
    expect((e as StoreError).code).toBe('revision_conflict');
    // three attempts (the first and two retries), each beaten by one rival commit
    expect(k).toBe(3);
    expect(await members(inner)).toEqual([principalId(0, 0), principalId(0, 1), principalId(0, 2)]);
  });

  it('checks its options', async () => {
    const store = createMemoryStore();
    for (const options of [{ conflictRetries: -1 }, { follow: 'yes' }, { follow: { retryMinMs: 0 } }, { follow: { every: 5 } }]) {
      const e = await rejection(createEngineFromStore(store, options as never));
      expect((e as { code?: string }).code).toBe('invalid_options');
    }
  });
});

/** Two engines on one store, each over its own connection, as two processes would be. */
interface Pair {
  a: Engine;
  b: Engine;
}

function followSuite(name: string, open: () => Promise<{ first: Store; second: Store }>): void {
  describe(`following the store: ${name}`, () => {
    const pair = async (): Promise<Pair> => {
      const { first, second } = await open();
      await first.commit(baseChanges(2, 3), 0);
      const a = track(await createEngineFromStore(first));
      const b = track(await createEngineFromStore(second));
      return { a, b };
    };

    it('an engine sees what another engine commits without a refresh, and says it is caught up', async () => {
      const { a, b } = await pair();
      await until(() => b.followStatus().connected);
      for (let k = 0; k < 3; k++) {
        expect(b.authorize(ask(principalId(0, k))).allowed).toBe(false);
        await addMember(a, principalId(0, k));
        await until(() => b.authorize(ask(principalId(0, k))).allowed);
      }
      await until(() => b.followStatus().staleSince === undefined);
      expect(b.followStatus()).toMatchObject({ following: true, connected: true, revision: a.revision, behind: 0, lastError: undefined });
      expect(b.revision).toBe(a.revision);
    });

    it('two engines writing the same row both land, and both end with the same source', async () => {
      const { a, b } = await pair();
      await Promise.all([0, 1, 2].flatMap((k) => [addMember(a, principalId(0, k)), addMember(b, principalId(1, k))]));
      await until(() => a.revision === b.revision && a.followStatus().behind === 0 && b.followStatus().behind === 0);
      const group = (e: Engine) => e.source.groups.find((g) => g.id === GROUP)!.members;
      expect([...group(a)].sort()).toEqual([0, 1, 2].flatMap((k) => [principalId(0, k), principalId(1, k)]).sort());
      expect(group(b)).toEqual(group(a));
    });

    it('close() stops following and releases the store', async () => {
      const { a, b } = await pair();
      await b.close();
      expect(b.followStatus().following).toBe(false);
      expect(((await rejection(addMember(b, principalId(1, 0)))) as StoreError).code).toBe('store_closed');
      expect(((await rejection(b.refresh())) as StoreError).code).toBe('store_closed');
      // decisions go on over the last tables
      expect(b.authorize(ask(principalId(0, 0))).allowed).toBe(false);
      await addMember(a, principalId(0, 0));
      await b.close();
    });
  });
}

const sqliteDirs: string[] = [];
afterAll(() => {
  for (const d of sqliteDirs) fs.rmSync(d, { recursive: true, force: true });
});

followSuite('sqlite (two connections to one file, polling)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-follow-'));
  sqliteDirs.push(dir);
  const file = path.join(dir, 'store.db');
  return { first: openSqliteStore(file), second: openSqliteStore(file, { pollIntervalMs: 5 }) };
});

let schemas = 0;
followSuite('postgres (LISTEN/NOTIFY)', async () => {
  const schema = `follow_${process.pid}_${++schemas}`;
  const first = await openPostgresStore({ url: PG_URL, schema });
  const second = await openPostgresStore({ url: PG_URL, schema });
  return { first, second };
});

describe('following a PostgreSQL store through an outage', () => {
  it('keeps deciding while cut off, reports staleness, reconnects and heals the gap from the change log', async () => {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    closers.push(() => admin.end());
    // a database of its own, so refusing new connections to it disturbs no other test
    const db = `outage_${process.pid}`;
    await admin.query(`DROP DATABASE IF EXISTS ${db}`);
    await admin.query(`CREATE DATABASE ${db}`);
    closers.push(() => admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));
    const url = new URL(PG_URL);
    url.pathname = `/${db}`;
    const writerStore = await openPostgresStore({ url: url.toString(), poolSize: 1 });
    url.searchParams.set('application_name', 'portcullis-follower');
    const followerStore = await openPostgresStore({ url: url.toString(), reconnectMinMs: 20, reconnectMaxMs: 200 });
    await writerStore.commit(baseChanges(1, 4), 0);
    const writer = track(await createEngineFromStore(writerStore, { follow: false }));
    const follower = track(await createEngineFromStore(followerStore));
    await until(() => follower.followStatus().connected);
    await addMember(writer, principalId(0, 0));
    await until(() => follower.authorize(ask(principalId(0, 0))).allowed);

    // cut the follower off: no new connections to the database, and its own ones terminated
    await admin.query(`ALTER DATABASE ${db} WITH ALLOW_CONNECTIONS false`);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'portcullis-follower'`);
    await until(() => !follower.followStatus().connected);
    // commits it cannot hear of: the writer's pooled connection is still open
    await addMember(writer, principalId(0, 1));
    await addMember(writer, principalId(0, 2));
    const cut = follower.followStatus();
    expect(cut.staleSince).toBeTypeOf('number');
    expect(cut.lastError?.code).toBe('unavailable');
    expect(follower.authorize(ask(principalId(0, 0))).allowed).toBe(true);
    expect(follower.authorize(ask(principalId(0, 1))).allowed).toBe(false);

    await admin.query(`ALTER DATABASE ${db} WITH ALLOW_CONNECTIONS true`);
    await until(() => follower.revision === writer.revision);
    await until(() => follower.followStatus().staleSince === undefined);
    expect(follower.followStatus()).toMatchObject({ connected: true, behind: 0, lastError: undefined });
    for (const k of [0, 1, 2]) expect(follower.authorize(ask(principalId(0, k))).allowed).toBe(true);
    expect(follower.source).toEqual(writer.source);
  });
});

describe('following a PostgreSQL store over a connection that goes silent', () => {
  it('notices the silence by its heartbeat, reconnects once the network is back, and heals the gap', async () => {
    // a real TCP relay to the server that can drop every byte both ways: a partition, no error and no end
    const server = new URL(PG_URL);
    let partitioned = false;
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((inbound) => {
      const outbound = net.connect(Number(server.port), server.hostname);
      for (const s of [inbound, outbound]) sockets.add(s);
      inbound.on('data', (d: Buffer) => partitioned || outbound.write(d));
      outbound.on('data', (d: Buffer) => partitioned || inbound.write(d));
      const end = () => {
        inbound.destroy();
        outbound.destroy();
      };
      for (const s of [inbound, outbound]) s.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise((resolve) => {
          for (const s of sockets) s.destroy();
          relay.close(resolve);
        }),
    );
    const viaRelay = new URL(PG_URL);
    viaRelay.port = String((relay.address() as net.AddressInfo).port);
    const schema = `silent_${process.pid}`;
    const writerStore = await openPostgresStore({ url: PG_URL, schema });
    await writerStore.commit(baseChanges(1, 3), 0);
    const writer = track(await createEngineFromStore(writerStore, { follow: false }));
    const followerStore = await openPostgresStore({ url: viaRelay.toString(), schema, heartbeatMs: 200, reconnectMinMs: 20, reconnectMaxMs: 200, connectTimeoutMs: 1000 });
    const follower = track(await createEngineFromStore(followerStore));
    await until(() => follower.followStatus().connected && follower.followStatus().staleSince === undefined);

    partitioned = true;
    await addMember(writer, principalId(0, 0));
    await until(() => !follower.followStatus().connected);
    expect(follower.followStatus().lastError?.code).toBe('unavailable');
    expect(follower.followStatus().staleSince).toBeTypeOf('number');
    expect(follower.authorize(ask(principalId(0, 0))).allowed).toBe(false);

    partitioned = false;
    await until(() => follower.authorize(ask(principalId(0, 0))).allowed);
    await until(() => follower.followStatus().connected && follower.followStatus().staleSince === undefined);
    expect(follower.revision).toBe(writer.revision);
  });
});

describe('store feeds', () => {
  it('a PostgreSQL feed announces every commit of another connection', async () => {
    const schema = `feed_${process.pid}`;
    const a = track(await openPostgresStore({ url: PG_URL, schema }));
    const b = track(await openPostgresStore({ url: PG_URL, schema }));
    const heard: number[] = [];
    let connected = false;
    const feed = b.watch({ onRevision: (r) => heard.push(r), onStatus: (s) => (connected = s.connected) });
    closers.push(() => feed.close());
    await until(() => connected);
    const changes: Change[] = baseChanges(1, 1);
    await a.commit(changes, 0);
    await a.commit([{ op: 'delete', entity: 'resource', key: 'r1' }], 1);
    await until(() => heard.includes(2));
    expect(heard).toEqual([1, 2]);
  });
});
