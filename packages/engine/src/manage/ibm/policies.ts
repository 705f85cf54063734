/*
 * IBM Cloud IAM Policy Management (seed 004): v1 policies as the seed documents them, and v2 policies (`subject`,
 * `control.grant.roles`, `resource`, `rule`, `pattern`) in IBM's public v2 shape, which the seed does not document.
 *
 * Choices where the seed is silent (tests pin them):
 * - DELETE is a soft delete (`state: deleted`): the policy grants nothing, stays gettable and listable with
 *   `state=deleted`, and PATCH `state: active` restores it. Deleting a deleted policy, or PATCHing to the current
 *   state, changes nothing. There is no purge: the seed has no hard delete.
 * - Quotas (4020 per account, 1000 per subject) and conflicts count active policies only; a restore re-checks both.
 * - A policy whose subject is a locked service id can be neither created, replaced, deleted nor restored (400
 *   `invalid_body`, the seed's code); usage figures are still recorded.
 * - v1 does not see policies with a `rule`: the v1 shape cannot carry conditions (404 / left out of lists).
 * - Roles: platform roles go on any resource; a service role must be listed in the catalog by a service the resource
 *   reaches; a custom role only on a resource naming its own service. A `serviceName` no catalog service matches is refused.
 * - Access tags need `serviceType: service` or a `serviceName` of type `service`; authorization policies take none.
 * - Replacing a deleted policy is allowed and keeps it deleted; a policy never moves to another account.
 * - Errors without a seed code: bad query values are 400 `invalid_query_parameter`, a missing If-Match is 400
 *   `missing_required_header`, a stale one 412 `incorrect_etag` (the shared manage context).
 */
import { produce } from 'immer';
import { SeedError, ValidationError, type Issue } from '../../errors.js';
import { instantSchema } from '../../model/primitives.js';
import { policySchema, type Policy } from '../../model/source.js';
import { zodIssues } from '../../model/parse-source.js';
import type { Change } from '../../model/entities.js';
import { checkIfMatch, etagOf, withEtag } from '../etag.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import { checkDraft, refuseConflict, refuseLocked, refuseOverQuota } from './policy-checks.js';
import { isRecord, readV1Body, readV2Body, type PolicyDraft } from './policy-draft.js';
import { refuseUnknownKeys } from './group-support.js';
import { IBM_POLICY_HREF_BASE, toV1, toV2, type IbmPolicyV1, type IbmPolicyV2, type WireFormat } from './policy-wire.js';
import type { SourceState } from '../../model/source-state.js';
import { IBM_POLICY_CODES } from '../access/codes.js';
import { actorId } from '../actor.js';
import { defineOperation } from '../define-operation.js';
import { IBM_ACTIONS, listReadablePolicies, policyWrite, readPolicy } from './guards.js';

type Version = 'v1' | 'v2';

/** A v1 subject, role and resource as the seed's request bodies write them. */
export interface IbmPolicyV1Body {
  type: 'access' | 'authorization';
  description?: string;
  subjects: { attributes: { name: string; value: string }[] }[];
  roles: { role_id: string }[];
  resources: { attributes: { name: string; value: unknown; operator?: string }[]; tags?: { name: string; value: string; operator?: string }[] }[];
}

/** A v2 body: `subject`, `control.grant.roles`, `resource`, and optionally `rule` with its `pattern`. */
export interface IbmPolicyV2Body {
  type: 'access' | 'authorization';
  description?: string;
  subject: { attributes: { key: string; operator?: 'stringEquals'; value: string }[] };
  control: { grant: { roles: { role_id: string }[] } };
  resource: { attributes: { key: string; value: unknown; operator?: string }[]; tags?: { key: string; value: string; operator?: string }[] };
  rule?: unknown;
  pattern?: string;
}

/** `GET /v1/policies` query. */
export interface ListPoliciesInput {
  account_id?: string;
  accept_language?: string;
  iam_id?: string;
  access_group_id?: string;
  type?: string;
  service_type?: string;
  service_name?: string;
  tag_name?: string;
  tag_value?: string;
  sort?: string;
  format?: string;
  state?: string;
}

/** `GET /v2/policies` query: the v1 filters plus `service_group_id` and `limit`/`start` paging. */
export interface ListV2PoliciesInput extends ListPoliciesInput {
  service_group_id?: string;
  limit?: number | string;
  start?: string;
}

