// Pins of apply-row.ts (issue 12, MUTATION.md): the one path by which compile builds tables and an update changes them.
// Updated tables are compared with a fresh compile of the same source; rows the schema refuses are compiled too, since
// compile does not validate (what it cannot read grants nothing).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from './compile-source.js';
import { createEngine } from '../engine/engine.js';
import { ValidationError } from '../errors.js';
import { authorize } from '../evaluate/authorize.js';
import { ENTITY_FIELDS, ENTITY_NAMES, entityKey, type Change } from '../model/entities.js';
import { parseSource } from '../model/index.js';
import { referenceAuthorize } from '../testing/reference-evaluator.js';
import type { Source } from '../model/source.js';
import type { AuthorizeRequest } from '../evaluate/types.js';

const NOW = Date.parse('2026-01-05T10:00:00Z');

/** Account `gone` (IBM) holds one of every row that applyRow indexes; `keep` stays. */
const twoAccounts = () =>
  parseSource({
    version: 1,
    accounts: [
      { id: 'keep', system: 'ibm' },
      { id: 'gone', system: 'ibm' },
    ],
    principals: [{ id: 'u', accountId: 'gone', kind: 'user' }],
    groups: [{ id: 'g', accountId: 'gone', name: 'g', members: ['u'] }],
    roles: [{ id: 'viewer', kind: 'service', actions: ['x.read'] }],
    nodes: [{ id: 'n', accountId: 'gone', kind: 'project', parentId: null }],
    memberships: [{ accountId: 'gone', principalId: 'u', groupId: 'g', realm: 'idp', loginAt: '2026-01-05T09:00:00Z', expiresAt: '2026-01-05T11:00:00Z' }],
    bindings: [{ id: 'b', accountId: 'gone', subject: { kind: 'principal', id: 'u' }, roleId: 'viewer', nodeId: 'n', expiresAt: '2026-01-05T12:00:00Z' }],
    policies: [
      { id: 'p', accountId: 'gone', subject: { kind: 'principal', id: 'u' }, roles: ['viewer'], resource: {} },
      { id: 'pg', accountId: 'gone', subject: { kind: 'group', id: 'g' }, roles: ['viewer'], resource: {} },
    ],
  });

describe('apply-row: the rows of a deleted account', () => {
  it('deleting an account and then its rows in one batch leaves no table behind, as a fresh compile has none', async () => {
    const e = createEngine({ clock: () => NOW, source: twoAccounts() });
    await e.commit([
      { op: 'delete', entity: 'account', key: 'gone' },
      { op: 'delete', entity: 'membership', key: entityKey('membership', e.source.memberships[0]!) },
      { op: 'delete', entity: 'binding', key: 'b' },
      { op: 'delete', entity: 'policy', key: 'p' },
      { op: 'delete', entity: 'policy', key: 'pg' },
      { op: 'delete', entity: 'group', key: 'gone/g' },
      { op: 'delete', entity: 'principal', key: 'gone/u' },
      { op: 'delete', entity: 'node', key: 'n' },
    ]);
    expect([...e.tables.accounts.keys()]).toEqual(['keep']);
    expect([...compile(e.source).accounts.keys()]).toEqual(['keep']);
    expect(e.tables.size).toBe(0);
  });
});

describe('apply-row: a group deleted with its policy', () => {
  it('deleting a group, then the policy naming it, in one batch leaves what a fresh compile builds', async () => {
    const e = createEngine({ clock: () => NOW, source: twoAccounts() });
    await e.commit([
      { op: 'delete', entity: 'group', key: 'gone/g' },
      { op: 'delete', entity: 'policy', key: 'pg' },
      { op: 'delete', entity: 'membership', key: entityKey('membership', e.source.memberships[0]!) },
    ]);
    expect(e.tables.size).toBe(2);
    expect([...e.tables.accounts.get('gone')!.groups.keys()]).toEqual([]);
    expect(e.tables.accounts.get('gone')!.principals.get('u')!.staticGroups).toEqual([]);
  });
});

describe('apply-row: rows of a new account', () => {
  it('applies a group and a principal put before their account’s own row in the batch', async () => {
    const e = createEngine({ clock: () => NOW, source: twoAccounts() });
    await e.commit([
      { op: 'put', entity: 'group', value: { id: 'g', accountId: 'new', name: 'g', description: '', members: ['q'], rules: [], federated: false } },
      { op: 'put', entity: 'principal', value: { id: 'q', accountId: 'new', kind: 'user', status: 'active', locked: false, projects: [] } },
      { op: 'put', entity: 'account', value: { id: 'new', system: 'ibm', publicAccess: true, options: { saasEnabled: true, thirdPartyServicesEnabled: true, notificationOptIn: false } } },
    ]);
    const a = e.tables.accounts.get('new')!;
    expect([...a.groups.keys()]).toEqual(['g']);
    expect(a.principals.get('q')!.active).toBe(true);
    expect(a.principals.get('q')!.staticGroups).toEqual([a.groups.get('g')]);
  });
});

