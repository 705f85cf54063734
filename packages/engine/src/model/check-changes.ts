import type { Issue } from '../errors.js';
import { ENTITY_FIELDS, ENTITY_NAMES, entityKey, type Change, type EntityName, type EntityTypes } from './entities.js';
import { checkReferences } from './parse-source.js';
import type { Source } from './source.js';

type AnyRow = EntityTypes[EntityName];

/** The prefix of a claim's tag (no entity name holds `:`). */
const CLAIM = 'claim:';

/** `entity\0key`: one row of a source, named across entities (no entity name holds `\0`). */
const tag = (entity: EntityName, key: string): string => `${entity}\u0000${key}`;

function untag(t: string): [EntityName, string] {
  const at = t.indexOf('\u0000');
  return [t.slice(0, at) as EntityName, t.slice(at + 1)];
}

/**
 * Every row a row looks up in `checkReferences`, as tags, whether or not the row exists.
 * INVARIANT: this lists every lookup `checkReferences` makes for a row (the differential property in
 * test/store-contract.test.ts compares the incremental check with `parseSource`); a check that reads another
 * row must add that row here, or a change to it would go unseen by an incremental commit.
 */
export function referencesOf(entity: EntityName, row: AnyRow): string[] {
  switch (entity) {
    case 'account':
      return [];
    case 'principal': {
      const p = row as EntityTypes['principal'];
      return [tag('account', p.accountId), ...p.projects.map((n) => tag('node', n))];
    }
    case 'group': {
      const g = row as EntityTypes['group'];
      return [tag('account', g.accountId), ...g.members.map((m) => tag('principal', `${g.accountId}/${m}`))];
    }
    case 'service':
      return Object.keys((row as EntityTypes['service']).roles).map((r) => tag('role', r));
    case 'role': {
      const r = row as EntityTypes['role'];
      return r.accountId === undefined ? [] : [tag('account', r.accountId)];
    }
    case 'resourceGroup':
      return [tag('account', (row as EntityTypes['resourceGroup']).accountId)];
    case 'policy': {
      const p = row as EntityTypes['policy'];
      const out = [tag('account', p.accountId)];
      if (p.subject.kind !== 'service') out.push(tag(p.subject.kind, `${p.accountId}/${p.subject.id}`));
      for (const rg of p.resource.resourceGroups ?? []) out.push(tag('resourceGroup', rg));
      for (const r of p.roles) out.push(tag('role', r));
      for (const n of p.resource.nodes ?? []) out.push(tag('node', n));
      return out;
    }
    case 'node': {
      const n = row as EntityTypes['node'];
      // the depth and cycle checks read the whole chain of parents: `affectedRows` follows it
      return n.parentId === null ? [tag('account', n.accountId)] : [tag('account', n.accountId), tag('node', n.parentId)];
    }
    case 'binding': {
      const b = row as EntityTypes['binding'];
      return [
        tag('account', b.accountId),
        tag('role', b.roleId),
        tag('node', b.nodeId),
        tag(b.subject.kind, `${b.accountId}/${b.subject.id}`),
        // a binding id may not be a policy id
        tag('policy', b.id),
      ];
    }
    case 'resource': {
      const r = row as EntityTypes['resource'];
      const out = [tag('account', r.accountId)];
      for (const n of r.projects) out.push(tag('node', n));
      for (const n of r.folders) out.push(tag('node', n));
      if (r.agentId !== undefined) out.push(tag('principal', `${r.accountId}/${r.agentId}`));
      return out;
    }
    case 'membership': {
      const m = row as EntityTypes['membership'];
      return [tag('principal', `${m.accountId}/${m.principalId}`), tag('group', `${m.accountId}/${m.groupId}`)];
    }
    case 'ssoConnector': {
      const c = row as EntityTypes['ssoConnector'];
      return [tag('account', c.accountId), ...claimsOf(entity, row)];
    }
  }
}

/**
 * What a row claims for itself alone besides its key: another row with the same claim is refused (an sso
 * connector's email domain within its account). A row lists its claims among its references, so the rows that
 * share a claim are the referrers of the claim.
 */
export function claimsOf(entity: EntityName, row: AnyRow): string[] {
  if (entity !== 'ssoConnector') return [];
  const c = row as EntityTypes['ssoConnector'];
  return [`${CLAIM}sso-connector-domain\u0000${c.accountId}\u0000${c.emailDomain}`];
}

/** Entities whose cross-row checks depend on the order of the rows (the later of two rows with one claim is at fault). */
export const ORDERED_ENTITIES: ReadonlySet<EntityName> = new Set<EntityName>(['ssoConnector']);

