// Used only by the mutation run (`pnpm mutation`, not in CI): the engine's tests resolve @portcullis/engine to its
// TypeScript sources instead of the build, so that StrykerJS sees the mutants it writes into src/.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./packages/engine/src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@portcullis\/engine\/testing$/, replacement: src('testing/index.ts') },
      { find: /^@portcullis\/engine\/internals$/, replacement: src('internals.ts') },
      { find: /^@portcullis\/engine$/, replacement: src('index.ts') },
    ],
  },
  test: {
    // the suites that decide requests through the engine alone (store, SQLite and CLI suites read the build, and
    // better-sqlite3 is built for the project's Node 20, not the mutation run's Node 22)
    include: [
      'packages/engine/src/compile/*.test.ts',
      'packages/engine/src/evaluate/*.test.ts',
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
    ],
    // access-control-redteam3 opens SQLite stores: better-sqlite3 is built for Node 20, the run is on Node 22
    exclude: ['**/node_modules/**', '**/dist/**', 'test/access-control-redteam3.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
