import { Op } from '../tables.js';
import { NO_GLOBS, type OperatorMatcher } from './attribute-operator.js';

/** `stringEquals`: the value is present and equal, case-sensitive; numbers and booleans compared as strings. */
export const stringEquals: OperatorMatcher = {
  name: 'stringEquals',
  code: Op.Equals,
  many: false,
  compile: (values) => ({ value: values[0]!, values, glob: null, globs: NO_GLOBS }),
  test: (m, x) => x === m.value,
  keys: (m) => [m.value],
  predicate: (m, attr) => ({ op: 'eq', attr, value: m.value }),
};
