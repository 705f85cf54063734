// Pins of the small compile files (issue 12, MUTATION.md): compile-sso.ts, attribute-names.ts, resolve-resource.ts,
// account-table.ts.
import { describe, expect, it } from 'vitest';
import { compile } from './compile-source.js';
import { createEngine } from '../engine/engine.js';
import { authorize } from '../evaluate/authorize.js';
import { entityKey } from '../model/entities.js';
import { parseSource } from '../model/index.js';
import { createAccount } from './account-table.js';
import { ATTR, createAttributeNames, internAttribute } from './attribute-names.js';
import { compileSso } from './compile-sso.js';
import { resolveResource } from './resolve-resource.js';
import type { SsoConnector } from '../model/sso-connector.js';
import type { Source } from '../model/source.js';

const connector = (id: string, emailDomain: string, over: Partial<SsoConnector> = {}): SsoConnector => ({
  id,
  accountId: 'acc',
  emailDomain,
  enabled: true,
  useFedrampLanguage: false,
  verification: { code: 'c', status: 'verified' },
  ...over,
});

describe('compileSso', () => {
  it('gates an account by the domains of its enabled, verified connectors only', () => {
    const a = createAccount('acc');
    compileSso(a, [
      connector('1', 'a.example'),
      connector('2', 'b.example', { enabled: false }),
      connector('3', 'c.example', { enabled: false, verification: { code: 'c', status: 'pending' } }),
      // not reachable through parseSource (enabled needs verified); the compiler does not trust it either
      connector('4', 'd.example', { verification: { code: 'c', status: 'failed' } }),
      connector('5', 'e.example', { accountId: 'other' }),
      connector('6', 'f.example'),
    ]);
    expect(a.sso).toEqual(
      new Map([
        ['a.example', { id: '1', emailDomain: 'a.example' }],
        ['f.example', { id: '6', emailDomain: 'f.example' }],
      ]),
    );
  });

  it('leaves an account without a gate when none gates, dropping one it had', () => {
    const a = createAccount('acc');
    compileSso(a, [connector('1', 'a.example')]);
    expect(a.sso?.size).toBe(1);
    compileSso(a, [connector('1', 'a.example', { enabled: false })]);
    expect(a.sso).toBeNull();
  });
});

describe('attribute names', () => {
  it('fix the ids of what the evaluator reads and intern every other name once, after them', () => {
    const t = createAttributeNames();
    expect([...t]).toEqual([
      ['accountId', ATTR.accountId],
      ['serviceName', ATTR.serviceName],
      ['resourceType', ATTR.resourceType],
      ['resource', ATTR.resource],
      ['serviceType', ATTR.serviceType],
      ['service_group_id', ATTR.serviceGroupId],
    ]);
    expect(new Set(Object.values(ATTR)).size).toBe(6);
    expect(internAttribute(t, 'resource')).toBe(ATTR.resource);
    expect(internAttribute(t, 'region')).toBe(6);
    expect(internAttribute(t, 'zone')).toBe(7);
    expect(internAttribute(t, 'region')).toBe(6);
    expect(t.size).toBe(8);
  });
});

describe('resolveResource', () => {
  it('reads attributes as strings in the resource’s own account, tags lowercased, lists defaulting to none', () => {
    const r = resolveResource({ id: 'r1', accountId: 'acc', attributes: { n: 1, b: false, s: 'x', accountId: 'forged' }, tags: ['Env:Prod', 'team:a'] } as unknown as Source['resources'][number], 7);
    expect(r).toEqual({ id: 'r1', num: 7, accountId: 'acc', attributes: { n: '1', b: 'false', s: 'x', accountId: 'acc' }, tags: ['env:prod', 'team:a'], projects: [], folders: [], zones: [], agentId: undefined });
    // no prototype: a request for `toString` finds no attribute
    expect(Object.getPrototypeOf(r.attributes)).toBeNull();
    const bare = resolveResource({ id: 'r2', accountId: 'acc', projects: ['p'], folders: ['f'], zones: ['z'], agentId: 'ag' } as Source['resources'][number], 8);
    expect(bare).toEqual({ id: 'r2', num: 8, accountId: 'acc', attributes: { accountId: 'acc' }, tags: [], projects: ['p'], folders: ['f'], zones: ['z'], agentId: 'ag' });
  });
});

