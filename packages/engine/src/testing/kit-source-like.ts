// Variations of a user's own source for property tests. A variation is a blueprint of small choices
// (which policies, bindings, members and memberships to keep, which effects and statuses to flip, which
// policies to add from the source's own ids, roles and values) applied by a pure function. Everything
// another row refers to (accounts, principals, groups, roles, services, nodes, resource groups, registered
// resources) is kept, so each variation is valid by construction; dropping rows shrinks towards small sources.
import fc from 'fast-check';
import { parseSource } from '../model/parse-source.js';
import { PUBLIC_ACCESS_GROUP_ID, type DynamicMembership, type Policy, type Role, type Source } from '../model/source.js';
import { BASE_TIME, isoAtOffset } from './arbitraries.js';

/** Options of arbSourceLike. */
export interface ArbSourceLikeOptions {
  /** At most this many policies added to a variation; 3 by default. */
  maxAddedPolicies?: number;
}

const HOUR = 3_600_000;
const STATUSES = ['active', 'pending', 'disabled'] as const;

/** A choice of one element by index; wraps around so that any natural number is a valid pick. */
function pick<T>(list: readonly T[], i: number): T | undefined {
  return list.length === 0 ? undefined : list[i % list.length];
}

/** The policy blueprint of arbPolicyFrom: indices into pools built from the source. */
interface AddedSpec {
  account: number;
  subject: number;
  roles: number[];
  attributes: number[];
  tags: number[];
  place: number;
  deny: boolean;
}

const arbAddedSpec: fc.Arbitrary<AddedSpec> = fc.record({
  account: fc.nat(),
  subject: fc.nat(),
  roles: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }),
  attributes: fc.array(fc.nat(), { maxLength: 2 }),
  tags: fc.array(fc.nat(), { maxLength: 1 }),
  place: fc.nat(),
  deny: fc.boolean(),
});

/** Builds one policy of account `accountId` from the source's own subjects, roles, conditions, scopes and nodes; undefined when the account offers no subject or role. */
function buildPolicyFrom(source: Source, spec: AddedSpec, id: string, forceEffect?: 'allow' | 'deny'): Policy | undefined {
  const account = pick(source.accounts, spec.account);
  if (account === undefined) return undefined;
  const A = account.id;
  const own = source.policies.filter((p) => p.accountId === A);
  const subjects: Policy['subject'][] = [
    ...source.principals.filter((p) => p.accountId === A).map((p) => ({ kind: 'principal' as const, id: p.id })),
    ...source.groups.filter((g) => g.accountId === A).map((g) => ({ kind: 'group' as const, id: g.id })),
    { kind: 'group', id: PUBLIC_ACCESS_GROUP_ID },
    ...own.flatMap((p) => (p.subject.kind === 'service' ? [p.subject] : [])),
  ];
  const subject = pick(subjects, spec.subject)!;
  const usable = source.roles.filter((r) => r.accountId === undefined || r.accountId === A);
  const first = pick(usable, spec.roles[0] ?? 0);
  if (first === undefined) return undefined;
  // INVARIANT: all permission groups of a policy share one scope type, the type of any resource group it names (parse-source)
  const sameScope = (r: Role) => r.kind !== 'permission-group' || first.kind !== 'permission-group' || r.scopeType === first.scopeType;
  const roles = [...new Set(spec.roles.map((i) => pick(usable, i)).filter((r): r is Role => r !== undefined && sameScope(r)))];
  const conditions = own.flatMap((p) => p.resource.attributes);
  const tags = own.flatMap((p) => p.resource.tags);
  const resource: Policy['resource'] = {
    attributes: spec.attributes.map((i) => pick(conditions, i)).filter((c) => c !== undefined),
    tags: spec.tags.map((i) => pick(tags, i)).filter((t) => t !== undefined),
  };
  // where the policy reaches: like one of the account's own policies, or anywhere its attributes say
  const places = own.filter((p) => p.resource.resourceGroups !== undefined || p.resource.nodes !== undefined).map((p) => p.resource);
  const place = spec.place % (places.length + 1) === 0 ? undefined : pick(places, spec.place);
  if (place?.nodes !== undefined) resource.nodes = [...place.nodes];
  // a scope that does not fit the roles makes the policy invalid: withPolicy then leaves it out
  if (place?.resourceGroups !== undefined) resource.resourceGroups = [...place.resourceGroups];
  return {
    id,
    accountId: A,
    type: subject.kind === 'service' ? 'authorization' : 'access',
    effect: forceEffect ?? (spec.deny ? 'deny' : 'allow'),
    subject,
    roles: roles.map((r) => r.id),
    resource,
    state: 'active',
  };
}

