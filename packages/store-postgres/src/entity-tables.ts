import type pg from 'pg';
import type { Change, EntityName, Policy, Source } from '@portcullis/engine';
import {
  decodeEntityRows,
  policyDecoder,
  listsByParent,
  policyRowKey,
  SPECS,
  ENTITY_FIELDS,
  ENTITY_NAMES,
  entityKey,
  type ChildSpec,
  type Row,
  type TableSpec,
} from '@portcullis/engine/store-kit';

/** Column types other than TEXT, for reading rows out of a JSON batch (`json_to_recordset`). */
const COLUMN_TYPES: Record<string, string> = {
  public_access: 'smallint',
  locked: 'smallint',
  notification_opt_in: 'smallint',
  federated: 'smallint',
  third_party: 'smallint',
  enabled: 'smallint',
  use_fedramp_language: 'smallint',
  expiration: 'bigint',
  last_permit_frequency: 'bigint',
  ord: 'integer',
};

const typed = (columns: readonly string[]): string => columns.map((c) => `${c} ${COLUMN_TYPES[c] ?? 'text'}`).join(', ');

interface ChildStatements {
  spec: ChildSpec;
  insert: string;
  delete: string;
  select: string;
}

interface Statements {
  upsert: string;
  delete: string;
  select: string;
  children: ChildStatements[];
}

/**
 * Reads and writes every entity table of one schema. A commit writes each run of puts (or deletes) of one entity
 * with one statement, the rows passed as one JSON parameter: a bootstrap of 100k rows is a handful of round trips.
 */
export class EntityTables {
  #statements: { [E in EntityName]: Statements };

