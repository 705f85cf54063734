// Cloudflare resource groups (seed 003, "IAM Resource Groups"): named lists of scopes. Both scope shapes are
// accepted (`account.A` with objects `*`, `zone.Z`, `zone.*`; legacy `zone.Z` with `*`) and read with parseScope.
import { z } from 'zod';
import { SeedError, type Issue } from '../../errors.js';
import { parseScope } from '../../model/scope.js';
import type { ResourceGroup, Scope } from '../../model/source.js';
import type { Change } from '../../model/entities.js';
import {
  cloudflareAccount,
  cloudflarePage,
  envelope,
  newCloudflareId,
  paginate,
  scopeMismatches,
  type CloudflareEnvelope,
  pageQuery,
} from './common.js';
import { parseInput, refuseIssues } from '../input.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';
import { CLOUDFLARE_CODES } from '../access/codes.js';
import { defineOperation } from '../define-operation.js';
import { CLOUDFLARE_ACTIONS, onAccount } from './guards.js';

/** A resource group as the seed returns it. */
export interface CloudflareResourceGroup {
  id: string;
  scope: Scope[];
  meta?: { key?: string; value?: string };
  name?: string;
}

/** The seed view of a resource group row. */
export function resourceGroupView(rg: ResourceGroup): CloudflareResourceGroup {
  const out: CloudflareResourceGroup = { id: rg.id, scope: rg.scope };
  if (rg.meta !== undefined) out.meta = rg.meta;
  if (rg.name !== undefined) out.name = rg.name;
  return out;
}

/** The resource group `id` of account `accountId`, or 404 `resource_group_not_found`. */
export function findResourceGroup(state: SourceState, accountId: string, id: string): ResourceGroup {
  const rg = state.get('resourceGroup', id);
  if (!rg || rg.accountId !== accountId) throw new SeedError('resource_group_not_found', 404, `resource group \`${id}\` not found`);
  return rg;
}

const scopeInput = z.strictObject({
  key: z.string().min(1).max(256),
  objects: z.array(z.strictObject({ key: z.string().min(1).max(256) })).min(1).max(1000),
});
const metaInput = z.strictObject({ key: z.string().max(256).optional(), value: z.string().max(1024).optional() });
/** One scope object or a list of them: the seed's responses list scopes, a create may name just one. */
const scopeField = z.union([scopeInput, z.array(scopeInput).min(1).max(100)]);

const writeFields = {
  account_id: z.string().min(1),
  scope: scopeField,
  meta: metaInput.optional(),
  name: z.string().min(1).max(256).optional(),
};
const createSchema = z.strictObject(writeFields);
const updateSchema = z.strictObject({ ...writeFields, resource_group_id: z.string().min(1) });

/** Normalises the scope field to a list and checks every scope with parseScope against the account. */
function checkedScopes(scope: z.infer<typeof scopeField>, accountId: string): Scope[] {
  const list = Array.isArray(scope) ? scope : [scope];
  const issues: Issue[] = [];
  list.forEach((sc, j) => {
    const parsed = parseScope(sc, accountId);
    if ('error' in parsed) issues.push({ path: Array.isArray(scope) ? ['scope', j] : ['scope'], message: parsed.error });
  });
  refuseIssues('invalid_request', issues);
  return list.map((sc) => ({ key: sc.key, objects: sc.objects.map((o) => ({ key: o.key })) }));
}

/** POST /accounts/{account_id}/iam/resource_groups: a new group with a 32-character id. */
export const createResourceGroup = defineOperation({
  name: 'createResourceGroup',
  codes: CLOUDFLARE_CODES,
  input: createSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.iamEdit),
  run(
    state: SourceState,
    input: z.input<typeof createSchema>,
    ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareResourceGroup>> {
    const q = parseInput(createSchema, input);
    cloudflareAccount(state, q.account_id);
    const scope = checkedScopes(q.scope, q.account_id);
    const id = newCloudflareId(ctx, (x) => state.get('resourceGroup', x) !== undefined);
    const rg: ResourceGroup = { id, accountId: q.account_id, scope };
    if (q.name !== undefined) rg.name = q.name;
    if (q.meta !== undefined) rg.meta = q.meta;
    return done(state, envelope(resourceGroupView(rg)), [{ op: 'put', entity: 'resourceGroup', value: rg }]);
  },
});

const listSchema = z.strictObject({
  account_id: z.string().min(1),
  id: z.string().optional(),
  name: z.string().optional(),
  ...pageQuery,
});