/** A policy id not yet taken by a policy or binding of the source. */
function freshId(source: Source, base: string): string {
  const taken = new Set([...source.policies.map((p) => p.id), ...source.bindings.map((b) => b.id)]);
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

/** Adds `policy` when the result is valid; the source unchanged otherwise (an added row never makes a source invalid). */
function withPolicy(source: Source, policy: Policy | undefined): Source {
  if (policy === undefined) return source;
  try {
    return parseSource({ ...source, policies: [...source.policies, policy] });
  } catch {
    return source;
  }
}

/** One policy (allow or deny, as asked) built from a source's own accounts, subjects, roles, conditions, tags, scopes and nodes. */
export function arbPolicyFrom(source: Source, effect?: 'allow' | 'deny'): fc.Arbitrary<Policy | undefined> {
  const id = freshId(source, `kit-added-${effect ?? 'policy'}`);
  return arbAddedSpec.map((spec) => {
    const p = buildPolicyFrom(source, spec, id, effect);
    return p === undefined || withPolicy(source, p) === source ? undefined : p;
  });
}

/** The same source with one more policy built from its own pieces (unchanged when the source offers none). */
export function arbSourceWithPolicy(source: Source, effect: 'allow' | 'deny'): fc.Arbitrary<{ source: Source; added: Policy | undefined }> {
  return arbPolicyFrom(source, effect).map((added) => ({ source: added === undefined ? source : withPolicy(source, added), added }));
}

/** Variations of a user's source: valid by construction, close to it in shape, shrinking towards fewer policies, members and memberships. */
export function arbSourceLike(source: Source, opts: ArbSourceLikeOptions = {}): fc.Arbitrary<Source> {
  const maxAdded = opts.maxAddedPolicies ?? 3;
  const indices = (n: number) => Array.from({ length: n }, (_, i) => i);
  const times = [BASE_TIME, ...source.memberships.map((m) => Date.parse(m.expiresAt)).filter(Number.isFinite)];
  return fc
    .record({
      policies: fc.subarray(indices(source.policies.length)),
      flipEffects: fc.array(fc.nat(), { maxLength: 2 }),
      flipStates: fc.array(fc.nat(), { maxLength: 1 }),
      bindings: fc.subarray(indices(source.bindings.length)),
      members: fc.array(fc.subarray(indices(8)), { minLength: source.groups.length, maxLength: source.groups.length }),
      addMembers: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 2 }),
      statuses: fc.array(fc.tuple(fc.nat(), fc.nat(2)), { maxLength: 2 }),
      memberships: fc.subarray(indices(source.memberships.length)),
      addMemberships: fc.array(fc.record({ principal: fc.nat(), group: fc.nat(), time: fc.nat(), delta: fc.constantFrom(-HOUR, -1, 0, 1, HOUR) }), { maxLength: 2 }),
      added: fc.array(arbAddedSpec, { maxLength: maxAdded }),
    })
    .map((spec) => {
      const keep = new Set(spec.policies);
      const flipped = new Set(spec.flipEffects.map((i) => i % Math.max(1, source.policies.length)));
      const stateFlipped = new Set(spec.flipStates.map((i) => i % Math.max(1, source.policies.length)));
      const policies = source.policies
        .map((p, i) => ({
          ...p,
          effect: flipped.has(i) ? (p.effect === 'deny' ? ('allow' as const) : ('deny' as const)) : p.effect,
          state: stateFlipped.has(i) ? (p.state === 'deleted' ? ('active' as const) : ('deleted' as const)) : p.state,
        }))
        .filter((_, i) => keep.has(i));
      const groups = source.groups.map((g, gi) => {
        if (g.id === PUBLIC_ACCESS_GROUP_ID) return g;
        const kept = new Set(spec.members[gi] ?? []);
        // members beyond the eighth are always kept: the blueprint stays small for big groups
        const members = g.members.filter((_, i) => i >= 8 || kept.has(i));
        return { ...g, members };
      });
      for (const [gi, pi] of spec.addMembers) {
        const real = groups.filter((g) => g.id !== PUBLIC_ACCESS_GROUP_ID);
        const g = pick(real, gi);
        const p = g === undefined ? undefined : pick(source.principals.filter((x) => x.accountId === g.accountId), pi);
        if (g !== undefined && p !== undefined && !g.members.includes(p.id)) g.members = [...g.members, p.id];
      }
      const principals = source.principals.map((p) => ({ ...p }));
      for (const [i, s] of spec.statuses) {
        const p = pick(principals, i);
        if (p !== undefined) p.status = STATUSES[s]!;
      }
      const keptMemberships = new Set(spec.memberships);
      const memberships: DynamicMembership[] = source.memberships.filter((_, i) => keptMemberships.has(i));
      for (const m of spec.addMemberships) {
        const group = pick(
          groups.filter((g) => g.id !== PUBLIC_ACCESS_GROUP_ID),
          m.group,
        );
        const principal = group === undefined ? undefined : pick(source.principals.filter((p) => p.accountId === group.accountId), m.principal);
        if (group === undefined || principal === undefined) continue;
        const realm = group.rules[0]?.realmName ?? 'kit-realm';
        // INVARIANT: one stored membership per (account, principal, group, realm) (parse-source)
        if (memberships.some((x) => x.accountId === group.accountId && x.principalId === principal.id && x.groupId === group.id && x.realm === realm)) continue;
        const expires = (pick(times, m.time) ?? BASE_TIME) + m.delta;
        memberships.push({
          accountId: group.accountId,
          principalId: principal.id,
          groupId: group.id,
          ...(group.rules[0] !== undefined ? { ruleId: group.rules[0].id } : {}),
          realm,
          loginAt: isoAtOffset(expires - 24 * HOUR, 'Z'),
          expiresAt: isoAtOffset(expires, 'Z'),
        });
      }
      const keptBindings = new Set(spec.bindings);
      let out: Source = {
        ...source,
        principals,
        groups,
        policies,
        bindings: source.bindings.filter((_, i) => keptBindings.has(i)),
        memberships,
      };
      spec.added.forEach((a, i) => {
        out = withPolicy(out, buildPolicyFrom(out, a, freshId(out, `kit-added-${i + 1}`)));
      });
      return out;
    });
}
