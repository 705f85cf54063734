import type { Memo } from './memo.js';

/**
 * Actions and pattern prefixes interned to small integers, so that every per-identity lookup on the hot path is an
 * integer-keyed map lookup instead of a string comparison. Append-only: ids never change once given.
 */
export interface ActionTable {
  /** Exact action -> id. */
  readonly actions: Map<string, number>;
  /** Pattern prefix (`workspace:` of `workspace:*`) -> id. */
  readonly prefixes: Map<string, number>;
  /** Action id -> the ids of the known prefixes it starts with; reset whenever a prefix is added. */
  prefixCache: Memo<(readonly number[] | undefined)[]>;
}

/** Creates an empty action table. */
export function createActionTable(): ActionTable {
  return { actions: new Map(), prefixes: new Map(), prefixCache: [] };
}

/** The id of an exact action, interning it. */
export function internAction(t: ActionTable, action: string): number {
  let id = t.actions.get(action);
  if (id === undefined) {
    id = t.actions.size;
    t.actions.set(action, id);
  }
  return id;
}

/** The id of a pattern prefix, interning it. */
export function internPrefix(t: ActionTable, prefix: string): number {
  let id = t.prefixes.get(prefix);
  if (id === undefined) {
    id = t.prefixes.size;
    t.prefixes.set(prefix, id);
    // INVARIANT: a new prefix may apply to actions already cached
    t.prefixCache = [];
  }
  return id;
}

const NONE: readonly number[] = [];

/** The ids of the known prefixes of an action (`a.b.c` -> `a.`, `a.b.`), computed once per known action. */
export function prefixIdsOf(t: ActionTable, action: string, actionId: number): readonly number[] {
  // an unknown action (-1: no role names it, a pattern may still cover it) is not kept: the memo is by action id
  if (actionId < 0) return knownPrefixes(t.prefixes, action);
  return (t.prefixCache[actionId] ??= knownPrefixes(t.prefixes, action));
}

function knownPrefixes(prefixes: ReadonlyMap<string, number>, action: string): readonly number[] {
  let out: number[] | null = null;
  // every prefix ends with `.` or `:` (a pattern's `*` follows one), so only there can one end; never at the last
  // character, as `a.b.*` covers strictly longer actions only
  for (let i = 0; i < action.length - 1; i++) {
    const ch = action.charCodeAt(i);
    if (ch !== 46 /* . */ && ch !== 58 /* : */) continue;
    const id = prefixes.get(action.slice(0, i + 1));
    if (id !== undefined) (out ??= []).push(id);
  }
  return out ?? NONE;
}
