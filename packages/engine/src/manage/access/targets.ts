// The resources a grant reaches, as authorization requests: the engine answers "does the actor hold this role here"
// by asking for each action the role grants on each of these. Where a grant is wider than one concrete resource
// (a match pattern, an existence test, an attribute it leaves open), the target stands for every value it covers and
// the gate asks the witnesses that tell them apart (access/witnesses.ts), so the check never under-asks.
import type { RequestResource } from '../../evaluate/types.js';
import type { Binding, Policy } from '../../model/source.js';
import { resourceAttributeOfKey } from '../../model/rule-condition.js';
import type { SourceState } from '../../model/source-state.js';

/** The marker of "any present value" of an attribute in a target: the gate asks it as the witnesses of access/witnesses.ts. */
export const ANY_VALUE = '\u0001any';

/** The marker of "any value, or none": an attribute the selector leaves open; the gate asks its absence and its witnesses. */
export const ANY_OR_ABSENT = '\u0001any-or-absent';

/** The prefix of a glob (`stringMatch`) in a target: the gate asks with the witnesses of the glob after it. */
export const GLOB_VALUE = '\u0001glob:';

/** A tag of a target that stands for "and any further tags": a selector's tag conditions ask for tags, never forbid one. */
// Stryker disable next-line StringLiteral: any marker no tag can equal does: a target's other tags are `name:value`, never ''
export const MORE_TAGS = '\u0001more-tags';

/** True for a target value that stands for many (any value, any value or none, a glob's instances) rather than for itself. */
export function isOpenValue(v: unknown): v is string {
  // no number or boolean reads as a string that starts with the glob marker
  return v === ANY_VALUE || v === ANY_OR_ABSENT || String(v).startsWith(GLOB_VALUE);
}

/** The most targets one selector expands to; past it `…AnyOf` attributes ask for every value. */
const MAX_TARGETS = 64;

/**
 * The targets of an IBM policy's resource selector. (The review places a grant through resource groups or nodes by the
 * diff's scopes and nodes; a selector naming them is asked here as its attributes, the account when it names none:
 * wider, never narrower.) `open` names the attributes some policy of the
 * account conditions on: one the selector leaves open is asked for any value or none (the selector covers them all,
 * and a condition somewhere could tell them apart); a selector's `stringExists: true` asks for any present value, its
 * `stringExists: false` for the absence alone. Its tags are the ones it asks for by equality, and any further ones.
 */
export function policyTargets(state: SourceState, p: Pick<Policy, 'accountId' | 'resource'>, open: readonly string[] = openAttributes(state, p.accountId)): RequestResource[] {
  const sel = p.resource;
  const first: Record<string, string> = {};
  for (const name of open) first[name] = ANY_OR_ABSENT;
  let attrs: Record<string, string>[] = [first];
  // the selector's own `accountId` is overwritten below: a target is always in the policy's account
  for (const c of sel.attributes) {
    const glob = c.operator === 'stringMatch' || c.operator === 'stringMatchAnyOf' ? GLOB_VALUE : '';
    if (c.operator === 'stringEquals' || c.operator === 'stringMatch') for (const a of attrs) a[c.name] = glob + String(c.value);
    else if (c.operator === 'stringExists') {
      for (const a of attrs) {
        if (String(c.value) === 'false') delete a[c.name];
        else a[c.name] = ANY_VALUE;
      }
    }
    // INVARIANT: what is left are the `…AnyOf` operators (parseSource admits no other), with an array of 1 to 10 values
    else if (attrs.length * (c.value as unknown[]).length <= MAX_TARGETS) attrs = attrs.flatMap((a) => (c.value as unknown[]).map((v) => ({ ...a, [c.name]: glob + String(v) })));
    else for (const a of attrs) a[c.name] = ANY_VALUE;
  }
  const tags = [...sel.tags.filter((t) => t.operator === 'stringEquals').map((t) => `${t.name}:${t.value}`), MORE_TAGS];
  return attrs.map((a) => ({ attributes: { ...a, accountId: p.accountId }, tags }));
}

/** The conditions on resource attributes of a policy rule, at any depth. */
export function ruleLeaves(rule: unknown): { name: string; operator: unknown; value: unknown }[] {
  const out: { name: string; operator: unknown; value: unknown }[] = [];
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    const name = resourceAttributeOfKey(String(o['key']));
    // Stryker disable next-line ConditionalExpression: a leaf pushed without a name adds the attribute `undefined`, which no condition reads, so it is asked as absent only
    if (name !== undefined) out.push({ name, operator: o['operator'], value: o['value'] });
    for (const x of Object.values(o)) visit(x);
  };
  visit(rule);
  return out;
}

/**
 * The resource attribute names that some policy of `accountId` conditions on, in its selector or its rule, and those
 * the evaluator reads itself: `serviceName` (a service role grants per service, the catalog derives `serviceType` and
 * `service_group_id` from it) and, where resource groups can hold user scopes, `resourceType` and `resource`.
 */
export function openAttributes(state: SourceState, accountId: string): string[] {
  const out = new Set<string>(['serviceName']);
  if (state.count('resourceGroup', accountId) > 0) for (const name of ['resourceType', 'resource']) out.add(name);
  // a deleted policy's or `accountId`'s name opens nothing the subject asked reads differently (the gate asks an
  // attribute no applicable policy reads as absent, and a target's `accountId` is the policy's own)
  for (const p of state.rowsOf('policy', accountId)) {
    for (const c of [...p.resource.attributes, ...ruleLeaves(p.rule ?? null)]) out.add(c.name);
  }
  return [...out];
}

/** A BlueXP node as a resource: the organization (the account id), a folder, or a project. */
export function nodeTarget(state: SourceState, accountId: string, nodeId: string | null | undefined): RequestResource {
  // no node has the empty id: none asks for the organization like an unknown id
  const node = state.get('node', nodeId ?? '');
  // the organization, or an unknown node asked as the organization: the widest place, so nothing is granted by a typo
  if (node?.accountId !== accountId) return { attributes: { accountId } };
  return node.kind === 'project' ? { attributes: { accountId }, projects: [node.id] } : { attributes: { accountId }, folders: [node.id] };
}

/** The target of a BlueXP role binding. */
export function bindingTarget(state: SourceState, b: Pick<Binding, 'accountId' | 'nodeId'>): RequestResource {
  return nodeTarget(state, b.accountId, b.nodeId);
}

/** An IBM access group as an `iam-groups` resource, or the account's `iam-groups` service when `groupId` is absent. */
export function accessGroupTarget(accountId: string, groupId?: string): RequestResource {
  if (groupId === undefined) return { attributes: { accountId, serviceName: 'iam-groups' } };
  return { attributes: { accountId, serviceName: 'iam-groups', resourceType: 'group', resource: groupId } };
}

/** The account's IAM Access Management service (policy management). */
export function policyServiceTarget(accountId: string): RequestResource {
  return { attributes: { accountId, serviceName: 'iam-access-management' } };
}

/** A Cloudflare or BlueXP account (organization) as a resource. */
export function accountTarget(accountId: string): RequestResource {
  return { attributes: { accountId } };
}
