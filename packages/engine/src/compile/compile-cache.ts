import type { AttributeMatcher, TagMatcher } from './tables.js';

/** A list of attribute matchers as one kind of candidate sees it, its first plain `stringEquals` inlined (index-policy.ts). */
export interface CandidateAttributes {
  readonly attributes: readonly AttributeMatcher[];
  readonly eqAttr: number;
  readonly eqValue: string;
  readonly rest: readonly AttributeMatcher[];
}

/**
 * What one batch of rows (a compile, or an update's changes) compiles once and shares between its policies: matchers by
 * attribute name, operator and value, attribute lists by the matchers in them, and the candidate view of each list.
 * At L some 310k conditions hold 3.7k distinct ones and 95k policies 35k distinct lists, so sharing them is most of
 * what keeps a compiled policy under a kilobyte and its compile out of the garbage collector. Matchers and lists are
 * never written once built, so sharing is invisible to every reader. The cache lives only as long as its batch: an
 * engine that runs for months keeps no matcher of a policy long deleted.
 */
export interface CompileCache {
  /** name -> operator -> scalar value (as written, so `1` and `'1'` are two entries of equal matchers) -> matcher. */
  readonly matchers: Map<string, Map<string, Map<unknown, AttributeMatcher>>>;
  /** Lists by their matchers in order, a trie: no key is built to look one up. */
  readonly lists: ListNode;
  /** The candidate view of each list of `lists`, by the list itself. */
  readonly candidates: Map<readonly AttributeMatcher[], CandidateAttributes>;
  /**
   * What indexing reads of a policy's list in its account, by list, then a chain by account id (index-policy.ts): a
   * list usually names its account, so the chain is one long, and a map per list (35k at L) cost more than it saved.
   */
  readonly views: Map<readonly AttributeMatcher[], ListViews>;
  /**
   * A frozen resource selector's compiled attributes and tags, by the selector itself: a store hands equal selectors
   * over as one frozen value (parse-stored.ts, checkpoint.ts), so a policy naming one met before compiles nothing.
   * Only frozen ones: nothing can change them while the batch runs, and only a store shares them.
   */
  readonly selectors: Map<object, CompiledSelector>;
}

/** A resource selector's compiled attribute conditions and tags. */
export interface CompiledSelector {
  readonly attributes: readonly AttributeMatcher[];
  readonly tags: readonly TagMatcher[];
}

/** One attribute list of a policy as its candidates in one account see it (see indexPolicy). */
export interface ListViews {
  readonly accountId: string;
  /** The views of the same list in another account. */
  readonly next: ListViews | undefined;
  /** The list less `accountId stringEquals <the account>`. */
  readonly general: readonly AttributeMatcher[];
  /** The service the list pins with `serviceName stringEquals`, if any. */
  readonly pinned: string | null;
  /** Built on first use: candidates for any service, and for the pinned one. */
  forAny: CandidateAttributes | null;
  forPinned: CandidateAttributes | null;
}

/** A node of the list trie: the list that ends here, and the lists that go on. */
interface ListNode {
  list: readonly AttributeMatcher[] | undefined;
  next: Map<AttributeMatcher, ListNode> | undefined;
}

/** The empty matcher list every policy without conditions shares. */
export const NO_MATCHERS: readonly AttributeMatcher[] = Object.freeze([]);

export function createCompileCache(): CompileCache {
  return {
    matchers: new Map(),
    // Stryker disable next-line ObjectLiteral: the fields spelled out give every node one hidden class; `{}` reads undefined alike
    lists: { list: undefined, next: undefined },
    candidates: new Map(),
    views: new Map(),
    selectors: new Map(),
  };
}

/** The matcher compiled earlier in this batch for the same name, operator and scalar value, if any. */
export function cachedMatcher(cache: CompileCache, name: string, operator: string, value: unknown): AttributeMatcher | undefined {
  return cache.matchers.get(name)?.get(operator)?.get(value);
}

/** Remembers a matcher compiled for a scalar value; returns it. */
export function cacheMatcher(cache: CompileCache, name: string, operator: string, value: unknown, m: AttributeMatcher): AttributeMatcher {
  let byOp = cache.matchers.get(name);
  if (byOp === undefined) cache.matchers.set(name, (byOp = new Map()));
  let byValue = byOp.get(operator);
  if (byValue === undefined) byOp.set(operator, (byValue = new Map()));
  byValue.set(value, m);
  return m;
}

/**
 * The one list of this batch holding these matchers in this order: a copy of `list` the first time, the list met first
 * afterwards. Copied to its length: the tables keep it, and callers build theirs by push, which leaves up to 16 spare
 * slots (some 4 MB at L).
 */
export function internList(cache: CompileCache, list: AttributeMatcher[]): readonly AttributeMatcher[] {
  if (list.length === 0) return NO_MATCHERS;
  let node = cache.lists;
  // an indexed loop: see compile-source.ts, applyRows
  for (let i = 0; i < list.length; i++) {
    const m = list[i]!;
    let child = node.next?.get(m);
    // Stryker disable next-line ObjectLiteral: the fields spelled out give every node one hidden class; `{}` reads undefined alike
    if (child === undefined) (node.next ??= new Map()).set(m, (child = { list: undefined, next: undefined }));
    node = child;
  }
  return (node.list ??= list.slice());
}
