import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  authorize,
  authorizeMany,
  compile,
  createEngine,
  parseSource,
  type AuthorizeRequest,
  type Change,
  type Decision,
  type EntityName,
  type Policy,
  type Source,
} from '@portcullis/engine';
import { entityKey, ENTITY_FIELDS, ENTITY_NAMES } from '@portcullis/engine/store-kit';
import { arbRequest, arbSource, arbSourceAndRequests, BASE_TIME, clearMemos, layoutSnapshot, referenceAuthorize } from '@portcullis/engine/testing';

/** What a decision must agree on; explanations may differ in which of several paths they name. */
const core = (d: Decision) => ({ allowed: d.allowed, reason: d.reason, policies: d.policies, errors: d.errors ?? [] });

const RUNS = Number(process.env['PORTCULLIS_PROPERTY_RUNS'] ?? 1250);

describe('the compiled evaluator equals the reference evaluator', () => {
  it(`on ${RUNS * 8} random (source, request) pairs`, () => {
    let pairs = 0;
    fc.assert(
      fc.property(arbSourceAndRequests({ maxRequests: 8, malformed: true }), ({ source, requests }) => {
        const tables = compile(source);
        for (const request of requests) {
          pairs++;
          expect(core(authorize(tables, request))).toEqual(core(referenceAuthorize(source, request)));
        }
      }),
      { numRuns: RUNS },
    );
    expect(pairs).toBeGreaterThan(RUNS);
  });

  it('on buckets large enough for the keyed prefilter (attribute values and Cloudflare zones)', () => {
    let prefiltered = 0;
    fc.assert(
      fc.property(arbHeavySource(), fc.array(arbHeavyRequest(), { minLength: 1, maxLength: 12 }), (source, requests) => {
        const tables = compile(source);
        for (const request of requests) expect(core(authorize(tables, request))).toEqual(core(referenceAuthorize(source, request)));
        for (const a of tables.accounts.values())
          for (const g of [...a.groups.values(), a.publicGroup]) for (const acc of g.index.accel ?? []) if (acc) prefiltered++;
      }),
      { numRuns: 300 },
    );
    // INVARIANT: the property is only worth something if the prefilter was built and used
    expect(prefiltered).toBeGreaterThan(50);
  });

  it('authorizeMany equals authorize request by request', () => {
    fc.assert(
      fc.property(arbSourceAndRequests({ maxRequests: 6 }), ({ source, requests }) => {
        const tables = compile(source);
        const subject = requests[0]!.subject;
        // a batch item is a request without its subject (an item carrying one is refused)
        const many = authorizeMany(tables, subject, requests.map(({ subject: _, ...item }) => item));
        requests.forEach((r, i) => expect(core(many[i]!)).toEqual(core(authorize(tables, { ...r, subject }))));
      }),
      { numRuns: 300 },
    );
  });
});

describe('memo slots written during a decision never change an answer', () => {
  /** Decides the requests in order, then again warm, then after clearing every memo in reverse order: all the same. */
  const sameAnswers = (source: Source, requests: readonly AuthorizeRequest[]) => {
    const tables = compile(source);
    const cold = requests.map((r) => core(authorize(tables, r)));
    const warm = requests.map((r) => core(authorize(tables, r)));
    clearMemos(tables);
    const cleared = [...requests].reverse().map((r) => core(authorize(tables, r))).reverse();
    const fresh = requests.map((r) => core(authorize(compile(source), r)));
    expect(warm).toEqual(cold);
    expect(cleared).toEqual(cold);
    expect(fresh).toEqual(cold);
  };

  it('on random sources', () => {
    fc.assert(fc.property(arbSourceAndRequests({ maxRequests: 8 }), ({ source, requests }) => sameAnswers(source, requests)), { numRuns: 300 });
  });

  it('on buckets large enough for the keyed prefilter', () => {
    fc.assert(fc.property(arbHeavySource(), fc.array(arbHeavyRequest(), { minLength: 2, maxLength: 12 }), sameAnswers), { numRuns: 150 });
  });
});

const HEAVY_VALUES = ['r1', 'r2', 'r3', 'r4', 'r5'] as const;

