/**
 * The benchmark harness: scenarios per scale, peers on a slice, goals beside figures, markdown + JSON output.
 * Timings are figures to read, never pass/fail: a missed goal is printed, the run still succeeds.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { Bench } from 'tinybench';
import { authorize, authorizeMany, compile, createEngine, type AuthorizeRequest, type Decision, type Tables } from '@portcullis/engine';
import { buildSlice, createCaslPeer, createCedarPeer, createCasbinPeer, type Peer, type PeerAnswer, type Slice } from './peers.js';
import {
  generateBatches,
  generateRequests,
  generateWorkload,
  NOW,
  registerResources,
  type BenchRequest,
  type Intent,
  type ScaleName,
  type Workload,
} from './workload.js';

/** How long each timed scenario runs, and what to run. */
export interface HarnessOptions {
  mode: 'quick' | 'full';
  scales: ScaleName[];
  /** tinybench time per task, ms. */
  taskMs: number;
  /** Time spent collecting per-decision latency percentiles, ms. */
  latencyMs: number;
  /** Distinct requests in each scale's stream. */
  streamSize: number;
  /** Compile runs per scale (the median is reported). */
  compileRuns: Partial<Record<ScaleName, number>>;
  /** Scale the peer slice is cut from, and how many of its IBM accounts. */
  slice: { scale: ScaleName; accounts: number; requests: number };
}

/** One row of the results table. */
export interface Row {
  scenario: string;
  scale: string;
  /** Decisions (or batches, or compiles) per second. */
  opsPerSec: number;
  meanNs: number;
  p50Ns: number | null;
  p99Ns: number | null;
  /** CPU time of this process per decision (per batch for authorizeMany), from the percentile loop. */
  cpuNs: number | null;
  /** How many times slower than us on the same work (peers only). */
  ratio: number | null;
  note: string;
}

/** One goal beside its figure. */
export interface GoalLine {
  goal: string;
  figure: string;
  met: boolean | null;
}

const OPTS = { now: NOW };
let sink = 0;

/** Runs everything and writes bench/results/<mode>-<stamp>.{md,json}. */
export async function runHarness(o: HarnessOptions): Promise<void> {
  const started = Date.now();
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: new Date().toISOString(),
    gc: typeof globalThis.gc === 'function',
    loadAverageAtStart: os.loadavg().map((x) => +x.toFixed(2)),
  };
  log(`# Portcullis bench (${o.mode}) — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}`);
  if (!machine.gc) log('(run with --expose-gc for heap figures)');

  const rows: Row[] = [];
  const perScale: Record<string, Record<string, unknown>> = {};
  for (const scale of o.scales) {
    const r = await runScale(scale, o);
    rows.push(...r.rows);
    perScale[scale] = r.info;
  }
  const peers = await runPeers(o);
  rows.push(...peers.rows);

  const goals = evaluateGoals(o, rows, perScale);
  const md = renderMarkdown(o, machine, rows, goals, perScale, peers.info);
  log('\n' + md);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const dir = new URL('../results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const json = { mode: o.mode, machine, options: o, scales: perScale, peers: peers.info, rows, goals, wallSeconds: (Date.now() - started) / 1000 };
  writeFileSync(new URL(`${o.mode}-${stamp}.json`, dir), JSON.stringify(json, null, 2) + '\n');
  writeFileSync(new URL(`${o.mode}-${stamp}.md`, dir), md + '\n');
  log(`\nwritten bench/results/${o.mode}-${stamp}.{json,md} in ${json.wallSeconds.toFixed(0)} s${sink === 42 ? '' : ''}`);
}

function log(s: string): void {
  process.stdout.write(s + '\n');
}

// ---------------------------------------------------------------------------------------------
// Measuring.

