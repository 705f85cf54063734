import type { ResolvedResource } from './tables.js';
import type { Source } from '../model/source.js';

/** A registered resource as the evaluator reads it: attributes as strings, tags lowercased. */
export function resolveResource(r: Source['resources'][number], num: number): ResolvedResource {
  const attributes: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(r.attributes ?? {})) attributes[k] = String(v);
  attributes['accountId'] = r.accountId;
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
