/**
 * The JIT-cold start-up work of one or two builds, in new processes, without a database: what a service pays once.
 * `node bench/dist/compile-probe.js L [rounds=5] [repo] [otherRepo]` — each round runs, for each repo in turn (so the
 * two builds alternate under the same load), one new process that generates the workload, writes its checkpoint text
 * with that build's encoder, then decodes it (the CPU part of a store's load, checksum matched) and compiles the
 * decoded source once, as `createEngineFromStore` does. Prints the CPU time (user + system) of the decode and of the
 * compile (the process's, and the compile's main thread alone), the compile's wall time and its GC time, its system
 * CPU time and minor page faults (the fresh memory it touches: on the 2-core VM each MB faulted in costs about 2 ms of
 * system time), per round, and the medians. `repo` is the root of a checkout
 * whose packages/engine/dist and bench/dist are built (default: this one).
 * `compile-probe.js child <repo> <scale>` runs one such process and prints its figures as JSON; with
 * COMPILE_PROFILE=<file> it also CPU-profiles the compile alone (100 µs samples) into that file, for profile-summary.js.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

interface Figures {
  decodeCpu: number;
  compileCpu: number;
  /** CPU time of the main thread alone (10 ms ticks): what an idle machine waits for, the GC and JIT threads' work aside. */
  compileMainCpu: number;
  compileWall: number;
  compileGc: number;
  /** System CPU time of the compile (the process's): mostly the kernel's page faults. */
  compileSys: number;
  /** Minor page faults during the compile: 4 KB pages of fresh memory first touched. */
  compileFaults: number;
}

const here = fileURLToPath(import.meta.url);
const self = fileURLToPath(new URL('../..', import.meta.url));

/** CPU time of this process's main thread, in milliseconds, from /proc (Linux; NaN elsewhere). */
function mainThreadCpu(): number {
  try {
    const fields = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name, in 1/100 s (Linux's USER_HZ)
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

async function child(repo: string, scale: string): Promise<Figures> {
  type EngineModule = typeof import('@portcullis/engine');
  type KitModule = typeof import('@portcullis/engine/store-kit');
  type WorkloadModule = typeof import('./workload.js');
  const { compile } = (await import(`${repo}/packages/engine/dist/index.js`)) as EngineModule;
  const kit = (await import(`${repo}/packages/engine/dist/store-kit/index.js`)) as KitModule;
  const { generateWorkload } = (await import(`${repo}/bench/dist/workload.js`)) as WorkloadModule;
  let text: string | undefined = kit.encodeCheckpoint(generateWorkload(scale as 'L').source);
  const checksum = kit.checkpointChecksum(text);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const c0 = cpu();
  const source = kit.decodeCheckpoint(text, true, checksum);
  if (source === undefined) throw new Error('checkpoint not usable');
  text = undefined;
  const c1 = cpu();
  let gcMs = 0;
  let counting = false;
  const observer = new PerformanceObserver((list) => {
    if (counting) for (const e of list.getEntries()) gcMs += e.duration;
  });
  observer.observe({ entryTypes: ['gc'] });
  counting = true;
  const profile = process.env['COMPILE_PROFILE'];
  const session = profile === undefined ? undefined : new Session();
  if (session !== undefined) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
  }
  const w0 = performance.now();
  const m2 = mainThreadCpu();
  const r2 = process.resourceUsage();
  const c2 = cpu();
  const tables = compile(source);
  const c3 = cpu();
  const r3 = process.resourceUsage();
  const m3 = mainThreadCpu();
  const w1 = performance.now();
  if (session !== undefined) {
    fs.writeFileSync(profile!, JSON.stringify((await session.post('Profiler.stop')).profile));
    session.disconnect();
  }
  // GC entries reach the observer some turns after the GC
  await new Promise((r) => setTimeout(r, 50));
  counting = false;
  observer.disconnect();
  if (tables.size === 0) throw new Error('empty tables');
  return {
    decodeCpu: c1 - c0,
    compileCpu: c3 - c2,
    compileMainCpu: m3 - m2,
    compileWall: w1 - w0,
    compileGc: gcMs,
    compileSys: (r3.systemCPUTime - r2.systemCPUTime) / 1000,
    compileFaults: r3.minorPageFault - r2.minorPageFault,
  };
}

if (process.argv[2] === 'child') {
  console.log(JSON.stringify(await child(process.argv[3]!, process.argv[4]!)));
} else {
  const [scale = 'L', roundsArg = '5', ...given] = process.argv.slice(2);
  const repos = given.length > 0 ? given : [self];
  const rounds = Number(roundsArg);
  const runs = new Map<string, Figures[]>(repos.map((r) => [r, []]));
  const f = (x: number) => x.toFixed(0).padStart(5);
  console.log(`compile-probe ${scale}, ${rounds} rounds, ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  for (let i = 0; i < rounds; i++)
    for (const repo of repos) {
      const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', here, 'child', repo, scale], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
      const x = JSON.parse(r.stdout) as Figures;
      runs.get(repo)!.push(x);
      console.log(`${repo}: decode ${f(x.decodeCpu)} ms cpu, compile ${f(x.compileCpu)} ms cpu (main thread ${f(x.compileMainCpu)}), ${f(x.compileWall)} ms wall, gc ${f(x.compileGc)} ms, system ${f(x.compileSys)} ms, ${x.compileFaults} faults; load ${os.loadavg()[0]!.toFixed(2)}`);
    }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  for (const [repo, xs] of runs)
    console.log(
      `median ${repo}: decode ${f(median(xs.map((x) => x.decodeCpu)))} ms cpu, compile ${f(median(xs.map((x) => x.compileCpu)))} ms cpu (main thread ${f(median(xs.map((x) => x.compileMainCpu)))}), ` +
        `${f(median(xs.map((x) => x.compileWall)))} ms wall, gc ${f(median(xs.map((x) => x.compileGc)))} ms, ` +
        `system ${f(median(xs.map((x) => x.compileSys)))} ms, ${median(xs.map((x) => x.compileFaults))} faults`,
    );
  console.log(`load average at end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}
