import { ATTR } from './attribute-names.js';
import { internAction, internPrefix, type ActionTable } from './action-table.js';
import { Op, PAGE_BITS, PAGE_MASK } from './tables.js';
import type { AttributeMatcher, Bucket, Candidate, CompiledPolicy, IdentityIndex, RoleCatalog } from './tables.js';

/** Creates an empty per-identity index. */
export function createIdentityIndex(): IdentityIndex {
  return { pages: [], exactCount: 0, patterns: new Map() };
}

/** The empty candidate list every bucket starts with (most never get a deny): shared, so it costs nothing. */
export const NO_CANDIDATES: Candidate[] = Object.freeze([]) as unknown as Candidate[];

/** Trims every candidate list to its length: a list grown by push keeps spare capacity, which at 100k policies is most of the heap. */
export function trimIndex(index: IdentityIndex): void {
  // a one-candidate list was created exactly sized ([c]); only lists grown by push carry spare capacity
  const trim = (b: Bucket) => {
    if (b.deny.length > 1) b.deny = b.deny.slice();
    if (b.allow.length > 1) b.allow = b.allow.slice();
  };
  for (const page of index.pages) if (page !== undefined) for (const b of page) if (b !== undefined) trim(b);
  for (const b of index.patterns.values()) trim(b);
}

/** The bucket of an action pattern in an index, created on demand when `create`. */
export function bucketOf(index: IdentityIndex, actions: ActionTable, pattern: string, create: boolean): Bucket | undefined {
  if (pattern.endsWith('*')) {
    const id = internPrefix(actions, pattern.slice(0, -1));
    return create ? patternSlot(index, id) : index.patterns.get(id);
  }
  const id = internAction(actions, pattern);
  return create ? exactSlot(index, id) : exactBucket(index, id);
}

/** Drops the bucket of a pattern when it holds no candidate any more. */
export function dropIfEmpty(index: IdentityIndex, actions: ActionTable, pattern: string): void {
  const b = bucketOf(index, actions, pattern, false);
  if (b === undefined || b.deny.length > 0 || b.allow.length > 0) return;
  if (pattern.endsWith('*')) index.patterns.delete(internPrefix(actions, pattern.slice(0, -1)));
  else {
    const id = internAction(actions, pattern);
    index.pages[id >>> PAGE_BITS]![id & PAGE_MASK] = undefined;
    index.exactCount--;
  }
}

/** The bucket of an interned action id in an index, if any. */
export function exactBucket(index: IdentityIndex, actionId: number): Bucket | undefined {
  const p = actionId >>> PAGE_BITS;
  if (actionId < 0 || p >= index.pages.length) return undefined;
  const page = index.pages[p];
  return page === undefined ? undefined : page[actionId & PAGE_MASK];
}

/** Calls `fn` for every exact action bucket of an index with its action id. */
export function forEachExactBucket(index: IdentityIndex, fn: (b: Bucket, actionId: number) => void): void {
  index.pages.forEach((page, p) => page?.forEach((b, i) => b !== undefined && fn(b, (p << PAGE_BITS) | i)));
}

/** True when a policy needs more than its service and attribute conditions checked. */
function isSlow(p: CompiledPolicy): boolean {
  return (
    p.expiresAt !== Number.POSITIVE_INFINITY ||
    p.serviceSubject !== null ||
    p.federatedGroup ||
    p.tags.length > 0 ||
    p.scopes !== null ||
    p.nodes !== null ||
    p.rule !== null
  );
}

/** The service a policy pins with `serviceName stringEquals`, if any: grants for other services can never match. */
function pinnedService(attributes: readonly AttributeMatcher[]): string | null {
  for (const m of attributes) if (m.name === 'serviceName' && m.op === 0) return m.value;
  return null;
}

/** A policy's attribute conditions as one kind of candidate sees them, with its first plain `stringEquals` inlined. */
interface CandidateAttributes {
  readonly attributes: readonly AttributeMatcher[];
  readonly eqAttr: number;
  readonly eqValue: string;
  readonly rest: readonly AttributeMatcher[];
}

const NO_MATCHERS: readonly AttributeMatcher[] = Object.freeze([]);

