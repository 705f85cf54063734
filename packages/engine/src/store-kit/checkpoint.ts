// Checkpoints: the whole source at one revision, kept by a store as one row of JSON text beside its entity tables,
// so that a cold load is one parse and the change log after it instead of a read of every row of every table. The
// entity tables and the change log stay the truth. A checkpoint is used only when it is of this build's format and
// the log still holds its revision (so every change after it can be replayed); anything else (another format, a
// revision the log no longer holds or never held, text that does not parse, rows that do not form a valid source) is
// ignored and the store reads its tables, as it did before checkpoints. The stores drop the checkpoint whenever an
// entity table is written by anything but their own commits (a trigger), so a hand edit is never hidden behind one.
import { ValidationError } from '../errors.js';
import type { Source } from '../model/source.js';
import { deepFreeze } from '../prepare-commit.js';
import { parseStoredSource } from './parse-stored.js';
import { freezeJson } from './row-codecs.js';

/**
 * The checkpoint text this build writes and reads. A build that changes what it writes bumps it, so an older or
 * newer checkpoint is ignored rather than misread.
 */
export const CHECKPOINT_FORMAT = 1;

/**
 * Changes committed since the last checkpoint after which a store writes a new one (a store option overrides it).
 * Replaying 10k changes through the commit path costs a few tens of milliseconds; a checkpoint at L costs ~70 MB of
 * text and half a second to write, so one every 10k changes keeps both small.
 */
export const DEFAULT_CHECKPOINT_EVERY = 10_000;

/**
 * The checkpoint text of a source: the source with each policy's resource selector replaced by its number in a
 * table of distinct selectors (equal selectors are one entry, as they are one frozen value in a loaded source), so
 * the text is shorter, and a load parses, checks and freezes each selector once.
 */
export function encodeCheckpoint(source: Source): string {
  const selectors: unknown[] = [];
  const numbers = new Map<string, number>();
  const policies = source.policies.map((p) => {
    const text = JSON.stringify(p.resource);
    let n = numbers.get(text);
    if (n === undefined) {
      numbers.set(text, (n = selectors.length));
      selectors.push(p.resource);
    }
    return { ...p, resource: n };
  });
  return JSON.stringify({ format: CHECKPOINT_FORMAT, selectors, source: { ...source, policies } });
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
  if (!isPlain(body) || body['format'] !== CHECKPOINT_FORMAT || !Array.isArray(body['selectors'])) return undefined;
  const raw = body['source'];
  if (!isPlain(raw) || !Array.isArray(raw['policies'])) return undefined;
  // frozen before the check, so that parseStoredSource checks a selector shared by many policies once
  const selectors = (body['selectors'] as unknown[]).map((s) => freezeJson(s));
  for (const p of raw['policies'] as unknown[]) {
    if (!isPlain(p)) return undefined;
    const n = p['resource'];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n >= selectors.length) return undefined;
    p['resource'] = selectors[n];
  }
  if (!verify || (checksum !== null && checksum === checkpointChecksum(text))) return deepFreeze(raw as unknown as Source);
  try {
    return deepFreeze(parseStoredSource(raw));
  } catch (e) {
    if (e instanceof ValidationError) return undefined;
    throw e;
  }
}
