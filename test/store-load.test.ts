// What a store's load from its tables must keep while it got faster (parseStoredSource, the store kit, PostgreSQL
// reading over two connections): rows edited behind the store's back are refused with `corrupt_data` and exactly
// the issues parseSource finds in them, a valid hand edit loads as parseSource reads it, the snapshot is frozen
// all the way down, and a PostgreSQL load sees one snapshot on both of its connections while another store commits.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSource, StoreError, ValidationError, type Change, type Source, type Store } from '@portcullis/engine';
import { ENTITY_FIELDS, ENTITY_NAMES } from '@portcullis/engine/store-kit';
import { openPostgresStore } from '@portcullis/store-postgres';
import { openSqliteStore } from '@portcullis/store-sqlite';
import { richSource } from './helpers/store-arbitraries.js';

const PG_URL = process.env.PORTCULLIS_PG_URL!;
const parsed = parseSource(richSource);
const puts: Change[] = ENTITY_NAMES.flatMap((entity) => (parsed[ENTITY_FIELDS[entity]] as unknown[]).map((value) => ({ op: 'put', entity, value }) as Change));

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

/** A store of each kind holding `parsed`, with a way to run SQL on its tables behind its back. */
interface Kind {
  name: string;
  /** A new store holding `parsed`, closed; `open(verify)` opens it again, `sql` edits its tables. */
  create(): Promise<{ open(verifyOnLoad: boolean): Promise<Store>; sql(statement: string): Promise<void> }>;
}
const KINDS: Kind[] = [
  {
    name: 'sqlite',
    async create() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-load-'));
      dirs.push(dir);
      const file = path.join(dir, 'store.db');
      const store = openSqliteStore(file);
      await store.commit(puts, 0);
      await store.close();
      return {
        open: async (verifyOnLoad) => openSqliteStore(file, { verifyOnLoad }),
        sql: async (statement) => {
          const db = new Database(file);
          db.exec(statement.replaceAll('$schema.', ''));
          db.close();
        },
      };
    },
  },
  {
    name: 'postgres',
    async create() {
      const schema = `load_${process.pid}_${++n}`;
      const store = await openPostgresStore({ url: PG_URL, schema });
      await store.commit(puts, 0);
      await store.close();
      return {
        open: (verifyOnLoad) => openPostgresStore({ url: PG_URL, schema, verifyOnLoad }),
        sql: async (statement) => void (await admin.query(statement.replaceAll('$schema.', `${schema}.`))),
      };
    },
  },
];

/** Hand edits: each makes the rows an invalid source, in a different place and way. */
const BROKEN: [string, string][] = [
  ['a policy type no version of the store writes', "UPDATE $schema.policies SET type = 'conditional' WHERE id = 'pol-2'"],
  ['an unknown key inside a policy resource', `UPDATE $schema.policies SET resource = '{"attributes":[],"tags":[],"zones":["z1"]}' WHERE id = 'pol-2'`],
  ['a role listed twice in a policy', "UPDATE $schema.policy_roles SET role_id = 'crn:role:Viewer' WHERE policy_key = 'pol-1' AND ord = 1"],
  ['a group member nobody is', "UPDATE $schema.group_members SET principal_id = 'ghost' WHERE ord = 0"],
  ['a principal status out of its enum', "UPDATE $schema.principals SET status = 'suspended' WHERE id = 'IBMid-1'"],
  ['a binding expiry that is no instant', "UPDATE $schema.bindings SET expires_at = 'tomorrow' WHERE id = 'bind-2'"],
  ['a control character in a binding id', "UPDATE $schema.bindings SET id = 'bind' || chr(7) WHERE id = 'bind-1'"],
];

/** All objects reachable from `v` are frozen. */
const frozenDeep = (v: unknown): boolean => v === null || typeof v !== 'object' || (Object.isFrozen(v) && Object.values(v as object).every(frozenDeep));

async function loadError(store: Store): Promise<unknown> {
  try {
    await store.load();
    return undefined;
  } catch (e) {
    return e;
  } finally {
    await store.close();
  }
}

