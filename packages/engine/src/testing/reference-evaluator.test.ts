import { describe, expect, it } from 'vitest';
import type { AuthorizeOptions, AuthorizeRequest, Decision, RequestResource, RequestSubject } from '../evaluate/types.js';
import { parseSource } from '../model/parse-source.js';
import type { Source, SourceInput } from '../model/source.js';
import { referenceActionMatch, referenceAuthorize, referenceGlobMatch } from './reference-evaluator.js';

/** Wednesday 2025-03-12 10:30:00 UTC. */
const T = Date.parse('2025-03-12T10:30:00Z');
const HOUR = 3_600_000;

function source(input: Omit<SourceInput, 'version'>): Source {
  return parseSource({ version: 1, ...input });
}

function request(subject: RequestSubject, action: string, resource: RequestResource, now: number | string = T): AuthorizeRequest {
  return { subject, action, resource, environment: { now } };
}

/** The pinned part of a decision. */
function pin(d: Decision) {
  return { allowed: d.allowed, reason: d.reason, policies: d.policies, ...(d.errors ? { errors: d.errors } : {}) };
}

const allow = (...policies: string[]) => ({ allowed: true, reason: 'allow', policies });
const deny = (...policies: string[]) => ({ allowed: false, reason: 'explicit-deny', policies });
const noMatch = { allowed: false, reason: 'no-match', policies: [] };

// An IBM account `A` with a second account `B` where alice also exists.
const ibm = source({
  accounts: [
    { id: 'A', system: 'ibm' },
    { id: 'B', system: 'ibm' },
    { id: 'closed', system: 'ibm', publicAccess: false },
  ],
  principals: [
    { id: 'alice', accountId: 'A', kind: 'user' },
    { id: 'bob', accountId: 'A', kind: 'user', status: 'pending' },
    { id: 'carol', accountId: 'A', kind: 'user', status: 'disabled' },
    { id: 'dave', accountId: 'A', kind: 'user' },
    { id: 'alice', accountId: 'B', kind: 'user' },
  ],
  groups: [
    { id: 'devs', accountId: 'A', name: 'devs', members: ['alice', 'bob', 'carol'] },
    { id: 'dyn', accountId: 'A', name: 'dyn' },
    {
      id: 'sso',
      accountId: 'A',
      name: 'sso',
      rules: [{ id: 'r1', realmName: 'idp', expiration: 12, conditions: [{ claim: 'dept', operator: 'EQUALS', value: '"eng"' }] }],
    },
  ],
  memberships: [{ accountId: 'A', principalId: 'dave', groupId: 'dyn', realm: 'idp', loginAt: '2025-03-12T00:00:00Z', expiresAt: '2025-03-12T11:30:00Z' }],
  services: [
    { name: 'kms', type: 'service', groups: ['SEC'], roles: { Reader: ['kms.key.read'] } },
    { name: 'iam-groups', type: 'platform_service', groups: ['IAM', 'GRP'] },
    { name: 'cos', type: 'service', groups: [] },
  ],
  roles: [
    { id: 'Viewer', kind: 'platform', actions: ['thing.read', 'workspace:*', 'a.b.*'] },
    { id: 'Reader', kind: 'service' },
    { id: 'KmsOnly', kind: 'custom', accountId: 'A', serviceName: 'kms', actions: ['kms.key.rotate'] },
  ],
  policies: [
    { id: 'p-public', accountId: 'A', subject: { kind: 'group', id: 'AccessGroupId-PublicAccess' }, roles: ['Viewer'], resource: { attributes: [{ name: 'suite', operator: 'stringEquals', value: 'public' }] } },
    { id: 'p-closed', accountId: 'closed', subject: { kind: 'group', id: 'AccessGroupId-PublicAccess' }, roles: ['Viewer'], resource: {} },
    { id: 'p-devs', accountId: 'A', subject: { kind: 'group', id: 'devs' }, roles: ['Viewer'], resource: { attributes: [{ name: 'suite', operator: 'stringEquals', value: 'devs' }] } },
    { id: 'p-alice', accountId: 'A', subject: { kind: 'principal', id: 'alice' }, roles: ['Viewer'], resource: { attributes: [{ name: 'suite', operator: 'stringEquals', value: 'devs' }] } },
    { id: 'p-dyn', accountId: 'A', subject: { kind: 'group', id: 'dyn' }, roles: ['Viewer'], resource: { attributes: [{ name: 'suite', operator: 'stringEquals', value: 'dyn' }] } },
    { id: 'p-sso', accountId: 'A', subject: { kind: 'group', id: 'sso' }, roles: ['Viewer'], resource: { attributes: [{ name: 'suite', operator: 'stringEquals', value: 'sso' }] } },
    { id: 'p-roles', accountId: 'A', subject: { kind: 'principal', id: 'dave' }, roles: ['Reader', 'KmsOnly'], resource: {} },
    { id: 'p-deleted', accountId: 'A', subject: { kind: 'principal', id: 'dave' }, roles: ['Viewer'], resource: {}, state: 'deleted' },
    {
      id: 'p-authz',
      accountId: 'A',
      type: 'authorization',
      subject: { kind: 'service', attributes: { serviceName: 'cos', accountId: 'A' } },
      roles: ['Reader'],
      resource: { attributes: [{ name: 'accountId', operator: 'stringEquals', value: 'A' }, { name: 'serviceName', operator: 'stringEquals', value: 'kms' }] },
    },
  ],
  resources: [{ id: 'res-1', accountId: 'A', attributes: { suite: 'devs' }, tags: ['Env:Prod'] }],
});

