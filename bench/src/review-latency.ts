/**
 * Issue 12 figure: what the effect review costs a management operation run by a subject. An account administrator of
 * the workload's IBM account grants a principal one role with `createPolicy`, through `engine.apply` (guard and
 * review) and through the same guards with the review switched off (the test-only registry option), at a scale
 * (default M). The review compares the touched account's access before and after, so it grows with that account.
 */
import os from 'node:os';
import { createEngine, createGuardRegistry, createPolicy, DEFAULT_ROLES, DEFAULT_SERVICES, defaultGuards, type Actor, type Change } from '@portcullis/engine';
import { runGuarded, SourceState } from '@portcullis/engine/internals';
import { generateWorkload, NOW, type ScaleName } from './workload.js';

const scale = (process.argv[2] ?? 'M') as ScaleName;
const runs = Number(process.argv[3] ?? 30);

const w = generateWorkload(scale);
const account = w.source.accounts.find((a) => a.system === 'ibm')!.id;
const admin = 'IBMid-bench-admin';
const administrator = 'crn:v1:bluemix:public:iam::::role:Administrator';
const service = w.source.services.find((s) => s.type === 'service' && (s.roles[administrator] ?? []).length > 0)!;
const engine = createEngine({ source: w.source, clock: () => NOW, cacheSize: 10_000 });
// the management services and roles (the workload holds only its own catalog), an administrator of every service
const catalog: Change[] = [
  ...DEFAULT_SERVICES.map((d) => {
    // the workload names its own services after the management ones: the catalog's actions are added to them
    const have = w.source.services.find((x) => x.name === d.name);
    const roles = { ...(have?.roles ?? {}) };
    for (const [role, actions] of Object.entries(d.roles)) roles[role] = [...new Set([...(roles[role] ?? []), ...actions])];
    return { op: 'put' as const, entity: 'service' as const, value: { ...(have ?? d), roles } };
  }),
  ...DEFAULT_ROLES.filter((r) => !w.source.roles.some((x) => x.id === r.id)).map((value) => ({ op: 'put' as const, entity: 'role' as const, value })),
];
await engine.commit([
  ...catalog,
  { op: 'put', entity: 'principal', value: { id: admin, accountId: account, kind: 'user', status: 'active', locked: false, projects: [] } },
  ...['iam-access-management', service.name].map((serviceName) => ({
    op: 'put' as const,
    entity: 'policy' as const,
    value: {
      id: `bench-admin-${serviceName}`,
      accountId: account,
      subject: { kind: 'principal' as const, id: admin },
      type: 'access',
      effect: 'allow',
      state: 'active',
      roles: [administrator],
      resource: { attributes: [{ name: 'accountId', operator: 'stringEquals' as const, value: account }, { name: 'serviceName', operator: 'stringEquals' as const, value: serviceName }], tags: [] },
    } as never,
  })),
]);
const principal = w.source.principals.find((p) => p.accountId === account && p.kind === 'user' && p.status === 'active')!.id;
const actor: Actor = { kind: 'subject', id: admin, accountId: account };
const body = (i: number) => ({
  type: 'access',
  subjects: [{ attributes: [{ name: 'iam_id', value: principal }] }],
  roles: [{ role_id: administrator }],
  resources: [{ attributes: [{ name: 'accountId', value: account }, { name: 'serviceName', value: service.name }, { name: 'resource', value: `bench-review-${i}` }] }],
});

const unreviewed = createGuardRegistry({ from: defaultGuards, escalationReview: false });
const state = SourceState.from(engine.source);
const ctx = { actor, now: new Date(NOW).toISOString(), newId: (p: string) => `${p}${Math.random().toString(16).slice(2)}` };
const time = (f: (i: number) => unknown) => {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    f(i);
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)]!, p90: t[Math.floor(t.length * 0.9)]! };
};
const off = time((i) => runGuarded(unreviewed, createPolicy as never, state, engine.tables, body(i) as never, ctx));
const on = time((i) => runGuarded(defaultGuards, createPolicy as never, state, engine.tables, body(i) as never, ctx));
const inAccount = engine.source.policies.filter((p) => p.accountId === account).length;
console.log(`# createPolicy by an account administrator, scale ${scale}: ${engine.tables.size} policies and bindings, ${inAccount} in the touched account`);
console.log(`${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}`);
console.log(`guards only: median ${off.median.toFixed(2)} ms, p90 ${off.p90.toFixed(2)} ms`);
console.log(`guards + effect review: median ${on.median.toFixed(2)} ms, p90 ${on.p90.toFixed(2)} ms (${runs} runs each)`);
