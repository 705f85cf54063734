// Pins of the program steps of flat-tail.ts (Text, Tag, Federated): each must hold exactly where the side table's check
// it replaces holds (matchGlob on the attribute's value, matchRest's tag loop, its federated check), on every glob kind
// a step is written for, on literals of odd and even length, empty, non-ASCII and with surrogate pairs; and a whole
// source must decide as the naive reference evaluator.
import { describe, expect, it } from 'vitest';
import { compileAttribute, compileTag } from '../compile/compile-matchers.js';
import { compile } from '../compile/compile-source.js';
import { CandFlag, REC } from '../compile/identity-index.js';
import { compileGlob, matchGlob } from '../compile/glob.js';
import { recordNeedsTail, TailOp, writeTailSteps } from '../compile/flat-tail.js';
import type { Candidate, CompiledPolicy, PrincipalEntry, RoleInfo, TagMatcher } from '../compile/tables.js';
import { parseSource } from '../model/parse-source.js';
import { referenceAuthorize } from '../testing/reference-evaluator.js';
import { authorize } from './authorize.js';
import { runProgram } from './match-policy.js';
import { createContext, tagPairs } from './resolve-request.js';

const role: RoleInfo = { id: 'R', scopeType: null, admin: null };
const policy = (extra: Partial<CompiledPolicy> = {}) =>
  ({ id: 'p', scopes: null, nodes: null, expiresAt: Number.POSITIVE_INFINITY, serviceSubject: null, federatedGroup: false, tags: [], rule: null, ...extra }) as unknown as CompiledPolicy;
const cand = (extra: Partial<Candidate>): Candidate => ({
  id: 'p',
  deny: false,
  error: null,
  slow: false,
  policy: policy(),
  role,
  service: null,
  attributes: [],
  eqAttr: -1,
  eqValue: '',
  rest: [],
  ...extra,
});
const steps = (c: Candidate) => {
  const out: number[] = [];
  writeTailSteps(c, out);
  return new Int32Array(out);
};

const patterns = ['', '*', '**', 'abc', 'ab*', '*bc', '*b*', 'a', 'a*', '*a', 'é*', '*😀', 'x{{*}}y*', '{{?}}*', 'Résumé', 'abcdefghijklm*', '*{{*}}'];
const subjects = ['', 'a', 'ab', 'abc', 'abcd', 'xabc', 'bc', 'b', 'é', 'éa', 'a😀', '😀', 'x*y', 'x*yz', '?', '?q', 'Résumé', 'résumé', 'abcdefghijklmn', 'zz*'];

describe('the Text step holds where matchGlob does', () => {
  for (const pattern of patterns)
    it(`stringMatch \`${pattern}\``, () => {
      const names = new Map<string, number>();
      const m = compileAttribute(names, 'resource', 'stringMatch', pattern);
      const c = cand({ rest: [m] });
      const d = steps(c);
      // every pattern here is one literal: written as a step, so no Tail
      expect(m.glob!.kind).toBeLessThanOrEqual(4);
      expect(d[0]).toBe(TailOp.Text);
      expect(recordNeedsTail(c)).toBe(false);
      for (const s of [...subjects, undefined]) {
        const ctx = createContext();
        ctx.values[m.attr] = s;
        const want = s !== undefined && matchGlob(m.glob!, s);
        expect({ pattern, s, holds: runProgram(d, 0, d.length, ctx) }).toEqual({ pattern, s, holds: want });
      }
    });

  it('a glob with `?` or stars inside stays in the side table', () => {
    const names = new Map<string, number>();
    for (const pattern of ['a?c', 'a*b*c', '*a*b']) {
      const m = compileAttribute(names, 'resource', 'stringMatch', pattern);
      expect(m.glob!.kind).toBe(5);
      const c = cand({ rest: [m] });
      expect(steps(c)).toEqual(new Int32Array([]));
      expect(recordNeedsTail(c)).toBe(true);
    }
  });

  it('a step after a Text step is still checked, and the literal is never read as a step', () => {
    const names = new Map<string, number>();
    // a literal whose first code units read, as an int, like a Federated step
    const m = compileAttribute(names, 'resource', 'stringMatch', `${String.fromCharCode(0, TailOp.Federated)}*`);
    const d = steps(cand({ rest: [m] }));
    const ctx = createContext();
    ctx.values[m.attr] = `${String.fromCharCode(0, TailOp.Federated)}x`;
    expect(runProgram(d, 0, d.length, ctx)).toBe(true);
    const failing = new Int32Array([...d, 99, 0, 0]);
    expect(runProgram(failing, 0, failing.length, ctx)).toBe(false);
  });
});

