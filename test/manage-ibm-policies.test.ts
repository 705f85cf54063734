import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  SeedError,
  ValidationError,
  authorize,
  compile,
  createPolicy,
  createV2Policy,
  deletePolicy,
  deleteV2Policy,
  getPolicy,
  getV2Policy,
  ibmPolicyOperations,
  IBM_POLICY_LIMITS,
  listPolicies,
  listV2Policies,
  parseSource,
  patchPolicy,
  recordPermits,
  replaceV2Policy,
  updatePolicy,
  type ManageContext,
  type Policy,
  type SourceInput,
} from '@portcullis/engine';
import { SourceState } from '@portcullis/engine/internals';

const VIEWER = 'crn:v1:bluemix:public:iam::::role:Viewer';
const ADMIN = 'crn:v1:bluemix:public:iam::::role:Administrator';
const READER = 'crn:v1:bluemix:public:iam::::serviceRole:Reader';
const WRITER = 'crn:v1:bluemix:public:iam::::serviceRole:Writer';
const MANAGER = 'crn:v1:bluemix:public:iam::::serviceRole:Manager';
const LISTER = 'crn:v1:bluemix:public:iam::acct-a:customRole:BucketLister';
const OTHER_CUSTOM = 'crn:v1:bluemix:public:iam::acct-b:customRole:Other';

const SOURCE: SourceInput = {
  version: 1,
  accounts: [
    { id: 'acct-a', system: 'ibm' },
    { id: 'acct-b', system: 'ibm' },
    { id: 'acct-cf', system: 'cloudflare' },
  ],
  principals: [
    { id: 'IBMid-alice', accountId: 'acct-a', kind: 'user' },
    { id: 'IBMid-bob', accountId: 'acct-a', kind: 'user' },
    { id: 'iam-ServiceId-svc', accountId: 'acct-a', kind: 'service' },
    { id: 'iam-ServiceId-locked', accountId: 'acct-a', kind: 'service', locked: true },
    { id: 'IBMid-alice', accountId: 'acct-b', kind: 'user' },
    { id: 'cf-member', accountId: 'acct-cf', kind: 'user' },
  ],
  groups: [{ id: 'AccessGroupId-dev', accountId: 'acct-a', name: 'developers', members: ['IBMid-bob'] }],
  services: [
    {
      name: 'cloud-object-storage',
      type: 'service',
      roles: { [VIEWER]: ['cloud-object-storage.bucket.list'], [READER]: ['cloud-object-storage.object.get'], [WRITER]: ['cloud-object-storage.object.put'] },
    },
    { name: 'kms', type: 'service', roles: { [READER]: ['kms.keys.read'] } },
    { name: 'iam-groups', type: 'platform_service', groups: ['IAM'], roles: { [VIEWER]: ['iam-groups.groups.read'], [ADMIN]: ['iam-groups.groups.create'] } },
  ],
  roles: [
    { id: VIEWER, kind: 'platform', name: 'Viewer', description: 'sees things', actions: ['resource-controller.instance.retrieve'] },
    { id: ADMIN, kind: 'platform', name: 'Administrator' },
    { id: READER, kind: 'service', name: 'Reader' },
    { id: WRITER, kind: 'service', name: 'Writer' },
    { id: MANAGER, kind: 'service', name: 'Manager' },
    { id: LISTER, kind: 'custom', accountId: 'acct-a', serviceName: 'cloud-object-storage', actions: ['cloud-object-storage.bucket.list'] },
    { id: OTHER_CUSTOM, kind: 'custom', accountId: 'acct-b', serviceName: 'cloud-object-storage', actions: ['cloud-object-storage.bucket.list'] },
    { id: 'cf-admin', kind: 'permission-group', scopeType: 'account', actions: ['account:read'] },
  ],
};

function fresh(): SourceState {
  return SourceState.from(parseSource(SOURCE));
}

function context(actor: ManageContext['actor'] = { kind: 'subject', id: 'IBMid-admin', accountId: 'acct-a' }): ManageContext {
  let n = 0;
  return { actor, now: '2026-01-02T03:04:05.000Z', newId: () => `pol-${++n}` };
}

type Attr = { name: string; value: unknown; operator?: string };

function body(opts: { iam?: string; group?: string; roles?: string[]; attrs?: Attr[]; tags?: { name: string; value: string }[]; service?: string } = {}) {
  const subject = opts.group !== undefined ? { name: 'access_group_id', value: opts.group } : { name: 'iam_id', value: opts.iam ?? 'IBMid-alice' };
  return {
    type: 'access' as const,
    subjects: [{ attributes: [subject] }],
    roles: (opts.roles ?? [VIEWER]).map((role_id) => ({ role_id })),
    resources: [
      {
        attributes: (opts.attrs ?? [
          { name: 'accountId', value: 'acct-a', operator: 'stringEquals' },
          { name: 'serviceName', value: opts.service ?? 'cloud-object-storage', operator: 'stringEquals' },
        ]) as { name: string; value: unknown; operator?: string }[],
        ...(opts.tags ? { tags: opts.tags } : {}),
      },
    ],
  };
}

function v2body(opts: { iam?: string; roles?: string[]; rule?: unknown; pattern?: string } = {}) {
  return {
    type: 'access' as const,
    subject: { attributes: [{ key: 'iam_id', operator: 'stringEquals' as const, value: opts.iam ?? 'IBMid-alice' }] },
    control: { grant: { roles: (opts.roles ?? [READER]).map((role_id) => ({ role_id })) } },
    resource: {
      attributes: [
        { key: 'accountId', operator: 'stringEquals', value: 'acct-a' },
        { key: 'serviceName', operator: 'stringEquals', value: 'kms' },
      ],
    },
    ...(opts.rule !== undefined ? { rule: opts.rule } : {}),
    ...(opts.pattern !== undefined ? { pattern: opts.pattern } : {}),
  };
}

