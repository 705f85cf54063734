import { StoreError, ValidationError } from '../errors.js';

/** Refuses a revision argument that is not a non-negative safe integer (`invalid_input`, path `[name]`). */
export function checkRevision(revision: unknown, name: string): void {
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0)
    throw new ValidationError('invalid_input', [{ path: [name], message: `must be a non-negative integer, got \`${String(revision)}\`` }]);
}

/** Refuses a commit whose `expectedRevision` is not the store's revision (StoreError `revision_conflict`). */
export function expectRevision(expected: number, actual: number): void {
  if (expected !== actual) throw new StoreError('revision_conflict', `revision conflict: expected revision ${expected}, the store is at ${actual}`);
}
