import type { Policy, Role, Service } from '../../model/source.js';
import type { Rule } from '../../model/rule-condition.js';
import type { Scalar } from '../../model/primitives.js';
import { ibmRole, servicesOf } from './policy-checks.js';
import type { SourceState } from '../../model/source-state.js';

/** Where hrefs point; the host may rewrite them. */
export const IBM_POLICY_HREF_BASE = 'https://iam.cloud.ibm.com';

/**
 * An action of a role as `format=display` lists it (seed 004). The name and description come from the catalog
 * (`service.actions`); an action the catalog does not describe shows its id as its name and an empty description.
 */
export interface IbmPolicyAction {
  id: string;
  displayName: string;
  description: string;
}

/** A role as the seed returns it. */
export interface IbmPolicyRole {
  role_id: string;
  display_name?: string;
  description?: string;
  /** With `format=display`: what the role grants on the policy's services. */
  actions?: IbmPolicyAction[];
}

/** A v1 resource attribute or tag as the seed returns it. */
export interface IbmPolicyAttribute {
  name: string;
  value: Scalar | Scalar[];
  operator: string;
}

/** Fields both versions share. */
interface IbmPolicyCommon {
  id: string;
  type: 'access' | 'authorization';
  description?: string;
  href: string;
  created_at?: string;
  created_by_id?: string;
  last_modified_at?: string;
  last_modified_by_id?: string;
  state: 'active' | 'deleted';
  last_permit_at?: string;
  last_permit_frequency?: number;
}

/** A v1 policy as the seed's responses show it. */
export interface IbmPolicyV1 extends IbmPolicyCommon {
  subjects: { attributes: { name: string; value: Scalar }[] }[];
  roles: IbmPolicyRole[];
  resources: { attributes: IbmPolicyAttribute[]; tags?: IbmPolicyAttribute[] }[];
}

/** A v2 policy: one subject, roles under `control.grant`, optional time/attribute `rule` and its `pattern`. */
export interface IbmPolicyV2 extends IbmPolicyCommon {
  subject: { attributes: { key: string; operator: 'stringEquals'; value: Scalar }[] };
  control: { grant: { roles: IbmPolicyRole[] } };
  resource: {
    attributes: { key: string; operator: string; value: Scalar | Scalar[] }[];
    tags?: { key: string; value: string; operator: string }[];
  };
  pattern?: string;
  rule?: Rule;
}

/** How much to add to each policy: role actions (`display`) and usage figures (`include_last_permit`). */
export interface WireFormat {
  display?: boolean;
  lastPermit?: boolean;
}

function roleActions(state: SourceState, p: Policy, role: Role | undefined, roleId: string): IbmPolicyAction[] {
  const out = new Set<string>();
  const reached = servicesOf(state, p.resource.attributes);
  if (role && (role.serviceName === undefined || reached.some((s) => s.name === role.serviceName))) for (const a of role.actions) out.add(a);
  for (const s of reached) for (const a of s.roles[roleId] ?? []) out.add(a);
  return [...out].sort().map((id) => describeAction(state, reached, id));
}

// the services the policy reaches describe their actions first; a role's own action may belong to any other service
function describeAction(state: SourceState, reached: readonly Service[], id: string): IbmPolicyAction {
  for (const list of [reached, state.list('service')])
    for (const s of list) {
      const d = s.actions?.[id];
      if (d !== undefined) return { id, displayName: d.displayName, description: d.description ?? '' };
    }
  return { id, displayName: id, description: '' };
}

function wireRoles(state: SourceState, p: Policy, format: WireFormat): IbmPolicyRole[] {
  return p.roles.map((roleId) => {
    const role = ibmRole(state, p.accountId, roleId);
    const r: IbmPolicyRole = { role_id: roleId };
    if (role?.name !== undefined) r.display_name = role.name;
    if (role?.description !== undefined) r.description = role.description;
    if (format.display) r.actions = roleActions(state, p, role, roleId);
    return r;
  });
}

function common(p: Policy, version: 'v1' | 'v2', format: WireFormat): IbmPolicyCommon {
  const out = { id: p.id, type: p.type, href: `${IBM_POLICY_HREF_BASE}/${version}/policies/${encodeURIComponent(p.id)}` } as IbmPolicyCommon;
  if (p.description !== undefined) out.description = p.description;
  if (p.createdAt !== undefined) out.created_at = p.createdAt;
  if (p.createdById !== undefined) out.created_by_id = p.createdById;
  if (p.lastModifiedAt !== undefined) out.last_modified_at = p.lastModifiedAt;
  if (p.lastModifiedById !== undefined) out.last_modified_by_id = p.lastModifiedById;
  out.state = p.state;
  if (format.lastPermit) {
    if (p.lastPermitAt !== undefined) out.last_permit_at = p.lastPermitAt;
    out.last_permit_frequency = p.lastPermitFrequency ?? 0;
  }
  return out;
}

function subjectPairs(p: Policy): [string, Scalar][] {
  if (p.subject.kind === 'principal') return [['iam_id', p.subject.id]];
  if (p.subject.kind === 'group') return [['access_group_id', p.subject.id]];
  return Object.entries(p.subject.attributes);
}

/** A model policy in the seed's v1 JSON shape, with the seed's field order. */
export function toV1(state: SourceState, p: Policy, format: WireFormat = {}): IbmPolicyV1 {
  const { id, type, description, ...rest } = common(p, 'v1', format);
  const resource: IbmPolicyV1['resources'][number] = {
    attributes: p.resource.attributes.map((a) => ({ name: a.name, value: a.value, operator: a.operator })),
  };
  if (p.resource.tags.length > 0) resource.tags = p.resource.tags.map((t) => ({ name: t.name, value: t.value, operator: t.operator }));
  return {
    id,
    type,
    ...(description !== undefined ? { description } : {}),
    subjects: [{ attributes: subjectPairs(p).map(([name, value]) => ({ name, value })) }],
    roles: wireRoles(state, p, format),
    resources: [resource],
    ...rest,
  };
}

/** A model policy in IBM's v2 JSON shape. */
export function toV2(state: SourceState, p: Policy, format: WireFormat = {}): IbmPolicyV2 {
  const { id, type, description, ...rest } = common(p, 'v2', format);
  const resource: IbmPolicyV2['resource'] = {
    attributes: p.resource.attributes.map((a) => ({ key: a.name, operator: a.operator, value: a.value })),
  };
  if (p.resource.tags.length > 0) resource.tags = p.resource.tags.map((t) => ({ key: t.name, value: t.value, operator: t.operator }));
  return {
    id,
    type,
    ...(description !== undefined ? { description } : {}),
    subject: { attributes: subjectPairs(p).map(([key, value]) => ({ key, operator: 'stringEquals' as const, value })) },
    control: { grant: { roles: wireRoles(state, p, format) } },
    resource,
    ...(p.pattern !== undefined ? { pattern: p.pattern } : {}),
    ...(p.rule !== undefined ? { rule: p.rule } : {}),
    ...rest,
  };
}
