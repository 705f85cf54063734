// Fleet figures, PostgreSQL and SQLite side by side: one-policy commit latency, propagation lag from a commit in
// one engine process to the next decision of the three others (p50/p99 over four processes), and
// `createEngineFromStore` at a scale, split into open, load and build (compile). PostgreSQL runs in a throwaway
// cluster started here with fsync on, like a production server; SQLite commits with synchronous=FULL.
// Run after building: node --expose-gc bench/dist/fleet.js [scale=L] [rounds=60] [startup|commit]
// `startup` runs only the createEngineFromStore part, `commit` only the commit latency and the lag; with FLEET_PROFILE=<dir> the first start-up from each store
// is CPU-profiled into <dir>/<store>-startup.cpuprofile (summarise with bench/dist/profile-summary.js).
// Start-up is measured twice: three times in this process, after the stores were filled (its code already compiled by
// the JIT from the first run on), and three times each in a new process, as a service starts (`fleet.js startup-child
// <store> <target> <schema>` runs one and prints its figures).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { constants, performance, PerformanceObserver } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { createEngineFromStore, type Change, type Source, type Store } from '@portcullis/engine';
import { ENTITY_FIELDS, ENTITY_NAMES } from '@portcullis/engine/store-kit';
import { openPostgresStore } from '@portcullis/store-postgres';
import { openSqliteStore } from '@portcullis/store-sqlite';
import { generateWorkload, type ScaleName } from './workload.js';

interface Cluster {
  url: string;
  destroy(): void;
}
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const WORKER = path.join(repo, 'test', 'fleet', 'engine-worker.mjs');
const { startCluster } = (await import(path.join(repo, 'test', 'helpers', 'postgres-cluster.mjs'))) as {
  startCluster(o?: { fsync?: boolean }): Promise<Cluster>;
};
const fixture = (await import(path.join(repo, 'test', 'helpers', 'fleet-fixture.mjs'))) as { baseChanges(w: number, k: number): Change[] };

const child = process.argv[2] === 'startup-child';
const scale = (child ? 'L' : (process.argv[2] ?? 'L')) as ScaleName;
const rounds = Number(process.argv[3] ?? 60);
const startupOnly = process.argv[4] === 'startup';
const commitOnly = process.argv[4] === 'commit';
const profileDir = process.env['FLEET_PROFILE'];
const WORKERS = 4;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(1));
const lines: string[] = [];
const log = (line: string): void => {
  console.log(line);
  lines.push(line);
};

interface Target {
  name: 'postgres' | 'sqlite';
  /** A new, empty store and what a worker process needs to open the same one. */
  open(tag: string): Promise<{ store: Store; target: string; schema: string }>;
}

function targets(cluster: Cluster, dir: string): Target[] {
  return [
    {
      name: 'postgres',
      open: async (tag) => ({ store: await openPostgresStore({ url: cluster.url, schema: tag }), target: cluster.url, schema: tag }),
    },
    {
      name: 'sqlite',
      open: async (tag) => {
        const file = path.join(dir, `${tag}.db`);
        return { store: openSqliteStore(file), target: file, schema: tag };
      },
    },
  ];
}

const policy = (i: number): Change => ({
  op: 'put',
  entity: 'policy',
  value: {
    id: `bench-${i}`,
    accountId: 'a1',
    type: 'access',
    effect: 'allow',
    subject: { kind: 'group', id: 'g1' },
    roles: ['reader'],
    resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'cos' }, { name: 'resource', operator: 'stringEquals', value: `b-${i}` }] },
  } as never,
});

async function commitLatency(t: Target): Promise<void> {
  const { store } = await t.open('commit_latency');
  await store.commit(fixture.baseChanges(1, 1), 0);
  const engine = await createEngineFromStore(store, { follow: false });
  const times: number[] = [];
  for (let i = 0; i < 220; i++) {
    const start = performance.now();
    await engine.commit([policy(i)]);
    if (i >= 20) times.push(performance.now() - start);
  }
  log(`| ${t.name} | one-policy commit (engine.commit, 200 after 20 warm-up) | p50 ${ms(pct(times, 50))} ms | p99 ${ms(pct(times, 99))} ms |`);
  await engine.close();
}