describe('apply-row: the count of compiled policies and bindings', () => {
  it('counts each policy and binding once, and follows updates (a store reads an empty count as an empty database)', async () => {
    const e = createEngine({ clock: () => NOW, source: twoAccounts() });
    expect(e.tables.size).toBe(3);
    expect(compile(e.source).size).toBe(3);
    await e.commit([{ op: 'delete', entity: 'policy', key: 'p' }]);
    expect(e.tables.size).toBe(2);
    await e.commit([{ op: 'delete', entity: 'binding', key: 'b' }]);
    expect(e.tables.size).toBe(1);
    await e.commit([{ op: 'put', entity: 'policy', value: { ...twoAccounts().policies[0]!, id: 'p2' } }]);
    expect(e.tables.size).toBe(2);
    // a policy row in state `deleted` is compiled to nothing, and so is its removal
    await e.commit([{ op: 'put', entity: 'policy', value: { ...twoAccounts().policies[0]!, id: 'p3', state: 'deleted' } }]);
    expect(e.tables.size).toBe(2);
    await e.commit([{ op: 'delete', entity: 'policy', key: 'p3' }]);
    expect(e.tables.size).toBe(2);
    // a deleted policy row (state `deleted`) is no compiled policy
    expect(compile({ ...e.source, policies: e.source.policies.map((p) => ({ ...p, state: 'deleted' as const })) }).size).toBe(0);
  });
});

describe('apply-row: rows the schema refuses or defaults', () => {
  const ibm = (over: Partial<Source>): Source => ({ ...twoAccounts(), ...over });
  const read = { subject: { id: 'u' }, action: 'x.read', resource: { attributes: { accountId: 'gone' } } };

  it('reads a principal without a status as active and an account without options as the schema defaults them', () => {
    const s = twoAccounts();
    const principal = { id: 'u', accountId: 'gone', kind: 'user' } as Source['principals'][number];
    const account = { id: 'gone', system: 'ibm' } as Source['accounts'][number];
    const t = compile(ibm({ principals: [principal], accounts: [s.accounts[0]!, account] }));
    expect(authorize(t, read, { now: NOW }).allowed).toBe(true);
    const a = t.accounts.get('gone')!;
    expect([a.publicAccess, a.thirdPartyServicesEnabled, a.saasEnabled, a.principals.get('u')!.active]).toEqual([true, true, true, true]);
  });

  it('gives a membership whose login or expiry cannot be read no group and no instant', () => {
    const s = twoAccounts();
    const m = s.memberships[0]!;
    for (const bad of [{ ...m, loginAt: 'soon' }, { ...m, expiresAt: 'later' }]) {
      const a = compile(ibm({ memberships: [bad], bindings: [] })).accounts.get('gone')!;
      expect(a.principals.get('u')!.dynamic).toEqual([]);
      expect(a.expiries).toEqual([]);
    }
  });

  it('lists no instant for a binding whose expiry cannot be read (the binding is errored)', () => {
    const s = twoAccounts();
    const t = compile(ibm({ bindings: [{ ...s.bindings[0]!, expiresAt: 'soon' }] }));
    expect(t.accounts.get('gone')!.expiries).toEqual(['2026-01-05T09:00:00Z', '2026-01-05T11:00:00Z'].map(Date.parse));
  });
});

// Survivors of the mutcmp4 run of lines 1-100 (MUTATION.md, section "mutcmp4").
describe('apply-row: a policy deleted by an update leaves its subject’s index', () => {
  const dir = fileURLToPath(new URL('../../../../test/conformance/', import.meta.url));
  const ibm = JSON.parse(readFileSync(join(dir, 'ibm-access.json'), 'utf8')) as { source: unknown; cases: { request: AuthorizeRequest }[] };

  // the subjects whose index existingIndex finds apart from the others: the public access group (not in the account's
  // groups map) and a service (an authorization policy: the account's service index)
  for (const id of ['pol-authz', 'pol-public']) {
    it(`${id}: every case decides as a fresh compile of the source without it`, async () => {
      const e = createEngine({ clock: () => NOW, source: ibm.source as Source, cacheSize: 0 });
      expect(e.source.policies.some((p) => p.id === id)).toBe(true);
      const before = ibm.cases.map((c) => authorize(e.tables, c.request).allowed);
      await e.commit([{ op: 'delete', entity: 'policy', key: id }]);
      const fresh = compile(e.source);
      const after = ibm.cases.map((c) => authorize(e.tables, c.request));
      expect(after).toEqual(ibm.cases.map((c) => authorize(fresh, c.request)));
      // the policy decided some case: without it, that case is no longer allowed
      expect(after.filter((d, i) => before[i] && !d.allowed).length).toBeGreaterThan(0);
    });
  }
});