/** GET /accounts/{account_id}/iam/resource_groups: filters `id` and `name` are exact; paged by `page`/`per_page`. */
export const listResourceGroups = defineOperation({
  name: 'listResourceGroups',
  codes: CLOUDFLARE_CODES,
  input: listSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.iamRead),
  run(
    state: SourceState,
    input: z.input<typeof listSchema>,
    _ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareResourceGroup[]>> {
    const q = parseInput(listSchema, input);
    const page = cloudflarePage(q.page, q.per_page);
    cloudflareAccount(state, q.account_id);
    const rows = state
      .list('resourceGroup', q.account_id)
      .filter((r) => (q.id === undefined || r.id === q.id) && (q.name === undefined || r.name === q.name));
    const { rows: slice, info } = paginate(rows, page);
    return done(state, envelope(slice.map(resourceGroupView), info), []);
  },
});

const getSchema = z.strictObject({ account_id: z.string().min(1), resource_group_id: z.string().min(1) });

/** GET /accounts/{account_id}/iam/resource_groups/{resource_group_id}: 404 `resource_group_not_found`. */
export const getResourceGroup = defineOperation({
  name: 'getResourceGroup',
  codes: CLOUDFLARE_CODES,
  input: getSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.iamRead),
  run(
    state: SourceState,
    input: z.input<typeof getSchema>,
    _ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareResourceGroup>> {
    const q = parseInput(getSchema, input);
    cloudflareAccount(state, q.account_id);
    return done(state, envelope(resourceGroupView(findResourceGroup(state, q.account_id, q.resource_group_id))), []);
  },
});

/**
 * PUT /accounts/{account_id}/iam/resource_groups/{resource_group_id}: replaces the scope; `name` and `meta` are
 * replaced when given and kept when absent. A new scope that no longer suits a policy's permission groups is
 * refused (400 `scope_type_mismatch`), as it would be when the policy is written.
 */
export const updateResourceGroup = defineOperation({
  name: 'updateResourceGroup',
  codes: CLOUDFLARE_CODES,
  input: updateSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.iamEdit),
  run(
    state: SourceState,
    input: z.input<typeof updateSchema>,
    _ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareResourceGroup>> {
    const q = parseInput(updateSchema, input);
    cloudflareAccount(state, q.account_id);
    const old = findResourceGroup(state, q.account_id, q.resource_group_id);
    const scope = checkedScopes(q.scope, q.account_id);
    const rg: ResourceGroup = { ...old, scope };
    if (q.name !== undefined) rg.name = q.name;
    if (q.meta !== undefined) rg.meta = q.meta;
    const issues: Issue[] = [];
    for (const p of policiesUsing(state, q.account_id, rg.id))
      for (const m of scopeMismatches(state, p, rg)) issues.push({ path: ['scope'], message: `policy \`${p.id}\`: ${m.message}` });
    refuseIssues('scope_type_mismatch', issues);
    return done(state, envelope(resourceGroupView(rg)), [{ op: 'put', entity: 'resourceGroup', value: rg }]);
  },
});

const deleteSchema = getSchema;

/** DELETE /accounts/{account_id}/iam/resource_groups/{resource_group_id}: refused with 409 `resource_group_in_use` while a policy names it. */
export const deleteResourceGroup = defineOperation({
  name: 'deleteResourceGroup',
  codes: CLOUDFLARE_CODES,
  input: deleteSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.iamEdit),
  run(
    state: SourceState,
    input: z.input<typeof deleteSchema>,
    _ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<{ id: string }>> {
    const q = parseInput(deleteSchema, input);
    cloudflareAccount(state, q.account_id);
    const rg = findResourceGroup(state, q.account_id, q.resource_group_id);
    const using = policiesUsing(state, q.account_id, rg.id).map((p) => p.id);
    if (using.length > 0)
      throw new SeedError('resource_group_in_use', 409, `resource group \`${rg.id}\` is used by ${using.length} policies`, { policies: using });
    const changes: Change[] = [{ op: 'delete', entity: 'resourceGroup', key: rg.id }];
    return done(state, envelope({ id: rg.id }), changes);
  },
});

/** The policies of an account (any state) that name a resource group. */
function policiesUsing(state: SourceState, accountId: string, rgId: string) {
  return state.list('policy', accountId).filter((p) => p.resource.resourceGroups?.includes(rgId));
}
