import { compileGlob, matchGlob } from '../glob.js';
import { Op } from '../tables.js';
import { NO_GLOBS, type OperatorMatcher } from './attribute-operator.js';

/** `stringMatch`: the value is present and the glob (`*`, `?`, `{{*}}`, `{{?}}`) matches the whole of it. */
export const stringMatch: OperatorMatcher = {
  name: 'stringMatch',
  code: Op.Match,
  many: false,
  compile: (values) => ({ value: values[0]!, values, glob: compileGlob(values[0]!), globs: NO_GLOBS }),
  test: (m, x) => x !== undefined && matchGlob(m.glob!, x),
  keys: () => null,
  predicate: (m, attr) => ({ op: 'match', attr, pattern: m.value }),
};
