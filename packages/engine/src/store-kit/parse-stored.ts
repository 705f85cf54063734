// `parseSource` for what a store reads back from its tables. A store holds policies by the 100k, and parsing them
// with the zod schemas (which copy every object) and walking them for prototype keys took two thirds of a load.
// Here each row of the hot entities (policies, principals, groups, bindings, memberships) is first checked by a
// plain function that accepts a row only when the zod schema would accept it AND return it unchanged (every
// default already filled in, tags already lowercase, no key set to undefined): such a row is kept as it is. Any
// other row goes through its zod schema as before, and should that refuse it, the whole input goes through
// `parseSource`, so a refusal carries exactly the issues, paths and messages `parseSource` gives. The fast checks
// may refuse more than zod (a service-subject policy, say): that only costs time. They must never accept what zod
// refuses or would change: test/parse-stored.test.ts holds them to it on generated and mutated rows.
import type { z } from 'zod';
import { ValidationError, type Issue } from '../errors.js';
import { ATTRIBUTE_OPERATORS, MAX_ANY_OF } from '../model/attribute.js';
import { claimRuleSchema } from '../model/claim-rule.js';
import { checkReferences, findForbiddenKeys, parseSource } from '../model/parse-source.js';
import { FORBIDDEN_KEYS } from '../model/primitives.js';
import { checkLeaf, RULE_OPERATORS } from '../model/rule-condition.js';
import { SOURCE_VERSION, sourceSchema, type Source } from '../model/source.js';
import { ENTITY_SCHEMAS } from '../prepare-commit.js';
import { ENTITY_FIELDS, ENTITY_NAMES } from '../store.js';

type Obj = Record<string, unknown>;
type Field = Exclude<keyof Source, 'version'>;

/** The row arrays of a source in the order of `sourceSchema`, with each row's schema. */
const ROW_SCHEMAS: readonly [Field, z.ZodType][] = Object.keys(sourceSchema.shape)
  .filter((k): k is Field => k !== 'version')
  .map((field) => [field, ENTITY_SCHEMAS[ENTITY_NAMES.find((e) => ENTITY_FIELDS[e] === field)!]]);
const SOURCE_KEYS: ReadonlySet<string> = new Set(['version', ...ROW_SCHEMAS.map(([f]) => f)]);

/**
 * Validates a source a store has just decoded: the same result as `parseSource(input)` (the same Source, or a
 * ValidationError with the same issues), but rows that are already in their parsed form are kept, not copied.
 * `input` must be JSON data, as JSON.parse or a store's row decoder makes it (plain objects and arrays, an array
 * holding nothing but its elements: zod would drop a stray array property that a kept row keeps), owned by the
 * caller and not modified afterwards.
 */
export function parseStoredSource(input: unknown): Source {
  const source = keepParsedRows(input);
  if (source === undefined) return parseSource(input);
  const issues: Issue[] = [];
  checkReferences(source, issues);
  if (issues.length > 0) throw new ValidationError('invalid_source', issues);
  return source;
}

/** The source with every row parsed, or undefined when some row (or the source itself) is refused. */
function keepParsedRows(input: unknown): Source | undefined {
  if (!isPlain(input) || input['version'] !== SOURCE_VERSION) return undefined;
  for (const k in input) if (!SOURCE_KEYS.has(k)) return undefined;
  const out: Obj = { version: SOURCE_VERSION };
  for (const [field, schema] of ROW_SCHEMAS) {
    const rows = input[field];
    if (rows === undefined) {
      out[field] = [];
      continue;
    }
    if (!Array.isArray(rows)) return undefined;
    const fast = FAST_CHECKS[field];
    // parts already found valid in this call: a store shares one frozen resource among the policies naming it
    const valid = new Set<unknown>();
    let copy: unknown[] | undefined;
    for (let i = 0; i < rows.length; i++) {
      const row: unknown = rows[i];
      if (fast !== undefined && fast(row, valid)) continue;
      // a row at [field, i] is two levels below the source, where parseSource's walk would meet it
      const forbidden: Issue[] = [];
      findForbiddenKeys(row, [field, i], forbidden, 2);
      if (forbidden.length > 0) return undefined;
      const parsed = schema.safeParse(row);
      if (!parsed.success) return undefined;
      (copy ??= Array.from(rows))[i] = parsed.data;
    }
    out[field] = copy ?? rows;
  }
  return out as unknown as Source;
}

