/**
 * Where the uncached decision's time goes, by kind of request: the stream split by system (IBM, Cloudflare, BlueXP)
 * and outcome (allow, explicit-deny, no-match), each part's CPU time per decision once the per-principal caches are
 * warm (median of passes), its share of the stream's time, and the slowest requests one by one (what the p99 is made
 * of). `node --expose-gc bench/dist/kind-probe.js L [repo]` — `repo` as in cpu-probe.ts.
 */
import { fileURLToPath } from 'node:url';
import type { AuthorizeRequest, Tables } from '@portcullis/engine';

const [scale = 'L', repo = fileURLToPath(new URL('../..', import.meta.url))] = process.argv.slice(2);
type EngineModule = typeof import('@portcullis/engine');
type WorkloadModule = typeof import('./workload.js');
const engineModule = (await import(`${repo}/packages/engine/dist/index.js`)) as EngineModule;
const workload = (await import(`${repo}/bench/dist/workload.js`)) as WorkloadModule;
const { compile, authorize } = engineModule;
const { generateWorkload, generateRequests, NOW } = workload;

const cpu = (f: () => void): number => {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return c.user + c.system;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const w = generateWorkload(scale as 'S' | 'M' | 'L' | 'XL');
const { requests } = generateRequests(w, 10_000);
const tables: Tables = compile(w.source);
const systemOf = new Map<string, string>();
for (const a of w.source.accounts) systemOf.set(a.id, a.system);
const opts = { now: NOW };

const kinds = new Map<string, AuthorizeRequest[]>();
const kindOf: string[] = [];
for (const r of requests as AuthorizeRequest[]) {
  const d = authorize(tables, r, opts);
  const acc = r.resource.attributes?.['accountId'] ?? tables.resources.get(r.resource.id!)?.accountId;
  const k = `${systemOf.get(String(acc)) ?? '?'} ${d.reason}${r.subject.claims ? ' claims' : ''}${r.subject.id === undefined ? ' anon' : ''}`;
  kindOf.push(k);
  let l = kinds.get(k);
  if (l === undefined) kinds.set(k, (l = []));
  l.push(r);
}
// warm: the first pass gathers, the second merges (gather.ts)
for (let i = 0; i < 4; i++) for (const r of requests) authorize(tables, r as AuthorizeRequest, opts);
const whole = median(Array.from({ length: 7 }, () => cpu(() => requests.forEach((r) => authorize(tables, r as AuthorizeRequest, opts))) / requests.length));
console.log(`${repo} ${scale}: whole stream ${whole.toFixed(2)} µs cpu per decision`);
const rows: [string, number, number][] = [];
for (const [k, l] of kinds) {
  const reps = Math.max(1, Math.round(20_000 / l.length));
  const per = median(
    Array.from({ length: 5 }, () => cpu(() => {
      for (let j = 0; j < reps; j++) for (const r of l) authorize(tables, r, opts);
    }) / (reps * l.length)),
  );
  rows.push([k, l.length, per]);
}
rows.sort((a, b) => b[1] * b[2] - a[1] * a[2]);
const total = rows.reduce((t, [, n, per]) => t + n * per, 0);
for (const [k, n, per] of rows) console.log(`${k.padEnd(34)} ${String(n).padStart(5)} req  ${per.toFixed(2).padStart(6)} µs  ${((n * per * 100) / total).toFixed(1).padStart(5)}% of the time`);

// one by one: the median of several timings per request, then the slowest
const times: number[][] = requests.map(() => []);
for (let pass = 0; pass < 5; pass++) {
  for (let i = 0; i < requests.length; i++) {
    const a = process.hrtime.bigint();
    authorize(tables, requests[i] as AuthorizeRequest, opts);
    const b = process.hrtime.bigint();
    times[i]!.push(Number(b - a));
  }
}
const each = times.map((t, i) => [median(t), i] as const).sort((a, b) => b[0] - a[0]);
const p99 = each[Math.floor(each.length / 100)]![0];
console.log(`per request (median of 5 timings, wall, clock overhead included): p50 ${each[each.length >> 1]![0]} ns, p99 ${p99} ns`);
const slow = new Map<string, number>();
for (const [, i] of each.slice(0, Math.floor(each.length / 100))) slow.set(kindOf[i]!, (slow.get(kindOf[i]!) ?? 0) + 1);
console.log(`the slowest 1%: ${JSON.stringify([...slow].sort((a, b) => b[1] - a[1]))}`);
for (const [t, i] of each.slice(0, 5)) {
  const r = requests[i]!;
  console.log(`  ${t} ns ${kindOf[i]} ${JSON.stringify({ s: r.subject, a: r.action, r: r.resource })}`.slice(0, 300));
}
