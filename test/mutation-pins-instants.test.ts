// Pins of manage/access/instants.ts (issue 12, MUTATION.md section "mutinst"): each case is a clock turn the review
// must ask at, which a mutant of the file dropped while every other suite run by the mutation config still passed.
// Fewer turns let a grant hold at an instant where the actor does not (or a superior lose what it holds then).
import { describe, expect, it } from 'vitest';
import { accountTurns, ruleOnceTurns } from '../packages/engine/src/manage/access/instants.js';
import { parseSource } from '../packages/engine/src/model/parse-source.js';
import { PUBLIC_ACCESS_GROUP_ID } from '../packages/engine/src/model/source.js';
import { SourceState } from '../packages/engine/src/model/source-state.js';

const SECOND = 1000;
const DAY = 86_400_000;
const dateTime = (operator: string, value: string) => ({ key: '{{environment.attributes.current_date_time}}', operator, value });
const time = (operator: string, value: string) => ({ key: '{{environment.attributes.current_time}}', operator, value });
/** Each instant, a step before it and a step after it. */
const around = (ats: number[], step: number) => ats.flatMap((t) => [t - step, t, t + step]);
const ascending = (ts: readonly number[]) => [...ts].sort((a, b) => a - b);
/** The turns of a rule `timeLessThan 23:00:00+00:00` on the day before `at`'s and the eight days after it, later than `now`. */
const elevenOnDaysAfter = (at: number, now: number) => {
  const first = Math.floor(at / DAY) * DAY;
  return around(Array.from({ length: 10 }, (_, i) => first + (i - 1) * DAY + 23 * 3_600_000), SECOND).filter((t) => t > now);
};

// Monday 5 January 2026, noon UTC
const NOON = Date.UTC(2026, 0, 5, 12);
const FEB = Date.UTC(2026, 1, 1);
const MAR_NOON = Date.UTC(2026, 2, 1, 12);
const APR = Date.UTC(2026, 3, 1, 12);
const beforeEleven = time('timeLessThan', '23:00:00+00:00');

const policy = (id: string, subject: object, rule: object, extra: object = {}) => ({
  id,
  accountId: 'A',
  subject,
  roles: ['R'],
  resource: { attributes: [{ name: 'accountId', operator: 'stringEquals', value: 'A' }] },
  rule,
  ...extra,
});
const inP = { accountId: 'P', roles: ['RP'], resource: { attributes: [{ name: 'accountId', operator: 'stringEquals', value: 'P' }] } };
const principal = (id: string) => ({ kind: 'principal', id });
const group = (id: string) => ({ kind: 'group', id });

const state = SourceState.from(
  parseSource({
    version: 1,
    accounts: [
      { id: 'A', system: 'ibm' },
      { id: 'P', system: 'ibm' },
    ],
    roles: [
      { id: 'R', kind: 'custom', accountId: 'A', serviceName: 'kms', actions: ['kms.keys.read'] },
      { id: 'RP', kind: 'custom', accountId: 'P', serviceName: 'kms', actions: ['kms.keys.read'] },
    ],
    principals: ['daily', 'daily-until', 'static', 'd', 'd1', 'member'].map((id) => ({ id, accountId: 'A', kind: 'user' })),
    groups: [
      { id: 'g1', accountId: 'A', name: 'g1', members: ['static'] },
      { id: 'g2', accountId: 'A', name: 'g2', members: ['static'] },
      { id: 'g3', accountId: 'A', name: 'g3' },
      { id: PUBLIC_ACCESS_GROUP_ID, accountId: 'P', name: 'Public Access' },
    ],
    memberships: [
      { accountId: 'A', principalId: 'member', groupId: 'g3', realm: 'r1', loginAt: '2026-01-05T00:00:00Z', expiresAt: '2026-01-20T00:00:00Z' },
      { accountId: 'A', principalId: 'member', groupId: 'g3', realm: 'r2', loginAt: '2025-01-05T00:00:00Z', expiresAt: '2025-06-01T00:00:00Z' },
    ],
    policies: [
      policy('daily', principal('daily'), beforeEleven),
      policy('daily-until', principal('daily-until'), beforeEleven),
      policy('until-march', principal('daily-until'), dateTime('dateTimeLessThan', '2026-03-01T12:00:00Z')),
      policy('g1', group('g1'), dateTime('dateTimeLessThan', '2026-02-01T00:00:00Z')),
      policy('g2', group('g2'), dateTime('dateTimeLessThan', '2026-02-02T00:00:00Z')),
      policy('d', principal('d'), beforeEleven),
      policy('d1', principal('d1'), dateTime('dateTimeLessThan', '2026-02-03T00:00:00Z')),
      // account P: Public Access's policy, a service's authorization
      policy('public', group(PUBLIC_ACCESS_GROUP_ID), dateTime('dateTimeLessThan', '2026-02-04T00:00:00Z'), inP),
      policy('service', { kind: 'service', attributes: { serviceName: 'cloud-object-storage', accountId: 'P' } }, dateTime('dateTimeLessThan', '2026-02-05T00:00:00Z'), {
        ...inP,
        type: 'authorization',
        resource: { attributes: [{ name: 'accountId', operator: 'stringEquals', value: 'P' }, { name: 'serviceName', operator: 'stringEquals', value: 'kms' }] },
      }),
    ],
  }),
);

