// fast-check arbitraries for store tests: row-level changes over a small universe of ids, so that puts
// replace rows, deletes hit, and references sometimes dangle (which a commit must refuse as a whole).
import fc from 'fast-check';
import type { Change, SourceInput } from '@portcullis/engine';

const accountId = fc.constantFrom('a1', 'a2');
const principalId = fc.constantFrom('u1', 'u2', 'svc/1');
const groupId = fc.constantFrom('g1', 'g2', 'AccessGroupId-PublicAccess');
const roleId = fc.constantFrom('r1', 'r2', 'r3');
const nodeId = fc.constantFrom('n1', 'n2', 'n3');
const text = fc.string({ maxLength: 8 });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const instant = fc.constantFrom('2025-01-01T00:00:00Z', '2025-06-01T12:30:00+02:00', '2030-01-01T00:00:00.5Z');

/** Drops keys whose value is undefined, so a generated row looks like one written by hand. */
function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const account = fc.record({ id: accountId, system: fc.constantFrom('ibm', 'cloudflare', 'bluexp'), name: maybe(text), publicAccess: maybe(fc.boolean()) }).map(clean);

const principal = fc
  .record({
    id: principalId,
    accountId,
    kind: fc.constantFrom('user', 'service'),
    email: maybe(fc.constantFrom('x@example.com', 'y@example.org')),
    status: maybe(fc.constantFrom('active', 'pending', 'disabled')),
    locked: maybe(fc.boolean()),
  })
  .map(clean);

const claimRule = fc
  .record({
    id: fc.constantFrom('rule1', 'rule2'),
    name: maybe(text),
    realmName: fc.constantFrom('https://idp.example.com', 'corp'),
    expiration: fc.integer({ min: 1, max: 24 }),
    conditions: fc.array(
      fc.record({ claim: fc.constantFrom('dept', 'groups'), operator: fc.constantFrom('EQUALS', 'CONTAINS'), value: fc.constantFrom('"eng"', '"ops"', '5') }),
      { minLength: 1, maxLength: 2 },
    ),
  })
  .map(clean);

const group = fc
  .record({
    id: groupId,
    accountId,
    name: fc.string({ minLength: 1, maxLength: 12 }),
    description: maybe(text),
    members: maybe(fc.uniqueArray(principalId, { maxLength: 3 })),
    rules: maybe(fc.uniqueArray(claimRule, { maxLength: 2, selector: (r) => r.id })),
    federated: maybe(fc.boolean()),
    etag: maybe(text),
    since: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  })
  .map(({ since, ...g }) => {
    // when and by whom some of the members were added: only members have an entry
    const memberSince = Object.fromEntries((g.members ?? []).filter((_, i) => since[i]).map((m) => [m, { createdAt: '2025-01-01T00:00:00Z', createdById: 'u1' }]));
    return clean({ ...g, memberSince: Object.keys(memberSince).length > 0 ? memberSince : undefined });
  });

const role = fc
  .record({
    id: roleId,
    kind: fc.constantFrom('platform', 'service', 'custom'),
    accountId: maybe(accountId),
    actions: fc.array(fc.constantFrom('svc.thing.read', 'svc.thing.*', 'workspace:create', 'bad*'), { maxLength: 3 }),
    serviceName: maybe(fc.constantFrom('s1', 's2')),
  })
  .map(clean);

const service = fc
  .record({
    name: fc.constantFrom('s1', 's2'),
    type: fc.constantFrom('service', 'platform_service'),
    displayName: maybe(text),
    groups: maybe(fc.array(fc.constantFrom('IAM', 'Storage'), { maxLength: 2 })),
    roles: maybe(fc.dictionary(roleId, fc.array(fc.constantFrom('s.read', 's.write'), { maxLength: 2 }), { maxKeys: 2 })),
    actions: maybe(fc.dictionary(fc.constantFrom('s.read', 's.write'), fc.record({ displayName: fc.string({ minLength: 1, maxLength: 8 }), description: maybe(text) }).map(clean), { maxKeys: 2 })),
  })
  .map(clean);

const scalar = fc.oneof(fc.constantFrom('us-south', 'eu-de', 'Prod'), fc.integer({ min: -5, max: 5 }), fc.boolean());
const selector = fc
  .record({
    attributes: fc.array(
      fc.oneof(
        fc.record({ name: fc.constantFrom('serviceName', 'region'), operator: fc.constantFrom('stringEquals', 'stringMatch'), value: scalar }),
        fc.record({ name: fc.constantFrom('region'), operator: fc.constant('stringEqualsAnyOf'), value: fc.array(scalar, { minLength: 1, maxLength: 3 }) }),
      ),
      { maxLength: 2 },
    ),
    tags: maybe(fc.array(fc.record({ name: fc.constantFrom('Env', 'team'), value: fc.constantFrom('Prod', 'dev') }), { maxLength: 2 })),
    nodes: maybe(fc.array(fc.oneof(nodeId, accountId), { maxLength: 2 })),
  })
  .map(clean);

