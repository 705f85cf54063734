// The values the gate asks for an open value of a target ("any value", or a glob's instances): one witness per class
// of values the subject's policies can tell apart, derived from the literals and globs those policies hold, so that the
// answer is the same on every run and no grant can hide behind a value the probes never try.
//
// The evaluator reads a resource attribute's value only through conditions on it (a literal equal or not, a glob
// matching or not) and a few literals of its own (a role's or the catalog's service names for `serviceName`, `user` for
// `resourceType`, a Cloudflare user scope's id for `resource`). Two values on which every one of those answers alike are
// decided alike. The witnesses are found by a breadth-first walk of the product of the globs' automata, the open
// value's own automaton and a trie of the literals, over the characters the patterns name plus one fresh character that
// none names (every other character behaves as that one does): the last word reaching each combination of answers is
// its witness, and each literal the open value admits is its own witness. The walk is exact, not sampled.
import type { Policy } from '../../model/source.js';
import { PUBLIC_ACCESS_GROUP_ID } from '../../model/source.js';
import { parseScope } from '../../model/scope.js';
import { ANY_VALUE, GLOB_VALUE, ruleLeaves } from './targets.js';
import type { SourceState } from '../../model/source-state.js';

/** A glob as tokens: a UTF-16 code unit to equal, or one of these two wildcards. */
const ONE = -1;
const RUN = -2;

/** The tokens of a `stringMatch` glob: `*` any run, `?` one code unit, `{{*}}` and `{{?}}` literal. */
function tokensOf(glob: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < glob.length; ) {
    if (glob.startsWith('{{*}}', i) || glob.startsWith('{{?}}', i)) {
      out.push(glob.charCodeAt(i + 2));
      i += 5;
    } else {
      const c = glob.charCodeAt(i++);
      out.push(c === 42 ? RUN : c === 63 ? ONE : c);
    }
  }
  return out;
}

/**
 * `set` (positions in `t`, ascending) with every position past a run of `*` added, still ascending (the walk's state
 * keys need one order per set): each position's run follows it, and a later position lies inside that run (already
 * added) or past it.
 */
function close(t: readonly number[], set: readonly number[]): number[] {
  const out = new Set<number>();
  for (let s of set) {
    out.add(s);
    while (t[s] === RUN) out.add(++s);
  }
  return [...out];
}

/** The positions of `t` reached from `set` (ascending) by the code unit `c`, ascending: each position moves by 0 or 1. */
function step(t: readonly number[], set: readonly number[], c: number): number[] {
  const next: number[] = [];
  for (const s of set) {
    const tok = t[s];
    if (tok === RUN) next.push(s);
    else if (tok === ONE || tok === c) next.push(s + 1);
  }
  return close(t, next);
}

const accepts = (t: readonly number[], set: readonly number[]) => set.includes(t.length);

/** True when glob tokens `t` match the whole of `s`. */
function matches(t: readonly number[], s: string): boolean {
  let set = close(t, [0]);
  for (let i = 0; i < s.length; i++) set = step(t, set, s.charCodeAt(i));
  return accepts(t, set);
}

/** The most automaton states one walk may visit; past it the gate refuses (fail closed), it never samples. */
export const MAX_WITNESS_STATES = 20_000;

/**
 * The most automaton steps one walk may take (each character tried steps the open value's automaton and every glob's);
 * past it the gate refuses too. The state bound alone let twenty globs cost twenty steps per character per state: one
 * request walked 2 million steps (8 s of a loaded VM, the engine's writes and the server's event loop held) before it
 * was refused. The walks the suites make take at most about 2,000 steps.
 */
export const MAX_WITNESS_STEPS = 50_000;

/**
 * The most automaton steps all the walks of one operation run may take together. A review asks the same open values
 * at every instant a clock rule turns and as every principal a change hits: eighty walks of 46,000 steps each made one
 * acceptable request cost 12 s. A walk is pure on its inputs, so the run makes each walk once (`WitnessWalks`), and
 * what distinct walks it makes share this budget; past it the gate refuses. The suites' runs take at most about 6,500
 * steps together.
 */
export const MAX_RUN_WITNESS_STEPS = 100_000;

/** The witness walks of one operation run, shared by all its gates: each walk's answer, and the steps left. */
export interface WitnessWalks {
  done: Map<string, string[] | null>;
  stepsLeft: number;
}

/** A fresh record of walks for one operation run. */
export function createWitnessWalks(): WitnessWalks {
  return { done: new Map(), stepsLeft: MAX_RUN_WITNESS_STEPS };
}

