// Scenario files as tests: one test per case, registered with the test function the caller passes in
// (vitest's `it`, or any runner's), so ./testing depends on no test runner.
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../errors.js';
import { callerFile } from './caller-file.js';
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

/**
 * Loads a scenario file now (a bad file throws a ValidationError at collection), registers one test per case, and
 * returns the report with its coverage. A relative path is read relative to the calling file, as an import is (not
 * to the working directory); a `URL` (`new URL('./x.json', import.meta.url)`) or an absolute path is taken as is.
 */
export function defineScenarioTests(file: string | URL, opts: DefineScenarioTestsOptions): ScenarioReport {
  const loaded = loadScenarioFile(resolveScenarioPath(file, defineScenarioTests));
  const report = runScenario(loaded);
  for (const c of report.cases) {
    opts.it(c.name, () => {
      if (!c.passed) throw new Error(`${c.name}: ${c.failures.join('; ')}`);
    });
  }
  return report;
}

/** Resolves the path given to defineScenarioTests; a relative path whose caller cannot be known is refused, not guessed. */
function resolveScenarioPath(file: string | URL, api: Function): string {
  if (file instanceof URL) {
    if (file.protocol !== 'file:') throw invalid(`scenario \`${file.href}\`: only file URLs can be read`);
    return fileURLToPath(file);
  }
  if (typeof file !== 'string') throw invalid('the scenario file must be a path or a file URL');
  if (file.startsWith('file:')) return fileURLToPath(file);
  if (isAbsolute(file)) return file;
  const caller = callerFile(api);
  if (caller === undefined)
    throw invalid(`scenario \`${file}\`: a relative path is read relative to the calling file, which is unknown here: pass \`new URL('${file}', import.meta.url)\` or an absolute path`);
  return resolve(dirname(caller), file);
}

function invalid(message: string): ValidationError {
  return new ValidationError('invalid_input', [{ path: [], message }], message);
}
