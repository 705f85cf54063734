// Pins of compile-matchers.ts (issue 12, MUTATION.md). The conformance cases reach it through parseSource, which
// refuses malformed conditions first, so the compiler's own refusals (a policy it cannot evaluate is errored, never
// granted) and the claim matcher's UNKNOWN fallbacks are called here directly, as are the time arithmetic's minutes,
// seconds and offsets that the cases' whole hours left open.
import { describe, expect, it } from 'vitest';
import { createAttributeNames } from './attribute-names.js';
import { compileAttribute, compileClaim, compileRule, compileTag } from './compile-matchers.js';
import { Uncompilable } from './uncompilable.js';
import { CURRENT_DATE_TIME, CURRENT_TIME, DAY_OF_WEEK } from '../model/rule-condition.js';

const refused = (f: () => unknown, message: string) => expect(f).toThrow(new Uncompilable(message));

describe('compileAttribute refuses what validation should have', () => {
  it('an unknown operator, the wrong shape, a non-scalar value, and outside 1 to 10 values', () => {
    const names = createAttributeNames();
    refused(() => compileAttribute(names, 'a', 'stringFoo', 'x'), 'attribute `a`: unknown operator `stringFoo`');
    refused(() => compileAttribute(names, 'a', 'toString', 'x'), 'attribute `a`: unknown operator `toString`');
    refused(() => compileAttribute(names, 'a', 'stringEquals', ['x']), 'attribute `a`: `stringEquals` value shape');
    refused(() => compileAttribute(names, 'a', 'stringEquals', null), 'attribute `a`: bad value');
    refused(() => compileAttribute(names, 'a', 'stringEqualsAnyOf', ['x', {}]), 'attribute `a`: bad value');
    refused(() => compileAttribute(names, 'a', 'stringEqualsAnyOf', []), 'attribute `a`: 1 to 10 values');
    const eleven = Array.from({ length: 11 }, (_, i) => `v${i}`);
    refused(() => compileAttribute(names, 'a', 'stringEqualsAnyOf', eleven), 'attribute `a`: 1 to 10 values');
    expect(compileAttribute(names, 'a', 'stringEqualsAnyOf', eleven.slice(0, 10)).values).toHaveLength(10);
    expect(compileAttribute(names, 'a', 'stringEquals', 7).value).toBe('7');
  });
});

describe('compileTag', () => {
  it('lowercases, takes equality (also unnamed) or a glob, and refuses anything else', () => {
    expect(compileTag('Env', 'Prod', undefined)).toEqual({ name: 'env', value: 'prod', glob: null });
    expect(compileTag('Env', 'Prod', 'stringEquals')).toEqual({ name: 'env', value: 'prod', glob: null });
    expect(compileTag('Env', 'P*', 'stringMatch').glob).not.toBeNull();
    refused(() => compileTag(1, 'x', undefined), 'tag: bad name or value');
    refused(() => compileTag('x', 1, undefined), 'tag: bad name or value');
    refused(() => compileTag('Env', 'x', 'stringExists'), 'tag `Env`: unknown operator `stringExists`');
  });
});