/** A path parameter naming one policy. */
export interface PolicyIdInput {
  policy_id: string;
}

/** `PUT /v1/policies/{policy_id}` with its If-Match header. */
export type UpdatePolicyInput = PolicyIdInput & { if_match?: string } & IbmPolicyV1Body;
/** `PUT /v2/policies/{policy_id}` with its If-Match header. */
export type ReplaceV2PolicyInput = PolicyIdInput & { if_match?: string } & IbmPolicyV2Body;
/** `PATCH /v1/policies/{policy_id}`: `state` `active` restores, `deleted` deletes. */
export type PatchPolicyInput = PolicyIdInput & { if_match?: string; state: 'active' | 'deleted' };
/** `GET /v2/policies/{policy_id}` with the optional `format=include_last_permit`. */
export type GetV2PolicyInput = PolicyIdInput & { format?: string };

/**
 * A single-policy response body plus `etag`, the value of the seed's `ETag` response header (a host moves it to the
 * header, as for access groups). Lists carry none: the seed gives their responses no ETag header and their rows no
 * etag field; a client reads the etag with GET, as the seed says.
 */
export type WithEtag<T> = T & { etag: string };

/** The v1 list response. */
export interface IbmPolicyList {
  policies: IbmPolicyV1[];
}

/** The v2 list response, paged by an opaque `start` token. */
export interface IbmV2PolicyList {
  limit: number;
  first: { href: string };
  next?: { href: string; start: string };
  policies: IbmPolicyV2[];
}

/** One batch entry of usage figures: the policy permitted `count` decisions, the last at `at`. */
export interface PermitRecord {
  policyId: string;
  at: string;
  count: number;
}

// A policy loaded from a source written by hand may have no etag yet; the If-Match check uses the same value.
function currentEtag(p: Policy): string {
  return p.etag ?? etagOf(p);
}

function invalidBody(issues: Issue[]): SeedError {
  return new SeedError('invalid_body', 400, `policy input is invalid: ${issues.length} issue${issues.length === 1 ? '' : 's'}`, { issues });
}

function asBody(input: unknown): Record<string, unknown> {
  if (!isRecord(input)) throw invalidBody([{ path: [], message: 'the request body is a JSON object' }]);
  return input;
}

/**
 * The policy behind an id as the IBM API sees it: only policies of IBM accounts, and v1 never sees a v2 policy with a
 * rule (the v1 shape cannot carry conditions, and showing it without them would overstate what it grants).
 */
function findPolicy(state: SourceState, id: unknown, version: Version): Policy {
  const p = typeof id === 'string' ? state.get('policy', id) : undefined;
  if (!p || state.get('account', p.accountId)?.system !== 'ibm' || (version === 'v1' && (p.rule !== undefined || p.pattern !== undefined)))
    throw new SeedError('policy_not_found', 404, `policy with id \`${String(id)}\` not found`);
  return p;
}

/** Reads and checks a body; throws 400 `invalid_body` with every issue, or returns the draft with its account set. */
function readDraft(state: SourceState, body: Record<string, unknown>, version: Version, existing?: Policy): PolicyDraft & { accountId: string } {
  const issues: Issue[] = [];
  const draft = version === 'v1' ? readV1Body(body, issues) : readV2Body(body, issues);
  if (existing && draft.type !== undefined && draft.type !== existing.type)
    issues.push({ path: ['type'], message: `a policy's type cannot be changed from \`${existing.type}\`: create a new policy and delete this one` });
  if (existing && draft.accountId !== undefined && draft.accountId !== existing.accountId)
    issues.push({ path: [...(draft.at.attributes.get('accountId') ?? []), 'value'], message: `a policy stays in its account \`${existing.accountId}\`` });
  checkDraft(state, draft, issues);
  if (issues.length > 0 || draft.accountId === undefined) throw invalidBody(issues);
  return draft as PolicyDraft & { accountId: string };
}

/** Parses the row as the model will, so a written row always passes `parseSource`; a miss is still a bad body. */
function finish(row: Policy): Policy {
  const parsed = policySchema.safeParse(row);
  if (!parsed.success) throw invalidBody(zodIssues(parsed.error));
  return withEtag(parsed.data);
}

