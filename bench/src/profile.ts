/**
 * A target for `node --cpu-prof`: one scenario at one scale, run long enough to profile.
 * `node --cpu-prof --cpu-prof-dir=bench/results/prof bench/dist/profile.js authorize L 5`
 * (scenarios: authorize, cached, many, compile); then `node bench/dist/profile-summary.js <file>`.
 */
import { authorize, authorizeMany, compile, createEngine, type AuthorizeRequest } from '@portcullis/engine';
import { generateBatches, generateRequests, generateWorkload, NOW, registerResources, type ScaleName } from './workload.js';

const [scenario = 'authorize', scale = 'L', seconds = '5'] = process.argv.slice(2);
const w = generateWorkload(scale as ScaleName);
const { requests } = generateRequests(w, 10_000);
const end = () => performance.now() + Number(seconds) * 1000;
let n = 0;
let sink = 0;
if (scenario === 'compile') {
  const stop = end();
  while (performance.now() < stop) {
    sink ^= compile(w.source) ? 1 : 0;
    n++;
  }
} else if (scenario === 'cached') {
  const reg = registerResources(requests);
  const engine = createEngine({ source: { ...w.source, resources: [...w.source.resources, ...reg.resources] }, clock: () => NOW });
  const stop = end();
  while (performance.now() < stop) for (const r of reg.requests) (sink ^= engine.authorize(r as AuthorizeRequest).policies.length), n++;
} else if (scenario === 'many') {
  const tables = compile(w.source);
  const batches = generateBatches(w, 200, 100);
  const stop = end();
  while (performance.now() < stop)
    for (const b of batches) (sink ^= authorizeMany(tables, b.subject, b.items as Omit<AuthorizeRequest, 'subject'>[], { now: NOW }).length), n++;
} else {
  const tables = compile(w.source);
  const stop = end();
  while (performance.now() < stop) for (const r of requests) (sink ^= authorize(tables, r as AuthorizeRequest, { now: NOW }).policies.length), n++;
}
console.log(`${scenario} ${scale}: ${n} operations in ${seconds} s (${sink & 1})`);
