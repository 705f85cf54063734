/**
 * What decision observability costs (`pnpm bench:hooks`): engine.authorize (cache hits, and uncached) and
 * engine.authorizeMany of 100 at scale S, with no hooks and with each hook. Variants run interleaved, several rounds,
 * each timed in CPU time of this process, and the median round is reported, so a neighbour's load hits every variant
 * alike and the time other processes run is not counted. Figures to read, never pass/fail.
 *
 * `BASELINE_ENGINE=/path/to/an/older/engine/dist/index.js` adds a `before` variant: that build of the engine, in the
 * same process and rounds, so "costs nothing when unused" is a before/after comparison under the same load.
 */
import { createEngine, type AuthorizeRequest, type Engine, type EngineOptions } from '@portcullis/engine';
import { generateBatches, generateRequests, generateWorkload, NOW, registerResources } from './workload.js';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
/** CPU milliseconds per variant per round. */
const TASK_MS = Number(process.env.TASK_MS ?? 150);

/** The engine options of each variant; `plain` is the engine as every host without hooks builds it. */
const noopSpan = { setAttribute: () => undefined, end: () => undefined };
let logged = 0;
const VARIANTS: Record<string, Partial<EngineOptions>> = {
  plain: {},
  'onDecision, every decision': { onDecision: () => void logged++ },
  'onDecision, 1%': { onDecision: () => void logged++, decisionSampleRate: 0.01 },
  'tracer (no-op spans)': { tracer: { startSpan: () => noopSpan } },
};
const baseline = process.env.BASELINE_ENGINE;
const createBefore = baseline === undefined ? undefined : ((await import(baseline)) as { createEngine: typeof createEngine }).createEngine;

const w = generateWorkload('S');
const { requests } = generateRequests(w, 10_000);
const reg = registerResources(requests);
const source = { ...w.source, resources: [...w.source.resources, ...reg.resources] };
const batches = generateBatches(w, 200, 100);
let sink = 0;

function cycle<T>(xs: readonly T[]): () => T {
  let i = 0;
  return () => xs[i++ % xs.length]!;
}

interface Case {
  name: string;
  make(engine: Engine): () => void;
  cacheSize: number;
}
const CASES: Case[] = [
  { name: 'engine.authorize, cache hits', cacheSize: 20_000, make: (e) => { const next = cycle(reg.requests); return () => { sink ^= e.authorize(next() as AuthorizeRequest).policies.length; }; } },
  { name: 'engine.authorize, no cache', cacheSize: 0, make: (e) => { const next = cycle(requests); return () => { sink ^= e.authorize(next() as AuthorizeRequest).policies.length; }; } },
  { name: 'engine.authorizeMany, 100', cacheSize: 0, make: (e) => { const next = cycle(batches); return () => { const b = next(); sink ^= e.authorizeMany(b.subject, b.items as Omit<AuthorizeRequest, 'subject'>[]).length; }; } },
];

const results = new Map<string, number[]>();
/** CPU time of this process per call, in ns: unlike wall time, it does not count the time other processes ran. */
function cpuPerCall(step: () => void, calls: number): number {
  const t = process.cpuUsage();
  for (let i = 0; i < calls; i++) step();
  const d = process.cpuUsage(t);
  return ((d.user + d.system) * 1000) / calls;
}
for (const c of CASES) {
  const variants: [string, typeof createEngine, Partial<EngineOptions>][] = Object.entries(VARIANTS).map(([v, o]) => [v, createEngine, o]);
  if (createBefore !== undefined) variants.unshift(['before (baseline build)', createBefore, {}]);
  const engines = variants.map(([v, create, o]) => {
    const e = create({ source, clock: () => NOW, cacheSize: c.cacheSize, ...o });
    const step = c.make(e);
    for (let i = 0; i < 20_000; i++) step(); // warm the cache and the JIT
    return [v, step] as const;
  });
  // calls per round: about TASK_MS of CPU for the first variant
  const probe = cpuPerCall(engines[0]![1], 2000);
  const calls = Math.max(1000, Math.round((TASK_MS * 1e6) / Math.max(probe, 1)));
  for (let r = 0; r < ROUNDS; r++) {
    // each round starts with the next variant, so none always runs first (or last) in a round
    for (let k = 0; k < engines.length; k++) {
      const [v, step] = engines[(r + k) % engines.length]!;
      const key = `${c.name}\u0000${v}`;
      results.set(key, [...(results.get(key) ?? []), cpuPerCall(step, calls)]);
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`| case | variant | CPU ns per call, median of ${ROUNDS} rounds | fastest round | slowest round |`);
console.log('|---|---|---:|---:|---:|');
for (const [key, xs] of results) {
  const [c, v] = key.split('\u0000');
  console.log(`| ${c} | ${v} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} |`);
}
if (sink === 0.5 || logged < 0) console.log('');
