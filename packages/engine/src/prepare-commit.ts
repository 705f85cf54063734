import type { z } from 'zod';
import { ValidationError, type Issue } from './errors.js';
import { checkReferences, findForbiddenKeys, zodIssues } from './model/parse-source.js';
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
import { applyChanges, ENTITY_FIELDS, ENTITY_NAMES, entityKey, type Change, type EntityName } from './store.js';

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
 * Validates a batch of changes against the current source, the one check every store runs before writing.
 * `current` must be a parsed source (what `parseSource` or an earlier `prepareCommit` returned): its rows are
 * trusted, the put rows are parsed, and the cross-row checks run over the resulting source.
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

  const issues: Issue[] = [];
  const parsed: Change[] = (changes as Change[]).map((c, i) => {
    if (c.op === 'delete') return { op: 'delete', entity: c.entity, key: c.key };
    findForbiddenKeys(c.value, [i, 'value'], issues, 0);
    const r = ENTITY_SCHEMAS[c.entity].safeParse(c.value);
    if (!r.success) {
      for (const issue of zodIssues(r.error)) issues.push({ path: [i, 'value', ...issue.path], message: issue.message });
      return c;
    }
    return { op: 'put', entity: c.entity, value: r.data } as Change;
  });
  if (issues.length > 0) throw new ValidationError('invalid_source', issues);

  // INVARIANT: every row of `current` was parsed when it was written, so parsing the put rows and running the
  // cross-row checks over the result is `parseSource(next)` without re-parsing what did not change
  const next = applyChanges(current, parsed);
  checkReferences(next, issues);
  if (issues.length > 0) throw new ValidationError('invalid_source', relocate(issues, next, parsed));
  return { source: next, changes: parsed };
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
    issues.push({ path: [i, 'op'], message: `unknown op \`${String(op)}\`: put or delete` });
  }
}

/** Maps `[field, index, ...]` in the resulting source to the change that put the row, or to the row's key. */
function relocate(issues: Issue[], next: Source, changes: Change[]): Issue[] {
  const putAt = new Map<unknown, number>();
  changes.forEach((c, i) => {
    if (c.op === 'put') putAt.set(c.value, i);
  });
  const entityOf = new Map<string, EntityName>(ENTITY_NAMES.map((e) => [ENTITY_FIELDS[e], e]));
  return issues.map((issue) => {
    const [field, index, ...rest] = issue.path;
    const entity = typeof field === 'string' ? entityOf.get(field) : undefined;
    if (entity === undefined || typeof index !== 'number') return issue;
    const row = (next[ENTITY_FIELDS[entity]] as unknown[])[index];
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
  for (const v of Object.values(value as object)) deepFreeze(v);
  return value;
}
