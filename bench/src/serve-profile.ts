// A quick look at the server's CPU per request, for iterating on the HTTP layer (`bench:serve` is the full run):
// `node bench/dist/serve-profile.js [single|batch] [seconds] [--prof dir] [--connections n] [--log on|off]` forks
// serve-target (with `--cpu-prof` when --prof is given), drives it with autocannon, and prints req/s, latency and
// the server's CPU µs per request from its own process.cpuUsage, with the load average beside them. With --prof it
// prints the profile's top functions by self time.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { BENCH_TOKEN, serveBodies } from './serve-bodies.js';
import { generateWorkload } from './workload.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
};
const kind = args[0] === 'batch' ? 'batch' : 'single';
const seconds = Number(args[1] ?? '8');
const prof = opt('prof', '');
const connections = Number(opt('connections', kind === 'batch' ? '16' : '64'));
const log = opt('log', 'on') === 'on';
const workers = opt('workers', '1');

const { bodies, batches } = serveBodies(generateWorkload('M'));
const target = fileURLToPath(new URL('./serve-target.js', import.meta.url));
// --node-flags '--max-semi-space-size=64' (say): V8 flags for the server process (and its workers)
const nodeFlags = opt('node-flags', '').split(' ').filter(Boolean);
const child = fork(target, ['M', log ? 'log' : 'nolog', 'server', workers], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: nodeFlags });
/** The child's next message that has `key`. */
const reply = <T>(key: string, send: unknown) =>
  new Promise<T>((resolve) => {
    const on = (m: any) => {
      if (m !== null && typeof m === 'object' && key in m) {
        child.off('message', on);
        resolve(m[key]);
      }
    };
    child.on('message', on);
    if (send !== undefined) child.send(send as string);
  });
const url = await reply<string>('url', undefined);
const cpu = () => reply<number>('cpuMicros', 'cpu');
const path = kind === 'batch' ? '/access/v1/evaluations' : '/access/v1/evaluation';
const requests = (kind === 'batch' ? batches : bodies).map((body) => ({
  method: 'POST' as const,
  body,
  headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}` },
}));
await autocannon({ url: url + path, connections: 32, duration: 2, requests });
const load = loadavg()[0]!.toFixed(1);
const file = prof === '' ? '' : join(prof, `serve-${kind}-${Date.now()}.cpuprofile`);
if (prof !== '') await reply('profiled', { profile: 'start' });
const before = await cpu();
const r = await autocannon({ url: url + path, connections, duration: seconds, timeout: 30, requests });
const used = (await cpu()) - before;
if (prof !== '') await reply('profiled', { profile: file });
const l = r.latency as unknown as Record<string, number>;
console.log(
  `${kind} (workers ${workers}, log ${log ? 'on' : 'off'}): ${Math.round(r.requests.average)} req/s, p50 ${l['p50']} ms, p99 ${l['p99']} ms, errors ${r.errors + r.non2xx}; server CPU ${(used / r.requests.total).toFixed(1)} µs/request; load ${load} → ${loadavg()[0]!.toFixed(1)}`,
);
const exited = new Promise((resolve) => child.once('exit', resolve));
child.send('stop');
await exited;
if (prof !== '') {
  console.log(file);
  summarize(file);
}

/** Self time by where the code lives, then the top functions. */
function summarize(path: string): void {
  const p = JSON.parse(readFileSync(path, 'utf8')) as { nodes: { callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[] };
  const groups = new Map<string, number>();
  const fns = new Map<string, number>();
  let busy = 0;
  for (const n of p.nodes) {
    const f = n.callFrame;
    const hits = n.hitCount ?? 0;
    if (f.functionName === '(idle)') continue;
    busy += hits;
    const u = f.url;
    const group = u.includes('/packages/engine/')
      ? 'engine'
      : u.includes('/packages/server/')
        ? 'server'
        : /node_modules\/\.pnpm\/([^/]+)/.exec(u)?.[1]?.replace(/@[\d.]+$/, '') ?? (u.startsWith('node:') ? 'node core' : u === '' ? `native ${f.functionName}` : u);
    groups.set(group, (groups.get(group) ?? 0) + hits);
    const key = `${f.functionName || '(anonymous)'} ${u.replace(/^.*\/(packages|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + hits);
  }
  const show = (m: Map<string, number>, n: number) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${((v / busy) * 100).toFixed(1).padStart(5)}%  ${k}`).join('\n');
  console.log(`busy samples ${busy} (percentages of busy time)\n${show(groups, 20)}\n--\n${show(fns, 45)}`);
}
