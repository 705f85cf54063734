// The store contract: one suite, run unchanged against every store. No mocks: the SQLite store runs on a real
// file in a temporary directory.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  parseSource,
  StoreError,
  ValidationError,
  type Change,
  type EntityName,
  type Source,
  type Store,
} from '@portcullis/engine';
import { applyChanges, ENTITY_FIELDS, ENTITY_NAMES, entityKey } from '@portcullis/engine/store-kit';
import { ENTITY_SCHEMAS } from '@portcullis/engine/internals';
import { createMemoryStore } from '@portcullis/store-memory';
import { openSqliteStore } from '@portcullis/store-sqlite';
import { openPostgresStore } from '@portcullis/store-postgres';
import { changeBatch, richSource, seedBatch } from './helpers/store-arbitraries.js';

/** Makes a fresh, empty store; `cleanup` removes whatever it left behind. */
type StoreFactory = () => { store: Store; cleanup: () => void } | Promise<{ store: Store; cleanup: () => void }>;

const EMPTY = parseSource({ version: 1 });
/** digest(0): 32 zero bytes. */
const GENESIS = '0'.repeat(64);

/**
 * The history digest after `previous` of a revision of `changes`, worked out here on its own (not with the store kit)
 * from the stores' contract: sha256 of the previous digest's bytes, then per change its JSON text's UTF-8 length (4
 * bytes, big-endian) and bytes. The text is what a store writes, JSON.stringify of the parsed change, which JSON.parse
 * of the logged text gives back key for key.
 */
function chain(previous: string, changes: readonly Change[]): string {
  const hash = createHash('sha256').update(Buffer.from(previous, 'hex'));
  for (const c of changes) {
    const bytes = Buffer.from(JSON.stringify(c), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  }
  return hash.digest('hex');
}

/** Every row of a source as put changes, parents before children. */
function putsOf(source: Source): Change[] {
  return ENTITY_NAMES.flatMap((entity) =>
    (source[ENTITY_FIELDS[entity]] as unknown[]).map((value) => ({ op: 'put', entity, value }) as Change),
  );
}

async function expectStoreError(p: Promise<unknown>, code: string): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StoreError);
  expect((e as StoreError).code).toBe(code);
}

async function expectValidationError(p: Promise<unknown>, code?: string): Promise<ValidationError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ValidationError);
  if (code) expect((e as ValidationError).code).toBe(code);
  return e as ValidationError;
}

