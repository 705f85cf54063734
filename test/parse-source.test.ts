// parseSource refuses bad input with one ValidationError (`invalid_source`) that lists every issue by path.
// Tests assert the code and the paths, never the wording.
import { describe, expect, it } from 'vitest';
import { ValidationError, parseSource } from '@portcullis/engine';
import { prepareCommit } from '@portcullis/engine/store-kit';

type Path = (string | number)[];

/** A small valid source covering every kind of record; each test breaks one thing in a fresh copy. */
function base(): any {
  return {
    version: 1,
    accounts: [
      { id: 'acc-1', system: 'ibm' },
      { id: 'cf1', system: 'cloudflare' },
      { id: 'cf2', system: 'cloudflare' },
      { id: 'org-1', system: 'bluexp' },
    ],
    principals: [
      { id: 'IBMid-alice', accountId: 'acc-1', kind: 'user' },
      { id: 'cf-bob', accountId: 'cf1', kind: 'user' },
      { id: 'u-1', accountId: 'org-1', kind: 'user' },
    ],
    groups: [
      {
        id: 'AccessGroupId-dev',
        accountId: 'acc-1',
        name: 'developers',
        members: ['IBMid-alice'],
        rules: [
          { id: 'rule-1', realmName: 'https://idp.example.com', expiration: 12, conditions: [{ claim: 'dept', operator: 'EQUALS', value: '"eng"' }] },
        ],
      },
    ],
    services: [{ name: 'cloud-object-storage', type: 'service', roles: { 'role-viewer': ['cloud-object-storage.bucket.list'] } }],
    roles: [
      { id: 'role-viewer', kind: 'platform', actions: ['resource-controller.instance.retrieve'] },
      { id: 'role-writer', kind: 'service', actions: ['a.b.*'] },
      { id: 'pg-zone', kind: 'permission-group', scopeType: 'zone', actions: ['dns.records.read'] },
      { id: 'pg-account', kind: 'permission-group', scopeType: 'account', actions: ['account.settings.read'] },
      { id: 'r-bluexp', kind: 'bluexp', actions: ['resource:read'] },
    ],
    policies: [
      {
        id: 'pol-1',
        accountId: 'acc-1',
        subject: { kind: 'group', id: 'AccessGroupId-dev' },
        roles: ['role-viewer'],
        resource: { attributes: [{ name: 'accountId', operator: 'stringEquals', value: 'acc-1' }] },
      },
      {
        id: 'pol-cf',
        accountId: 'cf1',
        subject: { kind: 'principal', id: 'cf-bob' },
        roles: ['pg-zone'],
        resource: { resourceGroups: ['rg-zones'] },
      },
    ],
    resourceGroups: [
      { id: 'rg-zones', accountId: 'cf1', scope: [{ key: 'com.cloudflare.api.account.cf1', objects: [{ key: 'com.cloudflare.api.account.zone.*' }] }] },
      { id: 'rg-account', accountId: 'cf1', scope: [{ key: 'com.cloudflare.api.account.cf1', objects: [{ key: '*' }] }] },
    ],
    nodes: [
      { id: 'f1', accountId: 'org-1', kind: 'folder' },
      { id: 'p1', accountId: 'org-1', kind: 'project', parentId: 'f1' },
    ],
    bindings: [{ id: 'b-1', accountId: 'org-1', subject: { kind: 'principal', id: 'u-1' }, roleId: 'r-bluexp', nodeId: 'f1' }],
    resources: [{ id: 'res-1', accountId: 'org-1', attributes: { region: 'eu' }, tags: ['Env:Prod'], projects: ['p1'] }],
    memberships: [],
  };
}

/** Parses input that must be refused; returns the error after checking its class and code. */
function refuse(input: unknown): ValidationError {
  let caught: unknown;
  try {
    parseSource(input);
  } catch (e) {
    caught = e;
  }
  expect(caught, 'parseSource should throw').toBeInstanceOf(ValidationError);
  const err = caught as ValidationError;
  expect(err.code).toBe('invalid_source');
  expect(err.issues.length).toBeGreaterThan(0);
  return err;
}

