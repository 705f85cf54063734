import type { z } from 'zod';
import { ValidationError, type Issue } from './errors.js';
import { affectedRows, ChangedView, checkAffected, countRows, ReferenceIndex } from './model/check-changes.js';
import { checkReferences, findForbiddenKeys, zodIssues } from './model/parse-source.js';
import { findLoneSurrogates } from './model/primitives.js';
import {
  accountSchema,
  bindingSchema,
  groupSchema,
  membershipSchema,
  nodeSchema,
  policySchema,
  principalSchema,
  registeredResourceSchema,
  resourceGroupSchema,
  roleSchema,
  serviceSchema,
  type Source,
} from './model/source.js';
import { ssoConnectorSchema } from './model/sso-connector.js';
import { applyChanges, ENTITY_FIELDS, ENTITY_NAMES, entityKey, type Change, type EntityName, type EntityTypes } from './model/entities.js';

/** The schema of one row of each entity. */
export const ENTITY_SCHEMAS: { [E in EntityName]: z.ZodType } = {
  account: accountSchema,
  principal: principalSchema,
  group: groupSchema,
  service: serviceSchema,
  role: roleSchema,
  policy: policySchema,
  resourceGroup: resourceGroupSchema,
  node: nodeSchema,
  binding: bindingSchema,
  resource: registeredResourceSchema,
  membership: membershipSchema,
  ssoConnector: ssoConnectorSchema,
};

/** What a store writes for a commit: the resulting source and the changes with every put value parsed (defaults filled in). */
export interface PreparedCommit {
  source: Source;
  changes: Change[];
}

/**
 * The reference index of each source a commit produced, so the next commit on it checks only what it touches.
 * A store keeps its source frozen, so an index stays true to its source; a source seen for the first time is
 * indexed once (O(rows)), after which each commit moves the index on in O(changed rows).
 */
const INDEXES = new WeakMap<Source, ReferenceIndex>();

/**
 * Parses every put row with its entity's schema (defaults filled in, prototype keys and lone surrogates refused); throws a ValidationError
 * with `code` listing every bad row, paths pointing into the batch. Deletes pass through.
 */
export function parseRows(changes: readonly Change[], code: 'invalid_source' | 'invalid_input'): Change[] {
  const issues: Issue[] = [];
  const parsed = changes.map((c, i): Change => {
    if (c.op === 'delete') return { op: 'delete', entity: c.entity, key: c.key };
    findForbiddenKeys(c.value, [i, 'value'], issues, 0);
    findLoneSurrogates(c.value, [i, 'value'], issues);
    const r = ENTITY_SCHEMAS[c.entity].safeParse(c.value);
    if (!r.success) {
      for (const issue of zodIssues(r.error)) issues.push({ path: [i, 'value', ...issue.path], message: issue.message });
      return c;
    }
    return { op: 'put', entity: c.entity, value: r.data } as Change;
  });
  if (issues.length > 0) throw new ValidationError(code, issues);
  return parsed;
}

/**
 * Validates a batch of changes against the current source, the one check every store runs before writing.
 * `current` must be a parsed source (what `parseSource` or an earlier `prepareCommit` returned) and must not be
 * modified afterwards: its rows are trusted, the put rows are parsed, and the cross-row checks run over the rows
 * the batch can affect (the rows it puts, the rows that name a row it puts or deletes, the nodes below a node it
 * touches), which refuses exactly what running them over the whole resulting source would.
 * Throws a ValidationError (`invalid_input` for a malformed change, `invalid_source` for a bad row or a broken
 * reference) and returns nothing to write. Rows the batch does not touch are shared with `current`, so a store
 * that keeps its source frozen only has to freeze what changed.
 * Issue paths point into the batch (`[3, 'value', 'roles', 0]`) when a put row is at fault, otherwise at the
 * stored row by key (`['policies', 'p-1', 'subject', 'id']`), e.g. when a delete left a dangling reference.
 */
export function prepareCommit(current: Source, changes: unknown): PreparedCommit {
  if (!Array.isArray(changes)) throw new ValidationError('invalid_input', [{ path: [], message: 'changes must be an array' }]);
  const shape: Issue[] = [];
  changes.forEach((c, i) => checkShape(c, i, shape));
  if (shape.length > 0) throw new ValidationError('invalid_input', shape);

  const parsed = parseRows(changes as Change[], 'invalid_source');
  const issues: Issue[] = [];

  // INVARIANT: every row of `current` was parsed and passed the cross-row checks when it was written, so a row
  // whose lookups all return what they returned before still passes them: only the affected rows need checking
  let index = INDEXES.get(current) ?? ReferenceIndex.from(current);
  const view = new ChangedView(index, parsed);
  const affected = affectedRows(index, view);
  let next: Source | undefined;
  if (countRows(affected) * 4 > rowCount(current) + parsed.length) {
    // most rows are affected (a big import, a deleted account): one pass over the whole result is cheaper
    next = applyChanges(current, parsed);
    checkReferences(next, issues);
    if (issues.length > 0) throw new ValidationError('invalid_source', relocate(issues, next, parsed));
  } else {
    next = applyFew(current, parsed, index);
    if (next === undefined) {
      // the index does not match `current` (it was changed after all): check the whole result, start a new index
      next = applyChanges(current, parsed);
      index = ReferenceIndex.from(current);
      checkReferences(next, issues);
      if (issues.length > 0) throw new ValidationError('invalid_source', relocate(issues, next, parsed));
    } else {
      const checked = checkAffected(index, view, affected, next);
      if (checked.issues.length > 0) throw new ValidationError('invalid_source', relocate(checked.issues, checked.source, parsed));
    }
  }
  index.apply(parsed);
  INDEXES.delete(current);
  INDEXES.set(next, index);
  return { source: next, changes: parsed };
}