const inA = (attributes: Record<string, string | number | boolean> = {}, extra: Partial<RequestResource> = {}): RequestResource => ({
  attributes: { accountId: 'A', ...attributes },
  ...extra,
});

describe('referenceAuthorize §0: the request is checked first', () => {
  it('refuses malformed requests with issues, never throwing', () => {
    const bad: [unknown, AuthorizeOptions | undefined, (string | number)[]][] = [
      [null, undefined, []],
      [{ subject: {}, action: '', resource: inA(), environment: { now: T } }, undefined, ['action']],
      [{ subject: 'x', action: 'thing.read', resource: inA(), environment: { now: T } }, undefined, ['subject']],
      [{ subject: {}, action: 'thing.read', resource: inA() }, undefined, ['environment', 'now']],
      [{ subject: {}, action: 'thing.read', resource: inA(), environment: { now: 'soon' } }, { now: T }, ['environment', 'now']],
      [{ subject: {}, action: 'thing.read', resource: inA(), environment: { now: Number.NaN } }, undefined, ['environment', 'now']],
      [{ subject: {}, action: 'thing.read', resource: { id: 'nope' }, environment: { now: T } }, undefined, ['resource', 'id']],
      [{ subject: {}, action: 'thing.read', resource: { attributes: { suite: 'x' } }, environment: { now: T } }, undefined, ['resource', 'attributes', 'accountId']],
      [{ subject: {}, action: 'thing.read', resource: inA({ x: {} as never }), environment: { now: T } }, undefined, ['resource', 'attributes', 'x']],
      [{ subject: {}, action: 'thing.read', resource: inA({}, { tags: 'a:b' as never }), environment: { now: T } }, undefined, ['resource', 'tags']],
      [{ subject: { id: 7 }, action: 'thing.read', resource: inA(), environment: { now: T } }, undefined, ['subject', 'id']],
    ];
    for (const [req, opts, path] of bad) {
      const d = referenceAuthorize(ibm, req as AuthorizeRequest, opts);
      expect(d).toMatchObject({ allowed: false, reason: 'invalid-request', policies: [] });
      expect(d.issues?.map((i) => i.path)).toContainEqual(path);
    }
  });

  it('takes environment.now over options.now, and options.now when the request has none', () => {
    const r = (now?: number): AuthorizeRequest => ({ subject: { id: 'dave' }, action: 'thing.read', resource: inA({ suite: 'dyn' }), ...(now === undefined ? {} : { environment: { now } }) });
    expect(pin(referenceAuthorize(ibm, r(T), { now: T + 2 * HOUR }))).toEqual(allow('p-dyn'));
    expect(pin(referenceAuthorize(ibm, r(T + 2 * HOUR), { now: T }))).toEqual(noMatch);
    expect(pin(referenceAuthorize(ibm, r(), { now: T }))).toEqual(allow('p-dyn'));
    expect(pin(referenceAuthorize(ibm, request({ id: 'dave' }, 'thing.read', inA({ suite: 'dyn' }), '2025-03-12T12:00:00+02:00')))).toEqual(allow('p-dyn'));
  });

  it('uses a registered resource instead of the request own fields', () => {
    expect(pin(referenceAuthorize(ibm, request({ id: 'alice' }, 'thing.read', { id: 'res-1', attributes: { accountId: 'B', suite: 'x' } })))).toEqual(
      allow('p-alice', 'p-devs'),
    );
  });
});

