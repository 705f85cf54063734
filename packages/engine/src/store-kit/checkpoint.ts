// Checkpoints: the whole source at one revision, kept by a store as JSON text beside its entity tables (SQLite in
// one row, PostgreSQL a row per line), so that a cold load is a parse and the change log after it instead of a read
// of every row of every table. The entity tables and the change log stay the truth. A checkpoint is used only when it
// is of this build's format and the log still holds its revision (so every change after it can be replayed); anything
// else (another format, a revision the log no longer holds or never held, text that does not parse, rows that do not
// form a valid source) is ignored and the store reads its tables, as it did before checkpoints. The stores drop the
// checkpoint whenever an entity table is written by anything but their own commits (a trigger), so a hand edit is
// never hidden behind one.
import zlib from 'node:zlib';
import { ValidationError } from '../errors.js';
import { ENTITY_FIELDS } from '../model/entities.js';
import type { Policy, Source } from '../model/source.js';
import { parseStoredSource } from './parse-stored.js';
import { freezeJson } from './row-codecs.js';

/**
 * The checkpoint text this build writes and reads. A build that changes what it writes bumps it, so an older or
 * newer checkpoint is ignored rather than misread. 2: subjects, role lists and selector conditions are shared too.
 * 3: the text is lines of JSON that each parse on their own, so that a store can parse a line as it arrives.
 */
export const CHECKPOINT_FORMAT = 3;

/**
 * Changes committed since the last checkpoint after which a store writes a new one (a store option overrides it).
 * Replaying 10k changes through the commit path costs a few tens of milliseconds; a checkpoint at L costs ~70 MB of
 * text and half a second to write, so one every 10k changes keeps both small.
 */
export const DEFAULT_CHECKPOINT_EVERY = 10_000;

/** Values numbered by their JSON text, equal ones under one number: what a checkpoint writes once and refers to. */
class Shared {
  readonly values: unknown[] = [];
  readonly #numbers = new Map<string, number>();
  /**
   * The first value of each number, by the value itself, looked up before its text is built: in a source loaded from
   * a checkpoint equal values are one object, so writing the next checkpoint builds each text once instead of once per
   * policy. Only first values go in: a source of distinct objects (rows committed one by one) would pay for a map
   * entry per policy and find none.
   */
  readonly #seen = new Map<unknown, number>();

  /** The number of `v`; the first value of its text is written, as `stored` makes it. */
  number<T>(v: T, stored: (v: T) => unknown = (x) => x): number {
    let n = this.#seen.get(v);
    if (n !== undefined) return n;
    const text = JSON.stringify(v);
    n = this.#numbers.get(text);
    if (n === undefined) {
      this.#numbers.set(text, (n = this.values.length));
      this.values.push(stored(v));
      this.#seen.set(v, n);
    }
    return n;
  }
}

/**
 * The checkpoint text of a source: the source with each policy's resource selector, subject and role list replaced
 * by its number in a table of distinct ones, and each selector's attribute conditions by theirs (equal values are one
 * entry, as they become one frozen value in a loaded source). At L that is 41.8k selectors, 10.7k subjects, 109 role
 * lists and 3.7k conditions for 95k policies: 29.6 MB of text instead of 56.8 MB with only selectors shared, and a
 * load parses, checks and freezes each shared value once.
 *
 * The text is lines of JSON, each of which parses on its own: first `{"format":3,"source":{…}}` with the source's
 * fields that are not row arrays (its version), then for each shared table (`$conditions`, `$selectors`,
 * `$subjects`, `$roles`) and each row array of the source, in that order, `[name,[row,…]]`, a table of more than
 * about CHECKPOINT_LINE characters going on over several lines of the same name.
 */
