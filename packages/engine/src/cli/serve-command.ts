// `portcullis serve` forwards to @portcullis/server (its `serveMain`), imported only when asked for, so the engine
// never depends on the HTTP stack. It is found from the engine itself or from the current project.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CliIo, ExitCode } from './cli-io.js';

type ServerModule = { serveMain?: (argv: string[]) => Promise<number> };

async function loadServer(): Promise<ServerModule | undefined> {
  // INVARIANT: the package name is a variable so the engine builds and runs without the server installed
  const name = '@portcullis/server';
  try {
    return (await import(name)) as ServerModule;
  } catch {
    try {
      const path = createRequire(join(process.cwd(), 'package.json')).resolve(name);
      return (await import(pathToFileURL(path).href)) as ServerModule;
    } catch {
      return undefined;
    }
  }
}

/** Runs `portcullis serve …` through @portcullis/server; exit 2 with one line when it is not installed. */
export async function serveCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const mod = await loadServer();
  if (mod === undefined || typeof mod.serveMain !== 'function') {
    io.err('portcullis: `serve` needs @portcullis/server: npm install @portcullis/server');
    return 2;
  }
  return (await mod.serveMain(args)) as ExitCode;
}
