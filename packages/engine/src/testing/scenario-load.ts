// Loads a scenario file from disk: the file, then its source (inline, or a path relative to the file),
// both validated. The one place of ./testing that reads files; runScenario itself stays pure.
import { dirname, resolve } from 'node:path';
import { ValidationError } from '../errors.js';
import { parseSource } from '../model/parse-source.js';
import type { Source } from '../model/source.js';
import { parseScenarioFile, type ScenarioCase } from './scenario-file.js';
import { readJsonFile } from './scenario-json-file.js';

/** A scenario file read and validated, with its source parsed. */
export interface LoadedScenario {
  /** The scenario file's path, as given. */
  file: string;
  description?: string;
  /** The source file's resolved path, when the source is not inline. */
  sourceFile?: string;
  source: Source;
  cases: ScenarioCase[];
  now?: number | string;
}

/** Prefixes every issue of a ValidationError, so that one message says which file is at fault. */
function within(e: unknown, what: string, pathPrefix: (string | number)[]): never {
  if (!(e instanceof ValidationError)) throw e;
  const issues = e.issues.map((i) => ({ path: [...pathPrefix, ...i.path], message: i.message }));
  const only = issues[0];
  // a file that cannot be read or is not JSON is one root issue: one line
  if (issues.length === 1 && only !== undefined && only.path.length === 0) throw new ValidationError(e.code, issues, `${what}: ${only.message}`);
  const lines = issues.map((i) => `  ${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new ValidationError(e.code, issues, [`${what}: ${e.code.replace(/_/g, ' ')}: ${issues.length} issue${issues.length === 1 ? '' : 's'}`, ...lines].join('\n'));
}

/** Reads, validates and resolves one scenario file; throws a ValidationError naming the file for anything wrong with it or its source. */
export function loadScenarioFile(file: string): LoadedScenario {
  let scenario;
  try {
    scenario = parseScenarioFile(readJsonFile(file));
  } catch (e) {
    within(e, `scenario \`${file}\``, []);
  }
  let source: Source;
  let sourceFile: string | undefined;
  if (typeof scenario.source === 'string') {
    sourceFile = resolve(dirname(file), scenario.source);
    try {
      source = parseSource(readJsonFile(sourceFile));
    } catch (e) {
      within(e, `scenario \`${file}\`: source \`${scenario.source}\``, []);
    }
  } else {
    try {
      source = parseSource(scenario.source);
    } catch (e) {
      within(e, `scenario \`${file}\``, ['source']);
    }
  }
  return {
    file,
    ...(scenario.description !== undefined ? { description: scenario.description } : {}),
    ...(sourceFile !== undefined ? { sourceFile } : {}),
    source,
    cases: scenario.cases,
    ...(scenario.now !== undefined ? { now: scenario.now } : {}),
  };
}
