// Issue 12, red team (seventh round), over HTTP: what the server's answers tell one account about another (existence
// oracles: a status or an error that differs between another account's real ids and ids that do not exist), and the
// request shapes the routes' own checks do not see. "hole: …" tests failed on the code they were found on and pass
// since the fix named beside them; "refused: …" tests are attacks that failed, kept as regression tests. Outside
// test/access-control*: the mutation run loads no server.
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bluexpOperations as bx, bootstrapAccount, cloudflareOperations as cf, ibmAccessGroupOperations as ag, IBM_ROLES, ibmPolicyOperations as pol, type Engine } from '@portcullis/engine';
import { BLUEXP_ROUTES, CLOUDFLARE_ROUTES, createJwtAuthenticator, createServer, createStaticTokenAuthenticator, IBM_ROUTES, loadStaticTokenFile, parseServeArgs, serve } from '@portcullis/server';
import { closeAfterEach, engine, snapshot, SYSTEM, who } from './helpers/access.js';
import { apply } from './helpers/ibm-world.js';

const closers = closeAfterEach();

const CF_A = 'a'.repeat(32);
const CF_B = 'b'.repeat(32);
const ACCOUNTS = { ibm: ['acc-a', 'acc-b'], cloudflare: [CF_A, CF_B], bluexp: ['bx-a', 'bx-b'] } as const;
type System = keyof typeof ACCOUNTS;

/** The three systems' accounts A and B, each with an administrator; B holds a row of each kind the routes name. */
async function twoAccountsEach(): Promise<{ e: Engine; ids: Record<string, string> }> {
  const e = engine();
  for (const [system, [a, b]] of Object.entries(ACCOUNTS)) {
    for (const id of [a, b]) await apply(e, bootstrapAccount, { system, accountId: id, admin: { id: `admin-${id}`, email: `admin@${id}.example` } }, SYSTEM);
  }
  const asB = (system: System) => who(`admin-${ACCOUNTS[system][1]}`, ACCOUNTS[system][1]);
  const run = async (system: System, op: unknown, input: Record<string, unknown>) => (await apply(e, op, input, asB(system))) as Record<string, unknown>;
  const ids: Record<string, string> = {};
  ids['access_group_id'] = (await run('ibm', ag.createAccessGroup, { account_id: 'acc-b', name: 'group b' })).id as string;
  await run('ibm', ag.addMembersToAccessGroup, { account_id: 'acc-b', access_group_id: ids['access_group_id'], members: [{ iam_id: 'admin-acc-b', type: 'user' }] });
  const rule = await run('ibm', ag.addAccessGroupRule, {
    account_id: 'acc-b',
    access_group_id: ids['access_group_id'],
    name: 'r',
    expiration: 12,
    realm_name: 'https://idp.example.com',
    conditions: [{ claim: 'dept', operator: 'EQUALS', value: '"x"' }],
  });
  ids['rule_id'] = rule.id as string;
  ids['policy_id'] = (
    await run('ibm', pol.createPolicy, {
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: 'admin-acc-b' }] }],
      roles: [{ role_id: IBM_ROLES.viewer }],
      resources: [{ attributes: [{ name: 'accountId', value: 'acc-b' }, { name: 'serviceName', value: 'iam-groups' }] }],
    })
  ).id as string;
  ids['iam_id'] = 'admin-acc-b';
  ids['user_group_id'] = ((await run('cloudflare', cf.createUserGroup, { account_id: CF_B, name: 'group b' })).result as { id: string }).id;
  ids['resource_group_id'] = ((await run('cloudflare', cf.createResourceGroup, { account_id: CF_B, name: 'rg b', scope: { key: `com.cloudflare.api.account.${CF_B}`, objects: [{ key: '*' }] } })).result as { id: string }).id;
  ids['member_id'] = `admin-${CF_B}`;
  ids['node_id'] = (await run('bluexp', bx.createFolder, { account_id: 'bx-b', name: 'folder b' })).id as string;
  ids['group_id'] = (await run('bluexp', bx.createUserGroup, { account_id: 'bx-b', name: 'group b' })).id as string;
  ids['workspace_id'] = ((await run('bluexp', bx.createWorkspace, { account_id: 'bx-b', workspaceName: 'ws b' })) as { workspacePublicId?: string; id?: string }).workspacePublicId ?? '';
  ids['principal_id'] = 'admin-bx-b';
  return { e, ids };
}