function paths(err: ValidationError): string[] {
  return err.issues.map((i) => JSON.stringify(i.path));
}

/** Expects an issue at exactly each given path (others may be reported too). */
function expectIssuesAt(input: unknown, ...wanted: Path[]): ValidationError {
  const err = refuse(input);
  for (const p of wanted) expect(paths(err), `issue at ${JSON.stringify(p)}`).toContain(JSON.stringify(p));
  return err;
}

/** Applies a change to a fresh valid source. */
function with_(change: (s: any) => void): any {
  const s = base();
  change(s);
  return s;
}

function chain(depth: number): any[] {
  const nodes: any[] = [];
  for (let i = 1; i <= depth; i++) nodes.push({ id: `d${i}`, accountId: 'org-1', kind: 'folder', parentId: i === 1 ? null : `d${i - 1}` });
  return nodes;
}

describe('parseSource: a valid source', () => {
  it('parses and applies defaults', () => {
    const s = parseSource(base());
    const acc = s.accounts[0]!;
    expect(acc.publicAccess).toBe(true);
    expect(acc.options).toEqual({ saasEnabled: true, thirdPartyServicesEnabled: true, notificationOptIn: false });
    const p = s.principals[0]!;
    expect(p.status).toBe('active');
    expect(p.locked).toBe(false);
    expect(p.projects).toEqual([]);
    const g = s.groups[0]!;
    expect(g.description).toBe('');
    expect(g.federated).toBe(false);
    const pol = s.policies[0]!;
    expect(pol.type).toBe('access');
    expect(pol.effect).toBe('allow');
    expect(pol.state).toBe('active');
    expect(pol.resource.tags).toEqual([]);
    expect(s.services[0]!.groups).toEqual([]);
    expect(s.roles[2]!.actions).toEqual(['dns.records.read']);
    expect(s.nodes[0]!.parentId).toBeNull();
    expect(s.resources[0]!.tags).toEqual(['env:prod']);
    expect(s.resources[0]!.folders).toEqual([]);
  });

  it('fills every missing collection with an empty list', () => {
    const s = parseSource({ version: 1 });
    for (const k of ['accounts', 'principals', 'groups', 'services', 'roles', 'policies', 'resourceGroups', 'nodes', 'bindings', 'resources', 'memberships'] as const)
      expect(s[k]).toEqual([]);
  });

  it('lowercases policy tag conditions and accepts the limits exactly', () => {
    const s = parseSource(
      with_((s) => {
        s.policies[0].resource.tags = [{ name: 'Env', value: 'PROD' }];
        s.policies[0].resource.attributes.push({ name: 'region', operator: 'stringEqualsAnyOf', value: Array.from({ length: 10 }, (_, i) => `r${i}`) });
        s.groups[0].name = 'n'.repeat(100);
        s.groups[0].description = 'd'.repeat(250);
        s.groups[0].rules = Array.from({ length: 5 }, (_, i) => ({ ...s.groups[0].rules[0], id: `rule-${i}`, expiration: i === 0 ? 1 : 24 }));
        s.nodes = chain(6);
        s.nodes.push({ id: 'p-deep', accountId: 'org-1', kind: 'project', parentId: 'd6' }, { id: 'p1', accountId: 'org-1', kind: 'project', parentId: null });
        s.bindings[0].nodeId = 'd6';
      }),
    );
    expect(s.policies[0]!.resource.tags).toEqual([{ name: 'env', value: 'prod', operator: 'stringEquals' }]);
  });
});

