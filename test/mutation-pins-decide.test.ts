// Pins of decide's collection loops (evaluate/authorize.ts, issue 12, MUTATION.md): the deny loop, the listing of
// errored allows on a deny, and the allow loop. Each case was a mutant StrykerJS reported as surviving, or one written
// by hand beside it; the decisions are what the source means, and the naive reference evaluator must agree.
import { describe, expect, it } from 'vitest';
import { authorize, compile, createEngine, parseSource, type AuthorizeRequest, type Source } from '@portcullis/engine';
import { referenceAuthorize } from '@portcullis/engine/testing';

const NOW = Date.parse('2026-01-05T10:00:00Z');

type Row = Source['policies'][number];
const policy = (id: string, roles: string[], extra: Partial<Row> = {}): Row =>
  ({ id, accountId: 'A', subject: { kind: 'principal', id: 'm' }, roles, resource: { attributes: [] }, ...extra }) as Row;

function source(policies: Row[]): Source {
  return parseSource({
    version: 1,
    accounts: [{ id: 'A', system: 'ibm' }],
    principals: [{ id: 'm', accountId: 'A', kind: 'user', email: 'm@corp.example' }],
    roles: [
      // granted for kms only: a policy naming no service holds it on kms alone
      { id: 'R-kms', kind: 'custom', accountId: 'A', serviceName: 'kms', actions: ['x.read'] },
      // granted for every service
      { id: 'R-any', kind: 'custom', accountId: 'A', actions: ['x.read'] },
    ],
    policies,
  });
}

const ask = (service: string, subject = 'm'): AuthorizeRequest => ({
  subject: { id: subject },
  action: 'x.read',
  resource: { attributes: { accountId: 'A', serviceName: service } },
});

/** The compiled decision (with explanation), after checking its verdict and policies against the reference. */
function decide(src: Source, request: AuthorizeRequest) {
  const d = authorize(compile(src), request, { explain: true, now: NOW });
  const r = referenceAuthorize(src, { ...request, environment: { now: NOW } });
  expect({ allowed: d.allowed, reason: d.reason, policies: d.policies }).toEqual({ allowed: r.allowed, reason: r.reason, policies: r.policies });
  return d;
}

describe('a role granted for one service is a candidate for that service only', () => {
  it('an allow naming no service, through a kms role, does not allow on another service', () => {
    const src = source([policy('p', ['R-kms'])]);
    expect(decide(src, ask('kms'))).toMatchObject({ allowed: true, reason: 'allow', policies: ['p'] });
    // the allow loop's service check is the only one on this path (matchFlat does not read the record's service)
    const d = decide(src, ask('cos'));
    expect({ allowed: d.allowed, reason: d.reason, policies: d.policies, explanation: d.explanation }).toEqual({ allowed: false, reason: 'no-match', policies: [], explanation: [] });
  });

  it('a deny naming no service, through a kms role, does not deny on another service', () => {
    const src = source([policy('d', ['R-kms'], { effect: 'deny' } as Partial<Row>), policy('p', ['R-any'])]);
    expect(decide(src, ask('kms'))).toMatchObject({ allowed: false, reason: 'explicit-deny', policies: ['d'] });
    expect(decide(src, ask('cos'))).toMatchObject({ allowed: true, reason: 'allow', policies: ['p'] });
  });
});

describe('a request that reaches no candidate', () => {
  it('is a no-match without an explanation, even when one was asked for', () => {
    const d = decide(source([policy('p', ['R-any'])]), ask('kms', 'someone-else'));
    expect(d).toEqual({ allowed: false, reason: 'no-match', policies: [] });
  });
});

describe('the usage figures count the policies that determined an allow', () => {
  // decide hands them to the Engine (onAllowed); only an allow counts, each determining policy once
  it('through authorize and authorizeMany, an allow counts its policies and a deny or a no-match nothing', async () => {
    const src = source([policy('p', ['R-kms', 'R-any']), policy('q', ['R-any']), policy('d', ['R-any'], { effect: 'deny', resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'cos' }] } } as Partial<Row>)]);
    const e = createEngine({ clock: () => NOW, source: src });
    expect(e.authorize(ask('kms'))).toMatchObject({ allowed: true, policies: ['p', 'q'] });
    expect(e.authorize(ask('cos'))).toMatchObject({ allowed: false, reason: 'explicit-deny' });
    expect(e.authorize(ask('kms', 'someone-else'))).toMatchObject({ allowed: false, reason: 'no-match' });
    expect(e.authorizeMany({ id: 'm' }, [{ action: 'x.read', resource: { attributes: { accountId: 'A', serviceName: 'iam' } } }])).toMatchObject([{ allowed: true, policies: ['p', 'q'] }]);
    expect(await e.flushUsage()).toBe(2);
    const counted = Object.fromEntries(e.source.policies.map((p) => [p.id, p.lastPermitFrequency ?? 0]));
    expect(counted).toEqual({ p: 2, q: 2, d: 0 });
  });
});