/**
 * Many policies of one group and the Public Access group on one action, differing by `resource` or by zone: buckets
 * large enough for a prefilter (bucket-accel.ts builds one from ACCEL_MIN = 32 candidates; each IBM bucket holds about
 * half the IBM policies).
 */
function arbHeavySource(): fc.Arbitrary<Source> {
  const attr = fc.oneof(
    fc.constantFrom(...HEAVY_VALUES).map((v) => [{ name: 'resource', operator: 'stringEquals', value: v }]),
    fc.subarray([...HEAVY_VALUES], { minLength: 1, maxLength: 3 }).map((vs) => [{ name: 'resource', operator: 'stringEqualsAnyOf', value: vs }]),
    fc.constantFrom('r*', 'r?', '*').map((v) => [{ name: 'resource', operator: 'stringMatch', value: v }]),
    fc.constant([{ name: 'region', operator: 'stringEquals', value: 'eu' }]),
    fc.constant([]),
  );
  const ibmPolicy = fc.record({ deny: fc.boolean(), group: fc.boolean(), attributes: attr });
  const cfPolicy = fc.record({ deny: fc.boolean(), rg: fc.constantFrom('rg-z1', 'rg-z2', 'rg-z3', 'rg-all') });
  return fc
    .record({ ibm: fc.array(ibmPolicy, { minLength: 70, maxLength: 110 }), cf: fc.array(cfPolicy, { minLength: 32, maxLength: 50 }) })
    .map(({ ibm, cf }) =>
      parseSource({
        version: 1,
        accounts: [
          { id: 'a1', system: 'ibm' },
          { id: 'c1', system: 'cloudflare' },
        ],
        roles: [
          { id: 'R', kind: 'custom', accountId: 'a1', actions: ['svc.read'] },
          { id: 'Z', kind: 'permission-group', scopeType: 'zone', actions: ['dns:edit'] },
        ],
        principals: [
          { id: 'u1', accountId: 'a1', kind: 'user' },
          { id: 'm1', accountId: 'c1', kind: 'user' },
        ],
        groups: [
          { id: 'g1', accountId: 'a1', name: 'g1', members: ['u1'] },
          { id: 'cg', accountId: 'c1', name: 'cg', members: ['m1'] },
        ],
        resourceGroups: [
          ...['z1', 'z2', 'z3'].map((z) => ({ id: `rg-${z}`, accountId: 'c1', scope: [{ key: 'com.cloudflare.api.account.c1', objects: [{ key: `com.cloudflare.api.account.zone.${z}` }] }] })),
          { id: 'rg-all', accountId: 'c1', scope: [{ key: 'com.cloudflare.api.account.c1', objects: [{ key: 'com.cloudflare.api.account.zone.*' }] }] },
        ],
        policies: [
          ...ibm.map((p, i) => ({
            id: `i${i}`,
            accountId: 'a1',
            effect: p.deny ? 'deny' : 'allow',
            subject: { kind: 'group', id: p.group ? 'g1' : 'AccessGroupId-PublicAccess' },
            roles: ['R'],
            resource: { attributes: p.attributes },
          })),
          ...cf.map((p, i) => ({
            id: `c${i}`,
            accountId: 'c1',
            effect: p.deny ? 'deny' : 'allow',
            subject: { kind: 'group', id: 'cg' },
            roles: ['Z'],
            resource: { attributes: [], resourceGroups: [p.rg] },
          })),
        ],
      }),
    );
}

function arbHeavyRequest(): fc.Arbitrary<AuthorizeRequest> {
  const now = { now: BASE_TIME };
  return fc.oneof(
    fc.record({ who: fc.constantFrom('u1', undefined), resource: fc.constantFrom(...HEAVY_VALUES, 'x', undefined), region: fc.constantFrom('eu', 'us', undefined) }).map(({ who, resource, region }) => ({
      subject: who === undefined ? {} : { id: who },
      action: 'svc.read',
      resource: { attributes: { accountId: 'a1', ...(resource === undefined ? {} : { resource }), ...(region === undefined ? {} : { region }) } },
      environment: now,
    })),
    fc.subarray(['z1', 'z2', 'z3', 'z4']).map((zones) => ({ subject: { id: 'm1' }, action: 'dns:edit', resource: { attributes: { accountId: 'c1' }, zones }, environment: now })),
  );
}