describe('the daily and weekly turns of what a principal holds are asked after each instant that comes once', () => {
  it('after each of `from`: a holding before 23:00 each day turns on the days after April 1st when asked from then', () => {
    const turns = accountTurns(state, 'A', NOON);
    expect(ascending(turns.of('daily'))).toEqual(elevenOnDaysAfter(NOON, NOON));
    expect(ascending(turns.of('daily', [APR]))).toEqual([...elevenOnDaysAfter(NOON, NOON), ...elevenOnDaysAfter(APR, NOON)]);
  });

  it('after the principal’s own date-times: a holding before 23:00 each day and until March 1st noon turns on the days after March 1st', () => {
    const turns = accountTurns(state, 'A', NOON);
    const until = around([MAR_NOON], 1);
    expect(ascending(turns.of('daily-until'))).toEqual(ascending([...until, ...elevenOnDaysAfter(NOON, NOON), ...elevenOnDaysAfter(MAR_NOON, NOON)]));
    // the instants that come once are the date-time's alone, later than now, read once
    expect(turns.once('daily-until')).toEqual(until);
    expect(turns.once('daily-until')).toBe(turns.once('daily-until'));
    expect(turns.once('daily')).toEqual([]);
    // at the date-time itself, only the millisecond after it is later
    expect(accountTurns(state, 'A', MAR_NOON).once('daily-until')).toEqual([MAR_NOON + 1]);
  });

  it('each principal and each `from` is its own question (ids and instants whose digits run together are not confused)', () => {
    const turns = accountTurns(state, 'A', NOON);
    const d1 = around([Date.UTC(2026, 1, 3)], 1);
    expect(turns.of('d1')).toEqual(d1);
    // `d` asked from the instant 1 (1970): nothing more than `d` alone, and not `d1`'s date-time
    expect(ascending(turns.of('d', [1]))).toEqual(elevenOnDaysAfter(NOON, NOON));
    // 1767614400000 and 1800000000000 (2027) read as 17676144000001 (2530) and 800000000000 (1995) without a separator
    const in2027 = turns.of('d', [1767614400000, 1800000000000]);
    const in2530 = turns.of('d', [17676144000001, 800000000000]);
    expect(ascending(in2027)).toEqual(ascending([...new Set([...elevenOnDaysAfter(NOON, NOON), ...elevenOnDaysAfter(1800000000000, NOON)])]));
    expect(ascending(in2530)).toEqual(ascending([...elevenOnDaysAfter(NOON, NOON), ...elevenOnDaysAfter(17676144000001, NOON)]));
  });
});

describe('whose turns they are', () => {
  it('a static member of two groups is asked at the turns of both', () => {
    const turns = accountTurns(state, 'A', NOON);
    expect(ascending(turns.of('static'))).toEqual(around([FEB, FEB + DAY], 1));
  });

  it('Public Access’s policies and a service’s authorizations turn for everyone, a principal of no group and no policy too', () => {
    // account P holds no principal: the turns of its Public Access policy and of its service's authorization
    const turns = accountTurns(state, 'P', NOON);
    const everyone = around([FEB + 3 * DAY, FEB + 4 * DAY], 1);
    expect(ascending(turns.of('nobody'))).toEqual(everyone);
    expect(ascending(turns.once('nobody'))).toEqual(everyone);
  });

  it('a dynamic membership’s end comes once, when later than now (a past one, or one at now itself, is not)', () => {
    const JAN20 = Date.UTC(2026, 0, 20);
    expect(accountTurns(state, 'A', NOON).once('member')).toEqual(around([JAN20], 1));
    expect(accountTurns(state, 'A', JAN20).once('member')).toEqual([JAN20 + 1]);
  });
});

describe('the instants a rule turns at once', () => {
  it('its date-times, later than now, not its daily or weekly turns; none for no rule or one that does not compile', () => {
    const rule = { operator: 'and', conditions: [beforeEleven, dateTime('dateTimeLessThan', '2026-02-01T00:00:00Z'), dateTime('dateTimeGreaterThan', '2025-12-01T00:00:00Z')] };
    expect(ruleOnceTurns(rule, NOON)).toEqual([FEB - 1, FEB, FEB + 1]);
    expect(ruleOnceTurns(rule, FEB)).toEqual([FEB + 1]);
    expect(ruleOnceTurns(beforeEleven, NOON)).toEqual([]);
    expect(ruleOnceTurns(undefined, NOON)).toEqual([]);
    expect(ruleOnceTurns(dateTime('dateTimeLessThan', 'soon'), NOON)).toEqual([]);
  });
});
