// One engine process of a fleet, for the fleet tests and the fleet bench. It opens the store, creates an engine
// that follows it, says `ready <revision>`, and then answers commands, one per line on stdin:
//   add <k>        adds principal u-<worker>-<k> to the group through engine.apply; `ack <revision> <epoch ms>`
//   burst <n>      adds principals 0..n-1 one after another, an `ack` line each, then `done`
//   track          from now on, notes the moment (epoch ms, checked every millisecond) the engine reaches each revision
//   wait <r>       waits until the engine is at revision r or later; `seen <revision> <epoch ms>`, the moment
//                  noted by `track` when tracking, else the moment it saw it
//   decide <n>     `decisions <revision> <0/1 for each of workers × n principals>`, as this engine decides
//   status         `status <followStatus as JSON>`
//   exit           closes the engine (and the store) and exits
// Usage: node engine-worker.mjs <postgresql://url | sqlite file> <schema> <worker> <workers>
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';
import { createEngineFromStore } from '@portcullis/engine';
import { openPostgresStore } from '@portcullis/store-postgres';
import { openSqliteStore } from '@portcullis/store-sqlite';
import { addMember, ask, principalId } from '../helpers/fleet-fixture.mjs';

const [target, schema, workerArg, workersArg] = process.argv.slice(2);
const worker = Number(workerArg);
const workers = Number(workersArg);
const now = () => performance.timeOrigin + performance.now();
const store = target.startsWith('postgres')
  ? await openPostgresStore({ url: target, schema, poolSize: 2 })
  : openSqliteStore(target, { busyTimeoutMs: 30_000, pollIntervalMs: 5 });
// four processes adding members to one group in tight loops is the worst case for optimistic concurrency: the
// writer that just won is up to date and commits again at once while the losers still catch up, so a loser can
// lose a whole burst of the others in a row; the retries must outlast that (the default, 10, does not always)
const engine = await createEngineFromStore(store, { conflictRetries: 100 });
const say = (line) => process.stdout.write(`${line}\n`);
say(`ready ${engine.revision}`);

/** With `track`: the moment each revision was first seen. */
const reached = new Map();
let tracking;
const note = () => {
  if (!reached.has(engine.revision)) reached.set(engine.revision, now());
};
const firstAt = (revision) => {
  let at;
  for (const [r, t] of reached) if (r >= revision && (at === undefined || t < at)) at = t;
  return at ?? now();
};

/** Resolves once the engine reaches `revision`, checking on every turn of the event loop (timers of 1 ms). */
function reach(revision) {
  return new Promise((resolve) => {
    const check = () => (engine.revision >= revision ? resolve() : setTimeout(check, 1));
    check();
  });
}

// commands run one at a time, in order
let chain = Promise.resolve();
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  chain = chain.then(() => run(line.trim().split(' '))).catch((e) => {
    process.stderr.write(`worker ${worker}: ${e?.code ?? ''} ${e?.stack ?? e}\n`);
    process.exit(1);
  });
});

async function run([command, arg]) {
  switch (command) {
    case 'add': {
      await addMember(engine, principalId(worker, Number(arg)));
      say(`ack ${engine.revision} ${now()}`);
      return;
    }
    case 'burst': {
      for (let k = 0; k < Number(arg); k++) {
        await addMember(engine, principalId(worker, k));
        say(`ack ${engine.revision} ${now()}`);
      }
      say('done');
      return;
    }
    case 'track':
      tracking ??= setInterval(note, 1);
      note();
      say('tracking');
      return;
    case 'wait': {
      await reach(Number(arg));
      if (tracking) note();
      say(`seen ${engine.revision} ${tracking ? firstAt(Number(arg)) : now()}`);
      return;
    }
    case 'decide': {
      const bits = [];
      for (let w = 0; w < workers; w++) for (let k = 0; k < Number(arg); k++) bits.push(engine.authorize(ask(principalId(w, k))).allowed ? 1 : 0);
      say(`decisions ${engine.revision} ${bits.join('')}`);
      return;
    }
    case 'status':
      say(`status ${JSON.stringify(engine.followStatus())}`);
      return;
    case 'exit':
      if (tracking) clearInterval(tracking);
      await engine.close();
      process.exit(0);
  }
  throw new Error(`unknown command \`${command}\``);
}
