// Checkpoints (store-kit/checkpoint.ts): a cold load reads the whole source at some revision from one row and replays
// the change log after it, instead of reading every table. The entity tables and the log stay the truth, so every
// checkpoint that cannot be trusted must be ignored and the tables read: one of another format, one whose revision
// the log does not hold, text that does not parse, rows that do not form a valid source; and a hand edit of an entity
// table drops the checkpoint. Each case below plants a checkpoint that is valid but *differs* from the tables (one
// principal renamed), so a load that used it would show; the first case proves such a checkpoint is indeed read.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSource, ValidationError, type Change, type Source } from '@portcullis/engine';
import { applyChanges, CHECKPOINT_FORMAT, checkpointChecksum, decodeCheckpoint, encodeCheckpoint, ENTITY_FIELDS, ENTITY_NAMES, SPECS } from '@portcullis/engine/store-kit';
import { openPostgresStore, type PostgresStore } from '@portcullis/store-postgres';
import { openSqliteStore, type SqliteStore } from '@portcullis/store-sqlite';
import { richSource } from './helpers/store-arbitraries.js';

const PG_URL = process.env.PORTCULLIS_PG_URL!;
const parsed = parseSource(richSource);
const puts: Change[] = ENTITY_NAMES.flatMap((entity) => (parsed[ENTITY_FIELDS[entity]] as unknown[]).map((value) => ({ op: 'put', entity, value }) as Change));
const principal = parsed.principals[0]!;
/** A change after the checkpoint, which a load must replay from the log. */
const later: Change = { op: 'put', entity: 'principal', value: { ...parsed.principals[1]!, name: 'renamed after the checkpoint' } };
/** What the tables hold after `later`. */
const truth: Source = parseSource(applyChanges(parsed, [later]));
/** A valid source that differs from the tables: what a load shows only if it used the planted checkpoint. */
const planted = (): Source => ({ ...truth, principals: truth.principals.map((p) => (p.id === principal.id ? { ...p, name: 'from the checkpoint' } : p)) });
const nameOf = (s: Source) => s.principals.find((p) => p.id === principal.id)!.name;

