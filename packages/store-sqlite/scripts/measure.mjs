// Rough figures for the README: commit latency of a one-policy change, cold load of 10k and 100k policies.
// Run after building: node packages/store-sqlite/scripts/measure.mjs [policies...]
// Also times `createEngineFromStore` (load + compile) on a freshly opened store, reported apart from the load.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngineFromStore } from '@portcullis/engine';
import { openSqliteStore } from '@portcullis/store-sqlite';

const sizes = process.argv.slice(2).map(Number);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-measure-'));

function base() {
  const changes = [
    { op: 'put', entity: 'account', value: { id: 'a1', system: 'ibm' } },
    { op: 'put', entity: 'role', value: { id: 'r1', kind: 'platform', actions: ['svc.thing.read'] } },
  ];
  for (let i = 0; i < 1000; i++) changes.push({ op: 'put', entity: 'principal', value: { id: `p${i}`, accountId: 'a1', kind: 'user' } });
  return changes;
}
function policy(i) {
  return {
    op: 'put',
    entity: 'policy',
    value: {
      id: `pol${i}`,
      accountId: 'a1',
      subject: { kind: 'principal', id: `p${i % 1000}` },
      roles: ['r1'],
      resource: {
        attributes: [
          { name: 'serviceName', operator: 'stringEquals', value: 'svc' },
          { name: 'region', operator: 'stringMatch', value: 'us-*' },
        ],
        tags: [{ name: 'env', value: 'prod' }],
      },
    },
  };
}
const ms = (t) => `${(performance.now() - t).toFixed(1)} ms`;
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const n of sizes.length ? sizes : [0, 10_000, 100_000]) {
  const file = path.join(dir, `s${n}.db`);
  let store = openSqliteStore(file);
  let t = performance.now();
  const changes = base();
  for (let i = 0; i < n; i++) changes.push(policy(i));
  await store.commit(changes, 0);
  console.log(`${n} policies: initial commit ${ms(t)}`);
  const lat = [];
  for (let k = 0; k < 20; k++) {
    t = performance.now();
    await store.commit([policy(n + k)], k + 1);
    lat.push(performance.now() - t);
  }
  console.log(`${n} policies: one-policy commit, median of 20: ${median(lat).toFixed(2)} ms`);
  await store.close();
  for (const verifyOnLoad of [true, false]) {
    t = performance.now();
    store = openSqliteStore(file, { verifyOnLoad });
    const { source } = await store.load();
    console.log(`${n} policies: open + cold load (verifyOnLoad ${verifyOnLoad}): ${ms(t)} (${source.policies.length} policies)`);
    t = performance.now();
    await store.load();
    console.log(`${n} policies: warm load: ${ms(t)}`);
    await store.close();
  }
  {
    store = openSqliteStore(file, { verifyOnLoad: false });
    t = performance.now();
    await store.load();
    const loaded = performance.now() - t;
    t = performance.now();
    await createEngineFromStore(store);
    console.log(`${n} policies: createEngineFromStore on a loaded store (compile): ${ms(t)}; open + cold load before it: ${loaded.toFixed(1)} ms`);
    await store.close();
    store = openSqliteStore(file, { verifyOnLoad: false });
    t = performance.now();
    await createEngineFromStore(store);
    console.log(`${n} policies: open + createEngineFromStore (cold load + compile): ${ms(t)}`);
    await store.close();
  }
  {
    // the first commit after a cold load indexes the source for incremental checks; later ones reuse the index
    store = openSqliteStore(file, { verifyOnLoad: false });
    const { revision } = await store.load();
    t = performance.now();
    await store.commit([policy(n + 100)], revision);
    console.log(`${n} policies: first one-policy commit after a cold load: ${ms(t)}`);
    await store.close();
  }
  console.log(`${n} policies: file ${(fs.statSync(file).size / 1e6).toFixed(1)} MB`);
}
{
  // what one durable commit cannot go below on this disk: a 4 KB write and fdatasync, as SQLite's WAL commit does
  const fd = fs.openSync(path.join(dir, 'fsync.bin'), 'w');
  const xs = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    fs.writeSync(fd, Buffer.alloc(4096, i));
    fs.fdatasyncSync(fd);
    xs.push(performance.now() - t);
  }
  fs.closeSync(fd);
  console.log(`disk: 4 KB write + fdatasync, median of 50: ${median(xs).toFixed(2)} ms`);
}
fs.rmSync(dir, { recursive: true, force: true });
