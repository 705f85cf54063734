// The clock turns the review asks at (instants.ts): where a date-time, a time of day or a weekday of a policy's rule, a
// binding's expiry or a dynamic membership's end can change what someone holds, and whether a rule may hold at one
// instant. Each case names the instants it expects, so a turn one day, one second or one millisecond off fails it.
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../model/parse-source.js';
import { SourceState } from '../../model/source-state.js';
import { accountTurns, ruleMayHold, ruleTurns } from './instants.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const dateTime = (operator: string, value: string) => ({ key: '{{environment.attributes.current_date_time}}', operator, value });
const time = (operator: string, value: string) => ({ key: '{{environment.attributes.current_time}}', operator, value });
const weekday = (value: unknown) => ({ key: '{{environment.attributes.day_of_week}}', operator: Array.isArray(value) ? 'dayOfWeekAnyOf' : 'dayOfWeekEquals', value });
const attr = { key: '{{resource.attributes.region}}', operator: 'stringEquals', value: 'eu' };
const and = (...conditions: unknown[]) => ({ operator: 'and', conditions });
const or = (...conditions: unknown[]) => ({ operator: 'or', conditions });
/** Each instant, a step before it and a step after it. */
const around = (ats: number[], step: number) => ats.flatMap((t) => [t - step, t, t + step]);
const days = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

// Monday 5 January 2026, noon UTC
const NOON = Date.UTC(2026, 0, 5, 12);
const FEB = Date.UTC(2026, 1, 1);

describe('the instants after now at which a rule can turn', () => {
  it('none for no rule, a rule that does not compile, or conditions on resource attributes only', () => {
    expect(ruleTurns(undefined, NOON)).toEqual([]);
    expect(ruleTurns(null, NOON)).toEqual([]);
    expect(ruleTurns({ key: '{{environment.attributes.current_date_time}}', operator: 'dateTimeLessThan', value: 'soon' }, NOON)).toEqual([]);
    expect(ruleTurns(attr, NOON)).toEqual([]);
  });

  it('a date-time: the millisecond before, at and after it, when later than now', () => {
    expect(ruleTurns(dateTime('dateTimeLessThan', '2026-02-01T00:00:00Z'), NOON)).toEqual([FEB - 1, FEB, FEB + 1]);
    // now at the date-time itself: only the millisecond after is later
    expect(ruleTurns(dateTime('dateTimeLessThan', '2026-02-01T00:00:00Z'), FEB)).toEqual([FEB + 1]);
    expect(ruleTurns(dateTime('dateTimeGreaterThan', '2025-12-01T00:00:00Z'), NOON)).toEqual([]);
  });

  it('a time of day: the second before, at and after it on each of the next eight days at its offset', () => {
    // 09:00 at +01:00 is 08:00 UTC: today's has passed at noon; tomorrow's to eight days ahead's are asked
    expect(ruleTurns(time('timeLessThan', '09:00:00+01:00'), NOON)).toEqual(around(days(6, 13).map((d) => Date.UTC(2026, 0, d, 8)), 1000));
  });

  it('a time of day whose offset puts it on the day before: today’s turn is still asked', () => {
    // 23:00 at -12:00 is 11:00 UTC the next day: at 10:00 UTC today's 11:00 (yesterday's 23:00 there) is one of them
    const ten = Date.UTC(2026, 0, 5, 10);
    expect(ruleTurns(time('timeGreaterThanOrEquals', '23:00:00-12:00'), ten)).toEqual(around(days(5, 14).map((d) => Date.UTC(2026, 0, d, 11)), 1000));
  });

  it('a weekday: the millisecond around each midnight at its offset, on the next eight days', () => {
    // a weekday at +02:00 turns at 22:00 UTC (the day before's midnight there), the integer weekday at UTC midnight,
    // one at -05:00 at 05:00 UTC
    expect(ruleTurns(weekday('1+02:00'), NOON)).toEqual(around(days(5, 12).map((d) => Date.UTC(2026, 0, d, 22)), 1));
    expect(ruleTurns(weekday([3, '5-05:00']), NOON)).toEqual([
      ...around(days(6, 13).map((d) => Date.UTC(2026, 0, d)), 1),
      ...around(days(6, 13).map((d) => Date.UTC(2026, 0, d, 5)), 1),
    ]);
    // at 02:00 UTC, today's 05:00 UTC is still ahead
    expect(ruleTurns(weekday('5-05:00'), Date.UTC(2026, 0, 5, 2))).toEqual(around(days(5, 13).map((d) => Date.UTC(2026, 0, d, 5)), 1));
  });

  it('and and or: the turns of every condition', () => {
    const rule = and(attr, or(dateTime('dateTimeLessThan', '2026-02-01T00:00:00Z'), weekday(2)));
    // the weekday's turns on the days after now, and on the days after the date-time (the day before it included)
    const afterFeb = [...days(30, 31).map((d) => Date.UTC(2026, 0, d)), ...days(1, 9).map((d) => Date.UTC(2026, 1, d))];
    expect(ruleTurns(rule, NOON)).toEqual([...new Set([FEB - 1, FEB, FEB + 1, ...around(days(6, 13).map((d) => Date.UTC(2026, 0, d)), 1), ...around(afterFeb, 1)])]);
  });

  it('a time of day or a weekday turns on the days after each instant of `from` too', () => {
    const march = Date.UTC(2026, 2, 1, 12);
    expect(ruleTurns(time('timeLessThan', '23:00:00+00:00'), NOON, [march])).toEqual(
      around([...days(5, 13).map((d) => Date.UTC(2026, 0, d, 23)), ...days(0, 9).map((d) => Date.UTC(2026, 2, d, 23))], 1000),
    );
    // a date-time turns once, whatever `from` holds
    expect(ruleTurns(dateTime('dateTimeLessThan', '2026-02-01T00:00:00Z'), NOON, [march])).toEqual([FEB - 1, FEB, FEB + 1]);
  });
});

