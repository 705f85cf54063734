import { compileGlob, matchGlob } from '../../compile/glob.js';
import { SeedError, type Issue } from '../../errors.js';
import type { AttributeCondition } from '../../model/attribute.js';
import { PUBLIC_ACCESS_GROUP_ID, type Policy, type PolicySubject, type Role, type Service } from '../../model/source.js';
import type { PolicyDraft } from './policy-draft.js';
import type { SourceState } from '../../model/source-state.js';

/** IBM's policy quotas (seed 004 `request_not_processed`, DESIGN.md): per account and per subject, counting active policies. */
export const IBM_POLICY_LIMITS = { perAccount: 4020, perSubject: 1000 } as const;

/** The catalog services an attribute condition on `field` admits. */
function admitted(services: Service[], c: AttributeCondition, field: (s: Service) => string[]): Service[] {
  const values = (Array.isArray(c.value) ? c.value : [c.value]).map(String);
  switch (c.operator) {
    case 'stringEquals':
    case 'stringEqualsAnyOf':
      return services.filter((s) => field(s).some((f) => values.includes(f)));
    case 'stringMatch':
    case 'stringMatchAnyOf': {
      const globs = values.map(compileGlob);
      return services.filter((s) => field(s).some((f) => globs.some((g) => matchGlob(g, f))));
    }
    case 'stringExists':
      return values[0] === 'true' ? services : [];
  }
}

/**
 * The catalog services a policy resource reaches, narrowed by `serviceName`, `serviceType` and `service_group_id`;
 * a resource naming none of them (a resource group) reaches every service.
 */
export function servicesOf(state: SourceState, attributes: readonly AttributeCondition[]): Service[] {
  let services = state.list('service');
  for (const c of attributes) {
    if (c.name === 'serviceName') services = admitted(services, c, (s) => [s.name]);
    else if (c.name === 'serviceType') services = admitted(services, c, (s) => [s.type]);
    else if (c.name === 'service_group_id') services = admitted(services, c, (s) => s.groups);
  }
  return services;
}

/** The role if it is an IBM role usable in the account: global, or a custom role of that account. */
export function ibmRole(state: SourceState, accountId: string, roleId: string): Role | undefined {
  const role = state.get('role', roleId);
  if (!role || (role.accountId !== undefined && role.accountId !== accountId)) return undefined;
  if (role.kind !== 'platform' && role.kind !== 'service' && role.kind !== 'custom') return undefined;
  return role;
}

/**
 * Why a role cannot be granted on these services, or undefined when it can: platform roles go anywhere, a service
 * role must be listed by some reached service, a custom role only on its own one service.
 */
function roleRefusal(role: Role, services: Service[]): string | undefined {
  if (role.kind === 'platform') return undefined;
  if (role.kind === 'custom') {
    if (role.serviceName !== undefined && services.length > 0 && services.every((s) => s.name === role.serviceName)) return undefined;
    return `custom role \`${role.id}\` applies only to a resource naming its service \`${role.serviceName ?? '(none)'}\``;
  }
  if (services.some((s) => Object.hasOwn(s.roles, role.id))) return undefined;
  return `role \`${role.id}\` is not supported by the services of this resource`;
}

/** The checks of a well-formed draft against the state: account, subject, services and roles; every problem goes onto `issues`. */
export function checkDraft(state: SourceState, draft: PolicyDraft, issues: Issue[]): void {
  const accountId = draft.accountId;
  if (accountId === undefined) return;
  const accountPath = draft.at.attributes.get('accountId') ?? [];
  const account = state.get('account', accountId);
  if (!account || account.system !== 'ibm') {
    issues.push({ path: [...accountPath, 'value'], message: `unknown IBM account \`${accountId}\`` });
    return;
  }
  const subject = draft.subject;
  if (subject?.kind === 'principal' && !state.get('principal', `${accountId}/${subject.id}`))
    issues.push({ path: [...draft.at.subject, 'attributes', 0, 'value'], message: `unknown iam id \`${subject.id}\` in account \`${accountId}\`` });
  if (subject?.kind === 'group' && subject.id !== PUBLIC_ACCESS_GROUP_ID && !state.get('group', `${accountId}/${subject.id}`))
    issues.push({ path: [...draft.at.subject, 'attributes', 0, 'value'], message: `unknown access group \`${subject.id}\` in account \`${accountId}\`` });

  if (!draft.resourceChecked) return;
  const services = servicesOf(state, draft.attributes);
  const named = draft.attributes.find((a) => a.name === 'serviceName');
  if (named && services.length === 0)
    issues.push({ path: [...(draft.at.attributes.get('serviceName') ?? []), 'value'], message: 'no service in the catalog matches `serviceName`' });
  else if (services.length === 0 && draft.attributes.some((a) => a.name === 'serviceType' || a.name === 'service_group_id'))
    issues.push({ path: draft.at.attributes.get('serviceType') ?? draft.at.attributes.get('service_group_id') ?? [], message: 'no service in the catalog matches the resource' });
  else {
    draft.roles.forEach((roleId, i) => {
      const path = draft.at.roles[i] ?? [];
      const role = ibmRole(state, accountId, roleId);
      if (!role) return issues.push({ path, message: `unknown role \`${roleId}\`` });
      const why = roleRefusal(role, services);
      if (why !== undefined) issues.push({ path, message: why });
    });
  }
  // decision: access tags narrow IAM-enabled (type `service`) services only, never platform services, service groups or
  // a resource group as a whole
  if (draft.tags.length > 0) {
    const st = draft.attributes.find((a) => a.name === 'serviceType');
    const ok = st ? st.value === 'service' : named !== undefined && services.length > 0 && services.every((s) => s.type === 'service');
    if (!ok) issues.push({ path: draft.at.tags, message: 'access tags are allowed only with `serviceType` `service` or a `serviceName` of type `service`' });
  }
}