  constructor(schema: string) {
    const statements = {} as { [E in EntityName]: Statements };
    for (const entity of ENTITY_NAMES) {
      const spec = SPECS[entity] as TableSpec<EntityName>;
      const cols = ['key', ...spec.columns];
      const table = `${schema}.${spec.table}`;
      statements[entity] = {
        // WITH ORDINALITY + ORDER BY: new rows take identity positions in batch order, which load() returns
        upsert: `INSERT INTO ${table} (${cols.join(', ')})
          SELECT ${cols.join(', ')} FROM ROWS FROM (json_to_recordset($1::json) AS (${typed(cols)})) WITH ORDINALITY AS x(${cols.join(', ')}, n)
          ORDER BY n
          ON CONFLICT (key) DO UPDATE SET ${spec.columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
        delete: `DELETE FROM ${table} WHERE key = ANY($1::text[])`,
        select: `SELECT ${cols.join(', ')} FROM ${table} ORDER BY pos`,
        children: (spec.children ?? []).map((child) => {
          const ccols = [child.parentColumn, ...child.columns];
          const ctable = `${schema}.${child.table}`;
          return {
            spec: child,
            insert: `INSERT INTO ${ctable} (${ccols.join(', ')}) SELECT ${ccols.join(', ')} FROM json_to_recordset($1::json) AS x(${typed(ccols)})`,
            delete: `DELETE FROM ${ctable} WHERE ${child.parentColumn} = ANY($1::text[])`,
            select: `SELECT ${ccols.join(', ')} FROM ${ctable} ORDER BY ${child.parentColumn}, ord`,
          };
        }),
      };
    }
    this.#statements = statements;
  }

  /** Writes changes in order; the caller holds the transaction. */
  async write(client: pg.PoolClient, changes: readonly Change[]): Promise<void> {
    let i = 0;
    while (i < changes.length) {
      const first = changes[i]!;
      let j = i + 1;
      while (j < changes.length && changes[j]!.entity === first.entity && changes[j]!.op === first.op) j++;
      const run = changes.slice(i, j);
      if (first.op === 'delete') await this.#delete(client, first.entity, run.map((c) => (c as { key: string }).key));
      else await this.#put(client, first.entity, run.map((c) => (c as { value: unknown }).value));
      i = j;
    }
  }

  async #delete(client: pg.PoolClient, entity: EntityName, keys: string[]): Promise<void> {
    const s = this.#statements[entity];
    await client.query(s.delete, [keys]);
    for (const c of s.children) await client.query(c.delete, [keys]);
  }

  async #put(client: pg.PoolClient, entity: EntityName, values: unknown[]): Promise<void> {
    const s = this.#statements[entity];
    const spec = SPECS[entity] as TableSpec<EntityName>;
    // one statement cannot upsert a key twice: the last value wins, at the place of the first (as two upserts would)
    const byKey = new Map<string, unknown>();
    for (const v of values) byKey.set(entityKey(entity, v as never), v);
    const rows = [...byKey].map(([key, v]) => ({ key, ...spec.encode(v as never) }));
    await client.query(s.upsert, [JSON.stringify(rows)]);
    if (s.children.length === 0) return;
    const keys = [...byKey.keys()];
    for (const c of s.children) {
      await client.query(c.delete, [keys]);
      const childRows = [...byKey].flatMap(([key, v]) => c.spec.rows(v as never).map((r) => ({ [c.spec.parentColumn]: key, ...r })));
      if (childRows.length > 0) await client.query(c.insert, [JSON.stringify(childRows)]);
    }
  }

  /**
   * Reads every row of every table into a source, in insertion order. The policy rows are read on `client`, the
   * rest on `helper` (the same client by default); both hold a transaction on one snapshot.
   */
  async readSource(client: pg.PoolClient, helper: pg.PoolClient = client): Promise<Source> {
    const s = this.#statements.policy;
    const policyQuery = { text: s.select, rowMode: 'array' as const };
    // one query at a time on each connection (pg queues a second one, but that use is going away)
    const onHelper = async (): Promise<[pg.QueryResult, Record<string, unknown>]> => {
      const roleRows = await helper.query({ text: s.children[0]!.select, rowMode: 'array' });
      return [roleRows, await this.#readOthers(helper)];
    };
    let policyRows: pg.QueryResult;
    let roleRows: pg.QueryResult;
    let source: Record<string, unknown>;
    if (helper === client) {
      [roleRows, source] = await onHelper();
      policyRows = await client.query(policyQuery);
    } else {
      // both settle before this returns or throws, so neither connection is left busy
      const [p, h] = await Promise.allSettled([client.query(policyQuery), onHelper()]);
      if (p.status === 'rejected') throw p.reason;
      if (h.status === 'rejected') throw h.reason;
      policyRows = p.value;
      [roleRows, source] = h.value;
    }
    const roles = listsByParent((roleRows.rows as [string, number, string][]).map(([key, , role]) => [key, role] as const));
    // decoded straight from array rows (see `policyDecoder`): an object per row (20 keys) for decode to copy
    // again doubles what the collector moves
    const decode = policyDecoder();
    const policies: Policy[] = [];
    for (const r of policyRows.rows as unknown[][]) policies.push(decode(r, roles.get(policyRowKey(r))));
    source[ENTITY_FIELDS.policy] = policies;
    // the source's arrays in ENTITY_NAMES order, as a source read one table after another had them
    const ordered: Record<string, unknown> = { version: 1 };
    for (const entity of ENTITY_NAMES) ordered[ENTITY_FIELDS[entity]] = source[ENTITY_FIELDS[entity]];
    return ordered as unknown as Source;
  }

  /** Every table but the policies and their roles, one query after another. */
  async #readOthers(client: pg.PoolClient): Promise<Record<string, unknown>> {
    const source: Record<string, unknown> = {};
    for (const entity of ENTITY_NAMES) {
      if (entity === 'policy') continue;
      const s = this.#statements[entity];
      const rows = (await client.query(s.select)).rows as Row[];
      const children: Row[][] = [];
      for (const c of s.children) children.push((await client.query(c.select)).rows as Row[]);
      source[ENTITY_FIELDS[entity]] = decodeEntityRows(entity, rows, children);
    }
    return source;
  }
}