describe('referenceAuthorize §1: identities', () => {
  it('gives every caller Public Access, unless the account turned it off', () => {
    expect(pin(referenceAuthorize(ibm, request({}, 'thing.read', inA({ suite: 'public' }))))).toEqual(allow('p-public'));
    expect(pin(referenceAuthorize(ibm, request({ id: 'bob' }, 'thing.read', inA({ suite: 'public' }))))).toEqual(allow('p-public'));
    expect(pin(referenceAuthorize(ibm, request({}, 'thing.read', { attributes: { accountId: 'closed' } })))).toEqual(noMatch);
    expect(pin(referenceAuthorize(ibm, request({}, 'thing.read', { attributes: { accountId: 'unknown' } })))).toEqual(noMatch);
  });

  it('gives static groups only to active principals of the account acting for it', () => {
    const devs = inA({ suite: 'devs' });
    expect(pin(referenceAuthorize(ibm, request({ id: 'alice' }, 'thing.read', devs)))).toEqual(allow('p-alice', 'p-devs'));
    expect(pin(referenceAuthorize(ibm, request({ id: 'alice', accountId: 'A' }, 'thing.read', devs)))).toEqual(allow('p-alice', 'p-devs'));
    for (const subject of [{ id: 'bob' }, { id: 'carol' }, { id: 'alice', accountId: 'B' }, { id: 'alice', authenticated: false }, { id: 'nobody' }])
      expect(pin(referenceAuthorize(ibm, request(subject, 'thing.read', devs)))).toEqual(noMatch);
  });

  it('holds a dynamic membership strictly before its expiry', () => {
    const dyn = inA({ suite: 'dyn' });
    const expires = Date.parse('2025-03-12T11:30:00Z');
    expect(pin(referenceAuthorize(ibm, request({ id: 'dave' }, 'thing.read', dyn, expires - 1)))).toEqual(allow('p-dyn'));
    expect(pin(referenceAuthorize(ibm, request({ id: 'dave' }, 'thing.read', dyn, expires)))).toEqual(noMatch);
  });

  it('evaluates claim rules on the fly, with the claim operator table', () => {
    const sso = inA({ suite: 'sso' });
    const ask = (attributes: Record<string, unknown>, realm = 'idp', id = 'dave') =>
      pin(referenceAuthorize(ibm, request({ id, claims: { realm, attributes } }, 'thing.read', sso)));
    expect(ask({ dept: 'eng' })).toEqual(allow('p-sso'));
    expect(ask({ dept: ['ops', 'eng'] })).toEqual(allow('p-sso'));
    expect(ask({ dept: 'Eng' })).toEqual(noMatch);
    expect(ask({ dept: 'eng' }, 'other')).toEqual(noMatch);
    expect(ask({ dept: 'eng' }, 'idp', 'bob')).toEqual(noMatch);

    const c = (operator: string, value: string, attributes: Record<string, unknown>) => {
      const s = source({
        accounts: [{ id: 'A', system: 'ibm' }],
        principals: [{ id: 'u', accountId: 'A', kind: 'user' }],
        groups: [{ id: 'g', accountId: 'A', name: 'g', rules: [{ id: 'r', realmName: 'idp', expiration: 1, conditions: [{ claim: 'c', operator: operator as 'EQUALS', value }] }] }],
        roles: [{ id: 'V', kind: 'platform', actions: ['x.read'] }],
        policies: [{ id: 'p', accountId: 'A', subject: { kind: 'group', id: 'g' }, roles: ['V'], resource: {} }],
      });
      return referenceAuthorize(s, request({ id: 'u', claims: { realm: 'idp', attributes } }, 'x.read', { attributes: { accountId: 'A' } })).allowed;
    };
    expect(c('EQUALS', '5', { c: 5 })).toBe(true);
    expect(c('EQUALS', 'true', { c: 'true' })).toBe(true);
    expect(c('EQUALS', '"x"', {})).toBe(false);
    expect(c('NOT_EQUALS', '"x"', {})).toBe(true);
    expect(c('NOT_EQUALS', '"x"', { c: null })).toBe(true);
    expect(c('NOT_EQUALS', '"x"', { c: ['y', 'x'] })).toBe(false);
    expect(c('EQUALS_IGNORE_CASE', '"ENG"', { c: 'eng' })).toBe(true);
    expect(c('NOT_EQUALS_IGNORE_CASE', '"ENG"', { c: ['Eng'] })).toBe(false);
    expect(c('IN', '["a", 1, true]', { c: 'true' })).toBe(true);
    expect(c('IN', '["a", 1]', { c: ['b', '1'] })).toBe(true);
    expect(c('IN', '["a"]', { c: [null, {}] })).toBe(false);
    expect(c('CONTAINS', '"ng"', { c: 'eng' })).toBe(true);
    expect(c('CONTAINS', '"ng"', { c: ['eng'] })).toBe(false);
    expect(c('CONTAINS', '"eng"', { c: ['ops', 'eng'] })).toBe(true);
    expect(c('CONTAINS', '"NG"', { c: 'eng' })).toBe(false);
    expect(c('EQUALS', '"toString"', {})).toBe(false);
  });

  it('explains the first way a group was reached: static, dynamic, claims, public', () => {
    const d = referenceAuthorize(ibm, request({ id: 'alice', claims: { realm: 'idp', attributes: { dept: 'eng' } } }, 'thing.read', inA({ suite: 'devs' })), {
      explain: true,
    });
    expect(d.explanation).toEqual([
      { policyId: 'p-alice', effect: 'allow', source: 'policy', identity: { kind: 'principal', id: 'alice' }, roleId: 'Viewer', actionPattern: 'thing.read' },
      { policyId: 'p-devs', effect: 'allow', source: 'policy', identity: { kind: 'group', id: 'devs', via: 'static' }, roleId: 'Viewer', actionPattern: 'thing.read' },
    ]);
    const pub = referenceAuthorize(ibm, request({}, 'thing.read', inA({ suite: 'public' })), { explain: true });
    expect(pub.explanation?.[0]?.identity).toEqual({ kind: 'group', id: 'AccessGroupId-PublicAccess', via: 'public' });
    const dyn = referenceAuthorize(ibm, request({ id: 'dave' }, 'thing.read', inA({ suite: 'dyn' })), { explain: true });
    expect(dyn.explanation?.[0]?.identity).toEqual({ kind: 'group', id: 'dyn', via: 'dynamic', realm: 'idp', expiresAt: '2025-03-12T11:30:00Z' });
  });
});

