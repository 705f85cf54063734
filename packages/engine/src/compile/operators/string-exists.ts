import { not } from '../predicate.js';
import { Uncompilable } from '../uncompilable.js';
import { Op } from '../tables.js';
import { NO_GLOBS, type OperatorMatcher } from './attribute-operator.js';

/** `stringExists`: `true` holds when the attribute is present (empty allowed), `false` when it is absent. */
export const stringExists: OperatorMatcher = {
  name: 'stringExists',
  code: Op.Exists,
  many: false,
  compile: (values, attribute) => {
    if (values[0] !== 'true' && values[0] !== 'false') throw new Uncompilable(`attribute \`${attribute}\`: stringExists takes true or false`);
    return { value: values[0], values, glob: null, globs: NO_GLOBS };
  },
  test: (m, x) => (m.value === 'true') === (x !== undefined),
  keys: () => null,
  predicate: (m, attr) => (m.value === 'true' ? { op: 'exists', attr } : not({ op: 'exists', attr })),
};
