// When access can change by the clock alone: the instants at which a rule of a policy (a date-time, a time of day, a
// day of the week) or an expiry (a binding's, a dynamic membership's) turns, so the review asks what the actor holds
// not only now but at every instant a grant it gives still holds (access/escalation.ts). A grant the actor holds
// until February is not one it may give for ever; one it holds before 23:00 is not one it may give at every hour.
import { createAttributeNames } from '../../compile/attribute-names.js';
import { compileRule } from '../../compile/compile-matchers.js';
import type { RuleNode } from '../../compile/tables.js';
import { matchRule } from '../../evaluate/match-policy.js';
import type { RequestContext } from '../../evaluate/resolve-request.js';
import { PUBLIC_ACCESS_GROUP_ID, type PolicySubject } from '../../model/source.js';
import type { SourceState } from '../../model/source-state.js';

const DAY = 86_400_000;

/** How many days of daily and weekly rules are asked ahead: a week and a day covers every weekday and every hour. */
const DAYS_AHEAD = 8;

/** A rule compiled for its clock leaves alone; undefined when it does not compile (the evaluator refuses it too). */
function compiled(rule: unknown): RuleNode | undefined {
  try {
    return compileRule(rule, createAttributeNames());
  } catch {
    // undefined: a rule the evaluator refuses too
  }
}

/**
 * True when `rule` may hold at `at`: its clock leaves are read at that instant, every resource-attribute leaf is taken
 * to hold (the grant may reach some resource then). A rule that does not compile holds nowhere, as for the evaluator.
 */
export function ruleMayHold(rule: unknown, at: number): boolean {
  if (rule === undefined || rule === null) return true;
  const node = compiled(rule);
  return node !== undefined && holds(node, at);
}

function holds(node: RuleNode, at: number): boolean {
  switch (node.kind) {
    case 'and':
      return node.children.every((c) => holds(c, at));
    case 'or':
      return node.children.some((c) => holds(c, at));
    case 'attr':
      return true;
    default:
      return matchRule(node, { now: at } as RequestContext);
  }
}

/** Pushes the instants around `at` where a comparison with it can turn (one either side, and `at` itself). */
function around(out: number[], at: number, step: number): void {
  out.push(at - step, at, at + step);
}

/**
 * Pushes the instants where `node` can turn each day or week: each time of day and day of week on the days after every
 * instant of `from` (and the day before it). What a daily or weekly rule holds depends on the time of the
 * week alone, so a week and a day after an instant sees every turn it has until the next instant something else turns:
 * `from` holds every such instant a question needs (now, a grant's start, the date-times and expiries around it).
 */
function periodicTurns(node: RuleNode, from: readonly number[], out: number[]): void {
  switch (node.kind) {
    case 'and':
    case 'or':
      for (const c of node.children) periodicTurns(c, from, out);
      return;
    case 'time':
      // the time of day is read in whole seconds: it turns at the second, and one second either side
      for (const first of daysOf(from)) for (let d = -1; d <= DAYS_AHEAD; d++) around(out, first + d * DAY + node.seconds * 1000 - node.offsetMs, 1000);
      return;
    case 'day':
      for (const first of daysOf(from)) for (const x of node.days) for (let d = -1; d <= DAYS_AHEAD; d++) around(out, first + d * DAY - x.offsetMs, 1);
      return;
    // a date-time turns once (onceTurns), a resource-attribute leaf never by the clock
  }
}

/** The UTC midnights of the days of `instants`, each once. */
function daysOf(instants: readonly number[]): number[] {
  return [...new Set(instants.map((t) => Math.floor(t / DAY) * DAY))];
}

/** Pushes the date-times of `node`: the instants it turns at once, not each day or week. */
function onceTurns(node: RuleNode, out: number[]): void {
  switch (node.kind) {
    case 'and':
    case 'or':
      for (const c of node.children) onceTurns(c, out);
      return;
    case 'dateTime':
      around(out, node.at, 1);
    // a time of day or a weekday turns each day or week (periodicTurns), a resource-attribute leaf never by the clock
  }
}

/** The instants after `now` at which `rule` turns once (its date-times; none for a rule that does not compile). */
export function ruleOnceTurns(rule: unknown, now: number): number[] {
  const node = compiled(rule);
  // Stryker disable next-line ArrayDeclaration: a string put in the list is no instant later than now (the filter below)
  const out: number[] = [];
  if (node !== undefined) onceTurns(node, out);
  return out.filter((t) => t > now);
}

/**
 * The instants after `now` at which `rule` can turn: its daily and weekly turns on the days after now, after its own
 * date-times and after each of `from` (the instants something else turns at, later than the days around now).
 */
// Stryker disable next-line ArrayDeclaration: a string in `from` is a day that is no number, whose turns are no instant later than now
export function ruleTurns(rule: unknown, now: number, from: readonly number[] = []): number[] {
  // no rule (undefined, null) does not compile either: it turns nowhere
  const node = compiled(rule);
  // Stryker disable next-line ArrayDeclaration: a string put in the list is no instant later than now (the filter below)
  const out: number[] = [];
  if (node !== undefined) {
    onceTurns(node, out);
    periodicTurns(node, [now, ...out, ...from], out);
  }
  // every instant is finite: compileRule refuses a date-time that does not parse; (the days after two instants overlap)
  return [...new Set(out)].filter((t) => t > now);
}