let admin: pg.Client;
let n = 0;
const dirs: string[] = [];
beforeAll(async () => {
  admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
});
afterAll(async () => {
  await admin.end();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

type AnyStore = SqliteStore | PostgresStore;
interface Kind {
  name: string;
  /** A new store holding `parsed` at revision 1, checkpointed there, then `later` at revision 2; closed. */
  create(): Promise<Created>;
}
interface Created {
  schema: string;
  open(options?: { checkpointEvery?: number | false; verifyOnLoad?: boolean }): Promise<AnyStore>;
  sql(statement: string, params?: unknown[]): Promise<unknown[]>;
  /** The checkpoint's text: SQLite keeps it in the row, PostgreSQL a row per line beside it. */
  text(): Promise<string>;
  /** Replaces the checkpoint's text, and nothing else of it. */
  setText(text: string): Promise<void>;
}

async function prepare(store: AnyStore): Promise<void> {
  await store.commit(puts, 0);
  expect(await store.checkpoint()).toEqual({ revision: 1 });
  await store.commit([later], 1);
  await store.close();
}

const KINDS: Kind[] = [
  {
    name: 'sqlite',
    async create() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-checkpoint-'));
      dirs.push(dir);
      const file = path.join(dir, 'store.db');
      await prepare(openSqliteStore(file, { checkpointEvery: false }));
      const sql = async (statement: string, params: unknown[] = []) => {
        const db = new Database(file);
        try {
          const s = db.prepare(statement.replaceAll('$schema.', ''));
          return s.reader ? s.all(...params) : (s.run(...params), []);
        } finally {
          db.close();
        }
      };
      return {
        schema: 'main',
        open: async (options = {}) => openSqliteStore(file, { checkpointEvery: false, ...options }),
        sql,
        text: async () => ((await sql('SELECT body FROM checkpoint')) as { body: string }[])[0]!.body,
        setText: async (text) => void (await sql('UPDATE checkpoint SET body = ?', [text])),
      };
    },
  },
  {
    name: 'postgres',
    async create() {
      const schema = `checkpoint_${process.pid}_${++n}`;
      await prepare(await openPostgresStore({ url: PG_URL, schema, checkpointEvery: false }));
      const sql = async (statement: string, params: unknown[] = []) => {
        let i = 0;
        const text = statement.replaceAll('$schema.', `${schema}.`).replace(/\?/g, () => `$${++i}`);
        return (await admin.query(text, params)).rows;
      };
      return {
        schema,
        open: (options = {}) => openPostgresStore({ url: PG_URL, schema, checkpointEvery: false, ...options }),
        sql,
        text: async () => ((await sql("SELECT string_agg(line, E'\\n' ORDER BY n) AS text FROM $schema.checkpoint_lines")) as { text: string }[])[0]!.text,
        setText: async (text) => {
          const lines = text.split('\n');
          await sql('DELETE FROM $schema.checkpoint_lines');
          await sql('INSERT INTO $schema.checkpoint_lines (n, line) SELECT n, line FROM unnest(?::text[]) WITH ORDINALITY AS t(line, n)', [lines]);
        },
      };
    },
  },
];

async function loadWith(kind: Created): Promise<Source> {
  const store = await kind.open();
  try {
    return (await store.load()).source;
  } finally {
    await store.close();
  }
}

describe('encodeCheckpoint', () => {
  it('breaks a large text into lines of about 1 MB that decode to the same source', () => {
    const large: Source = { ...truth, policies: Array.from({ length: 20_000 }, (_, i) => ({ ...truth.policies[i % truth.policies.length]!, id: `large-${i}` })) };
    const text = encodeCheckpoint(large);
    const lines = text.split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThan(2 << 20);
    expect(decodeCheckpoint(text, false, null)).toEqual(large);
  });
});

for (const kind of KINDS) {
  describe(`${kind.name} store: checkpoints`, () => {
    it('loads from a checkpoint and the changes after it', async () => {
      const k = await kind.create();
      expect(await loadWith(k)).toEqual(truth);
      // the planted checkpoint is read: its difference shows, and the change after it is replayed on top
      await k.setText(encodeCheckpoint({ ...planted(), principals: planted().principals.map((p) => (p.id === later.value.id ? parsed.principals[1]! : p)) }));
      const source = await loadWith(k);
      expect(nameOf(source)).toBe('from the checkpoint');
      expect(source.principals.find((p) => p.id === later.value.id)).toEqual(later.value);
      expect(Object.isFrozen(source.principals[0]) && Object.isFrozen(source.policies[0]!.resource.attributes)).toBe(true);
    });

    it('reads a checkpoint of many lines whole and in order', async () => {
      const k = await kind.create();
      // a line for every row, as encodeCheckpoint starts a new line of the same table every ~1 MB of a large source
      const [head, ...tables] = encodeCheckpoint(planted()).split('\n');
      const rows = tables.flatMap((line) => {
        const [name, rows] = JSON.parse(line) as [string, unknown[]];
        return rows.length === 0 ? [line] : rows.map((row) => JSON.stringify([name, [row]]));
      });
      const text = [head, ...rows].join('\n');
      expect(rows.length).toBeGreaterThan(tables.length + 20);
      await k.setText(text);
      await k.sql('UPDATE $schema.checkpoint SET checksum = ?', [checkpointChecksum(text)]);
      const source = await loadWith(k);
      expect(nameOf(source)).toBe('from the checkpoint');
      expect(source.principals.find((p) => p.id === later.value.id)).toEqual(later.value);
    });

    /**
     * Each case plants the planted checkpoint's text as `edit` changes it (the edit must change it), with the checksum
     * of the edited text when `vouched` (as a store that validated it would write it: then no check of the rows runs,
     * and it is the decoder's own check that must refuse it), and runs `statement` on the checkpoint's row.
     */
    const IGNORED: { what: string; edit?: (text: string) => string; vouched?: true; statement?: string }[] = [
      { what: 'of another format', statement: 'UPDATE $schema.checkpoint SET format = 999' },
      { what: 'of the format before this one, as an older build wrote it', statement: `UPDATE $schema.checkpoint SET format = ${CHECKPOINT_FORMAT - 1}` },
      { what: 'at a revision the log does not hold (a newer one)', statement: 'UPDATE $schema.checkpoint SET revision = 7' },
      { what: 'whose text does not parse', edit: (b) => b.slice(0, b.length >> 1) },
      { what: 'whose line is cut short, with the checksum of what is left', edit: (b) => b.slice(0, b.indexOf('\n', b.indexOf('["principals"')) - 1), vouched: true },
      { what: 'whose text is of another format inside', edit: (b) => b.replace(`"format":${CHECKPOINT_FORMAT}`, `"format":${CHECKPOINT_FORMAT + 1}`) },
      { what: 'whose text is one JSON value, as the format before this one wrote it', edit: (b) => b.replaceAll('\n', ' '), vouched: true },
      // every line after the first is [table, rows] of a table a checkpoint has, and the first names nothing else
      { what: 'with a line of a table the source does not have', edit: (b) => `${b}\n["principal",[]]`, vouched: true },
      { what: 'with a line of a shared table it does not know', edit: (b) => b.replace('["$roles",', '["$role",'), vouched: true },
      { what: 'without the line of one of its tables', edit: (b) => b.replace(/\n\["ssoConnectors",[^\n]*/, ''), vouched: true },
      { what: 'without one of its shared tables', edit: (b) => b.replace(/\n\["\$subjects",[^\n]*/, ''), vouched: true },
      { what: 'whose first line has a key it does not know', edit: (b) => b.replace('{"format":', '{"extra":1,"format":'), vouched: true },
      { what: 'whose first line holds a table that a line holds too', edit: (b) => b.replace('"source":{', '"source":{"policies":[],'), vouched: true },
      { what: 'with a line that is no [table, rows]', edit: (b) => `${b}\n{"principals":[]}`, vouched: true },
      { what: 'with a line of more than [table, rows]', edit: (b) => `${b}\n["ssoConnectors",[],[]]`, vouched: true },
      // each policy names its selector, subject and role list, and each selector its conditions, by number in a table;
      // the checksum written beside these matches, so it is the references' own check that refuses them
      { what: 'whose policy names a role list it does not hold', edit: (b) => b.replace('"roles":0,', '"roles":99999,'), vouched: true },
      { what: 'whose policy names a subject by something else than a number', edit: (b) => b.replace('"subject":0,', '"subject":"0",'), vouched: true },
      { what: 'whose selector names a condition it does not hold', edit: (b) => b.replace('"attributes":[0', '"attributes":[-1'), vouched: true },
      { what: 'whose rows do not form a valid source', edit: (b) => b.replace('"status":"active"', '"status":"suspended"') },
    ];
    for (const { what, edit, vouched, statement } of IGNORED) {
      it(`ignores a checkpoint ${what} and reads the tables`, async () => {
        const k = await kind.create();
        const body = encodeCheckpoint(planted());
        const text = edit === undefined ? body : edit(body);
        if (edit !== undefined) expect(text).not.toBe(body);
        await k.setText(text);
        if (vouched) await k.sql('UPDATE $schema.checkpoint SET checksum = ?', [checkpointChecksum(text)]);
        if (statement !== undefined) await k.sql(statement);
        expect(await loadWith(k)).toEqual(truth);
      });
    }

    it('ignores a checkpoint once the log no longer holds its revision', async () => {
      const k = await kind.create();
      await k.setText(encodeCheckpoint(planted()));
      await k.sql('DELETE FROM $schema.change_log WHERE revision = 1');
      expect(await loadWith(k)).toEqual(truth);
    });

    it('drops the checkpoint when an entity table is edited by hand, and keeps it through its own commits', async () => {
      const k = await kind.create();
      expect(await k.sql('SELECT CAST(revision AS INTEGER) AS revision FROM $schema.checkpoint')).toEqual([{ revision: 1 }]);
      await k.sql("UPDATE $schema.principals SET name = 'edited by hand' WHERE id = ?", [principal.id]);
      expect(await k.sql('SELECT CAST(revision AS INTEGER) AS revision FROM $schema.checkpoint')).toEqual([]);
      const store = await k.open();
      expect(nameOf((await store.load()).source)).toBe('edited by hand');
      expect(await store.checkpoint()).toEqual({ revision: 2 });
      await store.commit([{ op: 'put', entity: 'principal', value: { ...principal, name: 'committed' } }], 2);
      await store.close();
      expect(await k.sql('SELECT CAST(revision AS INTEGER) AS revision FROM $schema.checkpoint')).toEqual([{ revision: 2 }]);
      expect(nameOf(await loadWith(k))).toBe('committed');
    });

    it('writes a checkpoint on its own once enough changes were committed', async () => {
      const k = await kind.create();
      const store = await k.open({ checkpointEvery: 3 });
      // the load counts the one change it replayed since the checkpoint at 1
      const { revision } = await store.load();
      await store.commit([{ op: 'put', entity: 'principal', value: { ...principal, name: 'one' } }], revision);
      expect(await k.sql('SELECT CAST(revision AS INTEGER) AS revision FROM $schema.checkpoint')).toEqual([{ revision: 1 }]);
      await store.commit([{ op: 'put', entity: 'principal', value: { ...principal, name: 'two' } }], revision + 1);
      expect(await k.sql('SELECT CAST(revision AS INTEGER) AS revision FROM $schema.checkpoint')).toEqual([{ revision: 4 }]);
      await store.close();
      // from the new checkpoint alone: the planted difference proves it is the one read
      const body = await k.text();
      expect(nameOf(await loadWith(k))).toBe('two');
      await k.setText(body.replace('"name":"two"', '"name":"three"'));
      expect(nameOf(await loadWith(k))).toBe('three');
    });

    it('writes the checksum of its text when it validated its source, and trusts a text that matches it', async () => {
      const k = await kind.create();
      const [row] = (await k.sql('SELECT checksum FROM $schema.checkpoint')) as { checksum: number | string }[];
      expect(Number(row!.checksum)).toBe(checkpointChecksum(await k.text()));
      // a text that matches its checksum is what a store wrote from a validated source: its rows are not checked again
      // (the rows here are invalid on purpose, to show which check ran); one that does not match is checked, and refused
      const invalid = encodeCheckpoint(planted()).replace('"status":"active"', '"status":"suspended"');
      await k.setText(invalid);
      await k.sql('UPDATE $schema.checkpoint SET checksum = ?', [checkpointChecksum(invalid)]);
      expect(nameOf(await loadWith(k))).toBe('from the checkpoint');
      await k.sql('UPDATE $schema.checkpoint SET checksum = ?', [(checkpointChecksum(invalid) + 1) % 2 ** 32]);
      expect(await loadWith(k)).toEqual(truth);
      // a store that loads without verifying vouches for nothing
      const unverified = await k.open({ verifyOnLoad: false });
      await unverified.load();
      await unverified.checkpoint();
      await unverified.close();
      expect(await k.sql('SELECT checksum FROM $schema.checkpoint')).toEqual([{ checksum: null }]);
    });

    it('has every entity table and child table watched for inserts, updates and deletes by a trigger that drops the checkpoint', async () => {
      const k = await kind.create();
      const tables = Object.values(SPECS).flatMap((spec) => [spec.table, ...(spec.children ?? []).map((c) => c.table)]);
      const expected = tables.flatMap((t) => ['DELETE', 'INSERT', 'UPDATE'].map((e) => `${t} ${e}`)).sort();
      const rows = (await k.sql(
        kind.name === 'sqlite'
          ? "SELECT tbl_name AS t, upper(substr(name, length(tbl_name) + 2, 6)) AS e FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_drops_checkpoint'"
          : "SELECT event_object_table AS t, event_manipulation AS e FROM information_schema.triggers WHERE trigger_name LIKE '%_drops_checkpoint' AND event_object_schema = ?",
        kind.name === 'sqlite' ? [] : [k.schema],
      )) as { t: string; e: string }[];
      expect(rows.map((r) => `${r.t} ${r.e}`).sort()).toEqual(expected);
    });

    it('refuses a checkpointEvery that is no positive integer', async () => {
      const k = await kind.create();
      for (const bad of [0, -1, 1.5, 'often']) {
        const e = await k.open({ checkpointEvery: bad as number }).then(
          async (s) => (await s.close(), undefined),
          (err: unknown) => err,
        );
        expect(e).toBeInstanceOf(ValidationError);
        expect((e as ValidationError).code).toBe('invalid_options');
      }
    });
  });
}