/** Lines from a worker process. */
function worker(target: string, schema: string, i: number) {
  const child = spawn(process.execPath, [WORKER, target, schema, String(i), String(WORKERS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    queue.push(...parts);
    wake?.();
  });
  const next = async (prefix: string): Promise<string[]> => {
    for (;;) {
      const at = queue.findIndex((l) => l.startsWith(prefix));
      if (at >= 0) return queue.splice(0, at + 1).pop()!.split(' ').slice(1);
      await new Promise<void>((r) => (wake = r));
    }
  };
  return { child, next, send: (c: string) => child.stdin.write(`${c}\n`) };
}

async function propagationLag(t: Target): Promise<void> {
  const { store, target, schema } = await t.open('lag');
  const perWorker = Math.ceil(rounds / WORKERS);
  await store.commit(fixture.baseChanges(WORKERS, perWorker), 0);
  await store.close();
  const ws = Array.from({ length: WORKERS }, (_, i) => worker(target, schema, i));
  await Promise.all(ws.map((w) => w.next('ready')));
  for (const w of ws) w.send('track');
  await Promise.all(ws.map((w) => w.next('tracking')));
  const lags: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const writer = r % WORKERS;
    ws[writer]!.send(`add ${Math.floor(r / WORKERS)}`);
    const [revision, at] = (await ws[writer]!.next('ack')).map(Number);
    const readers = ws.filter((_, i) => i !== writer);
    for (const w of readers) w.send(`wait ${revision}`);
    for (const seen of await Promise.all(readers.map((w) => w.next('seen')))) lags.push(Number(seen[1]) - at!);
  }
  log(
    `| ${t.name} | propagation lag, commit acknowledged in one process → next decision in each of 3 others (${lags.length} samples) | p50 ${ms(pct(lags, 50))} ms | p99 ${ms(pct(lags, 99))} ms |`,
  );
  for (const w of ws) w.send('exit');
  await Promise.all(ws.map((w) => new Promise((r) => w.child.once('close', r))));
}

function putsOf(source: Source): Change[] {
  return ENTITY_NAMES.flatMap((entity) => (source[ENTITY_FIELDS[entity]] as unknown[]).map((value) => ({ op: 'put', entity, value }) as Change));
}

interface Run {
  open: number;
  load: number;
  build: number;
  total: number;
  loadCpu: number;
  buildCpu: number;
  /** Heap and external (ArrayBuffer) memory when the build starts, and the GC time and major GCs during it. */
  heapMb: number;
  externalMb: number;
  buildGc: number;
  buildMajorGcs: number;
}

// CPU time of this process beside the wall time: on a busy machine it moves far less than the wall clock
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// every GC of this process, so that a build's figure says how much of it was collection and why
const gcs: { start: number; duration: number; major: boolean }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries())
    gcs.push({ start: e.startTime, duration: e.duration, major: (e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR });
}).observe({ entryTypes: ['gc'] });

/**
 * One start-up from a store, in a function of its own: a suspended async frame can keep what its earlier loop
 * iterations held, so an engine built in one run would stay reachable, and be marked, during the next.
 */
