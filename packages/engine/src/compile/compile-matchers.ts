import { internAttribute, type AttributeNames } from './attribute-names.js';
import { compileGlob } from './glob.js';
import { ATTRIBUTE_OPERATOR_TABLE } from './attribute-operators.js';
import type { AttributeOperator } from '../model/attribute.js';
import { Uncompilable } from './uncompilable.js';
import { cacheMatcher, cachedMatcher, type CompileCache } from './compile-cache.js';
import { Derived, type AttributeMatcher, type ClaimMatcher, type Cmp, type RuleNode, type TagMatcher } from './tables.js';
import { claimString } from '../model/claim-rule.js';
import {
  CURRENT_DATE_TIME,
  CURRENT_TIME,
  DATE_TIME_VALUE,
  DAY_OF_WEEK,
  DAY_VALUE,
  TIME_VALUE,
  resourceAttributeOfKey,
} from '../model/rule-condition.js';

export { Uncompilable } from './uncompilable.js';

/**
 * Compiles one attribute condition; throws Uncompilable for what validation should have refused. With a cache, a
 * condition met before in the batch (same name, operator and scalar value) yields the matcher compiled then.
 */
export function compileAttribute(names: AttributeNames, name: string, operator: string, value: unknown, cache?: CompileCache): AttributeMatcher {
  const scalar = cache !== undefined && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean');
  if (scalar) {
    const have = cachedMatcher(cache, name, operator, value);
    if (have !== undefined) return have;
  }
  const spec = Object.hasOwn(ATTRIBUTE_OPERATOR_TABLE, operator) ? ATTRIBUTE_OPERATOR_TABLE[operator as AttributeOperator] : undefined;
  if (spec === undefined) throw new Uncompilable(`attribute \`${name}\`: unknown operator \`${operator}\``);
  if (spec.many !== Array.isArray(value)) throw new Uncompilable(`attribute \`${name}\`: \`${operator}\` value shape`);
  const values = (Array.isArray(value) ? value : [value]).map((v) => {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new Uncompilable(`attribute \`${name}\`: bad value`);
    return String(v);
  });
  if (spec.many && (values.length < 1 || values.length > 10)) throw new Uncompilable(`attribute \`${name}\`: 1 to 10 values`);
  const derived = name === 'serviceType' ? Derived.ServiceType : name === 'service_group_id' ? Derived.ServiceGroup : Derived.None;
  const c = spec.compile(values, name);
  // written out, not spread: every matcher gets the same shape, and no intermediate object is left behind
  const m: AttributeMatcher = {
    name,
    attr: internAttribute(names, name),
    op: spec.code,
    operator: spec,
    derived,
    value: c.value,
    values: c.values,
    glob: c.glob,
    globs: c.globs,
  };
  return scalar ? cacheMatcher(cache, name, operator, value, m) : m;
}

/** Compiles a tag condition; the name and value are lowercased. */
export function compileTag(name: unknown, value: unknown, operator: unknown): TagMatcher {
  if (typeof name !== 'string' || typeof value !== 'string') throw new Uncompilable('tag: bad name or value');
  const n = name.toLowerCase();
  const v = value.toLowerCase();
  if (operator === undefined || operator === 'stringEquals') return { name: n, value: v, glob: null };
  if (operator === 'stringMatch') return { name: n, value: v, glob: compileGlob(v) };
  throw new Uncompilable(`tag \`${name}\`: unknown operator \`${String(operator)}\``);
}

const CMP: Record<string, Cmp> = {
  LessThan: 'lt',
  LessThanOrEquals: 'le',
  GreaterThan: 'gt',
  GreaterThanOrEquals: 'ge',
};

/** Parses `+hh:mm`, `-hh:mm` or `Z` to milliseconds: `Z` reads as `+00:00`, its empty hours and minutes as 0. */
function offsetMs(s: string): number {
  const sign = s[0] === '-' ? -1 : 1;
  return sign * (Number(s.slice(1, 3)) * 60 + Number(s.slice(4, 6))) * 60_000;
}