/** Asks `url` as A's administrator of `family`; the status and the body, its request ids and the ids asked taken out. */
async function ask(base: string, method: string, url: string, family: System, named: string[]) {
  const read = method === 'GET' || method === 'HEAD';
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: `Bearer token-${family}-0123456789abcdef`, ...(read ? {} : { 'content-type': 'application/json' }) },
    ...(read ? {} : { body: '{}' }),
  });
  let text = (await res.text()).replace(/"trace":"[^"]*"/g, '').replace(/"etag":"[^"]*"/g, '');
  for (const n of named) text = text.split(n).join('<id>').split(encodeURIComponent(n)).join('<id>');
  return `${res.status} ${text}`;
}

describe('over HTTP, another account’s ids are answered as ids that do not exist', () => {
  /** Asks every route naming a row as the administrators of side `side` of each system, with B's real ids and with made-up ones. */
  async function sweep(side: 0 | 1, accountOf: (system: System) => string) {
    const { e, ids } = await twoAccountsEach();
    const tokens = (Object.keys(ACCOUNTS) as System[]).map((system) => ({ token: `token-${system}-0123456789abcdef`, actor: { kind: 'subject' as const, id: `admin-${ACCOUNTS[system][side]}`, accountId: ACCOUNTS[system][side] } }));
    const app = await createServer({ engine: e, authenticator: createStaticTokenAuthenticator(tokens) });
    closers.push(() => app.close());
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const before = snapshot(e);
    const differ: string[] = [];
    for (const route of [...IBM_ROUTES, ...CLOUDFLARE_ROUTES, ...BLUEXP_ROUTES]) {
      const b = accountOf(route.family);
      const params = [...route.url.matchAll(/:([a-z_]+)/g)].map((m) => m[1]!).filter((n) => n !== 'account_id');
      if (params.length === 0) continue;
      const fake = (n: string) => (ids[n] ?? `x-${n}`).replace(/[0-9a-f]/g, (c) => (c === '0' ? '1' : '0'));
      const build = (id: (n: string) => string) => {
        const path = route.url.replace(/:([a-z_]+)/g, (_m, n: string) => encodeURIComponent(n === 'account_id' ? b : id(n)));
        return route.query?.includes('account_id') ? `${path}?account_id=${b}` : path;
      };
      const named = (id: (n: string) => string) => params.map(id);
      const real = await ask(base, route.method, build((n) => ids[n] ?? `x-${n}`), route.family, named((n) => ids[n] ?? `x-${n}`));
      const made = await ask(base, route.method, build(fake), route.family, named(fake));
      if (real !== made) differ.push(`${route.method} ${route.url}\n    real: ${real.slice(0, 300)}\n    made: ${made.slice(0, 300)}`);
    }
    return { differ, written: JSON.stringify(snapshot(e)) !== JSON.stringify(before) };
  }

  it('refused: every route naming a row, account B’s real row ids and made-up ones get the same status and body', async () => {
    const a = await sweep(0, (system) => ACCOUNTS[system][1]);
    expect(a.differ).toEqual([]);
    expect(a.written).toBe(false);
    // B's own administrators tell them apart on most routes (the sweep can see an oracle)
    expect((await sweep(1, (system) => ACCOUNTS[system][1])).differ.length).toBeGreaterThan(20);
  });
});

