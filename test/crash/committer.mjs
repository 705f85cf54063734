// A child process for the crash and two-process tests: commits batches to a store in a loop and prints
// `ack <revision> <batch>` after each commit resolves, so a parent knows what was acknowledged.
// Usage: node committer.mjs <sqlite file | postgresql://url> <tag> [count]   (no count: until killed)
// With a PostgreSQL URL the store's schema is PORTCULLIS_PG_SCHEMA (default `portcullis`); while the server is
// away it prints `retry <batch> <code>` and goes on with the next batch once it is back (a commit whose outcome
// the dropped connection hid is never acknowledged, and may or may not be in the store).
import { openPostgresStore } from '@portcullis/store-postgres';
import { openSqliteStore } from '@portcullis/store-sqlite';

const [file, tag, countArg] = process.argv.slice(2);
const count = countArg === undefined ? Infinity : Number(countArg);
const POLICIES_PER_BATCH = 5;

const store = file.startsWith('postgres')
  ? await openPostgresStore({ url: file, schema: process.env.PORTCULLIS_PG_SCHEMA ?? 'portcullis', poolSize: 1, connectTimeoutMs: 2000 })
  : openSqliteStore(file, { busyTimeoutMs: 10_000 });
const base = [
  { op: 'put', entity: 'account', value: { id: 'acct', system: 'ibm' } },
  { op: 'put', entity: 'role', value: { id: 'viewer', kind: 'platform', actions: ['svc.thing.read'] } },
  { op: 'put', entity: 'principal', value: { id: 'u1', accountId: 'acct', kind: 'user' } },
];

/** One batch: a group and the policies naming it, so a half-written batch would show. */
function batch(name) {
  return [
    { op: 'put', entity: 'group', value: { id: name, accountId: 'acct', name, members: ['u1'], description: 'x'.repeat(200) } },
    ...Array.from({ length: POLICIES_PER_BATCH }, (_, k) => ({
      op: 'put',
      entity: 'policy',
      value: {
        id: `${name}/p${k}`,
        accountId: 'acct',
        subject: { kind: 'group', id: name },
        roles: ['viewer'],
        resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'svc' }] },
        description: name,
      },
    })),
  ];
}

let { revision } = await store.load();
for (let i = 0; i < count; i++) {
  const name = `${tag}-${i}`;
  const changes = revision === 0 ? [...base, ...batch(name)] : batch(name);
  try {
    ({ revision } = await store.commit(changes, revision));
    process.stdout.write(`ack ${revision} ${name}\n`);
  } catch (e) {
    if (e?.code === 'unavailable') {
      process.stdout.write(`retry ${name} ${e.code}\n`);
      await new Promise((r) => setTimeout(r, 50));
      ({ revision } = await store.changesSince(revision).catch(() => ({ revision })));
      continue;
    }
    if (e?.code !== 'revision_conflict') throw e;
    // another writer got there first: catch up and try the same batch again
    ({ revision } = await store.changesSince(revision));
    i--;
  }
}
await store.close();