describe('apply-row: the instants of an update', () => {
  it('inserts a binding’s expiry in order wherever it falls, as a fresh compile lists them', async () => {
    const e = createEngine({ clock: () => NOW, source: twoAccounts() });
    const b = twoAccounts().bindings[0]!;
    // after every instant, then between two of them
    for (const [id, at] of [
      ['late', '2026-01-05T13:00:00Z'],
      ['mid', '2026-01-05T10:00:00Z'],
    ] as const) {
      await e.commit([{ op: 'put', entity: 'binding', value: { ...b, id, expiresAt: at } }]);
      expect(e.tables.accounts.get('gone')!.expiries).toEqual(compile(e.source).accounts.get('gone')!.expiries);
    }
    expect(e.tables.accounts.get('gone')!.expiries).toEqual(
      ['2026-01-05T09:00:00Z', '2026-01-05T10:00:00Z', '2026-01-05T11:00:00Z', '2026-01-05T12:00:00Z', '2026-01-05T13:00:00Z'].map(Date.parse),
    );
  });
});

describe('apply-row: an account with a time rule', () => {
  // a decision of such an account can change at an instant no row lists, so the decision cache never holds it
  const ruled = () =>
    parseSource({
      version: 1,
      accounts: [{ id: 'acc', system: 'ibm' }],
      principals: [{ id: 'u', accountId: 'acc', kind: 'user' }],
      roles: [{ id: 'reader', kind: 'service', actions: ['kms.read'] }],
      resources: [{ id: 'r', accountId: 'acc', attributes: { serviceName: 'kms' } }],
      policies: [
        {
          id: 'until-june',
          accountId: 'acc',
          subject: { kind: 'principal', id: 'u' },
          roles: ['reader'],
          resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'kms' }] },
          rule: { key: '{{environment.attributes.current_date_time}}', operator: 'dateTimeLessThan', value: '2026-06-01T00:00:00+00:00' },
        },
      ],
    });
  const request = { subject: { id: 'u' }, action: 'kms.read', resource: { id: 'r' } };

  it('is marked by compile and by an update, and a cached allow is not served past the rule’s end', async () => {
        expect(compile(ruled()).accounts.get('acc')!.timeRules).toBe(true);
    let now = Date.parse('2026-05-31T23:00:00Z');
    const e = createEngine({ clock: () => now, source: { ...ruled(), policies: [] } });
    expect(e.tables.accounts.get('acc')!.timeRules).toBe(false);
    await e.commit([{ op: 'put', entity: 'policy', value: ruled().policies[0]! }]);
        expect(e.tables.accounts.get('acc')!.timeRules).toBe(true);
    expect(e.authorize(request).allowed).toBe(true);
    now = Date.parse('2026-06-01T00:00:00Z');
    expect(e.authorize(request).allowed).toBe(false);
  });
});

describe('apply-row: a membership deleted by an update', () => {
  it('leaves the principal’s other memberships, of another group or another realm, as a fresh compile has them', async () => {
    const s = twoAccounts();
    const m = s.memberships[0]!;
    const source: Source = {
      ...s,
      groups: [...s.groups, { ...s.groups[0]!, id: 'g2', name: 'g2', members: [] }],
      memberships: [m, { ...m, groupId: 'g2' }, { ...m, realm: 'idp2' }],
    };
    const e = createEngine({ clock: () => NOW, source });
    await e.commit([{ op: 'delete', entity: 'membership', key: entityKey('membership', m) }]);
    const held = (t: ReturnType<typeof compile>) => t.accounts.get('gone')!.principals.get('u')!.dynamic.map((d) => `${d.group.id} ${d.realm}`);
    expect(held(e.tables)).toEqual(['g2 idp', 'g idp2']);
    expect(held(compile(e.source))).toEqual(['g2 idp', 'g idp2']);
  });
});