/** Mean ns per decision with tinybench, each iteration deciding `batch` requests. */
async function tiny(name: string, taskMs: number, batch: number, step: () => void): Promise<{ meanNs: number; opsPerSec: number; samples: number }> {
  const bench = new Bench({ time: taskMs, warmupTime: Math.min(300, taskMs / 3), throws: true });
  bench.add(name, () => {
    for (let k = 0; k < batch; k++) step();
  });
  await bench.run();
  const t = bench.tasks[0]!;
  const res = t.result;
  if (res.state !== 'completed') throw new Error(`${name}: tinybench ${res.state}`);
  const meanNs = (res.latency.mean * 1e6) / batch;
  return { meanNs, opsPerSec: 1e9 / meanNs, samples: res.latency.samplesCount };
}

/**
 * p50/p99 per decision: batches of `batch` decisions timed with process.hrtime.bigint and divided (a single
 * sub-microsecond call is below timer resolution), minus the measured cost of reading the clock.
 */
function percentiles(ms: number, batch: number, step: () => void): { p50: number; p99: number; cpuNs: number } {
  let overhead = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 1000; i++) {
    const a = process.hrtime.bigint();
    const b = process.hrtime.bigint();
    overhead = Math.min(overhead, Number(b - a));
  }
  const samples: number[] = [];
  const cpu0 = process.cpuUsage();
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let j = 0; j < 64; j++) {
      const a = process.hrtime.bigint();
      for (let k = 0; k < batch; k++) step();
      const b = process.hrtime.bigint();
      samples.push(Math.max(0, Number(b - a) - overhead) / batch);
    }
  }
  // CPU time of this process per decision: what the work costs when other processes share the cores
  const cpu = process.cpuUsage(cpu0);
  const cpuNs = ((cpu.user + cpu.system) * 1000) / (samples.length * batch);
  samples.sort((x, y) => x - y);
  const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!;
  return { p50: q(0.5), p99: q(0.99), cpuNs };
}

/** Picks a batch size so one timed batch lasts about 2 µs (timer overhead ~1-2%), from a rough mean. */
function batchFor(meanNs: number): number {
  return Math.max(1, Math.min(64, Math.round(2000 / Math.max(1, meanNs))));
}

