import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import { CACHE_COVERAGE } from './decision-cache.js';
import { ValidationError } from '../errors.js';
import type { Policy } from '../model/source.js';

const T0 = Date.parse('2026-06-01T12:00:00Z');

const base = {
  version: 1,
  accounts: [{ id: 'a1', system: 'ibm' }],
  services: [{ name: 'cos', type: 'service', roles: { reader: ['cos.object.get'] } }],
  roles: [{ id: 'reader', kind: 'service' }],
  principals: [
    { id: 'u1', accountId: 'a1', kind: 'user' },
    { id: 'u2', accountId: 'a1', kind: 'user' },
  ],
  groups: [{ id: 'g1', accountId: 'a1', name: 'g', members: ['u1'] }],
  resources: [{ id: 'r1', accountId: 'a1', attributes: { serviceName: 'cos', resource: 'bucket-1' } }],
  policies: [] as unknown[],
};

const policy = (id: string, subject: Policy['subject'], effect: 'allow' | 'deny' = 'allow'): Policy =>
  ({
    id,
    accountId: 'a1',
    type: 'access',
    effect,
    subject,
    roles: ['reader'],
    resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'cos' }], tags: [] },
    state: 'active',
  }) as Policy;

const ask = (subject: string) => ({ subject: { id: subject }, action: 'cos.object.get', resource: { id: 'r1' } });

