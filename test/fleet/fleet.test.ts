// A fleet of engine processes on one store, against a real PostgreSQL server and a real SQLite file: four processes
// writing the same row converge to identical decisions; a writer SIGKILLed mid-commit and a server stopped with
// `pg_ctl stop -m immediate` lose no acknowledged commit and leave no partial one; followers catch up on their own.
// No assertion on time: every wait is for a state, bounded only by the test's timeout.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngineFromStore, parseSource, type Store } from '@portcullis/engine';
import { applyChanges } from '@portcullis/engine/store-kit';
import { openPostgresStore } from '@portcullis/store-postgres';
import { openSqliteStore } from '@portcullis/store-sqlite';
import { ask, baseChanges, principalId, until } from '../helpers/fleet-fixture.mjs';
import { startCluster, type Cluster } from '../helpers/postgres-cluster.mjs';
import { startWorkers } from './worker-pool.js';

const PG_URL = process.env.PORTCULLIS_PG_URL!;
const COMMITTER = fileURLToPath(new URL('../crash/committer.mjs', import.meta.url));
const WORKERS = 4;
const PER_WORKER = 8;
const POLICIES_PER_BATCH = 5;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A store target for the workers, with the base rows committed, and a store of the parent's own on it. */
async function prepare(kind: 'postgres' | 'sqlite', name: string): Promise<{ target: string; schema: string; store: Store }> {
  const schema = `${name}_${process.pid}`;
  let target = PG_URL;
  let store: Store;
  if (kind === 'postgres') store = await openPostgresStore({ url: PG_URL, schema });
  else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-fleet-'));
    dirs.push(dir);
    target = path.join(dir, 'store.db');
    store = openSqliteStore(target);
  }
  await store.commit(baseChanges(WORKERS, PER_WORKER), 0);
  return { target, schema, store };
}

for (const kind of ['postgres', 'sqlite'] as const) {
  describe(`a fleet of four engine processes: ${kind}`, () => {
    it('writing the same row at once, every commit lands once and all four converge to identical decisions', async () => {
      const { target, schema, store } = await prepare(kind, 'fleet');
      const workers = await startWorkers(target, schema, WORKERS);
      try {
        for (const w of workers) w.send(`burst ${PER_WORKER}`);
        const acks = await Promise.all(workers.map((w) => w.until('done')));
        const revisions = acks.flatMap((lines) => lines.filter((l) => l[0] === 'ack').map((l) => Number(l[1])));
        // every acknowledged operation is its own commit: revisions 2 .. 1 + 4 × 8, none twice
        expect([...revisions].sort((a, b) => a - b)).toEqual(Array.from({ length: WORKERS * PER_WORKER }, (_, i) => i + 2));
        const last = Math.max(...revisions);
        for (const w of workers) w.send(`wait ${last}`);
        await Promise.all(workers.map((w) => w.next('seen')));
        for (const w of workers) w.send(`decide ${PER_WORKER}`);
        const decisions = await Promise.all(workers.map((w) => w.next('decisions')));
        expect(decisions.map(([revision]) => Number(revision))).toEqual(Array(WORKERS).fill(last));
        expect(new Set(decisions.map(([, bits]) => bits)).size).toBe(1);
        expect(decisions[0]![1]).toBe('1'.repeat(WORKERS * PER_WORKER));
        // and an engine started afresh from the store decides the same
        const fresh = await createEngineFromStore(store, { follow: false });
        expect(fresh.revision).toBe(last);
        const freshBits = Array.from({ length: WORKERS * PER_WORKER }, (_, i) =>
          fresh.authorize(ask(principalId(Math.floor(i / PER_WORKER), i % PER_WORKER))).allowed ? '1' : '0',
        ).join('');
        expect(freshBits).toBe(decisions[0]![1]);
        for (const w of workers) w.send('status');
        for (const [json] of await Promise.all(workers.map((w) => w.next('status'))))
          expect(JSON.parse(json!)).toMatchObject({ following: true, connected: true, behind: 0 });
      } finally {
        await Promise.all(workers.map((w) => w.exit()));
        await store.close();
      }
    });
  });
}

interface Ack {
  revision: number;
  batch: string;
}