// A JWT names the service it was issued for in `aud`. An identity provider shared by several services issues every
// one of them tokens for the same users: a service that receives an administrator's token for itself must not be
// able to act as that administrator here.
describe('a JWT issued for another service is not a token for this one', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  /** An ES256 JWT signed by the identity provider's key. */
  const jwt = (claims: Record<string, unknown>) => {
    const head = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64(claims)}`;
    return `${head}.${sign('sha256', Buffer.from(head), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  };
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const theirs = jwt({ sub: 'admin-acc-a', account_id: 'acc-a', aud: 'payroll-app', iss: 'https://idp.example.com', exp });

  it('hole: an authenticator built without `audience` takes an administrator’s token for another service as the administrator', async () => {
    // (fixed in server/jwt-authenticator.ts: `audience` is required, as RFC 8725 §3.9 asks; the CLI's --jwt-key and
    // --jwks-url need --jwt-audience)
    expect(() => createJwtAuthenticator({ publicKeyPem: pem, algorithms: ['ES256'] })).toThrow(expect.objectContaining({ code: 'invalid_options' }));
    expect(() => createJwtAuthenticator({ publicKeyPem: pem, algorithms: ['ES256'], audience: '' })).toThrow(expect.objectContaining({ code: 'invalid_options' }));
    const ours = createJwtAuthenticator({ publicKeyPem: pem, algorithms: ['ES256'], audience: 'portcullis' });
    expect(await ours.authenticate(theirs)).toBeUndefined();
    const mine = jwt({ sub: 'admin-acc-a', account_id: 'acc-a', aud: ['portcullis', 'other'], exp });
    expect(await ours.authenticate(mine)).toEqual({ kind: 'subject', id: 'admin-acc-a', accountId: 'acc-a' });
  });
});

