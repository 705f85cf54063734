// Runs the CLI as a user does: a spawned node on the built script (packages/engine/dist/cli/main.js), in `cwd`.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages', 'engine', 'dist', 'cli', 'main.js');

export function runCli(cwd: string, ...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI_MAIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