/**
 * The rows of one source by key, and for each row the rows that look it up: what an incremental check needs.
 * Built once from a source (O(rows)) and then moved forward commit by commit with `apply` (O(changed rows)).
 */
export class ReferenceIndex {
  readonly #rows: { [E in EntityName]: Map<string, EntityTypes[E]> };
  /** tag of a looked-up row (present or not) -> tags of the rows that look it up */
  readonly #referrers = new Map<string, Set<string>>();

  private constructor() {
    this.#rows = {} as { [E in EntityName]: Map<string, EntityTypes[E]> };
    for (const e of ENTITY_NAMES) (this.#rows as Record<EntityName, Map<string, unknown>>)[e] = new Map();
  }

  /** Indexes a parsed source. */
  static from(source: Source): ReferenceIndex {
    const index = new ReferenceIndex();
    for (const e of ENTITY_NAMES) {
      const rows = index.#rows[e] as Map<string, AnyRow>;
      for (const row of source[ENTITY_FIELDS[e]] as AnyRow[]) {
        const key = entityKey(e, row as never);
        rows.set(key, row);
        index.#link(e, key, row);
      }
    }
    return index;
  }

  /** One row by key, as of the source this index describes. */
  get(entity: EntityName, key: string): AnyRow | undefined {
    return (this.#rows[entity] as Map<string, AnyRow>).get(key);
  }

  /** The tags of the rows that look up the row `entity`/`key`. */
  referrers(entity: EntityName, key: string): ReadonlySet<string> | undefined {
    return this.#referrers.get(tag(entity, key));
  }

  /** The tags of the rows that list `t` among their references (a row's tag or a claim). */
  referrersOf(t: string): ReadonlySet<string> | undefined {
    return this.#referrers.get(t);
  }

  /** Moves the index to the source the changes lead to (changes already validated). */
  apply(changes: readonly Change[]): void {
    for (const c of changes) {
      const rows = this.#rows[c.entity] as Map<string, AnyRow>;
      const key = c.op === 'put' ? entityKey(c.entity, c.value as never) : c.key;
      const old = rows.get(key);
      if (old !== undefined) this.#unlink(c.entity, key, old);
      if (c.op === 'put') {
        rows.set(key, c.value);
        this.#link(c.entity, key, c.value);
      } else rows.delete(key);
    }
  }

  #link(entity: EntityName, key: string, row: AnyRow): void {
    const self = tag(entity, key);
    for (const t of referencesOf(entity, row)) {
      let set = this.#referrers.get(t);
      if (!set) this.#referrers.set(t, (set = new Set()));
      set.add(self);
    }
  }

  #unlink(entity: EntityName, key: string, row: AnyRow): void {
    const self = tag(entity, key);
    for (const t of referencesOf(entity, row)) {
      const set = this.#referrers.get(t);
      if (!set) continue;
      set.delete(self);
      if (set.size === 0) this.#referrers.delete(t);
    }
  }
}

/** The rows of the source after a batch: the batch's last word on a key, else the indexed row. */
export class ChangedView {
  readonly #index: ReferenceIndex;
  /** entity -> key -> the row after the batch, or null when the batch deleted it */
  readonly overlay = new Map<EntityName, Map<string, AnyRow | null>>();

  constructor(index: ReferenceIndex, changes: readonly Change[]) {
    this.#index = index;
    for (const c of changes) {
      let m = this.overlay.get(c.entity);
      if (!m) this.overlay.set(c.entity, (m = new Map()));
      if (c.op === 'put') m.set(entityKey(c.entity, c.value as never), c.value);
      else m.set(c.key, null);
    }
  }

  /** The row under `key` after the batch. */
  get(entity: EntityName, key: string): AnyRow | undefined {
    const o = this.overlay.get(entity)?.get(key);
    if (o !== undefined) return o ?? undefined;
    return this.#index.get(entity, key);
  }
}

/**
 * The rows of the resulting source whose cross-row checks can differ from those of the current source: every
 * row the batch puts, every remaining row that looks up a row the batch puts or deletes, and every folder or
 * project below a node the batch touches (depth and cycles read the whole chain). Rows outside it read only
 * rows that did not change, so they pass as they passed before.
 */
