// BlueXP resources (seed 000 "resource", seed 001 "resource"): a resource lives in one or many projects
// (workspaces) and may be associated with folders; one discovered through an agent (connector) remembers it.
import { produce } from 'immer';
import { z } from 'zod';
import { SeedError, type Issue } from '../../errors.js';
import type { RegisteredResource } from '../../model/source.js';
import type { Change } from '../../model/entities.js';
import { bluexpAccount, freshId } from './common.js';
import { parseInput, refuseIssues } from '../input.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';
import { BLUEXP_CODES } from '../access/codes.js';
import { defineOperation } from '../define-operation.js';
import { account, BLUEXP_ACTIONS, byConnector, keepOnly, placesOf, resourceAt } from './guards.js';
import { field } from '../access/loose-input.js';

/**
 * A resource as the operations return it. Seed 001: "Every BlueXP resource has the data field 'cloud_id'" (the cloud
 * identifier, such as the cloud VM id): always present, null for one that has none (a license, or a row loaded
 * without it).
 */
export interface BluexpResource {
  resourceId: string;
  accountId: string;
  resourceType?: string;
  resourceClass?: string;
  name?: string;
  cloud_id: string | null;
  agentId?: string;
  projects: string[];
  folders: string[];
}

/** The view of a resource row. */
export function resourceView(r: RegisteredResource): BluexpResource {
  const out: BluexpResource = { resourceId: r.id, accountId: r.accountId, cloud_id: r.cloudId ?? null, projects: [...r.projects], folders: [...r.folders] };
  for (const k of ['resourceType', 'resourceClass', 'name'] as const) {
    const v = r.attributes[k];
    if (v !== undefined) out[k] = String(v);
  }
  if (r.agentId !== undefined) out.agentId = r.agentId;
  return out;
}

/** The resource `id` of the organization, or 404 `resource_not_found`. */
export function findResource(state: SourceState, accountId: string, id: string): RegisteredResource {
  const r = state.get('resource', id);
  if (!r || r.accountId !== accountId) throw new SeedError('resource_not_found', 404, `resource \`${id}\` not found`);
  return r;
}

/** The issues of a list of project or folder ids that are not nodes of that kind in the organization. */
function nodeIssues(state: SourceState, accountId: string, ids: string[], kind: 'project' | 'folder', field: string): Issue[] {
  const issues: Issue[] = [];
  ids.forEach((id, j) => {
    const n = state.get('node', id);
    if (!n || n.accountId !== accountId || n.kind !== kind) issues.push({ path: [field, j], message: `unknown ${kind} \`${id}\`` });
  });
  return issues;
}

const idList = z.array(z.string().min(1)).max(1000);

/** What registering a resource takes, checked: the agent and `cloud_id` are absent only for an account resource. */
export interface ResourceFields {
  account_id: string;
  /** The id, named by the host (`system`) alone; any other actor's is refused (registerResource). */
  resourceId?: string | undefined;
  resourceType: string;
  resourceClass?: string | undefined;
  name?: string | undefined;
  cloud_id?: string | undefined;
  'x-agent-id'?: string | undefined;
  projects: string[];
  folders: string[];
}

const createSchema = z
  .object({
    account_id: z.string().min(1),
    resourceId: z.string().min(1).max(256).optional(),
    resourceType: z.string().min(1).max(256),
    resourceClass: z.string().min(1).max(256).optional(),
    name: z.string().max(256).optional(),
    /** The cloud identifier, such as the cloud VM id (seed 001: every resource has it). */
    cloud_id: z.string().min(1).max(512),
    /** The agent (Connector) that discovered or created the resource, from the `x-agent-id` header. */
    'x-agent-id': z.string().min(1),
    projects: idList.default([]),
    folders: idList.default([]),
  })
  .strict();

/**
 * Registers a resource a Connector discovered or created (seed 001: "only the Connector can discover and create
 * resources"), with its `cloud_id`, attached to that agent, in the given projects and folders (none: the
 * organization). The access check lets only the agent itself do it; the engine assigns the id (seed 001 lets the
 * Connector discover a resource, not pick its id): a `resourceId` is the host's (`system`) alone.
 */
export const createResource = defineOperation({
  name: 'createResource',
  codes: BLUEXP_CODES,
  input: createSchema,
  guard: byConnector,
  run(state: SourceState, input: z.input<typeof createSchema>, ctx: ManageContext): OpResult<BluexpResource> {
    return registerResource(state, parseInput(createSchema, input), ctx);
  },
});

