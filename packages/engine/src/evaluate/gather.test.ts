import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile-source.js';
import { parseSource } from '../model/parse-source.js';
import { referenceAuthorize } from '../testing/reference-evaluator.js';
import { ACCEL_MIN } from '../compile/bucket-accel.js';
import { exactKey, patternKey, slotOf } from '../compile/identity-index.js';
import { authorize, createIdentitySet, decideOne, resolveIdentities } from './authorize.js';
import { ASKED_ONCE, createGathered, gather, holdsWithoutClaims, ownRangesOf, OWN_MAX } from './gather.js';

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
  it('are only marked as asked on first use, then the small ones merged while a prefiltered one stays apart; decisions never change', () => {
    const tables = compile(source);
    const p = tables.accounts.get('A')!.principals.get('u1')!;
    const entry = () => [...p.ownBuckets!.values()][0]!;
    const once = core(authorize(tables, ask('r1')));
    // nothing kept for a first use: the one shared mark
    expect(entry()).toBe(ASKED_ONCE);
    expect(entry().merged).toBe(false);
    expect(entry().ixs.length).toBe(0);
    expect(entry().slots.length).toBe(0);
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

// Pins of gather.ts's survivors (StrykerJS, issue 12, MUTATION.md section "mutevl"): what holdsWithoutClaims answers,
// the memo contract of ownRangesOf (what an entry holds, when it is kept, merged or gathered again, its bound) and
// that gather lists exactly the slots an identity holds.
describe('holdsWithoutClaims', () => {
  const realm = 'https://idp.example.com/realms/corp';
  const HOUR = 3_600_000;
  const world = (publicAccess: boolean) => {
    const tables = compile(
      parseSource({
        version: 1,
        accounts: [{ id: 'A', system: 'ibm', publicAccess }],
        principals: [{ id: 'u1', accountId: 'A', kind: 'user' }],
        groups: [
          { id: 'st', accountId: 'A', name: 'st', members: ['u1'] },
          { id: 'dyn', accountId: 'A', name: 'dyn' },
          { id: 'other', accountId: 'A', name: 'other' },
        ],
        memberships: [{ accountId: 'A', principalId: 'u1', groupId: 'dyn', realm, loginAt: new Date(10 * HOUR).toISOString(), expiresAt: new Date(20 * HOUR).toISOString() }],
      }),
    );
    const a = tables.accounts.get('A')!;
    return { a, p: a.principals.get('u1')!, g: (id: string) => a.groups.get(id)! };
  };

  it('holds a static group, the public group while public access is on, a dynamic group over [loginAt, expiresAt) only, and nothing else', () => {
    const { a, p, g } = world(true);
    expect(holdsWithoutClaims(a, p, g('st'), 15 * HOUR)).toBe(true);
    expect(holdsWithoutClaims(a, p, a.publicGroup, 15 * HOUR)).toBe(true);
    expect(holdsWithoutClaims(a, p, g('other'), 15 * HOUR)).toBe(false);
    expect([10 * HOUR - 1, 10 * HOUR, 15 * HOUR, 20 * HOUR - 1, 20 * HOUR].map((now) => holdsWithoutClaims(a, p, g('dyn'), now))).toEqual([false, true, true, true, false]);
    const off = world(false);
    expect(holdsWithoutClaims(off.a, off.p, off.a.publicGroup, 15 * HOUR)).toBe(false);
    expect(holdsWithoutClaims(off.a, off.p, off.g('st'), 15 * HOUR)).toBe(true);
  });
});

describe('the memo of ownRangesOf', () => {
  const HOUR = 3_600_000;
  const realm = 'https://idp.example.com/realms/corp';
  const actions = Array.from({ length: OWN_MAX + 1 }, (_, i) => `svc.a${i}`);
  /** u1 holds its own policies (2 per action), group `small` (3 per action) and group `big` (`big` per action, on one action each). */
  const world = (big: number, smallGroup = true) => {
    const polOn = (id: string, subject: { kind: 'group' | 'principal'; id: string }, r: string, role: string, effect = 'allow') => ({ ...pol(id, subject, r, effect), roles: [role] });
    const src = parseSource({
      version: 1,
      accounts: [{ id: 'A', system: 'ibm' }],
      roles: [
        { id: 'R', kind: 'custom', accountId: 'A', actions },
        { id: 'R0', kind: 'custom', accountId: 'A', actions: [actions[0]!] },
      ],
      principals: [{ id: 'u1', accountId: 'A', kind: 'user' }],
      groups: [
        { id: 'small', accountId: 'A', name: 'small', members: smallGroup ? ['u1'] : [] },
        { id: 'big', accountId: 'A', name: 'big', members: ['u1'] },
        { id: 'dyn', accountId: 'A', name: 'dyn' },
        { id: 'late', accountId: 'A', name: 'late' },
      ],
      memberships: [
        { accountId: 'A', principalId: 'u1', groupId: 'dyn', realm, loginAt: new Date(10 * HOUR).toISOString(), expiresAt: new Date(20 * HOUR).toISOString() },
        { accountId: 'A', principalId: 'u1', groupId: 'late', realm, loginAt: new Date(30 * HOUR).toISOString(), expiresAt: new Date(40 * HOUR).toISOString() },
      ],
      policies: [
        polOn('own1', { kind: 'principal', id: 'u1' }, 'r1', 'R'),
        polOn('own2', { kind: 'principal', id: 'u1' }, 'r2', 'R', 'deny'),
        ...['r1', 'r3', 'r4'].map((r, i) => polOn(`small${i}`, { kind: 'group', id: 'small' }, r, 'R')),
        ...Array.from({ length: big }, (_, i) => polOn(`big${i}`, { kind: 'group', id: 'big' }, `r${i}`, 'R0')),
      ],
    });
    const tables = compile(src);
    const a = tables.accounts.get('A')!;
    const p = a.principals.get('u1')!;
    const askAt = (action: string, now: number, r = 'r1') => ({ subject: { id: 'u1' }, action, resource: { attributes: { accountId: 'A', resource: r } }, environment: { now } });
    const once = (action: string, now: number) => authorize(tables, askAt(action, now));
    const check = (action: string, now: number) => {
      for (const r of ['r1', 'r2', 'r3', `r${big - 1}`]) expect(core(authorize(tables, askAt(action, now, r)))).toEqual(core(referenceAuthorize(src, askAt(action, now, r))));
    };
    // the memo keys a known action by its id
    const id = (action: string) => tables.actions.actions.get(action)!;
    return { a, p, id, once, check, entry: (action: string) => p.ownBuckets!.get(id(action))! };
  };

  it('merges on the second use, in whichever slot a small range sits, and keeps a range of exactly ACCEL_MIN apart with its own index', () => {
    const { a, p, id, once, check, entry } = world(ACCEL_MIN);
    const slotsSeen = new Set<number>();
    // R grants every action (own and small hold each), R0 only the first (big holds it)
    for (const action of actions.slice(0, 8)) {
      once(action, 15 * HOUR);
      expect(entry(action)).toBe(ASKED_ONCE);
      for (const ix of [p.index, a.groups.get('small')!.index]) slotsSeen.add(slotOf(ix, exactKey(id(action))));
      once(action, 15 * HOUR);
      const second = entry(action);
      expect(second.merged).toBe(true);
      // own + small merged into one range of 5; on the first action big (exactly ACCEL_MIN: prefiltered) stays apart
      expect(second.ixs[0]!.cands.map((c) => c.id).sort()).toEqual(['own1', 'own2', 'small0', 'small1', 'small2']);
      if (action === actions[0]) expect(second.ixs.slice(1)).toEqual([a.groups.get('big')!.index]);
      else expect(second.ixs.length).toBe(1);
      // INVARIANT (mergeSmall): the merged range has no prefilter, whatever its length: its memo slot says "none"
      check(action, 15 * HOUR);
      expect(second.ixs[0]!.accel).toEqual([null]);
      expect(entry(action)).toBe(second);
    }
    // the premise: some small range sat in a slot other than 0 (a slot's offset is slot * SLOT)
    expect([...slotsSeen].some((s) => s > 0)).toBe(true);
    expect(p.ownBuckets!.size).toBe(8);
  });

  it('keeps a lone small range as it is, marked merged, with the indexes themselves', () => {
    const { a, p, once, check, entry } = world(ACCEL_MIN + 2, false);
    once(actions[0]!, 15 * HOUR);
    expect(entry(actions[0]!)).toBe(ASKED_ONCE);
    once(actions[0]!, 15 * HOUR);
    expect(entry(actions[0]!).merged).toBe(true);
    expect(entry(actions[0]!).ixs).toEqual([p.index, a.groups.get('big')!.index]);
    expect(entry(actions[0]!).ixs[0]).toBe(p.index);
    check(actions[0]!, 15 * HOUR);
  });

  it("is valid over the window between the logins' instants around the time asked, its start included, and gathered again outside it", () => {
    const { once, check, entry } = world(2);
    const action = actions[1]!;
    const window = (now: number) => {
      check(action, now);
      return [entry(action).from, entry(action).until];
    };
    expect(window(15 * HOUR)).toEqual([10 * HOUR, 20 * HOUR]);
    const kept = entry(action);
    expect(kept.merged).toBe(true);
    once(action, 10 * HOUR);
    expect(entry(action)).toBe(kept);
    expect(window(25 * HOUR)).toEqual([20 * HOUR, 30 * HOUR]);
    expect(window(5 * HOUR)).toEqual([Number.NEGATIVE_INFINITY, 10 * HOUR]);
    expect(window(45 * HOUR)).toEqual([40 * HOUR, Number.POSITIVE_INFINITY]);
  });

  it(`holds at most OWN_MAX (${OWN_MAX}) actions per principal, the oldest going first, one at a time`, () => {
    const { p, id, check, entry } = world(2);
    check(actions[0]!, 15 * HOUR);
    check(actions[1]!, 15 * HOUR);
    expect([...p.ownBuckets!.keys()]).toEqual([id(actions[0]!), id(actions[1]!)]);
    for (const action of actions.slice(0, OWN_MAX)) check(action, 15 * HOUR);
    expect(p.ownBuckets!.size).toBe(OWN_MAX);
    const kept = entry(actions[1]!);
    expect(kept.merged).toBe(true);
    // one more action: only the oldest goes, the others keep their merged ranges
    check(actions[OWN_MAX]!, 15 * HOUR);
    expect(p.ownBuckets!.size).toBe(OWN_MAX);
    expect([...p.ownBuckets!.keys()]).toEqual(actions.slice(1).map(id));
    expect(entry(actions[1]!)).toBe(kept);
    // the one that went is only marked as asked when it comes back, the next oldest going
    check(actions[0]!, 15 * HOUR);
    expect(p.ownBuckets!.size).toBe(OWN_MAX);
    expect([...p.ownBuckets!.keys()]).toEqual([...actions.slice(2), actions[0]!].map(id));
    expect(entry(actions[OWN_MAX]!).merged).toBe(true);
  });
});

describe('gather and ownRangesOf list only the slots an identity holds, slot 0 included', () => {
  // u0..u7 each hold one deny, on one pattern p<i>.* (one key in an index of two slots), and the public group allows
  // every p<i>.read: a deny whose key sits in slot 0 must be found, or the decision is a false allow
  const n = 8;
  const src = parseSource({
    version: 1,
    accounts: [{ id: 'A', system: 'ibm' }],
    roles: [
      ...Array.from({ length: n }, (_, i) => ({ id: `D${i}`, kind: 'custom' as const, accountId: 'A', actions: [`p${i}.*`] })),
      { id: 'Read', kind: 'custom', accountId: 'A', actions: Array.from({ length: n }, (_, i) => `p${i}.read`) },
    ],
    principals: Array.from({ length: n }, (_, i) => ({ id: `u${i}`, accountId: 'A', kind: 'user' as const })),
    policies: [
      ...Array.from({ length: n }, (_, i) => ({ id: `d${i}`, accountId: 'A', effect: 'deny', subject: { kind: 'principal', id: `u${i}` }, roles: [`D${i}`], resource: { attributes: [] } })),
      { id: 'pub', accountId: 'A', subject: { kind: 'group', id: 'AccessGroupId-PublicAccess' }, roles: ['Read'], resource: { attributes: [] } },
    ],
  });
  const tables = compile(src);
  const a = tables.accounts.get('A')!;
  const ask = (i: number, action = `p${i}.read`) => ({ subject: { id: `u${i}` }, action, resource: { attributes: { accountId: 'A' } }, environment: { now: 0 } });

  it('explained or not, every u<i> is denied its p<i>.read, and one of the denies sits in slot 0', () => {
    const slots = Array.from({ length: n }, (_, i) => slotOf(a.principals.get(`u${i}`)!.index, patternKey(tables.actions.prefixes.get(`p${i}.`)!)));
    expect(slots.every((s) => s >= 0)).toBe(true);
    expect(slots).toContain(0);
    for (let i = 0; i < n; i++) {
      const want = { allowed: false, reason: 'explicit-deny', policies: [`d${i}`] };
      expect(core(referenceAuthorize(src, ask(i)))).toEqual(want);
      expect(core(authorize(tables, ask(i)))).toEqual(want);
      expect(core(authorize(tables, ask(i), { explain: true }))).toEqual(want);
    }
  });

  it('a known action, an unknown one under a pattern, and one no pattern covers', () => {
    // fresh tables: each entry's first use, before any merging
    const tables = compile(src);
    const a = tables.accounts.get('A')!;
    for (let i = 0; i < n; i++) {
      const p = a.principals.get(`u${i}`)!;
      for (const action of [`p${i}.read`, `p${i}.write`, `q.read`, `p${(i + 1) % n}.read`]) {
        const id = tables.actions.actions.get(action) ?? -1;
        const gathered = createGathered();
        const count = ownRangesOf(tables, a, p, id, action, 0, gathered);
        const own = { slots: gathered.slots.slice(0, count) };
        expect(gathered.owners.slice(0, count).every((k) => k === -1)).toBe(true);
        // explaining: each identity one by one (the principal, then the public group)
        const set = createIdentitySet();
        resolveIdentities(set, a, { id: `u${i}` }, 0, false);
        const g = gather(tables, action, set, createGathered());
        const mine = action.startsWith(`p${i}.`) ? 1 : 0;
        const pub = action.endsWith('.read') && !action.startsWith('q') ? 1 : 0;
        expect(own.slots.length).toBe(mine + pub);
        expect(own.slots.every((s) => s >= 0)).toBe(true);
        expect(g.count).toBe(mine + pub);
        expect(g.slots.slice(0, g.count).every((s) => s >= 0)).toBe(true);
        expect(g.owners.slice(0, g.count)).toEqual([...(mine ? [0] : []), ...(pub ? [1] : [])]);
      }
    }
  });
});

describe('ownRangesOf gathers each group once, however many ways the principal holds it', () => {
  const realm = 'https://idp.example.com/realms/corp';
  const HOUR = 3_600_000;
  const at = (h: number) => new Date(h * HOUR).toISOString();
  // u1 holds `both` statically and through a login, `twice` through two overlapping logins, and the public group
  const src = parseSource({
    version: 1,
    accounts: [{ id: 'A', system: 'ibm', publicAccess: true }],
    roles: [{ id: 'R', kind: 'custom', accountId: 'A', actions: ['svc.read'] }],
    principals: [{ id: 'u1', accountId: 'A', kind: 'user' }],
    groups: [
      { id: 'both', accountId: 'A', name: 'both', members: ['u1'] },
      { id: 'twice', accountId: 'A', name: 'twice' },
    ],
    memberships: [
      { accountId: 'A', principalId: 'u1', groupId: 'both', realm, loginAt: at(10), expiresAt: at(20) },
      { accountId: 'A', principalId: 'u1', groupId: 'twice', realm, loginAt: at(10), expiresAt: at(20) },
      { accountId: 'A', principalId: 'u1', groupId: 'twice', realm: `${realm}2`, loginAt: at(12), expiresAt: at(30) },
    ],
    policies: [
      pol('own', { kind: 'principal', id: 'u1' }, 'r1'),
      pol('viaBoth', { kind: 'group', id: 'both' }, 'r1'),
      pol('viaTwice', { kind: 'group', id: 'twice' }, 'r1'),
      pol('public', { kind: 'group', id: 'AccessGroupId-PublicAccess' }, 'r1'),
    ],
  });

  it('static and dynamic, two active logins, the public group: one range each, over the window the logins leave', () => {
    const tables = compile(src);
    const a = tables.accounts.get('A')!;
    const p = a.principals.get('u1')!;
    const id = tables.actions.actions.get('svc.read')!;
    const ask = { subject: { id: 'u1' }, action: 'svc.read', resource: { attributes: { accountId: 'A', resource: 'r1' } }, environment: { now: 15 * HOUR } };
    for (const [now, want] of [
      [15, [p.index, a.groups.get('both')!.index, a.groups.get('twice')!.index, a.publicGroup.index]],
      [25, [p.index, a.groups.get('both')!.index, a.groups.get('twice')!.index, a.publicGroup.index]],
      [35, [p.index, a.groups.get('both')!.index, a.publicGroup.index]],
    ] as const) {
      const g = createGathered();
      const n = ownRangesOf(tables, a, p, id, 'svc.read', now * HOUR, g);
      expect(g.ixs.slice(0, n)).toEqual(want);
    }
    // asked again at 15h: merged (own, both, twice and public are small) over [12h, 20h)
    const g = createGathered();
    ownRangesOf(tables, a, p, id, 'svc.read', 15 * HOUR, g);
    const kept = p.ownBuckets!.get(id)!;
    expect([kept.merged, kept.from, kept.until]).toEqual([true, 12 * HOUR, 20 * HOUR]);
    expect(kept.ixs[0]!.cands.map((c) => c.id).sort()).toEqual(['own', 'public', 'viaBoth', 'viaTwice']);
    for (let twice = 0; twice < 3; twice++) expect(core(authorize(tables, ask))).toEqual(core(referenceAuthorize(src, ask)));
    expect(authorize(tables, ask).policies).toEqual(['own', 'public', 'viaBoth', 'viaTwice']);
  });
});

describe('ownRangesOf takes a group held through several logins once, at the instants that end or start one', () => {
  const realm = 'https://idp.example.com/realms/corp';
  const HOUR = 3_600_000;
  const at = (h: number) => new Date(h * HOUR).toISOString();
  // at 15h: m1 not logged in yet, m2 expired at that instant, m3 logged in at that instant, m4 active
  const src = parseSource({
    version: 1,
    accounts: [{ id: 'A', system: 'ibm' }],
    roles: [{ id: 'R', kind: 'custom', accountId: 'A', actions: ['svc.read'] }],
    principals: [{ id: 'u1', accountId: 'A', kind: 'user' }],
    groups: [{ id: 'g', accountId: 'A', name: 'g' }],
    memberships: [
      { accountId: 'A', principalId: 'u1', groupId: 'g', realm: `${realm}1`, loginAt: at(30), expiresAt: at(40) },
      { accountId: 'A', principalId: 'u1', groupId: 'g', realm: `${realm}2`, loginAt: at(5), expiresAt: at(15) },
      { accountId: 'A', principalId: 'u1', groupId: 'g', realm: `${realm}3`, loginAt: at(15), expiresAt: at(25) },
      { accountId: 'A', principalId: 'u1', groupId: 'g', realm: `${realm}4`, loginAt: at(10), expiresAt: at(30) },
    ],
    policies: [pol('viaG', { kind: 'group', id: 'g' }, 'r1')],
  });

  it('neither a login to come nor one just expired hides the group; the one just begun holds it, so it is gathered once', () => {
    const tables = compile(src);
    const a = tables.accounts.get('A')!;
    const p = a.principals.get('u1')!;
    expect(p.dynamic.map((d) => d.realm)).toEqual([1, 2, 3, 4].map((i) => `${realm}${i}`));
    const id = tables.actions.actions.get('svc.read')!;
    for (let use = 0; use < 3; use++) {
      const g = createGathered();
      const n = ownRangesOf(tables, a, p, id, 'svc.read', 15 * HOUR, g);
      expect(g.ixs.slice(0, n)).toEqual([a.groups.get('g')!.index]);
    }
    const kept = p.ownBuckets!.get(id)!;
    expect([kept.merged, kept.from, kept.until]).toEqual([true, 15 * HOUR, 25 * HOUR]);
    const ask = { subject: { id: 'u1' }, action: 'svc.read', resource: { attributes: { accountId: 'A', resource: 'r1' } }, environment: { now: 15 * HOUR } };
    expect(core(authorize(tables, ask))).toEqual(core(referenceAuthorize(src, ask)));
    expect(authorize(tables, ask).policies).toEqual(['viaG']);
  });
});
