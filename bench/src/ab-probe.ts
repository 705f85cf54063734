/**
 * Two builds in one process, for an A/B on a loaded machine: each compiles the same workload, then uncached
 * `authorize` over the stream and `authorizeMany` over the batches run in alternating passes (A, B, B, A, ...), and
 * each pair's CPU-time ratio B/A is reported (median and quartiles), so that both sides of a pair meet the same load.
 * `node --expose-gc bench/dist/ab-probe.js L <repo A> [repo B] [pairs] [system]` — each repo the root of a checkout
 * whose packages/engine/dist is built (B defaults to this one); `system` (ibm, cloudflare, bluexp) keeps only the
 * requests of that system's accounts, to see a change that touches one of them.
 */
import { fileURLToPath } from 'node:url';
import type { AuthorizeRequest, Tables } from '@portcullis/engine';

const here = fileURLToPath(new URL('../..', import.meta.url));
const [scale = 'L', repoA = here, repoB = here, pairsArg = '9', system] = process.argv.slice(2);
type EngineModule = typeof import('@portcullis/engine');
type WorkloadModule = typeof import('./workload.js');
const workload = (await import(`${here}/bench/dist/workload.js`)) as WorkloadModule;
const { generateWorkload, generateRequests, generateBatches, NOW } = workload;
// the query string gives each side its own module instance (and its own scratch), even for the same repo
const load = async (repo: string, tag: string) => (await import(`${repo}/packages/engine/dist/index.js?${tag}`)) as EngineModule;
const A = await load(repoA, 'a');
const B = await load(repoB, 'b');

const cpu = (f: () => void): number => {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return c.user + c.system;
};
const quartiles = (xs: number[]): [number, number, number] => {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor((s.length - 1) / 4)]!, s[Math.floor((s.length - 1) / 2)]!, s[Math.ceil((3 * (s.length - 1)) / 4)]!];
};

const w = generateWorkload(scale as 'S' | 'M' | 'L' | 'XL');
const systemOf = new Map(w.source.accounts.map((a) => [a.id, a.system]));
const requests = (generateRequests(w, 10_000).requests as AuthorizeRequest[]).filter(
  (r) => system === undefined || systemOf.get(r.resource.attributes?.['accountId'] as string ?? w.source.resources.find((x) => x.id === r.resource.id)?.accountId ?? '') === system,
);
const batches = generateBatches(w, 200, 100);
const opts = { now: NOW };
const ta: Tables = A.compile(w.source);
const tb: Tables = B.compile(w.source);
// the same decisions, or the comparison means nothing
for (const r of requests) {
  const a = A.authorize(ta, r, opts);
  const b = B.authorize(tb, r, opts);
  if (a.allowed !== b.allowed || a.reason !== b.reason || a.policies.join() !== b.policies.join()) throw new Error(`the builds disagree on ${JSON.stringify(r)}`);
}
const single = (m: EngineModule, t: Tables) => () => {
  for (const r of requests) m.authorize(t, r, opts);
};
const many = (m: EngineModule, t: Tables) => () => {
  for (const b of batches) m.authorizeMany(t, b.subject, b.items as Omit<AuthorizeRequest, 'subject'>[], opts);
};
for (const [name, fa, fb, per] of [
  ['authorize', single(A, ta), single(B, tb), requests.length],
  ['batch of 100', many(A, ta), many(B, tb), batches.length],
] as const) {
  // warm: the first passes gather and merge each principal's ranges (gather.ts)
  for (let i = 0; i < 3; i++) (fa(), fb());
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < Number(pairsArg); i++) {
    const flip = i % 2 === 1;
    const x = flip ? cpu(fb) : cpu(fa);
    const y = flip ? cpu(fa) : cpu(fb);
    const a = flip ? y : x;
    const b = flip ? x : y;
    as.push(a / per);
    bs.push(b / per);
    ratios.push(b / a);
  }
  const [qa1, qa, qa3] = quartiles(as);
  const [qb1, qb, qb3] = quartiles(bs);
  const [r1, r, r3] = quartiles(ratios);
  console.log(
    `${scale} ${name}: A ${qa.toFixed(2)} µs cpu (${qa1.toFixed(2)}-${qa3.toFixed(2)}), B ${qb.toFixed(2)} µs cpu (${qb1.toFixed(2)}-${qb3.toFixed(2)}); ` +
      `B/A per pair ${r.toFixed(3)} (${r1.toFixed(3)}-${r3.toFixed(3)}), ${as.length} pairs`,
  );
}
