// The BlueXP routes over real HTTP on localhost (the seeds print no paths; ours are in the README): an organization
// bootstrapped with its admin builds folders, projects and workspaces, adds a user with a role; bad input on these
// routes gets the BlueXP error body and writes nothing; a caller without the right is 403.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from './serve.js';

const ORG = 'org-bluexp';
const ADMIN = 'bluexp-admin-token-0123456789';
const STRANGER = 'bluexp-stranger-token-0123456789';
let dir: string;
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-bluexp-'));
  writeFileSync(
    join(dir, 'tokens.json'),
    JSON.stringify({
      tokens: [
        { token: ADMIN, actor: { kind: 'subject', id: 'user-admin', accountId: ORG } },
        { token: STRANGER, actor: { kind: 'subject', id: 'user-stranger', accountId: ORG } },
      ],
    }),
  );
  writeFileSync(join(dir, 'bootstrap.json'), JSON.stringify({ system: 'bluexp', accountId: ORG, admin: { id: 'user-admin', email: 'admin@example.com' } }));
  server = await serve({ db: join(dir, 'b.db'), port: 0, host: '127.0.0.1', tokens: join(dir, 'tokens.json'), bootstrap: join(dir, 'bootstrap.json'), logLevel: 'silent' });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown, token: string | null = ADMIN, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

describe('BlueXP over HTTP', () => {
  const iam = `/bluexp/iam/account/${ORG}`;
  const tenancy = `/bluexp/tenancy/account/${ORG}`;

  it('builds the hierarchy, a workspace and a user with a role through the routes', async () => {
    const folder = await call('POST', `${iam}/folders`, { name: 'engineering' });
    expect(folder.status).toBe(201);
    expect(folder.body).toMatchObject({ type: 'folder', name: 'engineering' });
    const project = await call('POST', `${iam}/projects`, { name: 'storage', parentId: folder.body.id });
    expect(project.status).toBe(201);
    const nodes = await call('GET', `${iam}/nodes?type=project`);
    expect(nodes.status).toBe(200);
    expect(nodes.body.nodes.map((n: { id: string }) => n.id)).toContain(project.body.id);
    const ws = await call('POST', `${tenancy}/workspace`, { workspaceName: 'scratch' });
    expect(ws.status).toBe(201);
    expect((await call('GET', `${tenancy}/workspace`)).body.length).toBeGreaterThan(0);
    const roles = server.engine.source.roles.filter((r) => r.kind === 'bluexp').map((r) => r.id);
    const user = await call('POST', `${iam}/users`, { email: 'dev@example.com', roleId: roles.find((r) => !/organization/i.test(r)) ?? roles[0], nodeId: project.body.id });
    expect(user.status).toBe(201);
    expect((await call('GET', `${iam}/principals?kind=user`)).body.principals.map((p: { email?: string }) => p.email)).toContain('dev@example.com');
    expect((await call('GET', tenancy)).status).toBe(200);
  });

  it('bad input, unknown paths, no token and a stranger: BlueXP error bodies, nothing written', async () => {
    const before = server.engine.revision;
    const cases: [string, string, unknown, string | null, number][] = [
      ['POST', `${iam}/folders`, { name: 'x', colour: 'red' }, ADMIN, 400],
      ['POST', `${iam}/folders`, { name: 42 }, ADMIN, 400],
      ['POST', `${iam}/folders`, '[1, 2]', ADMIN, 400],
      ['POST', `${iam}/folders`, '{"name": ', ADMIN, 400],
      ['GET', `${iam}/nodes?colour=red`, undefined, ADMIN, 400],
      ['GET', `${iam}/nodes/no-such-node`, undefined, ADMIN, 404],
      ['GET', `${iam}/no-such-route`, undefined, ADMIN, 404],
      ['POST', `${iam}/folders`, { name: 'x' }, null, 401],
      ['POST', `${iam}/folders`, { name: 'x' }, 'forged-token-0123456789', 401],
      ['POST', `${iam}/folders`, { name: 'x' }, STRANGER, 403],
    ];
    for (const [method, path, body, token, status] of cases) {
      const r = await call(method, path, body, token);
      expect([method, path, r.status]).toEqual([method, path, status]);
      expect(typeof r.body.error.code).toBe('string');
    }
    expect(server.engine.revision).toBe(before);
  });
});
