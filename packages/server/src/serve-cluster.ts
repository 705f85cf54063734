// `portcullis serve --workers N`: N server processes (node:cluster) sharing one port, each with its own engine
// following the store's change feed (SQLite polls its data version, PostgreSQL listens), so decisions scale over
// the cores. The primary holds no engine: it seeds the store once, starts the workers, keeps readiness (ready only
// while every worker is), restarts a worker that dies, and on SIGTERM drains them all. Management stays
// read-your-writes across workers: every management request first catches up with the store (createServer's
// `readYourWrites`), and a write that loses a race to another worker reruns on the state that won (engine.apply).
import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { ValidationError } from '@portcullis/engine';
import { prepareStore, serve, type RunningServer, type ServeOptions } from './serve.js';

const TAG = 'portcullis-serve';
/** Set in a worker's environment by the primary, so a host's own cluster worker is never taken for one of ours. */
export const WORKER_ENV = 'PORTCULLIS_SERVE_WORKER';
/** A worker's status older than this counts as not ready (a worker stuck in a long task, say). */
const STALE_MS = 3000;
const REPORT_MS = 500;

type Message =
  | { [TAG]: 'status'; ready: boolean }
  | { [TAG]: 'cluster'; ready: boolean };

function ours(m: unknown): m is Message {
  return typeof m === 'object' && m !== null && TAG in m;
}

function line(text: string): void {
  process.stderr.write(`portcullis serve: ${text}\n`);
}

function failure(e: unknown): string {
  return e instanceof ValidationError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`;
}

/** True in a process our primary started as a worker. */
export function isServeWorker(): boolean {
  return cluster.isWorker && process.env[WORKER_ENV] === '1';
}

/**
 * A worker: serves like a single process (without seeding the store), reports its own readiness to the primary
 * every half second and takes the cluster's readiness for /readyz; drains on SIGTERM (the primary's, or anyone's).
 */
export async function runWorker(options: ServeOptions, stopped: Promise<string>): Promise<number> {
  let clusterReady = false;
  let closing = false;
  const onMessage = (m: unknown) => {
    if (ours(m) && m[TAG] === 'cluster') clusterReady = m.ready;
  };
  process.on('message', onMessage);
  let running: RunningServer | undefined;
  try {
    try {
      const { source: _s, bootstrap: _b, ...rest } = options;
      running = await serve(rest, { clusterReady: () => clusterReady && !closing });
    } catch (e) {
      line(failure(e));
      return 2;
    }
    const r = running;
    const report = () => {
      const f = r.engine.followStatus();
      process.send?.({ [TAG]: 'status', ready: !closing && !(f.following && !f.connected) } satisfies Message, undefined, {}, () => undefined);
    };
    report();
    const timer = setInterval(report, REPORT_MS);
    await stopped;
    closing = true;
    clearInterval(timer);
    report();
    await r.close();
    return 0;
  } finally {
    process.off('message', onMessage);
    // the IPC channel would keep the process alive
    if (process.connected) process.disconnect();
  }
}

/**
 * The primary: seeds the store, starts `options.workers` workers running this same command, prints where they
 * listen once they all do, and returns the exit code once they have all drained after `stopped` (a signal) — or 2
 * at once when a worker fails before it ever listened (bad options, a store it cannot open).
 */
export async function runPrimary(options: ServeOptions, argv: string[], main: string, stopped: Promise<string>): Promise<number> {
  const n = options.workers ?? 1;
  try {
    await prepareStore(options);
  } catch (e) {
    line(failure(e));
    return 2;
  }
  cluster.setupPrimary({ exec: main, args: argv });
  const state = new Map<Worker, { listening: boolean; ready: boolean; at: number }>();
  let closing = false;
  let told: boolean | undefined;
  let url: string | undefined;
  let failed = false;
  let wake: () => void = () => undefined;
  const changed = () => wake();
  const aggregate = () => {
    if (closing || state.size !== n) return false;
    const now = Date.now();
    for (const s of state.values()) if (!s.listening || !s.ready || now - s.at > STALE_MS) return false;
    return true;
  };
  const tell = (force = false) => {
    const ready = aggregate();
    if (ready === told && !force) return;
    told = ready;
    for (const w of state.keys()) if (w.isConnected()) w.send({ [TAG]: 'cluster', ready } satisfies Message, undefined, () => undefined);
  };
  const codes: number[] = [];
  const start = (): void => {
    const w = cluster.fork({ [WORKER_ENV]: '1' });
    const s = { listening: false, ready: false, at: 0 };
    state.set(w, s);
    w.on('message', (m: unknown) => {
      if (!ours(m) || m[TAG] !== 'status') return;
      s.ready = m.ready;
      s.at = Date.now();
      tell();
    });
    w.on('listening', (a: AddressInfo & { addressType?: number | string }) => {
      s.listening = true;
      url ??= `http://${a.addressType === 6 || a.addressType === 'udp6' || a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`;
      tell(true);
      changed();
    });
    w.on('exit', (code, signal) => {
      state.delete(w);
      // a worker our SIGTERM ended before it had installed its handlers had nothing to drain: a clean exit
      if (closing) codes.push(code ?? (signal === 'SIGTERM' ? 0 : 1));
      tell();
      if (closing) return changed();
      if (!s.listening) {
        // a worker that could not start: the others would fail alike; stop the whole server
        failed = true;
        return changed();
      }
      line(`worker ${w.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
      setTimeout(() => {
        if (!closing) start();
      }, 1000).unref();
    });
  };
  const timer = setInterval(() => tell(), REPORT_MS);
  let why: string | undefined;
  void stopped.then((s) => {
    why = s;
    changed();
  });
  try {
    for (let i = 0; i < n; i++) start();
    const until = async (done: () => boolean) => {
      while (!done()) await new Promise<void>((resolve) => (wake = resolve));
    };
    await until(() => failed || why !== undefined || (state.size === n && [...state.values()].every((s) => s.listening)));
    if (!failed && why === undefined) {
      line(`listening on ${url} (${n} workers)`);
      await until(() => failed || why !== undefined);
    }
    closing = true;
    tell(true);
    if (why !== undefined) line(`${why}: closing`);
    // a signal, not a message: a worker still loading has no message listener yet (a message would be lost), and
    // one that has not installed its handlers has nothing to drain (the signal's default ends it)
    for (const w of state.keys()) w.process.kill('SIGTERM');
    await until(() => state.size === 0);
    if (failed && why === undefined) return 2;
    line('closed');
    return codes.every((c) => c === 0) ? 0 : 1;
  } finally {
    clearInterval(timer);
  }
}
