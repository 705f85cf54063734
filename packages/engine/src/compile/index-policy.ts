import { ATTR } from './attribute-names.js';
import { internList, type CandidateAttributes, type CompileCache, type ListViews } from './compile-cache.js';
import { stage } from './identity-index.js';
import { Op } from './tables.js';
import type { AttributeMatcher, Candidate, CompiledPolicy, IdentityIndex, RoleCatalog } from './tables.js';

// From a compiled policy to the candidates its subject's index holds: one per (role, service) grant, with the
// conditions the index already guarantees dropped and the first plain equality inlined (see identity-index.ts for
// where they are placed).

/**
 * True when a policy needs more than its service and attribute conditions checked. Each term forced true only makes
 * more candidates run matchRest, whose checks hold for what the term leaves out: speed only.
 */
function isSlow(p: CompiledPolicy): boolean {
  return (
    p.serviceSubject !== null ||
    p.tags.length > 0 ||
    p.scopes !== null ||
    p.nodes !== null ||
    p.rule !== null ||
    // Stryker disable next-line ConditionalExpression,EqualityOperator: only a binding has an expiry or a federated group, and every binding has nodes (compileBinding), so these two terms never decide alone
    p.expiresAt !== Number.POSITIVE_INFINITY ||
    // Stryker disable next-line ConditionalExpression: as above: a federated group is a binding's, and the binding is slow by its nodes
    p.federatedGroup
  );
}

/** The service a policy pins with `serviceName stringEquals`, if any: grants for other services can never match. */
function pinnedService(attributes: readonly AttributeMatcher[]): string | null {
  for (let i = 0; i < attributes.length; i++) if (attributes[i]!.name === 'serviceName' && attributes[i]!.op === 0) return attributes[i]!.value;
  return null;
}

/** A list's candidate view, built once per list of the batch (the lists are interned, see compile-cache.ts). */
function candidateAttributes(cache: CompileCache, attributes: readonly AttributeMatcher[]): CandidateAttributes {
  return cache.candidates.get(attributes) ?? newCandidateAttributes(cache, attributes);
}

/** Builds a list's candidate view and caches it. */
function newCandidateAttributes(cache: CompileCache, attributes: readonly AttributeMatcher[]): CandidateAttributes {
  // loops rather than findIndex and filter with callbacks, here and in `without`: see compile-source.ts, applyRows
  let eq = 0;
  while (eq < attributes.length && !(attributes[eq]!.op === Op.Equals && attributes[eq]!.derived === 0)) eq++;
  let ca: CandidateAttributes;
  // Stryker disable next-line StringLiteral: `eqValue` is read only where `eqAttr >= 0` (matchCandidate, stagedRecords, the layout snapshot)
  if (eq === attributes.length) ca = { attributes, eqAttr: -1, eqValue: '', rest: attributes };
  else ca = { attributes, eqAttr: attributes[eq]!.attr, eqValue: attributes[eq]!.value, rest: internList(cache, withoutAt(attributes, eq)) };
  // Stryker disable next-line CallExpression: uncached, a list's view is built again wherever it is asked for, and equal (its `rest` is interned): speed only
  cache.candidates.set(attributes, ca);
  return ca;
}

/** `list` less its matcher at `at`. */
function withoutAt(list: readonly AttributeMatcher[], at: number): AttributeMatcher[] {
  const out: AttributeMatcher[] = [];
  for (let i = 0; i < list.length; i++) if (i !== at) out.push(list[i]!);
  return out;
}

/**
 * `list` less its `stringEquals` matchers of attribute `attr` and value `value`, interned, or `list` itself when it has
 * none (no copy for the common case).
 */
function without(cache: CompileCache, list: readonly AttributeMatcher[], attr: number, value: string): readonly AttributeMatcher[] {
  let out: AttributeMatcher[] | null = null;
  for (let i = 0; i < list.length; i++) {
    const m = list[i]!;
    // Stryker disable next-line AssignmentOperator: `&&=` keeps `out` null, so `list` is returned whole: the conditions it would drop hold wherever the candidate is tried (see listViews and indexPolicy), speed only
    if (m.attr === attr && m.op === Op.Equals && m.value === value) out ??= list.slice(0, i);
    else out?.push(m);
  }
  return out === null ? list : internList(cache, out);
}

/** The views of a policy's attribute list in its account, computed once per (list, account) of the batch. */
function listViews(cache: CompileCache, attributes: readonly AttributeMatcher[], accountId: string): ListViews {
  const first = cache.views.get(attributes);
  for (let v = first; v !== undefined; v = v.next) if (v.accountId === accountId) return v;
  // INVARIANT: a policy is indexed under its own account, and a request is looked up in the resource's account,
  // so `accountId stringEquals <own account>` always holds where the policy can be a candidate
  const general = without(cache, attributes, ATTR.accountId, accountId);
  const v: ListViews = { accountId, next: first, general, pinned: pinnedService(attributes), forAny: null, forPinned: null };
  // Stryker disable next-line CallExpression: uncached, a list's views are built again where they are asked for, and equal (`general` is interned, the candidate views cached by list): speed only
  cache.views.set(attributes, v);
  return v;
}

/**
 * Stages a compiled policy of an account in its subject identity's index, once per (role, service) grant it can use;
 * sealIndex places it under the grant's actions and pattern prefixes.
 */
export function indexPolicy(
  index: IdentityIndex,
  accountId: string,
  cp: CompiledPolicy,
  roleIds: readonly string[],
  catalog: RoleCatalog,
  cache: CompileCache,
): void {
  const v = listViews(cache, cp.attributes, accountId);
  const pinned = v.pinned;
  // a candidate granted for service S is only tried when the resource's serviceName is S, so `serviceName stringEquals
  // S` is dropped for it. A grant for another service than the pinned one never matches and is skipped below, so a
  // policy's candidates see at most two lists: `general` (any service) and, when pinned, `general` less the pin
  const slow = isSlow(cp);
  // indexed loops: see compile-source.ts, applyRows
  for (let r = 0; r < roleIds.length; r++) {
    const groups = catalog.groups.get(roleIds[r]!);
    if (groups === undefined) continue;
    for (let k = 0; k < groups.length; k++) {
      const g = groups[k]!;
      const service = g.service;
      if (pinned !== null && service !== null && service !== pinned) continue;
      const a =
        service === null || pinned === null
          ? (v.forAny ??= candidateAttributes(cache, v.general))
          : (v.forPinned ??= candidateAttributes(cache, without(cache, v.general, ATTR.serviceName, pinned)));
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
      stage(index, c, g);
    }
  }
}