const WEEKDAYS = {
  operator: 'and',
  conditions: [
    { key: '{{environment.attributes.day_of_week}}', operator: 'dayOfWeekAnyOf', value: ['1+00:00', '2+00:00', '3+00:00', '4+00:00', '5+00:00'] },
    { key: '{{environment.attributes.current_time}}', operator: 'timeGreaterThanOrEquals', value: '09:00:00+00:00' },
    { key: '{{environment.attributes.current_time}}', operator: 'timeLessThanOrEquals', value: '17:00:00+00:00' },
  ],
};

function refusal(f: () => unknown): SeedError {
  try {
    f();
  } catch (e) {
    if (e instanceof SeedError) return e;
    throw e;
  }
  throw new Error('expected a SeedError');
}

function expectRefused(f: () => unknown, code: string, status: number): SeedError {
  const e = refusal(f);
  expect({ code: e.code, status: e.status }).toEqual({ code, status });
  return e;
}

function issuesOf(e: SeedError): { path: (string | number)[]; message: string }[] {
  return (e.details as { issues: { path: (string | number)[]; message: string }[] }).issues;
}

function etag(state: SourceState, id: string): string {
  return state.get('policy', id)!.etag!;
}

function decide(state: SourceState, subjectId: string, action: string, serviceName: string) {
  return authorize(compile(state.toSource()), {
    subject: { id: subjectId },
    action,
    resource: { attributes: { accountId: 'acct-a', serviceName } },
    environment: { now: '2026-01-05T10:00:00Z' },
  });
}

