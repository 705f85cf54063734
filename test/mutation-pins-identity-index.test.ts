// Pins of identity-index.ts's seal (issue 12, MUTATION.md section "mutidx2"): the survivors of the StrykerJS run of
// lines 1-326 under vitest.mutation-idx.config.ts, each seen failing with its mutant written into the source by hand.
// The seal's scratch (keyOrdinal, keyOf, staged, programEnds) is module state that only grows: the first describe
// here must run first in its file (vitest runs a file's tests in order, each file in a fresh module graph), so that the
// scratch is still at its initial size when the sweep crosses it.
import { describe, expect, it } from 'vitest';
import { compileAttribute } from '../packages/engine/src/compile/compile-matchers.js';
import { FlatOp } from '../packages/engine/src/compile/flat-conditions.js';
import { bucketAt, CandFlag, createIdentityIndex, exactKey, patternKey, REC, sealIndex, slotOf, stage, unstagePolicy } from '../packages/engine/src/compile/identity-index.js';
import type { Candidate, CompiledPolicy, IdentityIndex, RoleGrantGroup, RoleInfo } from '../packages/engine/src/compile/tables.js';

const role: RoleInfo = { id: 'R', scopeType: null, admin: null };
const cand = (id: string, extra: Partial<Candidate> = {}): Candidate => ({
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
  ...extra,
});
const grant = (actions: number[], prefixes: number[] = []): RoleGrantGroup => ({ service: null, role, actions, prefixes });
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
/** The ids under a key, denies then allows, or null when the index holds no such key. */
const under = (ix: IdentityIndex, key: number) => {
  const s = slotOf(ix, key);
  if (s < 0) return null;
  const b = bucketAt(ix, s);
  return { deny: b.deny.map((c) => c.id), allow: b.allow.map((c) => c.id) };
};

describe('identity-index: the seal outgrows its scratch', () => {
  // candidate 0 ('z') stands under no key: a key that lost its ordinal reads candidate number 0 from a zeroed range
  it('every action and prefix key from 0 up, in one seal, holds the one candidate granted it (the key ordinals cross each size)', () => {
    const ix = createIdentityIndex();
    stage(ix, cand('z'), grant([]));
    stage(ix, cand('a'), grant(range(2100), range(2100)));
    sealIndex(ix, new Map());
    const wrong: number[] = [];
    for (let k = 0; k < 4200; k++) if (JSON.stringify(under(ix, k)) !== '{"deny":[],"allow":["a"]}') wrong.push(k);
    expect(wrong).toEqual([]);
    expect(under(ix, 4200)).toBeNull();
  });

  it('a key far past every size the scratch had holds its candidate', () => {
    const ix = createIdentityIndex();
    stage(ix, cand('z'), grant([1]));
    stage(ix, cand('a'), grant([100_000], [150_000]));
    sealIndex(ix, new Map());
    expect([under(ix, exactKey(1)), under(ix, exactKey(100_000)), under(ix, patternKey(150_000))]).toEqual([
      { deny: [], allow: ['z'] },
      { deny: [], allow: ['a'] },
      { deny: [], allow: ['a'] },
    ]);
  });

  it('300 candidates staged at once keep each its own record (flags, service, equality) and program', () => {
    const names = new Map<string, number>();
    const strings = new Map<string, number>();
    const ix = createIdentityIndex();
    const n = 300;
    const matchers = range(n).map((i) => compileAttribute(names, 'resourceType', 'stringEquals', `t${i}`));
    for (let i = 0; i < n; i++) {
      const c = cand(`c${i}`, { deny: i % 3 === 0, service: `s${i}`, eqAttr: 7, eqValue: `v${i}`, rest: [matchers[i]!] });
      stage(ix, c, grant([i % 5]));
    }
    sealIndex(ix, strings);
    const wrong: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = ix.recBase + i * REC;
      const record = Array.from(ix.data.subarray(r, r + 4));
      const program = Array.from(ix.data.subarray(ix.data[r + 4]!, ix.data[r + 5]!));
      const want = [i % 3 === 0 ? CandFlag.Deny : 0, strings.get(`s${i}`), 7, strings.get(`v${i}`)];
      const wantProgram = [FlatOp.Eq, matchers[i]!.attr, strings.get(`t${i}`)];
      if (ix.cands[i]!.id !== `c${i}` || JSON.stringify(record) !== JSON.stringify(want) || JSON.stringify(program) !== JSON.stringify(wantProgram)) wrong.push(`c${i}`);
    }
    expect(wrong).toEqual([]);
    // and each under its action, denies first
    const b = under(ix, exactKey(0))!;
    expect(b.deny).toEqual(range(n).filter((i) => i % 5 === 0 && i % 3 === 0).map((i) => `c${i}`));
    expect(b.allow).toEqual(range(n).filter((i) => i % 5 === 0 && i % 3 !== 0).map((i) => `c${i}`));
  });
});