describe('parseSource: refuses', () => {
  it('wrong types', () => {
    expectIssuesAt({ version: 2 }, ['version']);
    expectIssuesAt({ version: 1, accounts: {} }, ['accounts']);
    expectIssuesAt(with_((s) => (s.principals[0].kind = 'robot')), ['principals', 0, 'kind']);
    expectIssuesAt(with_((s) => (s.groups[0].members = 'IBMid-alice')), ['groups', 0, 'members']);
    expectIssuesAt(with_((s) => (s.accounts[0].publicAccess = 'no')), ['accounts', 0, 'publicAccess']);
    expectIssuesAt(with_((s) => (s.policies[0].roles = [])), ['policies', 0, 'roles']);
    expectIssuesAt(with_((s) => (s.policies[0].resource.attributes[0].value = { a: 1 })), ['policies', 0, 'resource', 'attributes', 0, 'value']);
    refuse(null);
    refuse('source');
    refuse([]);
  });

  it('an unknown attribute operator', () => {
    expectIssuesAt(
      with_((s) => (s.policies[0].resource.attributes[0].operator = 'stringLike')),
      ['policies', 0, 'resource', 'attributes', 0, 'operator'],
    );
  });

  it('eleven values in an AnyOf condition', () => {
    expectIssuesAt(
      with_((s) =>
        s.policies[0].resource.attributes.push({ name: 'region', operator: 'stringMatchAnyOf', value: Array.from({ length: 11 }, (_, i) => `r${i}`) }),
      ),
      ['policies', 0, 'resource', 'attributes', 1, 'value'],
    );
  });

  it('a 101-character group name', () => {
    expectIssuesAt(with_((s) => (s.groups[0].name = 'n'.repeat(101))), ['groups', 0, 'name']);
  });

  it('a 251-character group description', () => {
    expectIssuesAt(with_((s) => (s.groups[0].description = 'd'.repeat(251))), ['groups', 0, 'description']);
  });

  it('__proto__ and constructor as keys', () => {
    expectIssuesAt(JSON.parse('{"version": 1, "__proto__": {"polluted": true}}'), ['__proto__']);
    const nested = JSON.parse(
      '{"version": 1, "accounts": [{"id": "a", "system": "ibm"}], "services": [{"name": "s", "type": "service", "roles": {"__proto__": ["x.y"]}}],' +
        ' "resources": [{"id": "r", "accountId": "a", "attributes": {"constructor": "x"}}]}',
    );
    expectIssuesAt(nested, ['services', 0, 'roles', '__proto__'], ['resources', 0, 'attributes', 'constructor']);
    expectIssuesAt(
      JSON.parse('{"version": 1, "principals": [{"id": "p", "accountId": "a", "kind": "user", "constructor": {"polluted": true}}]}'),
      ['principals', 0, 'constructor'],
    );
  });

  it('__proto__, constructor and prototype as ids', () => {
    expectIssuesAt(with_((s) => (s.groups[0].id = '__proto__')), ['groups', 0, 'id']);
    expectIssuesAt(with_((s) => (s.principals[0].id = 'constructor')), ['principals', 0, 'id']);
    expectIssuesAt(with_((s) => (s.policies[0].id = 'prototype')), ['policies', 0, 'id']);
    expectIssuesAt(with_((s) => (s.accounts[0].id = '__proto__')), ['accounts', 0, 'id']);
  });

  it('a cycle in the folder tree', () => {
    const err = expectIssuesAt(
      with_((s) =>
        s.nodes.push({ id: 'c1', accountId: 'org-1', kind: 'folder', parentId: 'c2' }, { id: 'c2', accountId: 'org-1', kind: 'folder', parentId: 'c1' }),
      ),
      ['nodes', 2, 'parentId'],
      ['nodes', 3, 'parentId'],
    );
    expect(err.issues.length).toBeGreaterThanOrEqual(2);
  });

  it('folders seven deep', () => {
    expectIssuesAt(
      with_((s) => (s.nodes = [...chain(7), { id: 'p1', accountId: 'org-1', kind: 'project', parentId: null }])),
      ['nodes', 6, 'parentId'],
    );
  });

  it('a project under a project', () => {
    expectIssuesAt(with_((s) => s.nodes.push({ id: 'p2', accountId: 'org-1', kind: 'project', parentId: 'p1' })), ['nodes', 2, 'parentId']);
  });

  it('a permission group paired with a scope of another type', () => {
    expectIssuesAt(with_((s) => (s.policies[1].resource.resourceGroups = ['rg-account'])), ['policies', 1, 'roles', 0]);
    expectIssuesAt(with_((s) => (s.policies[1].roles = ['pg-account'])), ['policies', 1, 'roles', 0]);
  });

  it('a scope naming another account', () => {
    expectIssuesAt(
      with_((s) => (s.resourceGroups[0].scope[0].key = 'com.cloudflare.api.account.cf2')),
      ['resourceGroups', 0, 'scope', 0],
    );
  });

  it('an unparseable scope key', () => {
    expectIssuesAt(with_((s) => (s.resourceGroups[1].scope[0].key = 'com.example.account.cf1')), ['resourceGroups', 1, 'scope', 0]);
  });

  it('a claim rule value that is not JSON', () => {
    expectIssuesAt(with_((s) => (s.groups[0].rules[0].conditions[0].value = 'eng')), ['groups', 0, 'rules', 0, 'conditions', 0, 'value']);
  });

  it('an unknown claim operator and IN without an array', () => {
    expectIssuesAt(with_((s) => (s.groups[0].rules[0].conditions[0].operator = 'LIKE')), ['groups', 0, 'rules', 0, 'conditions', 0, 'operator']);
    expectIssuesAt(with_((s) => (s.groups[0].rules[0].conditions[0].operator = 'IN')), ['groups', 0, 'rules', 0, 'conditions', 0, 'value']);
  });

  it('expiration 0 and 25', () => {
    expectIssuesAt(with_((s) => (s.groups[0].rules[0].expiration = 0)), ['groups', 0, 'rules', 0, 'expiration']);
    expectIssuesAt(with_((s) => (s.groups[0].rules[0].expiration = 25)), ['groups', 0, 'rules', 0, 'expiration']);
  });

  it('six claim rules', () => {
    expectIssuesAt(
      with_((s) => (s.groups[0].rules = Array.from({ length: 6 }, (_, i) => ({ ...s.groups[0].rules[0], id: `rule-${i}` })))),
      ['groups', 0, 'rules'],
    );
  });

  it('a role listed twice in a policy', () => {
    expectIssuesAt(with_((s) => (s.policies[0].roles = ['role-viewer', 'role-writer', 'role-viewer'])), ['policies', 0, 'roles', 2]);
  });

  it('unknown role, group and principal references', () => {
    expectIssuesAt(with_((s) => (s.policies[0].roles = ['role-ghost'])), ['policies', 0, 'roles', 0]);
    expectIssuesAt(with_((s) => (s.policies[0].subject.id = 'AccessGroupId-ghost')), ['policies', 0, 'subject', 'id']);
    expectIssuesAt(with_((s) => (s.policies[1].subject.id = 'cf-ghost')), ['policies', 1, 'subject', 'id']);
    expectIssuesAt(with_((s) => (s.groups[0].members = ['IBMid-ghost'])), ['groups', 0, 'members', 0]);
    expectIssuesAt(with_((s) => (s.bindings[0].roleId = 'r-ghost')), ['bindings', 0, 'roleId']);
    expectIssuesAt(with_((s) => (s.bindings[0].subject.id = 'u-ghost')), ['bindings', 0, 'subject', 'id']);
    // a principal of another account is unknown here
    expectIssuesAt(with_((s) => (s.groups[0].members = ['cf-bob'])), ['groups', 0, 'members', 0]);
  });

  it('a Public Access group with members', () => {
    expectIssuesAt(
      with_((s) => s.groups.push({ id: 'AccessGroupId-PublicAccess', accountId: 'acc-1', name: 'Public Access', members: ['IBMid-alice'] })),
      ['groups', 1],
    );
  });

  it('reports several schema issues at once', () => {
    const err = expectIssuesAt(
      with_((s) => {
        s.groups[0].name = 'n'.repeat(101);
        s.groups[0].description = 'd'.repeat(251);
        s.groups[0].rules[0].expiration = 25;
        s.policies[0].resource.attributes[0].operator = 'stringLike';
        s.principals[0].kind = 'robot';
      }),
      ['groups', 0, 'name'],
      ['groups', 0, 'description'],
      ['groups', 0, 'rules', 0, 'expiration'],
      ['policies', 0, 'resource', 'attributes', 0, 'operator'],
      ['principals', 0, 'kind'],
    );
    expect(err.issues.length).toBeGreaterThanOrEqual(5);
  });

  it('reports several reference issues at once', () => {
    const err = expectIssuesAt(
      with_((s) => {
        s.policies[0].roles = ['role-ghost'];
        s.policies[1].subject.id = 'cf-ghost';
        s.groups[0].members = ['IBMid-ghost'];
        s.nodes.push({ id: 'p2', accountId: 'org-1', kind: 'project', parentId: 'p1' });
        s.resourceGroups[0].scope[0].key = 'com.cloudflare.api.account.cf2';
      }),
      ['policies', 0, 'roles', 0],
      ['policies', 1, 'subject', 'id'],
      ['groups', 0, 'members', 0],
      ['nodes', 2, 'parentId'],
      ['resourceGroups', 0, 'scope', 0],
    );
    expect(err.issues.length).toBeGreaterThanOrEqual(5);
  });

  it('reports several forbidden keys at once', () => {
    const err = expectIssuesAt(
      JSON.parse('{"version": 1, "__proto__": {"a": 1}, "accounts": [{"id": "a", "system": "ibm", "constructor": 1, "prototype": 2}]}'),
      ['__proto__'],
      ['accounts', 0, 'constructor'],
      ['accounts', 0, 'prototype'],
    );
    expect(err.issues.length).toBe(3);
  });
});