function cycle<T>(xs: readonly T[]): () => T {
  let i = 0;
  return () => {
    const x = xs[i]!;
    i = i + 1 === xs.length ? 0 : i + 1;
    return x;
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function gc(): void {
  const g = globalThis.gc;
  if (typeof g === 'function') {
    g();
    g();
  }
}

// ---------------------------------------------------------------------------------------------
// One scale.

async function runScale(scale: ScaleName, o: HarnessOptions): Promise<{ rows: Row[]; info: Record<string, unknown> }> {
  log(`\n## scale ${scale}`);
  let t = performance.now();
  const w = generateWorkload(scale);
  const genMs = performance.now() - t;
  const { requests, intents } = generateRequests(w, o.streamSize);
  log(`generated ${w.stats.policiesAndBindings} policies+bindings, ${w.stats.principals} principals in ${genMs.toFixed(0)} ms`);

  // compile time (median of runs) and heap bytes per policy (tables kept alive, source excluded)
  const compileMs: number[] = [];
  for (let i = 0; i < (o.compileRuns[scale] ?? 1); i++) {
    gc();
    t = performance.now();
    const tables = compile(w.source);
    compileMs.push(performance.now() - t);
    sink ^= tables === undefined ? 1 : 0;
  }
  gc();
  const before = process.memoryUsage().heapUsed;
  const tables: Tables = compile(w.source);
  gc();
  const heapBytes = process.memoryUsage().heapUsed - before;
  const bytesPerPolicy = typeof globalThis.gc === 'function' ? heapBytes / w.stats.policiesAndBindings! : null;
  log(`compile ${median(compileMs).toFixed(0)} ms (median of ${compileMs.length}); tables ${bytesPerPolicy === null ? 'n/a' : (heapBytes / 2 ** 20).toFixed(1) + ' MiB, ' + bytesPerPolicy.toFixed(0) + ' B/policy'}`);

  // the mix the stream actually produces
  const mix = outcomeMix(tables, requests, intents);
  log(`request mix: ${JSON.stringify(mix.outcomes)}`);
  if (mix.invalid.length > 0) log(`  invalid-request examples: ${mix.invalid.slice(0, 3).join(' | ')}`);

  const rows: Row[] = [];
  // uncached, on the tables
  {
    const next = cycle(requests);
    const step = () => {
      sink ^= authorize(tables, next() as AuthorizeRequest, OPTS).policies.length;
    };
    const tb = await tiny(`authorize ${scale}`, o.taskMs, 256, step);
    const p = percentiles(o.latencyMs, batchFor(tb.meanNs), step);
    rows.push({ scenario: 'authorize (tables, no cache)', scale, opsPerSec: tb.opsPerSec, meanNs: tb.meanNs, p50Ns: p.p50, p99Ns: p.p99, cpuNs: p.cpuNs, ratio: null, note: '' });
  }
  // through the Engine with its decision cache
  {
    const reg = registerResources(requests);
    const source = { ...w.source, resources: [...w.source.resources, ...reg.resources] };
    t = performance.now();
    const engine = createEngine({ source, clock: () => NOW, cacheSize: Math.max(10_000, o.streamSize) });
    const createMs = performance.now() - t;
    for (const r of reg.requests) engine.authorize(r as AuthorizeRequest);
    const warm = engine.cacheStats();
    const next = cycle(reg.requests);
    const step = () => {
      sink ^= engine.authorize(next() as AuthorizeRequest).policies.length;
    };
    const tb = await tiny(`engine ${scale}`, o.taskMs, 256, step);
    const p = percentiles(o.latencyMs, batchFor(tb.meanNs), step);
    const st = engine.cacheStats();
    const hit = (st.hits - warm.hits) / Math.max(1, st.hits - warm.hits + st.misses - warm.misses);
    rows.push({
      scenario: 'engine.authorize (cache)',
      scale,
      opsPerSec: tb.opsPerSec,
      meanNs: tb.meanNs,
      p50Ns: p.p50,
      p99Ns: p.p99,
      cpuNs: p.cpuNs,
      ratio: null,
      note: `hit ratio ${(hit * 100).toFixed(1)}%, ${reg.resources.length} resources registered; createEngine ${createMs.toFixed(0)} ms`,
    });
    // the hit path alone: only the requests the cache serves (the stream above mixes in uncacheable ones)
    const hits: AuthorizeRequest[] = [];
    for (const r of reg.requests) {
      const h = engine.cacheStats().hits;
      engine.authorize(r as AuthorizeRequest);
      if (engine.cacheStats().hits > h) hits.push(r as AuthorizeRequest);
    }
    if (hits.length > 0) {
      const nextHit = cycle(hits);
      const hitStep = () => {
        sink ^= engine.authorize(nextHit()).policies.length;
      };
      const htb = await tiny(`engine hits ${scale}`, o.taskMs, 256, hitStep);
      const hp = percentiles(o.latencyMs, batchFor(htb.meanNs), hitStep);
      rows.push({
        scenario: 'engine.authorize (cache hits only)',
        scale,
        opsPerSec: htb.opsPerSec,
        meanNs: htb.meanNs,
        p50Ns: hp.p50,
        p99Ns: hp.p99,
        cpuNs: hp.cpuNs,
        ratio: null,
        note: `${hits.length} of ${reg.requests.length} requests cacheable`,
      });
    }
  }
  // authorizeMany of 100 (one subject, one action, 100 resources)
  {
    const batches = generateBatches(w, 200, 100);
    const next = cycle(batches);
    const step = () => {
      const b = next();
      sink ^= authorizeMany(tables, b.subject, b.items as Omit<AuthorizeRequest, 'subject'>[], OPTS).length;
    };
    const tb = await tiny(`authorizeMany ${scale}`, o.taskMs, 4, step);
    const p = percentiles(o.latencyMs, 1, step);
    rows.push({
      scenario: 'authorizeMany (batch of 100)',
      scale,
      opsPerSec: tb.opsPerSec,
      meanNs: tb.meanNs,
      p50Ns: p.p50,
      p99Ns: p.p99,
      cpuNs: p.cpuNs,
      ratio: null,
      note: `per batch; ${(tb.meanNs / 100).toFixed(0)} ns per decision`,
    });
  }
  // the floor: only the unavoidable work of a request (hash each of its strings once, read one array per string)
  {
    const ids = internStrings(w, requests);
    const slots = new Int32Array(ids.size + 1);
    for (let i = 0; i < slots.length; i++) slots[i] = i;
    const next = cycle(requests);
    const step = () => {
      const r = next();
      let h = slots[ids.get(r.action) ?? 0]!;
      const id = r.subject.id;
      if (id !== undefined) h ^= slots[ids.get(id) ?? 0]!;
      const attrs = r.resource.attributes;
      if (attrs !== undefined) for (const k in attrs) h ^= slots[ids.get(String(attrs[k])) ?? 0]!;
      sink ^= h;
    };
    const tb = await tiny(`floor ${scale}`, o.taskMs, 256, step);
    const p = percentiles(o.latencyMs, batchFor(tb.meanNs), step);
    rows.push({
      scenario: 'floor (hash each request string once, read one array)',
      scale,
      opsPerSec: tb.opsPerSec,
      meanNs: tb.meanNs,
      p50Ns: p.p50,
      p99Ns: p.p99,
      cpuNs: p.cpuNs,
      ratio: null,
      note: `${ids.size} interned strings`,
    });
  }
  // CASL beside us at this scale: the equality-only IBM slice of every IBM account, abilities built per subject
  rows.push(...(await caslAtScale(w, scale, o)));
  const cm = median(compileMs);
  rows.push({ scenario: 'compile', scale, opsPerSec: 1000 / cm, meanNs: cm * 1e6, p50Ns: null, p99Ns: null, cpuNs: null, ratio: null, note: `median of ${compileMs.length}` });
  for (const r of rows.filter((x) => x.scale === scale)) log(`  ${r.scenario}: ${fmtOps(r.opsPerSec)}/s, mean ${fmtNs(r.meanNs)}, p50 ${fmtNs(r.p50Ns)}, p99 ${fmtNs(r.p99Ns)}, cpu ${fmtNs(r.cpuNs)} ${r.note}`);
  return {
    rows,
    info: {
      stats: w.stats,
      generateMs: +genMs.toFixed(1),
      compileMs: compileMs.map((x) => +x.toFixed(1)),
      tablesHeapBytes: bytesPerPolicy === null ? null : heapBytes,
      heapBytesPerPolicy: bytesPerPolicy === null ? null : +bytesPerPolicy.toFixed(1),
      requestMix: mix.outcomes,
      intentVsOutcome: mix.byIntent,
    },
  };
}

/** Every string a decision could look up, interned once: principal ids, role actions, attribute values, and the stream's own. */
function internStrings(w: Workload, requests: readonly BenchRequest[]): Map<string, number> {
  const ids = new Map<string, number>();
  const add = (x: string) => {
    if (!ids.has(x)) ids.set(x, ids.size + 1);
  };
  for (const p of w.source.principals) add(p.id);
  for (const r of w.source.roles) for (const a of r.actions ?? []) add(a);
  for (const v of w.source.services) for (const list of Object.values(v.roles ?? {})) for (const a of list) add(a);
  for (const p of w.source.policies) for (const c of p.resource.attributes) for (const v of Array.isArray(c.value) ? c.value : [c.value]) add(String(v));
  for (const r of requests) {
    add(r.action);
    if (r.subject.id !== undefined) add(r.subject.id);
    for (const v of Object.values(r.resource.attributes ?? {})) add(String(v));
  }
  return ids;
}

/** CASL and us on the equality-only IBM slice of every IBM account of a scale; CASL is timed only when it agrees on every request. */
async function caslAtScale(w: Workload, scale: string, o: HarnessOptions): Promise<Row[]> {
  const slice = buildSlice(w, w.ibm.length, 1000);
  const tables = compile(slice.source);
  const ours = slice.requests.map((r) => authorize(tables, r as AuthorizeRequest, OPTS));
  const next = cycle(slice.requests);
  const usStep = () => {
    sink ^= authorize(tables, next() as AuthorizeRequest, OPTS).policies.length;
  };
  const us = await tiny(`portcullis slice ${scale}`, o.taskMs, 256, usStep);
  const usP = percentiles(o.latencyMs, batchFor(us.meanNs), usStep);
  const rows: Row[] = [
    {
      scenario: 'portcullis authorize, IBM equality slice',
      scale,
      opsPerSec: us.opsPerSec,
      meanNs: us.meanNs,
      p50Ns: usP.p50,
      p99Ns: usP.p99,
      cpuNs: usP.cpuNs,
      ratio: 1,
      note: `${slice.stats['policies']} policies of ${slice.stats['accounts']} accounts`,
    },
  ];
  const peer = createCaslPeer(slice, pkgVersion('@casl/ability'));
  const prepared = slice.requests.map((r) => peer.prepare(r));
  let agree = 0;
  prepared.forEach((x, i) => {
    if (peer.decide(x).allowed === ours[i]!.allowed) agree++;
  });
  log(`  CASL at ${scale}: agreement ${agree}/${prepared.length} (${peer.size}; setup ${peer.setupMs.toFixed(0)} ms)`);
  if (agree !== prepared.length) {
    rows.push({ scenario: 'CASL (per-subject abilities)', scale, opsPerSec: Number.NaN, meanNs: Number.NaN, p50Ns: null, p99Ns: null, cpuNs: null, ratio: null, note: `disagrees (${agree}/${prepared.length}), not timed` });
    return rows;
  }
  const nextP = cycle(prepared);
  const step = () => {
    sink ^= peer.decide(nextP()).allowed ? 1 : 0;
  };
  const tb = await tiny(`CASL ${scale}`, o.taskMs, 64, step);
  const p = percentiles(o.latencyMs, batchFor(tb.meanNs), step);
  rows.push({
    scenario: 'CASL (per-subject abilities)',
    scale,
    opsPerSec: tb.opsPerSec,
    meanNs: tb.meanNs,
    p50Ns: p.p50,
    p99Ns: p.p99,
    cpuNs: p.cpuNs,
    ratio: tb.meanNs / us.meanNs,
    note: `agreement ${agree}/${prepared.length}; ${peer.size}`,
  });
  return rows;
}

function outcomeMix(tables: Tables, requests: readonly BenchRequest[], intents: readonly Intent[]) {
  const outcomes: Record<string, number> = { allow: 0, 'explicit-deny': 0, 'no-match': 0, 'invalid-request': 0 };
  const byIntent: Record<string, Record<string, number>> = {};
  const invalid: string[] = [];
  requests.forEach((r, i) => {
    const d: Decision = authorize(tables, r as AuthorizeRequest, OPTS);
    outcomes[d.reason] = (outcomes[d.reason] ?? 0) + 1;
    const k = intents[i]!;
    byIntent[k] ??= {};
    byIntent[k][d.reason] = (byIntent[k][d.reason] ?? 0) + 1;
    if (d.reason === 'invalid-request' && invalid.length < 5) invalid.push(JSON.stringify(d.issues));
  });
  const pct: Record<string, string> = {};
  for (const [k, v] of Object.entries(outcomes)) pct[k] = `${((v / requests.length) * 100).toFixed(1)}%`;
  return { outcomes: pct, byIntent, invalid };
}

// ---------------------------------------------------------------------------------------------
// Peers.

function pkgVersion(name: string): string {
  try {
    return JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version as string;
  } catch {
    return '?';
  }
}

async function runPeers(o: HarnessOptions): Promise<{ rows: Row[]; info: Record<string, unknown> }> {
  log(`\n## peers (slice of ${o.slice.scale}: ${o.slice.accounts} IBM accounts, equality-only policies)`);
  const w: Workload = generateWorkload(o.slice.scale);
  const slice: Slice = buildSlice(w, o.slice.accounts, Math.max(1000, o.slice.requests));
  log(`slice: ${JSON.stringify(slice.stats)}, ${slice.requests.length} requests`);
  const tables = compile(slice.source);
  const ours = slice.requests.map((r) => authorize(tables, r as AuthorizeRequest, OPTS));
  const mix: Record<string, number> = {};
  for (const d of ours) mix[d.reason] = (mix[d.reason] ?? 0) + 1;
  log(`slice mix: ${JSON.stringify(mix)}`);

  const peers: Peer<any>[] = [
    await createCasbinPeer(slice, pkgVersion('casbin')),
    createCaslPeer(slice, pkgVersion('@casl/ability')),
    createCedarPeer(slice, pkgVersion('@cedar-policy/cedar-wasm')),
  ];
  const info: Record<string, unknown> = { slice: slice.stats, sliceMix: mix, sample: slice.requests.length, peers: {} };
  const rows: Row[] = [];

  // us, on the slice
  const next = cycle(slice.requests);
  const usStep = () => {
    sink ^= authorize(tables, next() as AuthorizeRequest, OPTS).policies.length;
  };
  const usTb = await tiny('portcullis slice', o.taskMs, 256, usStep);
  const usP = percentiles(o.latencyMs, batchFor(usTb.meanNs), usStep);
  rows.push({ scenario: 'portcullis authorize', scale: 'slice', opsPerSec: usTb.opsPerSec, meanNs: usTb.meanNs, p50Ns: usP.p50, p99Ns: usP.p99, cpuNs: usP.cpuNs, ratio: 1, note: '' });

  for (const peer of peers) {
    // agreement first: every engine answers the same sample
    const prepared = slice.requests.map((r) => peer.prepare(r));
    let agree = 0;
    const examples: unknown[] = [];
    prepared.forEach((p, i) => {
      let a: PeerAnswer;
      try {
        a = peer.decide(p);
      } catch (e) {
        a = { allowed: false, policies: [`error: ${e instanceof Error ? e.message : String(e)}`] };
      }
      const d = ours[i]!;
      const same = a.allowed === d.allowed && (a.policies === undefined || a.policies.join() === d.policies.join());
      if (same) agree++;
      else if (examples.length < 3) examples.push({ request: slice.requests[i], portcullis: { allowed: d.allowed, reason: d.reason, policies: d.policies }, [peer.name]: a });
    });
    const agreement = `${agree}/${prepared.length}`;
    log(`${peer.name} ${peer.version}: agreement ${agreement}${peer.decide.length ? '' : ''} (${peer.size}; setup ${peer.setupMs.toFixed(0)} ms)`);
    (info['peers'] as Record<string, unknown>)[peer.name] = { version: peer.version, agreement, size: peer.size, setupMs: +peer.setupMs.toFixed(0), examples };
    if (agree !== prepared.length) {
      log(`  DISAGREES — not timed. examples:\n${examples.map((e) => '  ' + JSON.stringify(e)).join('\n')}`);
      rows.push({ scenario: peer.name, scale: 'slice', opsPerSec: Number.NaN, meanNs: Number.NaN, p50Ns: null, p99Ns: null, cpuNs: null, ratio: null, note: `disagrees (${agreement}), not timed` });
      continue;
    }
    const nextP = cycle(prepared);
    const step = () => {
      sink ^= peer.decide(nextP()).allowed ? 1 : 0;
    };
    // a rough mean first, to size batches: casbin and cedar take microseconds to milliseconds per call
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) step();
    const rough = ((performance.now() - t0) * 1e6) / 50;
    const tb = await tiny(peer.name, o.taskMs, Math.max(1, Math.min(256, Math.round(200_000 / rough))), step);
    const p = percentiles(o.latencyMs, batchFor(tb.meanNs), step);
    rows.push({
      scenario: `${peer.name} ${peer.version}`,
      scale: 'slice',
      opsPerSec: tb.opsPerSec,
      meanNs: tb.meanNs,
      p50Ns: p.p50,
      p99Ns: p.p99,
      cpuNs: p.cpuNs,
      ratio: tb.meanNs / usTb.meanNs,
      note: `agreement ${agreement}`,
    });
    log(`  ${fmtOps(tb.opsPerSec)}/s, mean ${fmtNs(tb.meanNs)}, p99 ${fmtNs(p.p99)}: ${(tb.meanNs / usTb.meanNs).toFixed(1)}x slower than us`);
  }
  return { rows, info };
}

// ---------------------------------------------------------------------------------------------
// Goals and output.

function find(rows: Row[], scenario: string, scale: string): Row | undefined {
  return rows.find((r) => r.scale === scale && r.scenario.startsWith(scenario));
}

function evaluateGoals(o: HarnessOptions, rows: Row[], perScale: Record<string, Record<string, unknown>>): GoalLine[] {
  const g: GoalLine[] = [];
  const main = o.scales.includes('L') ? 'L' : o.scales[o.scales.length - 1]!;
  const u = find(rows, 'authorize (tables', main);
  if (u) {
    g.push({ goal: `uncached mean <= 2 µs at ${main}`, figure: fmtNs(u.meanNs), met: u.meanNs <= 2000 });
    g.push({ goal: `uncached p99 <= 10 µs at ${main}`, figure: fmtNs(u.p99Ns), met: u.p99Ns !== null && u.p99Ns <= 10_000 });
    const floor = find(rows, 'floor', main);
    if (floor) g.push({ goal: `distance from the floor at ${main} (no goal)`, figure: `${(u.meanNs / floor.meanNs).toFixed(1)}x the floor's mean`, met: null });
  }
  const first = find(rows, 'authorize (tables', o.scales[0]!);
  const atMain = find(rows, 'authorize (tables', main);
  if (first && atMain) {
    const f = atMain.meanNs / first.meanNs;
    const fc = first.cpuNs !== null && atMain.cpuNs !== null ? atMain.cpuNs / first.cpuNs : null;
    g.push({ goal: `${main} no more than 2x ${o.scales[0]}`, figure: `${f.toFixed(2)}x wall${fc === null ? '' : `, ${fc.toFixed(2)}x cpu`}`, met: f <= 2 });
  }
  const c = find(rows, 'compile', 'L');
  if (c) g.push({ goal: 'compile L <= 0.6 s', figure: `${(c.meanNs / 1e6).toFixed(0)} ms`, met: c.meanNs <= 0.6e9 });
  const hits = find(rows, 'engine.authorize (cache hits', main);
  if (hits) g.push({ goal: `cache hit p50 <= 300 ns at ${main}`, figure: fmtNs(hits.p50Ns), met: hits.p50Ns !== null && hits.p50Ns <= 300 });
  const many = find(rows, 'authorizeMany', main);
  if (many) g.push({ goal: `authorizeMany of 100 <= 50 µs at ${main}`, figure: `${fmtNs(many.meanNs)} mean, ${fmtNs(many.p99Ns)} p99`, met: many.meanNs <= 50_000 });
  const casl = find(rows, 'CASL (per-subject', main);
  if (casl) g.push({ goal: `>= 5x faster than CASL at ${main}`, figure: casl.ratio === null ? casl.note : `${casl.ratio.toFixed(1)}x`, met: casl.ratio === null ? null : casl.ratio >= 5 });
  const cedar = rows.find((r) => r.scale === 'slice' && r.scenario.startsWith('cedar'));
  if (cedar) g.push({ goal: '>= 20x faster than cedar-wasm', figure: cedar.ratio === null ? cedar.note : `${cedar.ratio.toFixed(1)}x`, met: cedar.ratio === null ? null : cedar.ratio >= 20 });
  const casbin = rows.find((r) => r.scale === 'slice' && r.scenario.startsWith('casbin'));
  if (casbin) g.push({ goal: '>= 100x faster than casbin', figure: casbin.ratio === null ? casbin.note : `${casbin.ratio.toFixed(0)}x`, met: casbin.ratio === null ? null : casbin.ratio >= 100 });
  for (const s of o.scales) {
    const b = perScale[s]?.['heapBytesPerPolicy'];
    if (b !== null && b !== undefined) g.push({ goal: `heap per policy at ${s} <= 1 KB`, figure: `${b} B`, met: (b as number) <= 1024 });
  }
  return g;
}

function fmtNs(ns: number | null): string {
  if (ns === null || Number.isNaN(ns)) return '—';
  if (ns < 1000) return `${ns.toFixed(0)} ns`;
  if (ns < 1e6) return `${(ns / 1000).toFixed(2)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(1)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

function fmtOps(x: number): string {
  if (Number.isNaN(x)) return '—';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(1);
}

function renderMarkdown(
  o: HarnessOptions,
  machine: Record<string, unknown>,
  rows: Row[],
  goals: GoalLine[],
  perScale: Record<string, Record<string, unknown>>,
  peers: Record<string, unknown>,
): string {
  const out: string[] = [];
  out.push(`# Portcullis bench — ${o.mode}`);
  out.push('');
  out.push(`${machine['cpu']}, ${machine['cores']} cores, ${machine['memoryGiB']} GiB, ${machine['os']}, Node ${machine['node']}, ${machine['date']}; load average at start ${JSON.stringify(machine['loadAverageAtStart'])}, at end ${JSON.stringify(os.loadavg().map((x) => +x.toFixed(2)))}`);
  out.push('');
  out.push('| scenario | scale | ops/s | mean | p50 | p99 | cpu/op | ratio to us | note |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows)
    out.push(
      `| ${r.scenario} | ${r.scale} | ${fmtOps(r.opsPerSec)} | ${fmtNs(r.meanNs)} | ${fmtNs(r.p50Ns)} | ${fmtNs(r.p99Ns)} | ${fmtNs(r.cpuNs)} | ${r.ratio === null ? '' : r.ratio.toFixed(1) + 'x'} | ${r.note} |`,
    );
  out.push('');
  out.push('## Goals (figures to read, not tests)');
  out.push('');
  out.push('| goal | figure | |');
  out.push('|---|---|---|');
  for (const g of goals) out.push(`| ${g.goal} | ${g.figure} | ${g.met === null ? '' : g.met ? 'met' : '**missed**'} |`);
  out.push('');
  out.push('## Workloads');
  out.push('');
  for (const [s, info] of Object.entries(perScale)) {
    out.push(`- **${s}**: ${JSON.stringify(info['stats'])}`);
    out.push(`  - request mix (${o.streamSize} requests): ${JSON.stringify(info['requestMix'])}; compile ${JSON.stringify(info['compileMs'])} ms; heap ${info['heapBytesPerPolicy'] ?? 'n/a'} B/policy`);
  }
  out.push(`- **peer slice**: ${JSON.stringify(peers['slice'])}, mix ${JSON.stringify(peers['sliceMix'])}`);
  for (const [name, p] of Object.entries(peers['peers'] as Record<string, Record<string, unknown>>))
    out.push(`  - ${name} ${p['version']}: agreement ${p['agreement']} (${p['size']}, setup ${p['setupMs']} ms)`);
  return out.join('\n');
}
