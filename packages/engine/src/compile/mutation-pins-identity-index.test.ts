// Pins of identity-index.ts (issue 12, MUTATION.md, section "mutidx"): the staging an update goes through, and the
// empty index every identity starts as. The layout itself is pinned in identity-index.test.ts.
import { describe, expect, it } from 'vitest';
import { createIdentityIndex, exactBucket, exactKey, sealIndex, SLOT, slotOf, stage, unstagePolicy } from './identity-index.js';
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
