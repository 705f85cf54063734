// Issue 12, red team (sixth round): the paths around the effect review — engine.apply and its revision-conflict
// rerun over real stores, the HTTP server's idea of who the actor is, time, and the reverse queries. Each "hole: …"
// or "false refusal: …" test failed on the code it was found on and passes since the fix named beside it;
// "refused: …" tests are attacks that failed but were not covered before, kept as regression tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngineFromStore, ibmPolicyOperations as pol, type Actor, type Change, type Engine, type Store } from '@portcullis/engine';
import { createMemoryStore } from '@portcullis/store-memory';
import { openSqliteStore } from '@portcullis/store-sqlite';
import { NOW, refusal, who } from './helpers/access.js';
import { apply, IBM_FORBIDDEN, ibmWorld, key, kmsFor, may } from './helpers/ibm-world.js';

let closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
});

const me: Actor = who('IBMid-me', 'acc');
const ENTITY_FIELDS = [
  ['account', 'accounts'],
  ['principal', 'principals'],
  ['service', 'services'],
  ['role', 'roles'],
  ['group', 'groups'],
  ['resourceGroup', 'resourceGroups'],
  ['node', 'nodes'],
  ['policy', 'policies'],
  ['binding', 'bindings'],
  ['resource', 'resources'],
  ['membership', 'memberships'],
  ['ssoConnector', 'ssoConnectors'],
] as const;

/** Every row of the IBM world (helpers/ibm-world.ts) as put changes, to seed a store with. */
async function ibmWorldChanges(): Promise<Change[]> {
  const source = (await ibmWorld([])).source as unknown as Record<string, unknown[]>;
  return ENTITY_FIELDS.flatMap(([entity, field]) => (source[field] ?? []).map((value) => ({ op: 'put', entity, value }) as Change));
}

/** An engine over `store` on the access suites' clock, not following the store: it sees others' commits only when it must. */
async function engineOn(store: Store): Promise<Engine> {
  let n = 0;
  const e = await createEngineFromStore(store, { follow: false, clock: () => NOW, newId: (prefix) => `${prefix}${(++n).toString(16).padStart(32, '0')}` });
  closers.push(() => e.close());
  return e;
}

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
];

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
