// Issue 12, the hole red team 8 left: a store whose history is not the one an engine followed, but whose revision
// reads at or above the engine's (a restore from a backup, then more commits than were lost; a fail-over to a
// lagging replica that took new writes; a schema dropped and made again with more revisions than before). Over a
// real SQLite file and a real PostgreSQL (the run's throwaway cluster, test/postgres-setup.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngineFromStore, IBM_ROLES, type Change, type Engine } from '@portcullis/engine';
import { openSqliteStore } from '@portcullis/store-sqlite';
import { closeAfterEach, NOW } from './helpers/access.js';
import { ibmWorldChanges } from './helpers/ibm-world.js';

const closers = closeAfterEach();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-history-'));
  dirs.push(d);
  return d;
}

/** `IBMid-friend` made kms Administrator: the grant the restored store no longer holds. */
const GRANT: Change = {
  op: 'put',
  entity: 'policy',
  value: { id: 'p-friend', accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-friend' }, roles: [IBM_ROLES.administrator], resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'kms' }] } },
};
/** A harmless commit: one more principal, named by the history it belongs to. */
const filler = (name: string): Change[] => [{ op: 'put', entity: 'principal', value: { id: `IBMid-${name}`, accountId: 'acc', kind: 'user', status: 'active' } }];
/** The IBM world (helpers/ibm-world.ts) and a stored kms key `k1`, so decisions on it by id are cached. */
const world = async (): Promise<Change[]> => [
  ...(await ibmWorldChanges()),
  { op: 'put', entity: 'resource', value: { id: 'k1', accountId: 'acc', attributes: { serviceName: 'kms', resource: 'k1' }, tags: [], projects: [], folders: [], zones: [] } },
];
const friend = (e: Engine): boolean => e.authorize({ subject: { id: 'IBMid-friend', accountId: 'acc' }, action: 'kms.keys.write', resource: { id: 'k1' } }).allowed;
const ids = (policies: readonly { id: string }[]): string[] => policies.map((p) => p.id).sort();
const principals = (e: Engine): string[] => e.source.principals.map((p) => p.id).sort();

describe('a SQLite store restored from a backup, then committed past a following engine before it reads', () => {
  it('hole: the follower laid the new history’s commits over the old one’s tables and kept a grant the store no longer has', async () => {
    const file = path.join(tempDir(), 'store.db');
    const backup = path.join(path.dirname(file), 'backup.db');
    const writer = openSqliteStore(file);
    closers.push(() => writer.close());
    await writer.commit(await world(), 0);
    for (let r = 1; r < 40; r++) await writer.commit(filler(`old-${r}`), r);
    // the operator's backup at revision 40, through SQLite's online backup
    const raw = new Database(file);
    await raw.backup(backup);
    raw.close();
    for (let r = 40; r < 49; r++) await writer.commit(filler(`old-${r}`), r);
    await writer.commit([GRANT], 49);
    const follower = await createEngineFromStore(openSqliteStore(file), { follow: false, clock: () => NOW });
    closers.push(() => follower.close());
    expect(follower.revision).toBe(50);
    expect(friend(follower)).toBe(true);
    expect(follower.cacheStats().size).toBe(1);

    // the restore (online, into the live file), then 15 commits of the new history before the follower reads
    const src = new Database(backup, { readonly: true });
    await src.backup(file);
    src.close();
    for (let r = 40; r < 55; r++) await writer.commit(filler(`new-${r}`), r);
    expect((await writer.load()).revision).toBe(55);

    await follower.refresh();
    const store = await writer.load();
    expect(follower.revision).toBe(55);
    // the decision cache of the old history is emptied, not left to age out
    expect(follower.cacheStats().size).toBe(0);
    // decides as the store says: no grant, none of the lost commits' principals, all of the new ones
    expect(friend(follower)).toBe(false);
    expect(ids(follower.source.policies)).toEqual(ids(store.source.policies));
    expect(principals(follower)).toEqual(store.source.principals.map((p) => p.id).sort());
    expect(principals(follower)).not.toContain('IBMid-old-45');
    expect(principals(follower)).toContain('IBMid-new-54');
    // and says so, with the store's digest of its revision
    expect(follower.followStatus()).toMatchObject({ revision: 55, reloads: 1, reloadedAt: NOW, digest: store.digest });
  });
});
