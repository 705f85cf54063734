// Used only by the mutation run of identity-index.ts's seal (MUTATION.md, section "mutidx2"), never by CI: sealIndex and
// the staging run while test files are collected (a compile at a describe's top level), so StrykerJS cannot attribute
// them to tests and runs every test of its config for each of their mutants ("static" mutants). Under the whole mutation
// config that is minutes a mutant; here the run is narrowed to the fast suites that exercise the seal: the index's unit
// tests and pins, the conformance cases, the decision pins, the update pins and a small compiled = reference and
// incremental = fresh layout property. A score under this config is a lower bound (fewer tests, fewer kills).
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
      'test/mutation-pins-update-tables.test.ts',
      'test/evaluate-pins.test.ts',
      'test/conformance.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
  },
});