for (const kind of KINDS) {
  describe(`${kind.name} store: loading from the tables`, () => {
    it('loads what was committed, frozen all the way down', async () => {
      const { open } = await kind.create();
      const store = await open(true);
      const { source } = await store.load();
      await store.close();
      expect(source).toEqual(parsed);
      expect(frozenDeep(source)).toBe(true);
    });

    for (const [what, statement] of BROKEN) {
      it(`refuses ${what} with corrupt_data and the issues parseSource finds`, async () => {
        const { open, sql } = await kind.create();
        await sql(statement.replace("chr(7)", kind.name === 'sqlite' ? 'char(7)' : 'chr(7)'));
        const raw = await open(false);
        const { source } = await raw.load();
        await raw.close();
        let expected: ValidationError | undefined;
        try {
          parseSource(structuredClone(source));
        } catch (e) {
          expected = e as ValidationError;
        }
        expect(expected).toBeInstanceOf(ValidationError);
        const e = await loadError(await open(true));
        expect(e).toBeInstanceOf(StoreError);
        expect((e as StoreError).code).toBe('corrupt_data');
        expect(((e as StoreError).cause as ValidationError).issues).toEqual(expected!.issues);
      });
    }

    it('shares nothing a caller could change: policies with one resource selector stay apart through later commits', async () => {
      const { open } = await kind.create();
      const twin = { ...parsed.policies[1]!, id: 'pol-twin' };
      let store = await open(true);
      await store.commit([{ op: 'put', entity: 'policy', value: twin }], 1);
      await store.close();
      store = await open(true);
      const first = await store.load();
      const [a, b] = ['pol-2', 'pol-twin'].map((id) => first.source.policies.find((p) => p.id === id)!);
      expect(a!.resource).toEqual(b!.resource);
      expect(Object.isFrozen(a!.resource) && Object.isFrozen(a!.resource.attributes)).toBe(true);
      expect(() => (a!.resource.tags as unknown[]).push({ name: 'x', value: 'y', operator: 'stringEquals' })).toThrow(TypeError);
      const changed = { ...a!, resource: { attributes: [], tags: [{ name: 'team', value: 'red', operator: 'stringEquals' as const }] } };
      await store.commit([{ op: 'put', entity: 'policy', value: changed }], first.revision);
      await store.close();
      store = await open(true);
      const { source } = await store.load();
      await store.close();
      expect(source.policies.find((p) => p.id === 'pol-2')!.resource.tags).toEqual([{ name: 'team', value: 'red', operator: 'stringEquals' }]);
      expect(source.policies.find((p) => p.id === 'pol-twin')!.resource).toEqual(parsed.policies[1]!.resource);
    });

    it('reads a valid hand edit as parseSource reads it (an upper-case tag comes back lowercased)', async () => {
      const { open, sql } = await kind.create();
      await sql(`UPDATE $schema.policies SET resource = '{"attributes":[],"tags":[{"name":"Team","value":"Blue","operator":"stringEquals"}]}' WHERE id = 'pol-2'`);
      const store = await open(true);
      const { source } = await store.load();
      await store.close();
      expect(source.policies.find((p) => p.id === 'pol-2')!.resource.tags).toEqual([{ name: 'team', value: 'blue', operator: 'stringEquals' }]);
      expect(frozenDeep(source)).toBe(true);
    });
  });
}

describe('postgres store: a load over two connections', () => {
  it('sees one snapshot on both while another store commits', async () => {
    const schema = `load_${process.pid}_${++n}`;
    const writer = await openPostgresStore({ url: PG_URL, schema });
    await writer.commit(puts, 0);
    // every commit renames a principal after its revision and adds a policy: a load that mixed two snapshots
    // would see a name and a policy count of different revisions (principals and policies come in on different connections)
    const commits = (async () => {
      for (let r = 1; r <= 30; r++) {
        await writer.commit(
          [
            { op: 'put', entity: 'principal', value: { ...parsed.principals[0]!, name: `rev-${r + 1}` } },
            { op: 'put', entity: 'policy', value: { ...parsed.policies[1]!, id: `extra-${r}` } },
          ],
          r,
        );
      }
    })();
    const seen: Source[] = [];
    const loads = (async () => {
      for (let i = 0; i < 15; i++) {
        // a store of its own each time, so the load reads the tables and not a cache
        const reader = await openPostgresStore({ url: PG_URL, schema });
        const { source, revision } = await reader.load();
        await reader.close();
        seen.push(source);
        const extra = source.policies.filter((p) => p.id.startsWith('extra-')).length;
        expect(extra).toBe(revision - 1);
        expect(source.principals[0]!.name).toBe(revision === 1 ? parsed.principals[0]!.name : `rev-${revision}`);
      }
    })();
    await Promise.all([commits, loads]);
    await writer.close();
    expect(seen.length).toBe(15);
  });

  it('reads over one connection when its pool has one', async () => {
    const schema = `load_${process.pid}_${++n}`;
    const writer = await openPostgresStore({ url: PG_URL, schema });
    await writer.commit(puts, 0);
    await writer.close();
    const small = await openPostgresStore({ url: PG_URL, schema, poolSize: 1, connectTimeoutMs: 2000 });
    const { source } = await small.load();
    await small.close();
    expect(source).toEqual(parsed);
  });
});