describe('whether a rule may hold at an instant', () => {
  it('no rule holds always; a rule that does not compile never', () => {
    expect(ruleMayHold(undefined, NOON)).toBe(true);
    expect(ruleMayHold(null, NOON)).toBe(true);
    expect(ruleMayHold({ operator: 'and', conditions: [] }, NOON)).toBe(false);
  });

  it('the clock conditions are read at the instant; a resource-attribute condition may hold', () => {
    const until = and(attr, dateTime('dateTimeLessThan', '2026-02-01T00:00:00Z'));
    expect(ruleMayHold(until, FEB - 1)).toBe(true);
    expect(ruleMayHold(until, FEB)).toBe(false);
    expect(ruleMayHold(attr, FEB)).toBe(true);
    const either = or(dateTime('dateTimeLessThan', '2026-01-01T00:00:00Z'), time('timeLessThan', '09:00:00Z'));
    expect(ruleMayHold(either, Date.UTC(2026, 0, 5, 8))).toBe(true);
    expect(ruleMayHold(either, NOON)).toBe(false);
    expect(ruleMayHold(or(attr, dateTime('dateTimeLessThan', '2026-01-01T00:00:00Z')), NOON)).toBe(true);
    expect(ruleMayHold(and(weekday(1), time('timeGreaterThan', '11:00:00Z')), NOON)).toBe(true);
    expect(ruleMayHold(and(weekday(2), time('timeGreaterThan', '11:00:00Z')), NOON)).toBe(false);
  });
});

