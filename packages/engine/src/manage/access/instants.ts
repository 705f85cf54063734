// When access can change by the clock alone: the instants at which a rule of a policy (a date-time, a time of day, a
// day of the week) or an expiry (a binding's, a dynamic membership's) turns, so the review asks what the actor holds
// not only now but at every instant a grant it gives still holds (access/escalation.ts). A grant the actor holds
// until February is not one it may give for ever; one it holds before 23:00 is not one it may give at every hour.
import { createAttributeNames } from '../../compile/attribute-names.js';
import { compileRule } from '../../compile/compile-matchers.js';
import type { RuleNode } from '../../compile/tables.js';
import { matchRule } from '../../evaluate/match-policy.js';
import type { RequestContext } from '../../evaluate/resolve-request.js';
import { PUBLIC_ACCESS_GROUP_ID } from '../../model/source.js';
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

function turns(node: RuleNode, now: number, out: number[]): void {
  switch (node.kind) {
    case 'and':
    case 'or':
      for (const c of node.children) turns(c, now, out);
      return;
    case 'dateTime':
      around(out, node.at, 1);
      return;
    case 'time': {
      // the time of day is read in whole seconds: it turns at the second, and one second either side
      const first = Math.floor(now / DAY) * DAY;
      for (let d = -1; d <= DAYS_AHEAD; d++) around(out, first + d * DAY + node.seconds * 1000 - node.offsetMs, 1000);
      return;
    }
    case 'day': {
      const first = Math.floor(now / DAY) * DAY;
      for (const x of node.days) for (let d = -1; d <= DAYS_AHEAD; d++) around(out, first + d * DAY - x.offsetMs, 1);
      return;
    }
    // a resource-attribute leaf never turns by the clock
  }
}

/** The instants after `now` at which `rule` can turn. */
export function ruleTurns(rule: unknown, now: number): number[] {
  // no rule (undefined, null) does not compile either: it turns nowhere
  const node = compiled(rule);
  const out: number[] = [];
  if (node !== undefined) turns(node, now, out);
  // every instant is finite: compileRule refuses a date-time that does not parse
  return out.filter((t) => t > now);
}

/** The clock turns of one account, by whom they concern: read once per review, asked per principal. */
export interface AccountTurns {
  /** The instants after now at which what `principalId` holds can turn: its own rows, its groups' and Public Access's, its dynamic memberships. */
  of(principalId: string): number[];
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
  const everyone: number[] = [];
  const own = new Map<string, number[]>();
  const ofGroup = new Map<string, number[]>();
  const listOf = (m: Map<string, number[]>, id: string): number[] => {
    let v = m.get(id);
    if (v === undefined) m.set(id, (v = []));
    return v;
  };
  const of = (subject: { kind: string; id?: string }): number[] => {
    if (subject.id === undefined || subject.id === PUBLIC_ACCESS_GROUP_ID) return everyone;
    if (subject.kind === 'principal') return listOf(own, subject.id);
    if (subject.kind === 'group') return listOf(ofGroup, subject.id);
    return everyone;
  };
  const groupsOf = new Map<string, Set<string>>();
  const member = (principalId: string, groupId: string) => {
    let set = groupsOf.get(principalId);
    if (set === undefined) groupsOf.set(principalId, (set = new Set()));
    set.add(groupId);
  };
  for (const g of state.rowsOf('group', accountId)) for (const m of g.members ?? []) member(m, g.id);
  for (const m of state.rowsOf('membership', accountId)) member(m.principalId, m.groupId);
  // a policy without a rule turns nowhere (ruleTurns)
  for (const p of state.rowsOf('policy', accountId)) of(p.subject).push(...ruleTurns(p.rule, now));
  for (const b of state.rowsOf('binding', accountId)) if (b.expiresAt !== undefined) around(of(b.subject), Date.parse(b.expiresAt), 1);
  for (const m of state.rowsOf('membership', accountId)) around(of({ kind: 'principal', id: m.principalId }), Date.parse(m.expiresAt), 1);
  const memo = new Map<string, number[]>();
  return {
    of(principalId) {
      let v = memo.get(principalId);
      if (v === undefined) {
        const groups = [...(groupsOf.get(principalId) ?? [])].flatMap((g) => ofGroup.get(g) ?? []);
        // every instant is finite: instantSchema refuses an expiry that does not parse
        memo.set(principalId, (v = [...new Set([...everyone, ...(own.get(principalId) ?? []), ...groups])].filter((t) => t > now)));
      }
      return v;
    },
  };
}