/**
 * True when `row` is a row of `field` that its zod schema accepts and returns unchanged. Exported for the tests
 * that hold these checks to the schemas; undefined for an entity without a fast check.
 */
export function isParsedRow(field: Field, row: unknown): boolean | undefined {
  return FAST_CHECKS[field]?.(row);
}

/**
 * The fast check of each hot entity. `valid` holds frozen parts (a policy's resource or rule) already found valid
 * in this parse: a frozen part cannot change, so a second policy sharing it need not check it again.
 */
const FAST_CHECKS: Partial<Record<Field, (row: unknown, valid?: Set<unknown>) => boolean>> = {
  policies: policyOk,
  principals: principalOk,
  groups: groupOk,
  bindings: bindingOk,
  memberships: membershipOk,
};

const CONTROL = /[\u0000-\u001f]/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function isPlain(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
}

function isArray(v: unknown): v is unknown[] {
  return Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype;
}

/** Every own key is one of `allowed` and none holds undefined (zod would keep such a key, or refuse it). */
function keysWithin(o: Obj, allowed: ReadonlySet<string>): boolean {
  for (const k in o) if (!allowed.has(k) || o[k] === undefined) return false;
  return true;
}

/** `idSchema`: 1..256 characters, not a prototype key, no control character. */
function id(v: unknown): boolean {
  return typeof v === 'string' && v.length >= 1 && v.length <= 256 && !FORBIDDEN_KEYS.has(v) && !CONTROL.test(v);
}

/** `instantSchema`. */
function instant(v: unknown): boolean {
  return typeof v === 'string' && INSTANT.test(v) && !Number.isNaN(Date.parse(v));
}

/** An optional `z.string().max(max)` (min 0). */
function optString(v: unknown, max = Infinity): boolean {
  return v === undefined || (typeof v === 'string' && v.length <= max);
}