describe('createPolicy (POST /v1/policies)', () => {
  it('creates an access policy in the seed shape and the model shape', () => {
    const s = fresh();
    const r = createPolicy(s, body(), context());
    expect(r.result).toMatchObject({
      id: 'pol-1',
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: 'IBMid-alice' }] }],
      roles: [{ role_id: VIEWER, display_name: 'Viewer', description: 'sees things' }],
      resources: [
        {
          attributes: [
            { name: 'accountId', value: 'acct-a', operator: 'stringEquals' },
            { name: 'serviceName', value: 'cloud-object-storage', operator: 'stringEquals' },
          ],
        },
      ],
      href: 'https://iam.cloud.ibm.com/v1/policies/pol-1',
      created_at: '2026-01-02T03:04:05.000Z',
      created_by_id: 'IBMid-admin',
      last_modified_at: '2026-01-02T03:04:05.000Z',
      last_modified_by_id: 'IBMid-admin',
      state: 'active',
    });
    expect(r.changes).toHaveLength(1);
    expect(r.changes[0]).toMatchObject({ op: 'put', entity: 'policy' });
    const row = r.state.get('policy', 'pol-1')!;
    expect(row).toMatchObject({ accountId: 'acct-a', subject: { kind: 'principal', id: 'IBMid-alice' }, roles: [VIEWER], state: 'active' });
    expect(row.etag).toMatch(/^W\//);
    expect(() => parseSource(r.state.toSource())).not.toThrow();
    expect(s.get('policy', 'pol-1')).toBeUndefined();
    expect(decide(r.state, 'IBMid-alice', 'cloud-object-storage.bucket.list', 'cloud-object-storage').allowed).toBe(true);
  });

  it('records the system actor as `system` and defaults the attribute operator to stringEquals', () => {
    const r = createPolicy(
      fresh(),
      body({ attrs: [{ name: 'accountId', value: 'acct-a' }, { name: 'serviceType', value: 'service' }], tags: [{ name: 'Project', value: 'MoonShot' }] }),
      context({ kind: 'system' }),
    );
    expect(r.result.created_by_id).toBe('system');
    expect(r.result.resources[0]!.attributes[1]).toEqual({ name: 'serviceType', value: 'service', operator: 'stringEquals' });
    expect(r.result.resources[0]!.tags).toEqual([{ name: 'project', value: 'moonshot', operator: 'stringEquals' }]);
  });

  it('takes access groups, the Public Access group, resource groups, service groups and custom roles', () => {
    const ctx = context();
    let s = fresh();
    s = createPolicy(s, body({ group: 'AccessGroupId-dev' }), ctx).state;
    s = createPolicy(s, body({ group: 'AccessGroupId-PublicAccess', roles: [READER], service: 'kms' }), ctx).state;
    s = createPolicy(s, body({ attrs: [{ name: 'accountId', value: 'acct-a' }, { name: 'resourceGroupId', value: 'rg-1' }], roles: [READER, ADMIN] }), ctx).state;
    s = createPolicy(s, body({ attrs: [{ name: 'accountId', value: 'acct-a' }, { name: 'service_group_id', value: 'IAM' }], roles: [ADMIN] }), ctx).state;
    s = createPolicy(s, body({ roles: [LISTER, WRITER] }), ctx).state;
    expect(s.count('policy', 'acct-a')).toBe(5);
    expect(() => parseSource(s.toSource())).not.toThrow();
  });

  it('creates an authorization policy with a service subject', () => {
    const r = createPolicy(
      fresh(),
      {
        type: 'authorization',
        subjects: [{ attributes: [{ name: 'serviceName', value: 'cloud-object-storage' }, { name: 'accountId', value: 'acct-a' }, { name: 'serviceInstance', value: 'i-1' }] }],
        roles: [{ role_id: READER }],
        resources: [{ attributes: [{ name: 'accountId', value: 'acct-a' }, { name: 'serviceName', value: 'kms' }] }],
      },
      context(),
    );
    expect(r.result.type).toBe('authorization');
    expect(r.result.subjects[0]!.attributes).toEqual([
      { name: 'serviceName', value: 'cloud-object-storage' },
      { name: 'accountId', value: 'acct-a' },
      { name: 'serviceInstance', value: 'i-1' },
    ]);
    expect(r.state.get('policy', r.result.id)!.subject).toEqual({ kind: 'service', attributes: { serviceName: 'cloud-object-storage', accountId: 'acct-a', serviceInstance: 'i-1' } });
  });

  const bad: [string, unknown][] = [
    ['no subject', { ...body(), subjects: [] }],
    ['two subjects', { ...body(), subjects: [...body().subjects, ...body({ iam: 'IBMid-bob' }).subjects] }],
    ['two subject attributes', { ...body(), subjects: [{ attributes: [{ name: 'iam_id', value: 'IBMid-alice' }, { name: 'access_group_id', value: 'AccessGroupId-dev' }] }] }],
    ['an unknown subject attribute', { ...body(), subjects: [{ attributes: [{ name: 'email', value: 'a@b.c' }] }] }],
    ['no role', body({ roles: [] })],
    ['a role twice', body({ roles: [VIEWER, VIEWER] })],
    ['no resource', { ...body(), resources: [] }],
    ['two resources', { ...body(), resources: [...body().resources, ...body().resources] }],
    ['no accountId', body({ attrs: [{ name: 'serviceName', value: 'kms' }] })],
    ['only accountId', body({ attrs: [{ name: 'accountId', value: 'acct-a' }] })],
    ['accountId by stringMatch', body({ attrs: [{ name: 'accountId', value: 'acct-*', operator: 'stringMatch' }, { name: 'serviceName', value: 'kms' }] })],
    ['an attribute twice', body({ attrs: [{ name: 'accountId', value: 'acct-a' }, { name: 'serviceName', value: 'kms' }, { name: 'serviceName', value: 'kms' }] })],
    ['an unknown operator', body({ attrs: [{ name: 'accountId', value: 'acct-a' }, { name: 'serviceName', value: 'kms', operator: 'stringLike' }] })],
    ['eleven any-of values', body({ attrs: [{ name: 'accountId', value: 'acct-a' }, { name: 'serviceName', value: Array(11).fill('kms'), operator: 'stringEqualsAnyOf' }] })],
    ['a bad serviceType', body({ attrs: [{ name: 'accountId', value: 'acct-a' }, { name: 'serviceType', value: 'anything' }] })],
    ['an unknown type', { ...body(), type: 'admin' }],
    ['a description over 300 characters', { ...body(), description: 'x'.repeat(301) }],
    ['an unknown role', body({ roles: ['crn:v1:bluemix:public:iam::::role:Nope'] })],
    ['a role the service does not support', body({ roles: [WRITER], service: 'kms' })],
    ['a service role no service supports', body({ roles: [MANAGER] })],
    ['a custom role of another account', body({ roles: [OTHER_CUSTOM] })],
    ['a custom role on another service', body({ roles: [LISTER], service: 'kms' })],
    ['a Cloudflare permission group', body({ roles: ['cf-admin'] })],
    ['a service not in the catalog', body({ service: 'nope' })],
    ['an unknown iam id', body({ iam: 'IBMid-nobody' })],
    ['an unknown access group', body({ group: 'AccessGroupId-nope' })],
    ['an unknown account', body({ attrs: [{ name: 'accountId', value: 'acct-x' }, { name: 'serviceName', value: 'kms' }] })],
    ['a Cloudflare account', body({ iam: 'cf-member', attrs: [{ name: 'accountId', value: 'acct-cf' }, { name: 'serviceName', value: 'kms' }], roles: [READER] })],
    ['tags on a platform service', body({ service: 'iam-groups', tags: [{ name: 'a', value: 'b' }] })],
    ['tags on a resource group', body({ attrs: [{ name: 'accountId', value: 'acct-a' }, { name: 'resourceGroupId', value: 'rg' }], tags: [{ name: 'a', value: 'b' }] })],
    ['a tag twice', body({ attrs: [{ name: 'accountId', value: 'acct-a' }, { name: 'serviceType', value: 'service' }], tags: [{ name: 'a', value: 'b' }, { name: 'A', value: 'B' }] })],
    ['a v2 rule in a v1 body', { ...body(), rule: WEEKDAYS, pattern: 'time-based-conditions:weekly:custom-hours' }],
    ['not an object', 'policy'],
    [
      'an authorization subject without serviceName',
      { ...body(), type: 'authorization', subjects: [{ attributes: [{ name: 'accountId', value: 'acct-a' }] }], roles: [{ role_id: READER }] },
    ],
    [
      'an authorization subject with iam_id',
      { ...body(), type: 'authorization', subjects: [{ attributes: [{ name: 'iam_id', value: 'IBMid-alice' }] }], roles: [{ role_id: READER }] },
    ],
    [
      'an authorization resource without serviceName',
      {
        type: 'authorization',
        subjects: [{ attributes: [{ name: 'serviceName', value: 'kms' }, { name: 'accountId', value: 'acct-a' }] }],
        roles: [{ role_id: READER }],
        resources: [{ attributes: [{ name: 'accountId', value: 'acct-a' }, { name: 'serviceType', value: 'service' }] }],
      },
    ],
  ];
  it.each(bad)('refuses %s with 400 invalid_body and issues', (_name, input) => {
    const s = fresh();
    const e = expectRefused(() => createPolicy(s, input as never, context()), 'invalid_body', 400);
    expect(issuesOf(e).length).toBeGreaterThan(0);
    expect(s.count('policy', 'acct-a')).toBe(0);
  });

  it('lists every problem of a body, not only the first', () => {
    const e = expectRefused(
      () => createPolicy(fresh(), { ...body({ roles: [VIEWER, VIEWER], attrs: [{ name: 'serviceName', value: 'kms' }] }), type: 'nope', subjects: [] } as never, context()),
      'invalid_body',
      400,
    );
    expect(issuesOf(e).map((i) => i.path[0]).sort()).toEqual(['resources', 'roles', 'subjects', 'type']);
  });

  it('refuses a locked service id as subject with 400 invalid_body', () => {
    expectRefused(() => createPolicy(fresh(), body({ iam: 'iam-ServiceId-locked' }), context()), 'invalid_body', 400);
    expect(createPolicy(fresh(), body({ iam: 'iam-ServiceId-svc' }), context()).result.state).toBe('active');
  });

  it('refuses a duplicate subject and resource with 409 policy_conflict_error naming the existing policy', () => {
    const ctx = context();
    const first = createPolicy(fresh(), body({ tags: undefined }), ctx);
    const reordered = body({
      roles: [READER],
      attrs: [
        { name: 'serviceName', value: 'cloud-object-storage' },
        { name: 'accountId', value: 'acct-a' },
      ],
    });
    const e = expectRefused(() => createPolicy(first.state, reordered, ctx), 'policy_conflict_error', 409);
    expect(e.details).toEqual({ conflicts_with: { policy: 'pol-1', etag: etag(first.state, 'pol-1') } });
    // another subject, other tags or a deleted duplicate do not conflict
    expect(() => createPolicy(first.state, body({ iam: 'IBMid-bob' }), ctx)).not.toThrow();
    const deleted = deletePolicy(first.state, { policy_id: 'pol-1' }, ctx).state;
    expect(() => createPolicy(deleted, reordered, ctx)).not.toThrow();
  });

  it('compares tags and any-of values regardless of order', () => {
    const ctx = context();
    const attrs = (vals: string[]) => [
      { name: 'accountId', value: 'acct-a' },
      { name: 'serviceType', value: 'service' },
      { name: 'region', value: vals, operator: 'stringEqualsAnyOf' },
    ];
    const s = createPolicy(fresh(), body({ attrs: attrs(['us-south', 'eu-de']), tags: [{ name: 'a', value: '1' }, { name: 'b', value: '2' }] }), ctx).state;
    expectRefused(
      () => createPolicy(s, body({ attrs: attrs(['eu-de', 'us-south']), tags: [{ name: 'B', value: '2' }, { name: 'a', value: '1' }] }), ctx),
      'policy_conflict_error',
      409,
    );
  });

  it('refuses the 1001st policy of a subject and the 4021st of an account with 422 request_not_processed', () => {
    const row = (i: number, subject: string): Policy => ({
      id: `seed-${i}`,
      accountId: 'acct-a',
      type: 'access',
      effect: 'allow',
      subject: { kind: 'principal', id: subject },
      roles: [VIEWER],
      resource: { attributes: [{ name: 'accountId', operator: 'stringEquals', value: 'acct-a' }, { name: 'resource', operator: 'stringEquals', value: `r-${i}` }], tags: [] },
      state: 'active',
    });
    const perSubject = fresh().with(Array.from({ length: IBM_POLICY_LIMITS.perSubject }, (_, i) => ({ op: 'put' as const, entity: 'policy' as const, value: row(i, 'IBMid-alice') })));
    expectRefused(() => createPolicy(perSubject, body(), context()), 'request_not_processed', 422);
    expect(() => createPolicy(perSubject, body({ iam: 'IBMid-bob' }), context())).not.toThrow();
    const perAccount = fresh().with(
      Array.from({ length: IBM_POLICY_LIMITS.perAccount }, (_, i) => ({ op: 'put' as const, entity: 'policy' as const, value: row(i, i % 2 ? 'IBMid-bob' : 'iam-ServiceId-svc') })),
    );
    expectRefused(() => createPolicy(perAccount, body(), context()), 'request_not_processed', 422);
    // deleted policies do not count
    const oneDeleted = deletePolicy(perAccount, { policy_id: 'seed-0' }, context()).state;
    expect(() => createPolicy(oneDeleted, body(), context())).not.toThrow();
  });
});

