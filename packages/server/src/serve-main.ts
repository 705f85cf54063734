#!/usr/bin/env node
// The `portcullis-serve` command (and what `portcullis serve` forwards to): starts the server, stops it cleanly on
// SIGTERM or SIGINT (in-flight requests finish, the store closes), exits 0; a bad start is one line and exit 2.
// With `--workers N` (N > 1) this process is the primary of N workers (serve-cluster.ts), each running this file.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ValidationError } from '@portcullis/engine';
import { isServeWorker, runPrimary, runWorker } from './serve-cluster.js';
import { parseServeArgs, serve, type ServeOptions } from './serve.js';

/** Runs the server until a signal; resolves with the exit code. */
export async function serveMain(argv: string[]): Promise<number> {
  // INVARIANT: the handlers are in place before the server starts and stay for its whole life, so a signal that
  // comes early, or a second one while closing, never kills the process half-way (the first one wins)
  let signalled: (name: string) => void = () => undefined;
  const signal = new Promise<string>((resolve) => (signalled = resolve));
  const onSignal = (name: string) => () => signalled(name);
  const onTerm = onSignal('SIGTERM');
  const onInt = onSignal('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  try {
    let options: ServeOptions;
    try {
      options = parseServeArgs(argv);
    } catch (e) {
      process.stderr.write(`portcullis serve: ${e instanceof ValidationError ? e.message : String(e)}\n`);
      return 2;
    }
    if (isServeWorker()) return await runWorker(options, signal);
    if ((options.workers ?? 1) > 1) return await runPrimary(options, argv, fileURLToPath(import.meta.url), signal);
    let running;
    try {
      running = await serve(options);
    } catch (e) {
      const msg = e instanceof ValidationError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`;
      process.stderr.write(`portcullis serve: ${msg}\n`);
      return 2;
    }
    process.stderr.write(`portcullis serve: listening on ${running.url}\n`);
    process.stderr.write(`portcullis serve: ${await signal}: closing\n`);
    await running.close();
    process.stderr.write('portcullis serve: closed\n');
    return 0;
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await serveMain(process.argv.slice(2));
}