/** `witnesses`, made once per run for the same inputs, within what is left of the run's steps. */
export function runWitnesses(walks: WitnessWalks, open: string, literals: Iterable<string>, globs: Iterable<string>): string[] | null {
  const lits = [...new Set(literals)].sort();
  const gs = [...new Set(globs)].sort();
  const key = JSON.stringify([open, lits, gs]);
  let out = walks.done.get(key);
  if (out !== undefined) return out;
  const used = { steps: 0 };
  out = witnesses(open, lits, gs, Math.min(MAX_WITNESS_STEPS, walks.stepsLeft), used);
  walks.stepsLeft -= used.steps;
  walks.done.set(key, out);
  return out;
}

/**
 * The witnesses of open value `open` (ANY_VALUE or GLOB_VALUE + glob) against the literals and globs that can tell
 * values apart: every literal the open value admits (sorted), and for each combination of glob answers that some other
 * admitted value gives, one such value (the last the walk reaches, in an order fixed by the set of patterns, whatever
 * order they come in). A value no pattern names a character of is spelt with the first private-use character (U+E000
 * on) that no pattern or literal holds: a well-formed string. Null when the walk passes MAX_WITNESS_STATES states or
 * `maxSteps` steps (MAX_WITNESS_STEPS unless told); `used.steps` counts the steps it took.
 */
export function witnesses(open: string, literals: Iterable<string>, globs: Iterable<string>, maxSteps = MAX_WITNESS_STEPS, used = { steps: 0 }): string[] | null {
  const target = open === ANY_VALUE ? [RUN] : tokensOf(open.slice(GLOB_VALUE.length));
  const lits = [...new Set(literals)].filter((l) => matches(target, l)).sort();
  // the globs' order names the answers and the states alike, so it changes neither the classes nor the walk's order
  const gs = [...new Set(globs)].map(tokensOf);
  // the literals as a trie: a node is the one word that reaches it, so it fixes every automaton's state
  const children: Map<number, number>[] = [new Map()];
  const terminal = new Set<number>();
  const seenChars = new Set<number>();
  for (const l of lits) {
    let node = 0;
    for (let i = 0; i < l.length; i++) {
      const c = l.charCodeAt(i);
      seenChars.add(c);
      let next = children[node]!.get(c);
      if (next === undefined) {
        next = children.length;
        children[node]!.set(c, next);
        children.push(new Map());
      }
      node = next;
    }
    terminal.add(node);
  }
  const named = new Set<number>();
  for (const t of [target, ...gs]) for (const tok of t) if (tok >= 0) named.add(tok);
  // a character no pattern names stands for every such character; it is no literal's either, so that a word spelt with
  // it leaves the trie (a literal's character no pattern names is walked as this one: the automata answer alike)
  let fresh = 0xe000;
  while (named.has(fresh) || seenChars.has(fresh)) fresh++;
  const alphabet = [...named, fresh].sort((x, y) => x - y);

  type State = { word: string; node: number; t: number[]; g: number[][] };
  const out = new Map<string, string>();
  // a trie node (never the start's, which no step reaches) by its number; a word off the trie by its automata's states
  const seen = new Set<number | string>();
  const queue: State[] = [{ word: '', node: 0, t: close(target, [0]), g: gs.map((g) => close(g, [0])) }];
  for (let q = 0; q < queue.length; q++) {
    const s = queue[q]!;
    // a word that is a literal is that literal's witness; any other admitted word stands for its class (node -1, off
    // the trie, is no literal); any value of the class stands for it: the last one reached
    if (accepts(target, s.t) && !terminal.has(s.node)) out.set(s.g.map((set, i) => accepts(gs[i]!, set)).join(), s.word);
    for (const c of alphabet) {
      // each character tried steps the open value's automaton and every glob's
      used.steps += gs.length + 1;
      if (used.steps > maxSteps) return null;
      const t = step(target, s.t, c);
      // nothing the open value admits starts with this word: pruned, which keeps a narrow open value within the bound
      if (t.length === 0) continue;
      const node = children[s.node]?.get(c) ?? -1;
      const g = s.g.map((set, i) => step(gs[i]!, set, c));
      const key = node === -1 ? JSON.stringify([t, g]) : node;
      if (seen.has(key)) continue;
      if (seen.size >= MAX_WITNESS_STATES) return null;
      seen.add(key);
      queue.push({ word: s.word + String.fromCharCode(c), node, t, g });
    }
  }
  return [...lits, ...out.values()];
}

/**
 * The policies of `accountId` that can apply to principal `subjectId`: its own, its groups' (static or dynamic), Public
 * Access. A policy of a service subject never applies to a gate's request (it names no calling service); a group
 * reached by claim rules alone neither (it names no claims).
 */