function candidateAttributes(attributes: readonly AttributeMatcher[]): CandidateAttributes {
  if (attributes.length === 0) return { attributes: NO_MATCHERS, eqAttr: -1, eqValue: '', rest: NO_MATCHERS };
  const eq = attributes.findIndex((m) => m.op === Op.Equals && m.derived === 0);
  if (eq < 0) return { attributes, eqAttr: -1, eqValue: '', rest: attributes };
  return { attributes, eqAttr: attributes[eq]!.attr, eqValue: attributes[eq]!.value, rest: attributes.filter((_, i) => i !== eq) };
}

/** `list` less the matchers `drop` names, or `list` itself when none is dropped (no copy for the common case). */
function without(list: readonly AttributeMatcher[], drop: (m: AttributeMatcher) => boolean): readonly AttributeMatcher[] {
  return list.some(drop) ? list.filter((m) => !drop(m)) : list;
}

/** Indexes a compiled policy of an account in its subject identity's index, once per (role, pattern, service) it can grant. */
export function indexPolicy(index: IdentityIndex, accountId: string, cp: CompiledPolicy, roleIds: readonly string[], catalog: RoleCatalog): void {
  const pinned = pinnedService(cp.attributes);
  // INVARIANT: a policy is indexed under its own account, and a request is looked up in the resource's account,
  // so `accountId stringEquals <own account>` always holds where the policy can be a candidate
  const general = without(cp.attributes, (m) => m.attr === ATTR.accountId && m.op === Op.Equals && m.value === accountId);
  // a candidate granted for service S is only tried when the resource's serviceName is S, so `serviceName stringEquals
  // S` is dropped for it. A grant for another service than the pinned one never matches and is skipped below, so a
  // policy's candidates see at most two lists: `general` (any service) and, when pinned, `general` less the pin
  let forAny: CandidateAttributes | null = null;
  let forPinned: CandidateAttributes | null = null;
  const slow = isSlow(cp);
  for (const roleId of roleIds) {
    const groups = catalog.groups.get(roleId);
    if (groups === undefined) continue;
    for (const g of groups) {
      const service = g.service;
      if (pinned !== null && service !== null && service !== pinned) continue;
      const a =
        service === null || pinned === null
          ? (forAny ??= candidateAttributes(general))
          : (forPinned ??= candidateAttributes(without(general, (m) => m.attr === ATTR.serviceName && m.op === Op.Equals && m.value === service)));
      const c: Candidate = {
        id: cp.id,
        deny: cp.deny,
        error: cp.error,
        slow,
        policy: cp,
        role: g.role,
        service,
        attributes: a.attributes,
        eqAttr: a.eqAttr,
        eqValue: a.eqValue,
        rest: a.rest,
      };
      for (const id of g.actions) addCandidate(exactSlot(index, id), c);
      for (const id of g.prefixes) addCandidate(patternSlot(index, id), c);
    }
  }
}

/** The bucket of an interned action id, created if missing. */
function exactSlot(index: IdentityIndex, id: number): Bucket {
  const pages = index.pages;
  const p = id >>> PAGE_BITS;
  // INVARIANT: pages and pages' slots are filled with undefined up to what is used, so the arrays stay packed
  while (pages.length <= p) pages.push(undefined);
  let page = pages[p];
  if (page === undefined) pages[p] = page = new Array<Bucket | undefined>(PAGE_MASK + 1).fill(undefined);
  let b = page[id & PAGE_MASK];
  if (b === undefined) {
    page[id & PAGE_MASK] = b = { deny: NO_CANDIDATES, allow: NO_CANDIDATES, accel: undefined };
    index.exactCount++;
  }
  return b;
}

/** The bucket of an interned pattern prefix id, created if missing. */
function patternSlot(index: IdentityIndex, id: number): Bucket {
  let b = index.patterns.get(id);
  if (b === undefined) index.patterns.set(id, (b = { deny: NO_CANDIDATES, allow: NO_CANDIDATES, accel: undefined }));
  return b;
}

/** Adds a candidate to a bucket (once). */
function addCandidate(bucket: Bucket, c: Candidate): void {
  const deny = c.deny;
  const list = deny ? bucket.deny : bucket.allow;
  if (list[list.length - 1] === c) return;
  // INVARIANT: the shared empty list is never written to; a bucket gets its own list on its first candidate
  if (list === NO_CANDIDATES) {
    if (deny) bucket.deny = [c];
    else bucket.allow = [c];
  } else list.push(c);
  // INVARIANT: every bucket is created with an `accel` slot, so resetting it never changes the bucket's shape
  if (bucket.accel !== undefined) bucket.accel = undefined;
}