describe('referenceAuthorize §2: candidates', () => {
  it('matches action patterns by the trailing-star rule only', () => {
    expect(referenceActionMatch('workspace:*', 'workspace:create')).toBe(true);
    expect(referenceActionMatch('workspace:*', 'workspace:')).toBe(false);
    expect(referenceActionMatch('workspace:*', 'accounts:create')).toBe(false);
    expect(referenceActionMatch('a.b.*', 'a.b.c.d')).toBe(true);
    expect(referenceActionMatch('*', 'anything')).toBe(false);
    expect(referenceActionMatch('a.b', 'a.b')).toBe(true);
    expect(pin(referenceAuthorize(ibm, request({}, 'a.b.c.d', inA({ suite: 'public' }))))).toEqual(allow('p-public'));
    expect(pin(referenceAuthorize(ibm, request({}, 'a.bc', inA({ suite: 'public' }))))).toEqual(noMatch);
  });

  it('grants catalog actions and service-bound role actions only for that service; ignores deleted policies', () => {
    const ask = (action: string, serviceName?: string) =>
      pin(referenceAuthorize(ibm, request({ id: 'dave' }, action, inA(serviceName === undefined ? {} : { serviceName }))));
    expect(ask('kms.key.read', 'kms')).toEqual(allow('p-roles'));
    expect(ask('kms.key.read', 'cos')).toEqual(noMatch);
    expect(ask('kms.key.rotate', 'kms')).toEqual(allow('p-roles'));
    expect(ask('kms.key.rotate')).toEqual(noMatch);
    expect(ask('thing.read')).toEqual(noMatch);
  });

  it('matches service subjects attribute by attribute, as strings', () => {
    const kms = inA({ serviceName: 'kms' });
    expect(pin(referenceAuthorize(ibm, request({ service: { serviceName: 'cos', accountId: 'A', region: 'x' } }, 'kms.key.read', kms)))).toEqual(allow('p-authz'));
    expect(pin(referenceAuthorize(ibm, request({ service: { serviceName: 'cos' } }, 'kms.key.read', kms)))).toEqual(noMatch);
    expect(pin(referenceAuthorize(ibm, request({ id: 'dave' }, 'kms.key.read', kms, T))).policies).toEqual(['p-roles']);
  });
});

