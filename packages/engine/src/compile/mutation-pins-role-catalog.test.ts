// Pins of compile/role-catalog.ts (issue 12, MUTATION.md): what each role grants, on which service, and the interned
// groups the policy index walks.
import { describe, expect, it } from 'vitest';
import { createActionTable } from './action-table.js';
import { buildRoleCatalog, roleInfo } from './role-catalog.js';
import type { Role, Source } from '../model/source.js';

const role = (r: Partial<Role> & Pick<Role, 'id' | 'kind'>): Role => ({ actions: [], ...r });
const catalog = (roles: Role[], services: { name: string; roles: Record<string, string[]> }[]) =>
  ({ roles, services: services.map((s) => ({ type: 'service', groups: [], ...s })) }) as unknown as Source;

describe('buildRoleCatalog', () => {
  it('lists a role’s own actions for any service (or its custom service) and each service’s actions for that service', () => {
    const source = catalog(
      [role({ id: 'viewer', kind: 'service', actions: ['global.read'] }), role({ id: 'mine', kind: 'custom', actions: ['kms.keys.list'], serviceName: 'kms' }), role({ id: 'idle', kind: 'platform' })],
      [
        { name: 'kms', roles: { viewer: ['kms.keys.read', 'kms.*'], nobody: ['kms.keys.delete'] } },
        { name: 'cos', roles: { viewer: ['cos.read'] } },
      ],
    );
    const c = buildRoleCatalog(source);
    expect(c.grants.get('viewer')).toEqual([
      ['global.read', null],
      ['kms.keys.read', 'kms'],
      ['kms.*', 'kms'],
      ['cos.read', 'cos'],
    ]);
    expect(c.grants.get('mine')).toEqual([['kms.keys.list', 'kms']]);
    expect(c.grants.get('idle')).toEqual([]);
    // a service naming a role the catalog does not have grants nothing through it
    expect(c.grants.has('nobody')).toBe(false);
    expect(c.roles.get('mine')?.serviceName).toBe('kms');
    expect([...c.roles.keys()]).toEqual(['viewer', 'mine', 'idle']);
  });

  it('groups each role’s grants by service, exact actions and `*` patterns interned apart, each once', () => {
    const actions = createActionTable();
    const source = catalog([role({ id: 'viewer', kind: 'service', actions: ['global.read', 'global.*', 'global.read'] })], [{ name: 'kms', roles: { viewer: ['kms.keys.read', 'kms.*', 'kms.keys.read', 'kms.*'] } }]);
    const c = buildRoleCatalog(source, actions);
    const groups = c.groups.get('viewer')!;
    const info = { id: 'viewer', scopeType: null, admin: null };
    expect(groups).toEqual([
      { service: null, role: info, actions: [actions.actions.get('global.read')], prefixes: [actions.prefixes.get('global.')] },
      { service: 'kms', role: info, actions: [actions.actions.get('kms.keys.read')], prefixes: [actions.prefixes.get('kms.')] },
    ]);
    expect([...actions.actions.keys()].sort()).toEqual(['global.read', 'kms.keys.read']);
    expect([...actions.prefixes.keys()].sort()).toEqual(['global.', 'kms.']);
    // a role with no grants has no groups, not an empty one
    expect(buildRoleCatalog(catalog([role({ id: 'idle', kind: 'platform' })], [])).groups.get('idle')).toEqual([]);
  });
});

describe('roleInfo', () => {
  it('keeps the scope type of a permission group only, and the BlueXP admin level', () => {
    expect(roleInfo(role({ id: 'pg', kind: 'permission-group', scopeType: 'zone' }))).toEqual({ id: 'pg', scopeType: 'zone', admin: null });
    expect(roleInfo(role({ id: 'pg', kind: 'permission-group' }))).toEqual({ id: 'pg', scopeType: null, admin: null });
    expect(roleInfo(role({ id: 'sv', kind: 'service', scopeType: 'zone' }))).toEqual({ id: 'sv', scopeType: null, admin: null });
    expect(roleInfo(role({ id: 'bx', kind: 'bluexp', admin: 'organization' }))).toEqual({ id: 'bx', scopeType: null, admin: 'organization' });
  });
});
