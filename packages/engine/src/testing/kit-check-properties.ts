// Runs the ready properties on one source and reports each, so a test (or a script) gets one answer
// with the counterexample and the seed to replay it, instead of the first thrown assertion.
import fc from 'fast-check';
import { ValidationError } from '../errors.js';
import type { Source } from '../model/source.js';
import { KIT_PROPERTIES, type KitCase, type KitPropertyName, type KitPropertyOptions } from './kit-properties.js';

/** Options of checkProperties. */
export interface CheckPropertiesOptions extends KitPropertyOptions {
  /** Runs per property; 100 by default. */
  numRuns?: number;
  /** The fast-check seed, to replay a reported failure. */
  seed?: number;
  /** Which properties to run; all by default. */
  properties?: KitPropertyName[];
}

/** The outcome of one property. */
export interface KitPropertyResult {
  name: KitPropertyName;
  passed: boolean;
  numRuns: number;
  seed: number;
  /** fast-check's replay path of the shrunk counterexample, with `seed`. */
  path?: string;
  /** What broke, for a failed property. */
  message?: string;
  /** The shrunk counterexample: the source (or variation) and the requests. */
  counterexample?: KitCase;
}

/** The outcome of checkProperties: passed when every property passed. */
export interface KitReport {
  passed: boolean;
  results: KitPropertyResult[];
}

/** Runs the ready properties on a source and returns a report; never throws for a failing property. */
export function checkProperties(source: Source, opts: CheckPropertiesOptions = {}): KitReport {
  const names = opts.properties ?? (Object.keys(KIT_PROPERTIES) as KitPropertyName[]);
  const numRuns = opts.numRuns ?? 100;
  const issues = names.flatMap((n, i) => (Object.hasOwn(KIT_PROPERTIES, n) ? [] : [{ path: ['properties', i], message: `unknown property \`${n}\`` }]));
  if (!Number.isInteger(numRuns) || numRuns < 1) issues.push({ path: ['numRuns'], message: 'must be a positive integer' });
  if (issues.length > 0) throw new ValidationError('invalid_options', issues);
  const results = names.map((name): KitPropertyResult => {
    const property = KIT_PROPERTIES[name](source, opts);
    const details = fc.check(property, { numRuns, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
    if (!details.failed) return { name, passed: true, numRuns: details.numRuns, seed: details.seed };
    const error = details.errorInstance;
    return {
      name,
      passed: false,
      numRuns: details.numRuns,
      seed: details.seed,
      ...(details.counterexamplePath !== null ? { path: details.counterexamplePath } : {}),
      message: error instanceof Error ? error.message : String(error),
      ...(details.counterexample !== null ? { counterexample: details.counterexample[0] } : {}),
    };
  });
  return { passed: results.every((r) => r.passed), results };
}
