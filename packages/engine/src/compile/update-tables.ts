import { applyRow, rowContext, sealRows } from './apply-row.js';
import { rebuildDirtyAccounts, recompileScopedPolicies } from './account-scopes.js';
import { compile } from './compile-source.js';
import type { Tables } from './tables.js';
import type { SourceState } from '../model/source-state.js';
import { entityKey, type Change } from '../model/entities.js';

/**
 * Updates tables in place for changes that took `before` to `after`, touching only what the changes name: one policy
 * or one member costs the same whatever the number of policies. Each changed row goes through applyRow, the path
 * compile takes. Role and service changes, which reach every policy, recompile everything. Returns the tables to use
 * (the same object, or a fresh compile).
 */
export function updateTables(tables: Tables, before: Pick<SourceState, 'get'>, after: SourceState, changes: readonly Change[]): Tables {
  if (changes.some((c) => c.entity === 'role' || c.entity === 'service')) return compile(after.toSource());
  // INVARIANT: any change may change what a principal's static groups hold: gathered buckets are dropped
  // Stryker disable next-line UpdateOperator: gathered buckets compare the version for equality, and it never returns to an earlier value either way
  tables.version++;
  // the last change of a row decides; compare that row with the row before the whole batch
  const last = new Map<string, Change>();
  for (const c of changes) {
    const key = `${c.entity}\u0000${c.op === 'put' ? entityKey(c.entity, c.value as never) : c.key}`;
    last.set(key, c);
  }
  const ctx = rowContext(tables, after, false);
  // INVARIANT: bindings first. A group whose federated flag changes re-indexes every binding to it as the state after
  // the batch has them, a binding added in this batch included; applied after that, the binding's own row would index it
  // a second time (the layout property of properties.test.ts found it)
  const ordered = [...last].filter(([, c]) => c.entity === 'binding').concat([...last].filter(([, c]) => c.entity !== 'binding'));
  for (const [tag, c] of ordered) {
    // Stryker disable next-line all: role and service changes returned above, so this only narrows the type for applyRow
    if (c.entity === 'role' || c.entity === 'service') continue;
    const key = tag.slice(tag.indexOf('\u0000') + 1);
    applyRow(ctx, c.entity, before.get(c.entity, key) as never, after.get(c.entity, key) as never);
  }
  rebuildDirtyAccounts(ctx);
  recompileScopedPolicies(ctx);
  sealRows(ctx);
  return tables;
}