export function applicablePolicies(index: SubjectIndex, subjectId: string): Policy[] {
  const out = [...(index.policies.get(`principal:${subjectId}`) ?? []), ...(index.policies.get(`group:${PUBLIC_ACCESS_GROUP_ID}`) ?? [])];
  // a member of Public Access listed as such reaches its policies twice: a policy listed twice adds no pattern
  // Public Access lists no members (parseSource), so no group reached here is it again
  index.groups.get(subjectId)?.forEach((g) => out.push(...(index.policies.get(`group:${g}`) ?? [])));
  return out;
}

/** One account's policies by subject (`principal:id`, `group:id`) and its principals' groups (static or dynamic). */
export interface SubjectIndex {
  policies: Map<string, Policy[]>;
  groups: Map<string, Set<string>>;
}
/** The subject index of one account of `state` (one scan of its groups, memberships and policies). */
export function subjectIndex(state: SourceState, accountId: string): SubjectIndex {
  const index: SubjectIndex = { policies: new Map(), groups: new Map() };
  const member = (principalId: string, groupId: string) => {
    let set = index.groups.get(principalId);
    if (set === undefined) index.groups.set(principalId, (set = new Set()));
    set.add(groupId);
  };
  // a parsed group always lists its members (groupSchema's default is none)
  for (const g of state.rowsOf('group', accountId)) for (const m of g.members) member(m, g.id);
  for (const m of state.rowsOf('membership', accountId)) member(m.principalId, m.groupId);
  for (const p of state.rowsOf('policy', accountId)) {
    // a service subject never applies to a gate's request (it names no calling service); were it kept, it would be under
    // a key no principal asks for
    if (p.subject.kind === 'service') continue;
    const key = `${p.subject.kind}:${p.subject.id}`;
    const list = index.policies.get(key);
    if (list === undefined) index.policies.set(key, [p]);
    else list.push(p);
  }
  return index;
}

/**
 * The tags (`name:value`) that every tag condition of `policies` (those that can apply to the one asked) holds on: a request
 * carrying them all is matched by every such condition that any tag set matches. Tag conditions only ever ask for a
 * tag to be present, so what holds with the fewest tags and with these added holds with any tags between.
 */
export function tagWitnesses(policies: readonly Policy[]): string[] {
  const out = new Set<string>();
  for (const p of policies) {
    for (const t of p.resource.tags) {
      // a glob's shortest instance: `*` empty, `?` one letter, `{{*}}` and `{{?}}` themselves
      const value = t.operator === 'stringMatch' ? tokensOf(t.value).map((c) => (c === RUN ? '' : c === ONE ? 'a' : String.fromCharCode(c))).join('') : t.value;
      out.add(`${t.name}:${value}`);
    }
  }
  // in the policies' order, which the state fixes: a request's tags are a set to the evaluator
  return [...out];
}

/** The literals and globs that can tell values of one attribute apart for one subject. */
export interface AttributePatterns {
  /** True when some policy that can apply to the subject, or the evaluator itself, reads the attribute at all. */
  named: boolean;
  literals: string[];
  globs: string[];
}

/**
 * What can tell values of resource attribute `attr` of `accountId` apart for the one asked: the conditions on it of
 * `policies` (those that can apply to it), and the evaluator's own literals for the attribute.
 */
export function attributePatterns(policies: readonly Policy[], state: SourceState, accountId: string, attr: string): AttributePatterns {
  const out: AttributePatterns = { named: false, literals: [], globs: [] };
  const add = (operator: unknown, value: unknown) => {
    out.named = true;
    const values = (Array.isArray(value) ? value : [value]).map(String);
    if (operator === 'stringMatch' || operator === 'stringMatchAnyOf') out.globs.push(...values);
    else if (operator === 'stringEquals' || operator === 'stringEqualsAnyOf') out.literals.push(...values);
  };
  for (const p of policies) for (const c of [...p.resource.attributes, ...ruleLeaves(p.rule ?? null)]) if (c.name === attr) add(c.operator, c.value);
  if (attr === 'serviceName') {
    for (const s of state.list('service')) out.literals.push(s.name);
    for (const r of [...state.list('role', ''), ...state.rowsOf('role', accountId)]) if (r.serviceName !== undefined) out.literals.push(r.serviceName);
  } else if (attr === 'resourceType') out.literals.push('user');
  else if (attr === 'resource') {
    for (const rg of state.rowsOf('resourceGroup', accountId))
      for (const sc of rg.scope) {
        const parsed = parseScope(sc, accountId);
        if (!('error' in parsed)) for (const t of parsed.targets) if (t.type === 'user') out.literals.push(t.userId);
      }
  }
  if (out.literals.length > 0) out.named = true;
  return out;
}
