/**
 * CPU-time figures of one build at one scale, for comparing two builds on a loaded machine, where wall-clock figures
 * mostly measure the neighbours: process CPU time (user + system) per operation, medians of several passes.
 * `node --expose-gc bench/dist/cpu-probe.js L [repo]` — `repo` (default: this one) is the root of a checkout whose
 * packages/engine/dist and bench/dist are built, e.g. the main branch, so two builds can be run alternately.
 * Prints compile CPU, heap per policy, uncached `authorize`, a batch of 100, and `engine.authorize` on the registered
 * stream (hits, plus the misses of accounts whose decisions are never cached).
 */
import { fileURLToPath } from 'node:url';
import type { AuthorizeRequest, Tables } from '@portcullis/engine';

const [scale = 'L', repo = fileURLToPath(new URL('../..', import.meta.url))] = process.argv.slice(2);
type EngineModule = typeof import('@portcullis/engine');
type WorkloadModule = typeof import('./workload.js');
const engineModule = (await import(`${repo}/packages/engine/dist/index.js`)) as EngineModule;
const workload = (await import(`${repo}/bench/dist/workload.js`)) as WorkloadModule;
const { compile, authorize, authorizeMany, createEngine } = engineModule;
const { generateWorkload, generateRequests, generateBatches, registerResources, NOW } = workload;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const cpu = (f: () => void): number => {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return c.user + c.system;
};
const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;

const w = generateWorkload(scale as 'S' | 'M' | 'L' | 'XL');
const { requests } = generateRequests(w, 10_000);
gc();
const h0 = process.memoryUsage().heapUsed;
let tables: Tables | undefined;
const compileMs = cpu(() => (tables = compile(w.source))) / 1000;
gc();
const heap = (process.memoryUsage().heapUsed - h0) / (w.source.policies.length + w.source.bindings.length);
const passes = (n: number, f: () => number) => median(Array.from({ length: n }, f));
const uncached = passes(7, () => cpu(() => requests.forEach((r) => authorize(tables!, r as AuthorizeRequest, { now: NOW }))) / requests.length);
const batches = generateBatches(w, 200, 100);
const batch = passes(5, () => cpu(() => batches.forEach((b) => authorizeMany(tables!, b.subject, b.items as Omit<AuthorizeRequest, 'subject'>[], { now: NOW }))) / batches.length);
const reg = registerResources(requests);
const engine = createEngine({ source: { ...w.source, resources: [...w.source.resources, ...reg.resources] }, clock: () => NOW, cacheSize: 20_000 });
for (const r of reg.requests) engine.authorize(r as AuthorizeRequest);
const cached = passes(7, () => cpu(() => reg.requests.forEach((r) => engine.authorize(r as AuthorizeRequest))) / reg.requests.length);
const s = engine.cacheStats();
console.log(
  `${repo} ${scale}: compile ${compileMs.toFixed(0)} ms cpu, heap ${heap.toFixed(0)} B/policy, authorize ${uncached.toFixed(2)} µs cpu, ` +
    `batch of 100 ${batch.toFixed(1)} µs cpu, engine.authorize on the registered stream ${(cached * 1000).toFixed(0)} ns cpu ` +
    `(hits ${s.hits} of ${s.hits + s.misses})`,
);
