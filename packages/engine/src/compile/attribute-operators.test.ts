import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ATTRIBUTE_OPERATOR_TABLE } from './attribute-operators.js';
import { ATTRIBUTE_OPERATORS } from '../model/attribute.js';
import { referenceGlobMatch } from '../testing/reference-evaluator.js';

const word = fc.stringMatching(/^[ab*?]{0,4}$/);

describe('attribute operators, one file each', () => {
  it('cover exactly the model operators', () => {
    expect(Object.keys(ATTRIBUTE_OPERATOR_TABLE).sort()).toEqual([...ATTRIBUTE_OPERATORS].sort());
    for (const [name, op] of Object.entries(ATTRIBUTE_OPERATOR_TABLE)) expect(op.name).toBe(name);
  });

  it('key a prefilter soundly: whenever a condition holds, the value is among its keys (or it has none)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ATTRIBUTE_OPERATORS), fc.array(word, { minLength: 1, maxLength: 3 }), fc.option(word, { nil: undefined }), (name, raw, x) => {
        const op = ATTRIBUTE_OPERATOR_TABLE[name];
        const values = name === 'stringExists' ? [raw[0]!.length % 2 === 0 ? 'true' : 'false'] : op.many ? raw : [raw[0]!];
        const m = op.compile(values, 'a');
        const keys = op.keys(m);
        if (op.test(m, x) && keys !== null) expect(keys).toContain(x);
      }),
      { numRuns: 2000 },
    );
  });

  it('test as SEMANTICS §3.1 says', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 3 }), fc.option(word, { nil: undefined }), (values, x) => {
        const t = ATTRIBUTE_OPERATOR_TABLE;
        const one = [values[0]!];
        expect(t.stringEquals.test(t.stringEquals.compile(one, 'a'), x)).toBe(x !== undefined && x === values[0]);
        expect(t.stringMatch.test(t.stringMatch.compile(one, 'a'), x)).toBe(x !== undefined && referenceGlobMatch(values[0]!, x));
        expect(t.stringEqualsAnyOf.test(t.stringEqualsAnyOf.compile(values, 'a'), x)).toBe(x !== undefined && values.includes(x));
        expect(t.stringMatchAnyOf.test(t.stringMatchAnyOf.compile(values, 'a'), x)).toBe(x !== undefined && values.some((v) => referenceGlobMatch(v, x)));
        expect(t.stringExists.test(t.stringExists.compile(['true'], 'a'), x)).toBe(x !== undefined);
        expect(t.stringExists.test(t.stringExists.compile(['false'], 'a'), x)).toBe(x === undefined);
      }),
      { numRuns: 1000 },
    );
  });
});