const policy = fc
  .record({
    id: fc.constantFrom('p1', 'p2', 'p3', 'p4'),
    accountId,
    effect: maybe(fc.constantFrom('allow', 'deny')),
    subject: fc.oneof(fc.record({ kind: fc.constant('principal'), id: principalId }), fc.record({ kind: fc.constant('group'), id: groupId })),
    roles: fc.uniqueArray(roleId, { minLength: 1, maxLength: 2 }),
    resource: selector,
    rule: maybe(
      fc.record({
        operator: fc.constantFrom('and', 'or'),
        conditions: fc.array(
          fc.record({ key: fc.constant('{{environment.attributes.day_of_week}}'), operator: fc.constant('dayOfWeekAnyOf'), value: fc.constant(['1+00:00', '5+00:00']) }),
          { minLength: 1, maxLength: 2 },
        ),
      }),
    ),
    description: maybe(text),
    state: maybe(fc.constantFrom('active', 'deleted')),
    lastPermitFrequency: maybe(fc.nat(100)),
  })
  .map(clean);

const authorizationPolicy = fc
  .record({
    id: fc.constantFrom('p5', 'p1'),
    accountId,
    type: fc.constant('authorization'),
    subject: fc.record({ kind: fc.constant('service'), attributes: fc.dictionary(fc.constantFrom('serviceName', 'accountId'), scalar, { maxKeys: 2 }) }),
    roles: fc.constant(['r1']),
    resource: selector,
  })
  .map(clean);

const resourceGroup = fc
  .record({
    id: fc.constantFrom('rg1', 'rg2'),
    accountId,
    name: maybe(text),
    scope: fc.constant([{ key: 'com.cloudflare.api.account.a1', objects: [{ key: '*' }] }]),
    meta: maybe(fc.record({ key: fc.constant('k'), value: text })),
  })
  .map(clean);

const node = fc.record({ id: nodeId, accountId, kind: fc.constantFrom('folder', 'project'), name: maybe(text), parentId: maybe(fc.option(nodeId, { nil: null })) }).map(clean);

const binding = fc
  .record({
    id: fc.constantFrom('b1', 'b2'),
    accountId,
    subject: fc.oneof(fc.record({ kind: fc.constant('principal'), id: principalId }), fc.record({ kind: fc.constant('group'), id: groupId })),
    roleId,
    nodeId: fc.oneof(nodeId, accountId),
    expiresAt: maybe(instant),
  })
  .map(clean);

const resource = fc
  .record({
    id: fc.constantFrom('res1', 'res2'),
    accountId,
    attributes: maybe(fc.dictionary(fc.constantFrom('region', 'serviceName'), scalar, { maxKeys: 2 })),
    tags: maybe(fc.array(fc.constantFrom('Env:Prod', 'team:a'), { maxLength: 2 })),
    projects: maybe(fc.array(nodeId, { maxLength: 1 })),
    cloudId: maybe(text),
  })
  .map(clean);

const membership = fc
  .record({ accountId, principalId, groupId, ruleId: maybe(fc.constant('rule1')), realm: fc.constantFrom('corp', 'idp'), loginAt: instant, expiresAt: instant })
  .map(clean);

const put = fc.oneof(
  account.map((value) => ({ op: 'put', entity: 'account', value })),
  principal.map((value) => ({ op: 'put', entity: 'principal', value })),
  group.map((value) => ({ op: 'put', entity: 'group', value })),
  role.map((value) => ({ op: 'put', entity: 'role', value })),
  service.map((value) => ({ op: 'put', entity: 'service', value })),
  policy.map((value) => ({ op: 'put', entity: 'policy', value })),
  authorizationPolicy.map((value) => ({ op: 'put', entity: 'policy', value })),
  resourceGroup.map((value) => ({ op: 'put', entity: 'resourceGroup', value })),
  node.map((value) => ({ op: 'put', entity: 'node', value })),
  binding.map((value) => ({ op: 'put', entity: 'binding', value })),
  resource.map((value) => ({ op: 'put', entity: 'resource', value })),
  membership.map((value) => ({ op: 'put', entity: 'membership', value })),
) as fc.Arbitrary<Change>;