function rowCount(s: Source): number {
  let n = 0;
  for (const e of ENTITY_NAMES) n += (s[ENTITY_FIELDS[e]] as unknown[]).length;
  return n;
}

/**
 * `applyChanges` for a few changes: copies the touched arrays and finds each replaced or deleted row by identity
 * (the index gives the row under a key), instead of keying every row. Same result, same order. Undefined when
 * the index and `current` disagree.
 */
function applyFew(current: Source, changes: readonly Change[], index: ReferenceIndex): Source | undefined {
  const next: Source = { ...current };
  const byEntity = new Map<EntityName, Change[]>();
  for (const c of changes) {
    let list = byEntity.get(c.entity);
    if (!list) byEntity.set(c.entity, (list = []));
    list.push(c);
  }
  type AnyRow = EntityTypes[EntityName];
  for (const [entity, list] of byEntity) {
    const field = ENTITY_FIELDS[entity];
    if (list.length > 32) {
      (next as unknown as Record<string, unknown>)[field] = applyChanges(current, list)[field];
      continue;
    }
    // Array.from, not slice: slice copies a frozen array element by element, ten times slower
    const rows = Array.from(current[field] as AnyRow[]);
    const now = new Map<string, AnyRow | null>();
    for (const c of list) {
      const key = c.op === 'put' ? entityKey(c.entity, c.value as never) : c.key;
      const old = now.has(key) ? now.get(key)! : (index.get(entity, key) ?? null);
      const at = old === null ? -1 : rows.indexOf(old);
      if (old !== null && at === -1) return undefined;
      if (c.op === 'put') {
        if (at >= 0) rows[at] = c.value;
        else rows.push(c.value);
        now.set(key, c.value);
      } else {
        if (at >= 0) rows.splice(at, 1);
        now.set(key, null);
      }
    }
    (next as unknown as Record<string, unknown>)[field] = rows;
  }
  return next;
}

function checkShape(c: unknown, i: number, issues: Issue[]): void {
  if (c === null || typeof c !== 'object' || Array.isArray(c)) return void issues.push({ path: [i], message: 'a change is an object' });
  const { op, entity } = c as Record<string, unknown>;
  if (typeof entity !== 'string' || !(ENTITY_NAMES as readonly string[]).includes(entity))
    issues.push({ path: [i, 'entity'], message: `unknown entity \`${String(entity)}\`` });
  if (op === 'put') {
    const v = (c as { value?: unknown }).value;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) issues.push({ path: [i, 'value'], message: 'a put needs an object value' });
  } else if (op === 'delete') {
    const k = (c as { key?: unknown }).key;
    if (typeof k !== 'string' || k.length === 0) issues.push({ path: [i, 'key'], message: 'a delete needs a non-empty string key' });
  } else {
    return void issues.push({ path: [i, 'op'], message: `unknown op \`${String(op)}\`: put or delete` });
  }
  // a change means exactly what it says: a key it does not know (`vaule`, `keys`) is a mistake, not a comment
  const known = op === 'put' ? PUT_KEYS : DELETE_KEYS;
  for (const k of Object.keys(c)) if (!known.has(k)) issues.push({ path: [i, k], message: `unknown key \`${k}\` in a ${op} change` });
}

const PUT_KEYS: ReadonlySet<string> = new Set(['op', 'entity', 'value']);
const DELETE_KEYS: ReadonlySet<string> = new Set(['op', 'entity', 'key']);

/** Maps `[field, index, ...]` in the checked source to the change that put the row, or to the row's key. */
function relocate(issues: Issue[], checked: Source, changes: Change[]): Issue[] {
  const putAt = new Map<unknown, number>();
  changes.forEach((c, i) => {
    if (c.op === 'put') putAt.set(c.value, i);
  });
  const entityOf = new Map<string, EntityName>(ENTITY_NAMES.map((e) => [ENTITY_FIELDS[e], e]));
  return issues.map((issue) => {
    const [field, index, ...rest] = issue.path;
    const entity = typeof field === 'string' ? entityOf.get(field) : undefined;
    if (entity === undefined || typeof index !== 'number') return issue;
    const row = (checked[ENTITY_FIELDS[entity]] as unknown[])[index];
    if (row === undefined) return issue;
    const at = putAt.get(row);
    if (at !== undefined) return { path: [at, 'value', ...rest], message: issue.message };
    return { path: [field as string, entityKey(entity, row as never), ...rest], message: issue.message };
  });
}

/** Freezes a value and everything reachable from it, stopping at what is already frozen (shared, unchanged rows). */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    // a plain loop: a source holds arrays of 100k rows, most of them frozen already
    for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  } else {
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