describe('apply-row: a principal deleted by an update', () => {
  it('decides as a fresh compile without it: nothing granted to its id, its projects and email gone', async () => {
    const s = twoAccounts();
    const e = createEngine({ clock: () => NOW, source: { ...s, principals: [{ ...s.principals[0]!, email: 'u@example.com', projects: ['n'] }] }, cacheSize: 0 });
    const read = { subject: { id: 'u' }, action: 'x.read', resource: { attributes: { accountId: 'gone' } } };
    expect(authorize(e.tables, read, { now: NOW }).allowed).toBe(true);
    await e.commit([
      { op: 'delete', entity: 'membership', key: entityKey('membership', s.memberships[0]!) },
      { op: 'delete', entity: 'binding', key: 'b' },
      { op: 'delete', entity: 'policy', key: 'p' },
      { op: 'put', entity: 'group', value: { ...s.groups[0]!, members: [] } },
      { op: 'delete', entity: 'principal', key: 'gone/u' },
    ]);
    const pe = e.tables.accounts.get('gone')!.principals.get('u')!;
    expect([pe.active, pe.projects, pe.email]).toEqual([false, [], undefined]);
    expect(authorize(e.tables, read, { now: NOW })).toEqual(authorize(compile(e.source), read, { now: NOW }));
    expect(authorize(e.tables, read, { now: NOW }).allowed).toBe(false);
  });
});

describe('apply-row: a dynamic membership of the Public Access group', () => {
  it('grants nothing, so the group’s policies stay off while public access is off (as the reference decides)', () => {
    const P = 'AccessGroupId-PublicAccess';
    const source = (publicAccess: boolean) =>
      parseSource({
        version: 1,
        accounts: [{ id: 'acc', system: 'ibm', publicAccess }],
        principals: [{ id: 'u', accountId: 'acc', kind: 'user' }],
        groups: [{ id: P, accountId: 'acc', name: 'public' }],
        roles: [{ id: 'reader', kind: 'service', actions: ['kms.read'] }],
        memberships: [{ accountId: 'acc', principalId: 'u', groupId: P, realm: 'idp', loginAt: '2026-01-05T09:00:00Z', expiresAt: '2026-01-05T11:00:00Z' }],
        policies: [{ id: 'p', accountId: 'acc', subject: { kind: 'group', id: P }, roles: ['reader'], resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'kms' }] } }],
      });
    const req = { subject: { id: 'u' }, action: 'kms.read', resource: { attributes: { accountId: 'acc', serviceName: 'kms' } } };
    for (const open of [false, true]) {
      expect(authorize(compile(source(open)), req, { now: NOW }).allowed).toBe(open);
      expect(referenceAuthorize(source(open), req, { now: NOW }).allowed).toBe(open);
    }
    expect(compile(source(false)).accounts.get('acc')!.principals.get('u')!.dynamic).toEqual([]);
  });
});

describe('apply-row: an SSO connector changed by an update', () => {
  it('rebuilds its account’s gate: deleted, then put back, every case decides as a fresh compile', async () => {
    const dir = fileURLToPath(new URL('../../../../test/conformance/', import.meta.url));
    const sso = JSON.parse(readFileSync(join(dir, 'sso-and-options.json'), 'utf8')) as { source: unknown; cases: { request: AuthorizeRequest; options?: { now?: number } }[] };
    const e = createEngine({ clock: () => NOW, source: sso.source as Source, cacheSize: 0 });
    const gate = e.source.ssoConnectors.find((c) => c.enabled === true && c.verification.status === 'verified')!;
    const decide = (t: ReturnType<typeof compile>) => sso.cases.map((c) => authorize(t, c.request, c.options as { now: number } | undefined).reason);
    const gated = decide(e.tables).filter((r) => r === 'sso-required').length;
    expect(gated).toBeGreaterThan(0);
    await e.commit([{ op: 'delete', entity: 'ssoConnector', key: gate.id }]);
    expect(decide(e.tables)).toEqual(decide(compile(e.source)));
    expect(decide(e.tables).filter((r) => r === 'sso-required').length).toBe(0);
    await e.commit([{ op: 'put', entity: 'ssoConnector', value: gate }]);
    expect(decide(e.tables)).toEqual(decide(compile(e.source)));
    expect(decide(e.tables).filter((r) => r === 'sso-required').length).toBe(gated);
  });
});

/**
 * The incremental-equals-fresh property of test/properties.test.ts, which the mutation run leaves out, on the
 * conformance sources: every row of a source deleted, then a few variants of it put (a group's members, rules or
 * federated flag, a principal's status, an account's options, an expiry moved), each by one commit and each followed by
 * the commit that restores it; after every commit each case of the file decides on the updated tables as on a fresh
 * compile of the same source. A change the source refuses (a row others name) is skipped.
 */