describe('referenceAuthorize §3.1-3.2: attributes and tags', () => {
  it('globs with *, ? and {{*}}; everything else is literal', () => {
    expect(referenceGlobMatch('bucket/*', 'bucket/a/b')).toBe(true);
    expect(referenceGlobMatch('*', '')).toBe(true);
    expect(referenceGlobMatch('a?c', 'abc')).toBe(true);
    expect(referenceGlobMatch('a?c', 'ac')).toBe(false);
    expect(referenceGlobMatch('a{{*}}b', 'a*b')).toBe(true);
    expect(referenceGlobMatch('a{{*}}b', 'axb')).toBe(false);
    expect(referenceGlobMatch('a{{?}}', 'a?')).toBe(true);
    expect(referenceGlobMatch('.+', 'ab')).toBe(false);
    expect(referenceGlobMatch('.+', '.+')).toBe(true);
    expect(referenceGlobMatch('[a]*', '[a]x')).toBe(true);
    expect(referenceGlobMatch('*x*', 'a\nx\nb')).toBe(true);
    expect(referenceGlobMatch('ABC', 'abc')).toBe(false);
  });

  it('applies the five operators, derived serviceType and service_group_id', () => {
    const one = (cond: { name: string; operator: 'stringEquals' | 'stringMatch' | 'stringExists' | 'stringEqualsAnyOf' | 'stringMatchAnyOf'; value: string | number | boolean | (string | number | boolean)[] }, attributes: Record<string, string | number | boolean>) => {
      const s = source({
        accounts: [{ id: 'A', system: 'ibm' }],
        services: ibm.services.map((v) => ({ ...v, roles: {} })),
        roles: [{ id: 'V', kind: 'platform', actions: ['x.read'] }],
        policies: [{ id: 'p', accountId: 'A', subject: { kind: 'group', id: 'AccessGroupId-PublicAccess' }, roles: ['V'], resource: { attributes: [cond] } }],
      });
      return referenceAuthorize(s, request({}, 'x.read', inA(attributes))).allowed;
    };
    expect(one({ name: 'n', operator: 'stringEquals', value: 5 }, { n: '5' })).toBe(true);
    expect(one({ name: 'n', operator: 'stringEquals', value: 'true' }, { n: true })).toBe(true);
    expect(one({ name: 'n', operator: 'stringEquals', value: 'x' }, {})).toBe(false);
    expect(one({ name: 'n', operator: 'stringMatch', value: 'a*' }, { n: 'abc' })).toBe(true);
    expect(one({ name: 'n', operator: 'stringExists', value: true }, { n: '' })).toBe(true);
    expect(one({ name: 'n', operator: 'stringExists', value: 'false' }, {})).toBe(true);
    expect(one({ name: 'n', operator: 'stringExists', value: false }, { n: 'x' })).toBe(false);
    expect(one({ name: 'n', operator: 'stringEqualsAnyOf', value: ['a', 'b'] }, { n: 'b' })).toBe(true);
    expect(one({ name: 'n', operator: 'stringMatchAnyOf', value: ['a?', 'b*'] }, { n: 'bzz' })).toBe(true);
    expect(one({ name: 'toString', operator: 'stringExists', value: false }, {})).toBe(true);
    expect(one({ name: 'serviceType', operator: 'stringEquals', value: 'platform_service' }, { serviceName: 'iam-groups', serviceType: 'service' })).toBe(true);
    expect(one({ name: 'serviceType', operator: 'stringEquals', value: 'service' }, { serviceName: 'nope', serviceType: 'service' })).toBe(true);
    expect(one({ name: 'service_group_id', operator: 'stringEquals', value: 'GRP' }, { serviceName: 'iam-groups' })).toBe(true);
    expect(one({ name: 'service_group_id', operator: 'stringEquals', value: 'IAM' }, { serviceName: 'cos', service_group_id: 'IAM' })).toBe(false);
    expect(one({ name: 'service_group_id', operator: 'stringEquals', value: 'IAM' }, { serviceName: 'nope', service_group_id: 'IAM' })).toBe(true);
  });

  it('matches tags case-insensitively, split at the first colon, ANDed', () => {
    const s = source({
      accounts: [{ id: 'A', system: 'ibm' }],
      roles: [{ id: 'V', kind: 'platform', actions: ['x.read'] }],
      policies: [
        {
          id: 'p',
          accountId: 'A',
          subject: { kind: 'group', id: 'AccessGroupId-PublicAccess' },
          roles: ['V'],
          resource: { tags: [{ name: 'Env', value: 'PROD' }, { name: 'url', value: 'http*', operator: 'stringMatch' }] },
        },
      ],
    });
    const ask = (tags: string[]) => referenceAuthorize(s, request({}, 'x.read', inA({}, { tags }))).allowed;
    expect(ask(['env:prod', 'url:https://x'])).toBe(true);
    expect(ask(['ENV:Prod', 'URL:HTTP:8080'])).toBe(true);
    expect(ask(['env:prod'])).toBe(false);
    expect(ask(['env', 'url:http'])).toBe(false);
  });
});

