// Pins of compile/account-scopes.ts (issue 12, MUTATION.md): what is rebuilt per account when rows change — the
// targets of Cloudflare resource groups (and the policies naming them), BlueXP node chains, SSO gates — decided
// through the Engine, whose commits update its tables in place, and through a fresh compile of the same source.
import { describe, expect, it } from 'vitest';
import { authorize, compile, createEngine, type AuthorizeRequest, type Engine } from '@portcullis/engine';
import { compileNodes, resolveResourceGroups } from '../packages/engine/src/compile/account-scopes.js';
import type { AccountTable } from '../packages/engine/src/compile/tables.js';
import type { HierarchyNode } from '../packages/engine/src/model/source.js';

const NOW = Date.parse('2026-01-05T10:00:00Z');
const scope = (account: string, ...objects: string[]) => ({ key: `com.cloudflare.api.account.${account}`, objects: objects.map((key) => ({ key })) });
const zoneKey = (z: string) => `com.cloudflare.api.account.zone.${z}`;

/**
 * Decides on the engine's updated tables and on tables compiled afresh from its source: both must agree, and so must
 * the resource-group targets they keep (a removed group's are dropped, though no valid policy could name it).
 */
function decide(e: Engine, request: AuthorizeRequest): boolean {
  const updated = e.authorize(request).allowed;
  const fresh = compile(e.source);
  expect(authorize(fresh, request, { now: NOW }).allowed).toBe(updated);
  expect(e.tables.resourceGroupTargets).toEqual(fresh.resourceGroupTargets);
  return updated;
}

/** `scopeType`: the permission group's, which its resource group's targets must match (parseSource checks the pair). */
function cloudflare(scopeType: 'zone' | 'account' = 'zone') {
  return createEngine({
    clock: () => NOW,
    source: {
      version: 1,
      accounts: [
        { id: 'A', system: 'cloudflare' },
        { id: 'B', system: 'cloudflare' },
      ],
      principals: [{ id: 'm', accountId: 'A', kind: 'user', email: 'm@corp.example' }],
      roles: [{ id: 'reader', kind: 'permission-group', scopeType, actions: ['x.read'] }],
      resourceGroups: [{ id: 'rg', accountId: 'A', scope: [scopeType === 'zone' ? scope('A', zoneKey('z1')) : scope('A', '*')] }],
      policies: [
        { id: 'p', accountId: 'A', subject: { kind: 'principal', id: 'm' }, roles: ['reader'], resource: { resourceGroups: ['rg'] } },
        { id: 'p-none', accountId: 'A', subject: { kind: 'principal', id: 'm' }, roles: ['reader'], resource: { resourceGroups: [] } },
      ],
    },
  });
}
const atZone = (z: string): AuthorizeRequest => ({ subject: { id: 'm' }, action: 'x.read', resource: { attributes: { accountId: 'A' }, zones: [z] } });

describe('resource groups rebuilt on change', () => {
  it('a changed resource group moves what the policies naming it reach', async () => {
    const e = cloudflare();
    expect(decide(e, atZone('z1'))).toBe(true);
    expect(decide(e, atZone('z2'))).toBe(false);
    await e.commit([{ op: 'put', entity: 'resourceGroup', value: { id: 'rg', accountId: 'A', scope: [scope('A', zoneKey('z2'))] } }]);
    expect(decide(e, atZone('z1'))).toBe(false);
    expect(decide(e, atZone('z2'))).toBe(true);
  });

  it('a policy added after another account’s groups changed still reaches through this account’s group', async () => {
    const e = cloudflare();
    await e.commit([{ op: 'put', entity: 'resourceGroup', value: { id: 'rg-b', accountId: 'B', scope: [scope('B', zoneKey('z1'))] } }]);
    await e.commit([{ op: 'delete', entity: 'policy', key: 'p' }]);
    expect(decide(e, atZone('z1'))).toBe(false);
    // compiled now, from the targets kept for `rg` since the source was loaded
    await e.commit([{ op: 'put', entity: 'policy', value: { id: 'p2', accountId: 'A', subject: { kind: 'principal', id: 'm' }, roles: ['reader'], resource: { resourceGroups: ['rg'] } } }]);
    expect(decide(e, atZone('z1'))).toBe(true);
  });

  it('a group of another account, changed in the same commit, leaves this account’s group as it was', async () => {
    const e = cloudflare();
    await e.commit([{ op: 'put', entity: 'resourceGroup', value: { id: 'rg-b', accountId: 'B', scope: [scope('B', zoneKey('z1'))] } }]);
    expect(decide(e, atZone('z1'))).toBe(true);
    await e.commit([{ op: 'delete', entity: 'resourceGroup', key: 'rg-b' }]);
    expect(decide(e, atZone('z1'))).toBe(true);
  });
});

