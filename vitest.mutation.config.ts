// Used only by the mutation run (`pnpm mutation`, not in CI): the engine's tests resolve @portcullis/engine to its
// TypeScript sources instead of the build, so that StrykerJS sees the mutants it writes into src/.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// StrykerJS stops a mutant's run at the first failing test (bail 1), and vitest runs the longest files first: a mutant
// the engine's unit tests kill in a second waited minutes for the access-control suites. Here the unit tests come
// first, then the other suites from the smallest file.
class SmallFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const unit = (f: TestSpecification) => f.moduleId.includes('/packages/engine/src/');
    const size = (f: TestSpecification) => statSync(f.moduleId).size;
    return [...files].sort((a, b) => Number(unit(b)) - Number(unit(a)) || size(a) - size(b));
  }
}

// MUTATION_FAST=1 leaves out the three random-actor property suites: every mutant of the review is covered by them, and
// a mutant that survives spends about 40 s in them alone. A fast score is a lower bound (fewer tests kill fewer mutants).
const PROPERTY_SUITES = ['test/access-control-property.test.ts', 'test/access-control-delegation-property.test.ts', 'test/access-control-witness-property.test.ts'];
const fastMode = process.env['MUTATION_FAST'];
if (fastMode !== undefined && fastMode !== '' && fastMode !== '1') throw new Error(`MUTATION_FAST must be 1 or unset, not ${JSON.stringify(fastMode)}`);
const fast = fastMode === '1';

const src = (path: string) => fileURLToPath(new URL(`./packages/engine/src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@portcullis\/engine\/testing$/, replacement: src('testing/index.ts') },
      { find: /^@portcullis\/engine\/internals$/, replacement: src('internals.ts') },
      { find: /^@portcullis\/engine$/, replacement: src('index.ts') },
      // the memory store is pure TypeScript over the engine: from its sources too (the sandbox copies no dist/)
      { find: /^@portcullis\/store-memory$/, replacement: fileURLToPath(new URL('./packages/store-memory/src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    // the suites that decide requests through the engine alone (store, SQLite and CLI suites read the build, and
    // better-sqlite3 is built for the project's Node 20, not the mutation run's Node 22)
    include: [
      'packages/engine/src/compile/*.test.ts',
      'packages/engine/src/evaluate/*.test.ts',
      // the review's own unit tests (witnesses against a brute-force partition, the clock turns)
      'packages/engine/src/manage/access/*.test.ts',
      'packages/engine/src/engine/review-findings.test.ts',
      'packages/engine/src/testing/reference-evaluator.test.ts',
      'test/conformance.test.ts',
      'test/evaluate-pins.test.ts',
      // the management review (manage/access/escalation, delegation, gate, targets, witnesses): operations through the Engine
      'test/access-control*.test.ts',
      'test/manage-ibm-access-groups.test.ts',
      // the actor's SSO word reaching the gate (an SSO-gated administrator manages with it, is refused without)
      'test/manage-cloudflare-fidelity.test.ts',
      // pins aimed at one file's survivors (test/mutation-pins-<file>.test.ts)
      'test/mutation-pins-*.test.ts',
      // a request's unknown keys (resolve-request.ts's unknownKeys, decision-cache's plain check)
      'test/strict-requests.test.ts',
      // a batch's shared work (decideMany, resolve-request.ts's batch memos): each item as authorize decides it
      'test/perfreq-batch.test.ts',
    ],
    // redteam3 has a case that opens a SQLite store (better-sqlite3 is built for Node 20): it fails the run's dry run
    exclude: ['**/node_modules/**', '**/dist/**', 'test/access-control-redteam3.test.ts', ...(fast ? PROPERTY_SUITES : [])],
    sequence: { sequencer: SmallFirst },
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