describe('request shapes the routes’ own checks must see', () => {
  it('refused: a query key given twice or in brackets (account A then B, B then A) is refused on every route, nothing written', async () => {
    const { e } = await twoAccountsEach();
    const tokens = (Object.keys(ACCOUNTS) as System[]).map((system) => ({ token: `token-${system}-0123456789abcdef`, actor: { kind: 'subject' as const, id: `admin-${ACCOUNTS[system][0]}`, accountId: ACCOUNTS[system][0] } }));
    const app = await createServer({ engine: e, authenticator: createStaticTokenAuthenticator(tokens) });
    closers.push(() => app.close());
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const before = JSON.stringify(snapshot(e));
    const answered: string[] = [];
    for (const route of [...IBM_ROUTES, ...CLOUDFLARE_ROUTES, ...BLUEXP_ROUTES]) {
      const [a, b] = ACCOUNTS[route.family];
      const path = route.url.replace(/:([a-z_]+)/g, (_m, n: string) => (n === 'account_id' ? a : `x-${n}`));
      for (const k of route.query ?? []) {
        for (const q of [`${k}=${a}&${k}=${b}`, `${k}=${b}&${k}=${a}`, `${k}[]=${a}`]) {
          const read = route.method === 'GET' || route.method === 'HEAD';
          const res = await fetch(`${base}${path}?${q}`, {
            method: route.method,
            headers: { authorization: `Bearer token-${route.family}-0123456789abcdef`, ...(read ? {} : { 'content-type': 'application/json' }) },
            ...(read ? {} : { body: '{}' }),
          });
          await res.arrayBuffer();
          // refused before anything is read or written: a 400, or the 403/404 of a row the other keys do not reach
          if (res.status < 400 || res.status >= 500) answered.push(`${route.method} ${path}?${q}: ${res.status}`);
        }
      }
    }
    expect(answered).toEqual([]);
    expect(JSON.stringify(snapshot(e))).toBe(before);
  });

  it('refused: a body nested 400,000 deep (within the 1 MiB limit) is a 400 for an operation, an invalid request for AuthZEN', async () => {
    const e = engine();
    await apply(e, bootstrapAccount, { system: 'ibm', accountId: 'acc-a', admin: { id: 'admin' } }, SYSTEM);
    const app = await createServer({
      engine: e,
      authenticator: createStaticTokenAuthenticator([
        { token: 'token-ibm-0123456789abcdef', actor: { kind: 'subject', id: 'admin', accountId: 'acc-a' } },
        { token: 'token-pep-0123456789abcdef', actor: { kind: 'pep' } },
      ]),
    });
    closers.push(() => app.close());
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const deep = '['.repeat(400_000) + ']'.repeat(400_000);
    const send = (path: string, body: string, token: string) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer token-${token}-0123456789abcdef`, 'content-type': 'application/json' }, body });
    const before = JSON.stringify(snapshot(e));
    expect((await send('/v2/groups?account_id=acc-a', `{"name":"x","description":${deep}}`, 'ibm')).status).toBe(400);
    expect((await send('/v1/policies', `{"type":"access","subjects":${deep}}`, 'ibm')).status).toBe(400);
    const d = await send('/access/v1/evaluation', `{"subject":{"type":"user","id":"admin","properties":{"claims":${deep}}},"action":{"name":"a"},"resource":{"type":"t","id":"r"}}`, 'pep');
    expect(d.status).toBe(200);
    expect(await d.json()).toMatchObject({ decision: false, context: { reason: 'invalid-request' } });
    expect(JSON.stringify(snapshot(e))).toBe(before);
  });
});

// The token file is read by whoever reviews a deployment: an entry must act as the actor it shows.
describe('a token file means the actor each entry shows', () => {
  it('hole: an entry that writes `actor` twice (a subject, then `system`) authenticates as `system`', () => {
    // (fixed in server/static-token-authenticator.ts and serve.ts: the token file, --source and --bootstrap are
    // refused when a key is written twice in one object, through the engine's duplicateKey, as the CLI's files are)
    const dir = mkdtempSync(join(tmpdir(), 'redteam7-tokens-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'tokens.json');
    writeFileSync(file, '{"tokens": [{"token": "token-of-a-colleague-0123", "actor": {"kind": "subject", "id": "IBMid-dev", "accountId": "acc"}, "actor": {"kind": "system"}}]}');
    expect(() => loadStaticTokenFile(file)).toThrow(expect.objectContaining({ code: 'invalid_options' }));
    writeFileSync(file, '{"tokens": [{"token": "token-of-a-colleague-0123", "actor": {"kind": "subject", "id": "IBMid-dev", "accountId": "acc"}}]}');
    expect(loadStaticTokenFile(file).authenticate('token-of-a-colleague-0123')).toEqual({ kind: 'subject', id: 'IBMid-dev', accountId: 'acc' });
  });

  it('hole: `serve --source` loads a source whose policy writes `effect` twice (deny, then allow) as allow', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redteam7-serve-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const source = join(dir, 'source.json');
    writeFileSync(
      source,
      `{"version": 1, "accounts": [{"id": "acc", "system": "ibm"}], "principals": [{"id": "IBMid-dev", "accountId": "acc", "kind": "user"}],
        "services": [{"name": "kms", "type": "service", "roles": {"Reader": ["kms.keys.read"]}}], "roles": [{"id": "Reader", "kind": "service"}],
        "policies": [{"id": "p", "accountId": "acc", "effect": "deny", "effect": "allow", "subject": {"kind": "principal", "id": "IBMid-dev"}, "roles": ["Reader"], "resource": {}}]}`,
    );
    const started = serve(parseServeArgs(['--db', join(dir, 'store.db'), '--source', source, '--port', '0', '--log-level', 'silent']));
    // a server that started anyway is closed, so the failure is the assertion's alone
    started.then((s) => closers.push(() => s.close()), () => undefined);
    await expect(started).rejects.toMatchObject({ code: 'invalid_options' });
  });
});
