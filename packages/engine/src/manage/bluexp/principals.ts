// BlueXP users, service accounts and agents (seed 000 "user", seed 001 "user", "service account"): principals of
// kind user, service and agent. A user is created with its first role binding, because every user keeps a role;
// an agent (connector) holds projects instead of roles.
import { produce } from 'immer';
import { z } from 'zod';
import { SeedError, type Issue } from '../../errors.js';
import type { Binding, Principal } from '../../model/source.js';
import { entityKey, type Change } from '../../model/entities.js';
import { mailboxOf } from '../../model/sso-connector.js';
import { bluexpAccount, freshId } from './common.js';
import { parseInput, refuseIssues } from '../input.js';
import { bindingFields, bindingView, planBinding, type BluexpRoleBinding } from './role-bindings.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import { withEtag } from '../etag.js';
import type { SourceState } from '../../model/source-state.js';
import { dropMembers } from '../group-member-list.js';
import { BLUEXP_CODES } from '../access/codes.js';
import { defineOperation } from '../define-operation.js';
import { atOrg, BLUEXP_ACTIONS, byOrgAdmin, readAtOrg } from './guards.js';

/** A principal as the operations return it, with its direct role bindings (agents: their projects). */
export interface BluexpPrincipal {
  id: string;
  kind: 'user' | 'service' | 'agent';
  accountId: string;
  email?: string;
  name?: string;
  status: 'active' | 'pending' | 'disabled';
  roles: BluexpRoleBinding[];
  projects: string[];
}

/** The view of a principal row. */
export function principalView(state: SourceState, p: Principal): BluexpPrincipal {
  const out: BluexpPrincipal = {
    id: p.id,
    kind: p.kind,
    accountId: p.accountId,
    status: p.status,
    roles: state
      .list('binding', p.accountId)
      .filter((b) => b.subject.kind === 'principal' && b.subject.id === p.id)
      .map(bindingView),
    projects: [...p.projects],
  };
  if (p.email !== undefined) out.email = p.email;
  if (p.name !== undefined) out.name = p.name;
  return out;
}

/** The principal `id` of kind `kind` in the organization, or 404 `<user|service_account|agent>_not_found`. */
export function findPrincipal(state: SourceState, accountId: string, id: string, kind: Principal['kind']): Principal {
  const p = state.get('principal', `${accountId}/${id}`);
  if (!p || p.kind !== kind) {
    const noun = kind === 'service' ? 'service_account' : kind;
    throw new SeedError(`${noun}_not_found`, 404, `${noun.replace('_', ' ')} \`${id}\` not found`);
  }
  return p;
}

/** A new principal row with a free id (the given one, 409 `principal_exists` when taken). */
function newPrincipal(state: SourceState, accountId: string, id: string | undefined, prefix: string, ctx: ManageContext): string {
  if (id !== undefined) {
    if (state.get('principal', `${accountId}/${id}`)) throw new SeedError('principal_exists', 409, `\`${id}\` already exists in the organization`);
    return id;
  }
  return freshId(ctx, prefix, (x) => state.get('principal', `${accountId}/${x}`) !== undefined);
}

/** The changes that remove a principal and everything naming it (bindings, group memberships, policies). */
function principalRemoval(state: SourceState, p: Principal, ctx: ManageContext): Change[] {
  const a = p.accountId;
  const changes: Change[] = [];
  for (const b of state.list('binding', a))
    if (b.subject.kind === 'principal' && b.subject.id === p.id) changes.push({ op: 'delete', entity: 'binding', key: b.id });
  for (const g of state.list('group', a)) {
    if (!g.members.includes(p.id)) continue;
    const next = produce(g, (d) => {
      dropMembers(d, new Set([p.id]));
      d.lastModifiedAt = ctx.now;
    });
    changes.push({ op: 'put', entity: 'group', value: withEtag(next) });
  }
  for (const pol of state.list('policy', a))
    if (pol.subject.kind === 'principal' && pol.subject.id === p.id) changes.push({ op: 'delete', entity: 'policy', key: pol.id });
  for (const m of state.list('membership', a))
    if (m.principalId === p.id) changes.push({ op: 'delete', entity: 'membership', key: entityKey('membership', m) });
  changes.push({ op: 'delete', entity: 'principal', key: entityKey('principal', p) });
  return changes;
}

