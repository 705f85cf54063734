// Cloudflare operations authorize their caller with the engine itself (#8): for every operation an allowed caller,
// a caller with the wrong permission group, one with the right permission group on another account, and an
// anonymous caller; a refusal changes nothing. Refusals are pinned by `code` and `status`, never by wording.
import { describe, expect, it } from 'vitest';
import { bootstrapAccount, cloudflareOperations as cf, CLOUDFLARE_CODES, CLOUDFLARE_ROLES, createEngine } from '@portcullis/engine';
import type { Actor } from '@portcullis/engine';
import { refusal, snapshot } from './helpers/access.js';

type Op = (state: never, input: never, ctx: never) => { result: unknown };
const NOW = Date.parse('2026-01-02T03:04:05Z');
const SYSTEM: Actor = { kind: 'system' };
const ANON: Actor = { kind: 'anonymous' };
const A = 'cf-a';
const who = (id: string, accountId = A): Actor => ({ kind: 'subject', id, accountId });
const UNAUTHENTICATED = { code: CLOUDFLARE_CODES.unauthenticated.code, status: 401 };
const FORBIDDEN = { code: CLOUDFLARE_CODES.forbidden.code, status: 403 };



const hex = (n: number) => n.toString(16).padStart(32, '0');

/**
 * Two Cloudflare accounts, each bootstrapped with an Administrator. In `cf-a`: an Administrator Read Only (`ro`), an
 * IAM Edit holder (`iam`), a DNS editor (`dns`, nothing of IAM), a member of a user group, a resource group of the
 * account alone, a user group granting Administrator, and an SSO connector.
 */
async function world() {
  let n = 0;
  const e = createEngine({ clock: () => NOW, newId: () => hex(++n) });
  await e.apply(bootstrapAccount as Op, { system: 'cloudflare', accountId: A, admin: { id: 'cf-admin' } } as never, { actor: SYSTEM });
  await e.apply(bootstrapAccount as Op, { system: 'cloudflare', accountId: 'cf-b', admin: { id: 'cf-adminb' } } as never, { actor: SYSTEM });
  const rgAll = e.source.resourceGroups.find((g) => g.accountId === A && g.name === 'account')!.id;
  const policy = (id: string, subject: string, role: string) => ({
    op: 'put' as const,
    entity: 'policy' as const,
    value: { id, accountId: A, subject: { kind: 'principal', id: subject }, roles: [role], resource: { attributes: [], resourceGroups: [rgAll] } },
  });
  await e.commit([
    ...['cf-ro', 'cf-iam', 'cf-dns', 'cf-member', 'cf-new'].map((id) => ({
      op: 'put' as const,
      entity: 'principal' as const,
      value: { id, accountId: A, kind: 'user', email: `${id}@example.com`, status: 'active' },
    })),
    { op: 'put', entity: 'role', value: { id: 'pg-dns-edit', kind: 'permission-group', scopeType: 'account', accountId: A, name: 'DNS Edit', actions: ['dns:edit', 'dns:read'] } },
    policy('p-ro', 'cf-ro', CLOUDFLARE_ROLES.administratorReadOnly),
    policy('p-iam', 'cf-iam', CLOUDFLARE_ROLES.iamEdit),
    policy('p-dns', 'cf-dns', 'pg-dns-edit'),
  ]);
  const admin = who('cf-admin');
  const apply = (op: unknown, input: unknown, actor: Actor) => e.apply(op as Op, input as never, { actor }) as Promise<{ result: { id: string } }>;
  const rgAcct = (await apply(cf.createResourceGroup, { account_id: A, name: 'account', scope: { key: `com.cloudflare.api.account.${A}`, objects: [{ key: '*' }] } }, admin)).result.id;
  const rgSpare = (await apply(cf.createResourceGroup, { account_id: A, name: 'spare', scope: { key: `com.cloudflare.api.account.${A}`, objects: [{ key: '*' }] } }, admin)).result.id;
  const admins = (
    await apply(
      cf.createUserGroup,
      { account_id: A, name: 'admins', policies: [{ access: 'allow', permission_groups: [{ id: CLOUDFLARE_ROLES.administrator }], resource_groups: [{ id: rgAll }] }] },
      admin,
    )
  ).result.id;
  const readers = (
    await apply(cf.createUserGroup, { account_id: A, name: 'readers', policies: [{ access: 'allow', permission_groups: [{ id: CLOUDFLARE_ROLES.iamRead }], resource_groups: [{ id: rgAcct }] }] }, admin)
  ).result.id;
  await apply(cf.addUserGroupMembers, { account_id: A, user_group_id: readers, members: [{ id: 'cf-member' }] }, admin);
  const sso = (await apply(cf.createSsoConnector, { account_id: A, email_domain: 'corp.example' }, admin)).result.id;
  const pending = (await apply(cf.createSsoConnector, { account_id: A, email_domain: 'pending.example' }, admin)).result.id;
  await apply(cf.beginSsoConnectorVerification, { account_id: A, sso_connector_id: pending }, admin);
  return {
    e,
    actors: { admin, ro: who('cf-ro'), iam: who('cf-iam'), dns: who('cf-dns'), other: who('cf-adminb', 'cf-b') },
    rgAll,
    rgAcct,
    rgSpare,
    admins,
    readers,
    sso,
    pending,
  };
}

