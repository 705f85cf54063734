// The resources a grant reaches, as authorization requests: the engine answers "does the actor hold this role here"
// by asking for each action the role grants on each of these. Where a grant is wider than one concrete resource
// (a match pattern, an existence test), the target asks for the widest access, so the check never under-asks.
import type { RequestResource } from '../../evaluate/types.js';
import { parseScope } from '../../model/scope.js';
import type { Binding, Policy } from '../../model/source.js';
import type { SourceState } from '../../model/source-state.js';

/** The marker of "any value" of an attribute in a target; the gate never asks the evaluator with it, only with unguessable probes (access/gate.ts), so only an access that matches every value covers it. */
export const ANY_VALUE = '\u0001any';

/** The prefix of a glob (`stringMatch`) in a target: the gate asks with random instances of the glob after it. */
export const GLOB_VALUE = '\u0001glob:';

/** True for a target value that stands for many (any value, or a glob's instances) rather than for itself. */
export function isOpenValue(v: unknown): v is string {
  return v === ANY_VALUE || (typeof v === 'string' && v.startsWith(GLOB_VALUE));
}

/** The most targets one selector expands to; past it `…AnyOf` attributes ask for every value. */
const MAX_TARGETS = 64;

/**
 * The IBM, Cloudflare or BlueXP targets of a policy's resource selector. `absent` names attributes some grant pins as
 * absent (`stringExists: false`): the selector leaves them open, so the target asks for any value of them, never for
 * their absence (an access pinned to "no such attribute" does not cover a selector that does not mention it).
 */
export function policyTargets(state: SourceState, p: Pick<Policy, 'accountId' | 'resource'>, absent: readonly string[] = absentAttributes(state, p.accountId)): RequestResource[] {
  const sel = p.resource;
  if (sel.resourceGroups !== undefined && sel.resourceGroups.length > 0) return resourceGroupTargets(state, p.accountId, sel.resourceGroups);
  if (sel.nodes !== undefined && sel.nodes.length > 0) return sel.nodes.map((n) => nodeTarget(state, p.accountId, n));
  const open: Record<string, string> = {};
  for (const name of absent) open[name] = ANY_VALUE;
  let attrs: Record<string, string>[] = [open];
  for (const c of sel.attributes) {
    if (c.name === 'accountId') continue;
    if (c.operator === 'stringEquals') for (const a of attrs) a[c.name] = String(c.value);
    else if (c.operator === 'stringEqualsAnyOf' && Array.isArray(c.value) && attrs.length * c.value.length <= MAX_TARGETS)
      attrs = attrs.flatMap((a) => (c.value as unknown[]).map((v) => ({ ...a, [c.name]: String(v) })));
    else if (c.operator === 'stringExists' && String(c.value) === 'false') for (const a of attrs) delete a[c.name];
    else if (c.operator === 'stringMatch') for (const a of attrs) a[c.name] = GLOB_VALUE + String(c.value);
    else if (c.operator === 'stringMatchAnyOf' && Array.isArray(c.value) && attrs.length * c.value.length <= MAX_TARGETS)
      attrs = attrs.flatMap((a) => (c.value as unknown[]).map((v) => ({ ...a, [c.name]: GLOB_VALUE + String(v) })));
    else for (const a of attrs) a[c.name] = ANY_VALUE;
  }
  const tags = sel.tags.filter((t) => t.operator === 'stringEquals').map((t) => `${t.name}:${t.value}`);
  return attrs.map((a) => ({ attributes: { ...a, accountId: p.accountId }, tags }));
}

/** The attribute names that some policy or rule of `accountId` pins as absent (`stringExists: false`). */
export function absentAttributes(state: SourceState, accountId: string): string[] {
  const out = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) visit(x);
    else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o['operator'] === 'stringExists' && String(o['value']) === 'false') {
        const key = typeof o['key'] === 'string' ? /^\{\{resource\.attributes\.(.+)\}\}$/.exec(o['key'])?.[1] : undefined;
        const name = typeof o['name'] === 'string' ? o['name'] : key;
        if (name !== undefined) out.add(name);
      }
      for (const x of Object.values(o)) if (x !== null && typeof x === 'object') visit(x);
    }
  };
  for (const p of state.rowsOf('policy', accountId)) if (p.state === 'active') visit([p.resource.attributes, p.rule ?? null]);
  out.delete('accountId');
  return [...out].sort();
}

/** The targets of Cloudflare resource groups: the account, a zone (`*` for all), or a user. */
function resourceGroupTargets(state: SourceState, accountId: string, ids: readonly string[]): RequestResource[] {
  const out: RequestResource[] = [];
  for (const id of ids) {
    const rg = state.get('resourceGroup', id);
    if (!rg || rg.accountId !== accountId) continue;
    for (const sc of rg.scope) {
      const parsed = parseScope(sc, rg.accountId);
      if ('error' in parsed) continue;
      for (const t of parsed.targets) {
        if (t.type === 'account') out.push({ attributes: { accountId } });
        else if (t.type === 'zone') out.push({ attributes: { accountId }, zones: [t.zone] });
        else out.push({ attributes: { accountId, resourceType: 'user', resource: t.userId } });
      }
    }
  }
  return out;
}

/** A BlueXP node as a resource: the organization (the account id), a folder, or a project. */
export function nodeTarget(state: SourceState, accountId: string, nodeId: string | null | undefined): RequestResource {
  if (nodeId === null || nodeId === undefined || nodeId === accountId) return { attributes: { accountId } };
  const node = state.get('node', nodeId);
  // an unknown node asks for the organization: the widest place, so nothing is granted by a typo
  if (!node || node.accountId !== accountId) return { attributes: { accountId } };
  return node.kind === 'project' ? { attributes: { accountId }, projects: [nodeId] } : { attributes: { accountId }, folders: [nodeId] };
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