describe('apply-row: one-row updates of the conformance sources decide as a fresh compile', () => {
  const dir = fileURLToPath(new URL('../../../../test/conformance/', import.meta.url));
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const later = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
  const variants = (entity: string, row: Record<string, unknown>): Record<string, unknown>[] => {
    switch (entity) {
      case 'group':
        return [{ ...row, members: [] }, { ...row, rules: [] }, { ...row, federated: row['federated'] !== true }];
      case 'principal':
        return [{ ...row, status: row['status'] === 'active' ? 'disabled' : 'active' }];
      case 'account':
        return [{ ...row, publicAccess: row['publicAccess'] === false }];
      case 'binding':
        return [{ ...row, expiresAt: row['expiresAt'] === undefined ? '2026-01-05T10:30:00Z' : undefined }];
      case 'membership':
        return [{ ...row, expiresAt: later(row['loginAt'] as string, 1000) }];
      default:
        return [];
    }
  };
  for (const file of files) {
    it(file, async () => {
      const data = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { source: unknown; cases: { request: AuthorizeRequest; options?: { now?: number | string } }[] };
      const e = createEngine({ clock: () => NOW, source: data.source as Source, cacheSize: 0 });
      const decide = (t: ReturnType<typeof compile>) => data.cases.map((c) => authorize(t, c.request, c.options as { now: number } | undefined));
      const same = () => expect(decide(e.tables)).toEqual(decide(compile(e.source)));
      let applied = 0;
      const tryCommit = async (changes: Change[]): Promise<boolean> => {
        try {
          await e.commit(changes);
        } catch (err) {
          if (err instanceof ValidationError) return false;
          throw err;
        }
        applied++;
        same();
        return true;
      };
      const original = e.source;
      for (const entity of ENTITY_NAMES) {
        if (entity === 'role' || entity === 'service') continue;
        for (const row of original[ENTITY_FIELDS[entity]] as Record<string, unknown>[]) {
          const key = entityKey(entity, row as never);
          const restore: Change = { op: 'put', entity, value: row as never };
          if (await tryCommit([{ op: 'delete', entity, key }])) await tryCommit([restore]);
          for (const v of variants(entity, row)) if (await tryCommit([{ op: 'put', entity, value: v as never }])) await tryCommit([restore]);
        }
      }
      expect(applied).toBeGreaterThan(0);
    });
  }
});

describe('apply-row: the federated flag of the Public Access group', () => {
  // a BlueXP binding may name the Public Access group, which parseSource lets exist with or without a row; a federated
  // group grants only to users with a direct binding (SEMANTICS), so u, with none, is refused when the row says federated
  const P = 'AccessGroupId-PublicAccess';
  const source = (federated: boolean | null): Source =>
    parseSource({
      version: 1,
      accounts: [{ id: 'org-1', system: 'bluexp' }],
      principals: [{ id: 'u', accountId: 'org-1', kind: 'user' }],
      groups: federated === null ? [] : [{ id: P, accountId: 'org-1', name: 'public', federated }],
      roles: [{ id: 'r', kind: 'bluexp', admin: 'organization', actions: ['resource:read'] }],
      bindings: [{ id: 'b', accountId: 'org-1', subject: { kind: 'group', id: P }, roleId: 'r', nodeId: 'org-1' }],
    });
  const read = { subject: { id: 'u' }, action: 'resource:read', resource: { attributes: { accountId: 'org-1' } } };

  it('recompiles the bindings naming it when an update changes its row, as a fresh compile reads them', async () => {
    // from each state of the row (none, plain, federated) to each other, by one commit
    const states = [null, false, true] as const;
    for (const from of states)
      for (const to of states) {
        if (from === to) continue;
        const e = createEngine({ clock: () => NOW, source: source(from), cacheSize: 0 });
        const change: Change = to === null ? { op: 'delete', entity: 'group', key: `org-1/${P}` } : { op: 'put', entity: 'group', value: source(to).groups[0]! };
        await e.commit([change]);
        expect({ from, to, allowed: authorize(e.tables, read, { now: NOW }).allowed }).toEqual({ from, to, allowed: to !== true });
        expect(authorize(compile(e.source), read, { now: NOW }).allowed).toBe(to !== true);
        expect(referenceAuthorize(e.source, read, { now: NOW }).allowed).toBe(to !== true);
      }
  });
});

describe('apply-row: a group deleted by an update', () => {
  it('leaves the memberships of its members in other groups', async () => {
    const s = twoAccounts();
    const e = createEngine({ clock: () => NOW, source: { ...s, groups: [...s.groups, { ...s.groups[0]!, id: 'g2', name: 'g2' }] } });
    await e.commit([{ op: 'delete', entity: 'group', key: 'gone/g2' }]);
    const pe = (t: ReturnType<typeof compile>) => t.accounts.get('gone')!.principals.get('u')!;
    expect(pe(e.tables).dynamic.map((d) => d.group.id)).toEqual(['g']);
    expect(pe(e.tables).staticGroups.map((g) => g.id)).toEqual(['g']);
    expect(pe(compile(e.source)).dynamic.map((d) => d.group.id)).toEqual(['g']);
  });
});

