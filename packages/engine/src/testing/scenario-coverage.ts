// What a set of decided cases exercised, read from the decisions' explanations: the determining
// policies and bindings, the roles that let them in, and the claim rules (on the fly, or through a
// stored membership that records its rule) that gave the caller a group.
import type { AuthorizeRequest, Decision } from '../evaluate/types.js';
import type { Source } from '../model/source.js';
import { requestAccount } from './kit-request-facts.js';

/** A claim rule, named by its account, group and rule id. */
export interface ClaimRuleRef {
  accountId: string;
  groupId: string;
  ruleId: string;
}

/** What the cases exercised and what they did not; `uncovered` lists are sorted. */
export interface ScenarioCoverage {
  /** Active policies and bindings; a deleted policy cannot decide anything and is not counted. */
  policies: { total: number; covered: string[]; uncovered: string[] };
  /** Roles named by an active policy or a binding. */
  roles: { total: number; covered: string[]; uncovered: string[] };
  /** Every claim rule of every group. */
  claimRules: { total: number; covered: ClaimRuleRef[]; uncovered: ClaimRuleRef[] };
}

const sorted = (xs: Iterable<string>) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const ruleKey = (r: ClaimRuleRef) => JSON.stringify([r.accountId, r.groupId, r.ruleId]);

/** Coverage of a source by decided requests; each decision must have been made with `explain: true`. */
export function scenarioCoverage(source: Source, decided: { request: AuthorizeRequest; decision: Decision }[]): ScenarioCoverage {
  const policies = sorted(new Set([...source.policies.filter((p) => p.state === 'active').map((p) => p.id), ...source.bindings.map((b) => b.id)]));
  const roles = sorted(
    new Set([...source.policies.filter((p) => p.state === 'active').flatMap((p) => p.roles), ...source.bindings.map((b) => b.roleId)]),
  );
  const rules: ClaimRuleRef[] = source.groups.flatMap((g) => g.rules.map((r) => ({ accountId: g.accountId, groupId: g.id, ruleId: r.id })));
  const seenPolicies = new Set<string>();
  const seenRoles = new Set<string>();
  const seenRules = new Set<string>();
  for (const { request, decision } of decided) {
    const A = requestAccount(source, request);
    for (const e of decision.explanation ?? []) {
      seenPolicies.add(e.policyId);
      seenRoles.add(e.roleId);
      if (A === undefined || e.identity.kind !== 'group') continue;
      const id = e.identity;
      if (id.via === 'claims') seenRules.add(ruleKey({ accountId: A, groupId: id.id, ruleId: id.ruleId }));
      if (id.via === 'dynamic') {
        // a stored membership records the rule that made it, when it knows
        const m = source.memberships.find(
          (x) => x.accountId === A && x.principalId === request.subject?.id && x.groupId === id.id && x.realm === id.realm && x.expiresAt === id.expiresAt,
        );
        if (m?.ruleId !== undefined) seenRules.add(ruleKey({ accountId: A, groupId: id.id, ruleId: m.ruleId }));
      }
    }
  }
  return {
    policies: { total: policies.length, covered: policies.filter((p) => seenPolicies.has(p)), uncovered: policies.filter((p) => !seenPolicies.has(p)) },
    roles: { total: roles.length, covered: roles.filter((r) => seenRoles.has(r)), uncovered: roles.filter((r) => !seenRoles.has(r)) },
    claimRules: {
      total: rules.length,
      covered: rules.filter((r) => seenRules.has(ruleKey(r))),
      uncovered: rules.filter((r) => !seenRules.has(ruleKey(r))),
    },
  };
}
