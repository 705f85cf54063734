// createServer's `readYourWrites`: two servers, each with its own engine over one SQLite file, neither following the
// store's feed, so the only way one sees the other's write is the catch-up before each management request. With it
// (the default) a group created through one server is read, listed and updated through the other at once; without
// it the other server answers from its own, older state.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapAccount, createEngineFromStore, type Engine } from '@portcullis/engine';
import { openSqliteStore } from '@portcullis/store-sqlite';
import type { FastifyInstance } from 'fastify';
import { createServer } from './create-server.js';
import { createStaticTokenAuthenticator } from './static-token-authenticator.js';

const ACCOUNT = 'acct-ryw';
const TOKEN = 'ryw-admin-token-0123456789';
let dir: string;
const open: { app: FastifyInstance; engine: Engine }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-ryw-'));
  const engine = await createEngineFromStore(openSqliteStore(join(dir, 'p.db')), { follow: false });
  await engine.apply(bootstrapAccount, { system: 'ibm', accountId: ACCOUNT, admin: { id: 'IBMid-admin' } } as never, { actor: { kind: 'system' } });
  await engine.close();
});
afterAll(async () => {
  for (const { app, engine } of open) {
    await app.close();
    await engine.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

async function server(readYourWrites?: boolean): Promise<string> {
  const engine = await createEngineFromStore(openSqliteStore(join(dir, 'p.db')), { follow: false });
  const app = await createServer({
    engine,
    authenticator: createStaticTokenAuthenticator([{ token: TOKEN, actor: { kind: 'subject', id: 'IBMid-admin', accountId: ACCOUNT } }]),
    ...(readYourWrites === undefined ? {} : { readYourWrites }),
  });
  open.push({ app, engine });
  return app.listen({ port: 0, host: '127.0.0.1' });
}

const call = (base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(base + path, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

describe('readYourWrites', () => {
  it('by default, a write through one server is read, listed and updated through another at once', async () => {
    const a = await server();
    const b = await server();
    for (let i = 0; i < 3; i++) {
      const created = await call(a, 'POST', `/v2/groups?account_id=${ACCOUNT}`, { name: `group ${i}` });
      expect(created.status).toBe(201);
      const id = ((await created.json()) as { id: string }).id;
      const got = await call(b, 'GET', `/v2/groups/${id}`);
      expect(got.status).toBe(200);
      const listed = (await (await call(b, 'GET', `/v2/groups?account_id=${ACCOUNT}&hide_public_access=true`)).json()) as { groups: { id: string }[] };
      expect(listed.groups.map((g) => g.id)).toContain(id);
      const updated = await call(b, 'PATCH', `/v2/groups/${id}`, { name: `renamed ${i}` }, { 'if-match': got.headers.get('etag')! });
      expect(updated.status).toBe(200);
      expect(((await (await call(a, 'GET', `/v2/groups/${id}`)).json()) as { name: string }).name).toBe(`renamed ${i}`);
    }
  });

  it('off, another server answers from its own state (what the option is for)', async () => {
    const a = await server(false);
    const b = await server(false);
    const created = await call(a, 'POST', `/v2/groups?account_id=${ACCOUNT}`, { name: 'unseen' });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: string }).id;
    expect((await call(b, 'GET', `/v2/groups/${id}`)).status).toBe(404);
  });

  it('must be a boolean', async () => {
    const engine = await createEngineFromStore(openSqliteStore(join(dir, 'p.db')), { follow: false });
    try {
      await expect(createServer({ engine, readYourWrites: 'yes' as never })).rejects.toThrow(/readYourWrites/);
    } finally {
      await engine.close();
    }
  });
});
