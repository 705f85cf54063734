// Decisions that no JSON conformance case can express, because parseSource refuses the sources they need: a policy
// whose rule slipped past validation (errored), a source whose rows were changed after parsing. The compiled evaluator
// must still fail closed on them, and the reference evaluator must agree. Each case was a mutant that no test noticed
// (StrykerJS, issue 12): the check it pins could be removed and every other test still passed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { authorize, authorizeMany, compile, createEngine, parseSource, type AuthorizeRequest, type Source } from '@portcullis/engine';
import { referenceAuthorize } from '@portcullis/engine/testing';

const core = (d: { allowed: boolean; reason: string; policies: string[]; errors?: string[] }) => ({
  allowed: d.allowed,
  reason: d.reason,
  policies: d.policies,
  errors: d.errors ?? [],
});

/** Decides with both evaluators; they must agree. */
function decide(source: Source, request: AuthorizeRequest) {
  const compiled = core(authorize(compile(source), request));
  expect(compiled).toEqual(core(referenceAuthorize(source, request)));
  return compiled;
}

const NOW = { now: '2026-01-05T10:00:00Z' };

describe('an errored policy never grants', () => {
  // p0's rule holds a value validation refuses: it slipped past, so the policy is errored
  const source = parseSource({
    version: 1,
    accounts: [{ id: 'A', system: 'ibm' }],
    roles: [{ id: 'R', kind: 'custom', accountId: 'A', actions: ['svc.read'] }],
    policies: [
      {
        id: 'p0',
        accountId: 'A',
        subject: { kind: 'group', id: 'AccessGroupId-PublicAccess' },
        roles: ['R'],
        resource: { attributes: [{ name: 'resourceId', operator: 'stringEquals', value: 'r1' }] },
        rule: { operator: 'and', conditions: [{ key: '{{resource.attributes.x}}', operator: 'stringExists', value: true }] },
      },
    ],
  });
  (source.policies[0]!.rule!.conditions[0] as { value: unknown }).value = 'maybe';

  it('as the only candidate, on attributes that match', () => {
    const request = { subject: {}, action: 'svc.read', resource: { attributes: { accountId: 'A', resourceId: 'r1', x: 'y' } }, environment: NOW };
    expect(decide(source, request)).toEqual({ allowed: false, reason: 'no-match', policies: [], errors: ['p0'] });
  });
});

describe('Cloudflare scopes hold only in their own account and for their own type', () => {
  const base = () =>
    parseSource({
      version: 1,
      accounts: [
        { id: 'A', system: 'cloudflare' },
        { id: 'B', system: 'cloudflare' },
      ],
      principals: [{ id: 'm', accountId: 'A', kind: 'user' }],
      roles: [
        { id: 'pg-zone', kind: 'permission-group', scopeType: 'zone', actions: ['dns.read'] },
        { id: 'pg-account', kind: 'permission-group', scopeType: 'account', actions: ['dns.read'] },
      ],
      resourceGroups: [
        { id: 'rg-a', accountId: 'A', scope: [{ key: 'com.cloudflare.api.account.A', objects: [{ key: 'com.cloudflare.api.account.zone.z1' }] }] },
        { id: 'rg-b', accountId: 'B', scope: [{ key: 'com.cloudflare.api.account.B', objects: [{ key: 'com.cloudflare.api.account.zone.z1' }] }] },
        { id: 'rg-b-account', accountId: 'B', scope: [{ key: 'com.cloudflare.api.account.B', objects: [{ key: '*' }] }] },
      ],
      policies: [{ id: 'p', accountId: 'A', subject: { kind: 'principal', id: 'm' }, roles: ['pg-zone'], resource: { resourceGroups: ['rg-a'] } }],
    });
  const zone = { subject: { id: 'm' }, action: 'dns.read', resource: { attributes: { accountId: 'A' }, zones: ['z1'] }, environment: NOW };
  const account = { subject: { id: 'm' }, action: 'dns.read', resource: { attributes: { accountId: 'A' } }, environment: NOW };

  it('grants through a resource group of its own account', () => {
    expect(decide(base(), zone)).toEqual({ allowed: true, reason: 'allow', policies: ['p'], errors: [] });
  });

  it('a policy naming a zone scope of another account reaches nothing (a source changed after parsing)', () => {
    const s = base();
    s.policies[0]!.resource.resourceGroups = ['rg-b'];
    expect(decide(s, zone)).toEqual({ allowed: false, reason: 'no-match', policies: [], errors: [] });
  });

  it('a policy naming the account scope of another account reaches nothing', () => {
    const s = base();
    s.policies[0]!.roles = ['pg-account'];
    s.policies[0]!.resource.resourceGroups = ['rg-b-account'];
    expect(decide(s, account)).toEqual({ allowed: false, reason: 'no-match', policies: [], errors: [] });
  });

  it('a permission group paired with a scope of another type never matches', () => {
    const s = base();
    s.policies[0]!.roles = ['pg-account'];
    expect(decide(s, zone)).toEqual({ allowed: false, reason: 'no-match', policies: [], errors: [] });
  });
});