const withPolicy = (source: Source, p: Policy): Source => ({ ...source, policies: [...source.policies, p] });

/** A deny policy built from pieces of the source: a subject, a role, and maybe an attribute condition. */
function arbDenyFor(source: Source): fc.Arbitrary<Policy | null> {
  const accounts = source.accounts.map((a) => a.id);
  if (accounts.length === 0 || source.roles.length === 0) return fc.constant(null);
  return fc
    .record({
      accountId: fc.constantFrom(...accounts),
      role: fc.constantFrom(...source.roles.map((r) => r.id)),
      subjectPick: fc.nat(),
      attr: fc.option(fc.constantFrom('serviceName', 'resource', 'region'), { nil: undefined }),
      value: fc.constantFrom('cos', 'kms', 'r1', 'us-south'),
    })
    .map(({ accountId, role, subjectPick, attr, value }) => {
      const r = source.roles.find((x) => x.id === role)!;
      if (r.accountId !== undefined && r.accountId !== accountId) return null;
      const subjects: Policy['subject'][] = [
        { kind: 'group', id: 'AccessGroupId-PublicAccess' },
        ...source.groups.filter((g) => g.accountId === accountId).map((g) => ({ kind: 'group' as const, id: g.id })),
        ...source.principals.filter((p) => p.accountId === accountId).map((p) => ({ kind: 'principal' as const, id: p.id })),
      ];
      const subject = subjects[subjectPick % subjects.length]!;
      // a permission group must pair with a scope of its type, so the deny names no resource groups: it reaches
      // what its attributes say, everywhere in the account
      if (r.kind === 'permission-group') return null;
      return {
        id: 'zz-deny-added',
        accountId,
        type: 'access',
        effect: 'deny',
        subject,
        roles: [role],
        resource: { attributes: attr === undefined ? [] : [{ name: attr, operator: 'stringEquals', value }], tags: [] },
        state: 'active',
      } as Policy;
    });
}