describe('the clock turns of one account, by principal', () => {
  const policy = (id: string, subject: object, rule?: object) => ({
    id,
    accountId: 'A',
    subject,
    roles: ['R'],
    resource: { attributes: [{ name: 'accountId', operator: 'stringEquals', value: 'A' }] },
    ...(rule === undefined ? {} : { rule }),
  });
  const source = parseSource({
    version: 1,
    accounts: [
      { id: 'A', system: 'ibm' },
      { id: 'B', system: 'bluexp' },
    ],
    roles: [
      { id: 'R', kind: 'custom', accountId: 'A', actions: ['kms.keys.read'] },
      { id: 'X', kind: 'bluexp', actions: ['x.read'] },
    ],
    principals: [
      ...['u1', 'u2'].map((id) => ({ id, accountId: 'A', kind: 'user' })),
      ...['b1', 'b2'].map((id) => ({ id, accountId: 'B', kind: 'user' })),
    ],
    groups: [
      { id: 'g', accountId: 'A', name: 'g' },
      { id: 'bg', accountId: 'B', name: 'bg' },
    ],
    memberships: [{ accountId: 'A', principalId: 'u2', groupId: 'g', realm: 'r', loginAt: '2026-01-05T00:00:00Z', expiresAt: '2026-01-06T00:00:00Z' }],
    bindings: [
      { id: 'b-own', accountId: 'B', subject: { kind: 'principal', id: 'b1' }, roleId: 'X', nodeId: 'B', expiresAt: '2026-03-01T00:00:00Z' },
      { id: 'b-group', accountId: 'B', subject: { kind: 'group', id: 'bg' }, roleId: 'X', nodeId: 'B', expiresAt: '2026-04-01T00:00:00Z' },
      { id: 'b-past', accountId: 'B', subject: { kind: 'principal', id: 'b2' }, roleId: 'X', nodeId: 'B', expiresAt: '2025-04-01T00:00:00Z' },
      { id: 'b-forever', accountId: 'B', subject: { kind: 'principal', id: 'b2' }, roleId: 'X', nodeId: 'B' },
    ],
    policies: [
      policy('own', { kind: 'principal', id: 'u1' }, dateTime('dateTimeLessThan', '2026-02-01T00:00:00Z')),
      policy('own2', { kind: 'principal', id: 'u1' }, dateTime('dateTimeLessThan', '2026-01-20T00:00:00Z')),
      policy('group', { kind: 'group', id: 'g' }, dateTime('dateTimeGreaterThan', '2026-01-10T00:00:00Z')),
      // the same turn twice is asked once
      policy('again', { kind: 'group', id: 'g' }, dateTime('dateTimeGreaterThan', '2026-01-10T00:00:00Z')),
      policy('plain', { kind: 'principal', id: 'u2' }),
    ],
  });
  const state = SourceState.from(source);
  const JAN10 = Date.UTC(2026, 0, 10);
  const JAN6 = Date.UTC(2026, 0, 6);

  it('a principal’s own rules and those of the groups it is in, later than now, each once', () => {
    const turns = accountTurns(state, 'A', NOON);
    const JAN20 = Date.UTC(2026, 0, 20);
    expect(turns.of('u1')).toEqual([FEB - 1, FEB, FEB + 1, JAN20 - 1, JAN20, JAN20 + 1]);
    // u2's dynamic membership ends on 6 January: a turn of its own; it is in g, so g's rules turn for it
    expect(turns.of('u2')).toEqual([JAN6 - 1, JAN6, JAN6 + 1, JAN10 - 1, JAN10, JAN10 + 1]);
    // a group's rules concern its members, not everyone (nobody joins a group by the clock alone)
    expect(turns.of('nobody')).toEqual([]);
    // read once: asked again, the same list
    expect(turns.of('u1')).toBe(turns.of('u1'));
  });

  it('a binding’s expiry concerns its principal, or the group’s members when it binds a group; a past one none', () => {
    const turns = accountTurns(state, 'B', NOON);
    const MAR = Date.UTC(2026, 2, 1);
    // bg has no members: its binding's expiry turns for nobody
    expect(turns.of('b1')).toEqual([MAR - 1, MAR, MAR + 1]);
    expect(turns.of('b2')).toEqual([]);
  });

  it('nothing later than now turns nothing; a turn at now itself is not later', () => {
    expect(accountTurns(state, 'A', Date.UTC(2027, 0, 1)).of('u1')).toEqual([]);
    // an expiry at now: the millisecond after it only (a rule's turns are cut at now by ruleTurns already)
    const MAR = Date.UTC(2026, 2, 1);
    expect(accountTurns(state, 'B', MAR).of('b1')).toEqual([MAR + 1]);
  });
});
