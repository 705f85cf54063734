import type { Source } from '../model/source.js';
import { ENTITY_FIELDS, ENTITY_NAMES, entityKey, type Change, type EntityName, type EntityTypes } from '../store.js';

type Rows = { [E in EntityName]: Map<string, EntityTypes[E]> };
type ByAccount = { [E in EntityName]: Map<string, Set<string>> };

function accountOf(entity: EntityName, row: unknown): string {
  if (entity === 'service' || entity === 'role') return (row as { accountId?: string }).accountId ?? '';
  if (entity === 'account') return (row as { id: string }).id;
  return (row as { accountId: string }).accountId;
}

/**
 * The source keyed for management operations: rows by key and keys by account, so an operation touches what it
 * names instead of scanning every row. Immutable: `with(changes)` returns a new state that shares every entity map
 * the changes did not touch.
 */
export class SourceState {
  readonly #rows: Rows;
  readonly #byAccount: ByAccount;
  #source: Source | undefined;

  private constructor(rows: Rows, byAccount: ByAccount, source: Source | undefined) {
    this.#rows = rows;
    this.#byAccount = byAccount;
    this.#source = source;
  }

  /** Indexes a parsed source. */
  static from(source: Source): SourceState {
    const rows = {} as Record<EntityName, Map<string, unknown>>;
    const by = {} as Record<EntityName, Map<string, Set<string>>>;
    for (const e of ENTITY_NAMES) {
      const m = new Map<string, unknown>();
      const b = new Map<string, Set<string>>();
      for (const row of source[ENTITY_FIELDS[e]] as unknown[]) {
        const key = entityKey(e, row as never);
        m.set(key, row);
        const a = accountOf(e, row);
        let set = b.get(a);
        if (!set) b.set(a, (set = new Set()));
        set.add(key);
      }
      rows[e] = m;
      by[e] = b;
    }
    return new SourceState(rows as Rows, by as ByAccount, source);
  }

  /** One row by key (see entityKey: principals and groups are keyed `account/id`). */
  get<E extends EntityName>(entity: E, key: string): EntityTypes[E] | undefined {
    return this.#rows[entity].get(key);
  }

  /** All rows of an entity, or those of one account, in insertion order. */
  list<E extends EntityName>(entity: E, accountId?: string): EntityTypes[E][] {
    if (accountId === undefined) return [...this.#rows[entity].values()];
    const keys = this.#byAccount[entity].get(accountId);
    if (!keys) return [];
    const m = this.#rows[entity];
    const out: EntityTypes[E][] = [];
    for (const k of keys) out.push(m.get(k)!);
    return out;
  }

  /** How many rows an entity has in an account. */
  count(entity: EntityName, accountId: string): number {
    return this.#byAccount[entity].get(accountId)?.size ?? 0;
  }

  /** A new state with the changes applied; this one is unchanged. */
  with(changes: readonly Change[]): SourceState {
    if (changes.length === 0) return this;
    const rows = { ...this.#rows } as Record<EntityName, Map<string, unknown>>;
    const by = { ...this.#byAccount } as Record<EntityName, Map<string, Set<string>>>;
    const copied = new Set<string>();
    for (const c of changes) {
      if (!copied.has(c.entity)) {
        copied.add(c.entity);
        rows[c.entity] = new Map(rows[c.entity]);
        by[c.entity] = new Map(by[c.entity]);
      }
      applyOne(rows[c.entity]!, by[c.entity]!, c, copied);
    }
    return new SourceState(rows as Rows, by as ByAccount, undefined);
  }

  /**
   * Applies changes to this state in place. Only for an owner that never handed this state out (the Engine);
   * everyone else uses `with`.
   */
  applyInPlace(changes: readonly Change[]): void {
    const copied = new Set<string>(['*']);
    for (const c of changes) applyOne(this.#rows[c.entity] as Map<string, unknown>, this.#byAccount[c.entity], c, copied);
    if (changes.length > 0) this.#source = undefined;
  }

  /** The whole source as arrays (computed once per state). */
  toSource(): Source {
    if (this.#source) return this.#source;
    const s = { version: 1 } as Record<string, unknown>;
    for (const e of ENTITY_NAMES) s[ENTITY_FIELDS[e]] = [...this.#rows[e].values()];
    this.#source = s as unknown as Source;
    return this.#source;
  }
}

function applyOne(rows: Map<string, unknown>, by: Map<string, Set<string>>, c: Change, copied: Set<string>): void {
  const inPlace = copied.has('*');
  const touch = (a: string): Set<string> => {
    const tag = `${c.entity}\u0000${a}`;
    let set = by.get(a);
    if (!set) {
      set = new Set();
      by.set(a, set);
      copied.add(tag);
    } else if (!inPlace && !copied.has(tag)) {
      set = new Set(set);
      by.set(a, set);
      copied.add(tag);
    }
    return set;
  };
  if (c.op === 'put') {
    const key = entityKey(c.entity, c.value as never);
    const old = rows.get(key);
    if (old !== undefined) {
      const oa = accountOf(c.entity, old);
      if (oa !== accountOf(c.entity, c.value)) touch(oa).delete(key);
    }
    rows.set(key, c.value);
    touch(accountOf(c.entity, c.value)).add(key);
  } else {
    const old = rows.get(c.key);
    if (old === undefined) return;
    rows.delete(c.key);
    touch(accountOf(c.entity, old)).delete(c.key);
  }
}