describe('apply-row: a principal’s direct bindings and a federated group', () => {
  // a federated group's binding grants a user only while one of the user's direct bindings holds (SEMANTICS): the
  // latest expiry of those, directBindingUntil, is what addBinding extends and removeBinding recomputes
  const at = (iso: string) => Date.parse(`2026-01-05T${iso}:00Z`);
  const source = (direct: { id: string; expiresAt?: string }[], extra: Partial<Source> = {}): Source =>
    parseSource({
      version: 1,
      accounts: [{ id: 'org', system: 'bluexp' }],
      principals: [{ id: 'x', accountId: 'org', kind: 'user' }, ...(extra.principals ?? [])],
      nodes: [{ id: 'p1', accountId: 'org', kind: 'project', parentId: null }],
      groups: [{ id: 'fed', accountId: 'org', name: 'idp', members: ['x'], federated: true }, ...(extra.groups ?? [])],
      roles: [
        { id: 'member', kind: 'bluexp', actions: ['resource:read'] },
        { id: 'other', kind: 'bluexp', actions: ['workspace:read'] },
      ],
      bindings: [
        { id: 'via-fed', accountId: 'org', subject: { kind: 'group', id: 'fed' }, roleId: 'member', nodeId: 'org' },
        ...direct.map((d) => ({ accountId: 'org', subject: { kind: 'principal' as const, id: 'x' }, roleId: 'other', nodeId: 'p1', ...d })),
        ...(extra.bindings ?? []),
      ],
    });
  const read = { subject: { id: 'x' }, action: 'resource:read', resource: { attributes: { accountId: 'org' } } };
  const allowed = (t: ReturnType<typeof compile>, now: number) => authorize(t, read, { now }).allowed;

  it('holds while the latest direct binding does, whichever order compile applies them in', () => {
    for (const direct of [
      [{ id: 'd-ever' }, { id: 'd-noon', expiresAt: '2026-01-05T12:00:00Z' }],
      [{ id: 'd-noon', expiresAt: '2026-01-05T12:00:00Z' }, { id: 'd-ever' }],
    ]) {
      const s = source(direct);
      expect([allowed(compile(s), at('13:00')), referenceAuthorize(s, read, { now: at('13:00') }).allowed]).toEqual([true, true]);
    }
    const s = source([{ id: 'd-one', expiresAt: '2026-01-05T12:00:00Z' }, { id: 'd-eleven', expiresAt: '2026-01-05T11:00:00Z' }]);
    expect([at('11:30'), at('12:00')].map((t) => allowed(compile(s), t))).toEqual([true, false]);
  });

  it('is recomputed from the bindings left when one is deleted by an update', async () => {
    const e = createEngine({ clock: () => at('10:00'), source: source([{ id: 'd-ever' }, { id: 'd-noon', expiresAt: '2026-01-05T12:00:00Z' }, { id: 'd-eleven', expiresAt: '2026-01-05T11:00:00Z' }]), cacheSize: 0 });
    await e.commit([{ op: 'delete', entity: 'binding', key: 'd-noon' }]);
    expect(allowed(e.tables, at('13:00'))).toBe(true);
    await e.commit([{ op: 'delete', entity: 'binding', key: 'd-ever' }]);
    expect([at('10:30'), at('11:00')].map((t) => allowed(e.tables, t))).toEqual([true, false]);
    expect([at('10:30'), at('11:00')].map((t) => allowed(compile(e.source), t))).toEqual([true, false]);
    await e.commit([{ op: 'delete', entity: 'binding', key: 'd-eleven' }]);
    expect(allowed(e.tables, at('10:30'))).toBe(false);
  });

  it('counts only the principal’s own bindings, not those of a group of the same id', async () => {
    const extra: Partial<Source> = {
      groups: [{ id: 'x', accountId: 'org', name: 'same id', members: [], rules: [], federated: false } as Source['groups'][number]],
      bindings: [{ id: 'to-group-x', accountId: 'org', subject: { kind: 'group', id: 'x' }, roleId: 'other', nodeId: 'p1' }],
    };
    const e = createEngine({ clock: () => at('10:00'), source: source([{ id: 'd-noon', expiresAt: '2026-01-05T12:00:00Z' }, { id: 'd-eleven', expiresAt: '2026-01-05T11:00:00Z' }], extra), cacheSize: 0 });
    await e.commit([{ op: 'delete', entity: 'binding', key: 'd-eleven' }]);
    expect([at('11:30'), at('12:30')].map((t) => allowed(e.tables, t))).toEqual([true, false]);
    expect([at('11:30'), at('12:30')].map((t) => allowed(compile(e.source), t))).toEqual([true, false]);
  });

  it('reads a principal’s own binding as no group’s, even beside a federated group of the same id', () => {
    // an agent is never granted through a federated group: its direct binding must not be compiled as one
    const s = parseSource({
      version: 1,
      accounts: [{ id: 'org', system: 'bluexp' }],
      principals: [{ id: 'x', accountId: 'org', kind: 'agent' }],
      groups: [{ id: 'x', accountId: 'org', name: 'same id', federated: true }],
      roles: [{ id: 'member', kind: 'bluexp', actions: ['resource:read'] }],
      bindings: [{ id: 'own', accountId: 'org', subject: { kind: 'principal', id: 'x' }, roleId: 'member', nodeId: 'org' }],
    });
    expect([allowed(compile(s), at('10:00')), referenceAuthorize(s, read, { now: at('10:00') }).allowed]).toEqual([true, true]);
  });
});