/** Runs the committer against `url`/`schema` until `stop(acks, out)` says so, then SIGKILLs it; returns its acks. */
function runCommitter(url: string, schema: string, tag: string, step: (acks: Ack[], out: string, kill: () => void) => void): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [COMMITTER, url, tag], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORTCULLIS_PG_SCHEMA: schema } });
    let out = '';
    let err = '';
    const parse = (): Ack[] =>
      out
        .split('\n')
        .filter((l) => l.startsWith('ack '))
        .map((l) => {
          const [, revision, batch] = l.split(' ');
          return { revision: Number(revision), batch: batch! };
        });
    const kill = () => child.kill('SIGKILL');
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      step(parse(), out, kill);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => (signal === 'SIGKILL' ? resolve(parse()) : reject(new Error(`committer ended by itself (${code}): ${err}`))));
  });
}

/** Every acknowledged batch is whole in the store, no batch is there in part, and the log replays to the tables. */
async function expectIntact(store: Store, acks: Ack[]): Promise<number> {
  const { source, revision } = await store.load();
  const groups = new Set(source.groups.map((g) => g.id));
  for (const a of acks) {
    expect(groups.has(a.batch), `acknowledged batch ${a.batch}`).toBe(true);
    expect(a.revision).toBeLessThanOrEqual(revision);
  }
  for (const g of source.groups) expect(source.policies.filter((p) => p.subject.kind === 'group' && p.subject.id === g.id), `batch ${g.id}`).toHaveLength(POLICIES_PER_BATCH);
  expect(source.policies).toHaveLength(source.groups.length * POLICIES_PER_BATCH);
  expect(applyChanges(parseSource({ version: 1 }), (await store.changesSince(0)).changes)).toEqual(source);
  return revision;
}

describe('PostgreSQL crash safety', () => {
  it('a writer SIGKILLed mid-commit loses no acknowledged commit and leaves no partial one; a follower catches up', async () => {
    const schema = `killed_${process.pid}`;
    const store = await openPostgresStore({ url: PG_URL, schema });
    const follower = await createEngineFromStore(await openPostgresStore({ url: PG_URL, schema }));
    try {
      const all: Ack[] = [];
      for (let round = 0; round < 3; round++) {
        // killed a few commits in, at a moment that varies with the round
        const acks = await runCommitter(PG_URL, schema, `k${round}`, (a, _out, kill) => {
          if (a.length >= 3 + round * 4) kill();
        });
        expect(acks.length).toBeGreaterThanOrEqual(3);
        all.push(...acks);
        const revision = await expectIntact(store, all);
        await until(() => follower.revision === revision);
      }
      const { source } = await store.load();
      expect(follower.source).toEqual(source);
    } finally {
      await follower.close();
      await store.close();
    }
  });

  it('a server stopped with `pg_ctl stop -m immediate` and started again loses no acknowledged commit; writers and followers go on', async () => {
    // a cluster of its own: stopping the shared one would fail every other test running meanwhile
    const cluster: Cluster = await startCluster();
    const schema = 'restart';
    const store = await openPostgresStore({ url: cluster.url, schema });
    const follower = await createEngineFromStore(await openPostgresStore({ url: cluster.url, schema, reconnectMinMs: 20, reconnectMaxMs: 500 }));
    let stopped: Promise<void> | undefined;
    try {
      let phase: 'before' | 'down' | 'after' = 'before';
      let acksAtRestart = 0;
      const acks = await runCommitter(cluster.url, schema, 'r', (a, out, kill) => {
        if (phase === 'before' && a.length >= 5) {
          phase = 'down';
          acksAtRestart = a.length;
          // a crash of the server in the middle of the committer's stream of commits
          cluster.stop('immediate');
          stopped = until(() => !follower.followStatus().connected).then(() => {
            cluster.start();
            phase = 'after';
          });
        } else if (phase === 'after' && a.length >= acksAtRestart + 5 && out.includes('retry ')) kill();
      });
      await stopped;
      expect(acks.length).toBeGreaterThanOrEqual(acksAtRestart + 5);
      const revision = await expectIntact(store, acks);
      await until(() => follower.revision === revision && follower.followStatus().connected);
      await until(() => follower.followStatus().staleSince === undefined);
      expect(follower.source).toEqual((await store.load()).source);
    } finally {
      await stopped?.catch(() => undefined);
      await follower.close();
      await store.close();
      cluster.destroy();
    }
  });
});
