import type { OperatorMatcher } from './operators/attribute-operator.js';
import { stringEquals } from './operators/string-equals.js';
import { stringEqualsAnyOf } from './operators/string-equals-any-of.js';
import { stringExists } from './operators/string-exists.js';
import { stringMatch } from './operators/string-match.js';
import { stringMatchAnyOf } from './operators/string-match-any-of.js';
import type { AttributeOperator } from '../model/attribute.js';

/** Every attribute operator by its seed name: the one list the compiler reads (typed so none of the model's is missing). */
export const ATTRIBUTE_OPERATOR_TABLE: { readonly [K in AttributeOperator]: OperatorMatcher } = {
  stringEquals,
  stringMatch,
  stringExists,
  stringEqualsAnyOf,
  stringMatchAnyOf,
};