function freshId(state: SourceState, ctx: ManageContext): string {
  for (let i = 0; i < 8; i++) {
    const id = ctx.newId('');
    if (!state.get('policy', id)) return id;
  }
  throw new Error('newId keeps returning ids of existing policies');
}

/** The body fields each wire version reads; v1 also names the v2 fields so that its draft can say where they belong. */
const BODY_KEYS: Record<Version, readonly string[]> = {
  v1: ['type', 'description', 'subjects', 'roles', 'resources', 'rule', 'pattern', 'subject', 'resource', 'control'],
  v2: ['type', 'description', 'subject', 'control', 'resource', 'rule', 'pattern'],
};

/** The query parameters of the list operations. */
const LIST_KEYS = ['account_id', 'accept_language', 'iam_id', 'access_group_id', 'type', 'service_type', 'service_name', 'tag_name', 'tag_value', 'sort', 'format', 'state'];

function create(state: SourceState, input: unknown, ctx: ManageContext, version: Version): OpResult<Policy> {
  const body = asBody(input);
  refuseUnknownKeys(body, BODY_KEYS[version], invalidBody);
  const draft = readDraft(state, body, version);
  refuseLocked(state, draft.accountId, draft.subject!, [...draft.at.subject, 'attributes', 0, 'value']);
  const actor = actorId(ctx);
  const policy = finish({
    id: freshId(state, ctx),
    accountId: draft.accountId,
    type: draft.type!,
    effect: 'allow',
    subject: draft.subject!,
    roles: draft.roles,
    resource: { attributes: draft.attributes, tags: draft.tags },
    ...(draft.rule !== undefined ? { rule: draft.rule } : {}),
    ...(draft.pattern !== undefined ? { pattern: draft.pattern } : {}),
    ...(draft.description !== undefined ? { description: draft.description } : {}),
    state: 'active',
    createdAt: ctx.now,
    createdById: actor,
    lastModifiedAt: ctx.now,
    lastModifiedById: actor,
  });
  refuseConflict(state, policy, 'create');
  refuseOverQuota(state, policy);
  return { result: policy, changes: [{ op: 'put', entity: 'policy', value: policy }], state };
}

function replace(state: SourceState, input: unknown, ctx: ManageContext, version: Version): OpResult<Policy> {
  const body = asBody(input);
  refuseUnknownKeys(body, [...BODY_KEYS[version], 'policy_id', 'if_match'], invalidBody);
  const existing = findPolicy(state, body['policy_id'], version);
  checkIfMatch(typeof body['if_match'] === 'string' ? body['if_match'] : undefined, currentEtag(existing));
  const draft = readDraft(state, body, version, existing);
  refuseLocked(state, existing.accountId, existing.subject, ['policy_id']);
  refuseLocked(state, draft.accountId, draft.subject!, [...draft.at.subject, 'attributes', 0, 'value']);
  const actor = actorId(ctx);
  const policy = finish(
    produce(existing, (d) => {
      d.subject = draft.subject!;
      d.roles = draft.roles;
      d.resource = { attributes: draft.attributes, tags: draft.tags };
      if (draft.description !== undefined) d.description = draft.description;
      else delete d.description;
      if (draft.rule !== undefined) d.rule = draft.rule;
      else delete d.rule;
      if (draft.pattern !== undefined) d.pattern = draft.pattern;
      else delete d.pattern;
      d.lastModifiedAt = ctx.now;
      d.lastModifiedById = actor;
    }),
  );
  if (policy.state === 'active') {
    refuseConflict(state, policy, 'update');
    refuseOverQuota(state, policy);
  }
  return { result: policy, changes: [{ op: 'put', entity: 'policy', value: policy }], state };
}

/** Moves a policy to `target`; the same state again is a no-op. Restoring re-checks conflicts and quotas. */
function setState(state: SourceState, p: Policy, target: 'active' | 'deleted', ctx: ManageContext): OpResult<Policy> {
  refuseLocked(state, p.accountId, p.subject, ['policy_id']);
  if (p.state === target) return { result: p, changes: [], state };
  const actor = actorId(ctx);
  const next = withEtag(
    produce(p, (d) => {
      d.state = target;
      d.lastModifiedAt = ctx.now;
      d.lastModifiedById = actor;
    }),
  );
  if (target === 'active') {
    refuseConflict(state, next, 'update');
    refuseOverQuota(state, next);
  }
  return { result: next, changes: [{ op: 'put', entity: 'policy', value: next }], state };
}

