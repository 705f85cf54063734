// parseStoredSource (what a store validates a load with) against parseSource: on parsed sources and on sources
// with a row broken or bent in one or two places, it must give the same answer: the same source, or a
// ValidationError with the same issues (paths and messages, in order). Its fast row checks, which let a row
// through uncopied, must never pass a row that the row's zod schema refuses or would return changed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSource, ValidationError, type Source } from '@portcullis/engine';
import { bindingSchema, groupSchema, membershipSchema, policySchema, principalSchema } from '@portcullis/engine/internals';
import { isParsedRow, parseStoredSource } from '@portcullis/engine/store-kit';
import { arbSource } from '@portcullis/engine/testing';

type Field = 'policies' | 'principals' | 'groups' | 'bindings' | 'memberships';
const HOT: readonly Field[] = ['policies', 'principals', 'groups', 'bindings', 'memberships'];
const SCHEMAS = { policies: policySchema, principals: principalSchema, groups: groupSchema, bindings: bindingSchema, memberships: membershipSchema };

/** What a parse answered: the source, or the code and issues it refused with. */
function outcome(parse: (input: unknown) => Source, input: unknown): unknown {
  try {
    return { ok: parse(input) };
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return { code: e.code, issues: e.issues };
  }
}

/** Values a mutation writes: wrong types, bounds either side, reserved names, control characters, other enums. */
const ODD: unknown[] = [
  '',
  'x',
  'x'.repeat(101),
  'x'.repeat(129),
  'x'.repeat(257),
  'x'.repeat(301),
  '__proto__',
  'constructor',
  'a\u0001b',
  'UPPER',
  'Mixed Case',
  -1,
  0,
  1.5,
  7,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  null,
  true,
  false,
  [],
  {},
  ['a'],
  ['a', 'a'],
  ['true'],
  Array.from({ length: 11 }, (_, i) => `v${i}`),
  'stringEquals',
  'stringEqualsAnyOf',
  'stringExists',
  'stringMatch',
  'and',
  'or',
  'timeLessThan',
  'dayOfWeekAnyOf',
  '{{resource.attributes.x}}',
  '{{environment.attributes.current_time}}',
  '09:00:00+00:00',
  'deny',
  'deleted',
  'authorization',
  'access',
  'service',
  'group',
  'principal',
  'pending',
  'agent',
  '2025-01-01T00:00:00Z',
  '2025-13-45T00:00:00Z',
  '2025-01-01',
  { kind: 'service', attributes: { serviceName: 'cos', accountId: 'a1' } },
  { kind: 'group', id: 'g1' },
  { kind: 'group', id: 'g1', extra: 1 },
  { name: 'serviceName', operator: 'stringEquals', value: 'cos' },
  { name: 'Env', value: 'Prod', operator: 'stringEquals' },
  { key: '{{resource.attributes.x}}', operator: 'stringEquals', value: 'y' },
  { operator: 'and', conditions: [] },
  { createdAt: '2025-01-01T00:00:00Z', createdById: 'x' },
];
const KEYS = ['zz', '__proto__', 'constructor', 'state', 'rule', 'tags', 'memberSince', 'ruleId', 'expiresAt', 'kind', 'id'];

interface Mutation {
  field: number;
  row: number;
  path: number;
  op: 'set' | 'delete' | 'add' | 'undefined' | 'bend';
  value: number;
  key: number;
}
const arbMutation: fc.Arbitrary<Mutation> = fc.record({
  field: fc.nat(),
  row: fc.nat(),
  path: fc.nat(),
  op: fc.constantFrom('set', 'delete', 'add', 'undefined', 'bend', 'bend'),
  value: fc.nat(),
  key: fc.nat(),
});

/** Every [container, key] inside a row, and the row itself as `[row, undefined]`. */
function places(row: unknown): [Record<string | number, unknown>, string | number | undefined][] {
  const out: [Record<string | number, unknown>, string | number | undefined][] = [[row as Record<string, unknown>, undefined]];
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    const c = v as Record<string | number, unknown>;
    for (const k of Object.keys(c)) {
      out.push([c, Array.isArray(c) ? Number(k) : k]);
      walk(c[k]);
    }
  };
  walk(row);
  return out;
}

/** Lengths either side of every bound the schemas set on a string or an array. */
const EDGES = [0, 1, 2, 10, 11, 31, 32, 33, 50, 51, 64, 65, 100, 101, 128, 129, 250, 251, 256, 257, 300, 301, 320, 321, 1000, 1001];

/** A value near `v`: the same type at or past a bound, a case change, a control character, a duplicate element. */
function bend(v: unknown, n: number): unknown {
  const pick = n % 8;
  if (typeof v === 'string') {
    if (pick === 0) return v.toUpperCase();
    if (pick === 1) return `${v}\u0007`;
    if (pick === 2) return v.slice(0, -1);
    if (pick === 3) return `${v} `;
    const len = EDGES[Math.floor(n / 8) % EDGES.length]!;
    return (v.length > 0 ? v : 'x').repeat(len + 1).slice(0, len);
  }
  if (typeof v === 'number') return [-1, v + 0.5, v + 1, v - 1, 2 ** 53, Number.NaN, 0, 25][pick];
  if (typeof v === 'boolean') return pick < 4 ? !v : String(v);
  if (Array.isArray(v)) {
    if (pick === 0) return [];
    if (pick === 1 && v.length > 0) return [...v, v[0]];
    if (pick === 2) return v.slice(1);
    const len = EDGES[Math.floor(n / 8) % EDGES.length]!;
    return Array.from({ length: len }, (_, i) => (v.length > 0 ? structuredClone(v[i % v.length]) : `x${i}`));
  }
  return structuredClone(ODD[n % ODD.length]);
}

