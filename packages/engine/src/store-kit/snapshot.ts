import { StoreError, ValidationError } from '../errors.js';
import { parseStoredSource } from './parse-stored.js';
import type { Source } from '../model/source.js';
import { deepFreeze, prepareCommit, type PreparedCommit } from '../prepare-commit.js';
import { applyChanges, type Change } from '../store.js';

/**
 * Freezes a source that `prepareCommit` returned once its changes are frozen: every row in it is then a row of the
 * frozen current source or a frozen put value, so only the source and its arrays are left, and walking 100k frozen
 * rows to find that out would cost more than the rest of the commit.
 */
export function freezeArrays(source: Source): Source {
  for (const v of Object.values(source)) if (Array.isArray(v)) Object.freeze(v);
  return Object.freeze(source);
}

/**
 * `prepareCommit` over a frozen current source, its result frozen: the changes deeply, the source down to its
 * arrays (its rows are the current source's or the changes'). What every store writes and then caches.
 */
export function prepareFrozenCommit(current: Source, changes: Change[]): PreparedCommit {
  const prepared = prepareCommit(current, changes);
  deepFreeze(prepared.changes);
  freezeArrays(prepared.source);
  return prepared;
}

/**
 * A cached source moved on by another process's committed changes, through `prepareCommit` (which carries its
 * reference index along, so the next commit here stays incremental, and costs what the other commit cost);
 * should the log hold what this build refuses (a newer writer), the log wins.
 */
export function catchUp(source: Source, changes: Change[]): Source {
  try {
    return prepareFrozenCommit(source, changes).source;
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return deepFreeze(applyChanges(source, changes));
  }
}

/**
 * A source a store read from its tables, made into its snapshot: checked like `parseSource` when `verify` is set
 * (rows the store did not write, from a hand-edited database, another version or a corrupt value, are refused
 * with StoreError `corrupt_data` naming `where`, the issues in its cause), then deeply frozen. `raw` must be
 * freshly decoded and owned by the caller: its rows may become the snapshot's.
 */
export function storedSnapshotSource(raw: Source, verify: boolean, where: string): Source {
  if (!verify) return deepFreeze(raw);
  try {
    return deepFreeze(parseStoredSource(raw));
  } catch (e) {
    if (e instanceof ValidationError)
      throw new StoreError('corrupt_data', `store ${where} holds rows that do not form a valid source:\n${e.message}`, { cause: e });
    throw e;
  }
}
