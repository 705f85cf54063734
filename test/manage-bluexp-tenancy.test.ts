// BlueXP Tenancy (seed 001 FAQ) through the public surface: account migration (with a fast-check property that the
// target decides as the source did), account options, update-user notifications, agent and account resources.
// Refusals are pinned by `code` and `status`, never by wording.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  attachAgentResource,
  authorize,
  authorizeUserInAccount,
  bluexpOperations,
  compile,
  createAccountResource,
  deleteServiceResource,
  getAccountOptions,
  listNotificationRecipients,
  migrateAccount,
  parseSource,
  SeedError,
  updateAccountOptions,
  updateAccountUser,
} from '@portcullis/engine';
import { SourceState } from '@portcullis/engine/internals';
import type { AuthorizeRequest, Decision, ManageContext, Source, SourceInput } from '@portcullis/engine';
import { arbRequest, arbSource, referenceAuthorize } from '@portcullis/engine/testing';

const O = 'org1';
const T = 'org2';
const NOW = Date.UTC(2025, 2, 12, 10, 30);
const source: SourceInput = {
  version: 1,
  accounts: [
    { id: O, system: 'bluexp' },
    { id: T, system: 'bluexp' },
    { id: 'cf1', system: 'cloudflare' },
  ],
  nodes: [
    { id: 'f1', accountId: O, kind: 'folder', name: 'Engineering' },
    { id: 'p1', accountId: O, kind: 'project', name: 'PoC', parentId: 'f1' },
    { id: 't-p', accountId: T, kind: 'project', name: 'Dev' },
  ],
  principals: [
    { id: 'admin', accountId: O, kind: 'user', email: 'admin@example.com' },
    { id: 'dev', accountId: O, kind: 'user', email: 'dev@example.com' },
    { id: 'idle', accountId: O, kind: 'user', email: 'idle@example.com', status: 'pending' },
    { id: 'ag1', accountId: O, kind: 'agent', projects: ['p1'] },
    { id: 'ag-off', accountId: O, kind: 'agent', status: 'disabled' },
    { id: 'dev', accountId: T, kind: 'user', email: 'dev@example.com' },
    { id: 't-admin', accountId: T, kind: 'user', email: 't-admin@example.com' },
  ],
  groups: [
    { id: 'g-devs', accountId: O, name: 'developers', members: ['dev'] },
    { id: 'g-devs', accountId: T, name: 'target developers' },
  ],
  roles: [
    { id: 'r-org-admin', kind: 'bluexp', admin: 'organization', actions: ['workspace:*', 'resource:*'] },
    { id: 'r-viewer', kind: 'bluexp', actions: ['resource:read'] },
    { id: 'r-local', kind: 'bluexp', accountId: O, actions: ['resource:write'] },
  ],
  services: [
    { name: 'fluid', type: 'service', thirdParty: true },
    { name: 'volumes', type: 'service' },
  ],
  bindings: [
    { id: 'b-admin', accountId: O, subject: { kind: 'principal', id: 'admin' }, roleId: 'r-org-admin', nodeId: O },
    { id: 'b-dev', accountId: O, subject: { kind: 'principal', id: 'dev' }, roleId: 'r-viewer', nodeId: 'f1' },
    { id: 'b-devs', accountId: O, subject: { kind: 'group', id: 'g-devs' }, roleId: 'r-local', nodeId: 'p1' },
    { id: 'b-idle', accountId: O, subject: { kind: 'principal', id: 'idle' }, roleId: 'r-viewer', nodeId: O },
    { id: 'b-t-dev', accountId: T, subject: { kind: 'principal', id: 'dev' }, roleId: 'r-viewer', nodeId: 't-p' },
    { id: 'b-t-admin', accountId: T, subject: { kind: 'principal', id: 't-admin' }, roleId: 'r-org-admin', nodeId: T },
  ],
  resources: [
    { id: 'vol-1', accountId: O, attributes: { resourceType: 'volume', serviceName: 'volumes' }, projects: ['p1'], agentId: 'ag1', cloudId: 'i-123' },
    { id: 'fluid-1', accountId: O, attributes: { resourceType: 'app', serviceName: 'fluid' }, projects: ['p1'] },
  ],
};