describe('rankedIds sorts a ranked id after an unranked one collected before it', () => {
  // A policy compiled by an update has no rank and compares as its string. Collected through two identities (the
  // principal's own policies, then its group's, or the other way), an unranked id can come before a ranked one that
  // sorts first: the ranked one must still move before it.
  const row = (id: string, subject: { kind: 'principal' | 'group'; id: string }, deny: boolean): Row =>
    ({ id, accountId: 'A', subject, roles: ['R-any'], resource: { attributes: [] }, ...(deny ? { effect: 'deny' } : {}) }) as unknown as Row;
  for (const deny of [false, true]) {
    it(deny ? 'denies' : 'allows', async () => {
      const src = parseSource({
        version: 1,
        accounts: [{ id: 'A', system: 'ibm' }],
        principals: [{ id: 'm', accountId: 'A', kind: 'user', email: 'm@corp.example' }],
        groups: [{ id: 'g', accountId: 'A', name: 'g', members: ['m'] }],
        roles: [{ id: 'R-any', kind: 'custom', accountId: 'A', actions: ['x.read'] }],
        policies: [row('p-b', { kind: 'principal', id: 'm' }, deny), row('p-e', { kind: 'group', id: 'g' }, deny)],
      });
      const e = createEngine({ clock: () => NOW, source: src });
      const put = (value: Row) => ({ op: 'put' as const, entity: 'policy' as const, value });
      // unranked: `p-z` and `p-y` sort after every ranked id, `p-c` and `p-d` between them
      await e.commit([put(row('p-z', { kind: 'principal', id: 'm' }, deny)), put(row('p-y', { kind: 'group', id: 'g' }, deny)), put(row('p-c', { kind: 'group', id: 'g' }, deny)), put(row('p-d', { kind: 'principal', id: 'm' }, deny))]);
      const d = e.authorize(ask('kms'));
      expect(d.policies).toEqual(['p-b', 'p-c', 'p-d', 'p-e', 'p-y', 'p-z']);
      expect(authorize(compile(e.source), ask('kms'), { now: NOW }).policies).toEqual(d.policies);
    });
  }
});

describe('on a deny, the errored allows listed are those of the request’s own action', () => {
  // An identity's candidate lists lie one after another in its index (one list per action, denies first). The loop
  // that lists errored allows on a deny must stop at the end of the action's list: the next list's first candidate,
  // errored, belongs to another action and was never a candidate of this request.
  const rule = { operator: 'and', conditions: [{ key: '{{resource.attributes.x}}', operator: 'stringExists', value: true }] };
  const erroredDeny = (id: string, role: string): Row =>
    ({ id, accountId: 'A', subject: { kind: 'principal', id: 'm' }, roles: [role], resource: { attributes: [] }, effect: 'deny', rule }) as unknown as Row;
  const src = parseSource({
    version: 1,
    accounts: [{ id: 'A', system: 'ibm' }],
    principals: [{ id: 'm', accountId: 'A', kind: 'user', email: 'm@corp.example' }],
    roles: [
      { id: 'R-x', kind: 'custom', accountId: 'A', actions: ['x.read'] },
      { id: 'R-y', kind: 'custom', accountId: 'A', actions: ['y.write'] },
    ],
    policies: [erroredDeny('e-x', 'R-x'), erroredDeny('e-y', 'R-y')],
  });
  // both rules slipped past validation: both policies are errored, and an errored deny decides deny
  for (const p of src.policies) (p.rule as unknown as { conditions: { value: unknown }[] }).conditions[0]!.value = 'maybe';

  for (const [action, own] of [['x.read', 'e-x'], ['y.write', 'e-y']] as const) {
    it(`asked for ${action}`, () => {
      const request: AuthorizeRequest = { subject: { id: 'm' }, action, resource: { attributes: { accountId: 'A', serviceName: 'kms', x: 'y' } } };
      const d = authorize(compile(src), request, { now: NOW });
      const r = referenceAuthorize(src, { ...request, environment: { now: NOW } });
      const core = (x: typeof d) => ({ allowed: x.allowed, reason: x.reason, policies: x.policies, errors: x.errors ?? [] });
      expect(core(d)).toEqual(core(r));
      expect(core(d)).toEqual({ allowed: false, reason: 'explicit-deny', policies: [own], errors: [own] });
    });
  }
});

describe('every errored deny of a request is listed among the deciding policies', () => {
  // each errored deny takes its own entry in the collected ids: with a count that went the wrong way, only the first
  // would be listed
  it('two errored denies on one action', () => {
    const rule = { operator: 'and', conditions: [{ key: '{{resource.attributes.x}}', operator: 'stringExists', value: true }] };
    const erroredDeny = (id: string): Row =>
      ({ id, accountId: 'A', subject: { kind: 'principal', id: 'm' }, roles: ['R-any'], resource: { attributes: [] }, effect: 'deny', rule }) as unknown as Row;
    const src = source([erroredDeny('e-1'), erroredDeny('e-2'), policy('p', ['R-any'])]);
    for (const p of src.policies) if (p.rule !== undefined) (p.rule as unknown as { conditions: { value: unknown }[] }).conditions[0]!.value = 'maybe';
    const request = { ...ask('kms'), resource: { attributes: { accountId: 'A', serviceName: 'kms', x: 'y' } } };
    const d = authorize(compile(src), request, { now: NOW });
    const r = referenceAuthorize(src, { ...request, environment: { now: NOW } });
    const core = (x: typeof d) => ({ allowed: x.allowed, reason: x.reason, policies: x.policies, errors: x.errors ?? [] });
    expect(core(d)).toEqual(core(r));
    expect(core(d)).toEqual({ allowed: false, reason: 'explicit-deny', policies: ['e-1', 'e-2'], errors: ['e-1', 'e-2'] });
  });
});