/**
 * Shapes a policy op's result for the wire. Shaping reads only the catalog (roles, services, accounts), which a policy
 * op never changes, so it reads the state before the change and the resulting state stays lazy (an Engine that
 * applies the changes itself never pays for copying it).
 */
function wrap<T>(before: SourceState, r: OpResult<Policy>, shape: (s: SourceState, p: Policy) => T): OpResult<WithEtag<T>> {
  return done(before, etagged(shape(before, r.result), r.result), r.changes);
}

/** A response body with the policy's etag; every write goes through finish or withEtag, so a stored row has one. */
function etagged<T>(body: T, p: Policy): WithEtag<T> {
  return { ...body, etag: currentEtag(p) };
}

const V1_SORT = new Set([
  'id',
  'type',
  'description',
  'href',
  'created_at',
  'created_by_id',
  'last_modified_at',
  'last_modified_by_id',
  'state',
  'last_permit_at',
  'last_permit_frequency',
]);
const V2_SORT = new Set([...V1_SORT, 'pattern']);

function badQuery(name: string, message: string): SeedError {
  return new SeedError('invalid_query_parameter', 400, `query parameter \`${name}\`: ${message}`);
}

function oneOf(q: Record<string, unknown>, name: string, allowed: readonly string[]): string | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || !allowed.includes(v)) throw badQuery(name, `expected one of ${allowed.map((a) => `\`${a}\``).join(', ')}`);
  return v;
}

function str(q: Record<string, unknown>, name: string): string | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw badQuery(name, 'expected a string');
  return v;
}

function stringEqualsValue(p: Policy, name: string): string | undefined {
  const a = p.resource.attributes.find((x) => x.name === name);
  return a && a.operator === 'stringEquals' && !Array.isArray(a.value) ? String(a.value) : undefined;
}

function compareField(x: unknown, y: unknown): number {
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  const a = x === undefined ? '' : String(x);
  const b = y === undefined ? '' : String(y);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Filters, sorts and formats the policies of one account; shared by both list versions. */
function listRows<T extends object>(
  state: SourceState,
  input: unknown,
  version: Version,
  shape: (p: Policy, f: WireFormat) => T,
): { rows: T[]; query: Record<string, unknown>; accountId: string } {
  const q: Record<string, unknown> = isRecord(input) ? input : {};
  const accountId = q['account_id'];
  if (typeof accountId !== 'string' || accountId === '')
    throw new SeedError('missing_required_query_parameter', 400, '`account_id` is a required query parameter');
  const type = oneOf(q, 'type', ['access', 'authorization']);
  const wanted = oneOf(q, 'state', ['active', 'deleted']) ?? 'active';
  const format = oneOf(q, 'format', ['display', 'include_last_permit']);
  const serviceType = oneOf(q, 'service_type', ['service', 'platform_service']);
  const [iamId, groupId, serviceName, tagName, tagValue] = ['iam_id', 'access_group_id', 'service_name', 'tag_name', 'tag_value'].map((n) => str(q, n));
  const serviceGroup = version === 'v2' ? str(q, 'service_group_id') : undefined;
  const sort = str(q, 'sort');
  const sortField = sort?.startsWith('-') ? sort.slice(1) : sort;
  if (sortField !== undefined && !(version === 'v1' ? V1_SORT : V2_SORT).has(sortField))
    throw badQuery('sort', `unknown field \`${sortField}\`: sort by a top-level policy field`);

  if (state.get('account', accountId)?.system !== 'ibm') return { rows: [], query: q, accountId };
  const policies = state.list('policy', accountId).filter((p) => {
    if (p.state !== wanted) return false;
    if (version === 'v1' && (p.rule !== undefined || p.pattern !== undefined)) return false;
    if (type !== undefined && p.type !== type) return false;
    if (iamId !== undefined && !(p.subject.kind === 'principal' && p.subject.id === iamId)) return false;
    if (groupId !== undefined && !(p.subject.kind === 'group' && p.subject.id === groupId)) return false;
    if (serviceName !== undefined && stringEqualsValue(p, 'serviceName') !== serviceName) return false;
    if (serviceGroup !== undefined && stringEqualsValue(p, 'service_group_id') !== serviceGroup) return false;
    if (serviceType !== undefined) {
      const own = stringEqualsValue(p, 'serviceType');
      const named = stringEqualsValue(p, 'serviceName');
      const viaCatalog = named !== undefined ? state.get('service', named)?.type : undefined;
      if (own !== serviceType && viaCatalog !== serviceType) return false;
    }
    if (tagName !== undefined || tagValue !== undefined) {
      const n = tagName?.toLowerCase();
      const v = tagValue?.toLowerCase();
      if (!p.resource.tags.some((t) => (n === undefined || t.name === n) && (v === undefined || t.value === v))) return false;
    }
    return true;
  });
  const f: WireFormat = { display: format === 'display', lastPermit: format === 'include_last_permit' };
  let rows = policies.map((p) => shape(p, f));
  if (sortField !== undefined) {
    const desc = sort!.startsWith('-');
    // sorting looks at usage figures even when the format leaves them out
    const keyed = policies.map((p, i) => ({ row: rows[i]!, key: (shape(p, { lastPermit: true }) as Record<string, unknown>)[sortField] }));
    keyed.sort((a, b) => (desc ? -1 : 1) * compareField(a.key, b.key));
    rows = keyed.map((k) => k.row);
  }
  return { rows, query: q, accountId };
}