type World = Awaited<ReturnType<typeof world>>;
type Who = keyof World['actors'];

interface Case {
  name: keyof typeof cf;
  input: (w: World) => unknown;
  /** Who may, and who holds a permission group without the permission this operation needs. */
  allowed: Who;
  wrong: Who;
}

const iamRead = { allowed: 'ro', wrong: 'dns' } as const;
const iamWrite = { allowed: 'iam', wrong: 'ro' } as const;
const ssoRead = { allowed: 'ro', wrong: 'iam' } as const;
const ssoWrite = { allowed: 'admin', wrong: 'iam' } as const;
const acctScope = { key: `com.cloudflare.api.account.${A}`, objects: [{ key: '*' }] };

const cases: Case[] = [
  { name: 'listPermissionGroups', input: () => ({ account_id: A }), ...iamRead },
  { name: 'getPermissionGroup', input: () => ({ account_id: A, permission_group_id: CLOUDFLARE_ROLES.iamRead }), ...iamRead },
  { name: 'listResourceGroups', input: () => ({ account_id: A }), ...iamRead },
  { name: 'getResourceGroup', input: (w) => ({ account_id: A, resource_group_id: w.rgAcct }), ...iamRead },
  { name: 'createResourceGroup', input: () => ({ account_id: A, name: 'new', scope: acctScope }), ...iamWrite },
  { name: 'updateResourceGroup', input: (w) => ({ account_id: A, resource_group_id: w.rgAcct, name: 'renamed', scope: acctScope }), ...iamWrite },
  { name: 'deleteResourceGroup', input: (w) => ({ account_id: A, resource_group_id: w.rgSpare }), ...iamWrite },
  { name: 'listUserGroups', input: () => ({ account_id: A }), ...iamRead },
  { name: 'getUserGroup', input: (w) => ({ account_id: A, user_group_id: w.readers }), ...iamRead },
  { name: 'createUserGroup', input: () => ({ account_id: A, name: 'empty' }), ...iamWrite },
  { name: 'updateUserGroup', input: (w) => ({ account_id: A, user_group_id: w.readers, name: 'renamed' }), ...iamWrite },
  { name: 'deleteUserGroup', input: (w) => ({ account_id: A, user_group_id: w.readers }), ...iamWrite },
  { name: 'listUserGroupMembers', input: (w) => ({ account_id: A, user_group_id: w.readers }), ...iamRead },
  { name: 'addUserGroupMembers', input: (w) => ({ account_id: A, user_group_id: w.readers, members: [{ id: 'cf-new' }] }), ...iamWrite },
  { name: 'updateUserGroupMembers', input: (w) => ({ account_id: A, user_group_id: w.readers, members: [{ id: 'cf-member' }, { id: 'cf-new' }] }), ...iamWrite },
  { name: 'removeUserGroupMember', input: (w) => ({ account_id: A, user_group_id: w.readers, member_id: 'cf-member' }), ...iamWrite },
  { name: 'listAccountMembers', input: () => ({ account_id: A }), ...iamRead },
  { name: 'getAccountMember', input: () => ({ account_id: A, member_id: 'cf-member' }), ...iamRead },
  { name: 'createAccountMember', input: () => ({ account_id: A, email: 'someone@example.com' }), ...iamWrite },
  { name: 'updateAccountMember', input: () => ({ account_id: A, member_id: 'cf-member', status: 'pending' }), ...iamWrite },
  { name: 'removeAccountMember', input: () => ({ account_id: A, member_id: 'cf-new' }), ...iamWrite },
  { name: 'listSsoConnectors', input: () => ({ account_id: A }), ...ssoRead },
  { name: 'getSsoConnector', input: (w) => ({ account_id: A, sso_connector_id: w.sso }), ...ssoRead },
  { name: 'createSsoConnector', input: () => ({ account_id: A, email_domain: 'new.example' }), ...ssoWrite },
  { name: 'updateSsoConnector', input: (w) => ({ account_id: A, sso_connector_id: w.sso, use_fedramp_language: true }), ...ssoWrite },
  { name: 'deleteSsoConnector', input: (w) => ({ account_id: A, sso_connector_id: w.sso }), ...ssoWrite },
  { name: 'beginSsoConnectorVerification', input: (w) => ({ account_id: A, sso_connector_id: w.sso }), ...ssoWrite },
];