describe('monotonicity', () => {
  it('adding a deny never turns a deny into an allow', () => {
    fc.assert(
      fc.property(
        arbSource().chain((source) => fc.tuple(fc.constant(source), arbDenyFor(source), fc.array(arbRequest(source), { minLength: 1, maxLength: 6 }))),
        ([source, deny, requests]) => {
          fc.pre(deny !== null);
          let after: Source;
          try {
            after = parseSource(withPolicy(source, deny!));
          } catch {
            return; // the pairing or subject does not validate in this source: nothing to compare
          }
          const t0 = compile(source);
          const t1 = compile(after);
          for (const r of requests) {
            const d1 = authorize(t1, r);
            if (d1.allowed) expect(authorize(t0, r).allowed).toBe(true);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('removing a member from a group that carries no deny never grants more', () => {
    fc.assert(
      fc.property(
        arbSource().chain((source) => fc.tuple(fc.constant(source), fc.nat(), fc.array(arbRequest(source), { minLength: 1, maxLength: 6 }))),
        ([source, pick, requests]) => {
          const groups = source.groups.filter(
            (g) =>
              g.members.length > 0 &&
              !source.policies.some((p) => p.effect === 'deny' && p.subject.kind === 'group' && p.subject.id === g.id && p.accountId === g.accountId),
          );
          fc.pre(groups.length > 0);
          const g = groups[pick % groups.length]!;
          const member = g.members[pick % g.members.length]!;
          const after: Source = { ...source, groups: source.groups.map((x) => (x === g ? { ...x, members: x.members.filter((m) => m !== member) } : x)) };
          const t0 = compile(source);
          const t1 = compile(after);
          for (const r of requests) if (authorize(t1, r).allowed) expect(authorize(t0, r).allowed).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });
});

/** Row-level changes that take `a` to `b`: every row of `b` put, every row of `a` not in `b` deleted. */
function diffChanges(a: Source, b: Source): { puts: Change[]; deletes: Change[] } {
  const puts: Change[] = [];
  const deletes: Change[] = [];
  for (const e of ENTITY_NAMES) {
    const field = ENTITY_FIELDS[e];
    const keep = new Set((b[field] as unknown[]).map((row) => entityKey(e, row as never)));
    for (const row of b[field] as unknown[]) puts.push({ op: 'put', entity: e, value: row } as Change);
    for (const row of a[field] as unknown[]) {
      const key = entityKey(e as EntityName, row as never);
      if (!keep.has(key)) deletes.push({ op: 'delete', entity: e, key });
    }
  }
  return { puts, deletes: deletes.reverse() };
}

describe('incremental updates', () => {
  it('an engine updated change by change decides exactly like a fresh compile of the result', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbSource(),
        arbSource(),
        fc.boolean(),
        fc.nat(),
        async (a, b, split, seed) => {
          const engine = createEngine({ source: a, clock: () => BASE_TIME, cacheSize: 64 });
          const { puts, deletes } = diffChanges(a, b);
          if (split) {
            // puts first (an intermediate state holding both), then deletes, when that intermediate state is valid
            try {
              await engine.commit(puts);
            } catch {
              await engine.commit([...puts, ...deletes]);
              return check(engine, b, seed);
            }
            await engine.commit(deletes);
          } else await engine.commit([...puts, ...deletes]);
          await check(engine, b, seed);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random sequences of single-row changes, each through the incremental path, decide like a fresh compile after every step', async () => {
    let applied = 0;
    await fc.assert(
      fc.asyncProperty(arbSource(), arbSource(), fc.array(fc.nat(), { minLength: 1, maxLength: 10 }), fc.nat(), async (a, b, picks, seed) => {
        const engine = createEngine({ source: a, clock: () => BASE_TIME, cacheSize: 64 });
        const { puts, deletes } = diffChanges(a, b);
        const pool = [...puts, ...deletes];
        if (pool.length === 0) return;
        for (const pick of picks) {
          const change = pool[pick % pool.length]!;
          try {
            await engine.commit([change]);
            applied++;
          } catch {
            // a change the current state refuses (a dangling reference) writes nothing: the engine must still agree
          }
          await check(engine, parseSource(engine.source), seed + pick);
        }
      }),
      { numRuns: 120 },
    );
    // INVARIANT: the property is only worth something when changes were really applied
    expect(applied).toBeGreaterThan(100);
  });

  it('random sequences of changes through the incremental path leave the flat layout a fresh compile builds', async () => {
    let applied = 0;
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(arbSource(), arbSource(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 8 }), async (a, b, steps) => {
        const engine = createEngine({ source: a, clock: () => BASE_TIME, cacheSize: 0 });
        const { puts, deletes } = diffChanges(a, b);
        const pool = [...puts, ...deletes];
        if (pool.length === 0) return;
        for (const [pick, size] of steps) {
          // one change or a few at once: a batch touches several identities, and a row may change twice in it
          const batch = Array.from({ length: size }, (_, i) => pool[(pick + i * 7) % pool.length]!);
          try {
            await engine.commit(batch);
            applied++;
          } catch {
            // refused: nothing was written, and the layout must still be the fresh one
          }
          const fresh = layoutSnapshot(compile(parseSource(engine.source)));
          expect(layoutSnapshot(engine.tables)).toEqual(fresh);
          if (Object.keys(fresh).length > 0) compared++;
        }
      }),
      // no shrinking: each step compiles twice, and a shrink on a loaded machine runs for minutes; the seed replays it
      { numRuns: 150, endOnFailure: true },
    );
    // INVARIANT: worth something only when changes were applied and the layouts compared held candidates
    expect(applied).toBeGreaterThan(100);
    expect(compared).toBeGreaterThan(100);
  });

});

async function check(engine: ReturnType<typeof createEngine>, b: Source, seed: number): Promise<void> {
  const fresh = compile(parseSource(b));
  const requests = fc.sample(arbRequest(b), { numRuns: 12, seed });
  for (const r of requests as AuthorizeRequest[]) {
    const expected = core(authorize(fresh, r));
    expect(core(authorize(engine.tables, r))).toEqual(expected);
    const viaEngine = core(engine.authorize(r));
    if (r.environment !== undefined) expect(viaEngine).toEqual(expected);
  }
}
