// A commit checks only the rows a batch can affect (prepareCommit keeps a reference index per source). This
// differential test holds it to the whole-source check: on random batches (deletes that leave references
// dangling, puts that replace rows or reuse a policy id as a binding id, folder trees with cycles and past the
// depth limits, rows that change account) `prepareCommit` must accept exactly what `parseSource` accepts over
// the whole result, and refuse with the same issues.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseSource,
  ValidationError,
  type Change,
  type EntityName,
  type Issue,
  type Source,
} from '@portcullis/engine';
import { applyChanges, ENTITY_FIELDS, ENTITY_NAMES, entityKey, prepareCommit } from '@portcullis/engine/store-kit';
import { ENTITY_SCHEMAS } from '@portcullis/engine/internals';

const EMPTY = parseSource({ version: 1 });
const HAS_SSO = (ENTITY_NAMES as readonly string[]).includes('ssoConnector');

const accountId = fc.constantFrom('a1', 'a2', 'a3', 'a4');
const principalId = fc.constantFrom('u1', 'u2', 'ag1', 'svc/1');
const groupId = fc.constantFrom('g1', 'g2', 'AccessGroupId-PublicAccess');
const roleId = fc.constantFrom('r1', 'r2', 'pg-zone', 'pg-account', 'bx-org', 'bx-fp', 'r-a1');
const nodeId = fc.constantFrom('n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8');
const policyId = fc.constantFrom('p1', 'p2', 'p3', 'b1');
const bindingId = fc.constantFrom('b1', 'b2', 'p1');
const rgId = fc.constantFrom('rg1', 'rg2', 'rg3');
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const instant = fc.constantFrom('2025-01-01T00:00:00Z', '2030-01-01T00:00:00Z');

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
const put = (entity: string) => (value: object) => ({ op: 'put', entity, value }) as unknown as Change;
const del = (entity: string, key: fc.Arbitrary<string>) => key.map((k) => ({ op: 'delete', entity, key: k }) as unknown as Change);
const scoped = (id: fc.Arbitrary<string>) => fc.tuple(accountId, id).map(([a, i]) => `${a}/${i}`);

const account = fc.record({ id: accountId, system: fc.constantFrom('ibm', 'cloudflare', 'bluexp') }).map(put('account'));
const principal = fc
  .record({
    id: principalId,
    accountId,
    kind: fc.constantFrom('user', 'service', 'agent'),
    locked: maybe(fc.boolean()),
    projects: maybe(fc.array(nodeId, { maxLength: 2 })),
  })
  .map(clean)
  .map(put('principal'));
const group = fc
  .record({ id: groupId, accountId, name: fc.constant('g'), members: maybe(fc.array(principalId, { maxLength: 3 })) })
  .map(clean)
  .map(put('group'));
const role = fc
  .record({
    id: roleId,
    kind: fc.constantFrom('platform', 'custom', 'permission-group', 'bluexp'),
    accountId: maybe(accountId),
    scopeType: maybe(fc.constantFrom('account', 'zone')),
    admin: maybe(fc.constantFrom('organization', 'folder-or-project')),
  })
  .map(clean)
  .map(put('role'));
const service = fc
  .record({ name: fc.constantFrom('s1', 's2'), type: fc.constant('service'), roles: maybe(fc.dictionary(roleId, fc.constant(['s.read']), { maxKeys: 2 })) })
  .map(clean)
  .map(put('service'));
const scope = fc.constantFrom(
  { key: 'com.cloudflare.api.account.a3', objects: [{ key: '*' }] },
  { key: 'com.cloudflare.api.account.a3', objects: [{ key: 'com.cloudflare.api.account.zone.z1' }] },
  { key: 'com.cloudflare.api.account.zone.z2', objects: [{ key: '*' }] },
  { key: 'com.cloudflare.api.account.a1', objects: [{ key: '*' }] },
);
const resourceGroup = fc.record({ id: rgId, accountId, scope: fc.array(scope, { minLength: 1, maxLength: 2 }) }).map(put('resourceGroup'));
const policy = fc
  .record({
    id: policyId,
    accountId,
    subject: fc.oneof(fc.record({ kind: fc.constant('principal'), id: principalId }), fc.record({ kind: fc.constant('group'), id: groupId })),
    roles: fc.uniqueArray(roleId, { minLength: 1, maxLength: 2 }),
    resource: fc
      .record({ resourceGroups: maybe(fc.array(rgId, { maxLength: 2 })), nodes: maybe(fc.array(fc.oneof(nodeId, accountId), { maxLength: 2 })) })
      .map(clean),
  })
  .map(put('policy'));