/** Registers a resource from checked fields: an agent's discovery, or (without agent) a resource of the account. */
export function registerResource(state: SourceState, q: ResourceFields, ctx: ManageContext): OpResult<BluexpResource> {
  // INVARIANT: resource ids are one namespace over every organization (a request's `resource.id` is decided in the
  // registered resource's account, SEMANTICS §0), so only the host names one (an import, a restore): a caller's own
  // id answered 409 for an id another organization holds and 201 for a free one, and an id taken first had every
  // decision about it made in the taker's organization (issue #12). Refused before anything is read, so the answer
  // is the same whoever holds the id.
  if (q.resourceId !== undefined && ctx.actor.kind !== 'system')
    refuseIssues('invalid_request', [{ path: ['resourceId'], message: 'the engine assigns a resource its id: only the host (`system`) names one' }]);
  bluexpAccount(state, q.account_id);
  const issues = [
    ...nodeIssues(state, q.account_id, q.projects, 'project', 'projects'),
    ...nodeIssues(state, q.account_id, q.folders, 'folder', 'folders'),
  ];
  const agentId = q['x-agent-id'];
  if (agentId !== undefined && state.get('principal', `${q.account_id}/${agentId}`)?.kind !== 'agent')
    issues.push({ path: ['x-agent-id'], message: `unknown agent \`${agentId}\`` });
  refuseIssues('invalid_request', issues);
  if (q.resourceId !== undefined && state.get('resource', q.resourceId) !== undefined)
    throw new SeedError('resource_exists', 409, `resource \`${q.resourceId}\` already exists`);
  const id = q.resourceId ?? freshId(ctx, 'resource-', (x) => state.get('resource', x) !== undefined);
  const attributes: Record<string, string> = { resourceType: q.resourceType };
  if (q.resourceClass !== undefined) attributes['resourceClass'] = q.resourceClass;
  if (q.name !== undefined) attributes['name'] = q.name;
  const r: RegisteredResource = {
    id,
    accountId: q.account_id,
    attributes,
    tags: [],
    projects: [...new Set(q.projects)],
    folders: [...new Set(q.folders)],
    zones: [],
  };
  if (agentId !== undefined) r.agentId = agentId;
  if (q.cloud_id !== undefined) r.cloudId = q.cloud_id;
  return done(state, resourceView(r), [{ op: 'put', entity: 'resource', value: r }]);
}

const listSchema = z.strictObject({
  account: z.string().min(1),
  resourceType: z.string().optional(),
  workspace: z.string().optional(),
  resourceClass: z.string().optional(),
  resourceId: z.string().optional(),
});

/** GET /tenancy/resource?account=…: the organization's resources, filtered by the seed's query parameters. */
export const listResources = defineOperation({
  name: 'listResources',
  codes: BLUEXP_CODES,
  input: listSchema,
  guard: {
    check: () => undefined,
    narrow(gate, input) {
      const accountId = account(gate, input);
      return keepOnly(gate, 'resource', accountId, (r: RegisteredResource) => gate.may(BLUEXP_ACTIONS.resourceRead, resourceAt(gate.state, accountId, r.id)));
    },
  },
  run(state: SourceState, input: z.input<typeof listSchema>, _ctx: ManageContext): OpResult<BluexpResource[]> {
    const q = parseInput(listSchema, input);
    bluexpAccount(state, q.account);
    const rows = state
      .list('resource', q.account)
      .filter(
        (r) =>
          (q.resourceType === undefined || String(r.attributes['resourceType']) === q.resourceType) &&
          (q.resourceClass === undefined || String(r.attributes['resourceClass']) === q.resourceClass) &&
          (q.workspace === undefined || r.projects.includes(q.workspace)) &&
          (q.resourceId === undefined || r.id === q.resourceId),
      );
    return done(state, rows.map(resourceView), []);
  },
});

const associationSchema = z
  .strictObject({ account_id: z.string().min(1), resource_id: z.string().min(1), projects: idList.default([]), folders: idList.default([]) })
  .refine((q) => q.projects.length + q.folders.length > 0, { message: 'name at least one project or folder', path: ['projects'] });

