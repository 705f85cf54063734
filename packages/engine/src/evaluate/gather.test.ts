import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile-source.js';
import { parseSource } from '../model/parse-source.js';
import { referenceAuthorize } from '../testing/reference-evaluator.js';
import { ACCEL_MIN } from '../compile/bucket-accel.js';
import { authorize, decideOne } from './authorize.js';

const pol = (id: string, subject: { kind: 'group' | 'principal'; id: string }, resource: string, effect = 'allow') => ({
  id,
  accountId: 'A',
  effect,
  subject,
  roles: ['R'],
  resource: { attributes: [{ name: 'resource', operator: 'stringEquals', value: resource }] },
});

// u1 holds: its own policies (2), group small (3 on the action), group big (ACCEL_MIN + 2 on the action: a prefiltered range)
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
    ...Array.from({ length: ACCEL_MIN + 2 }, (_, i) => pol(`big${i}`, { kind: 'group', id: 'big' }, `r${i}`)),
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

describe("a principal's gathered ranges hold its dynamic groups for a window of time, and the public group", () => {
  const realm = 'https://idp.example.com/realms/corp';
  const HOUR = 3_600_000;
  const at = (t: number) => new Date(t).toISOString();
  // u1 logs in to `dyn` over [10h, 20h) and to `late` over [30h, 40h); `dyn` also has a claim rule u1's claims match
  const timed = parseSource({
    version: 1,
    accounts: [{ id: 'A', system: 'ibm' }],
    roles: [{ id: 'R', kind: 'custom', accountId: 'A', actions: ['svc.read'] }],
    principals: [{ id: 'u1', accountId: 'A', kind: 'user' }],
    groups: [
      { id: 'dyn', accountId: 'A', name: 'dyn', rules: [{ id: 'r1', realmName: realm, expiration: 12, conditions: [{ claim: 'dept', operator: 'EQUALS', value: '"eng"' }] }] },
      { id: 'late', accountId: 'A', name: 'late' },
    ],
    memberships: [
      { accountId: 'A', principalId: 'u1', groupId: 'dyn', realm, loginAt: at(10 * HOUR), expiresAt: at(20 * HOUR) },
      { accountId: 'A', principalId: 'u1', groupId: 'late', realm, loginAt: at(30 * HOUR), expiresAt: at(40 * HOUR) },
    ],
    policies: [
      pol('own', { kind: 'principal', id: 'u1' }, 'r1'),
      pol('viaDyn', { kind: 'group', id: 'dyn' }, 'r2'),
      pol('viaLate', { kind: 'group', id: 'late' }, 'r3'),
      pol('public', { kind: 'group', id: 'AccessGroupId-PublicAccess' }, 'r4'),
    ],
  });
  const askAt = (r: string, now: number, claims?: object) => ({
    subject: claims === undefined ? { id: 'u1' } : { id: 'u1', claims: { realm, attributes: claims } },
    action: 'svc.read',
    resource: { attributes: { accountId: 'A', resource: r } },
    environment: { now },
  });

  it('decide as the reference at every time, asked in an order that leaves and re-enters each window (each asked twice, so merged ranges are read too)', () => {
    const tables = compile(timed);
    const times = [15, 25, 15, 5, 35, 45, 10, 20, 30, 40, 19].map((h) => h * HOUR);
    for (const now of times)
      for (let twice = 0; twice < 2; twice++)
        for (const r of ['r1', 'r2', 'r3', 'r4']) expect(core(authorize(tables, askAt(r, now)))).toEqual(core(referenceAuthorize(timed, askAt(r, now))));
    // the windows are real: the dynamic policies allow inside and only inside
    expect(authorize(tables, askAt('r2', 15 * HOUR)).allowed).toBe(true);
    expect(authorize(tables, askAt('r2', 25 * HOUR)).allowed).toBe(false);
    expect(authorize(tables, askAt('r3', 35 * HOUR)).allowed).toBe(true);
    expect(authorize(tables, askAt('r3', 15 * HOUR)).allowed).toBe(false);
    expect(authorize(tables, askAt('r4', 25 * HOUR)).allowed).toBe(true);
  });

  it('tell the usage figures of a group held both dynamically and by claims once', () => {
    const tables = compile(timed);
    for (let twice = 0; twice < 2; twice++) {
      const told: string[][] = [];
      const d = decideOne(tables, askAt('r2', 15 * HOUR, { dept: 'eng' }), undefined, (ps) => told.push(ps.map((p) => p.id)));
      expect(core(d)).toEqual({ allowed: true, reason: 'allow', policies: ['viaDyn'] });
      expect(told).toEqual([['viaDyn']]);
    }
    // outside the login's window the claims alone hold the group
    expect(core(authorize(tables, askAt('r2', 25 * HOUR, { dept: 'eng' })))).toEqual({ allowed: true, reason: 'allow', policies: ['viaDyn'] });
  });
});