const node = fc
  .record({ id: nodeId, accountId: fc.constantFrom('a2', 'a2', 'a2', 'a4'), kind: fc.constantFrom('folder', 'folder', 'project'), parentId: fc.option(nodeId, { nil: null }) })
  .map(put('node'));
const binding = fc
  .record({
    id: bindingId,
    accountId,
    subject: fc.oneof(fc.record({ kind: fc.constant('principal'), id: principalId }), fc.record({ kind: fc.constant('group'), id: groupId })),
    roleId,
    nodeId: fc.oneof(nodeId, accountId),
    expiresAt: maybe(instant),
  })
  .map(clean)
  .map(put('binding'));
const resource = fc
  .record({
    id: fc.constantFrom('res1', 'res2'),
    accountId,
    projects: maybe(fc.array(nodeId, { maxLength: 2 })),
    folders: maybe(fc.array(nodeId, { maxLength: 2 })),
    agentId: maybe(principalId),
  })
  .map(clean)
  .map(put('resource'));
const membership = fc
  .record({ accountId, principalId, groupId, realm: fc.constantFrom('corp', 'idp'), loginAt: instant, expiresAt: instant })
  .map(put('membership'));
const connectorId = fc.constantFrom('c'.repeat(32), 'd'.repeat(32), 'e'.repeat(32));
const ssoConnector = fc
  .record({ id: connectorId, accountId, emailDomain: fc.constantFrom('example.com', 'example.org'), verification: fc.constant({ code: 'x' }) })
  .map(put('ssoConnector'));

const puts = [account, principal, group, role, service, resourceGroup, policy, node, binding, resource, membership, ...(HAS_SSO ? [ssoConnector] : [])];
const deletes = [
  del('account', accountId),
  del('principal', scoped(principalId)),
  del('group', scoped(groupId)),
  del('role', roleId),
  del('service', fc.constantFrom('s1', 's2')),
  del('resourceGroup', rgId),
  del('policy', policyId),
  del('node', nodeId),
  del('binding', bindingId),
  del('resource', fc.constantFrom('res1', 'res2')),
  ...(HAS_SSO ? [del('ssoConnector', connectorId)] : []),
];
const batch = fc.array(fc.oneof({ weight: 3, arbitrary: fc.oneof(...puts) }, { weight: 2, arbitrary: fc.oneof(...deletes) }), { minLength: 1, maxLength: 5 });