/** The contract every Store implementation must meet. */
function storeContract(name: string, factory: StoreFactory, propertyRuns = 100): void {
  describe(`store contract: ${name}`, () => {
    const cleanups: (() => void)[] = [];
    const open = async (): Promise<Store> => {
      const { store, cleanup } = await factory();
      cleanups.push(() => {
        void store.close();
        cleanup();
      });
      return store;
    };
    afterEach(() => {
      for (const c of cleanups.splice(0)) c();
    });

    it('loads an empty source at revision 0', async () => {
      const store = await open();
      expect(await store.load()).toEqual({ source: EMPTY, revision: 0, validated: true, digest: GENESIS });
      expect(await store.changesSince(0)).toEqual({ changes: [], revision: 0, digest: GENESIS, baseDigest: GENESIS });
    });

    it('loads what it committed, every entity and optional field included', async () => {
      const store = await open();
      const source = parseSource(richSource);
      const digest = chain(GENESIS, putsOf(source));
      expect(await store.commit(putsOf(source), 0)).toEqual({ revision: 1, digest });
      expect(await store.load()).toEqual({ source, revision: 1, validated: true, digest });
    });

    it('fills in defaults: stored rows are the parsed rows', async () => {
      const store = await open();
      // rows as a user writes them, defaults left out: the value type is the parsed one, so cast
      await store.commit(
        [
          { op: 'put', entity: 'account', value: { id: 'a', system: 'ibm' } },
          { op: 'put', entity: 'resource', value: { id: 'r', accountId: 'a', tags: ['Env:PROD'] } },
        ] as unknown as Change[],
        0,
      );
      const { source } = await store.load();
      expect(source.accounts[0]).toEqual({ id: 'a', system: 'ibm', publicAccess: true, options: { saasEnabled: true, thirdPartyServicesEnabled: true, notificationOptIn: false } });
      expect(source.resources[0]!.tags).toEqual(['env:prod']);
      const { changes } = await store.changesSince(0);
      expect(changes.map((c) => (c.op === 'put' ? c.value : undefined))).toEqual([source.accounts[0], source.resources[0]]);
    });

    it('replaces a row on put and removes it on delete, keeping the order of the others', async () => {
      const store = await open();
      const source = parseSource(richSource);
      await store.commit(putsOf(source), 0);
      const changed = { ...source.policies[0]!, description: 'changed' };
      await store.commit(
        [
          { op: 'put', entity: 'policy', value: changed },
          { op: 'delete', entity: 'policy', key: 'pol-2' },
          { op: 'delete', entity: 'policy', key: 'no-such-policy' },
        ],
        1,
      );
      const { source: after } = await store.load();
      expect(after.policies.map((p) => p.id)).toEqual(['pol-1', 'pol-3', 'pol-4', 'pol-5']);
      expect(after.policies[0]!.description).toBe('changed');
    });

    it('writes nothing when one change of a batch is invalid', async () => {
      const store = await open();
      const source = parseSource(richSource);
      await store.commit(putsOf(source), 0);
      const before = await store.load();
      const good: Change = { op: 'put', entity: 'account', value: { ...source.accounts[0]!, id: 'acc-new' } };
      const badRow: Change = { op: 'put', entity: 'group', value: { ...source.groups[0]!, name: 'x'.repeat(101) } };
      const e = await expectValidationError(store.commit([good, badRow], 1), 'invalid_source');
      expect(e.issues[0]!.path.slice(0, 2)).toEqual([1, 'value']);
      // a delete that leaves a policy naming a missing principal
      const dangling: Change = { op: 'delete', entity: 'principal', key: 'acc-ibm/IBMid-1' };
      await expectValidationError(store.commit([good, dangling], 1), 'invalid_source');
      // a malformed change
      await expectValidationError(store.commit([good, { op: 'upsert', entity: 'account', key: 'x' } as unknown as Change], 1), 'invalid_input');
      await expectValidationError(store.commit([good, { op: 'put', entity: 'galaxy', value: {} } as unknown as Change], 1), 'invalid_input');
      // a row that reaches a prototype
      const proto = JSON.parse('{"id":"acc-x","system":"ibm","__proto__":{"polluted":true}}');
      await expectValidationError(store.commit([{ op: 'put', entity: 'account', value: proto }], 1), 'invalid_source');
      expect(await store.load()).toEqual(before);
      expect((await store.changesSince(1)).changes).toEqual([]);
      expect(await store.commit([good], 1)).toEqual({ revision: 2, digest: chain(before.digest, [good]) });
    });

    it('refuses a stale expected revision and writes nothing', async () => {
      const store = await open();
      const account: Change = { op: 'put', entity: 'account', value: parseSource({ version: 1, accounts: [{ id: 'a', system: 'ibm' }] }).accounts[0]! };
      await store.commit([account], 0);
      const other: Change = { op: 'put', entity: 'account', value: { ...(account as { value: Source['accounts'][number] }).value, id: 'b' } };
      await expectStoreError(store.commit([other], 0), 'revision_conflict');
      await expectStoreError(store.commit([other], 2), 'revision_conflict');
      const { source, revision } = await store.load();
      expect(revision).toBe(1);
      expect(source.accounts.map((a) => a.id)).toEqual(['a']);
      await expectValidationError(store.commit([other], -1), 'invalid_input');
    });

    it('refuses a commit at the right revision whose expected digest is another history’s, and writes nothing', async () => {
      const store = await open();
      const account = (id: string): Change => ({ op: 'put', entity: 'account', value: parseSource({ version: 1, accounts: [{ id, system: 'ibm' }] }).accounts[0]! });
      const first = await store.commit([account('a')], 0, GENESIS);
      expect(first).toEqual({ revision: 1, digest: chain(GENESIS, [account('a')]) });
      // revision 1 of a history whose first commit was `b`: a writer that followed that one
      await expectStoreError(store.commit([account('c')], 1, chain(GENESIS, [account('b')])), 'revision_conflict');
      expect(await store.load()).toMatchObject({ revision: 1, digest: first.digest });
      // not a digest at all: refused, never taken as "no check"
      for (const bad of ['', 'ABC', first.digest.toUpperCase(), 42]) await expectValidationError(store.commit([account('c')], 1, bad as string), 'invalid_input');
      expect((await store.load()).revision).toBe(1);
      expect(await store.commit([account('c')], 1, first.digest)).toEqual({ revision: 2, digest: chain(first.digest, [account('c')]) });
    });

    it('lets only one of two racing commits at the same revision through', async () => {
      const store = await open();
      const a = (id: string): Change => ({ op: 'put', entity: 'account', value: { id, system: 'ibm', publicAccess: true, options: { saasEnabled: true, thirdPartyServicesEnabled: true, notificationOptIn: false } } });
      const results = await Promise.allSettled([store.commit([a('x')], 0), store.commit([a('y')], 0)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect((rejected.reason as StoreError).code).toBe('revision_conflict');
    });

    it('returns the changes committed after a revision, in order, with the current revision', async () => {
      const store = await open();
      const source = parseSource(richSource);
      const puts = putsOf(source);
      await store.commit(puts.slice(0, 20), 0);
      await store.commit(puts.slice(20), 1);
      await store.commit([{ op: 'delete', entity: 'binding', key: 'bind-2' }], 2);
      const d1 = chain(GENESIS, puts.slice(0, 20));
      const d2 = chain(d1, puts.slice(20));
      const d3 = chain(d2, [{ op: 'delete', entity: 'binding', key: 'bind-2' }]);
      expect(await store.changesSince(3)).toEqual({ changes: [], revision: 3, digest: d3, baseDigest: d3 });
      expect(await store.changesSince(2)).toEqual({ changes: [{ op: 'delete', entity: 'binding', key: 'bind-2' }], revision: 3, digest: d3, baseDigest: d2 });
      expect(await store.changesSince(1)).toEqual({ changes: [...puts.slice(20), { op: 'delete', entity: 'binding', key: 'bind-2' }], revision: 3, digest: d3, baseDigest: d1 });
      const all = await store.changesSince(0);
      expect(all.changes).toHaveLength(puts.length + 1);
      expect(applyChanges(EMPTY, all.changes)).toEqual((await store.load()).source);
      expect(all).toMatchObject({ revision: 3, digest: d3, baseDigest: GENESIS });
      // a revision ahead of the store has nothing after it, and no digest: the store holds no such revision
      expect(await store.changesSince(10)).toEqual({ changes: [], revision: 3, digest: d3, baseDigest: null });
    });

    it('refuses every call after close', async () => {
      const store = await open();
      await store.close();
      await expectStoreError(store.load(), 'store_closed');
      await expectStoreError(store.commit([], 0), 'store_closed');
      await expectStoreError(store.changesSince(0), 'store_closed');
      await store.close();
    });

    it('never lets a caller change stored state through an object it passed or got back', async () => {
      const store = await open();
      const input = structuredClone(parseSource(richSource));
      const changes = putsOf(input);
      await store.commit(changes, 0);
      const expected = structuredClone(parseSource(richSource));
      // mutate what was passed in
      input.policies[0]!.roles.push('crn:role:Viewer-2');
      input.groups[0]!.members.length = 0;
      (changes[0] as { value: { name?: string } }).value.name = 'renamed';
      expect((await store.load()).source).toEqual(expected);
      // mutate what came back; a frozen object refuses, a copy absorbs it, either way the store is unchanged
      const tryTo = (f: () => void) => {
        try {
          f();
        } catch (e) {
          expect(e).toBeInstanceOf(TypeError);
        }
      };
      const { source } = await store.load();
      tryTo(() => source.policies.push(source.policies[0]!));
      tryTo(() => (source.policies[0]!.roles[0] = 'evil'));
      tryTo(() => ((source.groups[0]!.rules[0]!.conditions[0] as { value: string }).value = '"evil"'));
      tryTo(() => ((source as { accounts: unknown[] }).accounts = []));
      const { changes: fed } = await store.changesSince(0);
      tryTo(() => ((fed[0] as { value: { id: string } }).value.id = 'evil'));
      tryTo(() => fed.splice(0));
      expect((await store.load()).source).toEqual(expected);
      expect((await store.changesSince(0)).changes).toEqual(putsOf(expected));
    });

    it('matches applyChanges on random change sequences, refusing exactly the batches with an invalid row or an invalid result', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(changeBatch, { minLength: 1, maxLength: 8 }), async (batches) => {
          const { store, cleanup } = await factory();
          try {
            let model = parseSource(applyChanges(EMPTY, seedBatch));
            let digest = (await store.commit(seedBatch, 0)).digest;
            let revision = 1;
            for (const batch of batches) {
              let expected: Source | undefined;
              // a batch holds when every row it puts is valid (even one a later change replaces) and the result parses
              const rowsValid = batch.every((c) => c.op === 'delete' || ENTITY_SCHEMAS[c.entity].safeParse(c.value).success);
              try {
                if (rowsValid) expected = parseSource(applyChanges(model, batch));
              } catch (e) {
                expect(e).toBeInstanceOf(ValidationError);
              }
              const result = await store.commit(batch, revision).then(
                (r) => r,
                (e: unknown) => e,
              );
              if (expected) {
                // the digest chains over the changes as stored (parsed, defaults filled in)
                const stored = await store.changesSince(revision);
                expect(stored.baseDigest).toBe(digest);
                digest = chain(digest, stored.changes);
                expect(result).toEqual({ revision: revision + 1, digest });
                model = expected;
                revision += 1;
              } else {
                expect(result).toBeInstanceOf(ValidationError);
              }
            }
            const loaded = await store.load();
            expect(loaded).toEqual({ source: model, revision, validated: true, digest });
            const feed = await store.changesSince(0);
            expect(feed).toMatchObject({ revision, digest, baseDigest: GENESIS });
            expect(applyChanges(EMPTY, feed.changes)).toEqual(model);
          } finally {
            await store.close();
            cleanup();
          }
        }),
        { numRuns: propertyRuns },
      );
    });
  });
}

storeContract('memory', () => ({ store: createMemoryStore(), cleanup: () => {} }));

storeContract('sqlite', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-contract-'));
  return { store: openSqliteStore(path.join(dir, 'store.db')), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
});

// a real PostgreSQL server (test/postgres-setup.ts starts one): each store in a schema of its own
let schemas = 0;
storeContract('postgres', async () => {
  const url = process.env.PORTCULLIS_PG_URL!;
  const schema = `contract_${process.pid}_${++schemas}`;
  return { store: await openPostgresStore({ url, schema, poolSize: 2 }), cleanup: () => {} };
}, 40); // each run creates a schema (about 0.2 s of DDL), so fewer runs than the in-process stores

// keep the helpers' key function honest: deletes in the arbitraries are written as entityKey would write them
describe('store contract helpers', () => {
  it('write delete keys as entityKey does', () => {
    const p = parseSource({ version: 1, accounts: [{ id: 'a1', system: 'ibm' }], principals: [{ id: 'svc/1', accountId: 'a1', kind: 'service' }] });
    expect(entityKey('principal' as EntityName, p.principals[0]! as never)).toBe('a1/svc/1');
  });
});
