// The server driven by the vendors' real SDKs, over real HTTP on localhost, on a real SQLite file: IBM's
// @ibm-cloud/platform-services (IamAccessGroupsV2, IamPolicyManagementV1, a BearerTokenAuthenticator) and the
// official `cloudflare` SDK (its baseURL option). Create, list with the SDKs' own auto-paging, get with the etag,
// conditional update, and 401/403/404/409/412 surfacing as the SDKs' errors; a refusal writes nothing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import IamAccessGroupsV2 from '@ibm-cloud/platform-services/iam-access-groups/v2.js';
import IamPolicyManagementV1 from '@ibm-cloud/platform-services/iam-policy-management/v1.js';
import { BearerTokenAuthenticator } from 'ibm-cloud-sdk-core';
import Cloudflare from 'cloudflare';
import { serve, type RunningServer } from './serve.js';

const IBM_ACCOUNT = 'acct-ibm';
const CF_ACCOUNT = '0123456789abcdef0123456789abcdef';
const TOKENS = {
  ibmAdmin: 'ibm-admin-token-0123456789',
  ibmStranger: 'ibm-stranger-token-0123456789',
  cfAdmin: 'cf-admin-token-0123456789',
  cfStranger: 'cf-stranger-token-0123456789',
};

let dir: string;
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-sdk-'));
  writeFileSync(
    join(dir, 'tokens.json'),
    JSON.stringify({
      tokens: [
        { token: TOKENS.ibmAdmin, actor: { kind: 'subject', id: 'IBMid-admin', accountId: IBM_ACCOUNT } },
        { token: TOKENS.ibmStranger, actor: { kind: 'subject', id: 'IBMid-stranger', accountId: IBM_ACCOUNT } },
        { token: TOKENS.cfAdmin, actor: { kind: 'subject', id: 'cfadmin', accountId: CF_ACCOUNT } },
        { token: TOKENS.cfStranger, actor: { kind: 'subject', id: 'cfstranger', accountId: CF_ACCOUNT } },
      ],
    }),
  );
  writeFileSync(
    join(dir, 'bootstrap.json'),
    JSON.stringify([
      { system: 'ibm', accountId: IBM_ACCOUNT, admin: { id: 'IBMid-admin', email: 'admin@example.com' } },
      { system: 'cloudflare', accountId: CF_ACCOUNT, admin: { id: 'cfadmin', email: 'cfadmin@example.com' } },
    ]),
  );
  server = await serve({
    db: join(dir, 'portcullis.db'),
    port: 0,
    host: '127.0.0.1',
    tokens: join(dir, 'tokens.json'),
    bootstrap: join(dir, 'bootstrap.json'),
    logLevel: 'silent',
  });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function groups(token: string): IamAccessGroupsV2 {
  return new IamAccessGroupsV2({ authenticator: new BearerTokenAuthenticator({ bearerToken: token }), serviceUrl: server.url });
}

function policies(token: string): IamPolicyManagementV1 {
  return new IamPolicyManagementV1({ authenticator: new BearerTokenAuthenticator({ bearerToken: token }), serviceUrl: server.url });
}

function cloudflare(token: string): Cloudflare {
  return new Cloudflare({ apiToken: token, baseURL: `${server.url}/client/v4`, maxRetries: 0 });
}

/** The error an SDK call rejects with. */
async function failure(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('the call succeeded');
}