export function affectedRows(index: ReferenceIndex, view: ChangedView): Map<EntityName, Map<string, AnyRow>> {
  const out = new Map<EntityName, Map<string, AnyRow>>();
  const add = (e: EntityName, key: string, row: AnyRow): boolean => {
    let m = out.get(e);
    if (!m) out.set(e, (m = new Map()));
    if (m.has(key)) return false;
    m.set(key, row);
    return true;
  };
  const nodes: string[] = [];
  const addReferrers = (t: string) => {
    for (const src of index.referrersOf(t) ?? []) {
      const [e, k] = untag(src);
      const r = view.get(e, k);
      if (r !== undefined) add(e, k, r);
    }
  };
  for (const [entity, rows] of view.overlay) {
    for (const [key, row] of rows) {
      if (row !== null) add(entity, key, row);
      if (entity === 'node') nodes.push(key);
      addReferrers(tag(entity, key));
      // the rows that share a claim with the row before or after the batch
      const old = index.get(entity, key);
      if (old !== undefined) for (const t of claimsOf(entity, old)) addReferrers(t);
      if (row !== null) for (const t of claimsOf(entity, row)) addReferrers(t);
    }
  }
  // everything below a touched node: children are the nodes that look a node up
  const seen = new Set(nodes);
  while (nodes.length > 0) {
    const parent = nodes.pop()!;
    for (const t of index.referrers('node', parent) ?? []) {
      const [e, k] = untag(t);
      if (e !== 'node' || seen.has(k)) continue;
      seen.add(k);
      const r = view.get(e, k);
      if (r === undefined) continue;
      add(e, k, r);
      nodes.push(k);
    }
  }
  return out;
}

/** How many rows a map of affected rows holds. */
export function countRows(rows: Map<EntityName, Map<string, AnyRow>>): number {
  let n = 0;
  for (const m of rows.values()) n += m.size;
  return n;
}

/**
 * Runs `checkReferences` on the affected rows and the rows they look up (parents of nodes up to the top), and
 * keeps the issues of the affected rows: the same issues a check of the whole resulting source reports, given
 * that the current source passed it. Issue paths index the returned `source`, as `checkReferences` does.
 */
export function checkAffected(
  index: ReferenceIndex,
  view: ChangedView,
  affected: Map<EntityName, Map<string, AnyRow>>,
  next: Source,
): { issues: Issue[]; source: Source } {
  const picked = new Map<EntityName, Set<AnyRow>>(ENTITY_NAMES.map((e) => [e, new Set()]));
  const own = new Set<AnyRow>();
  for (const [entity, rows] of affected) {
    for (const row of rows.values()) {
      picked.get(entity)!.add(row);
      own.add(row);
    }
  }
  for (const [entity, rows] of affected) {
    for (const row of rows.values()) {
      for (const t of referencesOf(entity, row)) {
        if (!t.startsWith(CLAIM)) {
          const [e, k] = untag(t);
          const r = view.get(e, k);
          if (r !== undefined) picked.get(e)!.add(r);
        }
      }
      // the other rows with the same claim: those still in the source, and those the batch puts (affected)
      for (const t of claimsOf(entity, row)) {
        for (const src of index.referrersOf(t) ?? []) {
          const [e, k] = untag(src);
          const r = view.get(e, k);
          if (r !== undefined) picked.get(e)!.add(r);
        }
      }
      if (entity !== 'node') continue;
      // the chain of parents, for the depth and cycle checks
      const seen = new Set<string>();
      let parentId = (row as EntityTypes['node']).parentId;
      while (parentId !== null && !seen.has(parentId)) {
        seen.add(parentId);
        const p = view.get('node', parentId) as EntityTypes['node'] | undefined;
        if (!p) break;
        picked.get('node')!.add(p);
        parentId = p.parentId;
      }
    }
  }
  const source = { version: 1 } as Record<string, unknown>;
  for (const e of ENTITY_NAMES) {
    const rows = [...picked.get(e)!];
    if (ORDERED_ENTITIES.has(e) && rows.length > 1) {
      const all = next[ENTITY_FIELDS[e]] as AnyRow[];
      const at = new Map(rows.map((r) => [r, all.indexOf(r)]));
      rows.sort((a, b) => at.get(a)! - at.get(b)!);
    }
    source[ENTITY_FIELDS[e]] = rows;
  }
  const s = source as unknown as Source;
  const all: Issue[] = [];
  checkReferences(s, all);
  const entityOf = new Map<string, EntityName>(ENTITY_NAMES.map((e) => [ENTITY_FIELDS[e], e]));
  const issues = all.filter((issue) => {
    const [field, index] = issue.path;
    const entity = typeof field === 'string' ? entityOf.get(field) : undefined;
    // a path that names no row is kept: failing closed is the safe side
    if (entity === undefined || typeof index !== 'number') return true;
    return own.has((s[ENTITY_FIELDS[entity]] as AnyRow[])[index]!);
  });
  return { issues, source: s };
}
