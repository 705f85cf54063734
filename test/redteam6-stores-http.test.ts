// Issue 12, red team (sixth round), the part over real stores and HTTP: engine.apply's revision-conflict rerun on
// memory, SQLite and PostgreSQL, and the HTTP server's idea of who the actor is. Outside test/access-control*: the
// mutation run (Node 22) loads no SQLite build and no server. "refused: …" tests are attacks that failed, kept as
// regression tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bluexpOperations as bx,
  bootstrapAccount,
  cloudflareOperations as cf,
  defaultGuards,
  login,
  recordPermits,
  ibmAccessGroupOperations as ag,
  IBM_ROLES,
  ibmPolicyOperations as pol,
  type Actor,
  type Engine,
  type Store,
} from '@portcullis/engine';
import { BLUEXP_ROUTES, CLOUDFLARE_ROUTES, createServer, createStaticTokenAuthenticator, IBM_ROUTES } from '@portcullis/server';
import { createMemoryStore } from '@portcullis/store-memory';
import { openPostgresStore } from '@portcullis/store-postgres';
import { openSqliteStore } from '@portcullis/store-sqlite';
import { closeAfterEach, engine, engineOnStore, refusal, snapshot, SYSTEM, who } from './helpers/access.js';
import { apply, IBM_FORBIDDEN, ibmWorldChanges, key, kmsFor, may } from './helpers/ibm-world.js';

const closers = closeAfterEach();

const me: Actor = who('IBMid-me', 'acc');
const engineOn = (store: Store): Promise<Engine> => engineOnStore(store, closers);

const STORES: [string, () => Promise<{ first: Store; second: Store }>][] = [
  [
    'memory',
    async () => {
      const store = createMemoryStore();
      return { first: store, second: store };
    },
  ],
  [
    'SQLite',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redteam6-'));
      closers.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
      const file = path.join(dir, 'p.db');
      return { first: openSqliteStore(file), second: openSqliteStore(file) };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      // two connections to one database, as two processes have (test/postgres-setup.ts started the server)
      const schema = `redteam6_${process.pid}_${++schemas}`;
      return { first: await openPostgresStore({ url: process.env['PORTCULLIS_PG_URL']!, schema }), second: await openPostgresStore({ url: process.env['PORTCULLIS_PG_URL']!, schema }) };
    },
  ],
];
let schemas = 0;

// engine.apply reruns an operation that lost a race (issue 14): the rerun must be reviewed again, over the state that
// won, or an operation judged on what the actor held a moment ago would land on a state where it holds less.
describe('the review of an operation that lost a race is made again on the state that won', () => {
  for (const [name, open] of STORES) {
    it(`refused (${name}): the actor's right to write policies is taken by another engine before it commits`, async () => {
      const { first, second } = await open();
      await first.commit(await ibmWorldChanges(), 0);
      const host = await engineOn(first);
      const mine = await engineOn(second);
      // the engine `me` acts through still holds its right: the host's engine takes it away
      await host.commit([{ op: 'delete', entity: 'policy', key: 'p-me-iam' }]);
      expect(mine.source.policies.some((p) => p.id === 'p-me-iam')).toBe(true);
      const revision = (await first.load()).revision;
      expect(await refusal(apply(mine, pol.createPolicy, kmsFor('IBMid-friend', []), me))).toEqual(IBM_FORBIDDEN);
      expect((await first.load()).revision).toBe(revision);
      expect(may(mine, 'IBMid-friend', 'acc', 'kms.keys.write', key('k1'))).toBe(false);
    });

    it(`refused (${name}): the right is taken while the operation's commit is in flight`, async () => {
      const { first, second } = await open();
      await first.commit(await ibmWorldChanges(), 0);
      const host = await engineOn(first);
      let raced = 0;
      // a store through which the first commit of `me` races the host's commit that takes its right, landing first
      const racing: Store = {
        load: () => second.load(),
        changesSince: (r) => second.changesSince(r),
        close: () => second.close(),
        commit: async (changes, expected) => {
          if (raced++ === 0) await host.commit([{ op: 'delete', entity: 'policy', key: 'p-me-iam' }]);
          return second.commit(changes, expected);
        },
      };
      const mine = await engineOn(racing);
      const revision = (await first.load()).revision;
      expect(await refusal(apply(mine, pol.createPolicy, kmsFor('IBMid-friend', []), me))).toEqual(IBM_FORBIDDEN);
      // the host's commit landed, nothing of `me`'s did
      expect(raced).toBe(1);
      expect((await first.load()).revision).toBe(revision + 1);
      expect((await first.load()).source.policies.some((p) => p.subject.kind === 'principal' && p.subject.id === 'IBMid-friend')).toBe(false);
    });
  }
});

