// Pins of identity-index.ts (issue 12, MUTATION.md, section "mutidx"): the staging an update goes through, and the
// empty index every identity starts as. The layout itself is pinned in identity-index.test.ts.
import { describe, expect, it } from 'vitest';
import { createIdentityIndex, exactBucket, exactIdsOfIndex, exactKey, mergeSlots, patternBucket, patternIdsOf, patternKey, REC, sealIndex, SLOT, slotOf, stage, unstagePolicy } from './identity-index.js';
import type { Candidate, CompiledPolicy, RoleGrantGroup, RoleInfo } from './tables.js';

const role: RoleInfo = { id: 'R', scopeType: null, admin: null };
const cand = (id: string): Candidate => ({
  id,
  deny: false,
  error: null,
  slow: false,
  policy: { id, scopes: null, nodes: null, expiresAt: Number.POSITIVE_INFINITY, tags: [], rank: 0 } as unknown as CompiledPolicy,
  role,
  service: null,
  attributes: [],
  eqAttr: -1,
  eqValue: '',
  rest: [],
});
const grant = (actions: number[]): RoleGrantGroup => ({ service: null, role, actions, prefixes: [] });
const allowed = (ix: ReturnType<typeof createIdentityIndex>, action: number) => exactBucket(ix, action)?.allow.map((c) => c.id) ?? null;

describe('identity-index: staging', () => {
  it('unstaging one policy drops its staged candidates and their grants only, whatever else is staged', () => {
    const ix = createIdentityIndex();
    stage(ix, cand('a'), grant([1]));
    stage(ix, cand('c'), grant([2]));
    stage(ix, cand('a'), grant([3]));
    unstagePolicy(ix, 'a');
    expect(ix.pending?.cands.map((c) => c.id)).toEqual(['c']);
    sealIndex(ix, new Map());
    // c keeps its own grant (the two staged lists are filtered in step)
    expect([allowed(ix, 1), allowed(ix, 2), allowed(ix, 3)]).toEqual([null, ['c'], null]);
  });

  it('unstaging a policy with nothing staged keeps the staged lists as they are (no copy), and marks the sealed ones', () => {
    const ix = createIdentityIndex();
    stage(ix, cand('a'), grant([1]));
    sealIndex(ix, new Map());
    stage(ix, cand('b'), grant([1]));
    const pending = ix.pending;
    unstagePolicy(ix, 'a');
    expect(ix.pending).toBe(pending);
    expect([...ix.removed!]).toEqual(['a']);
    sealIndex(ix, new Map());
    expect(allowed(ix, 1)).toEqual(['b']);
  });
});

describe('identity-index: the empty index', () => {
  it('holds nothing, and its records would start after its two empty slots', () => {
    const ix = createIdentityIndex();
    expect({ cands: ix.cands, ids: ix.ids, recBase: ix.recBase, mask: ix.mask, keys: [ix.data[0], ix.data[SLOT]] }).toEqual({ cands: [], ids: [], recBase: 2 * SLOT, mask: 1, keys: [-1, -1] });
    for (let a = 0; a < 64; a++) expect(slotOf(ix, exactKey(a))).toBe(-1);
  });
});

// The lead's run of lines 327-429 (2026-12-08 01:16-01:28, MUTATION.md "Lead, 2026-12-08"): a pattern key in slot 0
// was read as absent (`s <= 0`), and mergeSlots' size of the programs was not checked.
describe('identity-index: lookups and merges', () => {
  const patternGrant = (prefix: number): RoleGrantGroup => ({ service: null, role, actions: [], prefixes: [prefix] });

  it('finds a pattern prefix and an exact action wherever its slot falls, slot 0 included', () => {
    const slots = new Set<number>();
    for (let p = 0; p < 16; p++) {
      const ix = createIdentityIndex();
      stage(ix, cand('a'), patternGrant(p));
      stage(ix, cand('b'), grant([p]));
      sealIndex(ix, new Map());
      slots.add(slotOf(ix, patternKey(p)));
      expect(patternBucket(ix, p)?.allow.map((c) => c.id)).toEqual(['a']);
      expect(allowed(ix, p)).toEqual(['b']);
      expect([patternIdsOf(ix), exactIdsOfIndex(ix)]).toEqual([[p], [p]]);
    }
    expect(slots.has(0)).toBe(true);
  });

  it('merges slots into one index whose data ends where its last record ends (no byte allocated past it)', () => {
    const a = createIdentityIndex();
    stage(a, cand('a1'), grant([1]));
    stage(a, cand('a2'), grant([1, 2]));
    sealIndex(a, new Map());
    const b = createIdentityIndex();
    stage(b, cand('b1'), grant([1]));
    sealIndex(b, new Map());
    const merged = mergeSlots([a, b], [slotOf(a, exactKey(1)), slotOf(b, exactKey(1))]);
    expect(merged.ids).toEqual(['a1', 'a2', 'b1']);
    // two slots, three records, three ids, and no program: the records' program ranges are empty
    expect(merged.data.length).toBe(2 * SLOT + 3 * REC + 3);
  });
});
