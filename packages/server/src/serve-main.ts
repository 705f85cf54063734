#!/usr/bin/env node
// The `portcullis-serve` command (and what `portcullis serve` forwards to): starts the server, stops it cleanly on
// SIGTERM or SIGINT (in-flight requests finish, the store closes), exits 0; a bad start is one line and exit 2.
import { pathToFileURL } from 'node:url';
import { ValidationError } from '@portcullis/engine';
import { parseServeArgs, serve } from './serve.js';

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
    let running;
    try {
      running = await serve(parseServeArgs(argv));
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
