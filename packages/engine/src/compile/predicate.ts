import { compileGlob, matchGlob } from './glob.js';
import type { Scalar } from '../model/primitives.js';

/**
 * A condition over resource attributes, as plain JSON. Attribute values are compared as strings (`String(v)`);
 * an absent attribute satisfies only `not(exists)` and whatever negates a leaf. `match` takes an IBM `stringMatch`
 * glob: `*` any run, `?` one character, `{{*}}` and `{{?}}` literal.
 */
export type Predicate =
  | { op: 'true' }
  | { op: 'false' }
  | { op: 'and'; args: Predicate[] }
  | { op: 'or'; args: Predicate[] }
  | { op: 'not'; arg: Predicate }
  | { op: 'eq'; attr: string; value: string }
  | { op: 'in'; attr: string; values: string[] }
  | { op: 'match'; attr: string; pattern: string }
  | { op: 'exists'; attr: string };

/** The predicate that always holds. */
export const TRUE: Predicate = { op: 'true' };
/** The predicate that never holds. */
export const FALSE: Predicate = { op: 'false' };

/** Conjunction, folding constants so that a filter stays as small as the policies allow. */
export function and(...args: Predicate[]): Predicate {
  const out: Predicate[] = [];
  for (const a of args) {
    if (a.op === 'false') return FALSE;
    if (a.op === 'true') continue;
    if (a.op === 'and') out.push(...a.args);
    else out.push(a);
  }
  return out.length === 0 ? TRUE : out.length === 1 ? out[0]! : { op: 'and', args: out };
}

/** Disjunction, folding constants. */
export function or(...args: Predicate[]): Predicate {
  const out: Predicate[] = [];
  for (const a of args) {
    if (a.op === 'true') return TRUE;
    if (a.op === 'false') continue;
    if (a.op === 'or') out.push(...a.args);
    else out.push(a);
  }
  return out.length === 0 ? FALSE : out.length === 1 ? out[0]! : { op: 'or', args: out };
}

/** Negation, folding constants and double negation. */
export function not(arg: Predicate): Predicate {
  if (arg.op === 'true') return FALSE;
  if (arg.op === 'false') return TRUE;
  if (arg.op === 'not') return arg.arg;
  return { op: 'not', arg };
}

/** `attr` is one of `values`; no values is never. */
export function anyOf(attr: string, values: readonly string[]): Predicate {
  if (values.length === 0) return FALSE;
  if (values.length === 1) return { op: 'eq', attr, value: values[0]! };
  return { op: 'in', attr, values: [...values] };
}

/** Evaluates a predicate on a resource's attributes, as the filter's SQL would on a row holding them. */
export function evaluatePredicate(p: Predicate, attributes: Readonly<Record<string, Scalar | null | undefined>>): boolean {
  const get = (name: string): string | undefined => {
    const v = Object.hasOwn(attributes, name) ? attributes[name] : undefined;
    return v === undefined || v === null ? undefined : String(v);
  };
  switch (p.op) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return p.args.every((a) => evaluatePredicate(a, attributes));
    case 'or':
      return p.args.some((a) => evaluatePredicate(a, attributes));
    case 'not':
      return !evaluatePredicate(p.arg, attributes);
    case 'eq':
      return get(p.attr) === p.value;
    case 'in': {
      const x = get(p.attr);
      return x !== undefined && p.values.includes(x);
    }
    case 'match': {
      const x = get(p.attr);
      return x !== undefined && matchGlob(compileGlob(p.pattern), x);
    }
    case 'exists':
      return get(p.attr) !== undefined;
  }
}

/** The attribute names a predicate reads, sorted: the columns a host table needs. */
export function predicateAttributes(p: Predicate): string[] {
  const out = new Set<string>();
  const walk = (q: Predicate): void => {
    if (q.op === 'and' || q.op === 'or') q.args.forEach(walk);
    else if (q.op === 'not') walk(q.arg);
    else if (q.op !== 'true' && q.op !== 'false') out.add(q.attr);
  };
  walk(p);
  // the default order is by UTF-16 code unit, as `<` compares strings (no locale)
  return [...out].sort();
}
