/**
 * The request's own cost, A/B in one process: `resolveRequest` alone (checking the request and loading its attributes,
 * no identity, no policy) over the 10,000-request stream, and over the items of the batches as decideMany hands them,
 * in alternating passes (A, B, B, A, ...) as ab-probe does, each pair's CPU-time ratio B/A reported (median and
 * quartiles). It reads the engine's internal module (packages/engine/dist/evaluate/resolve-request.js) of each build, so
 * both builds must export resolveRequest, createContext and subjectIssues (or batchChecks) there.
 * `node --expose-gc bench/dist/request-probe.js L <repo A> [repo B] [pairs]`
 */
import { fileURLToPath } from 'node:url';
import type { AuthorizeRequest, Tables } from '@portcullis/engine';

const here = fileURLToPath(new URL('../..', import.meta.url));
const [scale = 'L', repoA = here, repoB = here, pairsArg = '9'] = process.argv.slice(2);
type EngineModule = typeof import('@portcullis/engine');
type WorkloadModule = typeof import('./workload.js');
interface ResolveModule {
  resolveRequest(tables: Tables, request: AuthorizeRequest, options: unknown, ctx: unknown, checked?: unknown): readonly unknown[];
  createContext(batch?: boolean): unknown;
  subjectIssues(subject: unknown): readonly unknown[];
  batchChecks?: (subject: unknown, options: unknown) => unknown;
}
const workload = (await import(`${here}/bench/dist/workload.js`)) as WorkloadModule;
const { generateWorkload, generateRequests, generateBatches, NOW } = workload;
const load = async (repo: string, tag: string) => ({
  engine: (await import(`${repo}/packages/engine/dist/index.js?${tag}`)) as EngineModule,
  resolve: (await import(`${repo}/packages/engine/dist/evaluate/resolve-request.js?${tag}`)) as ResolveModule,
});
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
const requests = generateRequests(w, 10_000).requests as AuthorizeRequest[];
const batches = generateBatches(w, 200, 100);
const opts = { now: NOW };
const ta = A.engine.compile(w.source);
const tb = B.engine.compile(w.source);
const single = (side: typeof A, t: Tables) => {
  const ctx = side.resolve.createContext();
  return () => {
    for (const r of requests) if (side.resolve.resolveRequest(t, r, opts, ctx).length !== 0) throw new Error('an invalid request in the stream');
  };
};
// as decideMany does: one request object per batch, the subject checked once, each item's fields copied in
const many = (side: typeof A, t: Tables) => () => {
  for (const b of batches) {
    const ctx = side.resolve.createContext(true);
    // a build with batchChecks takes the options' issues too; an older one the subject's alone
    const checked = side.resolve.batchChecks?.(b.subject, opts) ?? side.resolve.subjectIssues(b.subject);
    const req: AuthorizeRequest = { subject: b.subject, action: '', resource: {}, environment: undefined };
    for (const item of b.items as Omit<AuthorizeRequest, 'subject'>[]) {
      req.action = item.action;
      req.resource = item.resource;
      req.environment = item.environment;
      if (side.resolve.resolveRequest(t, req, opts, ctx, checked).length !== 0) throw new Error('an invalid item in the batches');
    }
  }
};
for (const [name, fa, fb, per] of [
  ['resolveRequest', single(A, ta), single(B, tb), requests.length],
  ['resolveRequest of a batch item', many(A, ta), many(B, tb), batches.length * 100],
] as const) {
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
    as.push((a * 1000) / per);
    bs.push((b * 1000) / per);
    ratios.push(b / a);
  }
  const [qa1, qa, qa3] = quartiles(as);
  const [qb1, qb, qb3] = quartiles(bs);
  const [r1, r, r3] = quartiles(ratios);
  console.log(
    `${scale} ${name}: A ${qa.toFixed(0)} ns cpu (${qa1.toFixed(0)}-${qa3.toFixed(0)}), B ${qb.toFixed(0)} ns cpu (${qb1.toFixed(0)}-${qb3.toFixed(0)}); ` +
      `B/A per pair ${r.toFixed(3)} (${r1.toFixed(3)}-${r3.toFixed(3)}), ${as.length} pairs`,
  );
}
