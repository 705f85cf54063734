import { describe, expect, it } from 'vitest';
import {
  bucketAt,
  CandFlag,
  createIdentityIndex,
  exactBucket,
  exactIdsOfIndex,
  exactKey,
  mergeSlots,
  patternBucket,
  patternIdsOf,
  patternKey,
  REC,
  sealIndex,
  SLOT,
  slotOf,
  stage,
  unstagePolicy,
} from './identity-index.js';
import type { Candidate, CompiledPolicy, IdentityIndex, RoleGrantGroup, RoleInfo } from './tables.js';
import { compileAttribute } from './compile-matchers.js';
import { FlatOp, ScopeCode } from './flat-conditions.js';
import { TailOp } from './flat-tail.js';

const role: RoleInfo = { id: 'R', scopeType: null, admin: null };
const cand = (id: string, deny = false, extra: Partial<Candidate> = {}): Candidate => ({
  id,
  deny,
  error: null,
  slow: false,
  policy: { id, scopes: null, nodes: null, expiresAt: Number.POSITIVE_INFINITY, tags: [] } as unknown as CompiledPolicy,
  role,
  service: null,
  attributes: [],
  eqAttr: -1,
  eqValue: '',
  rest: [],
  ...extra,
});
const grant = (actions: number[], prefixes: number[] = []): RoleGrantGroup => ({ service: null, role, actions, prefixes });
const ids = (ix: ReturnType<typeof createIdentityIndex>, key: number) => {
  const s = slotOf(ix, key);
  if (s < 0) return null;
  const b = bucketAt(ix, s);
  return { deny: b.deny.map((c) => c.id), allow: b.allow.map((c) => c.id) };
};

