/**
 * Issue #3 figure: the latency from `engine.apply` of a one-policy change (IBM `createPolicy`, run by the `system`
 * actor) to the next decision that depends on it, at a scale (default L, 100k policies). Goal: <= 1 ms.
 */
import os from 'node:os';
import { createEngine, createPolicy, type AuthorizeRequest } from '@portcullis/engine';
import { generateWorkload, NOW, type ScaleName } from './workload.js';

const scale = (process.argv[2] ?? 'L') as ScaleName;
const runs = Number(process.argv[3] ?? 200);

const w = generateWorkload(scale);
let t = performance.now();
const engine = createEngine({ source: w.source, clock: () => NOW, cacheSize: 10_000 });
const createMs = performance.now() - t;

const account = w.source.accounts.find((a) => a.system === 'ibm')!.id;
const principal = w.source.principals.find((p) => p.accountId === account && p.kind === 'user' && p.status === 'active')!.id;
const service = w.source.services.find((s) => s.type === 'service' && Object.keys(s.roles).length > 0)!;
const [roleId, actions] = Object.entries(service.roles)[0]!;
const action = actions[0]!;

const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const resource = `bench-apply-${i}`;
  const body = {
    type: 'access',
    subjects: [{ attributes: [{ name: 'iam_id', value: principal }] }],
    roles: [{ role_id: roleId }],
    resources: [
      {
        attributes: [
          { name: 'accountId', value: account },
          { name: 'serviceName', value: service.name },
          { name: 'resource', value: resource },
        ],
      },
    ],
  };
  const request: AuthorizeRequest = { subject: { id: principal }, action, resource: { attributes: { accountId: account, serviceName: service.name, resource } } };
  t = performance.now();
  await engine.apply(createPolicy, body as never, { actor: { kind: 'system' } });
  const d = engine.authorize(request);
  times.push(performance.now() - t);
  if (!d.allowed) throw new Error(`run ${i}: the new policy did not grant: ${JSON.stringify(d)}`);
}
times.sort((a, b) => a - b);
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
console.log(`# apply -> next decision, scale ${scale} (${engine.tables.size} policies and bindings)`);
console.log(`${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}`);
console.log(`createEngine ${createMs.toFixed(0)} ms; ${runs} one-policy creates`);
console.log(`median ${q(0.5).toFixed(3)} ms, p90 ${q(0.9).toFixed(3)} ms, p99 ${q(0.99).toFixed(3)} ms (goal <= 1 ms: ${q(0.5) <= 1 ? 'met' : 'missed'} at the median)`);