describe('IBM Access Groups v2 through IamAccessGroupsV2', () => {
  it('creates, pages through every group with the SDK pager, gets with the etag, updates conditionally', async () => {
    const admin = groups(TOKENS.ibmAdmin);
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await admin.createAccessGroup({ accountId: IBM_ACCOUNT, name: `team ${i}`, description: `the team number ${i}` });
      expect(r.status).toBe(201);
      expect(r.headers['etag']).toMatch(/^W\/"/);
      created.push(r.result.id!);
    }
    const pager = new IamAccessGroupsV2.AccessGroupsPager(admin, { accountId: IBM_ACCOUNT, limit: 3, hidePublicAccess: true });
    const all = await pager.getAll();
    expect(all.map((g) => g.id).sort()).toEqual([...created].sort());

    const got = await admin.getAccessGroup({ accessGroupId: created[0]! });
    const etag = got.headers['etag'] as string;
    expect(got.result.name).toBe('team 0');
    const updated = await admin.updateAccessGroup({ accessGroupId: created[0]!, ifMatch: etag, name: 'renamed team' });
    expect(updated.status).toBe(200);
    expect(updated.result.name).toBe('renamed team');
    expect(updated.headers['etag']).not.toBe(etag);

    // the stale etag is refused (412) and nothing changes
    const stale = await failure(admin.updateAccessGroup({ accessGroupId: created[0]!, ifMatch: etag, name: 'lost update' }));
    expect(stale.status).toBe(412);
    expect((await admin.getAccessGroup({ accessGroupId: created[0]! })).result.name).toBe('renamed team');
  });

  it('adds members (207), checks membership (204), and refuses deleting a non-empty group without force (409)', async () => {
    const admin = groups(TOKENS.ibmAdmin);
    const g = (await admin.createAccessGroup({ accountId: IBM_ACCOUNT, name: 'with members' })).result;
    const add = await admin.addMembersToAccessGroup({ accessGroupId: g.id!, members: [{ iam_id: 'IBMid-admin', type: 'user' }] });
    expect(add.status).toBe(207);
    expect(add.result.members![0]!.status_code).toBe(200);
    expect((await admin.isMemberOfAccessGroup({ accessGroupId: g.id!, iamId: 'IBMid-admin' })).status).toBe(204);
    const notEmpty = await failure(admin.deleteAccessGroup({ accessGroupId: g.id! }));
    expect(notEmpty.status).toBe(409);
    expect((await admin.getAccessGroup({ accessGroupId: g.id! })).status).toBe(200);
    expect((await admin.deleteAccessGroup({ accessGroupId: g.id!, force: true })).status).toBe(204);
    expect((await failure(admin.getAccessGroup({ accessGroupId: g.id! }))).status).toBe(404);
  });

  it('401 without a valid token, 403 for a caller without the right, 404 for an unknown group, 400 for bad input; nothing written', async () => {
    const before = server.engine.revision;
    const forged = await failure(groups('forged-token-0123456789').createAccessGroup({ accountId: IBM_ACCOUNT, name: 'nope' }));
    expect(forged.status).toBe(401);
    const stranger = await failure(groups(TOKENS.ibmStranger).createAccessGroup({ accountId: IBM_ACCOUNT, name: 'nope' }));
    expect(stranger.status).toBe(403);
    const missing = await failure(groups(TOKENS.ibmAdmin).getAccessGroup({ accessGroupId: 'AccessGroupId-nope' }));
    expect(missing.status).toBe(404);
    const long = await failure(groups(TOKENS.ibmAdmin).createAccessGroup({ accountId: IBM_ACCOUNT, name: 'x'.repeat(101) }));
    expect(long.status).toBe(400);
    expect(server.engine.revision).toBe(before);
  });
});

describe('IBM Policy Management through IamPolicyManagementV1', () => {
  const viewer = 'crn:v1:bluemix:public:iam::::role:Viewer';
  const resources = (resource: string) => [
    { attributes: [{ name: 'accountId', value: IBM_ACCOUNT }, { name: 'serviceName', value: 'iam-groups' }, { name: 'resource', value: resource }] },
  ];

  it('creates v1 policies, pages v2 policies with the SDK pager, refuses a duplicate (409) and a stranger (403)', async () => {
    const admin = policies(TOKENS.ibmAdmin);
    const g = (await groups(TOKENS.ibmAdmin).createAccessGroup({ accountId: IBM_ACCOUNT, name: 'policy holders' })).result;
    const subjects = [{ attributes: [{ name: 'access_group_id', value: g.id! }] }];
    const ids: string[] = [];
    for (const service of ['AccessGroupId-a', 'AccessGroupId-b', 'AccessGroupId-c', 'AccessGroupId-d']) {
      const r = await admin.createPolicy({ type: 'access', subjects, roles: [{ role_id: viewer }], resources: resources(service) });
      expect(r.status).toBe(201);
      ids.push(r.result.id!);
    }
    const got = await admin.getPolicy({ policyId: ids[0]! });
    expect(got.result.subjects![0]!.attributes![0]!.value).toBe(g.id);
    // conditional replace with the policy's etag; the stale etag is then 412 and changes nothing
    const etag = got.headers['etag'] as string;
    expect(etag).toBeTruthy();
    const replaced = await admin.replacePolicy({ policyId: ids[0]!, ifMatch: etag, type: 'access', description: 'replaced', subjects, roles: [{ role_id: viewer }], resources: resources('AccessGroupId-a') });
    expect(replaced.status).toBe(200);
    expect(replaced.result.description).toBe('replaced');
    expect(replaced.headers['etag']).not.toBe(etag);
    const stale = await failure(admin.replacePolicy({ policyId: ids[0]!, ifMatch: etag, type: 'access', description: 'lost', subjects, roles: [{ role_id: viewer }], resources: resources('AccessGroupId-a') }));
    expect(stale.status).toBe(412);
    expect((await admin.getPolicy({ policyId: ids[0]! })).result.description).toBe('replaced');

    const pager = new IamPolicyManagementV1.V2PoliciesPager(admin, { accountId: IBM_ACCOUNT, accessGroupId: g.id!, limit: 2 });
    const listed = await pager.getAll();
    expect(listed.map((p) => p.id).sort()).toEqual([...ids].sort());

    const before = server.engine.revision;
    const dup = await failure(admin.createPolicy({ type: 'access', subjects, roles: [{ role_id: viewer }], resources: resources('AccessGroupId-a') }));
    expect(dup.status).toBe(409);
    const stranger = await failure(policies(TOKENS.ibmStranger).createPolicy({ type: 'access', subjects, roles: [{ role_id: viewer }], resources: resources('AccessGroupId-e') }));
    expect(stranger.status).toBe(403);
    expect(server.engine.revision).toBe(before);

    expect((await admin.deletePolicy({ policyId: ids[3]! })).status).toBe(204);
    expect((await failure(admin.getPolicy({ policyId: 'no-such-policy' }))).status).toBe(404);
  });
});

