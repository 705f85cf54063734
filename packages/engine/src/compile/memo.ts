import type { IdentityIndex, Tables } from './tables.js';

/**
 * A memo slot: a field of the tables that a decision writes while it runs (a prefilter built on first use, gathered
 * ranges, a scan mark). What it holds is recomputed from the tables alone, so emptying it never changes an answer;
 * `clearMemos` empties every one: test/properties.test.ts proves, on random sources and requests, that decisions made
 * with cold, warm and cleared memos are the same, and memo.test.ts that cleared tables equal a fresh compile's. A field
 * typed `Memo<…>` is the only kind a decision may write.
 */
export type Memo<T> = T;

function clearIndex(index: IdentityIndex): void {
  index.accel = null;
  index.views = null;
}

/** Empties every memo slot of the tables, leaving what a fresh compile holds: for the proof that memos never decide. */
export function clearMemos(tables: Tables): void {
  tables.actions.prefixCache = [];
  for (const a of tables.accounts.values()) {
    clearIndex(a.serviceIndex);
    clearIndex(a.publicGroup.index);
    a.publicGroup.mark = 0;
    for (const g of a.groups.values()) {
      clearIndex(g.index);
      g.mark = 0;
    }
    for (const p of a.principals.values()) {
      clearIndex(p.index);
      p.ownBuckets = null;
      p.ownVersion = -1;
      p.emailDomain = undefined;
      p.emailDomainFor = null;
    }
  }
}