describe('identity-index: a reseal', () => {
  // the run's survivor at line 204 (`let cands = ['Stryker was here']`): a reseal that keeps candidates numbered them
  // from 1 and held a ghost candidate 0 that no key names; the decisions read only through the keys, the analyses and
  // the id lists (`ids`) read every candidate
  it('holds exactly the kept candidates then the staged ones, numbered from 0, and their ids beside them', () => {
    const ix = createIdentityIndex();
    const strings = new Map<string, number>();
    stage(ix, cand('a', { service: 'cos' }), grant([1]));
    stage(ix, cand('b', { deny: true }), grant([1, 2]));
    sealIndex(ix, strings);
    stage(ix, cand('c'), grant([2]));
    sealIndex(ix, strings);
    expect([ix.cands.map((c) => c.id), ix.ids]).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
    expect([under(ix, exactKey(1)), under(ix, exactKey(2))]).toEqual([
      { deny: ['b'], allow: ['a'] },
      { deny: ['b'], allow: ['c'] },
    ]);
    expect(ix.data[ix.recBase + 1]).toBe(strings.get('cos'));
  });

  // the run's survivors at lines 278-279: pass 2 skipping kept candidate 0 (`n <= 0`) and writing a key's kept denies
  // backwards (`denyAt[o]--`) left a range out of order or holding candidate 0, unseen while each key held one of each
  it('keeps several kept candidates of one key, candidate 0 among them, in order in each half', () => {
    const ix = createIdentityIndex();
    for (const [id, deny] of [['a', false], ['x', true], ['b', false], ['y', true]] as const) stage(ix, cand(id, { deny }), grant([1]));
    sealIndex(ix, new Map());
    expect(under(ix, exactKey(1))).toEqual({ deny: ['x', 'y'], allow: ['a', 'b'] });
    stage(ix, cand('c'), grant([1, 2]));
    sealIndex(ix, new Map());
    expect([under(ix, exactKey(1)), under(ix, exactKey(2))]).toEqual([
      { deny: ['x', 'y'], allow: ['a', 'b', 'c'] },
      { deny: [], allow: ['c'] },
    ]);
  });

  it('a removal with nothing staged drops the policy and keeps the rest', () => {
    const ix = createIdentityIndex();
    stage(ix, cand('a'), grant([1]));
    stage(ix, cand('b'), grant([1, 2]));
    sealIndex(ix, new Map());
    unstagePolicy(ix, 'b');
    expect(ix.pending).toBeNull();
    sealIndex(ix, new Map());
    // (whether key 2 stays, with an empty range, is the seal's business: it holds no candidate)
    expect([ix.ids, under(ix, exactKey(1)), under(ix, exactKey(2))?.allow ?? []]).toEqual([['a'], { deny: [], allow: ['a'] }, []]);
  });
});

describe('identity-index: the layout’s size', () => {
  // the run's survivor at line 239 (`<=`: one size up whenever the keys fill exactly three quarters of the slots): the
  // fill is a measured design (ARCHITECTURE.md: the slots were four fifths of the tables' typed memory at L at one half)
  it('takes the fewest slots, a power of two, that keeps the keys at most three quarters full', () => {
    const sizes: number[][] = [];
    for (let n = 1; n <= 40; n++) {
      const ix = createIdentityIndex();
      stage(ix, cand('a'), grant(range(n)));
      sealIndex(ix, new Map());
      let want = 2;
      while (want * 3 < n * 4) want *= 2;
      if (ix.mask + 1 !== want) sizes.push([n, ix.mask + 1, want]);
    }
    expect(sizes).toEqual([]);
  });

  // the run's survivor at line 243 (`o <= nkeys`: the ranges' size counted one key past the index's, a stale scratch
  // count of the seal before): the array was allocated past its last program
  it('ends where its last record’s program ends, after a seal of more keys and candidates', () => {
    const names = new Map<string, number>();
    const strings = new Map<string, number>();
    const big = createIdentityIndex();
    for (let i = 0; i < 6; i++) stage(big, cand(`b${i}`, { deny: i % 2 === 0 }), grant(range(8)));
    sealIndex(big, strings);
    const ix = createIdentityIndex();
    stage(ix, cand('a', { rest: [compileAttribute(names, 'resourceType', 'stringEquals', 'bucket')] }), grant([1]));
    stage(ix, cand('d', { deny: true, rest: [compileAttribute(names, 'resourceType', 'stringEquals', 'object')] }), grant([2]));
    sealIndex(ix, strings);
    stage(ix, cand('c'), grant([3]));
    sealIndex(ix, strings);
    for (const x of [big, ix]) {
      const last = x.recBase + (x.cands.length - 1) * REC;
      expect(x.data.length).toBe(x.data[last + 5]);
    }
    expect(ix.data[ix.data[ix.recBase + 4]!]).toBe(FlatOp.Eq);
  });
});