describe('Cloudflare scopes of a role that is no permission group', () => {
  // a custom role has no scope type: the scope's own target type alone decides what it reaches
  const source = (scope: { key: string; objects: { key: string }[] }) =>
    parseSource({
      version: 1,
      accounts: [{ id: 'A', system: 'cloudflare' }],
      principals: [{ id: 'm', accountId: 'A', kind: 'user' }],
      roles: [{ id: 'custom', kind: 'custom', accountId: 'A', actions: ['x.read'] }],
      resourceGroups: [{ id: 'rg', accountId: 'A', scope: [scope] }],
      policies: [{ id: 'p', accountId: 'A', subject: { kind: 'principal', id: 'm' }, roles: ['custom'], resource: { resourceGroups: ['rg'] } }],
    });
  const accountScope = { key: 'com.cloudflare.api.account.A', objects: [{ key: '*' }] };
  const zoneScope = { key: 'com.cloudflare.api.account.A', objects: [{ key: 'com.cloudflare.api.account.zone.z1' }] };
  const userScope = { key: 'com.cloudflare.api.user.u1', objects: [{ key: '*' }] };
  const ask = (resource: AuthorizeRequest['resource']) => ({ subject: { id: 'm' }, action: 'x.read', resource, environment: NOW });
  const atAccount = ask({ attributes: { accountId: 'A' } });
  const atZone = ask({ attributes: { accountId: 'A', resource: 'u1' }, zones: ['z1'] });
  const atUser = ask({ attributes: { accountId: 'A', resourceType: 'user', resource: 'u1' } });
  const yes = (id: string) => ({ allowed: true, reason: 'allow', policies: [id], errors: [] });
  const no = { allowed: false, reason: 'no-match', policies: [], errors: [] };

  it('an account scope reaches the account, not its zones or users', () => {
    expect(decide(source(accountScope), atAccount)).toEqual(yes('p'));
    expect(decide(source(accountScope), atZone)).toEqual(no);
    expect(decide(source(accountScope), atUser)).toEqual(no);
  });

  it('a zone scope reaches its zone, not the account; every zone (`zone.*`) is not the account either', () => {
    expect(decide(source(zoneScope), atZone)).toEqual(yes('p'));
    expect(decide(source(zoneScope), atAccount)).toEqual(no);
    const everyZone = { key: 'com.cloudflare.api.account.A', objects: [{ key: 'com.cloudflare.api.account.zone.*' }] };
    expect(decide(source(everyZone), atZone)).toEqual(yes('p'));
    expect(decide(source(everyZone), atAccount)).toEqual(no);
  });

  it('a user scope reaches that user, not a zone whose resource attribute names the user', () => {
    expect(decide(source(userScope), atUser)).toEqual(yes('p'));
    expect(decide(source(userScope), atZone)).toEqual(no);
  });
});

