// `serve` on a PostgreSQL URL (the real server of the test run's cluster): what one server writes through the IBM
// API, a second server started on the same database and schema serves; the SQLite default is not involved.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '@portcullis/server';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PG_URL = process.env.PORTCULLIS_PG_URL!;
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

describe('portcullis serve --db postgres://…', () => {
  it('persists what the API writes, for the next server on the same schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-serve-pg-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    closers.push(() => admin.end());
    const db = `serve_${process.pid}`;
    await admin.query(`DROP DATABASE IF EXISTS ${db}`);
    await admin.query(`CREATE DATABASE ${db}`);
    closers.push(() => admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));
    const url = new URL(PG_URL);
    url.pathname = `/${db}`;
    const token = 'pg-admin-token-0123456789';
    writeFileSync(join(dir, 'tokens.json'), JSON.stringify({ tokens: [{ token, actor: { kind: 'subject', id: 'IBMid-admin', accountId: 'acct-pg' } }] }));
    writeFileSync(join(dir, 'bootstrap.json'), JSON.stringify({ system: 'ibm', accountId: 'acct-pg', admin: { id: 'IBMid-admin' } }));
    const options = { db: url.toString(), pgSchema: 'served', port: 0, host: '127.0.0.1', tokens: join(dir, 'tokens.json'), bootstrap: join(dir, 'bootstrap.json'), logLevel: 'silent' };

    let first: RunningServer | undefined = await serve(options);
    closers.push(async () => first?.close());
    const created = await fetch(`${first.url}/v2/groups?account_id=acct-pg`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'kept in postgres' }),
    });
    expect(created.status).toBe(201);
    const id = (await created.json()).id as string;
    await first.close();
    first = undefined;

    const second = await serve(options);
    closers.push(() => second.close());
    const got = await fetch(`${second.url}/v2/groups/${id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(got.status).toBe(200);
    expect((await got.json()).name).toBe('kept in postgres');
    // the store lives in the schema asked for
    const inDb = new pg.Client({ connectionString: url.toString() });
    await inDb.connect();
    const tables = await inDb.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'served'`);
    await inDb.end();
    expect(tables.rows[0].n).toBeGreaterThan(0);
  });
});

describe('portcullis serve --db postgres://… --workers 2', () => {
  it('reads its own writes through either worker, and decides through both', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-serve-pg-workers-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    closers.push(() => admin.end());
    const db = `serve_workers_${process.pid}`;
    await admin.query(`DROP DATABASE IF EXISTS ${db}`);
    await admin.query(`CREATE DATABASE ${db}`);
    closers.push(() => admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));
    const url = new URL(PG_URL);
    url.pathname = `/${db}`;
    const token = 'pg-admin-token-0123456789';
    const pep = 'pg-pep-token-0123456789abc';
    writeFileSync(
      join(dir, 'tokens.json'),
      JSON.stringify({ tokens: [{ token, actor: { kind: 'subject', id: 'IBMid-admin', accountId: 'acct-pg' } }, { token: pep, actor: { kind: 'system' } }] }),
    );
    writeFileSync(join(dir, 'bootstrap.json'), JSON.stringify({ system: 'ibm', accountId: 'acct-pg', admin: { id: 'IBMid-admin' } }));
    const main = fileURLToPath(new URL('../packages/server/dist/serve-main.js', import.meta.url));
    const child = spawn(process.execPath, [main, '--db', url.toString(), '--port', '0', '--workers', '2', '--tokens', join(dir, 'tokens.json'), '--bootstrap', join(dir, 'bootstrap.json')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const done = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const out: string[] = [];
    child.stdout!.on('data', (d) => out.push(String(d)));
    let err = '';
    const base = await new Promise<string>((resolve, reject) => {
      child.stderr!.on('data', (d) => {
        err += String(d);
        const m = /listening on (http:\/\/\S+)/.exec(err);
        if (m) resolve(m[1]!);
      });
      void done.then((code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    try {
      // `connection: close`: each request is a new connection, and the cluster hands new connections out in turn
      const call = (method: string, path: string, body?: unknown, who = token) =>
        fetch(base + path, { method, headers: { authorization: `Bearer ${who}`, 'content-type': 'application/json', connection: 'close' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      for (let i = 0; i < 6; i++) {
        const created = await call('POST', '/v2/groups?account_id=acct-pg', { name: `pg team ${i}` });
        expect(created.status).toBe(201);
        const id = ((await created.json()) as { id: string }).id;
        const got = await call('GET', `/v2/groups/${id}`);
        expect([i, got.status]).toEqual([i, 200]);
      }
      const lines = out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
      expect(new Set(lines.map((l) => l.pid)).size).toBe(2);
      // decisions through both workers, on a group another worker has just created
      const g = (await (await call('POST', '/v2/groups?account_id=acct-pg', { name: 'readers' })).json()) as { id: string };
      const ask = async () =>
        ((await (await call('POST', '/access/v1/evaluation', { subject: { type: 'user', id: 'IBMid-admin' }, action: { name: 'iam-groups.groups.read' }, resource: { type: 'resource', id: '-', properties: { accountId: 'acct-pg', serviceName: 'iam-groups', resourceType: 'group', resource: g.id } } }, pep)).json()) as { decision: boolean }).decision;
      for (let i = 0; i < 4; i++) expect(await ask()).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await done).toBe(0);
  });
});
