import { or, type Predicate } from '../predicate.js';
import { compileGlob, matchGlob } from '../glob.js';
import { Op } from '../tables.js';
import type { OperatorMatcher } from './attribute-operator.js';

/** `stringMatchAnyOf`: the value is present and one of 1 to 10 globs matches the whole of it. */
export const stringMatchAnyOf: OperatorMatcher = {
  name: 'stringMatchAnyOf',
  code: Op.MatchAnyOf,
  many: true,
  compile: (values) => ({ value: values[0]!, values, glob: null, globs: values.map(compileGlob) }),
  test: (m, x) => {
    if (x === undefined) return false;
    for (const g of m.globs) if (matchGlob(g, x)) return true;
    return false;
  },
  keys: () => null,
  predicate: (m, attr) => or(...m.values.map((pattern) => ({ op: 'match', attr, pattern }) satisfies Predicate)),
};