/** Associates a resource with more projects (workspaces) and folders; those it is already in stay. */
export const associateResource = defineOperation({
  name: 'associateResource',
  codes: BLUEXP_CODES,
  input: associationSchema,
  guard: {
    check(gate, input) {
      gate.require(BLUEXP_ACTIONS.resourceUpdate, resourceAt(gate.state, account(gate, input), field(input, 'resource_id')));
      for (const t of placesOf(gate, input)) gate.require(BLUEXP_ACTIONS.resourceUpdate, t);
    },
  },
  run(state: SourceState, input: z.input<typeof associationSchema>, _ctx: ManageContext): OpResult<BluexpResource> {
    const q = parseInput(associationSchema, input);
    bluexpAccount(state, q.account_id);
    const old = findResource(state, q.account_id, q.resource_id);
    refuseIssues('invalid_request', [
      ...nodeIssues(state, q.account_id, q.projects, 'project', 'projects'),
      ...nodeIssues(state, q.account_id, q.folders, 'folder', 'folders'),
    ]);
    const next = produce(old, (d) => {
      for (const p of q.projects) if (!d.projects.includes(p)) d.projects.push(p);
      for (const f of q.folders) if (!d.folders.includes(f)) d.folders.push(f);
    });
    const changes: Change[] = next === old ? [] : [{ op: 'put', entity: 'resource', value: next }];
    return done(state, resourceView(next), changes);
  },
});

/** Dissociates a resource from projects and folders; naming one it is not in changes nothing. */
export const dissociateResource = defineOperation({
  name: 'dissociateResource',
  codes: BLUEXP_CODES,
  input: associationSchema,
  guard: { check: (gate, input) => gate.require(BLUEXP_ACTIONS.resourceUpdate, resourceAt(gate.state, account(gate, input), field(input, 'resource_id'))) },
  run(state: SourceState, input: z.input<typeof associationSchema>, _ctx: ManageContext): OpResult<BluexpResource> {
    const q = parseInput(associationSchema, input);
    bluexpAccount(state, q.account_id);
    const old = findResource(state, q.account_id, q.resource_id);
    const next = produce(old, (d) => {
      d.projects = d.projects.filter((p) => !q.projects.includes(p));
      d.folders = d.folders.filter((f) => !q.folders.includes(f));
    });
    const same = next.projects.length === old.projects.length && next.folders.length === old.folders.length;
    const changes: Change[] = same ? [] : [{ op: 'put', entity: 'resource', value: next }];
    return done(state, resourceView(same ? old : next), changes);
  },
});

const oneSchema = z.strictObject({ account_id: z.string().min(1), resource_id: z.string().min(1) });

/** remove-resource-from-agent: the resource no longer remembers the agent that discovered it. */
export const removeResourceFromAgent = defineOperation({
  name: 'removeResourceFromAgent',
  codes: BLUEXP_CODES,
  input: oneSchema,
  guard: { check: (gate, input) => gate.require(BLUEXP_ACTIONS.resourceUpdate, resourceAt(gate.state, account(gate, input), field(input, 'resource_id'))) },
  run(state: SourceState, input: z.input<typeof oneSchema>, _ctx: ManageContext): OpResult<BluexpResource> {
    const q = parseInput(oneSchema, input);
    bluexpAccount(state, q.account_id);
    const old = findResource(state, q.account_id, q.resource_id);
    if (old.agentId === undefined) return done(state, resourceView(old), []);
    const { agentId: _gone, ...next } = old;
    return done(state, resourceView(next), [{ op: 'put', entity: 'resource', value: next }]);
  },
});

/** DELETE /tenancy/resource/{resource_id} (and service-resource): removes the resource. */
export const deleteResource = defineOperation({
  name: 'deleteResource',
  codes: BLUEXP_CODES,
  input: oneSchema,
  guard: { check: (gate, input) => gate.require(BLUEXP_ACTIONS.resourceDelete, resourceAt(gate.state, account(gate, input), field(input, 'resource_id'))) },
  run(state: SourceState, input: z.input<typeof oneSchema>, _ctx: ManageContext): OpResult<{ resourceId: string }> {
    const q = parseInput(oneSchema, input);
    bluexpAccount(state, q.account_id);
    const r = findResource(state, q.account_id, q.resource_id);
    return done(state, { resourceId: r.id }, [{ op: 'delete', entity: 'resource', key: r.id }]);
  },
});
