// Scenario files as tests: one test per case, registered with the test function the caller passes in
// (vitest's `it`, or any runner's), so ./testing depends on no test runner.
import type { ScenarioReport } from './scenario-run.js';
import { runScenario } from './scenario-run.js';
import { loadScenarioFile } from './scenario-load.js';

/** A test registrar such as vitest's `it`. */
export type TestFunction = (name: string, fn: () => void) => unknown;

/** Options of defineScenarioTests. */
export interface DefineScenarioTestsOptions {
  /** The test registrar, e.g. vitest's `it`. */
  it: TestFunction;
}

/** Loads a scenario file now (a bad file throws a ValidationError at collection), registers one test per case, and returns the report with its coverage. */
export function defineScenarioTests(file: string, opts: DefineScenarioTestsOptions): ScenarioReport {
  const loaded = loadScenarioFile(file);
  const report = runScenario(loaded);
  for (const c of report.cases) {
    opts.it(c.name, () => {
      if (!c.passed) throw new Error(`${c.name}: ${c.failures.join('; ')}`);
    });
  }
  return report;
}
