import type { Predicate } from './predicate.js';

/** A parameterized SQL condition: `sql` holds only `?` placeholders for values, never a value itself. */
export interface SqlFilter {
  sql: string;
  params: string[];
}

/**
 * Writes a predicate as an SQLite WHERE condition over a table whose columns are the attribute names.
 *
 * Column mapping: one TEXT column per attribute, named exactly like the attribute (quoted as an identifier); the value
 * stored as `String(value)` (`5` -> `'5'`, `true` -> `'true'`); an absent attribute is NULL. Every leaf is written
 * two-valued (`col IS NOT NULL AND …`), so `NOT` is exact on NULLs. Equality is `COLLATE BINARY` (case-sensitive,
 * whatever the column's own collation); globs become SQLite `GLOB` (case-sensitive) with `*` `?` `[` written as
 * bracket classes when literal. Values and patterns are always bound as parameters.
 */
export function toSql(p: Predicate): SqlFilter {
  const params: string[] = [];
  const sql = write(p, params);
  return { sql, params };
}

/** Quotes an identifier for SQLite: double quotes, inner quotes doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Translates an IBM `stringMatch` glob to an SQLite GLOB pattern that matches the same strings. */
export function globToSqlite(pattern: string): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    if (pattern.startsWith('{{*}}', i)) {
      out += '[*]';
      i += 5;
    } else if (pattern.startsWith('{{?}}', i)) {
      out += '[?]';
      i += 5;
    } else {
      const ch = pattern[i]!;
      out += ch === '[' ? '[[]' : ch;
      i += 1;
    }
  }
  return out;
}

function write(p: Predicate, params: string[]): string {
  switch (p.op) {
    case 'true':
      return '1';
    case 'false':
      return '0';
    case 'and':
    case 'or':
      return `(${p.args.map((a) => write(a, params)).join(p.op === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `(NOT ${write(p.arg, params)})`;
    case 'eq': {
      const c = quoteIdentifier(p.attr);
      params.push(p.value);
      return `(${c} IS NOT NULL AND ${c} = ? COLLATE BINARY)`;
    }
    case 'in': {
      const c = quoteIdentifier(p.attr);
      params.push(...p.values);
      return `(${c} IS NOT NULL AND ${c} COLLATE BINARY IN (${p.values.map(() => '?').join(', ')}))`;
    }
    case 'match': {
      const c = quoteIdentifier(p.attr);
      params.push(globToSqlite(p.pattern));
      return `(${c} IS NOT NULL AND ${c} GLOB ?)`;
    }
    case 'exists':
      return `(${quoteIdentifier(p.attr)} IS NOT NULL)`;
  }
}
