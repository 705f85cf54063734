// The server under load (`pnpm bench:serve` forks it; argv: scale, log|nolog, server|ceiling, workers): a generated
// workload in an in-memory engine behind createServer (in each of N cluster workers when workers > 1), one static PEP token, logging one line per request to stdout (the parent sends it to /dev/null).
// On the parent's 'cpu' message it reports its CPU time, so the parent can divide it by the requests served.
import cluster, { type Worker } from 'node:cluster';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import { createEngine } from '@portcullis/engine';
import * as server from '@portcullis/server';
import { generateWorkload, type ScaleName } from './workload.js';

const scale = (process.argv[2] ?? 'M') as ScaleName;
const log = process.argv[3] !== 'nolog';
const mode = process.argv[4] ?? 'server';
const workers = Number(process.argv[5] ?? '1');
if (workers > 1 && cluster.isPrimary) {
  // `portcullis serve --workers N` in miniature: N workers on one port (node:cluster, round-robin), each with its
  // own engine over the same deterministic workload; the CPU reported is the primary's plus every worker's
  cluster.setupPrimary({ exec: process.argv[1]!, args: [scale, log ? 'log' : 'nolog', mode, '1'] });
  const list = Array.from({ length: workers }, () => cluster.fork());
  const urls = await Promise.all(list.map((wk) => new Promise<string>((resolve) => wk.once('message', (m: { url: string }) => resolve(m.url)))));
  process.send!({ url: urls[0] });
  const ask = (wk: Worker) =>
    new Promise<number>((resolve) => {
      const on = (m: { cpuMicros?: number }) => {
        if (m.cpuMicros === undefined) return;
        wk.off('message', on);
        resolve(m.cpuMicros);
      };
      wk.on('message', on);
      wk.send('cpu');
    });
  process.on('message', async (m: unknown) => {
    if (m === 'cpu') {
      const u = process.cpuUsage();
      const each = await Promise.all(list.map(ask));
      process.send!({ cpuMicros: u.user + u.system + each.reduce((a, b) => a + b, 0), workers: each });
    } else if (m === 'stop') {
      await Promise.all(list.map((wk) => new Promise((resolve) => (wk.once('exit', resolve), wk.send('stop')))));
      process.exit(0);
    }
  });
} else if (mode === 'ceiling') {
  // the machine's ceiling: bare node:http reading the body and answering a fixed decision, no framework, no engine
  const bare = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end('{"decision":true}');
    });
  });
  bare.listen(0, '127.0.0.1', () => process.send!({ url: `http://127.0.0.1:${(bare.address() as { port: number }).port}` }));
  process.on('message', (m: unknown) => {
    if (m === 'cpu') {
      const u = process.cpuUsage();
      process.send!({ cpuMicros: u.user + u.system });
    } else if (m === 'stop') process.exit(0);
  });
} else {
/** `{profile: 'start'}` starts the CPU profiler, `{profile: <file>}` writes what it took to the file. */
let session: Session | undefined;
async function profile(what: string): Promise<void> {
  if (what === 'start') {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
  } else if (session !== undefined) {
    const { profile: p } = await session.post('Profiler.stop');
    writeFileSync(what, JSON.stringify(p));
    session.disconnect();
    session = undefined;
  }
  process.send!({ profiled: what });
}

{
// SERVE_TARGET_MODULE: another build of @portcullis/server (an older commit's dist, say) for an A/B comparison
const { createServer, createStaticTokenAuthenticator } = (process.env['SERVE_TARGET_MODULE'] ? await import(process.env['SERVE_TARGET_MODULE']) : server) as typeof server;
const w = generateWorkload(scale);
const engine = createEngine({ source: w.source });
const app = await createServer({
  engine,
  authenticator: createStaticTokenAuthenticator([{ token: 'bench-pep-token-0123456789', actor: { kind: 'pep' } }]),
  logger: log ? { level: 'info' } : false,
  maxEvaluations: 1000,
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.send!({ url });
process.on('message', (m: unknown) => {
  if (m === 'cpu') {
    const u = process.cpuUsage();
    process.send!({ cpuMicros: u.user + u.system });
  } else if (m === 'stop') {
    void app.close().then(() => process.exit(0));
  } else if (typeof m === 'object' && m !== null && 'profile' in m) void profile((m as { profile: string }).profile);
});
}
}