describe('listPolicies (GET /v1/policies)', () => {
  function populated() {
    const ctx = context();
    let s = fresh();
    s = createPolicy(s, body(), ctx).state; // pol-1 alice COS
    s = createPolicy(s, body({ group: 'AccessGroupId-dev', roles: [READER], service: 'kms' }), ctx).state; // pol-2
    s = createPolicy(
      s,
      body({ iam: 'IBMid-bob', attrs: [{ name: 'accountId', value: 'acct-a' }, { name: 'serviceType', value: 'service' }], tags: [{ name: 'env', value: 'prod' }] }),
      ctx,
    ).state; // pol-3
    s = createPolicy(s, body({ iam: 'IBMid-bob', service: 'iam-groups', roles: [ADMIN] }), ctx).state; // pol-4
    s = createPolicy(
      s,
      {
        type: 'authorization',
        subjects: [{ attributes: [{ name: 'serviceName', value: 'cloud-object-storage' }, { name: 'accountId', value: 'acct-a' }] }],
        roles: [{ role_id: READER }],
        resources: [{ attributes: [{ name: 'accountId', value: 'acct-a' }, { name: 'serviceName', value: 'kms' }] }],
      },
      ctx,
    ).state; // pol-5
    s = deletePolicy(s, { policy_id: 'pol-4' }, ctx).state;
    return s;
  }
  const ids = (r: { result: { policies: { id: string }[] } }) => r.result.policies.map((p) => p.id);

  it('needs account_id: 400 missing_required_query_parameter', () => {
    expectRefused(() => listPolicies(fresh(), {}, context()), 'missing_required_query_parameter', 400);
  });

  it('filters by subject, type, service, tag and state (active by default)', () => {
    const s = populated();
    const ctx = context();
    expect(ids(listPolicies(s, { account_id: 'acct-a' }, ctx))).toEqual(['pol-1', 'pol-2', 'pol-3', 'pol-5']);
    expect(ids(listPolicies(s, { account_id: 'acct-a', state: 'deleted' }, ctx))).toEqual(['pol-4']);
    expect(ids(listPolicies(s, { account_id: 'acct-a', iam_id: 'IBMid-bob' }, ctx))).toEqual(['pol-3']);
    expect(ids(listPolicies(s, { account_id: 'acct-a', access_group_id: 'AccessGroupId-dev' }, ctx))).toEqual(['pol-2']);
    expect(ids(listPolicies(s, { account_id: 'acct-a', type: 'authorization' }, ctx))).toEqual(['pol-5']);
    expect(ids(listPolicies(s, { account_id: 'acct-a', service_name: 'kms' }, ctx))).toEqual(['pol-2', 'pol-5']);
    expect(ids(listPolicies(s, { account_id: 'acct-a', service_type: 'service' }, ctx))).toEqual(['pol-1', 'pol-2', 'pol-3', 'pol-5']);
    expect(ids(listPolicies(s, { account_id: 'acct-a', service_type: 'platform_service', state: 'deleted' }, ctx))).toEqual(['pol-4']);
    expect(ids(listPolicies(s, { account_id: 'acct-a', tag_name: 'ENV', tag_value: 'prod' }, ctx))).toEqual(['pol-3']);
    expect(ids(listPolicies(s, { account_id: 'acct-a', tag_value: 'dev' }, ctx))).toEqual([]);
    expect(ids(listPolicies(s, { account_id: 'acct-b' }, ctx))).toEqual([]);
    expect(ids(listPolicies(s, { account_id: 'acct-cf' }, ctx))).toEqual([]);
  });

  it('sorts by any top-level field, `-` for descending', () => {
    const s = populated();
    const ctx = context();
    expect(ids(listPolicies(s, { account_id: 'acct-a', sort: '-id' }, ctx))).toEqual(['pol-5', 'pol-3', 'pol-2', 'pol-1']);
    expect(ids(listPolicies(s, { account_id: 'acct-a', sort: 'type' }, ctx))).toEqual(['pol-1', 'pol-2', 'pol-3', 'pol-5']);
    const permitted = recordPermits(s, [
      { policyId: 'pol-2', at: '2026-01-03T00:00:00Z', count: 9 },
      { policyId: 'pol-3', at: '2026-01-03T00:00:00Z', count: 18 },
    ]).state;
    expect(ids(listPolicies(permitted, { account_id: 'acct-a', sort: '-last_permit_frequency' }, ctx))).toEqual(['pol-3', 'pol-2', 'pol-1', 'pol-5']);
    expectRefused(() => listPolicies(s, { account_id: 'acct-a', sort: 'subjects.name' }, ctx), 'invalid_query_parameter', 400);
  });

  it('refuses unknown filter values with 400 invalid_query_parameter', () => {
    const ctx = context();
    for (const q of [{ type: 'x' }, { state: 'gone' }, { format: 'xml' }, { service_type: 'svc' }])
      expectRefused(() => listPolicies(fresh(), { account_id: 'acct-a', ...q }, ctx), 'invalid_query_parameter', 400);
  });

  it('format=display lists each role’s actions; format=include_last_permit adds the usage figures', () => {
    const s = populated();
    const ctx = context();
    const display = listPolicies(s, { account_id: 'acct-a', iam_id: 'IBMid-alice', format: 'display' }, ctx).result.policies[0]!;
    // the fixture's catalog describes no action: each shows its id as its name
    expect(display.roles[0]!.actions).toEqual([
      { id: 'cloud-object-storage.bucket.list', displayName: 'cloud-object-storage.bucket.list', description: '' },
      { id: 'resource-controller.instance.retrieve', displayName: 'resource-controller.instance.retrieve', description: '' },
    ]);
    const plain = listPolicies(s, { account_id: 'acct-a', iam_id: 'IBMid-alice' }, ctx).result.policies[0]!;
    expect(plain.roles[0]!.actions).toBeUndefined();
    expect(plain.last_permit_frequency).toBeUndefined();
    const used = recordPermits(s, [{ policyId: 'pol-1', at: '2026-01-03T00:00:00.000Z', count: 18 }]).state;
    const withPermit = listPolicies(used, { account_id: 'acct-a', iam_id: 'IBMid-alice', format: 'include_last_permit' }, ctx).result.policies[0]!;
    expect(withPermit).toMatchObject({ last_permit_at: '2026-01-03T00:00:00.000Z', last_permit_frequency: 18 });
  });
});