describe('attribute and subject comparisons that once had no test', () => {
  const ibm = (policy: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    parseSource({
      version: 1,
      accounts: [{ id: 'A', system: 'ibm' }],
      principals: [{ id: 'u', accountId: 'A', kind: 'user' }],
      services: [
        { name: 'cos', type: 'service', groups: ['Other'], roles: { R: ['cos.read'] } },
        { name: 'kms', type: 'service', roles: { R: ['cos.read'] } },
      ],
      roles: [{ id: 'R', kind: 'service' }],
      policies: [{ id: 'p', accountId: 'A', subject: { kind: 'principal', id: 'u' }, roles: ['R'], ...policy }],
      ...extra,
    });
  const read = (attributes: Record<string, string>, more: Partial<AuthorizeRequest['resource']> = {}, subject: AuthorizeRequest['subject'] = { id: 'u' }) => ({
    subject,
    action: 'cos.read',
    resource: { attributes: { accountId: 'A', ...attributes }, ...more },
    environment: NOW,
  });
  const no = { allowed: false, reason: 'no-match', policies: [], errors: [] };

  it('a tag condition compares the tag name, not only its value', () => {
    const s = ibm({ resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'cos' }], tags: [{ name: 'env', value: 'prod' }] } });
    expect(decide(s, read({ serviceName: 'cos' }, { tags: ['env:prod'] })).allowed).toBe(true);
    expect(decide(s, read({ serviceName: 'cos' }, { tags: ['team:prod'] }))).toEqual(no);
  });

  it('a resource accountId condition naming another account is never met', () => {
    const s = ibm({ resource: { attributes: [{ name: 'accountId', operator: 'stringEquals', value: 'B' }, { name: 'serviceName', operator: 'stringEquals', value: 'cos' }] } });
    expect(decide(s, read({ serviceName: 'cos' }))).toEqual(no);
  });

  it('service_group_id holds only for a group the catalogued service has', () => {
    const s = ibm({ resource: { attributes: [{ name: 'service_group_id', operator: 'stringEquals', value: 'IAM' }] } });
    expect(decide(s, read({ serviceName: 'cos' }))).toEqual(no);
    expect(decide(s, read({ serviceName: 'kms', service_group_id: 'IAM' }))).toEqual(no);
  });

  it('a service subject attribute the calling service lacks is not the string "undefined"', () => {
    const s = parseSource({
      version: 1,
      accounts: [{ id: 'A', system: 'ibm' }],
      services: [{ name: 'kms', type: 'service', roles: { R: ['kms.read'] } }],
      roles: [{ id: 'R', kind: 'service' }],
      policies: [
        {
          id: 'p',
          accountId: 'A',
          type: 'authorization',
          subject: { kind: 'service', attributes: { serviceName: 'cos', accountId: 'A', region: 'undefined' } },
          roles: ['R'],
          resource: { attributes: [{ name: 'accountId', operator: 'stringEquals', value: 'A' }, { name: 'serviceName', operator: 'stringEquals', value: 'kms' }] },
        },
      ],
    });
    const call = (service: Record<string, string>) => ({ subject: { service }, action: 'kms.read', resource: { attributes: { accountId: 'A', serviceName: 'kms' } }, environment: NOW });
    expect(decide(s, call({ serviceName: 'cos', accountId: 'A', region: 'undefined' })).allowed).toBe(true);
    expect(decide(s, call({ serviceName: 'cos', accountId: 'A' }))).toEqual(no);
  });
});

describe('a federated group binding counts only for an active user holding a direct binding', () => {
  const source = parseSource({
    version: 1,
    accounts: [{ id: 'O', system: 'bluexp' }],
    nodes: [{ id: 'p1', accountId: 'O', kind: 'project' }],
    principals: [
      { id: 'u', accountId: 'O', kind: 'user' },
      { id: 'ag', accountId: 'O', kind: 'agent', projects: ['p1'] },
      { id: 'svc', accountId: 'O', kind: 'service' },
    ],
    groups: [{ id: 'fed', accountId: 'O', name: 'fed', federated: true, members: ['u', 'ag', 'svc'] }],
    roles: [
      { id: 'viewer', kind: 'bluexp', actions: ['resource:read'] },
      { id: 'other', kind: 'bluexp', actions: ['other:read'] },
    ],
    bindings: [
      { id: 'b-fed', accountId: 'O', subject: { kind: 'group', id: 'fed' }, roleId: 'viewer', nodeId: 'p1' },
      { id: 'b-u', accountId: 'O', subject: { kind: 'principal', id: 'u' }, roleId: 'other', nodeId: 'O', expiresAt: '2026-01-05T10:00:00Z' },
      { id: 'b-ag', accountId: 'O', subject: { kind: 'principal', id: 'ag' }, roleId: 'other', nodeId: 'O' },
      { id: 'b-svc', accountId: 'O', subject: { kind: 'principal', id: 'svc' }, roleId: 'other', nodeId: 'O' },
    ],
  });
  const read = (id: string, now: string) => ({ subject: { id }, action: 'resource:read', resource: { attributes: { accountId: 'O' }, projects: ['p1'] }, environment: { now } });
  const no = { allowed: false, reason: 'no-match', policies: [], errors: [] };

  it('a user, while the direct binding holds, and not at its expiry', () => {
    expect(decide(source, read('u', '2026-01-05T09:59:59.999Z')).allowed).toBe(true);
    expect(decide(source, read('u', '2026-01-05T10:00:00Z'))).toEqual(no);
  });

  it('never an agent or a service account, whatever they hold directly', () => {
    expect(decide(source, read('ag', '2026-01-05T09:00:00Z'))).toEqual(no);
    expect(decide(source, read('svc', '2026-01-05T09:00:00Z'))).toEqual(no);
  });
});