/** Compiles a v2 rule (and/or, nested at most twice, at most 10 conditions per level). */
export function compileRule(node: unknown, names: AttributeNames, depth = 1, cache?: CompileCache): RuleNode {
  if (node === null || typeof node !== 'object') throw new Uncompilable('rule: not an object');
  const n = node as Record<string, unknown>;
  if (Array.isArray(n['conditions'])) {
    if (n['operator'] !== 'and' && n['operator'] !== 'or') throw new Uncompilable(`rule: unknown operator \`${String(n['operator'])}\``);
    if (depth > 2) throw new Uncompilable('rule: nested more than twice');
    const conds = n['conditions'] as unknown[];
    if (conds.length < 1 || conds.length > 10) throw new Uncompilable('rule: 1 to 10 conditions');
    return { kind: n['operator'], children: conds.map((c) => compileRule(c, names, depth + 1, cache)) };
  }
  const key = n['key'];
  const operator = n['operator'];
  const value = n['value'];
  if (typeof key !== 'string' || typeof operator !== 'string') throw new Uncompilable('rule condition: key and operator');
  const attr = resourceAttributeOfKey(key);
  if (attr !== undefined) return { kind: 'attr', matcher: compileAttribute(names, attr, operator, value, cache) };
  if (operator.startsWith('time') && key === CURRENT_TIME) {
    const cmp = CMP[operator.slice(4)];
    const m = typeof value === 'string' ? TIME_VALUE.exec(value) : null;
    if (!cmp || !m) throw new Uncompilable(`rule condition \`${operator}\`: malformed time`);
    const seconds = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
    return { kind: 'time', cmp, seconds, offsetMs: offsetMs(m[4]!) };
  }
  if (operator.startsWith('dateTime') && key === CURRENT_DATE_TIME) {
    const cmp = CMP[operator.slice(8)];
    const at = typeof value === 'string' && DATE_TIME_VALUE.test(value) ? Date.parse(value) : Number.NaN;
    if (!cmp || Number.isNaN(at)) throw new Uncompilable(`rule condition \`${operator}\`: malformed date-time`);
    return { kind: 'dateTime', cmp, at };
  }
  if ((operator === 'dayOfWeekEquals' || operator === 'dayOfWeekAnyOf') && key === DAY_OF_WEEK) {
    if ((operator === 'dayOfWeekAnyOf') !== Array.isArray(value)) throw new Uncompilable(`rule condition \`${operator}\`: value shape`);
    const vals = Array.isArray(value) ? value : [value];
    if (vals.length === 0) throw new Uncompilable(`rule condition \`${operator}\`: no days`);
    const days = vals.map((v) => {
      // an integer weekday (IBM's `[1,2,3,4,5]`) is the weekday in UTC
      if (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 7) return { day: v as number, offsetMs: 0 };
      const m = typeof v === 'string' ? DAY_VALUE.exec(v) : null;
      if (!m) throw new Uncompilable(`rule condition \`${operator}\`: malformed weekday`);
      return { day: Number(m[1]), offsetMs: offsetMs(m[2]!) };
    });
    return { kind: 'day', days };
  }
  throw new Uncompilable(`rule condition: operator \`${operator}\` does not fit key \`${key}\``);
}

/** Compiles one claim condition of a claim rule; its value is a JSON string. */
export function compileClaim(claim: unknown, operator: unknown, value: unknown): ClaimMatcher {
  // unknown[]: an operator that is no string is in it no more than an unknown one
  const known: readonly unknown[] = ['EQUALS', 'NOT_EQUALS', 'EQUALS_IGNORE_CASE', 'NOT_EQUALS_IGNORE_CASE', 'IN', 'CONTAINS'];
  if (typeof claim !== 'string' || typeof value !== 'string' || !known.includes(operator)) {
    return { claim: String(claim), op: 'UNKNOWN', value: '', lower: '', values: [] };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { claim, op: 'UNKNOWN', value: '', lower: '', values: [] };
  }
  const op = operator as ClaimMatcher['op'];
  if (op === 'IN') {
    if (!Array.isArray(parsed)) return { claim, op: 'UNKNOWN', value: '', lower: '', values: [] };
    // scalars only (null is an 'object' too)
    const values = parsed.filter((v) => typeof v !== 'object').map(claimString);
    return { claim, op, value: '', lower: '', values };
  }
  // a scalar only (null is an 'object' too)
  if (typeof parsed === 'object') return { claim, op: 'UNKNOWN', value: '', lower: '', values: [] };
  const v = claimString(parsed);
  return { claim, op, value: v, lower: v.toLowerCase(), values: [] };
}
