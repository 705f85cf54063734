// The seal of identity-index.ts (sealIndex, the staging) under the mutation run of MUTATION.md's section "mutidx2": its
// mutants are static to StrykerJS (a compile at a suite's top level runs them while files are collected), so every
// test of the run's config runs for each, and that config (vitest.mutation-idx.config.ts) keeps to fast suites. These
// are the two properties of test/properties.test.ts that read the seal's output, at a few runs and a fixed seed so a
// kill replays: a fresh compile decides as the reference evaluator, and an engine updated batch by batch (the
// reseal path: removals, appends to a sealed index) leaves the layout a fresh compile builds, every record read back
// against its candidate (layoutSnapshot).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authorize, compile, createEngine, parseSource, type Change, type Decision, type EntityName, type Source } from '@portcullis/engine';
import { entityKey, ENTITY_FIELDS, ENTITY_NAMES } from '@portcullis/engine/store-kit';
import { arbSource, arbSourceAndRequests, BASE_TIME, layoutSnapshot, referenceAuthorize } from '@portcullis/engine/testing';

const core = (d: Decision) => ({ allowed: d.allowed, reason: d.reason, policies: d.policies, errors: d.errors ?? [] });
const SEED = 20261208;

/** Row-level changes that take `a` to `b` (as in test/properties.test.ts). */
function diffChanges(a: Source, b: Source): Change[] {
  const puts: Change[] = [];
  const deletes: Change[] = [];
  for (const e of ENTITY_NAMES) {
    const field = ENTITY_FIELDS[e];
    const keep = new Set((b[field] as unknown[]).map((row) => entityKey(e, row as never)));
    for (const row of b[field] as unknown[]) puts.push({ op: 'put', entity: e, value: row } as Change);
    for (const row of a[field] as unknown[]) {
      const key = entityKey(e as EntityName, row as never);
      if (!keep.has(key)) deletes.push({ op: 'delete', entity: e, key });
    }
  }
  return [...puts, ...deletes.reverse()];
}

describe('identity-index: the seal read back', () => {
  it('a fresh compile decides as the reference evaluator, and its layout reads back as its candidates', () => {
    let pairs = 0;
    fc.assert(
      fc.property(arbSourceAndRequests({ maxRequests: 8, malformed: true }), ({ source, requests }) => {
        const tables = compile(source);
        layoutSnapshot(tables);
        for (const request of requests) {
          pairs++;
          expect(core(authorize(tables, request))).toEqual(core(referenceAuthorize(source, request)));
        }
      }),
      { numRuns: 60, seed: SEED },
    );
    expect(pairs).toBeGreaterThan(60);
  });

  it('batches through the incremental path leave the layout a fresh compile builds', async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(arbSource(), arbSource(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 6 }), async (a, b, steps) => {
        const engine = createEngine({ source: a, clock: () => BASE_TIME, cacheSize: 0 });
        const pool = diffChanges(a, b);
        if (pool.length === 0) return;
        for (const [pick, size] of steps) {
          const batch = Array.from({ length: size }, (_, i) => pool[(pick + i * 7) % pool.length]!);
          try {
            await engine.commit(batch);
          } catch {
            // refused: nothing was written, the layout must still be the fresh one
          }
          const fresh = layoutSnapshot(compile(parseSource(engine.source)));
          expect(layoutSnapshot(engine.tables)).toEqual(fresh);
          if (Object.keys(fresh).length > 0) compared++;
        }
      }),
      { numRuns: 40, seed: SEED, endOnFailure: true },
    );
    // INVARIANT: worth something only when layouts holding candidates were compared
    expect(compared).toBeGreaterThan(40);
  });
});
