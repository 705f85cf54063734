import type Database from 'better-sqlite3';
import type { Change, EntityName, Policy, Source } from '@portcullis/engine';
import {
  decodeEntityRows,
  policyDecoder,
  listsByParent,
  POLICY_COLUMNS,
  policyRowKey,
  SPECS,
  ENTITY_FIELDS,
  ENTITY_NAMES,
  entityKey,
  type ChildSpec,
  type Row,
  type TableSpec,
} from '@portcullis/engine/store-kit';

interface Prepared {
  upsert: Database.Statement;
  delete: Database.Statement;
  select: Database.Statement;
  children: { spec: ChildSpec; insert: Database.Statement; delete: Database.Statement; select: Database.Statement }[];
}

/** Prepared statements for reading and writing every entity table of one connection. */
export class EntityTables {
  #prepared: { [E in EntityName]: Prepared };
  #policyRows: Database.Statement;
  #policyRoles: Database.Statement;

  constructor(db: Database.Database) {
    this.#policyRows = db.prepare(`SELECT ${POLICY_COLUMNS.join(', ')} FROM policies ORDER BY rowid`).raw();
    this.#policyRoles = db.prepare('SELECT policy_key, role_id FROM policy_roles ORDER BY policy_key, ord').raw();
    const prepared = {} as { [E in EntityName]: Prepared };
    for (const entity of ENTITY_NAMES) {
      const spec = SPECS[entity] as TableSpec<EntityName>;
      const cols = ['key', ...spec.columns];
      prepared[entity] = {
        upsert: db.prepare(
          `INSERT INTO ${spec.table} (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})
           ON CONFLICT (key) DO UPDATE SET ${spec.columns.map((c) => `${c} = excluded.${c}`).join(', ')}`,
        ),
        delete: db.prepare(`DELETE FROM ${spec.table} WHERE key = ?`),
        select: db.prepare(`SELECT ${cols.join(', ')} FROM ${spec.table} ORDER BY rowid`),
        children: (spec.children ?? []).map((child) => {
          const ccols = [child.parentColumn, ...child.columns];
          return {
            spec: child,
            insert: db.prepare(`INSERT INTO ${child.table} (${ccols.join(', ')}) VALUES (${ccols.map((c) => '@' + c).join(', ')})`),
            delete: db.prepare(`DELETE FROM ${child.table} WHERE ${child.parentColumn} = ?`),
            select: db.prepare(`SELECT ${ccols.join(', ')} FROM ${child.table} ORDER BY ${child.parentColumn}, ord`),
          };
        }),
      };
    }
    this.#prepared = prepared;
  }

  /** Writes one change; the caller holds the transaction. */
  apply(change: Change): void {
    const p = this.#prepared[change.entity];
    if (change.op === 'delete') {
      p.delete.run(change.key);
      for (const c of p.children) c.delete.run(change.key);
      return;
    }
    const spec = SPECS[change.entity] as TableSpec<EntityName>;
    const key = entityKey(change.entity, change.value);
    p.upsert.run({ key, ...spec.encode(change.value) });
    for (const c of p.children) {
      c.delete.run(key);
      for (const row of c.spec.rows(change.value as never)) c.insert.run({ [c.spec.parentColumn]: key, ...row });
    }
  }

  /** Reads every row of every table into a source, in insertion order; the caller holds a read transaction. */
  readSource(): Source {
    const source = { version: 1 } as Record<string, unknown>;
    for (const entity of ENTITY_NAMES) {
      if (entity === 'policy') {
        source[ENTITY_FIELDS[entity]] = this.#readPolicies();
        continue;
      }
      const p = this.#prepared[entity];
      source[ENTITY_FIELDS[entity]] = decodeEntityRows(entity, p.select.all() as Row[], p.children.map((c) => ({ [Symbol.iterator]: () => c.select.iterate() as Iterator<Row> })));
    }
    return source as unknown as Source;
  }

  /** The policies, built straight from raw rows and frozen as they are built (see `policyDecoder`). */
  #readPolicies(): Policy[] {
    const roles = listsByParent(this.#policyRoles.iterate() as Iterable<[string, string]>);
    const decode = policyDecoder();
    const out: Policy[] = [];
    // iterate, not all: each raw row dies young instead of surviving (and being copied by) every scavenge
    for (const r of this.#policyRows.iterate() as Iterable<unknown[]>) out.push(decode(r, roles.get(policyRowKey(r))));
    return out;
  }
}
