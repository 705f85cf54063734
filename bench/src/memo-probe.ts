/**
 * What the per-(principal, action) memo of gathered ranges (evaluate/gather.ts) holds after the bench's stream, and
 * the heap it costs: `node --expose-gc bench/dist/memo-probe.js L [passes] [repo]`. Compiles, runs the uncached
 * stream `passes` times (default 3), counts the principals with a memo, its entries (merged, or the mark of a first
 * use), then empties every principal's memo and reads the heap again: the difference is the memo's bytes.
 */
import { fileURLToPath } from 'node:url';
import type { AuthorizeRequest, Tables } from '@portcullis/engine';

const [scale = 'L', passesArg = '3', repo = fileURLToPath(new URL('../..', import.meta.url))] = process.argv.slice(2);
type EngineModule = typeof import('@portcullis/engine');
type WorkloadModule = typeof import('./workload.js');
const { compile, authorize } = (await import(`${repo}/packages/engine/dist/index.js`)) as EngineModule;
const { generateWorkload, generateRequests, NOW } = (await import(`${repo}/bench/dist/workload.js`)) as WorkloadModule;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const w = generateWorkload(scale as 'S' | 'M' | 'L' | 'XL');
const requests = generateRequests(w, 10_000).requests as AuthorizeRequest[];
const tables: Tables = compile(w.source);
const opts = { now: NOW };
const before = heap();
for (let i = 0; i < Number(passesArg); i++) for (const r of requests) authorize(tables, r, opts);
const warm = heap();
let principals = 0;
let entries = 0;
let merged = 0;
let max = 0;
for (const a of tables.accounts.values())
  for (const p of a.principals.values()) {
    const m = p.ownBuckets;
    if (m === null || m.size === 0) continue;
    principals++;
    entries += m.size;
    max = Math.max(max, m.size);
    for (const e of m.values()) if (e.merged) merged++;
  }
for (const a of tables.accounts.values())
  for (const p of a.principals.values()) {
    p.ownBuckets = null;
    p.ownVersion = -1;
  }
const cleared = heap();
const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`;
console.log(
  `${scale}, ${passesArg} passes of ${requests.length}: ${principals} principals with a memo, ${entries} entries (${merged} merged, ` +
    `${entries - merged} not merged: a first use), at most ${max} per principal; memo ${kb(warm - cleared)} ` +
    `(${((warm - cleared) / Math.max(merged, 1)).toFixed(0)} B per merged entry, ${((warm - cleared) / tables.size).toFixed(1)} B per policy); ` +
    `heap grew ${kb(warm - before)} over the passes`,
);