function context(): ManageContext {
  let n = 0;
  return { actor: { kind: 'system' }, now: '2025-03-12T10:30:00Z', newId: (prefix) => `${prefix}${++n}` };
}
function fresh(): SourceState {
  return SourceState.from(parseSource(source));
}
function expectRefused(f: () => unknown, code: string, status: number): SeedError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SeedError);
    expect({ code: (e as SeedError).code, status: (e as SeedError).status }).toEqual({ code, status });
    return e as SeedError;
  }
  throw new Error(`expected ${code}`);
}
const core = (d: Decision) => ({ allowed: d.allowed, reason: d.reason, policies: d.policies, errors: d.errors ?? [] });
const on = (id: string, action: string, subject: AuthorizeRequest['subject']): AuthorizeRequest => ({ subject, action, resource: { id }, environment: { now: NOW } });

describe('account migration (migrate account configuration into another account)', () => {
  it('a dry run reports the conflicts and the mapping and writes nothing', () => {
    const out = migrateAccount(fresh(), { account_id: O, target_account_id: T, dry_run: true }, context());
    expect(out.changes).toEqual([]);
    expect(out.result.dryRun).toBe(true);
    expect(out.result.mapping.principals).toMatchObject({ admin: 'moved', dev: 'merged', idle: 'moved', ag1: 'moved' });
    expect(out.result.mapping.groups['g-devs']).not.toBe('g-devs');
    expect(out.result.conflicts).toEqual([]);
    expect(out.result.moved).toMatchObject({ nodes: 2, resources: 2, roles: 1, bindings: 4 });
  });

  it('refuses with every conflict listed, writing nothing, and a dry run shows the same conflicts', () => {
    const clash = fresh().with([
      { op: 'put', entity: 'principal', value: { id: 'admin', accountId: T, kind: 'agent', status: 'active', locked: false, projects: [] } },
      { op: 'put', entity: 'node', value: { id: 't-f', accountId: T, kind: 'folder', name: 'engineering', parentId: null } },
      { op: 'put', entity: 'group', value: { id: 'g-x', accountId: T, name: 'Developers', description: '', members: [], rules: [], federated: false } },
    ]);
    const e = expectRefused(() => migrateAccount(clash, { account_id: O, target_account_id: T }, context()), 'migration_conflict', 409);
    const kinds = (e.details?.['conflicts'] as { kind: string }[]).map((c) => c.kind).sort();
    expect(kinds).toEqual(['group_name', 'node_name', 'principal']);
    expect(migrateAccount(clash, { account_id: O, target_account_id: T, dry_run: true }, context()).result.conflicts.map((c) => c.kind).sort()).toEqual(kinds);
  });

  it('refuses a merge that would give an organization admin a second role', () => {
    const s = fresh().with([
      { op: 'put', entity: 'principal', value: { id: 'admin', accountId: T, kind: 'user', email: 'admin@example.com', status: 'active', locked: false, projects: [] } },
      { op: 'put', entity: 'binding', value: { id: 'b-t-admin2', accountId: T, subject: { kind: 'principal', id: 'admin' }, roleId: 'r-viewer', nodeId: 't-p' } },
    ]);
    const e = expectRefused(() => migrateAccount(s, { account_id: O, target_account_id: T }, context()), 'migration_conflict', 409);
    expect((e.details?.['conflicts'] as { kind: string }[]).map((c) => c.kind)).toEqual(['organization_admin']);
  });

  it('refuses bad input and unknown organizations', () => {
    expectRefused(() => migrateAccount(fresh(), { account_id: O, target_account_id: O }, context()), 'invalid_request', 400);
    expectRefused(() => migrateAccount(fresh(), { account_id: O, target_account_id: 'cf1' }, context()), 'organization_not_found', 404);
    expectRefused(() => migrateAccount(fresh(), { account_id: 'nope', target_account_id: T }, context()), 'organization_not_found', 404);
  });

  it('moves everything in one commit: authorize-user-is-in-account answers for every migrated user, and access follows', () => {
    const before = fresh();
    const out = migrateAccount(before, { account_id: O, target_account_id: T }, context());
    const after = out.state;
    // the result is a valid source
    const parsed = parseSource(after.toSource());
    for (const p of before.list('principal', O)) {
      if (p.kind === 'agent') continue;
      // the user asks with its own token (seed 001: the user comes from the `authorization` header)
      const as: ManageContext = { ...context(), actor: { kind: 'subject', id: p.id, accountId: T } };
      const was = authorizeUserInAccount(before, { account_id: O }, as).result.authorized;
      expect(authorizeUserInAccount(after, { account_id: T }, as).result.authorized).toBe(was);
      expect(authorizeUserInAccount(after, { account_id: O }, as).result.authorized).toBe(false);
    }
    expect(after.list('principal', O)).toEqual([]);
    expect(after.list('node', O)).toEqual([]);
    const tables = compile(parsed);
    expect(authorize(tables, on('vol-1', 'resource:read', { id: 'admin' }))).toMatchObject({ allowed: true, policies: ['b-admin'] });
    // the merged user keeps the target's binding and gains the source's
    expect(authorize(tables, on('vol-1', 'resource:read', { id: 'dev' }))).toMatchObject({ allowed: true, policies: ['b-dev'] });
    expect(authorize(tables, on('vol-1', 'resource:write', { id: 'dev' }))).toMatchObject({ allowed: true, policies: ['b-devs'] });
    const g = out.result.mapping.groups['g-devs']!;
    expect(after.get('group', `${T}/${g}`)?.members).toEqual(['dev']);
    expect(after.get('group', `${T}/g-devs`)?.name).toBe('target developers');
  });

  it('decisions in the target equal those in the source under the id mapping (fast-check)', () => {
    fc.assert(
      fc.property(
        arbSource({ systems: ['bluexp'] }).chain((s) => {
          const from = s.accounts[0]!.id;
          // the target: an empty organization with the source's options and user groups whose ids collide but grant nothing
          const target = 'o9';
          const withTarget: Source = {
            ...s,
            accounts: [...s.accounts, { ...s.accounts[0]!, id: target }],
            groups: [...s.groups, ...s.groups.filter((g) => g.accountId === from).map((g) => ({ ...g, accountId: target, name: `target ${g.name}`, members: [] }))],
          };
          return fc.record({ source: fc.constant(withTarget), requests: fc.array(arbRequest(withTarget), { minLength: 1, maxLength: 8 }) });
        }),
        ({ source: s, requests }) => {
          const from = s.accounts[0]!.id;
          const to = 'o9';
          const state = SourceState.from(parseSource(s));
          const out = migrateAccount(state, { account_id: from, target_account_id: to }, context());
          const after = parseSource(out.state.toSource());
          const t0 = compile(s);
          const t1 = compile(after);
          for (const r of requests) {
            const d0 = authorize(t0, r);
            const acct = r.resource.id !== undefined ? s.resources.find((x) => x.id === r.resource.id)?.accountId : r.resource.attributes?.['accountId'];
            if (acct !== from || d0.reason === 'invalid-request') continue;
            const mapped: AuthorizeRequest = JSON.parse(JSON.stringify(r)) as AuthorizeRequest;
            if (mapped.resource.attributes?.['accountId'] === from) mapped.resource.attributes['accountId'] = to;
            // the mapping is one to one: the source becomes the target, and the target (before, another account) another one
            const map = (x: unknown) => (x === from ? to : x === to ? 'o-elsewhere' : x);
            if (mapped.subject.accountId !== undefined) mapped.subject.accountId = map(mapped.subject.accountId) as string;
            if (mapped.subject.service?.['accountId'] !== undefined) mapped.subject.service['accountId'] = map(mapped.subject.service['accountId']) as string;
            const d1 = authorize(t1, mapped);
            expect(core(d1)).toEqual(core(d0));
            expect(core(referenceAuthorize(after, mapped))).toEqual(core(d0));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('account options (SaaS enablement, third-party service enablement, CMNotificationOptIn)', () => {
  it('get and update the options; only the given ones change', () => {
    expect(getAccountOptions(fresh(), { account_id: O }, context()).result).toEqual({ accountId: O, saasEnabled: true, thirdPartyServicesEnabled: true, CMNotificationOptIn: false });
    const out = updateAccountOptions(fresh(), { account_id: O, thirdPartyServicesEnabled: false }, context());
    expect(out.result).toEqual({ accountId: O, saasEnabled: true, thirdPartyServicesEnabled: false, CMNotificationOptIn: false });
    expect(updateAccountOptions(out.state, { account_id: O, thirdPartyServicesEnabled: false }, context()).changes).toEqual([]);
    expectRefused(() => updateAccountOptions(fresh(), { account_id: O, saasEnabled: 'no' } as never, context()), 'invalid_request', 400);
    expectRefused(() => updateAccountOptions(fresh(), { account_id: O, somethingElse: true } as never, context()), 'invalid_request', 400);
    expectRefused(() => getAccountOptions(fresh(), { account_id: 'cf1' }, context()), 'organization_not_found', 404);
  });

  it('a disabled third-party service gets nothing in the account; SaaS off denies everything there', () => {
    const ask = (s: SourceState, id: string) => {
      const src = s.toSource();
      const r = on(id, 'resource:read', { id: 'admin' });
      const d = authorize(compile(src), r);
      expect(core(referenceAuthorize(src, r))).toEqual(core(d));
      return d.reason;
    };
    expect(ask(fresh(), 'fluid-1')).toBe('allow');
    const noThird = updateAccountOptions(fresh(), { account_id: O, thirdPartyServicesEnabled: false }, context()).state;
    expect(ask(noThird, 'fluid-1')).toBe('no-match');
    expect(ask(noThird, 'vol-1')).toBe('allow');
    const noSaas = updateAccountOptions(fresh(), { account_id: O, saasEnabled: false }, context()).state;
    expect(ask(noSaas, 'vol-1')).toBe('no-match');
  });

  it('update-user opts the user of x-user-token in; only opted-in active users receive notifications, and only with the account option on', () => {
    const s1 = updateAccountUser(fresh(), { account_id: O, 'x-user-token': 'dev', notificationOptIn: true }, context());
    expect(s1.result).toEqual({ accountId: O, userId: 'dev', notificationOptIn: true, receivesNotifications: false });
    expect(listNotificationRecipients(s1.state, { account_id: O }, context()).result).toEqual([]);
    const s2 = updateAccountOptions(s1.state, { account_id: O, CMNotificationOptIn: true }, context());
    const s3 = updateAccountUser(s2.state, { account_id: O, 'x-user-token': 'idle', notificationOptIn: true }, context());
    expect(listNotificationRecipients(s3.state, { account_id: O }, context()).result.map((u) => u.userId)).toEqual(['dev']);
    expect(parseSource(s3.state.toSource()).principals.find((p) => p.id === 'dev' && p.accountId === O)?.notificationOptIn).toBe(true);
    expectRefused(() => updateAccountUser(fresh(), { account_id: O, 'x-user-token': 'ag1', notificationOptIn: true }, context()), 'user_not_found', 404);
    expectRefused(() => updateAccountUser(fresh(), { account_id: O, 'x-user-token': 'dev' } as never, context()), 'invalid_request', 400);
  });
});

describe('agents and resources', () => {
  it('discovery attaches the resource to its agent with its cloud_id; remove-resource-from-agent detaches it', () => {
    const out = attachAgentResource(fresh(), { account_id: O, mode: 'discover', 'x-agent-id': 'ag1', cloud_id: 'vm-9', resourceType: 'volume', projects: ['p1'] }, context());
    expect(out.result).toMatchObject({ agentId: 'ag1', cloud_id: 'vm-9', projects: ['p1'] });
    const removed = bluexpOperations.removeResourceFromAgent(out.state, { account_id: O, resource_id: out.result.resourceId }, context());
    expect(removed.result.agentId).toBeUndefined();
  });

  it('refuses an unknown or disabled agent, a missing cloud_id, and an account resource class', () => {
    const base = { account_id: O, cloud_id: 'vm-9', resourceType: 'volume' };
    expectRefused(() => attachAgentResource(fresh(), { ...base, 'x-agent-id': 'nope' }, context()), 'invalid_request', 400);
    expectRefused(() => attachAgentResource(fresh(), { ...base, 'x-agent-id': 'ag-off' }, context()), 'invalid_request', 400);
    expectRefused(() => attachAgentResource(fresh(), { ...base, 'x-agent-id': 'ag1', resourceClass: 'license' }, context()), 'invalid_request', 400);
    expectRefused(() => attachAgentResource(fresh(), { account_id: O, 'x-agent-id': 'ag1', resourceType: 'volume' } as never, context()), 'invalid_request', 400);
  });

  it('license and persistence resources belong to the account, attached to no agent', () => {
    const out = createAccountResource(fresh(), { account_id: O, resourceType: 'license', resourceClass: 'license' }, context());
    expect(out.result.agentId).toBeUndefined();
    expectRefused(() => createAccountResource(fresh(), { account_id: O, resourceType: 'x', resourceClass: 'volume' } as never, context()), 'invalid_request', 400);
  });

  it('DELETE /tenancy/service-resource/{resource-id} deletes the resource', () => {
    const out = deleteServiceResource(fresh(), { account_id: O, 'resource-id': 'vol-1' }, context());
    expect(out.result).toEqual({ resourceId: 'vol-1' });
    expect(out.state.get('resource', 'vol-1')).toBeUndefined();
    expectRefused(() => deleteServiceResource(out.state, { account_id: O, 'resource-id': 'vol-1' }, context()), 'resource_not_found', 404);
  });
});
