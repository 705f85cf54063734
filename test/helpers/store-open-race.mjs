// Loads the store package, says `ready`, waits for `go` on stdin, then opens the store file named by argv[2] and commits one
// batch (catching up and retrying when another process committed first); prints `ack <revision>`. A parent starts
// several and says `go` to all at once, so their opens of one new file really race.
import { openSqliteStore } from '@portcullis/store-sqlite';

const [file, tag] = process.argv.slice(2);
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
const store = openSqliteStore(file, { busyTimeoutMs: 10_000 });
const batch = [{ op: 'put', entity: 'account', value: { id: `acct-${tag}`, system: 'ibm' } }];
let { revision } = await store.load();
for (;;) {
  try {
    ({ revision } = await store.commit(batch, revision));
    break;
  } catch (e) {
    if (e?.code !== 'revision_conflict') throw e;
    ({ revision } = await store.changesSince(revision));
  }
}
process.stdout.write(`ack ${revision}\n`);
await store.close();
process.stdin.destroy();
