// clearMemos (memo.ts) leaves what a fresh compile holds. test/properties.test.ts shows that decisions made after it
// are the same, which no mutant of clearMemos can change (a memo never decides): these tests compare the tables.
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { compile } from './compile-source.js';
import { clearMemos } from './memo.js';
import type { IdentityIndex, Tables } from './tables.js';
import { authorize } from '../evaluate/authorize.js';
import { arbSource, arbSourceAndRequests } from '../testing/index.js';

/** Writes something into every memo slot, as decisions would: `[null]` is "no prefilter for slot 0", `[]` no views yet. */
function dirty(tables: Tables): { groups: number; principals: number } {
  const seen = { groups: 0, principals: 0 };
  const index = (ix: IdentityIndex) => {
    ix.accel = [null];
    ix.views = [];
  };
  tables.actions.prefixCache = [[0]];
  for (const a of tables.accounts.values()) {
    index(a.serviceIndex);
    index(a.publicGroup.index);
    a.publicGroup.mark = 7;
    for (const g of a.groups.values()) {
      index(g.index);
      g.mark = 7;
      seen.groups++;
    }
    for (const p of a.principals.values()) {
      index(p.index);
      p.ownBuckets = new Map();
      p.ownVersion = 3;
      p.emailDomain = 'x.example';
      p.emailDomainFor = 'a@x.example';
      seen.principals++;
    }
  }
  return seen;
}

describe('clearMemos', () => {
  it('empties every memo slot of every account, group and principal, leaving what a fresh compile holds', () => {
    let groups = 0;
    let principals = 0;
    fc.assert(
      fc.property(arbSource(), (source) => {
        const tables = compile(source);
        const seen = dirty(tables);
        groups += seen.groups;
        principals += seen.principals;
        expect(tables).not.toEqual(compile(source));
        clearMemos(tables);
        expect(tables).toEqual(compile(source));
      }),
      { numRuns: 100 },
    );
    // INVARIANT: the property says something only if the sources had groups and principals to dirty
    expect(groups).toBeGreaterThan(50);
    expect(principals).toBeGreaterThan(50);
  });

  it('after decisions, cold and warm, leaves what a fresh compile holds (a decision writes memo slots only)', () => {
    let written = 0;
    fc.assert(
      fc.property(arbSourceAndRequests({ maxRequests: 8 }), ({ source, requests }) => {
        const tables = compile(source);
        for (let round = 0; round < 2; round++) for (const r of requests) authorize(tables, r);
        if (!isDeepStrictEqual(tables, compile(source))) written++;
        clearMemos(tables);
        expect(tables).toEqual(compile(source));
      }),
      { numRuns: 100 },
    );
    // INVARIANT: the property says something only if the decisions wrote memos
    expect(written).toBeGreaterThan(50);
  });
});
