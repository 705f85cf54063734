import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  authorize,
  compile,
  diff,
  evaluatePredicate,
  lint,
  listResources,
  parseSource,
  resourceFilter,
  toSql,
  whatCan,
  whoCan,
  type AuthorizeRequest,
  type Decision,
  type RequestScalar,
  type Source,
  type SourceInput,
} from '@portcullis/engine';
import { arbRequest, arbSource, arbSourceAndRequests, BASE_TIME } from '@portcullis/engine/testing';

const RUNS = Number(process.env['PORTCULLIS_PROPERTY_RUNS'] ?? 300);

/** The instant a request is decided at, in epoch ms. */
function timeOf(r: AuthorizeRequest): number {
  const n = r.environment?.now;
  return typeof n === 'string' ? Date.parse(n) : (n as number);
}

/** The request without its time, decided at `now` through the options as every analysis is. */
function decideAt(tables: ReturnType<typeof compile>, r: AuthorizeRequest, now: number): Decision {
  return authorize(tables, { subject: r.subject, action: r.action, resource: r.resource }, { now });
}

/** The account a request is decided in, and the resource's attributes as the evaluator reads them. */
function resourceOf(source: Source, r: AuthorizeRequest): { accountId: string; attributes: Record<string, RequestScalar> } | undefined {
  if (r.resource.id !== undefined) {
    const reg = source.resources.find((x) => x.id === r.resource.id);
    return reg === undefined ? undefined : { accountId: reg.accountId, attributes: { ...reg.attributes, accountId: reg.accountId } };
  }
  const attrs = r.resource.attributes ?? {};
  return { accountId: String(attrs['accountId']), attributes: { ...attrs } };
}

/** True when the subject is decided as the registered, active principal `id` of the account (SEMANTICS §1). */
function actsAsPrincipal(source: Source, r: AuthorizeRequest, accountId: string): boolean {
  const s = r.subject;
  if (typeof s.id !== 'string' || s.authenticated === false || (s.accountId ?? accountId) !== accountId) return false;
  return source.principals.some((p) => p.id === s.id && p.accountId === accountId && p.status === 'active');
}

describe('whoCan agrees with authorize', () => {
  it('on random sources and requests', () => {
    let principals = 0;
    let anonymous = 0;
    let allowed = 0;
    fc.assert(
      fc.property(arbSourceAndRequests({ maxRequests: 6 }), ({ source, requests }) => {
        const tables = compile(source);
        for (const r0 of requests) {
          // whoCan answers for callers as the source knows them: no claims, calling service, email or SSO flag carried in the request
          const { claims: _c, service: _s, sso: _o, email: _e, ...subject } = r0.subject;
          const r = { ...r0, subject };
          const now = timeOf(r);
          const d = decideAt(tables, r, now);
          const res = resourceOf(source, r)!;
          const w = whoCan(tables, r.action, r.resource, { now });
          if (d.reason === 'sso-required') continue;
          if (d.allowed) allowed++;
          if (actsAsPrincipal(source, r, res.accountId)) {
            principals++;
            const entry = w.principals.find((p) => p.id === subject.id);
            expect(entry !== undefined && !entry.ssoRequired).toBe(d.allowed);
            if (d.allowed) expect(entry!.policies).toEqual(d.policies);
            if (d.reason === 'explicit-deny' && w.denied.some((x) => x.id === subject.id))
              expect(w.denied.find((x) => x.id === subject.id)!.denies).toEqual(d.policies);
          } else {
            anonymous++;
            expect(w.anonymous.allowed).toBe(d.allowed);
            if (d.allowed) expect(w.anonymous.policies).toEqual(d.policies);
          }
        }
      }),
      { numRuns: RUNS },
    );
    expect(principals).toBeGreaterThan(0);
    expect(anonymous).toBeGreaterThan(0);
    expect(allowed).toBeGreaterThan(0);
  });
});

