import { describe, expect, it } from 'vitest';
import { DecisionCache } from './decision-cache.js';
import { compile } from '../compile/compile-source.js';
import { parseSource } from '../model/parse-source.js';
import type { AuthorizeRequest, Decision } from '../evaluate/types.js';
import type { CompiledPolicy } from '../compile/tables.js';

const tables = compile(
  parseSource({
    version: 1,
    accounts: [{ id: 'a1', system: 'ibm' }],
    resources: ['r1', 'r2', 'r3'].map((id) => ({ id, accountId: 'a1', attributes: { serviceName: 'cos' } })),
  }),
);

const req = (resource: string, subject?: string, action = 'cos.read', accountId?: string): AuthorizeRequest => ({
  subject: subject === undefined ? {} : accountId === undefined ? { id: subject } : { id: subject, accountId },
  action,
  resource: { id: resource },
});
const decision = (id: string): Decision => ({ allowed: true, reason: 'allow', policies: [id] });

describe('DecisionCache', () => {
  it('keys on resource, action, subject id and subject account, each compared exactly', () => {
    const cache = new DecisionCache(16);
    cache.set(req('r1', 'u1'), decision('a'), [], tables, 1, 0);
    cache.set(req('r1', 'u2'), decision('b'), [], tables, 1, 0);
    cache.set(req('r1'), decision('c'), [], tables, 1, 0);
    cache.set(req('r1', 'u1', 'cos.write'), decision('d'), [], tables, 1, 0);
    cache.set(req('r1', 'u1', 'cos.read', 'a1'), decision('e'), [], tables, 1, 0);
    expect(cache.size).toBe(5);
    expect(cache.get(req('r1', 'u1'), 1, 0)?.decision.policies).toEqual(['a']);
    expect(cache.get(req('r1', 'u2'), 1, 0)?.decision.policies).toEqual(['b']);
    expect(cache.get(req('r1'), 1, 0)?.decision.policies).toEqual(['c']);
    expect(cache.get(req('r1', 'u1', 'cos.write'), 1, 0)?.decision.policies).toEqual(['d']);
    expect(cache.get(req('r1', 'u1', 'cos.read', 'a1'), 1, 0)?.decision.policies).toEqual(['e']);
    expect(cache.get(req('r2', 'u1'), 1, 0)).toBeUndefined();
    // another revision, or a time before the entry was computed, is a miss
    expect(cache.get(req('r1', 'u1'), 2, 0)).toBeUndefined();
    expect(cache.get(req('r1', 'u1'), 1, -1)).toBeUndefined();
  });

  it('refuses what it must not hold: unregistered resources, another account, an unauthenticated id, extra fields', () => {
    const cache = new DecisionCache(16);
    cache.set(req('nope', 'u1'), decision('a'), [], tables, 1, 0);
    cache.set(req('r1', 'u1', 'cos.read', 'other'), decision('b'), [], tables, 1, 0);
    cache.set({ ...req('r1', 'u1'), subject: { id: 'u1', authenticated: false } }, decision('c'), [], tables, 1, 0);
    cache.set({ ...req('r1', 'u1'), environment: { now: 0 } }, decision('d'), [], tables, 1, 0);
    cache.set(req('r1', 'u1'), { allowed: false, reason: 'invalid-request', policies: [] }, [], tables, 1, 0);
    expect(cache.size).toBe(0);
    expect(cache.get({ ...req('r1', 'u1'), environment: { now: 0 } }, 1, 0)).toBeNull();
    expect(cache.get(null as unknown as AuthorizeRequest, 1, 0)).toBeNull();
    expect(new DecisionCache(0).get(req('r1', 'u1'), 1, 0)).toBeUndefined();
  });

  it('replaces an entry in place and evicts by second chance, from the head or the middle of a resource chain', () => {
    const cache = new DecisionCache(3);
    const hit = (r: string, u: string, revision = 1) => cache.get(req(r, u), revision, 0)?.decision.policies;
    cache.set(req('r1', 'u1'), decision('a'), [], tables, 1, 0);
    cache.set(req('r1', 'u2'), decision('b'), [], tables, 1, 0);
    // replaced in place, which counts as a use
    cache.set(req('r1', 'u1'), decision('a2'), [], tables, 2, 0);
    expect(cache.size).toBe(2);
    cache.set(req('r2', 'u1'), decision('c'), [], tables, 1, 0);
    // full: the hand passes r1/u1 (used: cleared) and takes r1/u2, the head of r1's chain (entries are prepended)
    cache.set(req('r3', 'u1'), decision('d'), [], tables, 1, 0);
    expect(cache.size).toBe(3);
    expect(hit('r1', 'u2')).toBeUndefined();
    expect(hit('r1', 'u1', 2)).toEqual(['a2']);
    expect(hit('r3', 'u1')).toEqual(['d']);
    // r2/u1 was never used since it came: it goes, the only entry of its chain, though older entries were used
    cache.set(req('r2', 'u2'), decision('e'), [], tables, 1, 0);
    expect(hit('r2', 'u1')).toBeUndefined();
    expect(hit('r2', 'u2')).toEqual(['e']);
    // all three used: the hand clears each and comes back to r1/u1
    cache.set(req('r1', 'u3'), decision('f'), [], tables, 1, 0);
    expect(hit('r1', 'u1', 2)).toBeUndefined();
    expect([hit('r3', 'u1'), hit('r2', 'u2'), hit('r1', 'u3')]).toEqual([['d'], ['e'], ['f']]);
    // flags cleared by a full turn and set again by those hits: the hand clears r3/u1, r2/u2, r1/u3, then takes r3/u1
    cache.set(req('r1', 'u4'), decision('g'), [], tables, 1, 0);
    expect(hit('r3', 'u1')).toBeUndefined();
    // r1 holds u4 (head) then u3; the hand is at r2/u2 (unused now), then r1/u3 (unused): an entry behind the head goes
    cache.set(req('r2', 'u3'), decision('h'), [], tables, 1, 0);
    expect(hit('r2', 'u2')).toBeUndefined();
    cache.set(req('r3', 'u9'), decision('i'), [], tables, 1, 0);
    expect(cache.size).toBe(3);
    expect(hit('r1', 'u3')).toBeUndefined();
    expect([hit('r1', 'u4'), hit('r2', 'u3'), hit('r3', 'u9')]).toEqual([['g'], ['h'], ['i']]);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(hit('r1', 'u4')).toBeUndefined();
  });

  it('counts the hits of an allow in bulk: on drain, before its entry is replaced, evicted or cleared, never twice', () => {
    const counted: [string, number][] = [];
    const cache = new DecisionCache(2, (allowed, n) => counted.push([allowed.map((p) => p.id).join(), n]));
    const pol = (id: string) => [{ id } as CompiledPolicy];
    const hitTimes = (r: string, u: string, n: number) => {
      for (let i = 0; i < n; i++) cache.countHit(cache.get(req(r, u), 1, 0)!);
    };
    cache.set(req('r1', 'u1'), decision('a'), pol('a'), tables, 1, 0);
    cache.set(req('r2', 'u1'), decision('b'), pol('b'), tables, 1, 0);
    hitTimes('r1', 'u1', 3);
    hitTimes('r2', 'u1', 2);
    expect(counted).toEqual([]);
    cache.drainHits();
    expect(counted).toEqual([['a', 3], ['b', 2]]);
    cache.drainHits();
    expect(counted).toHaveLength(2);
    // replaced: its hits are counted on the policies it had
    hitTimes('r1', 'u1', 1);
    cache.set(req('r1', 'u1'), decision('a2'), pol('a2'), tables, 1, 0);
    expect(counted[2]).toEqual(['a', 1]);
    // evicted: both were used, so the hand clears both and comes back to r1/u1
    hitTimes('r1', 'u1', 2);
    hitTimes('r2', 'u1', 1);
    cache.set(req('r3', 'u1'), decision('c'), pol('c'), tables, 1, 0);
    expect(counted[3]).toEqual(['a2', 2]);
    cache.drainHits();
    expect(counted.slice(4)).toEqual([['b', 1]]);
    hitTimes('r3', 'u1', 4);
    cache.clear();
    expect(counted.slice(5)).toEqual([['c', 4]]);
  });

  it('freezes what it hands out', () => {
    const cache = new DecisionCache(4);
    const d = decision('a');
    cache.set(req('r1', 'u1'), d, [], tables, 1, 0);
    expect(Object.isFrozen(d) && Object.isFrozen(d.policies)).toBe(true);
  });
});