describe('the flat identity index', () => {
  it('places staged candidates under every key of their grant, denies first, in staging order', () => {
    const ix = createIdentityIndex();
    expect(slotOf(ix, exactKey(0))).toBe(-1);
    stage(ix, cand('a'), grant([0, 3], [1]));
    stage(ix, cand('d', true), grant([3]));
    stage(ix, cand('b'), grant([3]));
    const strings = new Map<string, number>();
    sealIndex(ix, strings);
    expect(ids(ix, exactKey(3))).toEqual({ deny: ['d'], allow: ['a', 'b'] });
    expect(ids(ix, exactKey(0))).toEqual({ deny: [], allow: ['a'] });
    expect(ids(ix, patternKey(1))).toEqual({ deny: [], allow: ['a'] });
    expect(ids(ix, patternKey(0))).toBeNull();
    expect([ix.exactCount, ix.patternCount]).toEqual([2, 1]);
    expect(exactIdsOfIndex(ix).sort()).toEqual([0, 3]);
    expect(patternIdsOf(ix)).toEqual([1]);
    expect(exactBucket(ix, -1)).toBeUndefined();
    expect(exactBucket(ix, 7)).toBeUndefined();
    expect(patternBucket(ix, 1)?.allow.map((c) => c.id)).toEqual(['a']);
    expect(patternBucket(ix, 5)).toBeUndefined();
    // a view is built once per seal
    expect(exactBucket(ix, 3)).toBe(exactBucket(ix, 3));
  });

  it('holds keys far beyond its scratch size, and many keys in few probes', () => {
    const ix = createIdentityIndex();
    const many = Array.from({ length: 300 }, (_, i) => i * 37 + 5000);
    stage(ix, cand('a'), grant(many, [9000]));
    sealIndex(ix, new Map());
    for (const a of many) expect(ids(ix, exactKey(a))).toEqual({ deny: [], allow: ['a'] });
    expect(ids(ix, patternKey(9000))).toEqual({ deny: [], allow: ['a'] });
    expect((ix.mask + 1) * 3).toBeGreaterThanOrEqual(4 * 301);
    expect(ix.mask + 1).toBeLessThan(2 * 301);
    // a second index after it: the scratch was reset, so no key leaks in
    const other = createIdentityIndex();
    stage(other, cand('b'), grant([5000]));
    sealIndex(other, new Map());
    expect(ids(other, exactKey(5037))).toBeNull();
    expect(ids(other, exactKey(5000))).toEqual({ deny: [], allow: ['b'] });
  });

  it('removes a policy from what was sealed and from what is staged, keeps one added again after, and copies kept records', () => {
    const ix = createIdentityIndex();
    const strings = new Map<string, number>();
    stage(ix, cand('a', false, { service: 'cos', eqAttr: 3, eqValue: 'r1' }), grant([1]));
    stage(ix, cand('b', true, { rest: [{} as never] }), grant([1]));
    sealIndex(ix, strings);
    stage(ix, cand('c'), grant([1]));
    unstagePolicy(ix, 'c');
    unstagePolicy(ix, 'b');
    stage(ix, cand('b', false, { slow: true }), grant([2]));
    sealIndex(ix, strings);
    expect(ids(ix, exactKey(1))).toEqual({ deny: [], allow: ['a'] });
    expect(ids(ix, exactKey(2))).toEqual({ deny: [], allow: ['b'] });
    const rec = (id: string) => {
      const n = ix.cands.findIndex((c) => c.id === id);
      const r = Array.from(ix.data.subarray(ix.recBase + n * REC, ix.recBase + n * REC + REC));
      // the program's bounds are positions in the array; what matters is that it is empty
      expect(r[4]).toBe(r[5]);
      return r.slice(0, 4);
    };
    expect(rec('a')).toEqual([0, strings.get('cos'), 3, strings.get('r1')]);
    expect(rec('b')).toEqual([CandFlag.Tail, -1, -1, -1]);
    // nothing staged: sealing again changes nothing
    const data = ix.data;
    sealIndex(ix, strings);
    expect(ix.data).toBe(data);
  });

  it('merges slots of several indexes into one range: all denies, then all allows, records copied', () => {
    const x = createIdentityIndex();
    const y = createIdentityIndex();
    const strings = new Map<string, number>();
    stage(x, cand('xa'), grant([1]));
    stage(x, cand('xd', true, { error: 'bad' }), grant([1]));
    stage(y, cand('ya', false, { service: 's' }), grant([1]));
    stage(y, cand('yd', true), grant([1]));
    sealIndex(x, strings);
    sealIndex(y, strings);
    const m = mergeSlots([x, y], [slotOf(x, exactKey(1)), slotOf(y, exactKey(1))]);
    expect(ids(m, 0)).toEqual({ deny: ['xd', 'yd'], allow: ['xa', 'ya'] });
    expect(m.data[SLOT]).toBe(-1);
    const flags = m.cands.map((_, n) => m.data[m.recBase + n * REC]);
    expect(flags).toEqual([CandFlag.Deny | CandFlag.Error, CandFlag.Deny, 0, 0]);
    expect(m.data[m.recBase + 3 * REC + 1]).toBe(strings.get('s'));
  });

  it('writes plain equalities and scopes as a program, copies it when resealing and when merging, and leaves the rest to the tail', () => {
    const names = new Map<string, number>();
    const eq = compileAttribute(names, 'resourceType', 'stringEquals', 'bucket');
    const type = compileAttribute(names, 'serviceType', 'stringEquals', 'service');
    const glob = compileAttribute(names, 'resource', 'stringMatch', 'b*');
    // a glob with `?` is no single literal: it stays in the side table (flat-tail.ts)
    const general = compileAttribute(names, 'resource', 'stringMatch', 'b?*');
    const zoneRole: RoleInfo = { id: 'Z', scopeType: 'zone', admin: null };
    const scoped = {
      id: 'p',
      expiresAt: Number.POSITIVE_INFINITY,
      serviceSubject: null,
      federatedGroup: false,
      tags: [],
      nodes: null,
      rule: null,
      scopes: [
        { type: 'zone', accountId: 'acc', zone: 'z1' },
        { type: 'zone', accountId: 'acc', zone: '*' },
      ],
    } as unknown as CompiledPolicy;
    const ix = createIdentityIndex();
    const strings = new Map<string, number>();
    stage(ix, cand('p', false, { policy: scoped, role: zoneRole, slow: true, rest: [eq, type] }), grant([1]));
    stage(ix, cand('q', false, { rest: [eq, glob] }), grant([1]));
    stage(ix, cand('g', false, { rest: [eq, general] }), grant([1]));
    sealIndex(ix, strings);
    const s = (x: string) => strings.get(x)!;
    const program = (m: IdentityIndex, id: string) => {
      const n = m.cands.findIndex((c) => c.id === id);
      const r = m.recBase + n * REC;
      return { tail: (m.data[r]! & CandFlag.Tail) !== 0, program: Array.from(m.data.subarray(m.data[r + 4]!, m.data[r + 5]!)) };
    };
    const p = {
      // scopes are all the slow part it has: no tail
      tail: false,
      program: [
        [FlatOp.Eq, eq.attr, s('bucket')],
        [FlatOp.SvcType, s('service'), 0],
        [FlatOp.ScopeType, ScopeCode.Zone, 0],
        [FlatOp.Any, 2, 0],
        [FlatOp.Zone, s('acc'), s('z1')],
        [FlatOp.Zone, s('acc'), -1],
      ].flat(),
    };
    // a prefix glob is a Text step: its kind and length, then its one code unit in the high half of an int
    const q = { tail: false, program: [FlatOp.Eq, eq.attr, s('bucket'), TailOp.Text, glob.attr, 1 | (1 << 3), 'b'.charCodeAt(0) << 16, 0, 0] };
    const g = { tail: true, program: [FlatOp.Eq, eq.attr, s('bucket')] };
    expect(program(ix, 'p')).toEqual(p);
    expect(program(ix, 'q')).toEqual(q);
    expect(program(ix, 'g')).toEqual(g);
    // an update that keeps both copies their programs from the old array
    stage(ix, cand('r'), grant([2]));
    sealIndex(ix, strings);
    expect(program(ix, 'p')).toEqual(p);
    expect(program(ix, 'q')).toEqual(q);
    expect(program(ix, 'r')).toEqual({ tail: false, program: [] });
    const m = mergeSlots([ix, ix], [slotOf(ix, exactKey(2)), slotOf(ix, exactKey(1))]);
    expect(program(m, 'p')).toEqual(p);
    expect(program(m, 'q')).toEqual(q);
    expect(program(m, 'g')).toEqual(g);
  });
});
