// `pnpm bench:serve`: the HTTP server under a standard load tool (autocannon), on this machine. The server runs in
// a child process (one process, then `--workers` cluster workers: `--workers 1,2` by default), autocannon in this one. Reports throughput, latency percentiles and errors for single
// AuthZEN evaluations, for evaluations batches of 100, and for a bounded run at 256 connections, and the server's
// CPU per request against the engine's own CPU per decision in process: the difference is what HTTP adds.
import { fork, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createAuthzen, createEngine, type AuthorizeRequest } from '@portcullis/engine';
import { BENCH_TOKEN, serveBodies } from './serve-bodies.js';
import { generateWorkload, type ScaleName } from './workload.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
};
const scale = opt('scale', 'M') as ScaleName;
const seconds = Number(opt('seconds', '10'));
const log = opt('log', 'on') === 'on';
// server processes: each count in the list is a full set of runs (1 is one process, as before; 2 uses both cores)
const workerCounts = opt('workers', '1,2').split(',').map(Number);
const TOKEN = BENCH_TOKEN;

function pct(r: autocannon.Result): string {
  const l = r.latency as unknown as Record<string, number>;
  return `p50 ${l['p50']} ms, p90 ${l['p90']} ms, p99 ${l['p99']} ms, max ${l['max']} ms`;
}

const w = generateWorkload(scale);
const { requests, bodies, batchList, batches } = serveBodies(w);

// the same decisions in process: the mapping must agree with authorize, and their CPU is the baseline
const engine = createEngine({ source: w.source, cacheSize: 0 });
// the server answers with its decision cache on: the in-process baseline of single evaluations uses one too
const cachedAz = createAuthzen(createEngine({ source: w.source }));
const az = createAuthzen(engine);
let agree = 0;
requests.forEach((r, i) => {
  if (az.evaluation(JSON.parse(bodies[i]!)).decision === engine.authorize(r as AuthorizeRequest).allowed) agree++;
});
const parsed = bodies.map((b) => JSON.parse(b));
let batchAgree = 0;
let batchTotal = 0;
batchList.forEach((b, i) => {
  const got = (az.evaluations(JSON.parse(batches[i]!)) as { evaluations: { decision: boolean }[] }).evaluations;
  const want = engine.authorizeMany(b.subject, b.items as Omit<AuthorizeRequest, 'subject'>[]);
  got.forEach((d, j) => {
    batchTotal++;
    if (d.decision === want[j]!.allowed) batchAgree++;
  });
});
const rounds = 20;
let t0 = process.cpuUsage();
for (let k = 0; k < rounds; k++) for (const b of parsed) az.evaluationJson(b);
let t1 = process.cpuUsage(t0);
const inProcessUncached = (t1.user + t1.system) / (rounds * parsed.length);
for (const b of parsed) cachedAz.evaluationJson(b);
t0 = process.cpuUsage();
for (let k = 0; k < rounds; k++) for (const b of parsed) cachedAz.evaluationJson(b);
t1 = process.cpuUsage(t0);
const inProcessSingle = (t1.user + t1.system) / (rounds * parsed.length);
const parsedBatches = batches.map((b) => JSON.parse(b));
t0 = process.cpuUsage();
for (let k = 0; k < 5; k++) for (const b of parsedBatches) az.evaluationsJson(b);
t1 = process.cpuUsage(t0);
const inProcessBatchDecision = (t1.user + t1.system) / (5 * parsedBatches.length * 100);

const target = fileURLToPath(new URL('./serve-target.js', import.meta.url));
async function startTarget(mode: string, workers = 1) {
  const child = fork(target, [scale, log ? 'log' : 'nolog', mode, String(workers)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve) => child.once('message', (m: any) => resolve(m.url)));
  return { child, url };
}
let child: ChildProcess;
let url: string;
const cpu = () =>
  new Promise<number>((resolve) => {
    child.once('message', (m: any) => resolve(m.cpuMicros));
    child.send('cpu');
  });
const stop = () =>
  new Promise((resolve) => {
    child.once('exit', resolve);
    child.send('stop');
  });

