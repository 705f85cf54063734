// Checkpoints: the whole source at one revision, kept by a store as one row of JSON text beside its entity tables,
// so that a cold load is one parse and the change log after it instead of a read of every row of every table. The
// entity tables and the change log stay the truth. A checkpoint is used only when it is of this build's format and
// the log still holds its revision (so every change after it can be replayed); anything else (another format, a
// revision the log no longer holds or never held, text that does not parse, rows that do not form a valid source) is
// ignored and the store reads its tables, as it did before checkpoints. The stores drop the checkpoint whenever an
// entity table is written by anything but their own commits (a trigger), so a hand edit is never hidden behind one.
import { ValidationError } from '../errors.js';
import type { Policy, Source } from '../model/source.js';
import { deepFreeze } from '../prepare-commit.js';
import { parseStoredSource } from './parse-stored.js';
import { freezeJson } from './row-codecs.js';

/**
 * The checkpoint text this build writes and reads. A build that changes what it writes bumps it, so an older or
 * newer checkpoint is ignored rather than misread. 2: subjects, role lists and selector conditions are shared too.
 */
export const CHECKPOINT_FORMAT = 2;

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
  return breakLines(
    JSON.stringify({
      format: CHECKPOINT_FORMAT,
      conditions: conditions.values,
      selectors: selectors.values,
      subjects: subjects.values,
      roles: roles.values,
      source: { ...source, policies },
    }),
  );
}

/**
 * About how many characters of checkpoint text come between two line breaks. A store may read the text line by line
 * (the PostgreSQL store gets each line as a row of its own), so that its client never receives the whole text as one
 * message: node-postgres grows its buffer for a 30 MB message by doubling, ~64 MB of ArrayBuffers that a major GC
 * must reclaim, and that GC then lands in the engine's build.
 */
const CHECKPOINT_LINE = 1 << 20;

/** JSON text with a line break (JSON whitespace: it parses the same) between two objects every CHECKPOINT_LINE characters or so. */
function breakLines(text: string): string {
  const lines: string[] = [];
  let from = 0;
  for (;;) {
    // inside a JSON string every `"` is escaped, so `},{"` is always a comma between two objects
    const at = text.indexOf('},{"', from + CHECKPOINT_LINE);
    if (at < 0) break;
    lines.push(text.slice(from, at + 2));
    from = at + 2;
  }
  lines.push(text.slice(from));
  return lines.join('\n');
}

/**
 * The checksum a store writes beside a checkpoint's text (32-bit FNV-1a over its UTF-16 code units), so that a load
 * knows the text is exactly what a store wrote from a source it had validated and need not check every row again. It
 * guards against corruption and stray edits, not against someone who recomputes it on purpose. ~90 ms at L.
 */
export function checkpointChecksum(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** What a decoded reference that names no entry yields: the checkpoint cannot be used. */
const NO_ENTRY = Symbol('no entry');

/** The entry `n` names in a table, or NO_ENTRY. */
function entry(table: readonly unknown[], n: unknown): unknown {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < table.length ? table[n] : NO_ENTRY;
}

/** A checkpoint's table of shared values, each frozen; undefined when it is not a list. */
function sharedTable(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v.map((x) => freezeJson(x)) : undefined;
}

/**
 * The source a checkpoint's text holds, frozen; undefined when the text cannot be used (it does not parse, is of
 * another format, or does not form a valid source), in which case the caller reads its tables instead. With `verify`
 * set the rows are checked as a load from the tables checks them, unless `checksum` (what the writer stored beside
 * the text, null when it had not validated its source) matches the text: then it is the text of a validated source.
 */
export function decodeCheckpoint(text: string, verify: boolean, checksum: number | null): Source | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlain(body) || body['format'] !== CHECKPOINT_FORMAT) return undefined;
  const raw = body['source'];
  if (!isPlain(raw) || !Array.isArray(raw['policies']) || !Array.isArray(body['selectors'])) return undefined;
  // frozen before the check, so that parseStoredSource checks a value shared by many policies once
  const conditions = sharedTable(body['conditions']);
  const subjects = sharedTable(body['subjects']);
  const roles = sharedTable(body['roles']);
  if (conditions === undefined || subjects === undefined || roles === undefined) return undefined;
  const selectors: unknown[] = [];
  for (const s of body['selectors'] as unknown[]) {
    if (isPlain(s) && Array.isArray(s['attributes'])) {
      const attributes = (s['attributes'] as unknown[]).map((n) => entry(conditions, n));
      if (attributes.includes(NO_ENTRY)) return undefined;
      s['attributes'] = attributes;
    }
    selectors.push(deepFreeze(s));
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
  if (!verify || (checksum !== null && checksum === checkpointChecksum(text))) return deepFreeze(raw as unknown as Source);
  try {
    return deepFreeze(parseStoredSource(raw));
  } catch (e) {
    if (e instanceof ValidationError) return undefined;
    throw e;
  }
}