/** `GET /v1/policies`: the account's policies filtered by subject, type, service, tag and state (default active). */
export const listPolicies = defineOperation({
  name: 'listPolicies',
  codes: IBM_POLICY_CODES,
  guard: listReadablePolicies,
  run(state: SourceState, input: ListPoliciesInput, _ctx: ManageContext): OpResult<IbmPolicyList> {
    refuseUnknownKeys(input, LIST_KEYS, invalidBody);
    const { rows } = listRows(state, input, 'v1', (p, f) => toV1(state, p, f));
    return done(state, { policies: rows }, []);
  },
});

/** `GET /v2/policies`: as v1 with v2 shapes (rules included), paged by `limit` (1..100, default 50) and `start`. */
export const listV2Policies = defineOperation({
  name: 'listV2Policies',
  codes: IBM_POLICY_CODES,
  guard: listReadablePolicies,
  run(state: SourceState, input: ListV2PoliciesInput, _ctx: ManageContext): OpResult<IbmV2PolicyList> {
    refuseUnknownKeys(input, [...LIST_KEYS, 'service_group_id', 'limit', 'start'], invalidBody);
    const q: Record<string, unknown> = isRecord(input) ? input : {};
    const limit = q['limit'] === undefined || q['limit'] === '' ? 50 : Number(q['limit']);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw badQuery('limit', 'an integer from 1 to 100');
    const startRaw = q['start'];
    const start = startRaw === undefined || startRaw === '' ? 0 : typeof startRaw === 'string' && /^\d{1,9}$/.test(startRaw) ? Number(startRaw) : NaN;
    if (Number.isNaN(start)) throw badQuery('start', 'not a page token from a previous `next`');
    const { rows, accountId } = listRows(state, input, 'v2', (p, f) => toV2(state, p, f));
    const params = new URLSearchParams();
    params.set('account_id', accountId);
    for (const k of ['iam_id', 'access_group_id', 'type', 'service_type', 'service_name', 'service_group_id', 'tag_name', 'tag_value', 'sort', 'format', 'state']) {
      const v = q[k];
      if (typeof v === 'string' && v !== '') params.set(k, v);
    }
    params.set('limit', String(limit));
    const base = `${IBM_POLICY_HREF_BASE}/v2/policies?${params.toString()}`;
    const result: IbmV2PolicyList = { limit, first: { href: base }, policies: rows.slice(start, start + limit) };
    if (start + limit < rows.length) result.next = { href: `${base}&start=${start + limit}`, start: String(start + limit) };
    return done(state, result, []);
  },
});

