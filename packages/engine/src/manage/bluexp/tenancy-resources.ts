// BlueXP Tenancy resources and agents (seed 001 FAQ): only an agent (Connector) discovers or creates a resource, and
// the resource is attached to it then (there is no add-to-agent call; `remove-resource-from-agent` undoes it);
// every such resource carries its `cloud_id`. Some resources (license, persistence) are never attached to an agent:
// they belong to the account. `DELETE /tenancy/service-resource/{resource-id}` is just another way to delete one.
import { z } from 'zod';
import type { Issue } from '../../errors.js';
import { bluexpAccount } from './common.js';
import { parseInput, refuseIssues } from '../input.js';
import { deleteResource, registerResource, type BluexpResource } from './resources.js';
import type { ManageContext, OpResult } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';
import { BLUEXP_CODES } from '../access/codes.js';
import { defineOperation } from '../define-operation.js';
import { accountTarget } from '../access/targets.js';
import { account, BLUEXP_ACTIONS, byConnector, placesOf, resourceAt } from './guards.js';
import { field } from '../access/loose-input.js';

/** The resource classes that belong to the account rather than to an agent. */
export const ACCOUNT_RESOURCE_CLASSES: readonly string[] = ['license', 'persistence'];

const idList = z.array(z.string().min(1)).max(1000);
const agentResourceSchema = z
  .object({
    account_id: z.string().min(1),
    /** `discover` attaches an existing resource; `create` is the same after provisioning. */
    mode: z.enum(['discover', 'create']).default('discover'),
    'x-agent-id': z.string().min(1),
    cloud_id: z.string().min(1).max(512),
    resourceId: z.string().min(1).max(256).optional(),
    resourceType: z.string().min(1).max(256),
    resourceClass: z.string().min(1).max(256).optional(),
    name: z.string().max(256).optional(),
    projects: idList.default([]),
    folders: idList.default([]),
  })
  .strict();

/**
 * A resource discovered or created by an agent, attached to it with its `cloud_id`: the agent must be an active agent
 * of the organization (400 `invalid_request` otherwise), and a license or persistence resource is refused (it
 * belongs to the account: see createAccountResource). The engine assigns the id: `resourceId` is the host's alone.
 */
export const attachAgentResource = defineOperation({
  name: 'attachAgentResource',
  codes: BLUEXP_CODES,
  input: agentResourceSchema,
  guard: byConnector,
  run(state: SourceState, input: z.input<typeof agentResourceSchema>, ctx: ManageContext): OpResult<BluexpResource> {
    const q = parseInput(agentResourceSchema, input);
    bluexpAccount(state, q.account_id);
    const issues: Issue[] = [];
    const agent = state.get('principal', `${q.account_id}/${q['x-agent-id']}`);
    if (agent?.kind !== 'agent') issues.push({ path: ['x-agent-id'], message: `unknown agent \`${q['x-agent-id']}\`` });
    else if (agent.status !== 'active') issues.push({ path: ['x-agent-id'], message: `agent \`${agent.id}\` is ${agent.status}` });
    if (q.resourceClass !== undefined && ACCOUNT_RESOURCE_CLASSES.includes(q.resourceClass))
      issues.push({ path: ['resourceClass'], message: `a \`${q.resourceClass}\` resource belongs to the account, not to an agent` });
    refuseIssues('invalid_request', issues);
    const { mode: _mode, ...rest } = q;
    return registerResource(state, rest, ctx);
  },
});

const accountResourceSchema = z.strictObject({
  account_id: z.string().min(1),
  resourceId: z.string().min(1).max(256).optional(),
  resourceType: z.string().min(1).max(256),
  resourceClass: z.enum(['license', 'persistence']),
  name: z.string().max(256).optional(),
  cloud_id: z.string().max(512).optional(),
  projects: idList.default([]),
  folders: idList.default([]),
});

/** A license or persistence resource: it belongs to the account and is attached to no agent; its id is the engine's (`resourceId` is the host's alone). */
export const createAccountResource = defineOperation({
  name: 'createAccountResource',
  codes: BLUEXP_CODES,
  input: accountResourceSchema,
  // a license or persistence resource belongs to the organization, wherever else it is placed
  guard: {
    check(gate, input) {
      gate.require(BLUEXP_ACTIONS.resourceCreate, accountTarget(account(gate, input)));
      for (const t of placesOf(gate, input)) gate.require(BLUEXP_ACTIONS.resourceCreate, t);
    },
  },
  run(state: SourceState, input: z.input<typeof accountResourceSchema>, ctx: ManageContext): OpResult<BluexpResource> {
    const q = parseInput(accountResourceSchema, input);
    return registerResource(state, q, ctx);
  },
});

const serviceResourceSchema = z.strictObject({ account_id: z.string().min(1), 'resource-id': z.string().min(1) });

/** DELETE /tenancy/service-resource/{resource-id}: deletes the resource as deleteResource does; 404 `resource_not_found`. */
export const deleteServiceResource = defineOperation({
  name: 'deleteServiceResource',
  codes: BLUEXP_CODES,
  input: serviceResourceSchema,
  guard: { check: (gate, input) => gate.require(BLUEXP_ACTIONS.resourceDelete, resourceAt(gate.state, account(gate, input), field(input, 'resource-id'))) },
  run(
    state: SourceState,
    input: z.input<typeof serviceResourceSchema>,
    ctx: ManageContext,
  ): OpResult<{ resourceId: string }> {
    const q = parseInput(serviceResourceSchema, input);
    return deleteResource(state, { account_id: q.account_id, resource_id: q['resource-id'] }, ctx);
  },
});