describe('Cloudflare operations authorize their caller', () => {
  it('every Cloudflare operation is in the table (or tested on its own below)', () => {
    expect(new Set([...cases.map((c) => c.name), 'completeSsoConnectorVerification'])).toEqual(new Set(Object.keys(cf)));
  });

  for (const c of cases) {
    describe(c.name, () => {
      it('lets the allowed caller through', async () => {
        const w = await world();
        const r = (await w.e.apply(cf[c.name] as Op, c.input(w) as never, { actor: w.actors[c.allowed] })) as { success: boolean };
        expect(r.success).toBe(true);
      });
      it('refuses a caller whose permission groups lack the permission with the seed 403, and changes nothing', async () => {
        const w = await world();
        const before = snapshot(w.e);
        expect(await refusal(w.e.apply(cf[c.name] as Op, c.input(w) as never, { actor: w.actors[c.wrong] }))).toEqual(FORBIDDEN);
        expect(snapshot(w.e)).toEqual(before);
      });
      it('refuses an Administrator of another account with the seed 403, and changes nothing', async () => {
        const w = await world();
        const before = snapshot(w.e);
        expect(await refusal(w.e.apply(cf[c.name] as Op, c.input(w) as never, { actor: w.actors.other }))).toEqual(FORBIDDEN);
        expect(snapshot(w.e)).toEqual(before);
      });
      it('answers an anonymous caller with the seed 401, and changes nothing', async () => {
        const w = await world();
        const before = snapshot(w.e);
        expect(await refusal(w.e.apply(cf[c.name] as Op, c.input(w) as never, { actor: ANON }))).toEqual(UNAUTHENTICATED);
        expect(snapshot(w.e)).toEqual(before);
      });
    });
  }

  describe('completeSsoConnectorVerification', () => {
    const input = (w: World) => ({ account_id: A, sso_connector_id: w.pending, dns_txt_records: ['anything'] });
    it('runs for the system actor: the TXT records are what the host read from DNS', async () => {
      const w = await world();
      const r = (await w.e.apply(cf.completeSsoConnectorVerification as Op, input(w) as never, { actor: SYSTEM })) as { result: { verification: { status: string } } };
      expect(r.result.verification.status).toBe('failed');
    });
    it('refuses every subject, an Administrator too, with the seed 403 and changes nothing: a caller does not vouch for DNS', async () => {
      const w = await world();
      const before = snapshot(w.e);
      for (const actor of [w.actors.admin, w.actors.iam, w.actors.other])
        expect(await refusal(w.e.apply(cf.completeSsoConnectorVerification as Op, input(w) as never, { actor }))).toEqual(FORBIDDEN);
      expect(snapshot(w.e)).toEqual(before);
    });
    it('answers an anonymous caller with the seed 401', async () => {
      const w = await world();
      expect(await refusal(w.e.apply(cf.completeSsoConnectorVerification as Op, input(w) as never, { actor: ANON }))).toEqual(UNAUTHENTICATED);
    });
  });
});