/** `POST /v1/policies`: creates an access or authorization policy; 409 `policy_conflict_error` on a duplicate subject and resource. */
export const createPolicy = defineOperation({
  name: 'createPolicy',
  codes: IBM_POLICY_CODES,
  guard: policyWrite(IBM_ACTIONS.policyCreate),
  run(state: SourceState, input: IbmPolicyV1Body, ctx: ManageContext): OpResult<WithEtag<IbmPolicyV1>> {
    return wrap(state, create(state, input, ctx, 'v1'), (s, p) => toV1(s, p));
  },
});

/** `POST /v2/policies`: as v1, with `control.grant.roles` and an optional time or attribute `rule`. */
export const createV2Policy = defineOperation({
  name: 'createV2Policy',
  codes: IBM_POLICY_CODES,
  guard: policyWrite(IBM_ACTIONS.policyCreate),
  run(state: SourceState, input: IbmPolicyV2Body, ctx: ManageContext): OpResult<WithEtag<IbmPolicyV2>> {
    return wrap(state, create(state, input, ctx, 'v2'), (s, p) => toV2(s, p));
  },
});

/** `GET /v1/policies/{policy_id}`: deleted policies too, with `state: deleted`. */
export const getPolicy = defineOperation({
  name: 'getPolicy',
  codes: IBM_POLICY_CODES,
  guard: readPolicy,
  run(state: SourceState, input: PolicyIdInput, _ctx: ManageContext): OpResult<WithEtag<IbmPolicyV1>> {
    refuseUnknownKeys(input, ['policy_id'], invalidBody);
    const p = findPolicy(state, isRecord(input) ? input['policy_id'] : undefined, 'v1');
    return done(state, etagged(toV1(state, p), p), []);
  },
});

/** `GET /v2/policies/{policy_id}`; `format=include_last_permit` adds the usage figures. */
export const getV2Policy = defineOperation({
  name: 'getV2Policy',
  codes: IBM_POLICY_CODES,
  guard: readPolicy,
  run(state: SourceState, input: GetV2PolicyInput, _ctx: ManageContext): OpResult<WithEtag<IbmPolicyV2>> {
    refuseUnknownKeys(input, ['policy_id', 'format'], invalidBody);
    const q: Record<string, unknown> = isRecord(input) ? input : {};
    const format = oneOf(q, 'format', ['include_last_permit']);
    const p = findPolicy(state, q['policy_id'], 'v2');
    return done(state, etagged(toV2(state, p, { lastPermit: format === 'include_last_permit' }), p), []);
  },
});

/** `PUT /v1/policies/{policy_id}`: replaces subject, roles, resource and description; If-Match required, type immutable. */
export const updatePolicy = defineOperation({
  name: 'updatePolicy',
  codes: IBM_POLICY_CODES,
  // seed 004: PUT and PATCH need `iam.policy.create`, DELETE `iam.policy.delete`
  guard: policyWrite(IBM_ACTIONS.policyCreate),
  run(state: SourceState, input: UpdatePolicyInput, ctx: ManageContext): OpResult<WithEtag<IbmPolicyV1>> {
    return wrap(state, replace(state, input, ctx, 'v1'), (s, p) => toV1(s, p));
  },
});

/** `PUT /v2/policies/{policy_id}`: replaces the policy, its rule and pattern included; If-Match required, type immutable. */
export const replaceV2Policy = defineOperation({
  name: 'replaceV2Policy',
  codes: IBM_POLICY_CODES,
  // seed 004: PUT and PATCH need `iam.policy.create`
  guard: policyWrite(IBM_ACTIONS.policyCreate),
  run(state: SourceState, input: ReplaceV2PolicyInput, ctx: ManageContext): OpResult<WithEtag<IbmPolicyV2>> {
    return wrap(state, replace(state, input, ctx, 'v2'), (s, p) => toV2(s, p));
  },
});

/** `PATCH /v1/policies/{policy_id}`: `state` `active` restores a deleted policy, `deleted` deletes it; If-Match required. */
export const patchPolicy = defineOperation({
  name: 'patchPolicy',
  codes: IBM_POLICY_CODES,
  // seed 004: PUT and PATCH need `iam.policy.create`
  guard: policyWrite(IBM_ACTIONS.policyCreate),
  run(state: SourceState, input: PatchPolicyInput, ctx: ManageContext): OpResult<WithEtag<IbmPolicyV1>> {
    const body = asBody(input);
    refuseUnknownKeys(body, ['policy_id', 'if_match', 'state'], invalidBody);
    const p = findPolicy(state, body['policy_id'], 'v1');
    checkIfMatch(typeof body['if_match'] === 'string' ? body['if_match'] : undefined, currentEtag(p));
    const target = body['state'];
    if (target !== 'active' && target !== 'deleted') throw invalidBody([{ path: ['state'], message: 'state is `active` or `deleted`' }]);
    return wrap(state, setState(state, p, target, ctx), (s, x) => toV1(s, x));
  },
});

