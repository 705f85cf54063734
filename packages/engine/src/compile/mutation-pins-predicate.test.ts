// Pins of compile/predicate.ts (issue 12, MUTATION.md): the constant folding that keeps a resource filter small, the
// evaluation the SQL translation must agree with, and the sorted column list a host table is built from.
import { describe, expect, it } from 'vitest';
import { and, anyOf, evaluatePredicate, FALSE, not, or, predicateAttributes, TRUE, type Predicate } from './predicate.js';

const a: Predicate = { op: 'eq', attr: 'a', value: '1' };
const b: Predicate = { op: 'exists', attr: 'b' };
const c: Predicate = { op: 'match', attr: 'c', pattern: 'x*' };

describe('predicate folding', () => {
  it('and: no argument or only TRUE is TRUE, any FALSE is FALSE, nested ands flatten, one argument is itself', () => {
    expect(and()).toEqual(TRUE);
    expect(and(TRUE, TRUE)).toEqual(TRUE);
    expect(and(a, FALSE, b)).toEqual(FALSE);
    expect(and(TRUE, a)).toBe(a);
    expect(and(a, b)).toEqual({ op: 'and', args: [a, b] });
    expect(and({ op: 'and', args: [a, b] }, c)).toEqual({ op: 'and', args: [a, b, c] });
    // an `or` inside stays one argument
    expect(and({ op: 'or', args: [a, b] }, c)).toEqual({ op: 'and', args: [{ op: 'or', args: [a, b] }, c] });
  });

  it('or: no argument or only FALSE is FALSE, any TRUE is TRUE, nested ors flatten, one argument is itself', () => {
    expect(or()).toEqual(FALSE);
    expect(or(FALSE, FALSE)).toEqual(FALSE);
    expect(or(a, TRUE, b)).toEqual(TRUE);
    expect(or(FALSE, a)).toBe(a);
    expect(or(a, b)).toEqual({ op: 'or', args: [a, b] });
    expect(or({ op: 'or', args: [a, b] }, c)).toEqual({ op: 'or', args: [a, b, c] });
    expect(or({ op: 'and', args: [a, b] }, c)).toEqual({ op: 'or', args: [{ op: 'and', args: [a, b] }, c] });
  });

  it('not: constants flip, a double negation cancels, anything else is wrapped', () => {
    expect(not(TRUE)).toEqual(FALSE);
    expect(not(FALSE)).toEqual(TRUE);
    expect(not({ op: 'not', arg: a })).toBe(a);
    expect(not(a)).toEqual({ op: 'not', arg: a });
  });

  it('anyOf: no value is never, one is an equality, more are a copy of the list', () => {
    expect(anyOf('a', [])).toEqual(FALSE);
    expect(anyOf('a', ['x'])).toEqual({ op: 'eq', attr: 'a', value: 'x' });
    const values = ['x', 'y'];
    const p = anyOf('a', values);
    values.push('z');
    expect(p).toEqual({ op: 'in', attr: 'a', values: ['x', 'y'] });
  });
});

describe('evaluatePredicate', () => {
  const on = (p: Predicate, attrs: Record<string, string | number | boolean | null | undefined>) => evaluatePredicate(p, attrs);

  it('decides each leaf on the string form of the value, an absent or null attribute satisfying none', () => {
    expect(on(TRUE, {})).toBe(true);
    expect(on(FALSE, {})).toBe(false);
    expect(on(a, { a: 1 })).toBe(true);
    expect(on(a, { a: '2' })).toBe(false);
    expect(on(a, {})).toBe(false);
    expect(on({ op: 'eq', attr: 'a', value: 'null' }, { a: null })).toBe(false);
    const inXY: Predicate = { op: 'in', attr: 'a', values: ['x', 'true'] };
    expect(on(inXY, { a: true })).toBe(true);
    expect(on(inXY, { a: 'y' })).toBe(false);
    expect(on({ op: 'in', attr: 'a', values: ['undefined'] }, {})).toBe(false);
    expect(on(c, { c: 'xyz' })).toBe(true);
    expect(on(c, { c: 'yx' })).toBe(false);
    expect(on({ op: 'match', attr: 'c', pattern: '*' }, {})).toBe(false);
    expect(on(b, { b: '' })).toBe(true);
    expect(on(b, { b: null })).toBe(false);
    expect(on(b, { b: undefined })).toBe(false);
    expect(on(b, {})).toBe(false);
  });

  it('reads only the resource’s own attributes, never what an object inherits', () => {
    expect(on({ op: 'exists', attr: 'toString' }, {})).toBe(false);
    expect(on({ op: 'match', attr: 'constructor', pattern: '*' }, {})).toBe(false);
    expect(on({ op: 'exists', attr: 'toString' }, { toString: 'x' })).toBe(true);
  });

  it('combines with and, or and not', () => {
    expect(on({ op: 'and', args: [a, b] }, { a: '1', b: 'x' })).toBe(true);
    expect(on({ op: 'and', args: [a, b] }, { a: '1' })).toBe(false);
    expect(on({ op: 'or', args: [a, b] }, { b: 'x' })).toBe(true);
    expect(on({ op: 'or', args: [a, b] }, { a: '2' })).toBe(false);
    expect(on({ op: 'not', arg: a }, { a: '2' })).toBe(true);
    expect(on({ op: 'not', arg: a }, { a: '1' })).toBe(false);
  });
});

describe('predicateAttributes', () => {
  it('lists every attribute a predicate reads once, sorted by code unit, and none of the constants', () => {
    const p: Predicate = {
      op: 'or',
      args: [{ op: 'and', args: [c, { op: 'not', arg: { op: 'in', attr: 'B', values: ['1', '2'] } }, TRUE] }, a, b, FALSE, { op: 'eq', attr: 'c', value: '2' }],
    };
    expect(predicateAttributes(p)).toEqual(['B', 'a', 'b', 'c']);
    expect(predicateAttributes(TRUE)).toEqual([]);
    expect(predicateAttributes({ op: 'not', arg: FALSE })).toEqual([]);
    expect(predicateAttributes({ op: 'and', args: [{ op: 'exists', attr: 'z' }, { op: 'exists', attr: 'y' }, { op: 'exists', attr: 'x' }] })).toEqual(['x', 'y', 'z']);
  });
});