const del: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), entity: fc.constant('account' as const), key: accountId }),
  fc.record({ op: fc.constant('delete' as const), entity: fc.constant('principal' as const), key: fc.tuple(accountId, principalId).map(([a, p]) => `${a}/${p}`) }),
  fc.record({ op: fc.constant('delete' as const), entity: fc.constant('group' as const), key: fc.tuple(accountId, groupId).map(([a, g]) => `${a}/${g}`) }),
  fc.record({ op: fc.constant('delete' as const), entity: fc.constant('role' as const), key: roleId }),
  fc.record({ op: fc.constant('delete' as const), entity: fc.constant('policy' as const), key: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5') }),
  fc.record({ op: fc.constant('delete' as const), entity: fc.constant('node' as const), key: nodeId }),
  fc.record({ op: fc.constant('delete' as const), entity: fc.constant('binding' as const), key: fc.constantFrom('b1', 'b2') }),
);

/** A batch of changes for one commit; puts outnumber deletes so stores grow. */
export const changeBatch: fc.Arbitrary<Change[]> = fc.array(fc.oneof({ weight: 4, arbitrary: put }, { weight: 1, arbitrary: del }), {
  minLength: 1,
  maxLength: 6,
});

/** A batch that lays down a valid base (accounts, principals, groups, roles, nodes) so later batches mostly hold. */
export const seedBatch: Change[] = [
  { op: 'put', entity: 'account', value: { id: 'a1', system: 'ibm' } },
  { op: 'put', entity: 'account', value: { id: 'a2', system: 'bluexp' } },
  { op: 'put', entity: 'role', value: { id: 'r1', kind: 'platform', actions: ['svc.thing.read'] } },
  { op: 'put', entity: 'role', value: { id: 'r2', kind: 'service' } },
  { op: 'put', entity: 'role', value: { id: 'r3', kind: 'platform' } },
  ...['a1', 'a2'].flatMap((a) => [
    ...['u1', 'u2'].map((id) => ({ op: 'put', entity: 'principal', value: { id, accountId: a, kind: 'user' } })),
    { op: 'put', entity: 'principal', value: { id: 'svc/1', accountId: a, kind: 'service' } },
    { op: 'put', entity: 'group', value: { id: 'g1', accountId: a, name: 'one', members: ['u1'] } },
    { op: 'put', entity: 'group', value: { id: 'g2', accountId: a, name: 'two' } },
  ]),
  { op: 'put', entity: 'node', value: { id: 'n1', accountId: 'a2', kind: 'folder' } },
  { op: 'put', entity: 'node', value: { id: 'n2', accountId: 'a2', kind: 'project', parentId: 'n1' } },
] as unknown as Change[];

/** A source that uses every entity and most optional fields, as a user would write it. */
export const richSource: SourceInput = {
  version: 1,
  accounts: [
    { id: 'acc-ibm', system: 'ibm', name: 'IBM account' },
    { id: 'acc-cf', system: 'cloudflare', publicAccess: false },
    { id: 'acc-bx', system: 'bluexp', options: { saasEnabled: false, thirdPartyServicesEnabled: true, notificationOptIn: true } },
  ],
  principals: [
    { id: 'IBMid-1', accountId: 'acc-ibm', kind: 'user', email: 'ann@example.com', name: 'Ann' },
    { id: 'iam-ServiceId-1', accountId: 'acc-ibm', kind: 'service', locked: true },
    { id: 'm-1', accountId: 'acc-cf', kind: 'user', status: 'pending' },
    { id: 'agent-1', accountId: 'acc-bx', kind: 'agent', projects: ['prj-1'] },
    { id: 'bx-user', accountId: 'acc-bx', kind: 'user' },
  ],
  groups: [
    {
      id: 'AccessGroupId-1',
      accountId: 'acc-ibm',
      name: 'Developers',
      description: 'the developers',
      members: ['IBMid-1', 'iam-ServiceId-1'],
      rules: [
        {
          id: 'rule-1',
          name: 'engineering',
          realmName: 'https://idp.example.com',
          expiration: 12,
          conditions: [
            { claim: 'dept', operator: 'EQUALS', value: '"eng"' },
            { claim: 'groups', operator: 'IN', value: '["a","b"]' },
          ],
          etag: 'e1',
        },
      ],
      createdAt: '2025-01-01T00:00:00Z',
      etag: 'g-etag',
    },
    { id: 'ug-1', accountId: 'acc-bx', name: 'Federated', federated: true },
  ],
  services: [
    { name: 'cloud-object-storage', type: 'service', displayName: 'COS', groups: ['Storage'], roles: { 'crn:role:Viewer': ['cos.bucket.read'] } },
    { name: 'iam-groups', type: 'platform_service' },
  ],
  roles: [
    { id: 'crn:role:Viewer', kind: 'platform', actions: ['iam-groups.groups.read'] },
    { id: 'custom-1', kind: 'custom', accountId: 'acc-ibm', serviceName: 'cloud-object-storage', actions: ['cos.bucket.*'], description: 'mine' },
    { id: 'pg-zone', kind: 'permission-group', scopeType: 'zone', actions: ['zone:read'] },
    { id: 'bx-org-admin', kind: 'bluexp', admin: 'organization', actions: ['workspace:*'] },
  ],
  policies: [
    {
      id: 'pol-1',
      accountId: 'acc-ibm',
      subject: { kind: 'group', id: 'AccessGroupId-1' },
      roles: ['crn:role:Viewer', 'custom-1'],
      resource: {
        attributes: [
          { name: 'serviceName', operator: 'stringEquals', value: 'cloud-object-storage' },
          { name: 'region', operator: 'stringEqualsAnyOf', value: ['us-south', 'eu-de'] },
        ],
        tags: [{ name: 'Env', value: 'PROD' }],
      },
      rule: {
        operator: 'and',
        conditions: [
          { key: '{{environment.attributes.current_time}}', operator: 'timeGreaterThanOrEquals', value: '09:00:00+00:00' },
          { key: '{{environment.attributes.day_of_week}}', operator: 'dayOfWeekAnyOf', value: ['1+00:00', '2+00:00'] },
        ],
      },
      pattern: 'time-based-conditions:weekly:custom-hours',
      description: 'weekday mornings',
      etag: 'p-etag',
      createdAt: '2025-01-01T00:00:00Z',
      lastPermitAt: '2025-02-01T00:00:00Z',
      lastPermitFrequency: 3,
    },
    { id: 'pol-2', accountId: 'acc-ibm', effect: 'deny', subject: { kind: 'principal', id: 'IBMid-1' }, roles: ['crn:role:Viewer'], resource: {}, state: 'deleted' },
    {
      id: 'pol-3',
      accountId: 'acc-ibm',
      type: 'authorization',
      subject: { kind: 'service', attributes: { serviceName: 'kms', accountId: 'acc-ibm' } },
      roles: ['crn:role:Viewer'],
      resource: { attributes: [{ name: 'accountId', operator: 'stringEquals', value: 'acc-ibm' }, { name: 'serviceName', operator: 'stringEquals', value: 'cloud-object-storage' }] },
    },
    { id: 'pol-4', accountId: 'acc-cf', subject: { kind: 'principal', id: 'm-1' }, roles: ['pg-zone'], resource: { resourceGroups: ['rg-1'] } },
    { id: 'pol-5', accountId: 'acc-bx', subject: { kind: 'group', id: 'ug-1' }, roles: ['bx-org-admin'], resource: { nodes: ['fld-1'] } },
  ],
  resourceGroups: [
    {
      id: 'rg-1',
      accountId: 'acc-cf',
      name: 'zone one',
      scope: [{ key: 'com.cloudflare.api.account.acc-cf', objects: [{ key: 'com.cloudflare.api.account.zone.z1' }] }],
      meta: { key: 'k', value: 'v' },
    },
  ],
  nodes: [
    { id: 'fld-1', accountId: 'acc-bx', kind: 'folder', name: 'Folder' },
    { id: 'prj-1', accountId: 'acc-bx', kind: 'project', parentId: 'fld-1' },
  ],
  bindings: [
    { id: 'bind-1', accountId: 'acc-bx', subject: { kind: 'principal', id: 'bx-user' }, roleId: 'bx-org-admin', nodeId: 'acc-bx' },
    { id: 'bind-2', accountId: 'acc-bx', subject: { kind: 'group', id: 'ug-1' }, roleId: 'bx-org-admin', nodeId: 'acc-bx', expiresAt: '2030-01-01T00:00:00Z' },
  ],
  resources: [
    {
      id: 'res-1',
      accountId: 'acc-bx',
      attributes: { serviceName: 'volumes', size: 5, encrypted: true },
      tags: ['Env:Prod'],
      projects: ['prj-1'],
      folders: ['fld-1'],
      agentId: 'agent-1',
      cloudId: 'arn:x',
    },
  ],
  memberships: [
    { accountId: 'acc-ibm', principalId: 'IBMid-1', groupId: 'AccessGroupId-1', ruleId: 'rule-1', realm: 'https://idp.example.com', loginAt: '2025-01-01T00:00:00Z', expiresAt: '2025-01-01T12:00:00Z' },
  ],
};