describe('getPolicy (GET /v1/policies/{policy_id})', () => {
  it('returns the policy, deleted ones included; 404 policy_not_found otherwise', () => {
    const ctx = context();
    const s = createPolicy(fresh(), body(), ctx).state;
    expect(getPolicy(s, { policy_id: 'pol-1' }, ctx).result.state).toBe('active');
    const d = deletePolicy(s, { policy_id: 'pol-1' }, ctx).state;
    expect(getPolicy(d, { policy_id: 'pol-1' }, ctx).result.state).toBe('deleted');
    expectRefused(() => getPolicy(s, { policy_id: 'nope' }, ctx), 'policy_not_found', 404);
  });
});

describe('updatePolicy (PUT /v1/policies/{policy_id})', () => {
  it('replaces the policy with a matching If-Match and gives it a new etag', () => {
    const ctx = context();
    const s = createPolicy(fresh(), body(), ctx).state;
    const old = etag(s, 'pol-1');
    const later: ManageContext = { ...context({ kind: 'subject', id: 'IBMid-other', accountId: 'acct-a' }), now: '2026-02-01T00:00:00.000Z' };
    const r = updatePolicy(s, { policy_id: 'pol-1', if_match: old, ...body({ roles: [VIEWER, READER] }), description: 'more' }, later);
    expect(r.result).toMatchObject({ id: 'pol-1', description: 'more', created_at: ctx.now, created_by_id: 'IBMid-admin', last_modified_at: later.now, last_modified_by_id: 'IBMid-other' });
    expect(r.result.roles.map((x) => x.role_id)).toEqual([VIEWER, READER]);
    expect(etag(r.state, 'pol-1')).not.toBe(old);
    expect(() => parseSource(r.state.toSource())).not.toThrow();
    expect(updatePolicy(s, { policy_id: 'pol-1', if_match: etag(s, 'pol-1'), ...body() }, ctx).result.id).toBe('pol-1');
  });

  it('refuses a stale etag (412), a missing If-Match (400), an unknown policy (404)', () => {
    const ctx = context();
    const s = createPolicy(fresh(), body(), ctx).state;
    expectRefused(() => updatePolicy(s, { policy_id: 'pol-1', if_match: 'W/"stale"', ...body() }, ctx), 'incorrect_etag', 412);
    expectRefused(() => updatePolicy(s, { policy_id: 'pol-1', ...body() }, ctx), 'missing_required_header', 400);
    expectRefused(() => updatePolicy(s, { policy_id: 'nope', if_match: etag(s, 'pol-1'), ...body() }, ctx), 'policy_not_found', 404);
  });

  it('keeps the type: 400 invalid_body', () => {
    const ctx = context();
    const s = createPolicy(fresh(), body(), ctx).state;
    const input = {
      policy_id: 'pol-1',
      if_match: etag(s, 'pol-1'),
      type: 'authorization' as const,
      subjects: [{ attributes: [{ name: 'serviceName', value: 'kms' }, { name: 'accountId', value: 'acct-a' }] }],
      roles: [{ role_id: READER }],
      resources: [{ attributes: [{ name: 'accountId', value: 'acct-a' }, { name: 'serviceName', value: 'kms' }] }],
    };
    const e = expectRefused(() => updatePolicy(s, input, ctx), 'invalid_body', 400);
    expect(issuesOf(e).some((i) => i.path[0] === 'type')).toBe(true);
  });

  it('refuses a locked service id as old or new subject (400) and a duplicate of another policy (409)', () => {
    const ctx = context();
    let s = createPolicy(fresh(), body(), ctx).state;
    s = createPolicy(s, body({ iam: 'IBMid-bob' }), ctx).state;
    expectRefused(() => updatePolicy(s, { policy_id: 'pol-1', if_match: etag(s, 'pol-1'), ...body({ iam: 'iam-ServiceId-locked' }) }, ctx), 'invalid_body', 400);
    const e = expectRefused(() => updatePolicy(s, { policy_id: 'pol-1', if_match: etag(s, 'pol-1'), ...body({ iam: 'IBMid-bob' }) }, ctx), 'policy_conflict_error', 409);
    expect(e.details).toEqual({ conflicts_with: { policy: 'pol-2', etag: etag(s, 'pol-2') } });
    const locked = fresh().with([
      {
        op: 'put',
        entity: 'policy',
        value: { ...s.get('policy', 'pol-1')!, id: 'pol-locked', subject: { kind: 'principal', id: 'iam-ServiceId-locked' } },
      },
    ]);
    expectRefused(() => updatePolicy(locked, { policy_id: 'pol-locked', if_match: etag(locked, 'pol-locked'), ...body() }, ctx), 'invalid_body', 400);
    expectRefused(() => deletePolicy(locked, { policy_id: 'pol-locked' }, ctx), 'invalid_body', 400);
    expectRefused(() => patchPolicy(locked, { policy_id: 'pol-locked', if_match: etag(locked, 'pol-locked'), state: 'deleted' }, ctx), 'invalid_body', 400);
  });
});