const statusField = z.enum(['active', 'pending', 'disabled']);
const emailField = z
  .string()
  .trim()
  .max(320)
  .refine((s) => /^[^\s@]+@[^\s@]+$/.test(s), { message: 'must be an email address' });

const createUserSchema = z.strictObject({
  account_id: z.string().min(1),
  /** The identity provider's user id, when known; a fresh id otherwise. */
  id: z.string().min(1).max(256).optional(),
  email: emailField,
  name: z.string().max(256).optional(),
  status: statusField.default('active'),
  ...bindingFields,
});

/** Adds a user to the organization with its first role (`roleId` at `nodeId`, the organization by default); 409 `user_exists` for a known email. */
export const createUser = defineOperation({
  name: 'createUser',
  codes: BLUEXP_CODES,
  input: createUserSchema,
  guard: atOrg(BLUEXP_ACTIONS.userCreate),
  run(state: SourceState, input: z.input<typeof createUserSchema>, ctx: ManageContext): OpResult<BluexpPrincipal> {
    const q = parseInput(createUserSchema, input);
    bluexpAccount(state, q.account_id);
    // one mailbox, one user: `bob@x` and `Bob@X.` are one person
    const mailbox = mailboxOf(q.email);
    if (state.list('principal', q.account_id).some((p) => p.email !== undefined && mailboxOf(p.email) === mailbox))
      throw new SeedError('user_exists', 409, `a user with email \`${q.email}\` already exists`);
    const id = newPrincipal(state, q.account_id, q.id, 'user-', ctx);
    const p: Principal = { id, accountId: q.account_id, kind: 'user', email: q.email, status: q.status, locked: false, projects: [] };
    if (q.name !== undefined) p.name = q.name;
    const withUser = state.with([{ op: 'put', entity: 'principal', value: p }]);
    const b = planBinding(withUser, q.account_id, { subject: { kind: 'principal', id }, roleId: q.roleId, nodeId: q.nodeId, expiresAt: q.expiresAt }, ctx);
    const out = done(state, {} as BluexpPrincipal, [
      { op: 'put', entity: 'principal', value: p },
      { op: 'put', entity: 'binding', value: b },
    ]);
    out.result = principalView(out.state, p);
    return out;
  },
});

const updateSchema = z.strictObject({
  account_id: z.string().min(1),
  principal_id: z.string().min(1),
  name: z.string().max(256).optional(),
  status: statusField.optional(),
});

function updatePrincipal(state: SourceState, input: unknown, kind: Principal['kind']): OpResult<BluexpPrincipal> {
  const q = parseInput(updateSchema, input);
  bluexpAccount(state, q.account_id);
  const old = findPrincipal(state, q.account_id, q.principal_id, kind);
  const next = produce(old, (d) => {
    if (q.name !== undefined) d.name = q.name;
    if (q.status !== undefined) d.status = q.status;
  });
  const changes: Change[] = next === old ? [] : [{ op: 'put', entity: 'principal', value: next }];
  return done(state, principalView(state, next), changes);
}

/** Changes a user's name or status (active, pending, disabled). */
export const updateUser = defineOperation({
  name: 'updateUser',
  codes: BLUEXP_CODES,
  input: updateSchema,
  guard: atOrg(BLUEXP_ACTIONS.userUpdate),
  run(state: SourceState, input: z.input<typeof updateSchema>, _ctx: ManageContext): OpResult<BluexpPrincipal> {
    return updatePrincipal(state, input, 'user');
  },
});

const oneSchema = z.strictObject({ account_id: z.string().min(1), principal_id: z.string().min(1) });