describe('Cloudflare account IAM through the official SDK', () => {
  it('creates user groups and members, auto-pages them, gets and updates; 401/403/404/409 are the SDK error classes', async () => {
    const cf = cloudflare(TOKENS.cfAdmin);
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const m = await cf.accounts.members.create({ account_id: CF_ACCOUNT, email: `person${i}@example.com` } as never);
      made.push((m as { id: string }).id);
    }
    const seen: string[] = [];
    for await (const m of cf.accounts.members.list({ account_id: CF_ACCOUNT, per_page: 2 })) seen.push((m as { id: string }).id);
    expect(seen).toHaveLength(6);
    expect(seen).toEqual(expect.arrayContaining(made));

    const group = await cf.iam.userGroups.create({ account_id: CF_ACCOUNT, name: 'readers', policies: [] } as never);
    const got = await cf.iam.userGroups.get(group.id, { account_id: CF_ACCOUNT });
    expect(got.name).toBe('readers');
    const renamed = await cf.iam.userGroups.update(group.id, { account_id: CF_ACCOUNT, name: 'all readers' } as never);
    expect(renamed.name).toBe('all readers');
    const groupsSeen: string[] = [];
    for await (const g of cf.iam.userGroups.list({ account_id: CF_ACCOUNT, per_page: 1 })) groupsSeen.push(g.id);
    expect(groupsSeen).toContain(group.id);

    const before = server.engine.revision;
    const conflict = await failure(cf.accounts.members.create({ account_id: CF_ACCOUNT, email: 'person0@example.com' } as never));
    expect(conflict).toBeInstanceOf(Cloudflare.ConflictError);
    const missing = await failure(cf.iam.userGroups.get('0'.repeat(32), { account_id: CF_ACCOUNT }));
    expect(missing).toBeInstanceOf(Cloudflare.NotFoundError);
    const forged = await failure(cloudflare('forged-token-0123456789').iam.userGroups.list({ account_id: CF_ACCOUNT }));
    expect(forged).toBeInstanceOf(Cloudflare.AuthenticationError);
    const stranger = await failure(cloudflare(TOKENS.cfStranger).iam.userGroups.create({ account_id: CF_ACCOUNT, name: 'mine', policies: [] } as never));
    expect(stranger).toBeInstanceOf(Cloudflare.PermissionDeniedError);
    const bad = await failure(cf.iam.userGroups.create({ account_id: CF_ACCOUNT, name: 'x', policies: [], surprise: true } as never));
    expect(bad).toBeInstanceOf(Cloudflare.BadRequestError);
    // seed 003's error model: "errors: array of { code, message, documentation_url, source }", "code: number", "minimum1000"
    for (const e of [conflict, missing, forged, stranger, bad]) {
      expect(e.errors.length).toBeGreaterThan(0);
      for (const o of e.errors as { code: unknown }[]) expect(typeof o.code === 'number' && o.code >= 1000).toBe(true);
    }
    expect(server.engine.revision).toBe(before);
  });

  it('SSO connectors and resource groups go through the same routes', async () => {
    const cf = cloudflare(TOKENS.cfAdmin);
    const c = await cf.iam.sso.create({ account_id: CF_ACCOUNT, email_domain: 'example.org' } as never);
    expect((c as { email_domain: string }).email_domain).toBe('example.org');
    const list: unknown[] = [];
    for await (const x of cf.iam.sso.list({ account_id: CF_ACCOUNT })) list.push(x);
    expect(list).toHaveLength(1);
    const dup = await failure(cf.iam.sso.create({ account_id: CF_ACCOUNT, email_domain: 'example.org' } as never));
    expect(dup).toBeInstanceOf(Cloudflare.ConflictError);
    const rgs: unknown[] = [];
    for await (const x of cf.iam.resourceGroups.list({ account_id: CF_ACCOUNT })) rgs.push(x);
    expect(Array.isArray(rgs)).toBe(true);
  });
});