describe('Cloudflare listings', () => {
  it('a reader of the account sees all of it; an account with nothing to list answers an empty list, not an error', async () => {
    const w = await world();
    const groups = (await w.e.apply(cf.listUserGroups as Op, { account_id: A } as never, { actor: w.actors.ro })) as { result: { id: string }[] };
    expect(groups.result.map((g) => g.id).sort()).toEqual([w.admins, w.readers].sort());
    const none = (await w.e.apply(cf.listSsoConnectors as Op, { account_id: 'cf-b' } as never, { actor: w.actors.other })) as { success: boolean; result: unknown[] };
    expect(none).toMatchObject({ success: true, result: [] });
  });

  it('a member of the IAM Read user group reads IAM but not SSO connectors', async () => {
    const w = await world();
    const member = who('cf-member');
    await w.e.apply(cf.listUserGroups as Op, { account_id: A } as never, { actor: member });
    expect(await refusal(w.e.apply(cf.listSsoConnectors as Op, { account_id: A } as never, { actor: member }))).toEqual(FORBIDDEN);
  });
});

describe('a Cloudflare member policy never exceeds its creator effective permissions', () => {
  const policy = (role: string, rg: string, access: 'allow' | 'deny' = 'allow') => ({ access, permission_groups: [{ id: role }], resource_groups: [{ id: rg }] });

  it('an IAM editor creates a user group granting what it holds, not Administrator', async () => {
    const w = await world();
    await w.e.apply(cf.createUserGroup as Op, { account_id: A, name: 'ok', policies: [policy(CLOUDFLARE_ROLES.iamRead, w.rgAcct)] } as never, { actor: w.actors.iam });
    const before = snapshot(w.e);
    const input = { account_id: A, name: 'mine', policies: [policy(CLOUDFLARE_ROLES.administrator, w.rgAcct)] };
    expect(await refusal(w.e.apply(cf.createUserGroup as Op, input as never, { actor: w.actors.iam }))).toEqual(FORBIDDEN);
    expect(snapshot(w.e)).toEqual(before);
  });

  it('an IAM editor cannot replace a user group policies with more than it holds', async () => {
    const w = await world();
    const before = snapshot(w.e);
    const input = { account_id: A, user_group_id: w.readers, policies: [policy('pg-dns-edit', w.rgAll)] };
    expect(await refusal(w.e.apply(cf.updateUserGroup as Op, input as never, { actor: w.actors.iam }))).toEqual(FORBIDDEN);
    expect(snapshot(w.e)).toEqual(before);
  });

  it('an IAM editor cannot add itself (or anyone) to a user group granting more than it holds', async () => {
    const w = await world();
    const before = snapshot(w.e);
    for (const op of [cf.addUserGroupMembers, cf.updateUserGroupMembers])
      expect(await refusal(w.e.apply(op as Op, { account_id: A, user_group_id: w.admins, members: [{ id: 'cf-iam' }] } as never, { actor: w.actors.iam }))).toEqual(FORBIDDEN);
    expect(snapshot(w.e)).toEqual(before);
    // the Administrator holds what the group grants, so it may
    await w.e.apply(cf.addUserGroupMembers as Op, { account_id: A, user_group_id: w.admins, members: [{ id: 'cf-iam' }] } as never, { actor: w.actors.admin });
  });

  it('an IAM editor cannot lift a deny it does not hold the roles of', async () => {
    const w = await world();
    const input = { account_id: A, name: 'no dns', policies: [policy('pg-dns-edit', w.rgAll, 'deny')] };
    const g = (await w.e.apply(cf.createUserGroup as Op, input as never, { actor: w.actors.admin })) as { result: { id: string } };
    const before = snapshot(w.e);
    expect(await refusal(w.e.apply(cf.updateUserGroup as Op, { account_id: A, user_group_id: g.result.id, policies: [] } as never, { actor: w.actors.iam }))).toEqual(FORBIDDEN);
    expect(snapshot(w.e)).toEqual(before);
  });
});