describe('referenceAuthorize §3.3: Cloudflare scopes', () => {
  const cf = source({
    accounts: [{ id: 'C1', system: 'cloudflare' }],
    principals: [{ id: 'm1', accountId: 'C1', kind: 'user' }],
    roles: [
      { id: 'pgA', kind: 'permission-group', scopeType: 'account', actions: ['account:read'] },
      { id: 'pgZ', kind: 'permission-group', scopeType: 'zone', actions: ['dns:*'] },
      { id: 'pgZedit', kind: 'permission-group', scopeType: 'zone', actions: ['dns:edit'] },
      { id: 'pgU', kind: 'permission-group', scopeType: 'user', actions: ['user:read'] },
    ],
    resourceGroups: [
      { id: 'rgA', accountId: 'C1', scope: [{ key: 'com.cloudflare.api.account.C1', objects: [{ key: '*' }] }] },
      { id: 'rgZ', accountId: 'C1', scope: [{ key: 'com.cloudflare.api.account.C1', objects: [{ key: 'com.cloudflare.api.account.zone.z1' }] }] },
      { id: 'rgLegacy', accountId: 'C1', scope: [{ key: 'com.cloudflare.api.account.zone.z2', objects: [{ key: '*' }] }] },
      { id: 'rgAll', accountId: 'C1', scope: [{ key: 'com.cloudflare.api.account.C1', objects: [{ key: 'com.cloudflare.api.account.zone.*' }] }] },
      { id: 'rgU', accountId: 'C1', scope: [{ key: 'com.cloudflare.api.user.m1', objects: [{ key: '*' }] }] },
    ],
    policies: [
      { id: 'pA', accountId: 'C1', subject: { kind: 'principal', id: 'm1' }, roles: ['pgA'], resource: { resourceGroups: ['rgA'] } },
      { id: 'pZ', accountId: 'C1', subject: { kind: 'principal', id: 'm1' }, roles: ['pgZ'], resource: { resourceGroups: ['rgZ', 'rgLegacy'] } },
      { id: 'pDeny', accountId: 'C1', effect: 'deny', subject: { kind: 'principal', id: 'm1' }, roles: ['pgZedit'], resource: { resourceGroups: ['rgAll'] } },
      { id: 'pU', accountId: 'C1', subject: { kind: 'principal', id: 'm1' }, roles: ['pgU'], resource: { resourceGroups: ['rgU'] } },
    ],
  });
  const ask = (action: string, resource: Partial<RequestResource>, attributes: Record<string, string> = {}) =>
    pin(referenceAuthorize(cf, request({ id: 'm1' }, action, { ...resource, attributes: { accountId: 'C1', ...attributes } })));

  it('pairs account, zone and user scopes with their resource types', () => {
    expect(ask('account:read', {})).toEqual(allow('pA'));
    expect(ask('account:read', { zones: ['z1'] })).toEqual(noMatch);
    expect(ask('dns:read', { zones: ['z1'] })).toEqual(allow('pZ'));
    expect(ask('dns:read', { zones: ['z2'] })).toEqual(allow('pZ'));
    expect(ask('dns:read', { zones: ['z3'] })).toEqual(noMatch);
    expect(ask('dns:read', {})).toEqual(noMatch);
    expect(ask('user:read', {}, { resourceType: 'user', resource: 'm1' })).toEqual(allow('pU'));
    expect(ask('user:read', {}, { resourceType: 'user', resource: 'm2' })).toEqual(noMatch);
  });

  it('lets a deny over every zone win over an allow', () => {
    expect(ask('dns:edit', { zones: ['z1'] })).toEqual(deny('pDeny'));
    expect(ask('dns:edit', { zones: ['z9'] })).toEqual(deny('pDeny'));
  });
});