describe('a role granting the action for one service makes its policy a candidate on that service only', () => {
  const source = () =>
    parseSource({
      version: 1,
      accounts: [{ id: 'A', system: 'ibm' }],
      principals: [{ id: 'u', accountId: 'A', kind: 'user' }],
      services: [
        { name: 'S1', type: 'service', roles: { R1: ['svc.read'] } },
        { name: 'S2', type: 'service', roles: { R2: ['svc.read'] } },
      ],
      roles: [
        { id: 'R1', kind: 'service' },
        { id: 'R2', kind: 'service' },
        { id: 'Rany', kind: 'custom', accountId: 'A', actions: ['svc.read'] },
      ],
      policies: [
        { id: 'allow-any', accountId: 'A', subject: { kind: 'principal', id: 'u' }, roles: ['Rany'], resource: { attributes: [] } },
        { id: 'deny-s1', accountId: 'A', effect: 'deny', subject: { kind: 'principal', id: 'u' }, roles: ['R1'], resource: { attributes: [] } },
        {
          id: 'errored-s2',
          accountId: 'A',
          subject: { kind: 'principal', id: 'u' },
          roles: ['R2'],
          resource: { attributes: [] },
          rule: { operator: 'and', conditions: [{ key: '{{resource.attributes.x}}', operator: 'stringExists', value: true }] },
        },
      ],
    });
  const read = (serviceName: string) => ({ subject: { id: 'u' }, action: 'svc.read', resource: { attributes: { accountId: 'A', serviceName } }, environment: NOW });

  it('a deny through a service role refuses on its service', () => {
    const s = source();
    s.policies = s.policies.filter((p) => p.id !== 'errored-s2');
    expect(decide(s, read('S1'))).toEqual({ allowed: false, reason: 'explicit-deny', policies: ['deny-s1'], errors: [] });
    expect(decide(s, read('S2'))).toEqual({ allowed: true, reason: 'allow', policies: ['allow-any'], errors: [] });
  });

  it('an errored policy of another service is not listed on a deny decision', () => {
    const s = source();
    (s.policies[2]!.rule!.conditions[0] as { value: unknown }).value = 'maybe';
    expect(decide(s, read('S1'))).toEqual({ allowed: false, reason: 'explicit-deny', policies: ['deny-s1'], errors: [] });
    expect(decide(s, read('S2'))).toEqual({ allowed: true, reason: 'allow', policies: ['allow-any'], errors: ['errored-s2'] });
  });

  it('an errored allow of the request’s own service, or of every service, is listed on a deny decision', () => {
    const s = source();
    const errored = (id: string, role: string) => ({ ...s.policies[2]!, id, roles: [role], rule: { operator: 'and' as const, conditions: [{ key: '{{resource.attributes.x}}', operator: 'stringExists' as const, value: 'maybe' }] } });
    s.policies = [s.policies[0]!, s.policies[1]!, errored('errored-s1', 'R1'), errored('errored-any', 'Rany'), errored('errored-s2', 'R2')];
    expect(decide(s, read('S1'))).toEqual({ allowed: false, reason: 'explicit-deny', policies: ['deny-s1'], errors: ['errored-any', 'errored-s1'] });
  });
});

describe('a batch checks its shared subject once, and says what authorize says of it', () => {
  const tables = compile(parseSource({ version: 1, accounts: [{ id: 'A', system: 'ibm' }] }));
  const items = [
    { action: 'svc.read', resource: { attributes: { accountId: 'A' } }, environment: NOW },
    { action: '', resource: { attributes: { accountId: 'A' } }, environment: NOW },
  ];
  it('a malformed subject: every item lists the subject issues where authorize does, each its own copy', () => {
    const subject = { id: 5, email: 3, claims: 'x' } as unknown as AuthorizeRequest['subject'];
    const many = authorizeMany(tables, subject, items);
    items.forEach((item, i) => expect(many[i]).toEqual(authorize(tables, { ...item, subject })));
    expect(many[0]!.issues!.map((x) => x.path.join('.'))).toEqual(['subject.email', 'subject.id', 'subject.claims']);
    expect(many[0]!.issues![0]).not.toBe(many[1]!.issues![1]);
    expect(many[0]!.issues![0]!.path).not.toBe(many[1]!.issues![1]!.path);
  });
  it('a well-formed subject adds no issue', () => {
    const many = authorizeMany(tables, { id: 'u' }, items);
    expect(many[0]!.reason).toBe('no-match');
    expect(many[1]!.issues!.map((x) => x.path.join('.'))).toEqual(['action']);
  });
});