describe('the Tag step holds where the tag loop of matchRest does', () => {
  const tagSets = [[], ['env:prod'], ['Env:Prod'], ['env:production'], ['env:'], ['env'], ['team:alpha', 'env:dev'], ['team:a:b'], ['envx:prod'], ['é:Ü'], ['project:x', 'team:beta'], ['enw:prod'], ['meat:alpha', 'vne:dev'], ['ü:ü']];
  const conditions: [string, string, string][] = [
    ['env', 'prod', 'stringEquals'],
    ['ENV', 'PROD', 'stringEquals'],
    ['env', '', 'stringEquals'],
    ['env', 'prod*', 'stringMatch'],
    ['env', '*', 'stringMatch'],
    ['team', '*a*', 'stringMatch'],
    ['team', 'a:b', 'stringEquals'],
    ['team', '*eta', 'stringMatch'],
    ['é', 'ü', 'stringEquals'],
  ];
  const holds = (t: TagMatcher, tags: string[]) => {
    const ctx = createContext();
    ctx.tags = tags;
    return tagPairs(ctx).some(([k, v]) => k === t.name && (t.glob === null ? v === t.value : matchGlob(t.glob, v)));
  };
  for (const [name, value, op] of conditions)
    it(`${op} ${name}:${value}`, () => {
      const t = compileTag(name, value, op);
      const c = cand({ slow: true, policy: policy({ tags: [t] }) });
      const d = steps(c);
      expect(d[0]).toBe(TailOp.Tag);
      expect(recordNeedsTail(c)).toBe(false);
      for (const tags of tagSets) {
        const ctx = createContext();
        ctx.tags = tags;
        expect({ tags, holds: runProgram(d, 0, d.length, ctx) }).toEqual({ tags, holds: holds(t, tags) });
      }
    });

  it('several tags are ANDed, and a tag glob with `?` keeps the side table', () => {
    const c = cand({ slow: true, policy: policy({ tags: [compileTag('env', 'prod', 'stringEquals'), compileTag('team', 'a*', 'stringMatch')] }) });
    const d = steps(c);
    const run = (tags: string[]) => {
      const ctx = createContext();
      ctx.tags = tags;
      return runProgram(d, 0, d.length, ctx);
    };
    expect(run(['env:prod', 'team:alpha'])).toBe(true);
    expect(run(['env:prod'])).toBe(false);
    expect(run(['team:alpha'])).toBe(false);
    expect(recordNeedsTail(cand({ slow: true, policy: policy({ tags: [compileTag('env', 'pr?d', 'stringMatch')] }) }))).toBe(true);
  });

  it('a candidate that is not slow has no tag step (matchTail reads no tags either)', () => {
    expect(steps(cand({ policy: policy({ tags: [compileTag('env', 'prod', 'stringEquals')] }) }))).toEqual(new Int32Array([]));
  });
});

describe('the Federated step holds for a user holding a direct binding now', () => {
  const d = steps(cand({ slow: true, policy: policy({ federatedGroup: true }) }));
  const ctx = createContext();
  ctx.now = 1000;
  const who = (kind: string, directBindingUntil: number) => ({ kind, directBindingUntil }) as unknown as PrincipalEntry;
  it('as matchRest: a user, before the end of its direct bindings', () => {
    expect(Array.from(d)).toEqual([TailOp.Federated, 0, 0]);
    expect(runProgram(d, 0, d.length, ctx, who('user', 1001))).toBe(true);
    expect(runProgram(d, 0, d.length, ctx, who('user', Number.POSITIVE_INFINITY))).toBe(true);
    expect(runProgram(d, 0, d.length, ctx, who('user', 1000))).toBe(false);
    expect(runProgram(d, 0, d.length, ctx, who('user', Number.NEGATIVE_INFINITY))).toBe(false);
    expect(runProgram(d, 0, d.length, ctx, who('service', 2000))).toBe(false);
    expect(runProgram(d, 0, d.length, ctx, null)).toBe(false);
  });
});