describe('referenceAuthorize §3.4: BlueXP nodes', () => {
  const bx = (bindings: SourceInput['bindings'], extra: { fedMembers?: string[] } = {}) =>
    source({
      accounts: [{ id: 'O', system: 'bluexp' }],
      nodes: [
        { id: 'f1', accountId: 'O', kind: 'folder' },
        { id: 'f2', accountId: 'O', kind: 'folder', parentId: 'f1' },
        { id: 'p1', accountId: 'O', kind: 'project', parentId: 'f2' },
        { id: 'p2', accountId: 'O', kind: 'project' },
      ],
      principals: [
        { id: 'u', accountId: 'O', kind: 'user' },
        { id: 'v', accountId: 'O', kind: 'user' },
        { id: 'ag', accountId: 'O', kind: 'agent', projects: ['p1'] },
        { id: 'ag2', accountId: 'O', kind: 'agent', projects: ['p2'] },
      ],
      groups: [{ id: 'fed', accountId: 'O', name: 'fed', federated: true, members: extra.fedMembers ?? ['u', 'v'] }],
      roles: [
        { id: 'member', kind: 'bluexp', actions: ['volume:read'] },
        { id: 'fadmin', kind: 'bluexp', admin: 'folder-or-project', actions: ['volume:read'] },
        { id: 'oadmin', kind: 'bluexp', admin: 'organization', actions: ['volume:read'] },
      ],
      bindings,
    });
  const ask = (s: Source, resource: Partial<RequestResource>, id = 'u', now = T) =>
    pin(referenceAuthorize(s, request({ id }, 'volume:read', { ...resource, attributes: { accountId: 'O' } }, now)));

  it('reaches projects below the bound node; folder associations only for admins', () => {
    const s = bx([
      { id: 'b-member', accountId: 'O', subject: { kind: 'principal', id: 'u' }, roleId: 'member', nodeId: 'f1' },
      { id: 'b-admin', accountId: 'O', subject: { kind: 'principal', id: 'v' }, roleId: 'fadmin', nodeId: 'f1' },
    ]);
    expect(ask(s, { projects: ['p1'] })).toEqual(allow('b-member'));
    expect(ask(s, { projects: ['p2'] })).toEqual(noMatch);
    expect(ask(s, { folders: ['f2'] })).toEqual(noMatch);
    expect(ask(s, { folders: ['f2'] }, 'v')).toEqual(allow('b-admin'));
    expect(ask(s, { projects: ['unknown'] })).toEqual(noMatch);
  });

  it('needs the agent in the project, except for organization admins', () => {
    const s = bx([
      { id: 'b-member', accountId: 'O', subject: { kind: 'principal', id: 'u' }, roleId: 'member', nodeId: 'p1' },
      { id: 'b-org', accountId: 'O', subject: { kind: 'principal', id: 'v' }, roleId: 'oadmin', nodeId: 'O' },
    ]);
    expect(ask(s, { projects: ['p1'], agentId: 'ag' })).toEqual(allow('b-member'));
    expect(ask(s, { projects: ['p1'], agentId: 'ag2' })).toEqual(noMatch);
    expect(ask(s, { projects: ['p1'], agentId: 'ag2' }, 'v')).toEqual(allow('b-org'));
    expect(ask(s, {}, 'v')).toEqual(allow('b-org'));
    expect(ask(s, { agentId: 'ag2' }, 'v')).toEqual(allow('b-org'));
  });

  it('holds a binding strictly before its expiry', () => {
    const s = bx([{ id: 'b', accountId: 'O', subject: { kind: 'principal', id: 'u' }, roleId: 'member', nodeId: 'O', expiresAt: '2025-03-12T10:30:00Z' }]);
    expect(ask(s, {}, 'u', T - 1)).toEqual(allow('b'));
    expect(ask(s, {}, 'u', T)).toEqual(noMatch);
  });

  it('lets a federated group binding count only for a user holding a live direct binding', () => {
    const s = bx([
      { id: 'b-fed', accountId: 'O', subject: { kind: 'group', id: 'fed' }, roleId: 'member', nodeId: 'p2' },
      { id: 'b-u', accountId: 'O', subject: { kind: 'principal', id: 'u' }, roleId: 'member', nodeId: 'p1', expiresAt: '2025-03-12T11:00:00Z' },
    ]);
    expect(ask(s, { projects: ['p2'] }, 'u')).toEqual(allow('b-fed'));
    expect(ask(s, { projects: ['p2'] }, 'v')).toEqual(noMatch);
    expect(ask(s, { projects: ['p2'] }, 'u', T + HOUR)).toEqual(noMatch);
  });
});

describe('referenceAuthorize §3.5: rule conditions', () => {
  const withRule = (rule: object) =>
    source({
      accounts: [{ id: 'A', system: 'ibm' }],
      roles: [{ id: 'V', kind: 'platform', actions: ['x.read'] }],
      policies: [{ id: 'p', accountId: 'A', subject: { kind: 'group', id: 'AccessGroupId-PublicAccess' }, roles: ['V'], resource: {}, rule } as never],
    });
  const leaf = (key: string, operator: string, value: unknown) => withRule({ operator: 'and', conditions: [{ key, operator, value }] });
  const at = (s: Source, now: number, attributes: Record<string, string> = {}) => referenceAuthorize(s, request({}, 'x.read', inA(attributes), now)).allowed;
  const TIME = '{{environment.attributes.current_time}}';
  const DATE = '{{environment.attributes.current_date_time}}';
  const DAY = '{{environment.attributes.day_of_week}}';

  it('compares the time of day at the written offset, in whole seconds', () => {
    expect(at(leaf(TIME, 'timeGreaterThanOrEquals', '10:30:00+00:00'), T)).toBe(true);
    expect(at(leaf(TIME, 'timeGreaterThan', '10:30Z'), T)).toBe(false);
    expect(at(leaf(TIME, 'timeGreaterThan', '10:30Z'), T + 500)).toBe(false);
    expect(at(leaf(TIME, 'timeGreaterThan', '10:30Z'), T + 1000)).toBe(true);
    expect(at(leaf(TIME, 'timeLessThan', '06:00:00-05:00'), T)).toBe(true);
    expect(at(leaf(TIME, 'timeLessThan', '05:30:00-05:00'), T)).toBe(false);
    expect(at(leaf(TIME, 'timeLessThanOrEquals', '05:30:00-05:00'), T)).toBe(true);
  });

  it('compares date-times and ISO weekdays at the written offset', () => {
    expect(at(leaf(DATE, 'dateTimeLessThan', '2025-03-12T12:30:00+02:00'), T)).toBe(false);
    expect(at(leaf(DATE, 'dateTimeLessThanOrEquals', '2025-03-12T12:30:00+02:00'), T)).toBe(true);
    expect(at(leaf(DATE, 'dateTimeGreaterThan', '2025-03-12T10:29:59Z'), T)).toBe(true);
    expect(at(leaf(DAY, 'dayOfWeekEquals', '3+00:00'), T)).toBe(true);
    expect(at(leaf(DAY, 'dayOfWeekEquals', '4+14:00'), T)).toBe(true);
    expect(at(leaf(DAY, 'dayOfWeekAnyOf', ['6Z', '7Z']), T)).toBe(false);
    expect(at(leaf(DAY, 'dayOfWeekAnyOf', ['6Z', '7Z']), T + 4 * 24 * HOUR)).toBe(true);
  });

  it('combines and/or with one nested level and resource attribute leaves', () => {
    const s = withRule({
      operator: 'or',
      conditions: [
        { key: '{{resource.attributes.region}}', operator: 'stringMatch', value: 'us-*' },
        {
          operator: 'and',
          conditions: [
            { key: DAY, operator: 'dayOfWeekEquals', value: '3Z' },
            { key: TIME, operator: 'timeLessThan', value: '09:00:00Z' },
          ],
        },
      ],
    });
    expect(at(s, T, { region: 'us-south' })).toBe(true);
    expect(at(s, T, { region: 'eu-de' })).toBe(false);
    expect(at(s, T - 2 * HOUR, { region: 'eu-de' })).toBe(true);
  });
});