export function encodeCheckpoint(source: Source): string {
  const conditions = new Shared();
  const selectors = new Shared();
  const subjects = new Shared();
  const roles = new Shared();
  const selector = (r: Policy['resource']) => (Array.isArray(r.attributes) ? { ...r, attributes: r.attributes.map((c) => conditions.number(c)) } : r);
  const policies = source.policies.map((p) => ({
    ...p,
    resource: selectors.number(p.resource, selector),
    subject: subjects.number(p.subject),
    roles: roles.number(p.roles),
  }));
  const head: Record<string, unknown> = {};
  const rows: [string, readonly unknown[]][] = [
    [SHARED.conditions, conditions.values],
    [SHARED.selectors, selectors.values],
    [SHARED.subjects, subjects.values],
    [SHARED.roles, roles.values],
  ];
  for (const [field, value] of Object.entries({ ...source, policies })) {
    if (Array.isArray(value)) rows.push([field, value]);
    else head[field] = value;
  }
  const lines = [JSON.stringify({ format: CHECKPOINT_FORMAT, source: head })];
  for (const [name, table] of rows) tableLines(name, table, lines);
  return lines.join('\n');
}

/** The names of the shared tables in a checkpoint's text: `$` sets them apart from the source's fields. */
const SHARED = { conditions: '$conditions', selectors: '$selectors', subjects: '$subjects', roles: '$roles' } as const;

/** The row arrays a source has, by field: a checkpoint line of any other name makes the checkpoint unusable. */
const SOURCE_FIELDS: ReadonlySet<string> = new Set(Object.values(ENTITY_FIELDS));

/**
 * About how many characters of checkpoint text come between two line breaks. A store may read the text line by line
 * (the PostgreSQL store keeps each line as a row of its own and parses it as it arrives), so that its client never
 * receives the whole text as one message: node-postgres grows its buffer for a 30 MB message by doubling, ~64 MB of
 * ArrayBuffers that a major GC must reclaim, and that GC then lands in the engine's build.
 */
const CHECKPOINT_LINE = 1 << 20;

/** Appends to `lines` the lines `[name,[row,…]]` of one table, a new one after about every CHECKPOINT_LINE characters. */
function tableLines(name: string, table: readonly unknown[], lines: string[]): void {
  let part: string[] = [];
  let size = 0;
  const flush = () => lines.push(`[${JSON.stringify(name)},[${part.join(',')}]]`);
  for (const row of table) {
    const text = JSON.stringify(row);
    part.push(text);
    size += text.length + 1;
    if (size >= CHECKPOINT_LINE) {
      flush();
      part = [];
      size = 0;
    }
  }
  // an empty table still has its line, so that the loaded source has the field
  if (part.length > 0 || table.length === 0) flush();
}

/**
 * The checksum a store writes beside a checkpoint's text (CRC-32 of its UTF-8 bytes, zlib's, which runs natively),
 * so that a load knows the text is exactly what a store wrote from a source it had validated and need not check
 * every row again. It guards against corruption and stray edits, not against someone who recomputes it on purpose.
 * ~10 ms at L, summed line by line as CheckpointReader does; FNV-1a in JavaScript (format 2) took 35-60 ms.
 */
export function checkpointChecksum(text: string): number {
  return zlib.crc32(text);
}

const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** What a decoded reference that names no entry yields: the checkpoint cannot be used. */
const NO_ENTRY = Symbol('no entry');

/** The entry `n` names in a table, or NO_ENTRY. */
function entry(table: readonly unknown[], n: unknown): unknown {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < table.length ? table[n] : NO_ENTRY;
}

/**
 * A checkpoint read line by line, as a store receives it: each line is parsed (and summed into the checksum) when
 * it is added, so a store that gets the lines one at a time parses one while the next is on its way, and holds no
 * line's text after it. `source` then puts the lines together.
 */
export class CheckpointReader {
  /** The checksum of the lines so far, with the line breaks between them. */
  #checksum = 0;
  #lines = 0;
  /** The header's source, its row arrays still to come; undefined before the first line. */
  #source: Record<string, unknown> | undefined;
  /** Each table's rows, in the lines they came in. */
  readonly #tables = new Map<string, unknown[][]>();
  #unusable = false;

