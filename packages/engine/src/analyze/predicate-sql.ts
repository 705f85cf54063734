import { compileGlob } from '../compile/glob.js';
import type { Predicate } from '../compile/predicate.js';

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
 * whatever the column's own collation). A glob is written over the value's bytes (`CAST(col AS BLOB)` with
 * `substr`, `instr` and `length`), never with SQLite's `GLOB`: `GLOB` stops at a NUL, reads `?` as one code point
 * where `authorize` reads one UTF-16 code unit, and folds surrogates and U+FFFE/U+FFFF into U+FFFD. A glob that
 * bytes cannot express exactly (see `globIsSqlExact`) must not reach `toSql`: `resourceFilter` answers residual for
 * it. Values and patterns are always bound as parameters; only byte lengths derived from them are written inline.
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

/** At most this many literal runs between the first and the last star: each one more doubles the SQL's length. */
export const MAX_SQL_GLOB_MIDDLE = 4;

/**
 * True when `toSql` writes the glob exactly over bytes: no `?` (one UTF-16 code unit has no fixed width in UTF-8),
 * no lone surrogate in its literal text (its bytes would not line up with a surrogate pair's), and at most
 * `MAX_SQL_GLOB_MIDDLE` literal runs between the first and the last star.
 */
export function globIsSqlExact(pattern: string): boolean {
  const g = compileGlob(pattern);
  if (g.segments.some((seg) => seg.any !== null || hasLoneSurrogate(seg.text))) return false;
  return g.segments.slice(1, -1).filter((seg) => seg.text !== '').length <= MAX_SQL_GLOB_MIDDLE;
}

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      else return true;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

const UTF8 = new TextEncoder();

/** The glob as a condition over the bytes of column `c`; the glob passes `globIsSqlExact`. */
function globSql(c: string, pattern: string, params: string[]): string {
  const segs = compileGlob(pattern).segments.map((seg) => seg.text);
  // INVARIANT: `globIsSqlExact` held, so every segment is literal text of well-formed UTF-16 and its UTF-8 byte
  // sequence is matched exactly where the code units match (UTF-8 is self-synchronising)
  if (segs.length === 1) {
    params.push(segs[0]!);
    return `(${c} IS NOT NULL AND ${c} = ? COLLATE BINARY)`;
  }
  const b = `CAST(${c} AS BLOB)`;
  // each piece writes its text and pushes its parameters when written, so a piece written twice binds twice, in order
  type Piece = () => string;
  const lit =
    (text: string): Piece =>
    () => {
      params.push(text);
      return 'CAST(? AS BLOB)';
    };
  const first = segs[0]!;
  const last = segs[segs.length - 1]!;
  const n0 = UTF8.encode(first).length;
  const nk = UTF8.encode(last).length;
  const parts: Piece[] = [() => `${c} IS NOT NULL`, () => `length(${b}) >= ${n0 + nk}`];
  if (n0 > 0) parts.push(() => `substr(${b}, 1, ${n0}) = ${lit(first)()}`);
  if (nk > 0) parts.push(() => `substr(${b}, length(${b}) - ${nk - 1}) = ${lit(last)()}`);
  // the middle runs in order, each at its leftmost place in what the previous one left (as matchGlob takes them)
  // SQLite's substr of a BLOB answers NULL, not an empty BLOB, when nothing is left: a NULL would make the whole
  // condition NULL (and its negation in a deny NULL too), so what is left is coalesced to the empty BLOB
  const left = (args: string): string => `coalesce(substr(${args}), X'')`;
  let rest: Piece = () => left(`${b}, ${n0 + 1}, length(${b}) - ${n0 + nk}`);
  for (const m of segs.slice(1, -1)) {
    if (m === '') continue;
    const r = rest;
    const l = lit(m);
    const len = UTF8.encode(m).length;
    parts.push(() => `instr(${r()}, ${l()}) > 0`);
    rest = () => left(`${r()}, instr(${r()}, ${l()}) + ${len}`);
  }
  return `(${parts.map((piece) => piece()).join(' AND ')})`;
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
    case 'match':
      return globSql(quoteIdentifier(p.attr), p.pattern, params);
    case 'exists':
      return `(${quoteIdentifier(p.attr)} IS NOT NULL)`;
  }
}