/** Every plain object of a source value with its path; records (free keys by design) are skipped. */
function objectsOf(value: unknown, path: Path, out: Path[]): Path[] {
  if (Array.isArray(value)) value.forEach((v, i) => objectsOf(v, [...path, i], out));
  else if (value !== null && typeof value === 'object') {
    const last = path[path.length - 1];
    const parent = path[path.length - 2];
    // records: a registered resource's attributes, a service's per-role actions, a service subject's attributes
    const record = (last === 'attributes' && (path[0] === 'resources' || parent === 'subject')) || (last === 'roles' && path[0] === 'services');
    if (!record) out.push(path);
    for (const [k, v] of Object.entries(value)) objectsOf(v, [...path, k], out);
  }
  return out;
}

function at(root: any, path: Path): any {
  return path.reduce((o, k) => o[k], root);
}

describe('parseSource: a source means exactly what it says', () => {
  it('refuses a misspelt key on a principal and at the top', () => {
    expectIssuesAt(with_((s) => (s.principals[0].staus = 'disabled')), ['principals', 0, 'staus']);
    expectIssuesAt({ version: 1, acounts: [{ id: 'a', system: 'ibm' }] }, ['acounts']);
  });

  it('refuses an unknown key in every object of a source, at that key', () => {
    const s = base();
    s.policies.push({
      id: 'pol-rule',
      accountId: 'acc-1',
      subject: { kind: 'principal', id: 'IBMid-alice' },
      roles: ['role-viewer'],
      resource: { attributes: [{ name: 'accountId', operator: 'stringEquals', value: 'acc-1' }], tags: [{ name: 'env', value: 'prod' }] },
      rule: {
        operator: 'and',
        conditions: [
          { key: '{{environment.attributes.current_time}}', operator: 'timeGreaterThan', value: '09:00:00+00:00' },
          { operator: 'or', conditions: [{ key: '{{environment.attributes.day_of_week}}', operator: 'dayOfWeekEquals', value: '1+00:00' }] },
        ],
      },
    });
    s.policies.push({
      id: 'pol-auth',
      accountId: 'acc-1',
      type: 'authorization',
      subject: { kind: 'service', attributes: { serviceName: 'cloud-object-storage', accountId: 'acc-1' } },
      roles: ['role-viewer'],
      resource: { attributes: [{ name: 'accountId', operator: 'stringEquals', value: 'acc-1' }, { name: 'serviceName', operator: 'stringEquals', value: 'kms' }] },
    });
    s.accounts[0].options = { saasEnabled: true };
    s.memberships.push({ accountId: 'acc-1', principalId: 'IBMid-alice', groupId: 'AccessGroupId-dev', realm: 'r', loginAt: '2025-01-01T00:00:00Z', expiresAt: '2025-01-02T00:00:00Z' });
    s.ssoConnectors = [{ id: 'c'.repeat(32), accountId: 'cf1', emailDomain: 'example.com', verification: { code: 'x' } }];
    s.resourceGroups[0].meta = { key: 'k', value: 'v' };
    expect(() => parseSource(s)).not.toThrow();
    const objects = objectsOf(s, [], []);
    expect(objects.length).toBeGreaterThan(40);
    for (const path of objects) {
      const copy = structuredClone(s);
      at(copy, path)['zzUnknown'] = 1;
      expectIssuesAt(copy, [...path, 'zzUnknown']);
    }
  });

  it('refuses an unknown key in a change and in a put row, and writes nothing', () => {
    const current = parseSource(base());
    const fail = (changes: unknown, wanted: Path) => {
      let caught: unknown;
      try {
        prepareCommit(current, changes);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      expect(paths(caught as ValidationError)).toContain(JSON.stringify(wanted));
    };
    const principal = { id: 'u-2', accountId: 'org-1', kind: 'user' };
    expect(() => prepareCommit(current, [{ op: 'put', entity: 'principal', value: principal }])).not.toThrow();
    fail([{ op: 'put', entity: 'principal', value: { ...principal, staus: 'disabled' } }], [0, 'value', 'staus']);
    fail([{ op: 'put', entity: 'principal', value: principal, vaule: {} }], [0, 'vaule']);
    fail([{ op: 'delete', entity: 'principal', key: 'org-1/u-1', value: principal }], [0, 'value']);
  });
});

describe('parseSource: what the operations refuse, loading refuses', () => {
  const authz = (subject: Record<string, unknown>, attributes: { name: string; value: string }[], tags: unknown[] = []) =>
    with_((s) =>
      s.policies.push({
        id: 'pol-authz',
        accountId: 'acc-1',
        type: 'authorization',
        subject: { kind: 'service', attributes: subject },
        roles: ['role-viewer'],
        resource: { attributes: attributes.map((a) => ({ ...a, operator: 'stringEquals' })), tags },
      }),
    );
  const target = [
    { name: 'accountId', value: 'acc-1' },
    { name: 'serviceName', value: 'kms' },
  ];
  const at = (path: Path) => ['policies', 2, ...path];

  it('accepts an authorization policy whose subject and resource name service and account', () => {
    expect(() => parseSource(authz({ serviceName: 'cloud-object-storage', accountId: 'acc-9' }, target))).not.toThrow();
  });

  it('refuses an authorization policy whose subject lacks accountId or serviceName (seed 004)', () => {
    expectIssuesAt(authz({ serviceName: 'cloud-object-storage' }, target), at(['subject', 'attributes']));
    expectIssuesAt(authz({ accountId: 'acc-1' }, target), at(['subject', 'attributes']));
  });

  it('refuses an authorization policy whose resource lacks accountId or serviceName', () => {
    expectIssuesAt(authz({ serviceName: 'cloud-object-storage', accountId: 'acc-1' }, [target[0]!]), at(['resource', 'attributes']));
    expectIssuesAt(authz({ serviceName: 'cloud-object-storage', accountId: 'acc-1' }, [target[1]!]), at(['resource', 'attributes']));
  });

  it('refuses an unknown or non-string authorization subject attribute, and access tags', () => {
    expectIssuesAt(authz({ serviceName: 'cos', accountId: 'acc-1', sourceFlag: 'x' }, target), at(['subject', 'attributes', 'sourceFlag']));
    expectIssuesAt(authz({ serviceName: 'cos', accountId: 'acc-1', region: true }, target), at(['subject', 'attributes', 'region']));
    expectIssuesAt(authz({ serviceName: 'cos', accountId: 'acc-1' }, target, [{ name: 'env', value: 'prod' }]), at(['resource', 'tags']));
  });

  it('refuses a Cloudflare policy that names no resource groups', () => {
    expectIssuesAt(
      with_((s) => delete s.policies[1].resource.resourceGroups),
      ['policies', 1, 'resource', 'resourceGroups'],
    );
  });

  it('refuses the same through an incremental commit, and writes nothing', () => {
    const current = parseSource(base());
    const put = (value: unknown) => {
      let caught: unknown;
      try {
        prepareCommit(current, [{ op: 'put', entity: 'policy', value }]);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      return paths(caught as ValidationError);
    };
    const row = authz({ serviceName: 'cloud-object-storage' }, target).policies[2];
    expect(put(row)).toContain(JSON.stringify([0, 'value', 'subject', 'attributes']));
    const cf = { ...base().policies[1], id: 'pol-cf-2', resource: {} };
    expect(put(cf)).toContain(JSON.stringify([0, 'value', 'resource', 'resourceGroups']));
    expect(current.policies).toHaveLength(2);
  });
});

describe('parseSource: hostile input', () => {
  it('never pollutes Object.prototype', () => {
    const hostile = [
      '{"version": 1, "__proto__": {"polluted": "yes"}}',
      '{"version": 1, "accounts": [{"__proto__": {"polluted": "yes"}, "id": "a", "system": "ibm"}]}',
      '{"version": 1, "services": [{"name": "s", "type": "service", "roles": {"__proto__": {"polluted": "yes"}}}]}',
      '{"version": 1, "resources": [{"id": "r", "accountId": "a", "attributes": {"constructor": {"prototype": {"polluted": "yes"}}}}]}',
      '{"version": 1, "constructor": {"prototype": {"polluted": "yes"}}}',
    ];
    for (const text of hostile) refuse(JSON.parse(text));
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it('a parsed source does not carry a __proto__ own key into its records', () => {
    const s = parseSource(base());
    for (const r of s.resources) expect(Object.getPrototypeOf(r.attributes)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(s, '__proto__')).toBe(false);
  });
});

describe('counterexamples kept as permanent cases', () => {
  it('refuses two stored memberships for the same principal, group and realm', () => {
    const m = { accountId: 'a', principalId: 'u', groupId: 'g', realm: 'r', loginAt: '2025-01-01T00:00:00Z' };
    const input = {
      version: 1,
      accounts: [{ id: 'a', system: 'ibm' }],
      principals: [{ id: 'u', accountId: 'a', kind: 'user' }],
      groups: [{ id: 'g', accountId: 'a', name: 'g' }],
      memberships: [
        { ...m, expiresAt: '2025-01-02T00:00:00Z' },
        { ...m, expiresAt: '2024-12-30T00:00:00Z' },
      ],
    };
    let error: unknown;
    try {
      parseSource(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toContainEqual(['memberships', 1, 'id']);
  });
});