/** A valid base: the universe above mostly present, a folder chain at the depth limit, and padding rows no batch names. */
function base(): Change[] {
  const rows: [string, object][] = [
    ['account', { id: 'a1', system: 'ibm' }],
    ['account', { id: 'a2', system: 'bluexp' }],
    ['account', { id: 'a3', system: 'cloudflare' }],
    ['account', { id: 'pad', system: 'ibm' }],
    ['role', { id: 'r1', kind: 'platform' }],
    ['role', { id: 'r2', kind: 'platform' }],
    ['role', { id: 'pg-zone', kind: 'permission-group', scopeType: 'zone' }],
    ['role', { id: 'pg-account', kind: 'permission-group', scopeType: 'account' }],
    ['role', { id: 'bx-org', kind: 'bluexp', admin: 'organization' }],
    ['role', { id: 'bx-fp', kind: 'bluexp', admin: 'folder-or-project' }],
    ['role', { id: 'r-a1', kind: 'custom', accountId: 'a1' }],
    ['service', { name: 's1', type: 'service', roles: { r1: ['s.read'] } }],
    ['node', { id: 'n0', accountId: 'a2', kind: 'folder' }],
    ['node', { id: 'n1', accountId: 'a2', kind: 'folder', parentId: 'n0' }],
    ['node', { id: 'n2', accountId: 'a2', kind: 'folder', parentId: 'n1' }],
    ['node', { id: 'n3', accountId: 'a2', kind: 'folder', parentId: 'n2' }],
    ['node', { id: 'n4', accountId: 'a2', kind: 'folder', parentId: 'n3' }],
    ['node', { id: 'n5', accountId: 'a2', kind: 'folder', parentId: 'n4' }],
    ['node', { id: 'n6', accountId: 'a2', kind: 'project', parentId: 'n5' }],
    ['node', { id: 'n7', accountId: 'a2', kind: 'project', parentId: 'n0' }],
  ];
  for (const a of ['a1', 'a2', 'a3']) {
    rows.push(['principal', { id: 'u1', accountId: a, kind: 'user' }], ['principal', { id: 'u2', accountId: a, kind: 'user' }]);
    rows.push(['principal', { id: 'svc/1', accountId: a, kind: 'service' }]);
    rows.push(['group', { id: 'g1', accountId: a, name: 'one', members: ['u1'] }], ['group', { id: 'g2', accountId: a, name: 'two' }]);
  }
  rows.push(['principal', { id: 'ag1', accountId: 'a2', kind: 'agent', projects: ['n6'] }]);
  rows.push(['resourceGroup', { id: 'rg1', accountId: 'a3', scope: [{ key: 'com.cloudflare.api.account.a3', objects: [{ key: 'com.cloudflare.api.account.zone.z1' }] }] }]);
  rows.push(['policy', { id: 'p1', accountId: 'a1', subject: { kind: 'group', id: 'g1' }, roles: ['r1', 'r-a1'], resource: {} }]);
  rows.push(['policy', { id: 'p2', accountId: 'a3', subject: { kind: 'principal', id: 'u1' }, roles: ['pg-zone'], resource: { resourceGroups: ['rg1'] } }]);
  rows.push(['policy', { id: 'p3', accountId: 'a2', subject: { kind: 'principal', id: 'u2' }, roles: ['bx-fp'], resource: { nodes: ['n5', 'a2'] } }]);
  rows.push(['binding', { id: 'b1', accountId: 'a2', subject: { kind: 'group', id: 'g1' }, roleId: 'bx-org', nodeId: 'a2' }]);
  rows.push(['binding', { id: 'b2', accountId: 'a2', subject: { kind: 'principal', id: 'u1' }, roleId: 'bx-fp', nodeId: 'n3' }]);
  rows.push(['resource', { id: 'res1', accountId: 'a2', projects: ['n6'], folders: ['n2'], agentId: 'ag1' }]);
  rows.push(['membership', { accountId: 'a1', principalId: 'u2', groupId: 'g2', realm: 'corp', loginAt: '2025-01-01T00:00:00Z', expiresAt: '2030-01-01T00:00:00Z' }]);
  if (HAS_SSO) rows.push(['ssoConnector', { id: 'c'.repeat(32), accountId: 'a3', emailDomain: 'example.com', verification: { code: 'x' } }]);
  // padding: enough rows that no batch here affects a quarter of the source, so commits take the incremental path
  for (let i = 0; i < 60; i++) rows.push(['principal', { id: `pad-u${i}`, accountId: 'pad', kind: 'user' }]);
  for (let i = 0; i < 200; i++) rows.push(['policy', { id: `pad-p${i}`, accountId: 'pad', subject: { kind: 'principal', id: `pad-u${i % 60}` }, roles: ['r1'], resource: {} }]);
  return rows.map(([entity, value]) => ({ op: 'put', entity, value }) as unknown as Change);
}

