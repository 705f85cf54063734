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
      fc.property(arbSourceAndRequests({ maxRequests: 4 }), ({ source, requests }) => {
        const tables = compile(source);
        const named = new Set<string>();
        for (const role of source.roles) for (const a of role.actions) if (!a.endsWith('*')) named.add(a);
        for (const s of source.services) for (const list of Object.values(s.roles)) for (const a of list) if (!a.endsWith('*')) named.add(a);
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
          if (named.has(r.action)) expect(w.actions.map((x) => x.action)).toContain(r.action);
          else expect(w.patterns.some((p) => r.action.startsWith(p.pattern.slice(0, -1)) && r.action.length >= p.pattern.length)).toBe(true);
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
