import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile-source.js';
import { parseSource } from '../model/parse-source.js';
import { referenceAuthorize } from '../testing/reference-evaluator.js';
import { authorize } from './authorize.js';

const pol = (id: string, subject: { kind: 'group' | 'principal'; id: string }, resource: string, effect = 'allow') => ({
  id,
  accountId: 'A',
  effect,
  subject,
  roles: ['R'],
  resource: { attributes: [{ name: 'resource', operator: 'stringEquals', value: resource }] },
});

// u1 holds: its own policies (2), group small (3 on the action), group big (10 on the action: a prefiltered range)
const source = parseSource({
  version: 1,
  accounts: [{ id: 'A', system: 'ibm' }],
  roles: [{ id: 'R', kind: 'custom', accountId: 'A', actions: ['svc.read'] }],
  principals: [{ id: 'u1', accountId: 'A', kind: 'user' }],
  groups: [
    { id: 'small', accountId: 'A', name: 'small', members: ['u1'] },
    { id: 'big', accountId: 'A', name: 'big', members: ['u1'] },
  ],
  policies: [
    pol('own1', { kind: 'principal', id: 'u1' }, 'r1'),
    pol('own2', { kind: 'principal', id: 'u1' }, 'r2', 'deny'),
    ...['r1', 'r3', 'r4'].map((r, i) => pol(`small${i}`, { kind: 'group', id: 'small' }, r)),
    ...Array.from({ length: 10 }, (_, i) => pol(`big${i}`, { kind: 'group', id: 'big' }, `r${i}`)),
  ],
});
const ask = (r: string) => ({ subject: { id: 'u1' }, action: 'svc.read', resource: { attributes: { accountId: 'A', resource: r } }, environment: { now: 0 } });
const core = (d: { allowed: boolean; reason: string; policies: string[] }) => ({ allowed: d.allowed, reason: d.reason, policies: d.policies });

describe("a principal's own ranges", () => {
  it('are kept apart on first use, then the small ones merged while a prefiltered one stays apart; decisions never change', () => {
    const tables = compile(source);
    const p = tables.accounts.get('A')!.principals.get('u1')!;
    const entry = () => [...p.ownBuckets!.values()][0]!;
    const once = core(authorize(tables, ask('r1')));
    expect(entry().merged).toBe(false);
    expect(entry().ixs.length).toBe(3);
    const first = ['r1', 'r2', 'r3', 'r7', 'r9'].map((r) => core(authorize(tables, ask(r))));
    expect(first[0]).toEqual(once);
    const second = ['r1', 'r2', 'r3', 'r7', 'r9'].map((r) => core(authorize(tables, ask(r))));
    expect(second).toEqual(first);
    expect(entry().merged).toBe(true);
    // own + small merged into one range (2 + 3 candidates), big apart with its prefilter
    expect(entry().ixs.length).toBe(2);
    expect(entry().ixs[0]!.cands.map((c) => c.id)).toEqual(['own2', 'own1', 'small0', 'small1', 'small2']);
    expect(entry().ixs[1]).toBe(tables.accounts.get('A')!.groups.get('big')!.index);
    for (const r of ['r1', 'r2', 'r3', 'r7', 'r9', 'r11']) expect(core(authorize(tables, ask(r)))).toEqual(core(referenceAuthorize(source, ask(r))));
    expect(first[0]).toEqual({ allowed: true, reason: 'allow', policies: ['big1', 'own1', 'small0'] });
    expect(first[1]!.reason).toBe('explicit-deny');
  });
});
