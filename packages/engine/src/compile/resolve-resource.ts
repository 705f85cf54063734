import type { ResolvedResource } from './tables.js';
import type { Source } from '../model/source.js';

/** A registered resource as the evaluator reads it: attributes as strings, tags lowercased. */
export function resolveResource(r: Source['resources'][number], num: number): ResolvedResource {
  // own data properties (fromEntries defines them, so even `__proto__` is an attribute), then no prototype, so no
  // name reads an inherited value: built so, the object keeps V8's compact layout, where Object.create(null) makes a
  // hash table (~400 bytes more per resource, a twentieth of the tables at scale S)
  const entries: [string, string][] = Object.entries(r.attributes ?? {}).map(([k, v]) => [k, String(v)]);
  entries.push(['accountId', r.accountId]);
  const attributes = Object.setPrototypeOf(Object.fromEntries(entries), null) as Record<string, string>;
  return {
    id: r.id,
    num,
    accountId: r.accountId,
    attributes,
    tags: (r.tags ?? []).map((t) => t.toLowerCase()),
    projects: r.projects ?? [],
    folders: r.folders ?? [],
    zones: r.zones ?? [],
    agentId: r.agentId,
  };
}