describe('rankedIds on hits that are all ranked (tables compiled together) sorts by rank and lists each policy once', () => {
  // The principal's own policies come before its group's, each reached through two roles that both grant the action:
  // the hits come in runs out of order, with the repeats of a policy apart, and the first must move to the front.
  const row = (id: string, subject: { kind: 'principal' | 'group'; id: string }, deny: boolean): Row =>
    ({ id, accountId: 'A', subject, roles: ['R-kms', 'R-any'], resource: { attributes: [] }, ...(deny ? { effect: 'deny' } : {}) }) as unknown as Row;
  const src = (ids: [string, 'principal' | 'group'][], deny: boolean) =>
    parseSource({
      version: 1,
      accounts: [{ id: 'A', system: 'ibm' }],
      principals: [{ id: 'm', accountId: 'A', kind: 'user', email: 'm@corp.example' }],
      groups: [{ id: 'g', accountId: 'A', name: 'g', members: ['m'] }],
      roles: [
        { id: 'R-kms', kind: 'custom', accountId: 'A', serviceName: 'kms', actions: ['x.read'] },
        { id: 'R-any', kind: 'custom', accountId: 'A', actions: ['x.read'] },
      ],
      policies: ids.map(([id, kind]) => row(id, { kind, id: kind === 'principal' ? 'm' : 'g' }, deny)),
    });
  for (const deny of [false, true]) {
    it(deny ? 'denies' : 'allows', () => {
      const s = src([['p-c', 'principal'], ['p-d', 'principal'], ['p-a', 'group'], ['p-b', 'group'], ['p-e', 'group']], deny);
      const t = compile(s);
      // the second decision reads the principal's merged ranges (gather.ts), the first its separate ones
      for (let k = 0; k < 3; k++) expect(decide(s, ask('kms')).policies).toEqual(['p-a', 'p-b', 'p-c', 'p-d', 'p-e']);
      for (let k = 0; k < 3; k++) expect(authorize(t, ask('kms'), { now: NOW }).policies).toEqual(['p-a', 'p-b', 'p-c', 'p-d', 'p-e']);
    });
  }
  it('more hits than the sort keys first hold', () => {
    // 300 policies, 600 hits: the keys grow
    const ids: [string, 'principal' | 'group'][] = [];
    for (let i = 0; i < 300; i++) ids.push([`p-${String(299 - i).padStart(3, '0')}`, i % 2 === 0 ? 'principal' : 'group']);
    const s = src(ids, false);
    const want = ids.map(([id]) => id).sort();
    const t = compile(s);
    for (let k = 0; k < 3; k++) expect(authorize(t, ask('kms'), { now: NOW }).policies).toEqual(want);
    expect(decide(s, ask('kms')).policies).toEqual(want);
  });
});

describe('an errored policy reached through two roles is listed once among the errors', () => {
  // sortUnique drops the repeat: without it `errors` named the policy twice
  const rule = { operator: 'and', conditions: [{ key: '{{resource.attributes.x}}', operator: 'stringExists', value: true }] };
  for (const effect of ['deny', 'allow'] as const) {
    it(`an errored ${effect}`, () => {
      const src = source([
        { ...policy('e', ['R-kms', 'R-any']), effect, rule } as unknown as Row,
        policy('d', ['R-any'], { effect: 'deny' } as Partial<Row>),
        policy('e2', ['R-kms', 'R-any']),
      ]);
      // the rule slipped past validation: the policy is errored
      (src.policies[0]!.rule as unknown as { conditions: { value: unknown }[] }).conditions[0]!.value = 'maybe';
      const d = authorize(compile(src), ask('kms'), { now: NOW });
      expect(d.errors).toEqual(['e']);
      expect(d.policies).toEqual(effect === 'deny' ? ['d', 'e'] : ['d']);
    });
  }
});

describe('a decision whose hits are all unranked (every one added by an update) lists each policy', () => {
  // byRank must give up at the first unranked hit: keyed by rank 0 they would all read as one policy
  it('two allows added since the compile', async () => {
    const e = createEngine({ clock: () => NOW, source: source([]) });
    await e.commit([
      { op: 'put', entity: 'policy', value: policy('p-y', ['R-any']) },
      { op: 'put', entity: 'policy', value: policy('p-x', ['R-kms', 'R-any']) },
    ]);
    expect(e.authorize(ask('kms')).policies).toEqual(['p-x', 'p-y']);
  });
});