  /** Takes the next line of the text. Never throws: a line that is not one a checkpoint holds makes it unusable. */
  add(line: string): void {
    if (this.#unusable) return;
    this.#checksum = zlib.crc32(line, this.#lines++ === 0 ? this.#checksum : zlib.crc32('\n', this.#checksum));
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.#unusable = true;
      return;
    }
    if (this.#source === undefined) {
      if (isPlain(value) && value['format'] === CHECKPOINT_FORMAT && isPlain(value['source']) && Object.keys(value).length === 2) this.#source = value['source'];
      else this.#unusable = true;
    } else if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && Array.isArray(value[1])) {
      const lines = this.#tables.get(value[0]);
      if (lines === undefined) this.#tables.set(value[0], [value[1]]);
      else lines.push(value[1]);
    } else this.#unusable = true;
  }

  /**
   * The source the lines hold, frozen; undefined when they cannot be used (a line does not parse, the text is of
   * another format, or does not form a valid source), in which case the caller reads its tables instead. With
   * `verify` set the rows are checked as a load from the tables checks them, unless `checksum` (what the writer
   * stored beside the text, null when it had not validated its source) matches the text: then it is the text of a
   * validated source.
   */
  source(verify: boolean, checksum: number | null): Source | undefined {
    const raw = this.#source;
    if (this.#unusable || raw === undefined) return undefined;
    // concat copies a line's rows at once, where flat() walks them one by one
    const tables = new Map([...this.#tables].map(([name, lines]) => [name, lines.length === 1 ? lines[0]! : ([] as unknown[]).concat(...lines)]));
    /** A shared table, each entry frozen before the check, so that parseStoredSource checks a value shared by many policies once. */
    const shared = (name: string): unknown[] | undefined => {
      const table = tables.get(name);
      tables.delete(name);
      return table?.map((x) => freezeJson(x));
    };
    const conditions = shared(SHARED.conditions);
    const subjects = shared(SHARED.subjects);
    const roles = shared(SHARED.roles);
    const stored = tables.get(SHARED.selectors);
    tables.delete(SHARED.selectors);
    if (conditions === undefined || subjects === undefined || roles === undefined || stored === undefined) return undefined;
    for (const [field, rows] of tables) {
      if (!SOURCE_FIELDS.has(field) || Object.hasOwn(raw, field)) return undefined;
      raw[field] = rows;
    }
    // every table is written, an empty one too: one without a line is a text cut short
    for (const field of SOURCE_FIELDS) if (!Array.isArray(raw[field])) return undefined;
    const selectors: unknown[] = [];
    for (const s of stored) {
      if (isPlain(s) && Array.isArray(s['attributes'])) {
        const attributes = (s['attributes'] as unknown[]).map((n) => entry(conditions, n));
        if (attributes.includes(NO_ENTRY)) return undefined;
        s['attributes'] = attributes;
      }
      selectors.push(freezeJson(s));
    }
    for (const p of raw['policies'] as unknown[]) {
      if (!isPlain(p)) return undefined;
      const resource = entry(selectors, p['resource']);
      const subject = entry(subjects, p['subject']);
      const list = entry(roles, p['roles']);
      if (resource === NO_ENTRY || subject === NO_ENTRY || list === NO_ENTRY) return undefined;
      p['resource'] = resource;
      p['subject'] = subject;
      p['roles'] = list;
    }
    if (!verify || (checksum !== null && checksum === this.#checksum)) return freezeJson(raw as unknown as Source);
    try {
      return freezeJson(parseStoredSource(raw));
    } catch (e) {
      if (e instanceof ValidationError) return undefined;
      throw e;
    }
  }
}

/** The source a checkpoint's whole text holds, as CheckpointReader.source gives it. */
export function decodeCheckpoint(text: string, verify: boolean, checksum: number | null): Source | undefined {
  const reader = new CheckpointReader();
  for (const line of text.split('\n')) reader.add(line);
  return reader.source(verify, checksum);
}
