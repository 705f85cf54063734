// Each operation's declaration (#18) tells the truth about it: the input schema it declares is the one it reads, so an
// input the schema refuses is refused by the operation as bad input (400), before anything else is looked at.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bluexpOperations, cloudflareOperations, ibmAccessGroupOperations, ibmPolicyOperations, parseSource, SOURCE_VERSION, type ManageContext } from '@portcullis/engine';
import { SourceState } from '@portcullis/engine/internals';
import type { z } from 'zod';

type Declared = ((state: SourceState, input: unknown, ctx: ManageContext) => unknown) & { operation: { name: string; input?: z.ZodType } };

const tables = { ibmAccessGroupOperations, ibmPolicyOperations, cloudflareOperations, bluexpOperations };
const withSchema = Object.entries(tables).flatMap(([table, ops]) =>
  Object.entries(ops as Record<string, Declared>)
    .filter(([, op]) => op.operation.input !== undefined)
    .map(([name, op]) => ({ label: `${table}.${name}`, op, schema: op.operation.input! })),
);
const state = SourceState.from(parseSource({ version: SOURCE_VERSION }));
const ctx: ManageContext = { actor: { kind: 'system' }, now: '2026-01-02T03:04:05Z', newId: (p) => `${p}1` };

/** The HTTP status an operation refuses `input` with, or `ran` when it did not refuse. */
function statusOf(op: Declared, input: unknown): number | 'ran' {
  try {
    op(state, input, ctx);
    return 'ran';
  } catch (e) {
    return (e as { status?: number }).status ?? 0;
  }
}

describe('operation declarations', () => {
  it('declare an input schema for every Cloudflare and BlueXP operation', () => {
    const missing = Object.entries({ cloudflareOperations, bluexpOperations }).flatMap(([table, ops]) =>
      Object.entries(ops as Record<string, Declared>)
        .filter(([, op]) => op.operation.input === undefined)
        .map(([name]) => `${table}.${name}`),
    );
    expect(missing).toEqual([]);
    expect(withSchema.length).toBeGreaterThan(70);
  });

  it('refuse with 400 what their declared schema refuses: no input, an unknown key', () => {
    for (const { label, op, schema } of withSchema) {
      for (const input of [undefined, {}, { account_id: 'acct', not_a_field: true }]) {
        expect(schema.safeParse(input).success, label).toBe(false);
        expect(statusOf(op, input), `${label} ${JSON.stringify(input)}`).toBe(400);
      }
    }
  });

  it('refuse with 400 any record their declared schema refuses (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...withSchema), fc.dictionary(fc.constantFrom('account_id', 'name', 'id', 'page', 'extra', 'node_id'), fc.jsonValue({ maxDepth: 1 })), ({ label, op, schema }, input) => {
        if (schema.safeParse(input).success) return;
        expect(statusOf(op, input), `${label} ${JSON.stringify(input)}`).toBe(400);
      }),
      { numRuns: 300 },
    );
  });
});
