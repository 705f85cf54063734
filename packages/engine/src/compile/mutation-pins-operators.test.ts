// Pins of compile/operators/*.ts that attribute-operators.test.ts leaves open (issue 12, MUTATION.md): the predicate
// each operator prints for the resource filter must decide as its own test does, `stringExists` refuses a value that
// is neither true nor false, and the one-or-many shape of each operator is what compileAttribute enforces.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ATTRIBUTE_OPERATOR_TABLE } from './attribute-operators.js';
import { createAttributeNames } from './attribute-names.js';
import { compileAttribute } from './compile-matchers.js';
import { evaluatePredicate } from './predicate.js';
import { Uncompilable } from './uncompilable.js';
import { ATTRIBUTE_OPERATORS } from '../model/attribute.js';

const word = fc.stringMatching(/^[ab*?]{0,4}$/);

describe('attribute operators: what the resource filter and the compiler read of them', () => {
  it('print a predicate that holds exactly where the operator does (the SQL filter and the evaluator agree)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ATTRIBUTE_OPERATORS), fc.array(word, { minLength: 1, maxLength: 3 }), fc.option(word, { nil: undefined }), (name, raw, x) => {
        const op = ATTRIBUTE_OPERATOR_TABLE[name];
        const values = name === 'stringExists' ? [raw[0]!.length % 2 === 0 ? 'true' : 'false'] : op.many ? raw : [raw[0]!];
        const m = op.compile(values, 'a');
        const attributes = x === undefined ? {} : { a: x };
        expect(evaluatePredicate(op.predicate(m, 'a'), attributes)).toBe(op.test(m, x));
        // the predicate reads the attribute it was given, not another one
        if (x !== undefined) expect(evaluatePredicate(op.predicate(m, 'b'), attributes)).toBe(op.test(m, undefined));
      }),
      { numRuns: 2000 },
    );
  });

  it('print the predicates the SQL translation expects, one leaf per value', () => {
    const t = ATTRIBUTE_OPERATOR_TABLE;
    expect(t.stringEquals.predicate(t.stringEquals.compile(['x'], 'a'), 'a')).toEqual({ op: 'eq', attr: 'a', value: 'x' });
    expect(t.stringEqualsAnyOf.predicate(t.stringEqualsAnyOf.compile(['x', 'y'], 'a'), 'a')).toEqual({ op: 'in', attr: 'a', values: ['x', 'y'] });
    expect(t.stringMatch.predicate(t.stringMatch.compile(['x*'], 'a'), 'a')).toEqual({ op: 'match', attr: 'a', pattern: 'x*' });
    expect(t.stringMatchAnyOf.predicate(t.stringMatchAnyOf.compile(['x*', 'y?'], 'a'), 'a')).toEqual({
      op: 'or',
      args: [
        { op: 'match', attr: 'a', pattern: 'x*' },
        { op: 'match', attr: 'a', pattern: 'y?' },
      ],
    });
    expect(t.stringExists.predicate(t.stringExists.compile(['true'], 'a'), 'a')).toEqual({ op: 'exists', attr: 'a' });
    expect(t.stringExists.predicate(t.stringExists.compile(['false'], 'a'), 'a')).toEqual({ op: 'not', arg: { op: 'exists', attr: 'a' } });
  });

  it('key only the operators whose holding names the value, and keep no globs where there are none', () => {
    const t = ATTRIBUTE_OPERATOR_TABLE;
    expect(t.stringEquals.keys(t.stringEquals.compile(['x'], 'a'))).toEqual(['x']);
    expect(t.stringEqualsAnyOf.keys(t.stringEqualsAnyOf.compile(['x', 'y'], 'a'))).toEqual(['x', 'y']);
    for (const [op, values] of [
      [t.stringMatch, ['x']],
      [t.stringMatchAnyOf, ['x', 'y']],
      [t.stringExists, ['true']],
    ] as const)
      expect(op.keys(op.compile(values, 'a'))).toBeNull();
    for (const op of [t.stringEquals, t.stringEqualsAnyOf, t.stringExists]) {
      const m = op.compile(op === t.stringExists ? ['true'] : ['x'], 'a');
      expect(m.globs).toEqual([]);
      expect(m.glob).toBeNull();
    }
    expect(t.stringMatch.compile(['x'], 'a').globs).toEqual([]);
    expect(t.stringMatchAnyOf.compile(['x', 'y'], 'a').glob).toBeNull();
  });

  it('stringExists compiles true and false only, naming the attribute otherwise', () => {
    const op = ATTRIBUTE_OPERATOR_TABLE.stringExists;
    for (const v of ['true', 'false']) expect(op.compile([v], 'a').value).toBe(v);
    for (const v of ['', 'True', 'yes', 'falsey'])
      expect(() => op.compile([v], 'colour')).toThrow(new Uncompilable('attribute `colour`: stringExists takes true or false'));
  });

  it('take one value or an array as the operator says (compileAttribute refuses the other shape)', () => {
    const names = createAttributeNames();
    for (const name of ATTRIBUTE_OPERATORS) {
      const op = ATTRIBUTE_OPERATOR_TABLE[name];
      const one = name === 'stringExists' ? 'true' : 'x';
      expect(op.many).toBe(name.endsWith('AnyOf'));
      const wrong = op.many ? one : [one];
      expect(() => compileAttribute(names, 'a', name, wrong)).toThrow(Uncompilable);
      expect(compileAttribute(names, 'a', name, op.many ? [one] : one).values).toEqual([one]);
    }
  });
});