describe('apply-row: a group’s members', () => {
  it('are the ids its row lists and no other', () => {
    const s = parseSource({
      version: 1,
      accounts: [{ id: 'acc', system: 'ibm' }],
      principals: [
        { id: 'u', accountId: 'acc', kind: 'user' },
        { id: 'undefined', accountId: 'acc', kind: 'user' },
      ],
      groups: [{ id: 'g', accountId: 'acc', name: 'g', members: ['u'] }],
      roles: [{ id: 'reader', kind: 'service', actions: ['kms.read'] }],
      policies: [{ id: 'p', accountId: 'acc', subject: { kind: 'group', id: 'g' }, roles: ['reader'], resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'kms' }] } }],
    });
    const ask = (id: string) => authorize(compile(s), { subject: { id }, action: 'kms.read', resource: { attributes: { accountId: 'acc', serviceName: 'kms' } } }, { now: NOW }).allowed;
    expect([ask('u'), ask('undefined')]).toEqual([true, false]);
    // and no entry past the list's end (a junk entry keyed by undefined would be listed by whoever walks the principals)
    expect([...compile(s).accounts.get('acc')!.principals.keys()]).toEqual(['u', 'undefined']);
  });
});

describe('apply-row: a group row compile reads raw (compile does not validate)', () => {
  it('reads missing members, rules and rule conditions as none', () => {
    const s = twoAccounts();
    const raw = { id: 'g', accountId: 'gone', name: 'g' } as Source['groups'][number];
    const ruled = { ...raw, id: 'r', rules: [{ id: 'rule', realmName: 'idp' }] } as unknown as Source['groups'][number];
    const a = compile({ ...s, groups: [raw, ruled], memberships: [] }).accounts.get('gone')!;
    expect([...a.principals.keys()]).toEqual(['u']);
    expect(a.principals.get('u')!.staticGroups).toEqual([]);
    expect([...a.claimRules].map(([realm, rules]) => [realm, rules.map((r) => [r.group.id, r.ruleId, r.conditions])])).toEqual([['idp', [['r', 'rule', []]]]]);
  });
});

describe('apply-row: a Public Access group row compile reads raw (compile does not validate)', () => {
  it('gives the members and claim rules it lists nothing: the group holds everyone or no one, as public access says', () => {
    const P = 'AccessGroupId-PublicAccess';
    const valid = parseSource({
      version: 1,
      accounts: [{ id: 'acc', system: 'ibm', publicAccess: false }],
      principals: [
        { id: 'u', accountId: 'acc', kind: 'user' },
        { id: 'v', accountId: 'acc', kind: 'user' },
      ],
      groups: [{ id: P, accountId: 'acc', name: 'public' }],
      roles: [{ id: 'reader', kind: 'service', actions: ['kms.read'] }],
      policies: [{ id: 'p', accountId: 'acc', subject: { kind: 'group', id: P }, roles: ['reader'], resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'kms' }] } }],
    });
    // parseSource refuses a Public Access group with members or rules; compile, given one, reads neither
    const listed = { ...valid.groups[0]!, members: ['u'], rules: [{ id: 'all', realmName: 'idp', conditions: [] }] } as unknown as Source['groups'][number];
    expect(() => parseSource({ ...valid, groups: [listed] })).toThrow(ValidationError);
    const t = compile({ ...valid, groups: [listed] });
    const resource = { attributes: { accountId: 'acc', serviceName: 'kms' } };
    expect(authorize(t, { subject: { id: 'u' }, action: 'kms.read', resource }, { now: NOW }).allowed).toBe(false);
    expect(authorize(t, { subject: { id: 'v', claims: { realm: 'idp', attributes: {} } }, action: 'kms.read', resource }, { now: NOW }).allowed).toBe(false);
    const a = t.accounts.get('acc')!;
    expect(a.principals.get('u')!.staticGroups).toEqual([]);
    expect([...a.claimRules.keys()]).toEqual([]);
    // with public access on, the group's policy holds for both, as it does for everyone
    const open = compile({ ...valid, accounts: [{ ...valid.accounts[0]!, publicAccess: true }], groups: [listed] });
    expect(authorize(open, { subject: { id: 'u' }, action: 'kms.read', resource }, { now: NOW }).allowed).toBe(true);
  });
});