describe('account-table: entries created on first mention', () => {
  const NOW = Date.parse('2026-01-05T10:00:00Z');
  const source = () =>
    parseSource({
      version: 1,
      accounts: [{ id: 'acc', system: 'ibm' }],
      principals: [{ id: 'u', accountId: 'acc', kind: 'user' }],
      groups: [{ id: 'fed', accountId: 'acc', name: 'fed' }],
      roles: [{ id: 'reader', kind: 'service', actions: ['kms.read'] }],
      memberships: [{ accountId: 'acc', principalId: 'u', groupId: 'fed', realm: 'idp', loginAt: '2026-01-05T09:00:00Z', expiresAt: '2026-01-05T11:00:00Z' }],
      policies: [
        { id: 'p', accountId: 'acc', subject: { kind: 'group', id: 'fed' }, roles: ['reader'], resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'kms' }] } },
      ],
    });
  const read = { subject: { id: 'u' }, action: 'kms.read', resource: { attributes: { accountId: 'acc', serviceName: 'kms' } } };

  it('a principal without its row decides as an anonymous caller (parseSource refuses such a source; compile fails closed)', () => {
    const s = source();
    expect(authorize(compile(s), read, { now: NOW }).allowed).toBe(true);
    expect(authorize(compile({ ...s, principals: [] }), read, { now: NOW }).allowed).toBe(false);
  });

  it('a dynamic membership deleted by a commit grants nothing more', async () => {
    const s = source();
    const e = createEngine({ clock: () => NOW, source: s });
    expect(e.authorize(read).allowed).toBe(true);
    await e.commit([{ op: 'delete', entity: 'membership', key: entityKey('membership', s.memberships[0]!) }]);
    expect(e.authorize(read).allowed).toBe(false);
  });

  it('an account lists exactly the instants its decisions change at, in order: a membership’s login and expiry, a binding’s expiry', () => {
    // compile applies bindings after memberships: the binding's earlier expiry is listed last until the list is sorted
    // (a binding in an IBM account: compile does not validate, and reads it as any other)
    const binding = { id: 'b', accountId: 'acc', subject: { kind: 'principal', id: 'u' }, roleId: 'reader', nodeId: 'acc', expiresAt: '2026-01-05T08:00:00Z' } as const;
    const instants = ['2026-01-05T08:00:00Z', '2026-01-05T09:00:00Z', '2026-01-05T11:00:00Z'].map(Date.parse);
    expect(compile({ ...source(), bindings: [binding] }).accounts.get('acc')!.expiries).toEqual(instants);
  });

  // The defaults of createAccount, createPrincipal and createGroup that a row sets (marked equivalent there) are read
  // only once the row is applied: an update applies bindings first and the other rows in batch order, so a new
  // account, principal and group are mentioned by other rows before their own; each row then sets every field.
  it('every field a row sets is set by its row, even after other rows of the batch mentioned the entry first', async () => {
    const e = createEngine({ clock: () => NOW, source: parseSource({ version: 1, accounts: [{ id: 'acc', system: 'bluexp' }], roles: [{ id: 'viewer', kind: 'bluexp', actions: ['x.read'] }] }) });
    await e.commit([
      { op: 'put', entity: 'binding', value: { id: 'b', accountId: 'new', subject: { kind: 'group', id: 'g' }, roleId: 'viewer', nodeId: 'new' } as never },
      { op: 'put', entity: 'group', value: { id: 'g', accountId: 'new', name: 'g', members: ['ag'], federated: true } as never },
      { op: 'put', entity: 'node', value: { id: 'proj', accountId: 'new', kind: 'project', parentId: null } as never },
      { op: 'put', entity: 'account', value: { id: 'new', system: 'bluexp', publicAccess: false, options: { saasEnabled: false, thirdPartyServicesEnabled: false, notificationOptIn: false } } },
      { op: 'put', entity: 'principal', value: { id: 'ag', accountId: 'new', kind: 'agent', email: 'ag@corp.example', projects: ['proj'] } as never },
    ]);
    const fresh = compile(e.source);
    const fields = (t: typeof fresh) => {
      const a = t.accounts.get('new')!;
      const p = a.principals.get('ag')!;
      return [a.publicAccess, a.thirdPartyServicesEnabled, a.saasEnabled, a.groups.get('g')!.federated, p.kind, p.active, p.projects, p.email];
    };
    expect(fields(e.tables)).toEqual([false, false, false, true, 'agent', true, ['proj'], 'ag@corp.example']);
    expect(fields(e.tables)).toEqual(fields(fresh));
  });
});
