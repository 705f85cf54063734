/**
 * Summarises a .cpuprofile by samples (each sample one tick, whatever the wall time between two samples: on a loaded
 * machine the process waits between samples, and weighing by the time deltas puts that wait on whatever ran last).
 * `node bench/dist/profile-summary.js <file> [top=25]`: self time by function (with its file and line).
 * `… <file> [top] --inclusive`: time under each function (counted once per stack), so a phase reads as one figure.
 * `… <file> [top] --lines <function>`: the function's own ticks by source line of the built file: inlined callees
 * and allocations show on the line that calls them (`new Int32Array` was most of sealIndex's time at L).
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
  positionTicks?: { line: number; ticks: number }[];
}
const [file, topArg = '25', mode, target] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [top] [--inclusive | --lines <function>]');
const top = Number(topArg);
const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[] };
const nameOf = (n: Node) => {
  const f = n.callFrame;
  return `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(packages|bench|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
};
let total = 0;
for (const n of prof.nodes) total += n.hitCount ?? 0;
const pct = (v: number) => `${((v / total) * 100).toFixed(1).padStart(5)}%`;
const sum = new Map<string, number>();

if (mode === '--lines') {
  if (target === undefined) throw new Error('--lines needs a function name');
  let url = '';
  for (const n of prof.nodes) {
    if (n.callFrame.functionName !== target) continue;
    url = n.callFrame.url;
    for (const t of n.positionTicks ?? []) sum.set(String(t.line), (sum.get(String(t.line)) ?? 0) + t.ticks);
  }
  if (url === '') throw new Error(`no function \`${target}\` in the profile`);
  const source = url.startsWith('file:') ? readFileSync(new URL(url), 'utf8').split('\n') : [];
  for (const [line, v] of [...sum.entries()].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${pct(v)}  ${line.padStart(5)}  ${(source[Number(line) - 1] ?? '').trim().slice(0, 110)}`);
} else if (mode === '--inclusive') {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  for (const n of prof.nodes) {
    if (!n.hitCount) continue;
    const seen = new Set<string>();
    for (let x: number | undefined = n.id; x !== undefined; x = parent.get(x)) {
      const name = nameOf(byId.get(x)!);
      if (seen.has(name)) continue;
      seen.add(name);
      sum.set(name, (sum.get(name) ?? 0) + n.hitCount);
    }
  }
  for (const [k, v] of [...sum.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
} else {
  for (const n of prof.nodes) sum.set(nameOf(n), (sum.get(nameOf(n)) ?? 0) + (n.hitCount ?? 0));
  for (const [k, v] of [...sum.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
}
