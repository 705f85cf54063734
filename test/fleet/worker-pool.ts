// Drives engine-worker.mjs processes from a test or a bench: spawn, send a command, await the reply lines.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./engine-worker.mjs', import.meta.url));

/** One engine process and the lines it printed that nobody has taken yet. */
export class Worker {
  readonly child: ChildProcessWithoutNullStreams;
  #lines: string[] = [];
  #waiters: (() => void)[] = [];
  #err = '';
  #exited: string | undefined;

  constructor(target: string, schema: string, index: number, workers: number) {
    this.child = spawn(process.execPath, [WORKER, target, schema, String(index), String(workers)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let buffer = '';
    this.child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      this.#lines.push(...parts);
      for (const w of this.#waiters.splice(0)) w();
    });
    this.child.stderr.on('data', (d: Buffer) => (this.#err += d.toString()));
    // a worker that died is reported by next()/until(); writing to it must not throw on its own
    this.child.stdin.on('error', () => undefined);
    this.child.on('close', (code, signal) => {
      this.#exited = `worker ${index} exited (${code ?? signal}): ${this.#err}`;
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  send(command: string): void {
    this.child.stdin.write(`${command}\n`);
  }

  /** The next line starting with `prefix` (lines before it are dropped). */
  async next(prefix: string): Promise<string[]> {
    for (;;) {
      const at = this.#lines.findIndex((l) => l.startsWith(`${prefix} `) || l === prefix);
      if (at >= 0) return this.#lines.splice(0, at + 1).pop()!.split(' ').slice(1);
      if (this.#exited !== undefined) throw new Error(this.#exited);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Every line up to and including `prefix`. */
  async until(prefix: string): Promise<string[][]> {
    const taken: string[][] = [];
    for (;;) {
      const at = this.#lines.findIndex((l) => l.startsWith(`${prefix} `) || l === prefix);
      if (at >= 0) {
        taken.push(...this.#lines.splice(0, at + 1).map((l) => l.split(' ')));
        return taken;
      }
      if (this.#exited !== undefined) throw new Error(this.#exited);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  async exit(): Promise<void> {
    if (this.#exited !== undefined) return;
    const closed = new Promise((resolve) => this.child.once('close', resolve));
    this.send('exit');
    await closed;
  }
}

/** Starts `n` workers on one store and waits until each says it is ready. */
export async function startWorkers(target: string, schema: string, n: number): Promise<Worker[]> {
  const workers = Array.from({ length: n }, (_, i) => new Worker(target, schema, i, n));
  await Promise.all(workers.map((w) => w.next('ready')));
  return workers;
}
