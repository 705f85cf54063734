// The request bodies `bench:serve` and `serve-profile` send: the bench's request stream as AuthZEN evaluations, and
// its batches as `evaluations` requests of 100 items sharing one subject.
import { generateBatches, generateRequests, type BenchRequest, type Workload } from './workload.js';

/** The static PEP token serve-target accepts (the system actor). */
export const BENCH_TOKEN = 'bench-pep-token-0123456789';

/** A Portcullis request as an AuthZEN evaluation (subject type from the id, resource attributes as properties). */
export function toAuthzen(r: BenchRequest): Record<string, unknown> {
  const subject: Record<string, unknown> = r.subject.id === undefined ? { type: 'anonymous' } : { type: 'user', id: r.subject.id };
  const sp: Record<string, unknown> = {};
  if (r.subject.accountId !== undefined) sp['accountId'] = r.subject.accountId;
  if (r.subject.claims !== undefined) sp['claims'] = r.subject.claims;
  if (Object.keys(sp).length > 0) subject['properties'] = sp;
  const out: Record<string, unknown> = { subject, action: { name: r.action }, resource: toAuthzenResource(r.resource) };
  const now = r.environment?.now;
  if (now !== undefined) out['context'] = { time: now };
  return out;
}

/** A Portcullis resource as an AuthZEN resource. */
export function toAuthzenResource(res: BenchRequest['resource']): Record<string, unknown> {
  if (res.id !== undefined) return { type: 'resource', id: res.id };
  const attrs = res.attributes ?? {};
  const properties: Record<string, unknown> = { ...attrs };
  for (const k of ['tags', 'projects', 'zones', 'agentId'] as const) if (res[k] !== undefined) properties[k] = res[k];
  // null keeps an attribute the request does not have absent (the mapping would default it from type and id)
  return { type: attrs['resourceType'] ?? 'resource', id: attrs['resource'] ?? '-', properties: { resourceType: null, resource: null, ...properties } };
}

/** 2,000 single-evaluation bodies and 200 batches of 100, with the requests they were made from. */
export function serveBodies(w: Workload) {
  const { requests } = generateRequests(w, 2000, { seed: 3 });
  const bodies = requests.map((r) => JSON.stringify(toAuthzen(r)));
  const batchList = generateBatches(w, 200, 100);
  const batches = batchList.map((b) =>
    JSON.stringify({
      subject: { type: 'user', id: b.subject.id },
      evaluations: b.items.map((it) => ({ action: { name: it.action }, resource: toAuthzenResource(it.resource), ...(it.environment ? { context: { time: it.environment.now } } : {}) })),
    }),
  );
  return { requests, bodies, batchList, batches };
}
