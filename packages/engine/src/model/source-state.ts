import type { Source } from './source.js';
import { ENTITY_FIELDS, ENTITY_NAMES, entityKey, type Change, type EntityName, type EntityTypes } from './entities.js';

type Rows = { [E in EntityName]: Map<string, EntityTypes[E]> };
/** Per entity: account id -> that account's rows by key (global rows, such as system roles, under ''). */
type ByAccount = { [E in EntityName]: Map<string, Map<string, EntityTypes[E]>> };

function accountOf(entity: EntityName, row: unknown): string {
  if (entity === 'service' || entity === 'role') return (row as { accountId?: string }).accountId ?? '';
  if (entity === 'account') return (row as { id: string }).id;
  return (row as { accountId: string }).accountId;
}

const NO_ROWS: ReadonlyMap<string, never> = new Map<string, never>();

/**
 * The source keyed for management operations: rows by key, and by account, so an operation touches what it names
 * (and scans one account, never every row). Immutable: `with(changes)` returns a new state that shares every map the
 * changes did not touch.
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
    const by = {} as Record<EntityName, Map<string, Map<string, unknown>>>;
    for (const e of ENTITY_NAMES) {
      const m = new Map<string, unknown>();
      const b = new Map<string, Map<string, unknown>>();
      for (const row of source[ENTITY_FIELDS[e]] as unknown[]) {
        const key = entityKey(e, row as never);
        m.set(key, row);
        const a = accountOf(e, row);
        let inAccount = b.get(a);
        if (!inAccount) b.set(a, (inAccount = new Map()));
        inAccount.set(key, row);
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
    const rows = this.#byAccount[entity].get(accountId);
    return rows === undefined ? [] : [...rows.values()];
  }

  /** The rows of one account, without copying them: for scans that only read. */
  rowsOf<E extends EntityName>(entity: E, accountId: string): Iterable<EntityTypes[E]> {
    return (this.#byAccount[entity].get(accountId) ?? NO_ROWS).values();
  }

  /** How many rows an entity has in an account. */
  count(entity: EntityName, accountId: string): number {
    return this.#byAccount[entity].get(accountId)?.size ?? 0;
  }

  /** A new state with the changes applied; this one is unchanged. */
  with(changes: readonly Change[]): SourceState {
    if (changes.length === 0) return this;
    const rows = { ...this.#rows } as Record<EntityName, Map<string, unknown>>;
    const by = { ...this.#byAccount } as Record<EntityName, Map<string, Map<string, unknown>>>;
    const copied = new Set<string>();
    for (const c of changes) {
      if (!copied.has(c.entity)) {
        copied.add(c.entity);
        rows[c.entity] = new Map(rows[c.entity]);
        by[c.entity] = new Map(by[c.entity]);
      }
      applyOne(rows[c.entity]!, by[c.entity]!, c, copied, false);
    }
    return new SourceState(rows as Rows, by as ByAccount, undefined);
  }

  /**
   * Applies changes to this state in place. Only for an owner that never handed this state out (the Engine);
   * everyone else uses `with`.
   */
  applyInPlace(changes: readonly Change[]): void {
    const copied = new Set<string>();
    for (const c of changes) applyOne(this.#rows[c.entity] as Map<string, unknown>, this.#byAccount[c.entity], c, copied, true);
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

function applyOne(rows: Map<string, unknown>, by: Map<string, Map<string, unknown>>, c: Change, copied: Set<string>, inPlace: boolean): void {
  // the account's own map, copied once per `with` before its first write so the old state keeps its rows
  const accountRows = (a: string): Map<string, unknown> => {
    const tag = `${c.entity}\u0000${a}`;
    let m = by.get(a);
    if (!m) {
      by.set(a, (m = new Map()));
      copied.add(tag);
    } else if (!inPlace && !copied.has(tag)) {
      by.set(a, (m = new Map(m)));
      copied.add(tag);
    }
    return m;
  };
  if (c.op === 'put') {
    const key = entityKey(c.entity, c.value as never);
    const old = rows.get(key);
    const a = accountOf(c.entity, c.value);
    if (old !== undefined) {
      const oa = accountOf(c.entity, old);
      if (oa !== a) accountRows(oa).delete(key);
    }
    rows.set(key, c.value);
    accountRows(a).set(key, c.value);
  } else {
    const old = rows.get(c.key);
    if (old === undefined) return;
    rows.delete(c.key);
    accountRows(accountOf(c.entity, old)).delete(c.key);
  }
}