// The server takes the actor from the bearer token alone; every other part of a request is the operation's input. So
// the strongest caller of one account — its administrator — asks every route with the other account's ids in the path
// and in every query parameter that names an account, and must read nothing of it and write nothing.
describe('over HTTP, an account administrator reaches nothing of another account', () => {
  const CF_A = 'a'.repeat(32);
  const CF_B = 'b'.repeat(32);
  const ACCOUNTS = { ibm: ['acc-a', 'acc-b'], cloudflare: [CF_A, CF_B], bluexp: ['bx-a', 'bx-b'] } as const;

  /** The three systems' accounts, each with an administrator; account B of each holds rows named SECRET. */
  async function twoAccountsEach() {
    const e = engine();
    for (const [system, [a, b]] of Object.entries(ACCOUNTS)) {
      for (const id of [a, b]) await apply(e, bootstrapAccount, { system, accountId: id, admin: { id: `admin-${id}`, email: `admin@${id}.example` } }, SYSTEM);
    }
    const asB = (system: keyof typeof ACCOUNTS) => who(`admin-${ACCOUNTS[system][1]}`, ACCOUNTS[system][1]);
    const ids: Record<string, string> = {};
    const run = async (system: keyof typeof ACCOUNTS, op: unknown, input: Record<string, unknown>) => (await apply(e, op, input, asB(system))) as Record<string, unknown>;
    ids['access_group_id'] = (await run('ibm', ag.createAccessGroup, { account_id: 'acc-b', name: 'SECRET group' })).id as string;
    ids['policy_id'] = ((await run('ibm', pol.createPolicy, kmsLike('acc-b', 'admin-acc-b'))) as { id: string }).id;
    ids['iam_id'] = 'admin-acc-b';
    const cfGroup = (await run('cloudflare', cf.createUserGroup, { account_id: CF_B, name: 'SECRET group' })) as { result: { id: string } };
    ids['user_group_id'] = cfGroup.result.id;
    ids['member_id'] = 'admin-' + CF_B;
    const folder = await run('bluexp', bx.createFolder, { account_id: 'bx-b', name: 'SECRET folder' });
    ids['node_id'] = folder.id as string;
    ids['group_id'] = (await run('bluexp', bx.createUserGroup, { account_id: 'bx-b', name: 'SECRET group' })).id as string;
    ids['principal_id'] = 'admin-bx-b';
    return { e, ids };
  }
  const kmsLike = (accountId: string, id: string) => ({
    type: 'access',
    description: 'SECRET policy',
    subjects: [{ attributes: [{ name: 'iam_id', value: id }] }],
    roles: [{ role_id: IBM_ROLES.viewer }],
    resources: [{ attributes: [{ name: 'accountId', value: accountId }, { name: 'serviceName', value: 'iam-groups' }] }],
  });

  /** Asks every route with account B's ids as the administrator of account `side` of each system; the responses that show a row of B. */
  async function sweep(side: 0 | 1) {
    const { e, ids } = await twoAccountsEach();
    const token = (system: string) => `token-${system}-admin-${side}-0123456789`;
    const tokens = Object.entries(ACCOUNTS).map(([system, accounts]) => ({ token: token(system), actor: { kind: 'subject' as const, id: `admin-${accounts[side]}`, accountId: accounts[side] } }));
    const app = await createServer({ engine: e, authenticator: createStaticTokenAuthenticator(tokens) });
    closers.push(() => app.close());
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const before = snapshot(e);
    const shown: string[] = [];
    for (const route of [...IBM_ROUTES, ...CLOUDFLARE_ROUTES, ...BLUEXP_ROUTES]) {
      const b = ACCOUNTS[route.family][1];
      const url = route.url.replace(/:([a-z_]+)/g, (_m, name: string) => encodeURIComponent(name === 'account_id' ? b : (ids[name] ?? `x-${name}`)));
      // the query's account, and its filters naming B's rows (a member, a group, a node)
      const named: Record<string, string | undefined> = { account_id: b, account: b, iam_id: ids['iam_id'], access_group_id: ids['access_group_id'], principalId: ids['principal_id'], groupId: ids['group_id'], nodeId: ids['node_id'], parentId: ids['node_id'] };
      const query = (route.query ?? []).filter((k) => named[k] !== undefined).map((k) => `${k}=${encodeURIComponent(named[k]!)}`);
      // the per-item bodies name B's principals too, where the route takes them
      const body: Record<string, unknown> = {};
      for (const k of route.body ?? []) if (k === 'members') body[k] = route.family === 'ibm' ? [{ iam_id: ids['iam_id'], type: 'user' }] : [ids['principal_id']];
      const read = route.method === 'GET' || route.method === 'HEAD';
      const res = await fetch(`${base}${url}${query.length > 0 ? `?${query.join('&')}` : ''}`, {
        method: route.method,
        headers: { authorization: `Bearer ${token(route.family)}`, ...(read ? {} : { 'content-type': 'application/json' }) },
        ...(read ? {} : { body: JSON.stringify(body) }),
      });
      // (a page link repeats the caller's own query: not something read of B)
      const text = (await res.text()).replace(/"href":"[^"]*"/g, '');
      if (/SECRET|admin-acc-b|admin-bx-b/.test(text) || text.includes(`admin-${CF_B}`)) shown.push(`${route.method} ${url}: ${res.status} ${text.slice(0, 300)}`);
    }
    return { shown, written: JSON.stringify(snapshot(e)) !== JSON.stringify(before) };
  }

  it('refused: a BlueXP user names another user or an agent in the headers the routes pass on (x-user-token, x-agent-id)', async () => {
    const e = engine();
    await apply(e, bootstrapAccount, { system: 'bluexp', accountId: 'bx', admin: { id: 'admin', email: 'admin@corp.com' } }, SYSTEM);
    await e.commit([
      ...['dev', 'other'].map((id) => ({ op: 'put' as const, entity: 'principal' as const, value: { id, accountId: 'bx', kind: 'user', email: `${id}@corp.com`, status: 'active' } })),
      { op: 'put', entity: 'principal', value: { id: 'ag1', accountId: 'bx', kind: 'agent', status: 'active' } },
    ]);
    const app = await createServer({ engine: e, authenticator: createStaticTokenAuthenticator([{ token: 'token-bx-dev-0123456789', actor: { kind: 'subject', id: 'dev', accountId: 'bx' } }]) });
    closers.push(() => app.close());
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const send = (method: string, path: string, headers: Record<string, string>, body: unknown) =>
      fetch(`${base}/bluexp/tenancy/account/bx${path}`, { method, headers: { authorization: 'Bearer token-bx-dev-0123456789', 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const before = snapshot(e);
    expect((await send('PATCH', '/update-user', { 'x-user-token': 'other' }, { notificationOptIn: true })).status).toBe(403);
    expect((await send('POST', '/agent-resource', { 'x-agent-id': 'ag1' }, { cloud_id: 'vm-1', resourceType: 'volume' })).status).toBe(403);
    expect((await send('POST', '/resource', { 'x-agent-id': 'ag1' }, { resourceType: 'volume' })).status).toBe(403);
    expect(snapshot(e)).toEqual(before);
    // its own choice it makes
    expect((await send('PATCH', '/update-user', { 'x-user-token': 'dev' }, { notificationOptIn: true })).status).toBe(200);
  });

  it('refused: no route runs a host-only operation (login, the end of an SSO verification, bootstrap, usage figures)', () => {
    // (a token of the host's `system` actor would run them unreviewed: the host asserts what they record)
    const hostOnly: unknown[] = [login, cf.completeSsoConnectorVerification, bootstrapAccount, recordPermits];
    // every route's operation has a guard, so a subject's token is asked before anything runs
    for (const route of [...IBM_ROUTES, ...CLOUDFLARE_ROUTES, ...BLUEXP_ROUTES]) {
      expect(hostOnly).not.toContain(route.operation);
      expect(defaultGuards.has(route.operation)).toBe(true);
    }
  });

  it('refused: every route, read or write, with account B in the path and in the query, and B’s row ids', async () => {
    const a = await sweep(0);
    expect(a.shown).toEqual([]);
    expect(a.written).toBe(false);
    // the same sweep by B's own administrators reads B's rows (the sweep can see a leak)
    expect((await sweep(1)).shown.length).toBeGreaterThan(5);
  });
});