/** Removes a user from the organization with its role bindings and group memberships. */
export const deleteUser = defineOperation({
  name: 'deleteUser',
  codes: BLUEXP_CODES,
  input: oneSchema,
  guard: atOrg(BLUEXP_ACTIONS.userDelete),
  run(state: SourceState, input: z.input<typeof oneSchema>, ctx: ManageContext): OpResult<{ id: string }> {
    const q = parseInput(oneSchema, input);
    bluexpAccount(state, q.account_id);
    const p = findPrincipal(state, q.account_id, q.principal_id, 'user');
    return done(state, { id: p.id }, principalRemoval(state, p, ctx));
  },
});

const listSchema = z.strictObject({ account_id: z.string().min(1), kind: z.enum(['user', 'service', 'agent']).optional() });

/** The organization's users, service accounts and agents (one kind when `kind` is given). */
export const listPrincipals = defineOperation({
  name: 'listPrincipals',
  codes: BLUEXP_CODES,
  input: listSchema,
  guard: readAtOrg(BLUEXP_ACTIONS.userRead, 'principal'),
  run(state: SourceState, input: z.input<typeof listSchema>, _ctx: ManageContext): OpResult<{ principals: BluexpPrincipal[] }> {
    const q = parseInput(listSchema, input);
    bluexpAccount(state, q.account_id);
    const rows = state.list('principal', q.account_id).filter((p) => q.kind === undefined || p.kind === q.kind);
    return done(state, { principals: rows.map((p) => principalView(state, p)) }, []);
  },
});

const createServiceSchema = z.strictObject({
  account_id: z.string().min(1),
  id: z.string().min(1).max(256).optional(),
  name: z.string().trim().min(1).max(256),
  roleId: bindingFields.roleId.optional(),
  nodeId: bindingFields.nodeId,
  expiresAt: bindingFields.expiresAt,
});

/** Creates a service account, with a first role binding when `roleId` is given. */
export const createServiceAccount = defineOperation({
  name: 'createServiceAccount',
  codes: BLUEXP_CODES,
  input: createServiceSchema,
  guard: atOrg(BLUEXP_ACTIONS.serviceAccountCreate),
  run(state: SourceState, input: z.input<typeof createServiceSchema>, ctx: ManageContext): OpResult<BluexpPrincipal> {
    const q = parseInput(createServiceSchema, input);
    bluexpAccount(state, q.account_id);
    const id = newPrincipal(state, q.account_id, q.id, 'service-', ctx);
    const p: Principal = { id, accountId: q.account_id, kind: 'service', name: q.name, status: 'active', locked: false, projects: [] };
    const changes: Change[] = [{ op: 'put', entity: 'principal', value: p }];
    if (q.roleId !== undefined) {
      const b: Binding = planBinding(state.with(changes), q.account_id, { subject: { kind: 'principal', id }, roleId: q.roleId, nodeId: q.nodeId, expiresAt: q.expiresAt }, ctx);
      changes.push({ op: 'put', entity: 'binding', value: b });
    }
    const out = done(state, {} as BluexpPrincipal, changes);
    out.result = principalView(out.state, p);
    return out;
  },
});

/** Changes a service account's name or status. */
export const updateServiceAccount = defineOperation({
  name: 'updateServiceAccount',
  codes: BLUEXP_CODES,
  input: updateSchema,
  guard: atOrg(BLUEXP_ACTIONS.serviceAccountUpdate),
  run(state: SourceState, input: z.input<typeof updateSchema>, _ctx: ManageContext): OpResult<BluexpPrincipal> {
    return updatePrincipal(state, input, 'service');
  },
});

/** Deletes a service account with its role bindings. */
export const deleteServiceAccount = defineOperation({
  name: 'deleteServiceAccount',
  codes: BLUEXP_CODES,
  input: oneSchema,
  guard: atOrg(BLUEXP_ACTIONS.serviceAccountDelete),
  run(state: SourceState, input: z.input<typeof oneSchema>, ctx: ManageContext): OpResult<{ id: string }> {
    const q = parseInput(oneSchema, input);
    bluexpAccount(state, q.account_id);
    const p = findPrincipal(state, q.account_id, q.principal_id, 'service');
    return done(state, { id: p.id }, principalRemoval(state, p, ctx));
  },
});