describe('deletePolicy (DELETE /v1/policies/{policy_id}) and patchPolicy (PATCH /v1/policies/{policy_id})', () => {
  it('soft-deletes: the policy stops granting, stays gettable, and PATCH state active restores it', () => {
    const ctx = context();
    const s = createPolicy(fresh(), body(), ctx).state;
    const d = deletePolicy(s, { policy_id: 'pol-1' }, ctx);
    expect(d.result).toBeUndefined();
    expect(d.state.get('policy', 'pol-1')!.state).toBe('deleted');
    expect(decide(d.state, 'IBMid-alice', 'cloud-object-storage.bucket.list', 'cloud-object-storage').allowed).toBe(false);
    expect(deletePolicy(d.state, { policy_id: 'pol-1' }, ctx).changes).toEqual([]);
    expectRefused(() => deletePolicy(s, { policy_id: 'nope' }, ctx), 'policy_not_found', 404);

    const restored = patchPolicy(d.state, { policy_id: 'pol-1', if_match: etag(d.state, 'pol-1'), state: 'active' }, ctx);
    expect(restored.result.state).toBe('active');
    expect(decide(restored.state, 'IBMid-alice', 'cloud-object-storage.bucket.list', 'cloud-object-storage').allowed).toBe(true);
    expect(() => parseSource(restored.state.toSource())).not.toThrow();
  });

  it('PATCH needs a fresh If-Match and a known state, and refuses a restore that would duplicate an active policy', () => {
    const ctx = context();
    let s = createPolicy(fresh(), body(), ctx).state;
    expectRefused(() => patchPolicy(s, { policy_id: 'pol-1', if_match: 'W/"old"', state: 'deleted' }, ctx), 'incorrect_etag', 412);
    expectRefused(() => patchPolicy(s, { policy_id: 'pol-1', state: 'deleted' } as never, ctx), 'missing_required_header', 400);
    expectRefused(() => patchPolicy(s, { policy_id: 'pol-1', if_match: etag(s, 'pol-1'), state: 'gone' } as never, ctx), 'invalid_body', 400);
    s = patchPolicy(s, { policy_id: 'pol-1', if_match: etag(s, 'pol-1'), state: 'deleted' }, ctx).state;
    s = createPolicy(s, body(), ctx).state;
    const e = expectRefused(() => patchPolicy(s, { policy_id: 'pol-1', if_match: etag(s, 'pol-1'), state: 'active' }, ctx), 'policy_conflict_error', 409);
    expect(e.details).toEqual({ conflicts_with: { policy: 'pol-2', etag: etag(s, 'pol-2') } });
  });
});

