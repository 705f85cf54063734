/**
 * Reverse queries at scale L (100k policies): whoCan per (action, resource), listResources over an account's
 * registered resources, resourceFilter per (subject, action), whatCan per (subject, resource); with ANALYZE_SOURCE_OPS=1
 * also diff and lint over the whole source. Prints figures only.
 * Run: `pnpm bench:analyze` (or `tsc -b bench && node --expose-gc bench/dist/analyze.js [S|M|L|XL]`).
 */
import { compile, diff, lint, listResources, resourceFilter, whatCan, whoCan, type RequestResource, type RequestSubject } from '@portcullis/engine';
import { generateRequests, generateWorkload, NOW, registerResources, type ScaleName } from './workload.js';

const scale = (process.argv[2] ?? 'L') as ScaleName;
const SAMPLES = Number(process.env['ANALYZE_SAMPLES'] ?? 300);

function summarize(name: string, ms: number[], extra = ''): void {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  const mean = s.reduce((t, x) => t + x, 0) / s.length;
  console.log(
    `${name.padEnd(34)} n=${String(s.length).padStart(4)}  mean ${mean.toFixed(3).padStart(8)} ms  p50 ${q(0.5).toFixed(3).padStart(8)} ms  p99 ${q(0.99).toFixed(3).padStart(8)} ms  max ${s[s.length - 1]!.toFixed(3).padStart(8)} ms${extra}`,
  );
}

function time<T>(f: () => T): [number, T] {
  const t0 = performance.now();
  const out = f();
  return [performance.now() - t0, out];
}

const t0 = performance.now();
const w = generateWorkload(scale);
const { requests } = generateRequests(w, 20_000, { seed: 99 });
const registered = registerResources(requests);
const source = { ...w.source, resources: [...w.source.resources, ...registered.resources] };
const tables = compile(source);
console.log(
  `scale ${scale}: ${source.policies.length} policies, ${source.bindings.length} bindings, ${source.principals.length} principals, ${source.groups.length} groups, ${source.resources.length} registered resources; built in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

// whoCan over the request stream's (action, resource) pairs
const who: number[] = [];
let listed = 0;
let byRule = 0;
for (const r of requests.slice(0, SAMPLES)) {
  const [ms, res] = time(() => whoCan(tables, r.action, r.resource as RequestResource, { now: NOW }));
  who.push(ms);
  listed += res.principals.length;
  byRule += res.membersByRule.length;
}
summarize('whoCan', who, `  (avg ${(listed / who.length).toFixed(1)} principals, ${(byRule / who.length).toFixed(2)} rules listed)`);

// whatCan for the stream's (subject, resource) pairs
const what: number[] = [];
let actions = 0;
for (const r of requests.slice(0, SAMPLES)) {
  const [ms, res] = time(() => whatCan(tables, r.subject as RequestSubject, r.resource as RequestResource, { now: NOW }));
  what.push(ms);
  actions += res.actions.length;
}
summarize('whatCan', what, `  (avg ${(actions / what.length).toFixed(1)} actions allowed)`);

// listResources over every registered resource of the subject's account
const byAccount = new Map<string, number>();
for (const r of registered.resources) byAccount.set(r.accountId, (byAccount.get(r.accountId) ?? 0) + 1);
const list: number[] = [];
let scanned = 0;
let allowed = 0;
for (const r of requests.slice(0, Math.min(SAMPLES, 100))) {
  const accountId = String(r.resource.attributes?.['accountId'] ?? '');
  if (!byAccount.has(accountId)) continue;
  const [ms, res] = time(() => listResources(tables, r.subject as RequestSubject, r.action, undefined, { now: NOW, accountId }));
  list.push(ms);
  scanned += byAccount.get(accountId)!;
  allowed += res.length;
}
summarize('listResources (account, registered)', list, `  (avg ${(scanned / Math.max(1, list.length)).toFixed(0)} resources scanned, ${(allowed / Math.max(1, list.length)).toFixed(1)} allowed)`);

// resourceFilter: the SQL a host would run instead of listing
const filter: number[] = [];
let exact = 0;
let paramCount = 0;
for (const r of requests.slice(0, SAMPLES)) {
  const accountId = String(r.resource.attributes?.['accountId'] ?? '');
  if (accountId === '') continue;
  const [ms, res] = time(() => resourceFilter(tables, r.subject as RequestSubject, r.action, { now: NOW, accountId }));
  filter.push(ms);
  if (!res.residual) {
    exact++;
    paramCount += res.sql.params.length;
  }
}
summarize('resourceFilter', filter, `  (${exact} of ${filter.length} exact, avg ${(paramCount / Math.max(1, exact)).toFixed(1)} params; residual ones list instead)`);

// source-level analyses, on request (tens of seconds at L): diff after removing one policy, and lint
if (process.env['ANALYZE_SOURCE_OPS'] === '1') {
  const edited = { ...source, policies: source.policies.slice(1) };
  const [diffMs, d] = time(() => diff(source, edited));
  console.log(`diff (one policy removed)          ${diffMs.toFixed(0).padStart(8)} ms  (${d.removed.length} grants removed, ${d.added.length} added)`);
  const [lintMs, findings] = time(() => lint(source, { now: NOW }));
  const counts: Record<string, number> = {};
  for (const f of findings) counts[f.code] = (counts[f.code] ?? 0) + 1;
  console.log(`lint                               ${lintMs.toFixed(0).padStart(8)} ms  ${JSON.stringify(counts)}`);
}