describe('compileRule', () => {
  const names = createAttributeNames();
  const at = (value: unknown, operator = 'timeGreaterThan') => compileRule({ key: CURRENT_TIME, operator, value }, names);
  const leaf = { key: CURRENT_TIME, operator: 'timeLessThan', value: '10:00Z' };

  it('reads hours, minutes, seconds and a written offset', () => {
    expect(at('09:30:15+05:30')).toEqual({ kind: 'time', cmp: 'gt', seconds: 9 * 3600 + 30 * 60 + 15, offsetMs: 5.5 * 3_600_000 });
    expect(at('23:59-02:15', 'timeLessThanOrEquals')).toEqual({ kind: 'time', cmp: 'le', seconds: 23 * 3600 + 59 * 60, offsetMs: -2.25 * 3_600_000 });
    expect(at('00:00Z', 'timeGreaterThanOrEquals')).toEqual({ kind: 'time', cmp: 'ge', seconds: 0, offsetMs: 0 });
    expect(compileRule({ key: CURRENT_DATE_TIME, operator: 'dateTimeLessThan', value: '2026-01-05T10:00:00+01:00' }, names)).toEqual({
      kind: 'dateTime',
      cmp: 'lt',
      at: Date.parse('2026-01-05T09:00:00Z'),
    });
    expect(compileRule({ key: DAY_OF_WEEK, operator: 'dayOfWeekAnyOf', value: [1, 7, '3+01:00'] }, names)).toEqual({
      kind: 'day',
      days: [
        { day: 1, offsetMs: 0 },
        { day: 7, offsetMs: 0 },
        { day: 3, offsetMs: 3_600_000 },
      ],
    });
    expect(compileRule({ key: DAY_OF_WEEK, operator: 'dayOfWeekEquals', value: '5Z' }, names)).toEqual({ kind: 'day', days: [{ day: 5, offsetMs: 0 }] });
  });

  it('refuses what validation should have, naming it', () => {
    refused(() => compileRule(null, names), 'rule: not an object');
    refused(() => compileRule('x', names), 'rule: not an object');
    refused(() => compileRule({ operator: 'xor', conditions: [leaf] }, names), 'rule: unknown operator `xor`');
    const nest = (n: number): unknown => (n === 0 ? leaf : { operator: 'and', conditions: [nest(n - 1)] });
    expect(compileRule(nest(2), names).kind).toBe('and');
    refused(() => compileRule(nest(3), names), 'rule: nested more than twice');
    refused(() => compileRule({ operator: 'or', conditions: [] }, names), 'rule: 1 to 10 conditions');
    refused(() => compileRule({ operator: 'or', conditions: Array(11).fill(leaf) }, names), 'rule: 1 to 10 conditions');
    expect(compileRule({ operator: 'or', conditions: Array(10).fill(leaf) }, names).kind).toBe('or');
    refused(() => compileRule({ key: 1, operator: 'timeLessThan' }, names), 'rule condition: key and operator');
    refused(() => compileRule({ key: CURRENT_TIME, operator: 1 }, names), 'rule condition: key and operator');
    refused(() => at('9:30Z'), 'rule condition `timeGreaterThan`: malformed time');
    refused(() => at(930), 'rule condition `timeGreaterThan`: malformed time');
    // a list whose text would parse is no time
    refused(() => at(['09:30Z']), 'rule condition `timeGreaterThan`: malformed time');
    refused(() => at('09:30Z', 'timeAround'), 'rule condition `timeAround`: malformed time');
    const dateTime = (operator: string, value: unknown) => compileRule({ key: CURRENT_DATE_TIME, operator, value }, names);
    refused(() => dateTime('dateTimeLessThan', '2026-01-05'), 'rule condition `dateTimeLessThan`: malformed date-time');
    refused(() => dateTime('dateTimeLessThan', 1), 'rule condition `dateTimeLessThan`: malformed date-time');
    refused(() => dateTime('dateTimeLessThan', ['2026-01-05T10:00:00Z']), 'rule condition `dateTimeLessThan`: malformed date-time');
    refused(() => dateTime('dateTimeAround', '2026-01-05T10:00:00Z'), 'rule condition `dateTimeAround`: malformed date-time');
    const day = (operator: string, value: unknown) => compileRule({ key: DAY_OF_WEEK, operator, value }, names);
    refused(() => day('dayOfWeekEquals', [1]), 'rule condition `dayOfWeekEquals`: value shape');
    refused(() => day('dayOfWeekAnyOf', 1), 'rule condition `dayOfWeekAnyOf`: value shape');
    refused(() => day('dayOfWeekAnyOf', []), 'rule condition `dayOfWeekAnyOf`: no days');
    for (const v of [0, 8, 2.5, '8Z', '1', ['1Z']])
      refused(() => day('dayOfWeekAnyOf', [v]), 'rule condition `dayOfWeekAnyOf`: malformed weekday');
    // an operator of one environment key on another
    refused(() => compileRule({ key: DAY_OF_WEEK, operator: 'timeLessThan', value: '10:00Z' }, names), `rule condition: operator \`timeLessThan\` does not fit key \`${DAY_OF_WEEK}\``);
    refused(() => compileRule({ key: CURRENT_TIME, operator: 'dateTimeLessThan', value: '2026-01-05T10:00:00Z' }, names), `rule condition: operator \`dateTimeLessThan\` does not fit key \`${CURRENT_TIME}\``);
    refused(() => compileRule({ key: CURRENT_TIME, operator: 'dayOfWeekEquals', value: '1Z' }, names), `rule condition: operator \`dayOfWeekEquals\` does not fit key \`${CURRENT_TIME}\``);
    // the operator's prefix is compared whole, case included: `datetime…` is no date-time operator, though its tail is a comparison
    refused(() => compileRule({ key: CURRENT_DATE_TIME, operator: 'datetimeLessThan', value: '2026-01-05T10:00:00Z' }, names), `rule condition: operator \`datetimeLessThan\` does not fit key \`${CURRENT_DATE_TIME}\``);
  });
});

describe('compileClaim', () => {
  const unknown = (claim: string) => ({ claim, op: 'UNKNOWN', value: '', lower: '', values: [] });

  it('compiles a JSON scalar for the comparisons, a JSON list of scalars for IN', () => {
    expect(compileClaim('dept', 'EQUALS', '"Sales"')).toEqual({ claim: 'dept', op: 'EQUALS', value: 'Sales', lower: 'sales', values: [] });
    expect(compileClaim('level', 'NOT_EQUALS_IGNORE_CASE', '4')).toEqual({ claim: 'level', op: 'NOT_EQUALS_IGNORE_CASE', value: '4', lower: '4', values: [] });
    expect(compileClaim('g', 'IN', '["a", 1, true, null, {"x": 1}, ["b"]]')).toEqual({ claim: 'g', op: 'IN', value: '', lower: '', values: ['a', '1', 'true'] });
    for (const op of ['EQUALS', 'NOT_EQUALS', 'EQUALS_IGNORE_CASE', 'NOT_EQUALS_IGNORE_CASE', 'CONTAINS']) expect(compileClaim('c', op, '"x"').op).toBe(op);
  });

  it('is UNKNOWN (matching nothing) for what it cannot read', () => {
    expect(compileClaim(7, 'EQUALS', '"x"')).toEqual(unknown('7'));
    expect(compileClaim('c', 'EQUALS', 1)).toEqual(unknown('c'));
    expect(compileClaim('c', 1, '"x"')).toEqual(unknown('c'));
    expect(compileClaim('c', 'LIKE', '"x"')).toEqual(unknown('c'));
    expect(compileClaim('c', 'EQUALS', 'not json')).toEqual(unknown('c'));
    expect(compileClaim('c', 'IN', '"x"')).toEqual(unknown('c'));
    expect(compileClaim('c', 'EQUALS', 'null')).toEqual(unknown('c'));
    expect(compileClaim('c', 'EQUALS', '{"x": 1}')).toEqual(unknown('c'));
    expect(compileClaim('c', 'EQUALS', '["x"]')).toEqual(unknown('c'));
  });
});