/** What the whole-source check says of a batch: `rows` when a put row does not parse, else the issues relocated as prepareCommit reports them. */
function wholeSourceVerdict(current: Source, changes: Change[]): 'rows' | Issue[] {
  const parsed: Change[] = [];
  for (const c of changes) {
    if (c.op === 'delete') {
      parsed.push(c);
      continue;
    }
    const r = ENTITY_SCHEMAS[c.entity].safeParse(c.value);
    if (!r.success) return 'rows';
    parsed.push({ ...c, value: r.data } as Change);
  }
  const next = applyChanges(current, parsed);
  try {
    parseSource(next);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    // the batch's last word on each key: the index of the put that left the row, or none when it was deleted
    const lastPut = new Map<string, number | undefined>();
    parsed.forEach((c, i) => lastPut.set(`${c.entity}\u0000${c.op === 'put' ? entityKey(c.entity, c.value as never) : c.key}`, c.op === 'put' ? i : undefined));
    const entityOf = new Map<string, EntityName>(ENTITY_NAMES.map((n) => [ENTITY_FIELDS[n], n]));
    return (e as ValidationError).issues.map((issue) => {
      const [field, index, ...rest] = issue.path;
      const entity = entityOf.get(field as string)!;
      const key = entityKey(entity, (next[ENTITY_FIELDS[entity]] as never[])[index as number]!);
      const at = lastPut.get(`${entity}\u0000${key}`);
      return { path: at === undefined ? [field as string, key, ...rest] : [at, 'value', ...rest], message: issue.message };
    });
  }
}

const sorted = (issues: Issue[]) => issues.map((i) => JSON.stringify(i)).sort();

describe('incremental commit checks', () => {
  it('accept and refuse exactly what parseSource over the whole result does, with the same issues', () => {
    let refused = 0;
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(batch, { minLength: 1, maxLength: 10 }), (batches) => {
        let current = prepareCommit(EMPTY, base()).source;
        for (const changes of batches) {
          const verdict = wholeSourceVerdict(current, changes);
          let result: ReturnType<typeof prepareCommit> | ValidationError;
          try {
            result = prepareCommit(current, changes);
          } catch (e) {
            expect(e).toBeInstanceOf(ValidationError);
            result = e as ValidationError;
          }
          if (verdict === 'rows') {
            expect(result).toBeInstanceOf(ValidationError);
            continue;
          }
          if (verdict.length > 0) {
            refused++;
            expect(result).toBeInstanceOf(ValidationError);
            expect(sorted((result as ValidationError).issues)).toEqual(sorted(verdict));
            continue;
          }
          accepted++;
          expect(result).not.toBeInstanceOf(ValidationError);
          const prepared = result as ReturnType<typeof prepareCommit>;
          expect(prepared.source).toEqual(applyChanges(current, prepared.changes));
          current = prepared.source;
        }
      }),
      { numRuns: 300 },
    );
    // the property means something only if both verdicts came up often
    expect(refused).toBeGreaterThan(100);
    expect(accepted).toBeGreaterThan(100);
  });

  it('refuses a folder cycle, a folder past the depth limit and a delete that strands a child, naming the rows', () => {
    let current = prepareCommit(EMPTY, base()).source;
    const node = (id: string, parentId: string | null, kind = 'folder') => ({ op: 'put', entity: 'node', value: { id, accountId: 'a2', kind, parentId } }) as unknown as Change;
    const refuse = (changes: Change[]) => {
      try {
        prepareCommit(current, changes);
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        return (e as ValidationError).issues;
      }
      throw new Error('the batch was accepted');
    };
    // n0 under n3 closes a cycle through n0..n3; every node on or below it is at fault
    const cycle = refuse([node('n0', 'n3')]);
    expect(cycle.some((i) => i.path[0] === 0)).toBe(true);
    expect(cycle.some((i) => i.path[0] === 'nodes' && i.path[1] === 'n6')).toBe(true);
    // a seventh folder
    expect(refuse([node('n8', 'n5')])[0]!.path).toEqual([0, 'value', 'parentId']);
    // n4 deleted: n5 names a missing parent, and the binding on n3 survives
    expect(refuse([{ op: 'delete', entity: 'node', key: 'n4' }]).map((i) => i.path.slice(0, 2))).toEqual([['nodes', 'n5']]);
    // a project may sit at level 7, and a chain moved up is fine
    current = prepareCommit(current, [node('n8', 'n5', 'project')]).source;
    current = prepareCommit(current, [node('n3', 'n0')]).source;
    expect(current.nodes.find((n) => n.id === 'n3')!.parentId).toBe('n0');
    // now n8's folder chain is shorter: a folder fits under n5
    current = prepareCommit(current, [node('n9', 'n5')]).source;
    expect(current.nodes.map((n) => n.id)).toContain('n9');
  });
});