/** True when the subject is a locked service id: no policy naming it can be written (seed 004). */
export function isLockedSubject(state: SourceState, accountId: string, subject: PolicySubject): boolean {
  if (subject.kind !== 'principal') return false;
  const p = state.get('principal', `${accountId}/${subject.id}`);
  return p !== undefined && p.kind === 'service' && p.locked;
}

/** Refuses a write that names a locked service id, with the seed's code (400 `invalid_body`). */
export function refuseLocked(state: SourceState, accountId: string, subject: PolicySubject, path: (string | number)[]): void {
  if (!isLockedSubject(state, accountId, subject)) return;
  const id = subject.kind === 'principal' ? subject.id : '';
  throw new SeedError('invalid_body', 400, `request includes a locked service id \`${id}\`: cannot perform action`, {
    issues: [{ path, message: `\`${id}\` is a locked service id` }],
  });
}

/** The subject of a policy as a comparable string (service attributes in key order). */
export function subjectKey(s: PolicySubject): string {
  if (s.kind !== 'service') return s.kind === 'principal' ? `p\u0000${s.id}` : `g\u0000${s.id}`;
  return JSON.stringify(['service', Object.entries(s.attributes).map(([k, v]) => [k, String(v)]).sort()]);
}

// Rows are immutable, so a row's keys are computed once: a create then compares strings instead of rebuilding
// the key of every policy in the account.
const conflictKeys = new WeakMap<object, string>();
const subjectKeys = new WeakMap<object, string>();

function rowConflictKey(q: Policy): string {
  let k = conflictKeys.get(q);
  if (k === undefined) conflictKeys.set(q, (k = conflictKey(q)));
  return k;
}

function rowSubjectKey(q: Policy): string {
  let k = subjectKeys.get(q);
  if (k === undefined) subjectKeys.set(q, (k = subjectKey(q.subject)));
  return k;
}

/** Subject plus resource, ignoring the order of attributes, tags and any-of values: two policies with one key conflict. */
export function conflictKey(p: Pick<Policy, 'subject' | 'resource'>): string {
  const attrs = p.resource.attributes
    .map((a) => JSON.stringify([a.name, a.operator, Array.isArray(a.value) ? a.value.map(String).sort() : String(a.value)]))
    .sort();
  const tags = p.resource.tags.map((t) => JSON.stringify([t.name, t.operator, t.value])).sort();
  const rg = [...(p.resource.resourceGroups ?? [])].sort();
  const nodes = [...(p.resource.nodes ?? [])].sort();
  return JSON.stringify([subjectKey(p.subject), attrs, tags, rg, nodes]);
}

/** Refuses an active duplicate (same subject and resource) with 409 `policy_conflict_error` naming the existing policy. */
export function refuseConflict(state: SourceState, p: Policy, verb: 'create' | 'update'): void {
  const key = conflictKey(p);
  for (const q of state.rowsOf('policy', p.accountId)) {
    if (q.id === p.id || q.state !== 'active' || rowConflictKey(q) !== key) continue;
    throw new SeedError('policy_conflict_error', 409, `failed to ${verb} policy: policy \`${q.id}\` has the same subject and resource`, {
      conflicts_with: { etag: q.etag, policy: q.id },
    });
  }
}

/** Refuses an active policy over the account or subject quota with 422 `request_not_processed`. */
export function refuseOverQuota(state: SourceState, p: Policy): void {
  const subject = subjectKey(p.subject);
  let account = 0;
  let perSubject = 0;
  for (const q of state.rowsOf('policy', p.accountId)) {
    if (q.id === p.id || q.state !== 'active') continue;
    account++;
    if (rowSubjectKey(q) === subject) perSubject++;
  }
  if (account + 1 > IBM_POLICY_LIMITS.perAccount)
    throw new SeedError('request_not_processed', 422, `exceeded maximum policies quota (${IBM_POLICY_LIMITS.perAccount}) for account \`${p.accountId}\``);
  if (perSubject + 1 > IBM_POLICY_LIMITS.perSubject)
    throw new SeedError('request_not_processed', 422, `exceeded maximum policies quota (${IBM_POLICY_LIMITS.perSubject}) for the subject of this policy`);
}