/**
 * autocannon's own timeout is 10 s; the first request of each connection waits for the connection to be set up,
 * which on a loaded 2-core VM takes seconds for 256 of them (bare node:http too), so the runs allow 30 s.
 */
const TIMEOUT_S = 30;

async function run(title: string, path: string, list: string[], connections: number, duration: number) {
  const before = await cpu();
  const r = await autocannon({
    url: url + path,
    connections,
    duration,
    timeout: TIMEOUT_S,
    requests: list.map((body) => ({ method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` } })),
  });
  const used = (await cpu()) - before;
  const served = r.requests.total;
  const non2xx = r.non2xx;
  console.log(
    `${title}: ${connections} connections, ${duration} s: ${Math.round(r.requests.average)} req/s (${served} requests), ${pct(r)}, errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${non2xx}; server CPU ${(used / served).toFixed(1)} µs/request`,
  );
  return { r, cpuPerRequest: used / served };
}

console.log(`bench:serve ${new Date().toISOString()} scale ${scale} (${w.source.policies.length} policies), ${cpus().length} cores ${cpus()[0]?.model}, Node ${process.version}, load average before ${loadavg().map((x) => x.toFixed(1)).join(' ')}, request log ${log ? 'on (to /dev/null)' : 'off'}`);
console.log(`mapping agrees with authorize on ${agree}/${requests.length} requests and with authorizeMany on ${batchAgree}/${batchTotal} batch items; in process (createAuthzen, deciding and writing the response text): ${inProcessUncached.toFixed(1)} µs CPU per single evaluation uncached, ${inProcessSingle.toFixed(1)} µs from the cache, ${inProcessBatchDecision.toFixed(2)} µs per decision in batches of 100`);
for (const workers of workerCounts) {
  ({ child, url } = await startTarget('server', workers));
  console.log(`-- ${workers === 1 ? '1 server process' : `${workers} server workers (node:cluster, as \`portcullis serve --workers ${workers}\`); server CPU is the primary's and every worker's`}`);
  await run('warm-up', '/access/v1/evaluation', bodies, 32, 3);
  const single = await run('single evaluations', '/access/v1/evaluation', bodies, 64, seconds);
  const batch = await run('evaluations, batches of 100', '/access/v1/evaluations', batches, 16, seconds);
  console.log(`  = ${Math.round(batch.r.requests.average * 100)} decisions/s; server CPU ${(batch.cpuPerRequest / 100).toFixed(2)} µs per decision`);
  const wide = await run('bounded run, single evaluations', '/access/v1/evaluation', bodies, 256, seconds);
  console.log(
    `HTTP adds ${(single.cpuPerRequest - inProcessSingle).toFixed(1)} µs CPU per single evaluation and ${(batch.cpuPerRequest / 100 - inProcessBatchDecision).toFixed(2)} µs per decision in batches of 100; 256 connections: ${wide.r.errors + wide.r.non2xx} errors (timeout ${TIMEOUT_S} s)`,
  );
  const l = single.r.latency as unknown as Record<string, number>;
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(
    `targets (${workers} ${workers === 1 ? 'process' : 'workers'}, load average now ${loadavg()[0]!.toFixed(1)}): single ≥ 20,000/s with p99 ≤ 5 ms ${verdict(single.r.requests.average >= 20_000 && l['p99']! <= 5)}; ≥ 200,000 decisions/s in batches of 100 ${verdict(batch.r.requests.average * 100 >= 200_000)}; no errors at 256 connections ${verdict(wide.r.errors + wide.r.non2xx + wide.r.timeouts === 0)}`,
  );
  await stop();
}
({ child, url } = await startTarget('ceiling'));
await run('ceiling (bare node:http, fixed answer)', '/', bodies, 64, seconds);
const bare = await run('ceiling (bare node:http, fixed answer)', '/', bodies, 256, seconds);
console.log(`ceiling at 256 connections: ${bare.r.errors + bare.r.non2xx} errors (timeout ${TIMEOUT_S} s)`);
await stop();
const most = Math.max(...workerCounts);
if (most > 1) {
  ({ child, url } = await startTarget('ceiling', most));
  await run(`ceiling (bare node:http in ${most} cluster workers, fixed answer)`, '/', bodies, 64, seconds);
  await stop();
}
console.log(`load average after ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