describe('apply-row: a membership of a group with no row, compiled raw (compile does not validate)', () => {
  it('grants nothing, even to a policy naming that group', () => {
    const s = twoAccounts();
    const ghost = { ...s.memberships[0]!, groupId: 'ghost' };
    const policy = { ...s.policies[1]!, id: 'pghost', subject: { kind: 'group' as const, id: 'ghost' } };
    // parseSource refuses both rows (no group `ghost`); compile, given them, reads the membership as none
    expect(() => parseSource({ ...s, memberships: [ghost], policies: [policy] })).toThrow(ValidationError);
    const t = compile({ ...s, memberships: [ghost], policies: [policy] });
    const req = { subject: { id: 'u', accountId: 'gone' }, action: 'x.read', resource: { attributes: { accountId: 'gone', serviceName: 'x' } } };
    expect(authorize(t, req, { now: NOW }).allowed).toBe(false);
    expect(t.accounts.get('gone')!.principals.get('u')!.dynamic).toEqual([]);
  });
});

describe('apply-row: a membership put before its new group in one batch', () => {
  it('is applied, as a fresh compile applies it (an update applies the batch in its order, bindings first)', async () => {
    const s = twoAccounts();
    const e = createEngine({ clock: () => NOW, source: { ...s, memberships: [], bindings: [] }, cacheSize: 0 });
    const m = { ...s.memberships[0]!, groupId: 'g-new' };
    const policy = { ...s.policies[1]!, id: 'p-new', subject: { kind: 'group' as const, id: 'g-new' } };
    await e.commit([
      { op: 'put', entity: 'membership', value: m },
      { op: 'put', entity: 'policy', value: policy },
      { op: 'put', entity: 'group', value: { ...s.groups[0]!, id: 'g-new', name: 'new', members: [] } },
    ]);
    const dyn = (t: ReturnType<typeof compile>) => t.accounts.get('gone')!.principals.get('u')!.dynamic.map((d) => `${d.group.id} ${d.realm}`);
    expect(dyn(e.tables)).toEqual(['g-new idp']);
    expect(dyn(compile(e.source))).toEqual(['g-new idp']);
    const read = { subject: { id: 'u' }, action: 'x.read', resource: { attributes: { accountId: 'gone' } } };
    expect(authorize(e.tables, read, { now: NOW })).toEqual(authorize(compile(e.source), read, { now: NOW }));
    expect(authorize(e.tables, read, { now: NOW }).policies).toContain('p-new');
  });
});

describe('apply-row: a membership put before every other row of its new account', () => {
  it('is applied, as a fresh compile applies it', async () => {
    const e = createEngine({ clock: () => NOW, source: twoAccounts(), cacheSize: 0 });
    await e.commit([
      { op: 'put', entity: 'membership', value: { accountId: 'new', principalId: 'q', groupId: 'h', realm: 'idp', loginAt: '2026-01-05T09:00:00Z', expiresAt: '2026-01-05T11:00:00Z' } },
      { op: 'put', entity: 'group', value: { id: 'h', accountId: 'new', name: 'h', description: '', members: [], rules: [], federated: false } },
      { op: 'put', entity: 'principal', value: { id: 'q', accountId: 'new', kind: 'user', status: 'active', locked: false, projects: [] } },
      { op: 'put', entity: 'account', value: { id: 'new', system: 'ibm', publicAccess: true, options: { saasEnabled: true, thirdPartyServicesEnabled: true, notificationOptIn: false } } },
    ]);
    const dyn = (t: ReturnType<typeof compile>) => t.accounts.get('new')!.principals.get('q')!.dynamic.map((d) => d.group.id);
    expect(dyn(e.tables)).toEqual(['h']);
    expect(dyn(compile(e.source))).toEqual(['h']);
  });
});