describe('the account gates (evaluate/account-gates.ts) decide, never throw, on callers and services the source does not know', () => {
  // StrykerJS at 14:06 (branch-free main, 86.3 %): each case below was a surviving mutant of accountGate
  const file = JSON.parse(readFileSync(new URL('./conformance/sso-and-options.json', import.meta.url), 'utf8')) as { source: unknown };
  const source = parseSource(file.source);
  const at = { now: 1741775400000 };
  const no3p = (subject: AuthorizeRequest['subject'], serviceName = 'volumes') =>
    decide(source, { subject, action: 'volume:read', resource: { attributes: { accountId: 'org-no3p', serviceName } }, environment: at });

  it('third-party services off: a first-party calling service still decides (the caller test is no blanket refusal)', () => {
    expect(no3p({ id: 'u1', service: { serviceName: 'volumes' } })).toEqual({ allowed: true, reason: 'allow', policies: ['b-no3p'], errors: [] });
  });

  it('third-party services off: a calling service outside the catalog is no third party, and does not throw', () => {
    expect(no3p({ id: 'u1', service: { serviceName: 'not-in-catalog' } })).toEqual({ allowed: true, reason: 'allow', policies: ['b-no3p'], errors: [] });
  });

  it('third-party services off: a resource of a service outside the catalog is decided by the policies, and does not throw', () => {
    expect(no3p({ id: 'u1' }, 'not-in-catalog')).toEqual(no3p({ id: 'u1' }, 'volumes'));
  });

  it('an SSO-gated account: a subject id with no principal row is decided by the policies, and does not throw', () => {
    const d = decide(source, { subject: { id: 'nobody-here' }, action: 'account.read', resource: { attributes: { accountId: 'cf-a' } }, environment: at });
    expect(d.reason).not.toBe('sso-required');
    expect(d).toEqual(core(authorize(compile(source), { subject: { id: 'carol' }, action: 'account.read', resource: { attributes: { accountId: 'cf-a' } }, environment: at })));
  });

  it('the SSO refusal names the connector that gates the domain', () => {
    const d = authorize(compile(source), { subject: { id: 'alice' }, action: 'account.read', resource: { attributes: { accountId: 'cf-a' } }, environment: at });
    expect(d).toEqual({ allowed: false, reason: 'sso-required', policies: [], ssoConnector: { id: '0123456789abcdef0123456789abcdef', emailDomain: 'corp.example' } });
  });

  it('a registered email a commit changes is the one the gate reads next (the domain kept on the principal follows its email)', async () => {
    const engine = createEngine({ source, clock: () => at.now, cacheSize: 0 });
    const reason = () => engine.authorize({ subject: { id: 'alice' }, action: 'account.read', resource: { attributes: { accountId: 'cf-a' } } }).reason;
    const alice = source.principals.find((p) => p.id === 'alice')!;
    const { email: _, ...noEmail } = alice;
    expect(reason()).toBe('sso-required');
    expect(reason()).toBe('sso-required');
    await engine.commit([{ op: 'put', entity: 'principal', value: { ...alice, email: 'alice@elsewhere.example' } }]);
    expect(reason()).not.toBe('sso-required');
    // the request's own email is gated: the stored one, of no gate, does not let it through
    const asserted = engine.authorize({ subject: { id: 'alice', email: 'alice@corp.example' }, action: 'account.read', resource: { attributes: { accountId: 'cf-a' } } });
    expect(asserted.reason).toBe('sso-required');
    await engine.commit([{ op: 'put', entity: 'principal', value: noEmail }]);
    expect(reason()).not.toBe('sso-required');
    await engine.commit([{ op: 'put', entity: 'principal', value: { ...alice, email: 'Alice@CORP.example.' } }]);
    expect(reason()).toBe('sso-required');
  });
});