describe('referenceAuthorize §3.6 and §4: errors and the decision', () => {
  const base = () =>
    source({
      accounts: [{ id: 'A', system: 'ibm' }],
      roles: [
        { id: 'V', kind: 'platform', actions: ['x.read'] },
        { id: 'W', kind: 'platform', actions: ['x.*'] },
      ],
      policies: [
        { id: 'p-b', accountId: 'A', subject: { kind: 'group', id: 'AccessGroupId-PublicAccess' }, roles: ['V', 'W'], resource: {} },
        { id: 'p-a', accountId: 'A', subject: { kind: 'group', id: 'AccessGroupId-PublicAccess' }, roles: ['W'], resource: {} },
        { id: 'p-c', accountId: 'A', subject: { kind: 'group', id: 'AccessGroupId-PublicAccess' }, roles: ['V'], resource: { attributes: [{ name: 'n', operator: 'stringEquals', value: 'c' }] } },
      ],
    });
  const ask = (s: Source, opts?: AuthorizeOptions) => referenceAuthorize(s, request({}, 'x.read', inA()), opts);

  it('lists the matching allows sorted, each once, and explains each', () => {
    const d = ask(base(), { explain: true });
    expect(pin(d)).toEqual(allow('p-a', 'p-b'));
    expect(d.errors).toBeUndefined();
    expect(d.explanation?.map((e) => [e.policyId, e.roleId, e.actionPattern])).toEqual([
      ['p-a', 'W', 'x.*'],
      ['p-b', 'V', 'x.read'],
    ]);
    const reversed = base();
    reversed.policies.reverse();
    expect(pin(ask(reversed))).toEqual(allow('p-a', 'p-b'));
  });

  it('never lets an errored allow grant, and lists it', () => {
    const s = base();
    (s.policies[2]!.resource.attributes[0] as { operator: string }).operator = 'stringLike';
    expect(pin(ask(s))).toEqual({ ...allow('p-a', 'p-b'), errors: ['p-c'] });
    s.policies.splice(0, 2);
    expect(pin(ask(s))).toEqual({ ...noMatch, errors: ['p-c'] });
  });

  it('counts an errored deny as a matching deny (fail closed)', () => {
    const s = base();
    s.policies[2]!.effect = 'deny';
    s.policies[2]!.rule = { operator: 'and', conditions: [{ key: '{{environment.attributes.current_time}}', operator: 'timeLessThan', value: '25:00Z' }] };
    s.policies[2]!.resource.attributes = [];
    expect(pin(ask(s))).toEqual({ ...deny('p-c'), errors: ['p-c'] });
  });

  it('lists a binding with a malformed expiry as errored', () => {
    const s = source({
      accounts: [{ id: 'O', system: 'bluexp' }],
      principals: [{ id: 'u', accountId: 'O', kind: 'user' }],
      roles: [{ id: 'member', kind: 'bluexp', actions: ['volume:read'] }],
      bindings: [{ id: 'b', accountId: 'O', subject: { kind: 'principal', id: 'u' }, roleId: 'member', nodeId: 'O', expiresAt: '2025-03-12T11:00:00Z' }],
    });
    s.bindings[0]!.expiresAt = 'tomorrow';
    expect(pin(referenceAuthorize(s, request({ id: 'u' }, 'volume:read', { attributes: { accountId: 'O' } })))).toEqual({ ...noMatch, errors: ['b'] });
  });
});