/** `scalarSchema`: a string, a finite number or a boolean. */
function scalar(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

function idList(v: unknown, max: number): v is string[] {
  if (!isArray(v) || v.length > max) return false;
  for (let i = 0; i < v.length; i++) if (!id(v[i])) return false;
  return true;
}

const POLICY_KEYS: ReadonlySet<string> = new Set([
  'id',
  'accountId',
  'type',
  'effect',
  'subject',
  'roles',
  'resource',
  'rule',
  'pattern',
  'description',
  'state',
  'etag',
  'createdAt',
  'createdById',
  'lastModifiedAt',
  'lastModifiedById',
  'lastPermitAt',
  'lastPermitFrequency',
]);
const SUBJECT_KEYS: ReadonlySet<string> = new Set(['kind', 'id']);

/** `policySchema`, for access policies (an authorization policy, with its service subject, is left to zod). */
function policyOk(row: unknown, valid?: Set<unknown>): boolean {
  if (!isPlain(row) || !keysWithin(row, POLICY_KEYS)) return false;
  const p = row;
  if (!id(p['id']) || !id(p['accountId'])) return false;
  if (p['type'] !== 'access' || (p['effect'] !== 'allow' && p['effect'] !== 'deny') || (p['state'] !== 'active' && p['state'] !== 'deleted')) return false;
  if (!memberSubjectOk(p['subject'])) return false;
  const roles = p['roles'];
  if (!idList(roles, Infinity) || roles.length < 1) return false;
  for (let i = 1; i < roles.length; i++) for (let j = 0; j < i; j++) if (roles[i] === roles[j]) return false;
  if (!validPart(p['resource'], resourceOk, valid)) return false;
  if (p['rule'] !== undefined && !validPart(p['rule'], ruleOk, valid)) return false;
  if (!optString(p['pattern'], 256) || !optString(p['description'], 300)) return false;
  for (const k of ['etag', 'createdAt', 'createdById', 'lastModifiedAt', 'lastModifiedById', 'lastPermitAt']) if (!optString(p[k])) return false;
  const f = p['lastPermitFrequency'];
  return f === undefined || (typeof f === 'number' && Number.isSafeInteger(f) && f >= 0);
}

/** `check(part)`, remembered in `valid` for a frozen part (one that cannot change while this parse runs). */
function validPart(part: unknown, check: (part: unknown) => boolean, valid: Set<unknown> | undefined): boolean {
  if (valid === undefined) return check(part);
  if (valid.has(part)) return true;
  if (!check(part)) return false;
  if (Object.isFrozen(part)) valid.add(part);
  return true;
}

/** A principal or group subject `{kind, id}` (of a policy or a binding). */
function memberSubjectOk(s: unknown): boolean {
  return isPlain(s) && keysWithin(s, SUBJECT_KEYS) && (s['kind'] === 'principal' || s['kind'] === 'group') && id(s['id']);
}

const RESOURCE_KEYS: ReadonlySet<string> = new Set(['attributes', 'tags', 'resourceGroups', 'nodes']);
const CONDITION_KEYS: ReadonlySet<string> = new Set(['name', 'operator', 'value']);
const ATTRIBUTE_OPERATOR_SET: ReadonlySet<string> = new Set(ATTRIBUTE_OPERATORS);

/** `resourceSelectorSchema`, with `attributes` and `tags` present (they have defaults). */
function resourceOk(r: unknown): boolean {
  if (!isPlain(r) || !keysWithin(r, RESOURCE_KEYS)) return false;
  const attributes = r['attributes'];
  const tags = r['tags'];
  if (!isArray(attributes) || attributes.length > 32 || !isArray(tags) || tags.length > 32) return false;
  for (let i = 0; i < attributes.length; i++) if (!attributeOk(attributes[i])) return false;
  for (let i = 0; i < tags.length; i++) if (!tagOk(tags[i])) return false;
  if (r['resourceGroups'] !== undefined && !idList(r['resourceGroups'], 64)) return false;
  return r['nodes'] === undefined || idList(r['nodes'], 64);
}

/** `attributeConditionSchema`. */
function attributeOk(c: unknown): boolean {
  if (!isPlain(c) || !keysWithin(c, CONDITION_KEYS)) return false;
  const { name, operator, value } = c;
  if (typeof name !== 'string' || name.length < 1 || name.length > 128 || FORBIDDEN_KEYS.has(name)) return false;
  if (typeof operator !== 'string' || !ATTRIBUTE_OPERATOR_SET.has(operator)) return false;
  if (operator === 'stringEqualsAnyOf' || operator === 'stringMatchAnyOf') {
    if (!isArray(value) || value.length < 1 || value.length > MAX_ANY_OF) return false;
    for (let i = 0; i < value.length; i++) if (!scalar(value[i])) return false;
    return true;
  }
  if (!scalar(value)) return false;
  return operator !== 'stringExists' || String(value) === 'true' || String(value) === 'false';
}

/** `tagConditionSchema`, already lowercased, its operator present (it has a default). */
function tagOk(t: unknown): boolean {
  if (!isPlain(t) || !keysWithin(t, CONDITION_KEYS)) return false;
  const { name, value, operator } = t;
  if (typeof name !== 'string' || name.length < 1 || name.length > 128 || name !== name.toLowerCase()) return false;
  if (typeof value !== 'string' || value.length > 256 || value !== value.toLowerCase()) return false;
  return operator === 'stringEquals' || operator === 'stringMatch';
}

const GROUP_OPERATOR_KEYS: ReadonlySet<string> = new Set(['operator', 'conditions']);
const LEAF_KEYS: ReadonlySet<string> = new Set(['key', 'operator', 'value']);
const RULE_OPERATOR_SET: ReadonlySet<string> = new Set(RULE_OPERATORS);

/** `ruleSchema`: an `and`/`or` group of leaves and inner groups, or one leaf. */
function ruleOk(r: unknown): boolean {
  if (!isPlain(r)) return false;
  if (r['operator'] !== 'and' && r['operator'] !== 'or') return leafOk(r);
  return ruleGroupOk(r, true);
}

function ruleGroupOk(g: unknown, outer: boolean): boolean {
  if (!isPlain(g) || !keysWithin(g, GROUP_OPERATOR_KEYS) || (g['operator'] !== 'and' && g['operator'] !== 'or')) return false;
  const conditions = g['conditions'];
  if (!isArray(conditions) || conditions.length < 1 || conditions.length > 10) return false;
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i];
    const nested = isPlain(c) && (c['operator'] === 'and' || c['operator'] === 'or');
    if (nested ? !(outer && ruleGroupOk(c, false)) : !leafOk(c)) return false;
  }
  return true;
}

/** `ruleLeafSchema`. */
function leafOk(l: unknown): boolean {
  if (!isPlain(l) || !keysWithin(l, LEAF_KEYS)) return false;
  const { key, operator, value } = l;
  if (typeof key !== 'string' || key.length < 1 || key.length > 256) return false;
  if (typeof operator !== 'string' || !RULE_OPERATOR_SET.has(operator)) return false;
  if (isArray(value)) {
    if (value.length > 10) return false;
    for (let i = 0; i < value.length; i++) if (!scalar(value[i])) return false;
  } else if (!scalar(value)) return false;
  return checkLeaf(key, operator, value).length === 0;
}

