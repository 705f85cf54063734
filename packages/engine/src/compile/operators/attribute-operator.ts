import type { Glob } from '../glob.js';
import type { Op } from '../tables.js';
import type { Predicate } from '../predicate.js';

/** The glob list of every operator without globs: shared, so a matcher costs no empty array. */
export const NO_GLOBS: readonly Glob[] = Object.freeze([]);

/** What an operator keeps of a condition's values once compiled. */
export interface OperatorValues {
  /** The first value (`stringExists`: `true` or `false`). */
  readonly value: string;
  readonly values: readonly string[];
  readonly glob: Glob | null;
  readonly globs: readonly Glob[];
}

/**
 * One attribute operator of SEMANTICS §3.1, complete in one file: how its values compile, how it tests a value, what
 * a keyed prefilter may key it by, and the predicate the analyses print. A new operator is a new file listed in
 * attribute-operators.ts (and the model's operator list, and the reference evaluator, its deliberately separate twin).
 */
export interface OperatorMatcher {
  /** The seed's name (`stringEquals`). */
  readonly name: string;
  /** The code kept on the matcher for quick checks (`Op.Equals` is what the index strips and inlines). */
  readonly code: Op;
  /** True for the `…AnyOf` operators: 1 to 10 values in an array. */
  readonly many: boolean;
  /** Compiles the condition's values (already strings); throws Uncompilable for what validation should have refused. */
  compile(values: readonly string[], attribute: string): OperatorValues;
  /** Whether the condition holds on the attribute value `x` (undefined: absent). */
  test(m: OperatorValues, x: string | undefined): boolean;
  /** The values `x` must equal for the condition to hold, for a keyed prefilter; null when it cannot be keyed. */
  keys(m: OperatorValues): readonly string[] | null;
  /** The condition on the resource's own attribute `attr`, as a predicate. */
  predicate(m: OperatorValues, attr: string): Predicate;
}