async function startOnce(t: Target, target: string, schema: string, profile: boolean): Promise<Run> {
  (globalThis as { gc?: () => void }).gc?.();
  const session = profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const start = performance.now();
  const s = t.name === 'postgres' ? await openPostgresStore({ url: target, schema }) : openSqliteStore(target);
  const opened = performance.now();
  const cpu0 = cpu();
  await s.load();
  const loaded = performance.now();
  const cpu1 = cpu();
  const memory = process.memoryUsage();
  // the engine loads again: the store's cache answers at once, so this is the engine's own build
  const engine = await createEngineFromStore(s, { follow: false });
  const built = performance.now();
  const buildCpu = cpu() - cpu1;
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    fs.mkdirSync(profileDir!, { recursive: true });
    fs.writeFileSync(path.join(profileDir!, `${t.name}-startup.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
  await engine.close();
  // GC entries reach the observer after the GC, some turns later
  await new Promise((r) => setTimeout(r, 100));
  const during = gcs.filter((g) => g.start >= loaded && g.start < built);
  return {
    open: opened - start,
    load: loaded - opened,
    build: built - loaded,
    total: built - start,
    loadCpu: cpu1 - cpu0,
    buildCpu,
    heapMb: memory.heapUsed / 1e6,
    externalMb: memory.arrayBuffers / 1e6,
    buildGc: during.reduce((n, g) => n + g.duration, 0),
    buildMajorGcs: during.filter((g) => g.major).length,
  };
}

interface Filled {
  t: Target;
  target: string;
  schema: string;
  rows: number;
  /** How long the commit of the whole workload took, in milliseconds. */
  bootstrap: number;
}

/**
 * Each store filled with the workload at `scale`. The workload is not kept once it is committed: a service starting
 * up holds no second copy of the source, whose marking would slow the build's collections.
 */
async function fill(ts: Target[]): Promise<Filled[]> {
  const { source } = generateWorkload(scale);
  const filled: Filled[] = [];
  for (const t of ts) {
    const { store, target, schema } = await t.open(`startup_${scale.toLowerCase()}`);
    const start = performance.now();
    await store.commit(putsOf(source), 0);
    filled.push({ t, target, schema, rows: source.policies.length + source.bindings.length, bootstrap: performance.now() - start });
    await store.close();
  }
  return filled;
}

/** One start-up in a new Node process, as a service starts: nothing of the engine compiled by the JIT yet. */
function startInChild(f: Filled): Promise<Run> {
  const args = ['--expose-gc', '--max-old-space-size=8192', fileURLToPath(import.meta.url), 'startup-child', f.t.name, f.target, f.schema];
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Run) : reject(new Error(`start-up child exited with ${code}`))));
  });
}

const detail = (m: Run, f: Filled): string =>
  `open ${ms(m.open)} + load ${ms(m.load)} + build ${ms(m.build)} ms (CPU: load ${ms(m.loadCpu)}, build ${ms(m.buildCpu)} ms; at the build: heap ${m.heapMb.toFixed(0)} MB, external ${m.externalMb.toFixed(0)} MB; GC during the build ${ms(m.buildGc)} ms, ${m.buildMajorGcs} major; bootstrap commit ${(f.bootstrap / 1000).toFixed(1)} s; load average ${os.loadavg()[0]!.toFixed(2)})`;
const median = (runs: Run[]): Run => [...runs].sort((a, b) => a.total - b.total)[runs.length >> 1]!;

async function startUp(f: Filled): Promise<void> {
  const warm: Run[] = [];
  for (let i = 0; i < 3; i++) warm.push(await startOnce(f.t, f.target, f.schema, profileDir !== undefined && i === 0));
  const cold: Run[] = [];
  for (let i = 0; i < 3; i++) cold.push(await startInChild(f));
  const w = median(warm);
  const c = median(cold);
  log(`| ${f.t.name} | createEngineFromStore at ${scale} (${f.rows} policies and bindings), median of 3 in this process | ${ms(w.total)} ms | ${detail(w, f)} |`);
  log(`| ${f.t.name} | createEngineFromStore at ${scale}, median of 3 each in a new process (a service's start-up) | ${ms(c.total)} ms | ${detail(c, f)} |`);
}

if (child) {
  const [name, target, schema] = process.argv.slice(3) as ['postgres' | 'sqlite', string, string];
  console.log(JSON.stringify(await startOnce({ name } as Target, target, schema, false)));
  process.exit(0);
}

const started = new Date();
log(`# fleet bench — ${os.cpus()[0]?.model}, ${os.cpus().length} cores, Node ${process.version}, ${started.toISOString()}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
log('');
log('| store | what | figure | detail |');
log('|---|---|---:|---|');
const cluster = await startCluster({ fsync: true });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-fleet-bench-'));
try {
  const ts = targets(cluster, dir);
  if (!startupOnly) for (const t of ts) await commitLatency(t);
  if (!startupOnly) for (const t of ts) await propagationLag(t);
  if (!commitOnly) for (const f of await fill(ts)) await startUp(f);
} finally {
  cluster.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}
log('');
log(`load average at end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
fs.mkdirSync(path.join(repo, 'bench', 'results'), { recursive: true });
const out = path.join(repo, 'bench', 'results', `fleet-${started.toISOString().replace(/[:.]/g, '-')}.md`);
fs.writeFileSync(out, lines.join('\n') + '\n');
console.log(`written to ${out}`);
