import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { and, evaluatePredicate, FALSE, not, or, predicateAttributes, TRUE, type Predicate } from '../compile/predicate.js';
import { globIsSqlExact, quoteIdentifier, toSql } from './predicate-sql.js';

const ATTRS = ['region', 'serviceName', 'path'] as const;
const VALUES = ['', 'a', 'us-south', 'a*b', 'a?b', '[x]'] as const;

const leaf: fc.Arbitrary<Predicate> = fc.oneof(
  fc.constant(TRUE),
  fc.constant(FALSE),
  fc.record({ op: fc.constant('eq' as const), attr: fc.constantFrom(...ATTRS), value: fc.constantFrom(...VALUES) }),
  fc.record({ op: fc.constant('in' as const), attr: fc.constantFrom(...ATTRS), values: fc.subarray([...VALUES], { minLength: 1 }) }),
  fc.record({ op: fc.constant('match' as const), attr: fc.constantFrom(...ATTRS), pattern: fc.constantFrom('*', 'us-*', 'a{{*}}b', '?', '[x]') }),
  fc.record({ op: fc.constant('exists' as const), attr: fc.constantFrom(...ATTRS) }),
);
const tree: fc.Arbitrary<Predicate> = fc.letrec<{ p: Predicate }>((tie) => ({
  p: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('p'), { maxLength: 3 }).map((args): Predicate => ({ op: 'and', args })),
    fc.array(tie('p'), { maxLength: 3 }).map((args): Predicate => ({ op: 'or', args })),
    tie('p').map((arg): Predicate => ({ op: 'not', arg })),
  ),
})).p;
const row = fc.dictionary(fc.constantFrom(...ATTRS), fc.constantFrom(...VALUES), { maxKeys: 3 });

describe('predicate builders', () => {
  it('fold constants without changing what a predicate selects', () => {
    fc.assert(
      fc.property(fc.array(tree, { maxLength: 4 }), row, (ps, r) => {
        expect(evaluatePredicate(and(...ps), r)).toBe(ps.every((p) => evaluatePredicate(p, r)));
        expect(evaluatePredicate(or(...ps), r)).toBe(ps.some((p) => evaluatePredicate(p, r)));
        for (const p of ps) expect(evaluatePredicate(not(p), r)).toBe(!evaluatePredicate(p, r));
      }),
    );
  });

  it('lists the attributes a predicate reads', () => {
    expect(predicateAttributes(and({ op: 'eq', attr: 'b', value: 'x' }, not({ op: 'exists', attr: 'a' })))).toEqual(['a', 'b']);
  });
});

describe('SQL writing', () => {
  it('binds every value and quotes identifiers', () => {
    const { sql, params } = toSql(and({ op: 'eq', attr: 'x"y', value: "'; --" }, { op: 'in', attr: 'r', values: ['1', '2'] }));
    expect(sql).toBe('(("x""y" IS NOT NULL AND "x""y" = ? COLLATE BINARY) AND ("r" IS NOT NULL AND "r" COLLATE BINARY IN (?, ?)))');
    expect(params).toEqual(["'; --", '1', '2']);
    expect(quoteIdentifier('a')).toBe('"a"');
  });

  it('writes globs over bytes, never with GLOB, binding every literal', () => {
    const { sql, params } = toSql({ op: 'match', attr: 'n', pattern: 'a{{*}}*[x]*b' });
    expect(sql).not.toContain('GLOB');
    expect(params).toEqual(['a*', 'b', '[x]']);
    expect(toSql({ op: 'match', attr: 'n', pattern: 'a{{?}}' }).sql).toBe('("n" IS NOT NULL AND "n" = ? COLLATE BINARY)');
  });

  it('says which globs bytes express exactly', () => {
    expect(globIsSqlExact('us-*')).toBe(true);
    expect(globIsSqlExact('a{{?}}b{{*}}')).toBe(true);
    expect(globIsSqlExact('a?b')).toBe(false);
    expect(globIsSqlExact('a\uD800*')).toBe(false);
    expect(globIsSqlExact('\uD83D\uDE00*')).toBe(true);
    expect(globIsSqlExact('*a*b*c*d*')).toBe(true);
    expect(globIsSqlExact('*a*b*c*d*e*')).toBe(false);
  });
});
