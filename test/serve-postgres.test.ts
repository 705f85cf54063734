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