const PRINCIPAL_KEYS: ReadonlySet<string> = new Set(['id', 'accountId', 'kind', 'email', 'name', 'status', 'locked', 'projects', 'notificationOptIn']);

/** `principalSchema`, every defaulted field present. */
function principalOk(row: unknown): boolean {
  if (!isPlain(row) || !keysWithin(row, PRINCIPAL_KEYS)) return false;
  const p = row;
  if (!id(p['id']) || !id(p['accountId'])) return false;
  if (p['kind'] !== 'user' && p['kind'] !== 'service' && p['kind'] !== 'agent') return false;
  if (!optString(p['email'], 320) || !optString(p['name'], 256)) return false;
  if (p['status'] !== 'active' && p['status'] !== 'pending' && p['status'] !== 'disabled') return false;
  if (typeof p['locked'] !== 'boolean' || !idList(p['projects'], 1000)) return false;
  return p['notificationOptIn'] === undefined || typeof p['notificationOptIn'] === 'boolean';
}

const GROUP_KEYS: ReadonlySet<string> = new Set([
  'id',
  'accountId',
  'name',
  'description',
  'members',
  'memberSince',
  'rules',
  'federated',
  'createdAt',
  'createdById',
  'lastModifiedAt',
  'lastModifiedById',
  'etag',
]);
const SINCE_KEYS: ReadonlySet<string> = new Set(['createdAt', 'createdById']);

/** `groupSchema`, every defaulted field present; claim rules (few, and with no defaults) are checked by their schema. */
function groupOk(row: unknown): boolean {
  if (!isPlain(row) || !keysWithin(row, GROUP_KEYS)) return false;
  const g = row;
  if (!id(g['id']) || !id(g['accountId'])) return false;
  const name = g['name'];
  if (typeof name !== 'string' || name.length < 1 || name.length > 100) return false;
  const description = g['description'];
  if (typeof description !== 'string' || description.length > 250) return false;
  if (!idList(g['members'], Infinity) || typeof g['federated'] !== 'boolean') return false;
  const since = g['memberSince'];
  if (since !== undefined) {
    if (!isPlain(since)) return false;
    for (const k in since) {
      const s = since[k];
      if (FORBIDDEN_KEYS.has(k) || !isPlain(s) || !keysWithin(s, SINCE_KEYS) || !instant(s['createdAt'])) return false;
      const by = s['createdById'];
      if (typeof by !== 'string' || by.length < 1 || by.length > 256) return false;
    }
  }
  const rules = g['rules'];
  if (!isArray(rules) || rules.length > 5) return false;
  // INVARIANT: claimRuleSchema has no default and no transform, so a rule it accepts it returns unchanged
  for (let i = 0; i < rules.length; i++) if (!isPlain(rules[i]) || !claimRuleSchema.safeParse(rules[i]).success) return false;
  for (const k of ['createdAt', 'createdById', 'lastModifiedAt', 'lastModifiedById', 'etag']) if (!optString(g[k])) return false;
  return true;
}

const BINDING_KEYS: ReadonlySet<string> = new Set(['id', 'accountId', 'subject', 'roleId', 'nodeId', 'expiresAt']);

/** `bindingSchema`. */
function bindingOk(row: unknown): boolean {
  if (!isPlain(row) || !keysWithin(row, BINDING_KEYS)) return false;
  const b = row;
  if (!id(b['id']) || !id(b['accountId']) || !id(b['roleId']) || !id(b['nodeId']) || !memberSubjectOk(b['subject'])) return false;
  return b['expiresAt'] === undefined || instant(b['expiresAt']);
}

const MEMBERSHIP_KEYS: ReadonlySet<string> = new Set(['accountId', 'principalId', 'groupId', 'ruleId', 'realm', 'loginAt', 'expiresAt']);

/** `membershipSchema`. */
function membershipOk(row: unknown): boolean {
  if (!isPlain(row) || !keysWithin(row, MEMBERSHIP_KEYS)) return false;
  const m = row;
  if (!id(m['accountId']) || !id(m['principalId']) || !id(m['groupId'])) return false;
  if (m['ruleId'] !== undefined && !id(m['ruleId'])) return false;
  const realm = m['realm'];
  if (typeof realm !== 'string' || realm.length < 1 || realm.length > 256) return false;
  return instant(m['loginAt']) && instant(m['expiresAt']);
}