describe('v2 policies (createV2Policy, getV2Policy, listV2Policies, replaceV2Policy, deleteV2Policy)', () => {
  it('creates a time-based policy that grants only inside its hours; v1 does not see it', () => {
    const ctx = context();
    const r = createV2Policy(fresh(), v2body({ rule: WEEKDAYS, pattern: 'time-based-conditions:weekly:custom-hours' }), ctx);
    expect(r.result).toMatchObject({
      id: 'pol-1',
      subject: { attributes: [{ key: 'iam_id', operator: 'stringEquals', value: 'IBMid-alice' }] },
      control: { grant: { roles: [{ role_id: READER, display_name: 'Reader' }] } },
      resource: { attributes: [{ key: 'accountId', operator: 'stringEquals', value: 'acct-a' }, { key: 'serviceName', operator: 'stringEquals', value: 'kms' }] },
      pattern: 'time-based-conditions:weekly:custom-hours',
      rule: WEEKDAYS,
      href: 'https://iam.cloud.ibm.com/v2/policies/pol-1',
      state: 'active',
    });
    expect(r.state.get('policy', 'pol-1')!.rule).toEqual(WEEKDAYS);
    expect(() => parseSource(r.state.toSource())).not.toThrow();
    const tables = compile(r.state.toSource());
    const at = (now: string) =>
      authorize(tables, { subject: { id: 'IBMid-alice' }, action: 'kms.keys.read', resource: { attributes: { accountId: 'acct-a', serviceName: 'kms' } }, environment: { now } }).allowed;
    expect(at('2026-01-05T10:00:00Z')).toBe(true); // Monday
    expect(at('2026-01-04T10:00:00Z')).toBe(false); // Sunday
    expect(getV2Policy(r.state, { policy_id: 'pol-1' }, ctx).result.rule).toEqual(WEEKDAYS);
    expectRefused(() => getPolicy(r.state, { policy_id: 'pol-1' }, ctx), 'policy_not_found', 404);
    expect(listPolicies(r.state, { account_id: 'acct-a' }, ctx).result.policies).toEqual([]);
    expect(listV2Policies(r.state, { account_id: 'acct-a' }, ctx).result.policies.map((p) => p.id)).toEqual(['pol-1']);
  });

  it('refuses a bad rule, a rule without a pattern and a pattern without a rule (400 invalid_body)', () => {
    const ctx = context();
    const badRule = { operator: 'and', conditions: [{ key: '{{environment.attributes.current_time}}', operator: 'timeLessThan', value: '25:00' }] };
    for (const input of [
      v2body({ rule: badRule, pattern: 'time-based-conditions:weekly:custom-hours' }),
      v2body({ rule: WEEKDAYS }),
      v2body({ pattern: 'time-based-conditions:once' }),
      v2body({ rule: WEEKDAYS, pattern: 'whenever' }),
      { ...v2body(), subject: { attributes: [{ key: 'iam_id', operator: 'stringMatch', value: 'IBMid-*' }] } },
      { ...v2body(), control: { grant: { roles: [] } } },
    ]) {
      const e = expectRefused(() => createV2Policy(fresh(), input as never, ctx), 'invalid_body', 400);
      expect(issuesOf(e).length).toBeGreaterThan(0);
    }
  });

  it('replaces with If-Match (dropping the rule when the body has none), keeps the type, soft-deletes', () => {
    const ctx = context();
    const s = createV2Policy(fresh(), v2body({ rule: WEEKDAYS, pattern: 'time-based-conditions:weekly:custom-hours' }), ctx).state;
    expectRefused(() => replaceV2Policy(s, { policy_id: 'pol-1', if_match: 'W/"x"', ...v2body() }, ctx), 'incorrect_etag', 412);
    expectRefused(() => replaceV2Policy(s, { policy_id: 'pol-1', if_match: etag(s, 'pol-1'), ...v2body(), type: 'authorization' }, ctx), 'invalid_body', 400);
    const r = replaceV2Policy(s, { policy_id: 'pol-1', if_match: etag(s, 'pol-1'), ...v2body() }, ctx);
    expect(r.result.rule).toBeUndefined();
    expect(r.state.get('policy', 'pol-1')!.rule).toBeUndefined();
    expect(getPolicy(r.state, { policy_id: 'pol-1' }, ctx).result.id).toBe('pol-1');
    const d = deleteV2Policy(r.state, { policy_id: 'pol-1' }, ctx).state;
    expect(getV2Policy(d, { policy_id: 'pol-1' }, ctx).result.state).toBe('deleted');
    expectRefused(() => deleteV2Policy(d, { policy_id: 'nope' }, ctx), 'policy_not_found', 404);
  });

  it('pages with limit and start', () => {
    const ctx = context();
    let s = fresh();
    for (const id of ['cloud-object-storage', 'kms']) s = createV2Policy(s, { ...v2body({ roles: [READER] }), resource: { attributes: [{ key: 'accountId', value: 'acct-a' }, { key: 'serviceName', value: id }] } }, ctx).state;
    s = createV2Policy(s, { ...v2body({ iam: 'IBMid-bob' }) }, ctx).state;
    const first = listV2Policies(s, { account_id: 'acct-a', limit: 2 }, ctx).result;
    expect(first.policies.map((p) => p.id)).toEqual(['pol-1', 'pol-2']);
    expect(first.limit).toBe(2);
    expect(first.next?.start).toBeDefined();
    const second = listV2Policies(s, { account_id: 'acct-a', limit: 2, start: first.next!.start }, ctx).result;
    expect(second.policies.map((p) => p.id)).toEqual(['pol-3']);
    expect(second.next).toBeUndefined();
    expectRefused(() => listV2Policies(s, { account_id: 'acct-a', limit: 0 }, ctx), 'invalid_query_parameter', 400);
    expectRefused(() => listV2Policies(s, { account_id: 'acct-a', start: 'abc' }, ctx), 'invalid_query_parameter', 400);
    expectRefused(() => listV2Policies(s, {}, ctx), 'missing_required_query_parameter', 400);
  });
});

describe('recordPermits', () => {
  it('adds counts, keeps the latest time, skips unknown ids and keeps the etag', () => {
    const ctx = context();
    const s = createPolicy(fresh(), body(), ctx).state;
    const before = etag(s, 'pol-1');
    const r = recordPermits(s, [
      { policyId: 'pol-1', at: '2026-01-03T00:00:00.000Z', count: 5 },
      { policyId: 'pol-1', at: '2026-01-02T00:00:00.000Z', count: 2 },
      { policyId: 'gone', at: '2026-01-03T00:00:00.000Z', count: 1 },
    ]);
    expect(r.result).toEqual({ recorded: 1 });
    expect(r.state.get('policy', 'pol-1')).toMatchObject({ lastPermitAt: '2026-01-03T00:00:00.000Z', lastPermitFrequency: 7, etag: before });
    expect(() => parseSource(r.state.toSource())).not.toThrow();
    expect(() => recordPermits(s, [{ policyId: 'pol-1', at: 'yesterday', count: -1 }])).toThrow(ValidationError);
  });
});

