import { anyOf } from '../predicate.js';
import { Op } from '../tables.js';
import { NO_GLOBS, type OperatorMatcher } from './attribute-operator.js';

/** `stringEqualsAnyOf`: the value is present and equal to one of 1 to 10 values. */
export const stringEqualsAnyOf: OperatorMatcher = {
  name: 'stringEqualsAnyOf',
  code: Op.EqualsAnyOf,
  many: true,
  compile: (values) => ({ value: values[0]!, values, glob: null, globs: NO_GLOBS }),
  // Stryker disable next-line ConditionalExpression: the values are strings, so includes(undefined) is false anyway; the test types `x` for includes (the mark also hides the killed `false` form)
  test: (m, x) => x !== undefined && m.values.includes(x),
  keys: (m) => m.values,
  predicate: (m, attr) => anyOf(attr, m.values),
};
