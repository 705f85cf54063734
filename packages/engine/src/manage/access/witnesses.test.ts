// The witnesses the gate asks for an open value (witnesses.ts), checked against a brute-force partition: every short
// string over the characters the patterns name plus unnamed ones, grouped by the evaluator's own glob matcher. What the
// walk returns must be one value per class it can tell apart, every literal as itself, nothing twice, the same whatever
// order the patterns come in. The exact cases pin each glob shape, the trie of literals and the bound past which the gate
// refuses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, matchGlob } from '../../compile/glob.js';
import { parseSource } from '../../model/parse-source.js';
import { SourceState } from '../../model/source-state.js';
import { ANY_VALUE, GLOB_VALUE } from './targets.js';
import { applicablePolicies, attributePatterns, MAX_WITNESS_STATES, MAX_WITNESS_STEPS, subjectIndex, tagWitnesses, witnesses } from './witnesses.js';

const glob = (pattern: string) => {
  const g = compileGlob(pattern);
  return (s: string) => matchGlob(g, s);
};
/** A glob with `n` occurrences of `ch` between stars: an automaton of n + 1 states over `ch`, one accepting. */
const counter = (ch: string, n: number) => `*${Array.from({ length: n }, () => ch).join('*')}*`;

/** Every string of length 0 to `max` over `chars`. */
function strings(chars: readonly string[], max: number): string[] {
  let layer = [''];
  const out = [''];
  for (let n = 0; n < max; n++) {
    layer = layer.flatMap((w) => chars.map((c) => w + c));
    out.push(...layer);
  }
  return out;
}

// characters the generated patterns name (the two below U+0003 collide with the wildcards' codes if those are positive;
// U+0000 is a character like any other; U+E000 is where the walk's own fresh character starts) and some they never do
const GLOB_PARTS = ['a', 'b', '\u0000', '\u0001', '\u0002', '\ue000', '*', '?', '{{*}}', '{{?}}'];
const LITERAL_CHARS = ['a', 'b', 'c', '\u0001', '\u0002', '\ue000', '*', '?'];
const UNIVERSE = strings(['a', 'b', 'c', '\u0000', '\u0001', '\u0002', '\ue000', '\ue001', '*', '?'], 3);