describe('whatCan agrees with authorize', () => {
  it('every listed action is allowed, every allowed action is listed', () => {
    let listed = 0;
    fc.assert(
      fc.property(arbSourceAndRequests({ maxRequests: 4 }), ({ requests, source }) => {
        const tables = compile(source);
        for (const r of requests) {
          const now = timeOf(r);
          const w = whatCan(tables, r.subject, r.resource, { now });
          for (const g of w.actions) {
            listed++;
            const d = decideAt(tables, { ...r, action: g.action }, now);
            expect(d.allowed).toBe(true);
            expect(g.policies).toEqual(d.policies);
          }
          for (const g of w.denied) expect(decideAt(tables, { ...r, action: g.action }, now).reason).toBe('explicit-deny');
          const d = decideAt(tables, r, now);
          if (!d.allowed) continue;
          const byName = w.actions.some((x) => x.action === r.action);
          const byPattern = w.patterns.some((p) => r.action.startsWith(p.pattern.slice(0, -1)) && r.action.length >= p.pattern.length);
          expect(byName || byPattern).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
    expect(listed).toBeGreaterThan(0);
  });
});

describe('listResources agrees with authorize', () => {
  it('on given and on registered resources', () => {
    fc.assert(
      fc.property(arbSourceAndRequests({ maxRequests: 4 }), ({ source, requests }) => {
        const tables = compile(source);
        for (const r of requests) {
          const now = timeOf(r);
          const d = decideAt(tables, r, now);
          const given = listResources(tables, r.subject, r.action, [r.resource], { now });
          expect(given.length === 1).toBe(d.allowed);
          if (d.allowed) expect(given[0]!.policies).toEqual(d.policies);
          const registered = listResources(tables, r.subject, r.action, undefined, { now }).map((x) => x.id);
          const expected = source.resources.filter((x) => decideAt(tables, { ...r, resource: { id: x.id } }, now).allowed).map((x) => x.id);
          expect([...registered].sort()).toEqual([...expected].sort());
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('resourceFilter agrees with authorize', () => {
  it('as a predicate and as SQL run in a real SQLite table', () => {
    const db = new Database(':memory:');
    let exact = 0;
    let residual = 0;
    let rowsAllowed = 0;
    try {
      fc.assert(
        fc.property(arbSourceAndRequests({ maxRequests: 6 }), ({ source, requests }) => {
          const tables = compile(source);
          for (const r of requests) {
            const now = timeOf(r);
            const res = resourceOf(source, r)!;
            const d = decideAt(tables, r, now);
            const f = resourceFilter(tables, r.subject, r.action, { accountId: res.accountId, now });
            if (f.residual) {
              residual++;
              const expected = source.resources
                .filter((x) => x.accountId === res.accountId && decideAt(tables, { ...r, resource: { id: x.id } }, now).allowed)
                .map((x) => x.id);
              expect(f.resources.map((x) => x.id).sort()).toEqual(expected.sort());
              continue;
            }
            exact++;
            expect(evaluatePredicate(f.predicate, res.attributes)).toBe(d.allowed);
            const columns = [...new Set([...f.columns, ...Object.keys(res.attributes)])];
            const q = (c: string) => `"${c.replace(/"/g, '""')}"`;
            db.exec('DROP TABLE IF EXISTS resources');
            db.exec(`CREATE TABLE resources (${['row_id INTEGER PRIMARY KEY', ...columns.map((c) => `${q(c)} TEXT`)].join(', ')})`);
            const names = Object.keys(res.attributes);
            db.prepare(`INSERT INTO resources (${['row_id', ...names.map(q)].join(', ')}) VALUES (${['1', ...names.map(() => '?')].join(', ')})`).run(
              ...names.map((n) => String(res.attributes[n])),
            );
            const hit = db.prepare(`SELECT count(*) AS n FROM resources WHERE ${f.sql.sql}`).get(...f.sql.params) as { n: number };
            expect(hit.n === 1).toBe(d.allowed);
            if (d.allowed) rowsAllowed++;
          }
        }),
        { numRuns: RUNS },
      );
    } finally {
      db.close();
    }
    expect(exact).toBeGreaterThan(0);
    expect(residual).toBeGreaterThan(0);
    expect(rowsAllowed).toBeGreaterThan(0);
  });
});

/** Small edits of a source: each may or may not change a decision. */
function arbEdit(source: Source): fc.Arbitrary<Source> {
  const edits: fc.Arbitrary<Source>[] = [];
  if (source.policies.length > 0)
    edits.push(fc.nat(source.policies.length - 1).map((i) => ({ ...source, policies: source.policies.filter((_, j) => j !== i) })));
  if (source.bindings.length > 0)
    edits.push(fc.nat(source.bindings.length - 1).map((i) => ({ ...source, bindings: source.bindings.filter((_, j) => j !== i) })));
  if (source.memberships.length > 0)
    edits.push(fc.nat(source.memberships.length - 1).map((i) => ({ ...source, memberships: source.memberships.filter((_, j) => j !== i) })));
  const withMembers = source.groups.filter((g) => g.members.length > 0);
  if (withMembers.length > 0)
    edits.push(
      fc.nat(withMembers.length - 1).map((i) => ({
        ...source,
        groups: source.groups.map((g) => (g === withMembers[i] ? { ...g, members: g.members.slice(1) } : g)),
      })),
    );
  const withRules = source.groups.filter((g) => g.rules.length > 0);
  if (withRules.length > 0)
    edits.push(fc.nat(withRules.length - 1).map((i) => ({ ...source, groups: source.groups.map((g) => (g === withRules[i] ? { ...g, rules: [] } : g)) })));
  if (source.principals.length > 0)
    edits.push(
      fc.nat(source.principals.length - 1).map((i) => ({
        ...source,
        principals: source.principals.map((p, j) => (j === i ? { ...p, status: p.status === 'active' ? ('disabled' as const) : ('active' as const) } : p)),
      })),
    );
  const moved = source.nodes.filter((n) => n.parentId !== null);
  if (moved.length > 0)
    edits.push(fc.nat(moved.length - 1).map((i) => ({ ...source, nodes: source.nodes.map((n) => (n === moved[i] ? { ...n, parentId: null } : n)) })));
  return edits.length === 0 ? fc.constant(source) : fc.oneof(...edits);
}

const changes = (d: ReturnType<typeof diff>) => d.added.length + d.removed.length + d.context.length;

describe('diff', () => {
  it('is empty between a source and itself reordered', () => {
    fc.assert(
      fc.property(arbSource(), (a) => {
        const b: Source = { ...a, policies: [...a.policies].reverse(), bindings: [...a.bindings].reverse(), groups: [...a.groups].reverse() };
        expect(changes(diff(a, b))).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('is non-empty when some decision differs, and empty edits decide alike', () => {
    let differing = 0;
    // INVARIANT: the sanity count below needs a differing pair; most random edits change no sampled decision, so a
    // round of RUNS finds none now and then (seen once in CI-sized runs): fresh rounds until one does, at most five
    for (let round = 0; round < 5 && differing === 0; round++)
    fc.assert(
      fc.property(
        arbSource().chain((a) => arbEdit(a).chain((b) => fc.array(fc.oneof(arbRequest(a), arbRequest(b)), { minLength: 1, maxLength: 10 }).map((rs) => ({ a, b, rs })))),
        ({ a, b, rs }) => {
          const ta = compile(a);
          const tb = compile(b);
          const d = diff(a, b);
          const differs = rs.some((r) => {
            const x = authorize(ta, r);
            const y = authorize(tb, r);
            return x.allowed !== y.allowed || x.reason !== y.reason;
          });
          if (differs) {
            differing++;
            expect(changes(d)).toBeGreaterThan(0);
          }
          if (changes(d) === 0) expect(differs).toBe(false);
        },
      ),
      { numRuns: RUNS },
    );
    expect(differing).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// examples

const HOUR = 3_600_000;
const cos = (name: string, value: string) => ({ name, operator: 'stringEquals' as const, value });
const EXAMPLE: SourceInput = {
  version: 1,
  accounts: [{ id: 'a1', system: 'ibm' }],
  principals: [
    { id: 'alice', accountId: 'a1', kind: 'user' },
    { id: 'bob', accountId: 'a1', kind: 'user' },
    { id: 'carol', accountId: 'a1', kind: 'user', status: 'disabled' },
  ],
  groups: [
    { id: 'devs', accountId: 'a1', name: 'devs', members: ['alice', 'bob', 'carol'] },
    {
      id: 'sso-devs',
      accountId: 'a1',
      name: 'sso devs',
      rules: [{ id: 'r1', realmName: 'https://idp.example', expiration: 12, conditions: [{ claim: 'dept', operator: 'EQUALS', value: '"eng"' }] }],
    },
    { id: 'empty', accountId: 'a1', name: 'empty' },
  ],
  roles: [
    { id: 'Viewer', kind: 'platform', actions: ['cos.bucket.read'] },
    { id: 'Writer', kind: 'service', actions: ['cos.bucket.*'] },
    { id: 'Nothing', kind: 'custom', accountId: 'a1', actions: [] },
  ],
  policies: [
    { id: 'p1', accountId: 'a1', subject: { kind: 'group', id: 'devs' }, roles: ['Viewer'], resource: { attributes: [cos('serviceName', 'cos')] } },
    { id: 'p2', accountId: 'a1', effect: 'deny', subject: { kind: 'principal', id: 'bob' }, roles: ['Viewer'], resource: { attributes: [cos('serviceName', 'cos'), cos('region', 'eu-de')] } },
    { id: 'p3', accountId: 'a1', subject: { kind: 'group', id: 'sso-devs' }, roles: ['Writer'], resource: { attributes: [cos('serviceName', 'cos')] } },
    { id: 'p4', accountId: 'a1', subject: { kind: 'principal', id: 'alice' }, roles: ['Viewer'], resource: { attributes: [cos('serviceName', 'cos'), { name: 'region', operator: 'stringMatch', value: 'us-*' }] } },
    { id: 'p5', accountId: 'a1', subject: { kind: 'group', id: 'devs' }, roles: ['Viewer'], resource: { attributes: [cos('serviceName', 'cos')] } },
    { id: 'p6', accountId: 'a1', subject: { kind: 'group', id: 'devs' }, roles: ['Viewer'], resource: { attributes: [cos('serviceName', 'cos'), cos('region', 'eu-de')] } },
    { id: 'p7', accountId: 'a1', subject: { kind: 'principal', id: 'bob' }, roles: ['Viewer'], resource: { attributes: [cos('region', 'eu-de'), cos('serviceName', 'cos')] } },
    { id: 'p8', accountId: 'a1', subject: { kind: 'group', id: 'empty' }, roles: ['Viewer'], resource: { attributes: [cos('serviceName', 'cos')] } },
    { id: 'p9', accountId: 'a1', subject: { kind: 'principal', id: 'alice' }, roles: ['Nothing'], resource: { attributes: [cos('serviceName', 'cos')] } },
  ],
  memberships: [
    { accountId: 'a1', principalId: 'bob', groupId: 'sso-devs', realm: 'https://idp.example', loginAt: new Date(BASE_TIME - 13 * HOUR).toISOString(), expiresAt: new Date(BASE_TIME - HOUR).toISOString() },
  ],
};
const example = parseSource(EXAMPLE);
const exampleTables = compile(example);
const bucket = (region: string) => ({ attributes: { accountId: 'a1', serviceName: 'cos', region } });

describe('whoCan (examples)', () => {
  it('lists principals with their granting policies, honours a direct deny, and names claim rules', () => {
    const w = whoCan(exampleTables, 'cos.bucket.read', bucket('eu-de'), { now: BASE_TIME });
    expect(w.principals.map((p) => [p.id, p.policies])).toEqual([['alice', ['p1', 'p5', 'p6']]]);
    expect(w.principals[0]!.paths[0]).toEqual({ policyId: 'p1', via: 'static', groupId: 'devs' });
    expect(w.denied).toEqual([{ id: 'bob', denies: ['p2'], overridden: ['p1', 'p5', 'p6', 'p7'] }]);
    expect(w.groups.map((g) => g.id)).toEqual(['devs', 'empty', 'sso-devs']);
    expect(w.membersByRule).toEqual([{ groupId: 'sso-devs', ruleId: 'r1', realm: 'https://idp.example', policies: ['p3'] }]);
    expect(w.anonymous.allowed).toBe(false);
  });

  it('lists bob where his deny does not reach', () => {
    const w = whoCan(exampleTables, 'cos.bucket.read', bucket('us-south'), { now: BASE_TIME });
    expect(w.principals.map((p) => p.id)).toEqual(['alice', 'bob']);
    expect(w.principals[0]!.policies).toEqual(['p1', 'p4', 'p5']);
  });

  it('refuses a missing clock and a malformed resource with typed errors', () => {
    expect(() => whoCan(exampleTables, 'cos.bucket.read', bucket('eu-de'), {} as { now: number })).toThrow(expect.objectContaining({ code: 'invalid_options' }));
    expect(() => whoCan(exampleTables, 'cos.bucket.read', { attributes: { serviceName: 'cos' } }, { now: BASE_TIME })).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
  });
});

describe('whatCan (examples)', () => {
  it('lists the actions with the determining policies, and patterns for actions no role names', () => {
    const w = whatCan(exampleTables, { id: 'alice' }, bucket('us-south'), { now: BASE_TIME });
    expect(w.actions).toEqual([{ action: 'cos.bucket.read', policies: ['p1', 'p4', 'p5'] }]);
    expect(w.patterns).toEqual([]);
    const withClaims = whatCan(exampleTables, { id: 'alice', claims: { realm: 'https://idp.example', attributes: { dept: 'eng' } } }, bucket('us-south'), { now: BASE_TIME });
    expect(withClaims.patterns).toEqual([{ pattern: 'cos.bucket.*', policies: ['p3'] }]);
    const bob = whatCan(exampleTables, { id: 'bob' }, bucket('eu-de'), { now: BASE_TIME });
    expect(bob.actions).toEqual([]);
    expect(bob.denied).toEqual([{ action: 'cos.bucket.read', policies: ['p2'] }]);
  });
});

describe('listResources and resourceFilter (examples)', () => {
  it('lists the given resources the subject may act on', () => {
    const got = listResources(exampleTables, { id: 'bob' }, 'cos.bucket.read', [bucket('eu-de'), bucket('us-south')], { now: BASE_TIME });
    expect(got).toEqual([{ index: 1, policies: ['p1', 'p5'] }]);
  });

  it('writes a filter that selects the same rows in SQLite, with every value bound', () => {
    const f = resourceFilter(exampleTables, { id: 'bob' }, 'cos.bucket.read', { accountId: 'a1', now: BASE_TIME });
    if (f.residual) throw new Error('expected an exact filter');
    expect(f.columns).toEqual(['accountId', 'region', 'serviceName']);
    expect(f.sql.sql).not.toContain('eu-de');
    const db = new Database(':memory:');
    try {
      db.exec('CREATE TABLE r (id TEXT, "accountId" TEXT, "serviceName" TEXT, "region" TEXT)');
      const ins = db.prepare('INSERT INTO r VALUES (?, ?, ?, ?)');
      ins.run('x1', 'a1', 'cos', 'eu-de');
      ins.run('x2', 'a1', 'cos', 'us-south');
      ins.run('x3', 'a1', 'kms', 'us-south');
      ins.run('x4', 'a2', 'cos', 'us-south');
      ins.run('x5', 'a1', 'cos', null);
      const ids = db.prepare(`SELECT id FROM r WHERE ${f.sql.sql} ORDER BY id`).all(...f.sql.params) as { id: string }[];
      expect(ids.map((x) => x.id)).toEqual(['x2', 'x5']);
    } finally {
      db.close();
    }
  });

  it('translates globs without letting values reach the SQL text', () => {
    const src = parseSource({
      ...EXAMPLE,
      policies: [
        { id: 'g1', accountId: 'a1', subject: { kind: 'principal', id: 'alice' }, roles: ['Viewer'], resource: { attributes: [{ name: 'path', operator: 'stringMatch', value: "a{{*}}[x]{{?}}'; DROP TABLE r; --*" }] } },
      ],
    });
    const f = resourceFilter(compile(src), { id: 'alice' }, 'cos.bucket.read', { accountId: 'a1', now: BASE_TIME });
    if (f.residual) throw new Error('expected an exact filter');
    expect(f.sql.sql).not.toContain('DROP');
    const db = new Database(':memory:');
    try {
      db.exec('CREATE TABLE r (id TEXT, "accountId" TEXT, "path" TEXT)');
      const ins = db.prepare('INSERT INTO r VALUES (?, ?, ?)');
      ins.run('hit', 'a1', "a*[x]?'; DROP TABLE r; --tail");
      ins.run('star-is-literal', 'a1', "ab[x]?'; DROP TABLE r; --tail");
      ins.run('bracket-is-literal', 'a1', "a*x?'; DROP TABLE r; --tail");
      ins.run('question-mark-is-literal', 'a1', "a*[x]z'; DROP TABLE r; --tail");
      const ids = (db.prepare(`SELECT id FROM r WHERE ${f.sql.sql}`).all(...f.sql.params) as { id: string }[]).map((x) => x.id);
      expect(ids).toEqual(['hit']);
      expect(toSql({ op: 'match', attr: 'we"ird', pattern: '*' }).sql).toContain('"we""ird"');
    } finally {
      db.close();
    }
  });

  it('is residual when a policy needs tags, and falls back to listing', () => {
    const src = parseSource({
      ...EXAMPLE,
      policies: [{ id: 't1', accountId: 'a1', subject: { kind: 'principal', id: 'alice' }, roles: ['Viewer'], resource: { tags: [{ name: 'env', value: 'prod' }] } }],
      resources: [
        { id: 'res-prod', accountId: 'a1', attributes: { serviceName: 'cos' }, tags: ['env:prod'] },
        { id: 'res-dev', accountId: 'a1', attributes: { serviceName: 'cos' }, tags: ['env:dev'] },
      ],
    });
    const f = resourceFilter(compile(src), { id: 'alice' }, 'cos.bucket.read', { accountId: 'a1', now: BASE_TIME });
    expect(f.residual).toBe(true);
    if (!f.residual) return;
    expect(f.reasons).toEqual([{ policyId: 't1', on: 'tags' }]);
    expect(f.resources).toEqual([{ id: 'res-prod', policies: ['t1'] }]);
  });
});

describe('diff (examples)', () => {
  it('shows the grants a member loses when removed from a group', () => {
    const b = parseSource({ ...EXAMPLE, groups: EXAMPLE.groups!.map((g) => (g.id === 'devs' ? { ...g, members: ['bob'] } : g)) });
    const d = diff(example, b);
    expect(d.added).toEqual([]);
    const lost = d.removed.map((g) => [g.identity, g.action, g.via.map((v) => v.policyId)]).sort((x, y) => String(x[2]).localeCompare(String(y[2])));
    expect(lost).toEqual([[{ kind: 'principal', id: 'alice' }, 'cos.bucket.read', ['p1', 'p5']], [{ kind: 'principal', id: 'alice' }, 'cos.bucket.read', ['p6']]]);
  });

  it('shows a claim rule edit as grants of the rule', () => {
    const b = parseSource({
      ...EXAMPLE,
      groups: EXAMPLE.groups!.map((g) => (g.id === 'sso-devs' ? { ...g, rules: [{ ...g.rules![0]!, conditions: [{ claim: 'dept', operator: 'EQUALS', value: '"ops"' }] }] } : g)),
    });
    const d = diff(example, b);
    expect(d.added.map((g) => g.identity.kind)).toEqual(['rule']);
    expect(d.removed.map((g) => g.identity.kind)).toEqual(['rule']);
  });

  // counterexample of the 'is non-empty when some decision differs' property (seed -2086470883): the diff held a dynamic
  // membership before its loginAt, so removing the static membership it shadowed showed no change although decisions
  // between now and the login changed; the membership holds in [loginAt, expiresAt), as the engine holds it
  it('holds a dynamic membership only from its login on', () => {
    const login = BASE_TIME + 24 * HOUR;
    const input = (members: string[]): SourceInput => ({
      version: 1,
      accounts: [{ id: 'o1', system: 'bluexp' }],
      principals: [{ id: 'u1', accountId: 'o1', kind: 'user' }],
      groups: [{ id: 'g1', accountId: 'o1', name: 'g1', members }],
      roles: [{ id: 'bx-viewer', kind: 'bluexp', actions: ['workspace:read'] }],
      bindings: [{ id: 'b1', accountId: 'o1', subject: { kind: 'group', id: 'g1' }, roleId: 'bx-viewer', nodeId: 'o1' }],
      memberships: [{ accountId: 'o1', principalId: 'u1', groupId: 'g1', realm: 'realm-b', loginAt: new Date(login).toISOString(), expiresAt: new Date(login + HOUR).toISOString() }],
    });
    const a = parseSource(input(['u1']));
    const b = parseSource(input([]));
    const request = { subject: { id: 'u1' }, action: 'workspace:read', resource: { attributes: { accountId: 'o1' } } };
    expect(authorize(compile(a), request, { now: BASE_TIME }).allowed).toBe(true);
    expect(authorize(compile(b), request, { now: BASE_TIME }).allowed).toBe(false);
    expect(authorize(compile(b), request, { now: login }).allowed).toBe(true);
    const d = diff(a, b);
    expect(d.removed.map((g) => [g.identity, g.action, g.from, g.until])).toEqual([[{ kind: 'principal', id: 'u1' }, 'workspace:read', undefined, undefined]]);
    expect(d.added).toEqual([]);
    // the same membership with an earlier login holds over a longer span: a grant gained, with its start
    const earlier = parseSource({ ...input([]), memberships: [{ accountId: 'o1', principalId: 'u1', groupId: 'g1', realm: 'realm-b', loginAt: new Date(BASE_TIME).toISOString(), expiresAt: new Date(login + HOUR).toISOString() }] });
    const e = diff(b, earlier);
    expect(e.added.map((g) => [g.identity, g.action, g.from, g.until])).toEqual([[{ kind: 'principal', id: 'u1' }, 'workspace:read', BASE_TIME, login + HOUR]]);
    expect(e.removed.map((g) => [g.identity, g.action, g.from, g.until])).toEqual([[{ kind: 'principal', id: 'u1' }, 'workspace:read', login, login + HOUR]]);
  });

  it('is empty for edits that change no access', () => {
    const b = parseSource({ ...EXAMPLE, policies: EXAMPLE.policies!.map((p) => ({ ...p, description: 'edited' })) });
    expect(diff(example, b)).toEqual({ added: [], removed: [], context: [] });
  });
});

describe('lint (examples)', () => {
  it('reports each kind of finding with its code and id', () => {
    const got = lint(example, { now: BASE_TIME }).map((f) => [f.code, f.id, f.related]);
    expect(got).toEqual([
      ['duplicate_policy', 'p5', ['p1']],
      ['empty_subject_group', 'p8', ['empty']],
      ['expired_membership', 'bob/sso-devs', ['sso-devs']],
      ['role_grants_nothing', 'Nothing', ['p9']],
      ['shadowed_by_deny', 'p7', ['p2']],
      ['subsumed_policy', 'p6', ['p1']],
      ['subsumed_policy', 'p6', ['p5']],
    ]);
  });

  it('reports expired bindings and rules only with a clock', () => {
    const src = parseSource({
      version: 1,
      accounts: [{ id: 'o1', system: 'bluexp' }],
      principals: [{ id: 'u1', accountId: 'o1', kind: 'user' }],
      roles: [{ id: 'bx-viewer', kind: 'bluexp', actions: ['workspace:read'] }],
      bindings: [{ id: 'b1', accountId: 'o1', subject: { kind: 'principal', id: 'u1' }, roleId: 'bx-viewer', nodeId: 'o1', expiresAt: new Date(BASE_TIME - HOUR).toISOString() }],
    });
    expect(lint(src).map((f) => f.code)).toEqual([]);
    expect(lint(src, { now: BASE_TIME }).map((f) => [f.code, f.id])).toEqual([['expired_binding', 'b1']]);
  });
});

describe('lint is sound on random sources', () => {
  it('a shadowed allow never decides, and a subsumed policy never matches without the one subsuming it', () => {
    let checked = 0;
    fc.assert(
      fc.property(arbSourceAndRequests({ maxRequests: 8 }), ({ source, requests }) => {
        const findings = lint(source).filter((f) => f.code === 'shadowed_by_deny' || f.code === 'subsumed_policy');
        if (findings.length === 0) return;
        const tables = compile(source);
        for (const r of requests) {
          const d = authorize(tables, r);
          for (const f of findings) {
            if (!d.policies.includes(f.id)) continue;
            checked++;
            if (f.code === 'shadowed_by_deny') expect(d.allowed).toBe(false);
            else expect(d.policies).toContain(f.related[0]);
          }
        }
      }),
      { numRuns: RUNS },
    );
    expect(checked).toBeGreaterThanOrEqual(0);
  });
});

describe('whatCan checks the subject as authorize does', () => {
  it('refuses a malformed subject with invalid_request', async () => {
    const { whatCan: what, compile: comp, parseSource: parse, ValidationError: VE } = await import('@portcullis/engine');
    const tables = comp(parse({ version: 1, accounts: [{ id: 'a', system: 'ibm' }] }));
    let error: unknown;
    try {
      what(tables, { id: 'x', claims: 5 } as never, { attributes: { accountId: 'a' } }, { now: 0 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VE);
    expect((error as InstanceType<typeof VE>).code).toBe('invalid_request');
  });
});