/**
 * `DELETE /v1/policies/{policy_id}`: a soft delete (state `deleted`, grants nothing, still gettable and restorable by
 * PATCH); deleting a deleted policy changes nothing. Refused for a locked service id subject.
 */
export const deletePolicy = defineOperation({
  name: 'deletePolicy',
  codes: IBM_POLICY_CODES,
  guard: policyWrite(IBM_ACTIONS.policyDelete),
  run(state: SourceState, input: PolicyIdInput, ctx: ManageContext): OpResult<undefined> {
    refuseUnknownKeys(input, ['policy_id'], invalidBody);
    const p = findPolicy(state, isRecord(input) ? input['policy_id'] : undefined, 'v1');
    const r = setState(state, p, 'deleted', ctx);
    return done(state, undefined, r.changes);
  },
});

/** `DELETE /v2/policies/{policy_id}`: the soft delete of `deletePolicy`, for any policy including those with rules. */
export const deleteV2Policy = defineOperation({
  name: 'deleteV2Policy',
  codes: IBM_POLICY_CODES,
  guard: policyWrite(IBM_ACTIONS.policyDelete),
  run(state: SourceState, input: PolicyIdInput, ctx: ManageContext): OpResult<undefined> {
    refuseUnknownKeys(input, ['policy_id'], invalidBody);
    const p = findPolicy(state, isRecord(input) ? input['policy_id'] : undefined, 'v2');
    const r = setState(state, p, 'deleted', ctx);
    return done(state, undefined, r.changes);
  },
});

/**
 * Adds batched usage figures: `last_permit_at` becomes the latest `at`, `last_permit_frequency` grows by `count`.
 * Ids of policies no longer stored are skipped. The etag is kept: usage is not policy content, and a client's
 * If-Match must not go stale because someone used the policy.
 */
export function recordPermits(state: SourceState, permits: readonly PermitRecord[]): OpResult<{ recorded: number }> {
  const issues: Issue[] = [];
  if (!Array.isArray(permits)) throw new ValidationError('invalid_input', [{ path: [], message: 'permits are an array' }]);
  permits.forEach((r: unknown, i) => {
    if (!isRecord(r) || typeof r['policyId'] !== 'string') return issues.push({ path: [i, 'policyId'], message: 'a policy id is required' });
    if (!instantSchema.safeParse(r['at']).success) issues.push({ path: [i, 'at'], message: 'must be an ISO 8601 date-time with an offset' });
    if (!Number.isSafeInteger(r['count']) || (r['count'] as number) < 0) issues.push({ path: [i, 'count'], message: 'must be a non-negative integer' });
  });
  if (issues.length > 0) throw new ValidationError('invalid_input', issues);
  const next = new Map<string, Policy>();
  for (const r of permits) {
    const p = next.get(r.policyId) ?? state.get('policy', r.policyId);
    if (!p) continue;
    next.set(
      r.policyId,
      produce(p, (d) => {
        if (d.lastPermitAt === undefined || Date.parse(r.at) > Date.parse(d.lastPermitAt)) d.lastPermitAt = r.at;
        d.lastPermitFrequency = (d.lastPermitFrequency ?? 0) + r.count;
      }),
    );
  }
  const changes: Change[] = [...next.values()].map((value) => ({ op: 'put', entity: 'policy', value }));
  return done(state, { recorded: changes.length }, changes);
}

/** The IBM Policy Management operations by the seed's (and, for v2, IBM's SDK) operation names. */
export const ibmPolicyOperations = {
  listPolicies,
  createPolicy,
  updatePolicy,
  getPolicy,
  deletePolicy,
  patchPolicy,
  listV2Policies,
  createV2Policy,
  replaceV2Policy,
  getV2Policy,
  deleteV2Policy,
} as const;