describe('Engine', () => {
  it('checks its options at construction', () => {
    expect(() => createEngine({ cacheSize: -1 })).toThrow(ValidationError);
    expect(() => createEngine({ clock: 5 as unknown as () => number })).toThrow(ValidationError);
    expect(() => createEngine({ source: { version: 2 } })).toThrow(ValidationError);
  });

  it('sees a committed policy on the next decision and never serves a cached decision of an older revision', async () => {
    const engine = createEngine({ source: base, clock: () => T0 });
    expect(engine.authorize(ask('u1')).reason).toBe('no-match');
    expect(engine.authorize(ask('u1')).reason).toBe('no-match');
    expect(engine.cacheStats().hits).toBe(1);
    await engine.commit([{ op: 'put', entity: 'policy', value: policy('p1', { kind: 'group', id: 'g1' }) }]);
    expect(engine.authorize(ask('u1'))).toMatchObject({ allowed: true, policies: ['p1'] });
    await engine.commit([{ op: 'put', entity: 'policy', value: policy('p2', { kind: 'principal', id: 'u1' }, 'deny') }]);
    expect(engine.authorize(ask('u1'))).toMatchObject({ allowed: false, reason: 'explicit-deny', policies: ['p2'] });
    await engine.commit([{ op: 'delete', entity: 'policy', key: 'p2' }]);
    expect(engine.authorize(ask('u1')).allowed).toBe(true);
  });

  it('lists the determining policies in code-unit order whether compiled together (ranked) or added since (unranked)', async () => {
    // ranked at compile: ids out of order in the source
    const compiled = ['p-d', 'p-B', 'p-b'].map((id) => policy(id, { kind: 'principal', id: 'u1' }));
    const engine = createEngine({ source: { ...base, policies: compiled }, clock: () => T0, cacheSize: 0 });
    expect(engine.authorize(ask('u1')).policies).toEqual(['p-B', 'p-b', 'p-d']);
    // added by updates, unranked, compared as strings among ranked ones
    await engine.commit(['p-e', 'p-a', 'p-c', 'p-C'].map((id) => ({ op: 'put' as const, entity: 'policy' as const, value: policy(id, { kind: 'group', id: 'g1' }) })));
    expect(engine.authorize(ask('u1')).policies).toEqual(['p-B', 'p-C', 'p-a', 'p-b', 'p-c', 'p-d', 'p-e']);
    // the same when a fresh compile ranks them all
    const fresh = createEngine({ source: engine.source, clock: () => T0, cacheSize: 0 });
    expect(fresh.authorize(ask('u1')).policies).toEqual(['p-B', 'p-C', 'p-a', 'p-b', 'p-c', 'p-d', 'p-e']);
    // denies too
    await engine.commit(['q-2', 'q-1'].map((id) => ({ op: 'put' as const, entity: 'policy' as const, value: policy(id, { kind: 'principal', id: 'u1' }, 'deny') })));
    expect(engine.authorize(ask('u1'))).toMatchObject({ reason: 'explicit-deny', policies: ['q-1', 'q-2'] });
  });

  it('updates group membership incrementally', async () => {
    const engine = createEngine({ source: { ...base, policies: [policy('p1', { kind: 'group', id: 'g1' })] }, clock: () => T0 });
    expect(engine.authorize(ask('u2')).allowed).toBe(false);
    const g = engine.source.groups[0]!;
    await engine.commit([{ op: 'put', entity: 'group', value: { ...g, members: ['u2'] } }]);
    expect(engine.authorize(ask('u2')).allowed).toBe(true);
    expect(engine.authorize(ask('u1')).allowed).toBe(false);
  });

  it('expires a cached decision at the next expiry of the account', async () => {
    let now = T0;
    const engine = createEngine({
      source: {
        ...base,
        groups: [{ id: 'g1', accountId: 'a1', name: 'g', members: [] }],
        memberships: [
          { accountId: 'a1', principalId: 'u2', groupId: 'g1', realm: 'idp', loginAt: '2026-06-01T11:00:00Z', expiresAt: '2026-06-01T13:00:00Z' },
        ],
        policies: [policy('p1', { kind: 'group', id: 'g1' })],
      },
      clock: () => now,
    });
    expect(engine.authorize(ask('u2')).allowed).toBe(true);
    now = Date.parse('2026-06-01T13:00:00Z');
    expect(engine.authorize(ask('u2')).allowed).toBe(false);
  });

  it('refuses bad changes and keeps deciding as before', async () => {
    const engine = createEngine({ source: { ...base, policies: [policy('p1', { kind: 'group', id: 'g1' })] }, clock: () => T0 });
    await expect(engine.commit([{ op: 'put', entity: 'policy', value: { ...policy('p9', { kind: 'group', id: 'nope' }) } }])).rejects.toThrow(ValidationError);
    await expect(engine.commit([{ op: 'put', entity: 'policy', value: { id: 'x' } as unknown as Policy }])).rejects.toThrow(ValidationError);
    expect(engine.revision).toBe(0);
    expect(engine.authorize(ask('u1')).allowed).toBe(true);
  });

  it('batches usage figures and writes them on flush', async () => {
    const engine = createEngine({ source: { ...base, policies: [policy('p1', { kind: 'group', id: 'g1' })] }, clock: () => T0 });
    engine.authorize(ask('u1'));
    engine.authorize(ask('u1'));
    engine.authorize(ask('u2'));
    expect(await engine.flushUsage()).toBe(1);
    const p = engine.source.policies.find((x) => x.id === 'p1')!;
    expect(p.lastPermitFrequency).toBe(2);
    expect(p.lastPermitAt).toBe(new Date(T0).toISOString());
  });

  it('counts usage through every decision path (cache miss, cache hit, uncached options, authorizeMany), and none for a deny', async () => {
    const engine = createEngine({
      source: { ...base, policies: [policy('p1', { kind: 'group', id: 'g1' }), policy('p2', { kind: 'principal', id: 'u2' }, 'deny')] },
      clock: () => T0,
    });
    engine.authorize(ask('u1'));
    engine.authorize(ask('u1'));
    expect(engine.cacheStats().hits).toBe(1);
    engine.authorize(ask('u1'), { now: T0 });
    engine.authorizeMany({ id: 'u1' }, [{ action: 'cos.object.get', resource: { id: 'r1' } }, { action: 'cos.object.get', resource: { id: 'r1' } }]);
    expect(engine.authorize(ask('u2')).reason).toBe('explicit-deny');
    expect(await engine.flushUsage()).toBe(1);
    expect(engine.source.policies.find((x) => x.id === 'p1')!.lastPermitFrequency).toBe(5);
    expect(engine.source.policies.find((x) => x.id === 'p2')!.lastPermitFrequency).toBeUndefined();
  });

  it('runs a management operation with its actor and refuses one without', async () => {
    const engine = createEngine({ source: base, clock: () => T0, newId: (p) => `${p}new` });
    const op = (state: Parameters<Parameters<typeof engine.apply>[0]>[0], input: { id: string }) => {
      const value = policy(input.id, { kind: 'principal', id: 'u2' });
      return { result: { id: input.id }, changes: [{ op: 'put' as const, entity: 'policy' as const, value }], state };
    };
    await expect(engine.apply(op, { id: 'p5' }, undefined as never)).rejects.toThrow(ValidationError);
    expect(await engine.apply(op, { id: 'p5' }, { actor: { kind: 'system' } })).toEqual({ id: 'p5' });
    expect(engine.authorize(ask('u2')).policies).toEqual(['p5']);
  });

  it('never caches a request carrying a field the cache key does not cover (every `absent` field of CACHE_COVERAGE)', () => {
    const engine = createEngine({ source: { ...base, policies: [policy('p1', { kind: 'group', id: 'g1' })] }, clock: () => T0 });
    const samples: Record<string, unknown> = {
      environment: { now: T0 },
      claims: { realm: 'idp', attributes: {} },
      service: { serviceName: 'cos' },
      email: 'u1@example.com',
      sso: true,
      attributes: { serviceName: 'cos' },
      tags: ['a:b'],
      projects: ['p'],
      folders: ['f'],
      zones: ['z'],
      agentId: 'agent',
    };
    const cases: { where: 'request' | 'subject' | 'resource'; field: string }[] = [];
    for (const where of ['request', 'subject', 'resource'] as const)
      for (const [field, coverage] of Object.entries(CACHE_COVERAGE[where])) if (coverage === 'absent') cases.push({ where, field });
    expect(cases.length).toBeGreaterThan(8);
    for (const { where, field } of cases) {
      expect(Object.hasOwn(samples, field)).toBe(true);
      const r = ask('u1') as Record<string, any>;
      if (where === 'request') r[field] = samples[field];
      else r[where] = { ...r[where], [field]: samples[field] };
      const before = engine.cacheStats();
      engine.authorize(r as never);
      engine.authorize(r as never);
      expect(engine.cacheStats().hits).toBe(before.hits);
    }
    // the plain request is cached: the loop above was not vacuous
    engine.authorize(ask('u1'));
    engine.authorize(ask('u1'));
    expect(engine.cacheStats().hits).toBeGreaterThan(0);
  });
});
