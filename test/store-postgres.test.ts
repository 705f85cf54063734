// What only the PostgreSQL store has: schemas it must refuse untouched, migrations run once by processes starting
// together, a server that cannot be reached, and option checks. Against the real server test/postgres-setup.ts
// started; each case in a schema of its own.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSource, StoreError, ValidationError, type Change } from '@portcullis/engine';
import { ENTITY_FIELDS, ENTITY_NAMES } from '@portcullis/engine/store-kit';
import { openPostgresStore, POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION } from '@portcullis/store-postgres';
import { freePort } from './helpers/postgres-cluster.mjs';
import { baseChanges } from './helpers/fleet-fixture.mjs';
import { richSource } from './helpers/store-arbitraries.js';

const PG_URL = process.env.PORTCULLIS_PG_URL!;
let admin: pg.Client;
let n = 0;
const schemaName = (tag: string) => `${tag}_${process.pid}_${++n}`;
beforeAll(async () => {
  admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
});
afterAll(() => admin.end());

async function openError(options: Parameters<typeof openPostgresStore>[0]): Promise<unknown> {
  return openPostgresStore(options).then(
    async (s) => {
      await s.close();
      return undefined;
    },
    (e: unknown) => e,
  );
}

/** The tables of a schema with their row counts, to show a refusal wrote nothing. */
async function snapshot(schema: string): Promise<string> {
  const tables = await admin.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [schema]);
  const counts = [];
  for (const { table_name } of tables.rows as { table_name: string }[])
    counts.push(`${table_name}:${(await admin.query(`SELECT count(*) AS n FROM "${schema}"."${table_name}"`)).rows[0].n}`);
  return counts.join(',');
}

describe('postgres store: schemas it refuses', () => {
  it('refuses, untouched, a schema of another application, even one with a table named schema_version', async () => {
    const schema = schemaName('other');
    await admin.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.schema_version (version INTEGER); INSERT INTO ${schema}.schema_version VALUES (1)`);
    const before = await snapshot(schema);
    const e = await openError({ url: PG_URL, schema });
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).code).toBe('not_a_database');
    expect(await snapshot(schema)).toBe(before);
  });

  it('refuses a store written by a newer schema version', async () => {
    const schema = schemaName('future');
    const store = await openPostgresStore({ url: PG_URL, schema });
    await store.commit(baseChanges(1, 1), 0);
    await store.close();
    await admin.query(`INSERT INTO ${schema}.schema_version (version, description) VALUES ($1, 'from the future')`, [POSTGRES_SCHEMA_VERSION + 1]);
    const before = await snapshot(schema);
    const e = await openError({ url: PG_URL, schema });
    expect((e as StoreError).code).toBe('schema_too_new');
    expect(await snapshot(schema)).toBe(before);
  });

  it('a server nobody listens on is `unavailable`', async () => {
    const port = await freePort();
    const e = await openError({ url: `postgresql://postgres@127.0.0.1:${port}/postgres`, connectTimeoutMs: 2000 });
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).code).toBe('unavailable');
  });

  it('checks its options before connecting', async () => {
    for (const options of [
      'mysql://localhost/x',
      { url: PG_URL, schema: 'Bad-Name' },
      { url: PG_URL, poolSize: 0 },
      { url: PG_URL, verifyOnLoad: 'yes' },
      { url: PG_URL, shema: 'typo' },
      null,
    ]) {
      const e = await openError(options as never);
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).code).toBe('invalid_options');
    }
  });
});

describe('postgres store: reading the tables', () => {
  it('a store opened afresh reads from the tables exactly what another committed, every entity and optional field included', async () => {
    const schema = schemaName('tables');
    const source = parseSource(richSource);
    const puts = ENTITY_NAMES.flatMap((entity) => (source[ENTITY_FIELDS[entity]] as unknown[]).map((value) => ({ op: 'put', entity, value }) as Change));
    const writer = await openPostgresStore({ url: PG_URL, schema });
    await writer.commit(puts, 0);
    await writer.close();
    for (const verifyOnLoad of [true, false]) {
      const reader = await openPostgresStore({ url: PG_URL, schema, verifyOnLoad });
      const loaded = await reader.load();
      expect(loaded.source).toEqual(source);
      await reader.close();
    }
  });
});

describe('postgres store: migrating', () => {
  it('migrates a schema of version 3 holding a checkpoint of format 2: the checkpoint goes, the tables are read, the next checkpoint is written a row per line', async () => {
    const schema = schemaName('from3');
    const q = `"${schema}"`;
    // the schema as a build of version 3 left it, with a checkpoint this build cannot read (and must not keep)
    await admin.query(`CREATE SCHEMA ${q}; CREATE TABLE ${q}.schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    for (const m of POSTGRES_MIGRATIONS.filter((m) => m.version <= 3)) {
      await admin.query(m.sql.replaceAll('$schema', q));
      await admin.query(`INSERT INTO ${q}.schema_version (version, description) VALUES ($1, $2)`, [m.version, m.description]);
    }
    await admin.query(`INSERT INTO ${q}.checkpoint (id, revision, format, body, checksum) VALUES (1, 0, 2, '{"format":2}', NULL)`);
    const store = await openPostgresStore({ url: PG_URL, schema, checkpointEvery: false });
    try {
      expect(await admin.query(`SELECT revision FROM ${q}.checkpoint`)).toMatchObject({ rows: [] });
      const columns = await admin.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'checkpoint'`, [schema]);
      expect(columns.rows.map((r: { column_name: string }) => r.column_name)).not.toContain('body');
      const { revision } = await store.commit(baseChanges(1, 1), 0);
      expect(await store.checkpoint()).toEqual({ revision });
      const lines = await admin.query(`SELECT count(*)::int AS n FROM ${q}.checkpoint_lines`);
      expect(lines.rows[0].n).toBeGreaterThan(1);
      const fresh = await openPostgresStore({ url: PG_URL, schema });
      expect((await fresh.load()).source).toEqual((await store.load()).source);
      await fresh.close();
      // a hand edit of an entity table drops the checkpoint's row and its lines together
      await admin.query(`DELETE FROM ${q}.accounts`);
      expect((await admin.query(`SELECT ((SELECT count(*) FROM ${q}.checkpoint) + (SELECT count(*) FROM ${q}.checkpoint_lines))::int AS n`)).rows[0].n).toBe(0);
    } finally {
      await store.close();
    }
  });
});

describe('postgres store: opening together, closing', () => {
  it('six stores opening one new schema at once migrate it once and all commit', async () => {
    const schema = schemaName('together');
    const stores = await Promise.all(Array.from({ length: 6 }, () => openPostgresStore({ url: PG_URL, schema, poolSize: 1 })));
    try {
      const versions = await admin.query(`SELECT version FROM ${schema}.schema_version ORDER BY version`);
      expect(versions.rows.map((r: { version: number }) => r.version)).toEqual(Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1));
      await stores[0]!.commit(baseChanges(1, 1), 0);
      for (let i = 1; i < stores.length; i++) expect(await stores[i]!.commit([{ op: 'delete', entity: 'resource', key: `none-${i}` }], i)).toMatchObject({ revision: i + 1 });
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('after close every call is `store_closed`', async () => {
    const store = await openPostgresStore({ url: PG_URL, schema: schemaName('closed') });
    await store.close();
    await store.close();
    for (const call of [() => store.load(), () => store.commit([], 0), () => store.changesSince(0)]) {
      const e = await call().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect((e as StoreError).code).toBe('store_closed');
    }
    expect(() => store.watch({ onRevision: () => undefined, onStatus: () => undefined })).toThrow(StoreError);
  });
});