describe('resource groups outside Cloudflare policies', () => {
  it('a group changed in an account whose policies name no groups leaves them as they were', async () => {
    const e = createEngine({
      clock: () => NOW,
      source: {
        version: 1,
        accounts: [{ id: 'I', system: 'ibm' }],
        principals: [{ id: 'u', accountId: 'I', kind: 'user' }],
        roles: [{ id: 'reader', kind: 'service', actions: ['kms.read'] }],
        resourceGroups: [{ id: 'rg-i', accountId: 'I', scope: [scope('I', zoneKey('z1'))] }],
        policies: [{ id: 'p', accountId: 'I', subject: { kind: 'principal', id: 'u' }, roles: ['reader'], resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'kms' }] } }],
      },
    });
    const read: AuthorizeRequest = { subject: { id: 'u' }, action: 'kms.read', resource: { attributes: { accountId: 'I', serviceName: 'kms' } } };
    expect(decide(e, read)).toBe(true);
    await e.commit([{ op: 'put', entity: 'resourceGroup', value: { id: 'rg-i', accountId: 'I', scope: [scope('I', zoneKey('z2'))] } }]);
    expect(decide(e, read)).toBe(true);
  });

  it('resolveResourceGroups: a scope that does not parse reaches nothing (parseSource refuses it; the compiler fails closed)', () => {
    const targets = resolveResourceGroups({ resourceGroups: [{ id: 'rg', accountId: 'A', scope: [{ key: 'com.cloudflare.api.account.zone.', objects: [] }, scope('A', zoneKey('z1'))] }] });
    expect(targets).toEqual(resolveResourceGroups({ resourceGroups: [{ id: 'rg', accountId: 'A', scope: [scope('A', zoneKey('z1'))] }] }));
    expect(targets.get('rg')).toHaveLength(1);
  });
});

describe('SSO gates rebuilt on change', () => {
  it('a connector enabled by a commit gates its domain’s users at once; disabling it lifts the gate', async () => {
    const e = cloudflare('account');
    const atAccount: AuthorizeRequest = { subject: { id: 'm' }, action: 'x.read', resource: { attributes: { accountId: 'A' } } };
    expect(decide(e, atAccount)).toBe(true);
    const connector = { id: 'c'.repeat(32), accountId: 'A', emailDomain: 'corp.example', enabled: true, verification: { code: 'x', status: 'verified' } };
    await e.commit([{ op: 'put', entity: 'ssoConnector', value: connector }]);
    expect(decide(e, atAccount)).toBe(false);
    expect(decide(e, { ...atAccount, subject: { id: 'm', sso: true } })).toBe(true);
    await e.commit([{ op: 'put', entity: 'ssoConnector', value: { ...connector, enabled: false } }]);
    expect(decide(e, atAccount)).toBe(true);
  });
});

describe('BlueXP node chains rebuilt on change', () => {
  function bluexp() {
    return createEngine({
      clock: () => NOW,
      source: {
        version: 1,
        accounts: [{ id: 'O', system: 'bluexp' }],
        principals: [{ id: 'u', accountId: 'O', kind: 'user' }],
        roles: [{ id: 'viewer', kind: 'bluexp', accountId: 'O', actions: ['volume:read'] }],
        nodes: [
          { id: 'F', accountId: 'O', kind: 'folder', parentId: null },
          { id: 'G', accountId: 'O', kind: 'folder', parentId: null },
          { id: 'P', accountId: 'O', kind: 'project', parentId: 'F' },
        ],
        bindings: [{ id: 'b', accountId: 'O', subject: { kind: 'principal', id: 'u' }, roleId: 'viewer', nodeId: 'F' }],
      },
    });
  }
  const inP: AuthorizeRequest = { subject: { id: 'u' }, action: 'volume:read', resource: { attributes: { accountId: 'O' }, projects: ['P'] } };

  it('a project moved out of a folder leaves its role holders, and a deleted one is reached by none', async () => {
    const e = bluexp();
    expect(decide(e, inP)).toBe(true);
    await e.commit([{ op: 'put', entity: 'node', value: { id: 'P', accountId: 'O', kind: 'project', parentId: 'G' } }]);
    expect(decide(e, inP)).toBe(false);
    await e.commit([{ op: 'put', entity: 'node', value: { id: 'P', accountId: 'O', kind: 'project', parentId: 'F' } }]);
    expect(decide(e, inP)).toBe(true);
    await e.commit([{ op: 'delete', entity: 'node', key: 'P' }]);
    expect(decide(e, inP)).toBe(false);
  });

  it('compileNodes: a chain stops at a parent of another account and at the bound, and always ends at the organization', () => {
    const accounts = new Map<string, AccountTable>();
    const n = (id: string, parentId: string | null, accountId = 'O'): HierarchyNode => ({ id, accountId, kind: 'folder', parentId });
    // a cycle parseSource would refuse: the bound ends the walk
    const chain = Array.from({ length: 70 }, (_, i) => n(`c${i}`, `c${(i + 1) % 70}`));
    compileNodes([n('F', null), n('X', 'F', 'Other'), n('Y', 'X'), n('F1', 'F'), ...chain], accounts);
    const up = (account: string, id: string) => [...accounts.get(account)!.nodes.get(id)!.up];
    expect(up('O', 'F')).toEqual(['F', 'O']);
    expect(up('O', 'F1')).toEqual(['F1', 'F', 'O']);
    expect(up('Other', 'X')).toEqual(['X', 'Other']);
    expect(up('O', 'Y')).toEqual(['Y', 'O']);
    const c0 = up('O', 'c0');
    // 64 steps from c0 reach c64; the organization last
    expect(c0.length).toBe(66);
    expect(c0[64]).toBe('c64');
    expect(c0[65]).toBe('O');
    expect(accounts.get('O')!.nodes.get('F')!.kind).toBe('folder');
  });
});
