// Issue 12, red team (third round): holes found by attacking `engine.apply` and the HTTP server as a client would,
// each kept as a permanent test. Each is refused now and the refusal changes nothing; where the same change is
// legitimate, the test shows that too.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bluexpOperations as bx, BLUEXP_ROLES, bootstrapAccount, createEngineFromStore, ibmAccessGroupOperations as ibm, ValidationError } from '@portcullis/engine';
import { openSqliteStore } from '@portcullis/store-sqlite';
import { NOW, refusal, snapshot, SYSTEM, who } from './helpers/access.js';
import { apply } from './helpers/ibm-world.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  dirs = [];
});
const tempFile = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-redteam3-'));
  dirs.push(dir);
  return path.join(dir, 'store.db');
};

describe('what a subject writes, the store can load again', () => {
  // a lone surrogate has no UTF-8 form: SQLite (and PostgreSQL) store it as U+FFFD, so two ids that differ only in
  // one became the same id on reopening, and the file was refused: the whole engine down for one user's request
  it('BlueXP: an organization admin cannot create a user whose chosen id holds a lone surrogate', async () => {
    const file = tempFile();
    const store = openSqliteStore(file);
    const e = await createEngineFromStore(store, { clock: () => NOW });
    await apply(e, bootstrapAccount, { system: 'bluexp', accountId: 'bx', admin: { id: 'admin' } }, SYSTEM);
    const admin = who('admin', 'bx');
    const before = snapshot(e);
    for (const [id, email] of [['u\ud800', 'a@example.com'], ['u\udc01', 'b@example.com'], ['u\ud800\ud800', 'c@example.com']])
      expect(await refusal(apply(e, bx.createUser, { account_id: 'bx', id, email, roleId: BLUEXP_ROLES.folderOrProjectAdmin }, admin))).toMatchObject({ status: 400 });
    expect(snapshot(e)).toEqual(before);
    // a well-formed id outside the BMP is fine, and survives reopening
    await apply(e, bx.createUser, { account_id: 'bx', id: 'u\ud83d\ude00', email: 'd@example.com', roleId: BLUEXP_ROLES.folderOrProjectAdmin }, admin);
    store.close?.();
    const again = await createEngineFromStore(openSqliteStore(file), { clock: () => NOW });
    expect(again.source.principals.map((p) => p.id)).toContain('u\ud83d\ude00');
  });

  it('no operation and no commit writes a lone surrogate, in an id, a name or a key', async () => {
    const e = await createEngineFromStore(openSqliteStore(tempFile()), { clock: () => NOW });
    await apply(e, bootstrapAccount, { system: 'ibm', accountId: 'acc', admin: { id: 'IBMid-admin' } }, SYSTEM);
    const admin = who('IBMid-admin', 'acc');
    const before = snapshot(e);
    expect(await refusal(apply(e, ibm.createAccessGroup, { account_id: 'acc', name: 'g\udfff' }, admin))).toMatchObject({ status: 400 });
    expect(await refusal(apply(e, ibm.createAccessGroup, { account_id: 'acc', name: 'g', description: 'x\ud800y' }, admin))).toMatchObject({ status: 400 });
    // the host's own commit is held to it too: the store's one check refuses the row
    await expect(e.commit([{ op: 'put', entity: 'principal', value: { id: 'IBMid-\ud800', accountId: 'acc', kind: 'user', status: 'active' } }])).rejects.toBeInstanceOf(ValidationError);
    await expect(e.commit([{ op: 'put', entity: 'resource', value: { id: 'r1', accountId: 'acc', attributes: { ['k\udc00']: 'v' } } as never }])).rejects.toBeInstanceOf(ValidationError);
    expect(snapshot(e)).toEqual(before);
  });
});