const projectList = z.array(z.string().min(1)).max(1000);

/** The issues of a list of project ids that are not projects of the organization, or repeat. */
function projectIssues(state: SourceState, accountId: string, projects: string[]): Issue[] {
  const issues: Issue[] = [];
  projects.forEach((id, j) => {
    const n = state.get('node', id);
    if (!n || n.accountId !== accountId || n.kind !== 'project') issues.push({ path: ['projects', j], message: `unknown project \`${id}\`` });
    if (projects.indexOf(id) !== j) issues.push({ path: ['projects', j], message: `project \`${id}\` is listed twice` });
  });
  return issues;
}

const createAgentSchema = z.strictObject({
  account_id: z.string().min(1),
  /** The agent's client id (the `x-agent-id` of its calls), when known. */
  id: z.string().min(1).max(256).optional(),
  name: z.string().trim().min(1).max(256),
  projects: projectList.default([]),
});

/** Registers an agent (connector) in the organization, in the given projects. */
export const createAgent = defineOperation({
  name: 'createAgent',
  codes: BLUEXP_CODES,
  input: createAgentSchema,
  guard: byOrgAdmin(BLUEXP_ACTIONS.agentCreate),
  run(state: SourceState, input: z.input<typeof createAgentSchema>, ctx: ManageContext): OpResult<BluexpPrincipal> {
    const q = parseInput(createAgentSchema, input);
    bluexpAccount(state, q.account_id);
    refuseIssues('invalid_request', projectIssues(state, q.account_id, q.projects));
    const id = newPrincipal(state, q.account_id, q.id, 'agent-', ctx);
    const p: Principal = { id, accountId: q.account_id, kind: 'agent', name: q.name, status: 'active', locked: false, projects: q.projects };
    return done(state, principalView(state, p), [{ op: 'put', entity: 'principal', value: p }]);
  },
});

const agentProjectsSchema = z.strictObject({ account_id: z.string().min(1), principal_id: z.string().min(1), projects: projectList });

/** Sets the projects an agent is in (the whole list). */
export const setAgentProjects = defineOperation({
  name: 'setAgentProjects',
  codes: BLUEXP_CODES,
  input: agentProjectsSchema,
  guard: byOrgAdmin(BLUEXP_ACTIONS.agentUpdate),
  run(state: SourceState, input: z.input<typeof agentProjectsSchema>, _ctx: ManageContext): OpResult<BluexpPrincipal> {
    const q = parseInput(agentProjectsSchema, input);
    bluexpAccount(state, q.account_id);
    const old = findPrincipal(state, q.account_id, q.principal_id, 'agent');
    refuseIssues('invalid_request', projectIssues(state, q.account_id, q.projects));
    const next = produce(old, (d) => {
      d.projects = q.projects;
    });
    const same = old.projects.length === q.projects.length && old.projects.every((p, i) => p === q.projects[i]);
    const changes: Change[] = same ? [] : [{ op: 'put', entity: 'principal', value: next }];
    return done(state, principalView(state, same ? old : next), changes);
  },
});

/** Deletes an agent: 409 `agent_has_resources` while resources remember it (see removeResourceFromAgent). */
export const deleteAgent = defineOperation({
  name: 'deleteAgent',
  codes: BLUEXP_CODES,
  input: oneSchema,
  guard: byOrgAdmin(BLUEXP_ACTIONS.agentDelete),
  run(state: SourceState, input: z.input<typeof oneSchema>, ctx: ManageContext): OpResult<{ id: string }> {
    const q = parseInput(oneSchema, input);
    bluexpAccount(state, q.account_id);
    const p = findPrincipal(state, q.account_id, q.principal_id, 'agent');
    const resources = state.list('resource', q.account_id).filter((r) => r.agentId === p.id).map((r) => r.id);
    if (resources.length > 0)
      throw new SeedError('agent_has_resources', 409, `agent \`${p.id}\` still has ${resources.length} resources`, { resources });
    return done(state, { id: p.id }, principalRemoval(state, p, ctx));
  },
});