/** The clock turns of one account, by whom they concern: read once per review, asked per principal. */
export interface AccountTurns {
  /**
   * The instants after now at which what `principalId` holds can turn: its own rows, its groups' and Public Access's,
   * its dynamic memberships; their daily and weekly turns on the days after now, after each instant they turn at once
   * and after each of `from` (the instants something else the question reads turns at).
   */
  of(principalId: string, from?: readonly number[]): number[];
  /** Of those, the instants after now that come once (date-times, expiries), not each day or week. */
  once(principalId: string): number[];
}

/** What turns what one principal, group or everyone holds: the rules of its policies, and what turns it once. */
interface Clock {
  rules: unknown[];
  once: number[];
}

/**
 * The instants after `now` at which what anyone holds in `accountId` can change by the clock alone: where a rule of
 * one of its policies or an expiry of one of its bindings turns, or a dynamic membership ends; kept by the principal
 * they concern. A group's rows concern its members (static, or by a dynamic membership): a principal joins a group only
 * by an operation (reviewed itself) or a login (the host's), never by the clock; a request a gate asks names no claims.
 * Public Access, and the account's services, concern everyone. (A group's rows once concerned everyone: a policy writer
 * who gave its own group thirty rules of weekly hours added a second to every grant anyone made in the account.)
 */
export function accountTurns(state: SourceState, accountId: string, now: number): AccountTurns {
  // Stryker disable next-line ArrayDeclaration: a string among the rules compiles to no turn; among the instants, it is none later than now (once's filter)
  const clock = (): Clock => ({ rules: [], once: [] });
  const everyone = clock();
  const own = new Map<string, Clock>();
  const ofGroup = new Map<string, Clock>();
  const clockOf = (m: Map<string, Clock>, id: string): Clock => {
    let v = m.get(id);
    if (v === undefined) m.set(id, (v = clock()));
    return v;
  };
  const of = (subject: PolicySubject): Clock => {
    // a service's authorizations and Public Access's policies concern everyone
    if (subject.kind === 'service' || subject.id === PUBLIC_ACCESS_GROUP_ID) return everyone;
    return clockOf(subject.kind === 'principal' ? own : ofGroup, subject.id);
  };
  const groupsOf = new Map<string, Set<string>>();
  const member = (principalId: string, groupId: string) => {
    let set = groupsOf.get(principalId);
    if (set === undefined) groupsOf.set(principalId, (set = new Set()));
    set.add(groupId);
  };
  for (const g of state.rowsOf('group', accountId)) for (const m of g.members) member(m, g.id);
  for (const m of state.rowsOf('membership', accountId)) member(m.principalId, m.groupId);
  // a policy without a rule turns nowhere (ruleTurns)
  for (const p of state.rowsOf('policy', accountId)) {
    if (p.rule === undefined) continue;
    const c = of(p.subject);
    c.rules.push(p.rule);
    c.once.push(...ruleOnceTurns(p.rule, now));
  }
  for (const b of state.rowsOf('binding', accountId)) if (b.expiresAt !== undefined) around(of(b.subject).once, Date.parse(b.expiresAt), 1);
  for (const m of state.rowsOf('membership', accountId)) around(of({ kind: 'principal', id: m.principalId }).once, Date.parse(m.expiresAt), 1);
  const clocks = (principalId: string): Clock[] => {
    // Stryker disable next-line ArrayDeclaration: a principal in no group: a made-up group id names no group's clock
    const groups = groupsOf.get(principalId) ?? [];
    return [everyone, own.get(principalId), ...[...groups].map((g) => ofGroup.get(g))].filter((c) => c !== undefined);
  };
  const onceMemo = new Map<string, number[]>();
  const once = (principalId: string): number[] => {
    let v = onceMemo.get(principalId);
    // every instant is finite: instantSchema refuses an expiry that does not parse
    if (v === undefined) onceMemo.set(principalId, (v = [...new Set(clocks(principalId).flatMap((c) => c.once))].filter((t) => t > now)));
    return v;
  };
  const memo = new Map<string, number[]>();
  return {
    once,
    // Stryker disable next-line ArrayDeclaration: a string in `from` is a day that is no number, whose turns are no instant later than now
    of(principalId, from = []) {
      const key = `${principalId}\u0000${from.join(',')}`;
      let v = memo.get(key);
      if (v === undefined) {
        // the daily and weekly turns after each instant the principal's holding turns at once, and after `from`
        const anchors = [...once(principalId), ...from];
        // each later than now already (once and ruleTurns filter)
        const all = [...once(principalId), ...clocks(principalId).flatMap((c) => c.rules.flatMap((r) => ruleTurns(r, now, anchors)))];
        memo.set(key, (v = [...new Set(all)]));
      }
      return v;
    },
  };
}
