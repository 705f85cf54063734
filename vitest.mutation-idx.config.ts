// Used only by the mutation runs of identity-index.ts's seal and of index-policy.ts (MUTATION.md, section "mutidx2"),
// never by CI. Under the whole mutation config their mutants are "static": some suites compile at a describe's top level,
// so the code runs while files are collected, StrykerJS cannot attribute it to tests and runs every test of the config
// for each mutant (minutes a mutant at load 10). The suites here compile inside their tests only, so StrykerJS's
// per-test coverage attributes the mutants and runs only the tests that reach each: the index's unit tests and pins,
// index-policy's pins, the conformance cases (and the analyses over them), the decision pins, the update pins, and a
// small compiled = reference and incremental = fresh layout property. A score under this config is a lower bound
// (fewer tests, fewer kills).
// Run: a StrykerJS config whose `vitest.configFile` names this file (MUTATION.md, "mutidx2", gives it in full).
import { defineConfig } from 'vitest/config';
import base from './vitest.mutation.config.js';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'packages/engine/src/compile/identity-index.test.ts',
      'packages/engine/src/compile/mutation-pins-identity-index.test.ts',
      'test/mutation-pins-identity-index*.test.ts',
      'packages/engine/src/compile/mutation-pins-index-policy.test.ts',
      // the row path's pins: a time rule's policy marked slow (index-policy.ts's isSlow) decides the decision cache's lifetime
      'packages/engine/src/compile/mutation-pins-apply-row.test.ts',
      'test/mutation-pins-index-policy.test.ts',
      'test/mutation-pins-analyses.test.ts',
      'test/mutation-pins-update-tables.test.ts',
      'test/evaluate-pins.test.ts',
      'test/conformance.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
  },
});