/**
 * Applies a mutation to a row of `source` in place; false when there was no row to mutate. What it makes is still
 * JSON data, as a store decodes it (an array holds no keys besides its indices).
 */
function mutate(source: Record<string, unknown[]>, m: Mutation): boolean {
  const fields = HOT.filter((f) => (source[f]?.length ?? 0) > 0);
  if (fields.length === 0) return false;
  const rows = source[fields[m.field % fields.length]!]!;
  const row = rows[m.row % rows.length];
  const all = places(row);
  const [container, key] = all[m.path % all.length]!;
  const value = structuredClone(ODD[m.value % ODD.length]);
  if ((m.op === 'add' || key === undefined) && Array.isArray(container)) container.push(value);
  else if (m.op === 'add' || key === undefined) {
    // an own `__proto__` key, as JSON.parse makes it, never the prototype setter
    Object.defineProperty(container, KEYS[m.key % KEYS.length]!, { value, enumerable: true, writable: true, configurable: true });
  } else if (m.op === 'delete') {
    if (Array.isArray(container)) container.splice(key as number, 1);
    else delete container[key];
  } else if (m.op === 'undefined') container[key] = undefined;
  else if (m.op === 'bend') container[key] = bend(container[key], m.value);
  else container[key] = value;
  return true;
}

/** Generated sources, parsed, with the optional fields arbSource leaves out filled in here and there. */
const sources = fc.tuple(arbSource({ maxPolicies: 4 }), fc.boolean()).map(([s, enrich]) => {
  if (enrich) {
    for (const g of s.groups)
      if (g.members.length > 0) g.memberSince = { [g.members[0]!]: { createdAt: '2025-01-02T03:04:05Z', createdById: 'IBMid-admin' } };
    for (const b of s.bindings) b.expiresAt = '2030-01-01T00:00:00+02:00';
    for (const p of s.principals) Object.assign(p, { email: 'x@example.com', name: 'X', notificationOptIn: true });
    for (const p of s.policies) Object.assign(p, { pattern: 'time-based-conditions:weekly', description: 'd', lastPermitFrequency: 3, etag: 'e' });
    for (const m of s.memberships) m.ruleId ??= 'rule-1';
  }
  return parseSource(s);
});

describe('parseStoredSource', () => {
  it('keeps a parsed source as it is, passing every hot row but authorization policies through the fast checks', () => {
    fc.assert(
      fc.property(sources, (parsed) => {
        for (const f of HOT)
          for (const row of parsed[f] as unknown[])
            if (!(f === 'policies' && (row as { type: string }).type === 'authorization')) expect(isParsedRow(f, row)).toBe(true);
        const copy = structuredClone(parsed);
        const kept = parseStoredSource(copy);
        expect(kept).toStrictEqual(parsed);
        // rows the fast checks passed are the caller's own objects, not copies
        if (copy.principals.length > 0) expect(kept.principals[0]).toBe(copy.principals[0]);
      }),
      { numRuns: 150 },
    );
  });

  it('answers as parseSource does on sources with one or two rows broken or bent', () => {
    fc.assert(
      fc.property(sources, fc.array(arbMutation, { minLength: 1, maxLength: 2 }), (parsed, mutations) => {
        const input = structuredClone(parsed) as unknown as Record<string, unknown[]>;
        for (const m of mutations) if (!mutate(input, m)) return;
        expect(outcome(parseStoredSource, structuredClone(input))).toStrictEqual(outcome(parseSource, structuredClone(input)));
      }),
      { numRuns: 600 },
    );
  });

  it('passes through its fast checks only rows the schema accepts and returns unchanged', () => {
    fc.assert(
      fc.property(sources, fc.array(arbMutation, { minLength: 30, maxLength: 30 }), (parsed, mutations) => {
        for (const m of mutations) {
          // one row at a time, in a source of its own: cheap enough for thirty mutations a source
          const fields = HOT.filter((f) => (parsed[f] as unknown[]).length > 0);
          if (fields.length === 0) return;
          const f = fields[m.field % fields.length]!;
          const rows = parsed[f] as unknown[];
          const input = { [f]: [structuredClone(rows[m.row % rows.length])] } as Record<string, unknown[]>;
          mutate(input, { ...m, field: 0, row: 0 });
          const row = input[f]![0];
          if (isParsedRow(f, row) !== true) continue;
          const r = SCHEMAS[f].safeParse(row);
          expect(r.success).toBe(true);
          expect(r.data).toStrictEqual(row);
        }
      }),
      { numRuns: 600 },
    );
  });

  it('refuses what parseSource refuses in a source that is not one', () => {
    for (const input of [null, [], 'x', { version: 2 }, { version: 1, policies: {} }, { version: 1, extra: [] }, { version: 1, policies: [null] }]) {
      expect(outcome(parseStoredSource, input)).toStrictEqual(outcome(parseSource, input));
      expect(outcome(parseStoredSource, input)).toHaveProperty('code', 'invalid_source');
    }
  });
});