describe('a source of globs and tags decides as the reference, from records without the side table', () => {
  const source = parseSource({
    version: 1,
    accounts: [{ id: 'a1', system: 'ibm' }],
    services: [{ name: 'cos', type: 'service', roles: { Reader: ['cos.object.get'] } }],
    roles: [{ id: 'Reader', kind: 'service' }],
    principals: [{ id: 'u', accountId: 'a1', kind: 'user' }],
    policies: [
      ...patterns.map((value, i) => ({
        id: `p-glob-${i}`,
        accountId: 'a1',
        subject: { kind: 'principal', id: 'u' },
        roles: ['Reader'],
        resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'cos' }, { name: 'resource', operator: 'stringMatch', value }] },
      })),
      {
        id: 'p-tags',
        accountId: 'a1',
        subject: { kind: 'principal', id: 'u' },
        roles: ['Reader'],
        resource: {
          attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'cos' }],
          tags: [
            { name: 'Env', value: 'Prod', operator: 'stringEquals' },
            { name: 'team', value: 'a*', operator: 'stringMatch' },
          ],
        },
      },
    ].filter((p) => p.id !== 'p-glob-0'),
  });
  const tables = compile(source);
  it('every record is free of the Tail flag', () => {
    const ix = tables.accounts.get('a1')!.principals.get('u')!.index;
    for (let n = 0; n < ix.cands.length; n++) expect(ix.data[ix.recBase + n * REC]! & CandFlag.Tail).toBe(0);
  });
  it('on every subject string and tag set', () => {
    let allowed = 0;
    for (const resource of subjects)
      for (const tags of [[], ['env:prod', 'team:alpha'], ['ENV:PROD', 'team:b'], ['env:prod']]) {
        const request = { subject: { id: 'u' }, action: 'cos.object.get', resource: { attributes: { accountId: 'a1', serviceName: 'cos', resource }, tags }, environment: { now: 0 } };
        const d = authorize(tables, request);
        const r = referenceAuthorize(source, request);
        expect({ resource, tags, allowed: d.allowed, policies: d.policies }).toEqual({ resource, tags, allowed: r.allowed, policies: r.policies });
        if (d.allowed) allowed++;
      }
    expect(allowed).toBeGreaterThan(20);
  });
  it('the glob kinds are those compileGlob gives (so the comparison covers each)', () => {
    expect(new Set(patterns.map((p) => compileGlob(p).kind))).toEqual(new Set([0, 1, 2, 3, 4]));
  });
});

// Mutation run of flat-tail.ts (lead, 21:56-22:26 on 7a62bf7, flat4 merged, fast): afterStep read a Text step's attribute id as
// if it were a Tag's name length (`d[p] === TailOp.Tag` forced true) and no test failed: every program tested had its
// Text step last, or an attribute id too small to change the step's size. Skipping too far, the next condition was never
// checked (a false allow).
describe('a step after a Text step is reached whatever the Text step’s attribute id', () => {
  it('two globs on two attributes, the first of a high attribute id: each is checked', () => {
    const names = new Map<string, number>();
    for (let i = 0; i < 20; i++) names.set(`pad${i}`, names.size);
    const first = compileAttribute(names, 'region', 'stringMatch', 'u*');
    const second = compileAttribute(names, 'resource', 'stringMatch', 'ab*');
    expect(first.attr).toBeGreaterThanOrEqual(5);
    const d = steps(cand({ rest: [first, second] }));
    const holds = (region: string, resource: string) => {
      const ctx = createContext();
      ctx.values[first.attr] = region;
      ctx.values[second.attr] = resource;
      return runProgram(d, 0, d.length, ctx);
    };
    expect(holds('us', 'abc')).toBe(true);
    expect(holds('us', 'xyz')).toBe(false);
    expect(holds('eu', 'abc')).toBe(false);
  });
});