const globArb = fc.array(fc.constantFrom(...GLOB_PARTS), { maxLength: 3 }).map((p) => p.join(''));
const literalArb = fc.array(fc.constantFrom(...LITERAL_CHARS), { maxLength: 3 }).map((p) => p.join(''));
const shuffled = <T>(xs: readonly T[], seed: number): T[] => {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

describe('witnesses against a brute-force partition', () => {
  it('one value per class the patterns tell apart, every admitted literal as itself, nothing twice, whatever the order', () => {
    let classes = 0;
    fc.assert(
      fc.property(
        fc.option(globArb, { nil: undefined }),
        fc.array(literalArb, { maxLength: 4 }),
        fc.array(globArb, { maxLength: 3 }),
        fc.nat(),
        (openGlob, literals, globs, seed) => {
          const open = openGlob === undefined ? ANY_VALUE : GLOB_VALUE + openGlob;
          const admits = openGlob === undefined ? () => true : glob(openGlob);
          const matchers = [...new Set(globs)].map(glob);
          const answers = (s: string) => matchers.map((m) => (m(s) ? 1 : 0)).join('');
          const lits = new Set(literals);
          const got = witnesses(open, literals, globs);
          expect(got).not.toBeNull();
          const w = got!;
          // admitted, well-formed (no lone surrogate), never twice
          for (const v of w) expect(admits(v)).toBe(true);
          for (const v of w) expect(/[\ud800-\udfff]/.test(v)).toBe(false);
          expect(new Set(w).size).toBe(w.length);
          // the literals the open value admits, each as itself, first and sorted
          const admittedLits = [...lits].filter(admits).sort();
          expect(w.slice(0, admittedLits.length)).toEqual(admittedLits);
          const rest = w.slice(admittedLits.length);
          for (const v of rest) expect(lits.has(v)).toBe(false);
          // one value per class: no two of the rest alike
          const restAnswers = rest.map(answers);
          expect(new Set(restAnswers).size).toBe(rest.length);
          // every class of admitted non-literal strings has its value
          const wanted = new Set(UNIVERSE.filter((s) => admits(s) && !lits.has(s)).map(answers));
          for (const a of wanted) expect(restAnswers).toContain(a);
          classes += rest.length;
          // the order of the patterns changes nothing
          expect(witnesses(open, shuffled(literals, seed), shuffled(globs, seed + 1))).toEqual(w);
        },
      ),
      { numRuns: 400, seed: 4242 },
    );
    // the worlds are not vacuous: most have more than one class
    expect(classes).toBeGreaterThan(400);
  });
});

describe('witnesses, exact cases', () => {
  it('every value is one class when nothing can tell values apart: the fresh character stands for it', () => {
    expect(witnesses(ANY_VALUE, [], [])).toEqual(['\ue000']);
  });

  it('the fresh character is one no pattern or literal holds, a well-formed one past U+E000', () => {
    // `?` admits one character: the literal U+E000, and every other one, spelt U+E001
    expect(witnesses(`${GLOB_VALUE}?`, ['\ue000'], [])).toEqual(['\ue000', '\ue001']);
    expect(witnesses(ANY_VALUE, [], ['\ue000', '\ue001*'])).toEqual(['\ue002', '\ue000', '\ue001']);
  });

  it('U+0000 is a character a glob can name: a value starting with it is its own class', () => {
    expect(witnesses(ANY_VALUE, [], ['\u0000*'])).toEqual(['\ue000', '\u0000']);
  });

  it('U+0001 and U+0002 are characters, not wildcards', () => {
    expect(witnesses(ANY_VALUE, [], ['\u0001', '\u0002'])).toEqual(['\ue000', '\u0001', '\u0002']);
  });

  it('a literal is its own witness; a prefix of one that is no literal stands for its class', () => {
    // `ab` and `ac` share the node `a`; the class of `ab*` that is no literal is spelt `aba`, never `ab`
    expect(witnesses(ANY_VALUE, ['ac', 'ab'], ['ab*'])).toEqual(['ab', 'ac', 'b', 'aba']);
    // the glob `a` is matched by one value only, `a`, a prefix of the literal `ab`: it is that class's witness
    expect(witnesses(ANY_VALUE, ['ab'], ['a'])).toEqual(['ab', '\ue000', 'a']);
    // the empty literal is the empty value; a value of the open value's class is still asked
    expect(witnesses(ANY_VALUE, [''], [])).toEqual(['', '\ue000']);
    // a literal the glob matches alone: the glob's class holds no other value, so it has no witness of its own
    expect(witnesses(ANY_VALUE, ['a'], ['a'])).toEqual(['a', '\ue000']);
  });

  it('a literal the open value does not admit is left out', () => {
    // `a` is a prefix of the literal `ab`, `aa` the last other value reached: both stand for the one class
    expect(witnesses(`${GLOB_VALUE}a*`, ['ab', 'b', 'ba'], [])).toEqual(['ab', 'aa']);
  });

  it('each glob shape: `*`, `?`, a prefix, a suffix, an infix, `{{*}}` and `{{?}}`', () => {
    expect(witnesses(ANY_VALUE, [], ['*'])).toEqual(['\ue000']);
    expect(witnesses(ANY_VALUE, [], ['?'])).toEqual(['\ue000\ue000', '\ue000']);
    expect(witnesses(ANY_VALUE, [], ['a*'])).toEqual(['\ue000', 'a']);
    expect(witnesses(ANY_VALUE, [], ['*a'])).toEqual(['\ue000', 'a']);
    expect(witnesses(ANY_VALUE, [], ['*a*'])).toEqual(['\ue000', 'a']);
    expect(witnesses(ANY_VALUE, [], ['a{{*}}'])).toEqual(['a', 'a*']);
    expect(witnesses(ANY_VALUE, [], ['{{?}}'])).toEqual(['\ue000', '?']);
    // the order the walk takes is the characters' order, not the patterns'
    expect(witnesses(ANY_VALUE, [], ['ba*'])).toEqual(witnesses(ANY_VALUE, [], ['ba*', 'ba*']));
    expect(witnesses(ANY_VALUE, [], ['ba*'])).toEqual(['b', 'ba']);
  });

  it('an open glob narrows the values: only what it admits is asked', () => {
    expect(witnesses(`${GLOB_VALUE}a?`, [], ['*b'])).toEqual(['aa', 'ab']);
    expect(witnesses(`${GLOB_VALUE}a`, [], ['*b'])).toEqual(['a']);
  });
});

describe('the bound on the walk', () => {
  // counters of 16, 25 and 50 states over three characters: 20,000 combinations, each reached, eight classes
  const globs = [counter('a', 15), counter('b', 24), counter('c', 49)];

  it(`walks ${MAX_WITNESS_STATES} states, and refuses (null) one past them`, () => {
    // the state bound alone (the step bound, MAX_WITNESS_STEPS, is lifted here: it is met first by these counters)
    expect(witnesses(ANY_VALUE, [], globs, Infinity)).toHaveLength(8);
    // the literal `a` is one state more (a trie node; the combination it reaches is reached off the trie as well)
    expect(witnesses(ANY_VALUE, ['a'], globs, Infinity)).toBeNull();
    // with the step bound as the gate uses it, the same walk is refused sooner, and counts no more than the bound
    // plus one character's steps
    const used = { steps: 0 };
    expect(witnesses(ANY_VALUE, [], globs, MAX_WITNESS_STEPS, used)).toBeNull();
    expect(used.steps).toBeGreaterThan(MAX_WITNESS_STEPS);
    expect(used.steps).toBeLessThanOrEqual(MAX_WITNESS_STEPS + globs.length + 1);
  });

  it('an open glob the patterns cannot reach past its first character is not refused for them', () => {
    // after `x` the counters make 20,000 combinations, and a word not starting with `x` one more; `a*` admits no
    // value starting with `x`, and is not refused for what they could tell apart there
    const late = globs.map((g) => `x${g}`);
    expect(witnesses(ANY_VALUE, [], late, Infinity)).toBeNull();
    expect(witnesses(`${GLOB_VALUE}a*`, [], late, Infinity)).toEqual(['a']);
  });
});

// one IBM account `A` and one Cloudflare account `C`, for the subject index, the tag witnesses and the patterns
const cond = (name: string, value: unknown, operator = 'stringEquals') => ({ name, operator, value });
const policy = (id: string, subject: object, attributes: object[] = [], tags: object[] = [], accountId = 'A') => ({
  id,
  accountId,
  subject,
  roles: ['R'],
  resource: { attributes, tags },
});
const state = SourceState.from(
  parseSource({
    version: 1,
    accounts: [
      { id: 'A', system: 'ibm' },
      { id: 'C', system: 'cloudflare' },
    ],
    services: [{ name: 'kms', type: 'service' }],
    roles: [
      { id: 'R', kind: 'custom', accountId: 'A', actions: ['kms.keys.read'], serviceName: 'cos' },
      { id: 'G', kind: 'service', actions: ['dns.read'], serviceName: 'dns' },
    ],
    principals: ['u1', 'u2', 'u3'].map((id) => ({ id, accountId: 'A', kind: 'user' })),
    groups: [
      { id: 'static', accountId: 'A', name: 'static', members: ['u1'] },
      { id: 'dynamic', accountId: 'A', name: 'dynamic' },
      { id: 'empty', accountId: 'A', name: 'empty', members: ['u2'] },
      { id: 'AccessGroupId-PublicAccess', accountId: 'A', name: 'Public Access' },
    ],
    memberships: [
      { accountId: 'A', principalId: 'u1', groupId: 'dynamic', realm: 'r', loginAt: '2026-01-01T00:00:00Z', expiresAt: '2026-01-02T00:00:00Z' },
    ],
    resourceGroups: [
      { id: 'rg', accountId: 'C', scope: [{ key: 'com.cloudflare.api.user.cf-u1', objects: [{ key: '*' }] }] },
      { id: 'rg2', accountId: 'C', scope: [{ key: 'com.cloudflare.api.account.C', objects: [{ key: '*' }] }] },
    ],
    policies: [
      policy('own1', { kind: 'principal', id: 'u1' }, [cond('resource', 'k1')]),
      policy('own2', { kind: 'principal', id: 'u1' }, [cond('resource', 'k*', 'stringMatch')]),
      policy('other', { kind: 'principal', id: 'u2' }, [cond('resource', 'k2')]),
      policy('static', { kind: 'group', id: 'static' }, [], [{ name: 'env', value: 'p?d*', operator: 'stringMatch' }]),
      policy('dynamic', { kind: 'group', id: 'dynamic' }, [], [{ name: 'team', value: 'a*', operator: 'stringEquals' }]),
      policy('public', { kind: 'group', id: 'AccessGroupId-PublicAccess' }, [cond('region', ['eu', 'us'], 'stringEqualsAnyOf')]),
    ],
  }),
);
const ids = (ps: readonly { id: string }[]) => ps.map((p) => p.id);

describe('the policies that can apply to a principal', () => {
  const index = subjectIndex(state, 'A');

  it('its own, Public Access, its static and its dynamic groups’, no one else’s', () => {
    expect(ids(applicablePolicies(index, 'u1'))).toEqual(['own1', 'own2', 'public', 'static', 'dynamic']);
    expect(ids(applicablePolicies(index, 'u2'))).toEqual(['other', 'public']);
  });

  it('a principal in no group reaches Public Access’s', () => {
    expect(ids(applicablePolicies(index, 'u3'))).toEqual(['public']);
  });

  it('another account’s index holds none of these', () => {
    expect(ids(applicablePolicies(subjectIndex(state, 'C'), 'u1'))).toEqual([]);
  });
});

describe('the tags a request carries to meet every tag condition', () => {
  it('a glob’s shortest instance (`*` empty, `?` one letter), a literal as it is, in the policies’ order', () => {
    const index = subjectIndex(state, 'A');
    expect(tagWitnesses(applicablePolicies(index, 'u1'))).toEqual(['env:pad', 'team:a*']);
    expect(tagWitnesses(applicablePolicies(index, 'u2'))).toEqual([]);
  });

  it('`{{*}}` and `{{?}}` are the characters; one tag asked twice is asked once', () => {
    const p = (value: string, operator: string) => ({ resource: { attributes: [], tags: [{ name: 'k', value, operator }] } });
    const policies = [p('x{{*}}{{?}}', 'stringMatch'), p('x*?', 'stringEquals'), p('x?', 'stringEquals'), p('x{{*}}{{?}}', 'stringMatch')];
    expect(tagWitnesses(policies as never)).toEqual(['k:x*?', 'k:x?']);
  });
});

describe('what can tell values of an attribute apart', () => {
  const held = applicablePolicies(subjectIndex(state, 'A'), 'u1');
  const pats = (attr: string, policies = held, accountId = 'A') => attributePatterns(policies, state, accountId, attr);

  it('the literals and globs of the conditions on it, and nothing of the conditions on others', () => {
    expect(pats('resource')).toEqual({ named: true, literals: ['k1'], globs: ['k*'] });
    expect(pats('region')).toEqual({ named: true, literals: ['eu', 'us'], globs: [] });
    expect(pats('zone')).toEqual({ named: false, literals: [], globs: [] });
  });

  it('an existence test reads the attribute but names no value; a rule’s leaves count as conditions', () => {
    const leaf = (operator: string, value: unknown) => ({ key: '{{resource.attributes.zone}}', operator, value });
    const p = { resource: { attributes: [cond('zone', true, 'stringExists')], tags: [] }, rule: { operator: 'and', conditions: [leaf('stringMatchAnyOf', ['z*']), leaf('stringEqualsAnyOf', ['z1'])] } };
    expect(pats('zone', [p as never])).toEqual({ named: true, literals: ['z1'], globs: ['z*'] });
    expect(pats('zone', [{ resource: { attributes: [cond('zone', true, 'stringExists')], tags: [] } } as never])).toEqual({ named: true, literals: [], globs: [] });
  });

  it('the evaluator’s own literals: service names (the catalog’s, global and the account’s roles’), `user`, user scopes', () => {
    expect(pats('serviceName', [])).toEqual({ named: true, literals: ['kms', 'dns', 'cos'], globs: [] });
    expect(pats('resourceType', [])).toEqual({ named: true, literals: ['user'], globs: [] });
    expect(pats('resource', [], 'C')).toEqual({ named: true, literals: ['cf-u1'], globs: [] });
    expect(pats('resource', [])).toEqual({ named: false, literals: [], globs: [] });
  });
});