describe('ibmPolicyOperations: any sequence leaves a valid state, and a refused operation changes nothing', () => {
  it('holds for random sequences of valid and invalid operations', () => {
    const iam = fc.constantFrom('IBMid-alice', 'IBMid-bob', 'iam-ServiceId-svc', 'iam-ServiceId-locked', 'IBMid-nobody');
    const role = fc.constantFrom(VIEWER, READER, WRITER, MANAGER, LISTER, ADMIN, 'nope');
    const service = fc.constantFrom('cloud-object-storage', 'kms', 'iam-groups', 'nope');
    // a policy id: mostly one that exists when the step runs (picked then), sometimes one that never does
    const policyId = fc.oneof({ arbitrary: fc.nat(50).map((pick) => ({ pick })), weight: 4 }, { arbitrary: fc.constant({ pick: -1 }), weight: 1 });
    // mostly valid bodies (so that later steps find policies to work on), some with anything
    const validParts = fc.record({
      iam: fc.constantFrom('IBMid-alice', 'IBMid-bob', 'iam-ServiceId-svc'),
      roles: fc.uniqueArray(fc.constantFrom(VIEWER, READER), { minLength: 1, maxLength: 2 }),
      service: fc.constantFrom('cloud-object-storage', 'kms'),
      tagged: fc.boolean(),
    });
    const anyParts = fc.record({ iam, roles: fc.array(role, { minLength: 0, maxLength: 3 }), service, tagged: fc.boolean() });
    const v1 = fc.oneof({ arbitrary: validParts, weight: 3 }, { arbitrary: anyParts, weight: 1 }).map(({ iam, roles, service, tagged }) =>
      body({
        iam,
        roles,
        attrs: tagged
          ? [{ name: 'accountId', value: 'acct-a' }, { name: 'serviceType', value: 'service' }]
          : [{ name: 'accountId', value: 'acct-a' }, { name: 'serviceName', value: service }],
        ...(tagged ? { tags: [{ name: 'env', value: service }] } : {}),
      }),
    );
    const rule = fc.constantFrom(undefined, WEEKDAYS);
    const step = fc.oneof(
      v1.map((b) => ({ op: 'createPolicy' as const, input: b })),
      fc.record({ iam, rule }).map(({ iam, rule }) => ({
        op: 'createV2Policy' as const,
        input: v2body({ iam, ...(rule ? { rule, pattern: 'time-based-conditions:weekly:custom-hours' } : {}) }),
      })),
      fc.record({ id: policyId, b: v1, fresh: fc.constantFrom(true, true, true, false) }).map(({ id, b, fresh }) => ({ op: 'updatePolicy' as const, input: { policy_id: id, b, fresh } })),
      fc.record({ id: policyId, state: fc.constantFrom('active', 'deleted', 'deleted', 'bogus'), fresh: fc.constantFrom(true, true, true, false) }).map(({ id, state, fresh }) => ({
        op: 'patchPolicy' as const,
        input: { policy_id: id, state, fresh },
      })),
      policyId.map((id) => ({ op: 'deletePolicy' as const, input: { policy_id: id } })),
      policyId.map((id) => ({ op: 'deleteV2Policy' as const, input: { policy_id: id } })),
      fc.constant({ op: 'listPolicies' as const, input: { account_id: 'acct-a', sort: '-id', format: 'display' } }),
      fc.record({ id: policyId, count: fc.nat(5) }).map(({ id, count }) => ({ op: 'recordPermits' as const, input: { id, count } })),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        let state = fresh();
        const ctx = context();
        for (const { op, input } of steps) {
          const before = JSON.stringify(state.toSource());
          const ids = state.list('policy', 'acct-a').map((p) => p.id);
          const resolve = (x: { pick: number }) => (x.pick < 0 || ids.length === 0 ? 'nope' : ids[x.pick % ids.length]!);
          const etagOf = (id: string) => ((input as { fresh?: boolean }).fresh ? (state.get('policy', id)?.etag ?? '*') : 'W/"stale"');
          try {
            let r: { state: SourceState; changes: unknown[] };
            if (op === 'recordPermits') {
              const { id, count } = input as { id: { pick: number }; count: number };
              r = recordPermits(state, [{ policyId: resolve(id), at: ctx.now, count }]);
            } else if (op === 'updatePolicy') {
              const { policy_id: pick, b } = input as { policy_id: { pick: number }; b: ReturnType<typeof body> };
              const policy_id = resolve(pick);
              r = updatePolicy(state, { policy_id, if_match: etagOf(policy_id), ...b }, ctx);
            } else if (op === 'patchPolicy') {
              const { policy_id: pick, state: target } = input as { policy_id: { pick: number }; state: 'active' };
              const policy_id = resolve(pick);
              r = patchPolicy(state, { policy_id, if_match: etagOf(policy_id), state: target }, ctx);
            } else {
              const pick = (input as { policy_id?: { pick: number } }).policy_id;
              const resolved = pick !== undefined ? { ...input, policy_id: resolve(pick) } : input;
              r = (ibmPolicyOperations[op] as (s: SourceState, i: unknown, c: ManageContext) => { state: SourceState; changes: unknown[] })(state, resolved, ctx);
            }
            parseSource(r.state.toSource());
            state = r.state;
          } catch (e) {
            if (!(e instanceof SeedError)) throw e;
            expect(JSON.stringify(state.toSource())).toBe(before);
          }
          const active = state.list('policy', 'acct-a').filter((p) => p.state === 'active');
          const keys = active.map((p) => JSON.stringify([p.subject, [...p.resource.attributes].sort((a, b) => a.name.localeCompare(b.name)), p.resource.tags]));
          expect(new Set(keys).size).toBe(keys.length);
        }
      }),
      { numRuns: 200 },
    );
  });
});
