import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, matchGlob } from './glob.js';

const m = (p: string, s: string) => matchGlob(compileGlob(p), s);

describe('glob', () => {
  it('matches literals exactly', () => {
    expect(m('abc', 'abc')).toBe(true);
    expect(m('abc', 'abcd')).toBe(false);
    expect(m('', '')).toBe(true);
  });
  it('lets `*` span any run, empty and `/` included', () => {
    expect(m('a*', 'a')).toBe(true);
    expect(m('a*', 'a/b/c')).toBe(true);
    expect(m('*c', 'a/b/c')).toBe(true);
    expect(m('a*c', 'ac')).toBe(true);
    expect(m('a*b*c', 'a/x/b/y/c')).toBe(true);
    expect(m('a*b*c', 'a/x/c')).toBe(false);
    expect(m('*', '')).toBe(true);
    expect(m('**', 'x')).toBe(true);
  });
  it('lets `?` match exactly one character', () => {
    expect(m('a?c', 'abc')).toBe(true);
    expect(m('a?c', 'ac')).toBe(false);
    expect(m('a?c', 'abbc')).toBe(false);
    expect(m('*?', '')).toBe(false);
    expect(m('*?', 'x')).toBe(true);
    expect(m('a*?b?*c', 'axbyc')).toBe(true);
    expect(m('??*??', 'abc')).toBe(false);
    expect(m('??*??', 'abcd')).toBe(true);
  });
  it('reads `{{*}}` and `{{?}}` as literals', () => {
    expect(m('a{{*}}b', 'a*b')).toBe(true);
    expect(m('a{{*}}b', 'axb')).toBe(false);
    expect(m('a{{?}}', 'a?')).toBe(true);
    expect(m('a{{?}}', 'ab')).toBe(false);
  });
  it('takes regex metacharacters literally', () => {
    expect(m('a.c', 'abc')).toBe(false);
    expect(m('a.c', 'a.c')).toBe(true);
    expect(m('(a|b)+[x]^$\\', '(a|b)+[x]^$\\')).toBe(true);
    expect(m('.*', 'anything')).toBe(false);
  });
  it('does not backtrack catastrophically', () => {
    const s = 'a'.repeat(5000);
    // a backtracking matcher would not finish this within the test timeout
    expect(m('*a*a*a*a*a*a*a*a*a*b', s)).toBe(false);
    expect(m('*a*a*a*a*a*a*a*a*a*a', s)).toBe(true);
  });
  it('classifies each shape', () => {
    const kinds = (p: string) => compileGlob(p).kind;
    expect([kinds('abc'), kinds('ab*'), kinds('*ab'), kinds('*ab*'), kinds('*'), kinds('a*b')]).toEqual([0, 1, 2, 3, 4, 5]);
    expect([kinds('**'), kinds('***'), kinds('a?'), kinds('*a?*'), kinds('a{{*}}'), kinds('{{?}}*')]).toEqual([3, 4, 5, 5, 0, 1]);
  });
});

// Every shape has its negative cases: each would pass if the shape's check were loosened to another shape's.
describe('glob: what each shape refuses', () => {
  const cases: [string, string, boolean][] = [
    // exact
    ['abc', 'ab', false],
    ['abc', 'xabc', false],
    ['', 'a', false],
    // prefix: not a suffix, not contains
    ['abc*', 'xabc', false],
    ['abc*', 'ab', false],
    ['abc*', 'abx', false],
    // suffix: not a prefix, not contains
    ['*abc', 'abcx', false],
    ['*abc', 'xabcx', false],
    ['*abc', 'bc', false],
    // contains
    ['*abc*', 'ab', false],
    ['*abc*', 'xacbx', false],
    ['*abc*', 'xabcx', true],
    // general with a literal first and last: not "ends with", not "starts with"
    ['a*c', 'xbc', false],
    ['a*c', 'abx', false],
    ['a*c', 'a', false],
    ['a*c', 'c', false],
    // `?` positions are compared, each one
    ['a?c', 'xbc', false],
    ['a?c', 'abx', false],
    ['?bc', 'xbx', false],
    ['ab?', 'xbz', false],
    ['a?c*', 'xbcd', false],
    ['a?c*', 'abxd', false],
    ['*a?c', 'xxabx', false],
    ['*a?c', 'xxxbc', false],
    // a general glob whose first segment fails
    ['a?*', 'bb', false],
    ['ab*c?', 'xbyc1', false],
    ['a?*z', 'bbz', false],
    // a `?`-bearing middle segment: found past its first place, never past the last segment
    ['x*b?d*y', 'xbbbdy', true],
    ['x*b?d*y', 'xbbbxy', false],
    ['*b?d*', 'bbbd', true],
    ['*a?c*', 'xxabcx', true],
    ['*a?c*', 'xxabx', false],
    ['a*cd*d', 'acd', false],
    ['a*b*cd', 'abcd', true],
    ['a*bc*d', 'abd', false],
    ['a*b?*d', 'ab', false],
    ['a*?b*c', 'abc', false],
    ['a*b*c*d', 'adcbd', false],
    ['a*b?*b', 'abb', false],
    ['a*b?*c', 'abxbc', true],
    ['a*bc*c', 'abc', false],
    // single segment with `?`: the length counts
    ['a?', 'a', false],
    ['a?', 'abc', false],
    ['??', '\u{1F600}', true],
    ['?', '\u{1F600}', false],
  ];
  for (const [pattern, s, want] of cases)
    it(`\`${pattern}\` ${want ? 'matches' : 'does not match'} \`${s}\``, () => {
      expect(m(pattern, s)).toBe(want);
    });
});

/** The glob as a RegExp, built here only, as a reference: `?` is one UTF-16 code unit (no `u` flag). */
function reference(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; ) {
    if (pattern.startsWith('{{*}}', i) || pattern.startsWith('{{?}}', i)) {
      re += `\\${pattern[i + 2]}`;
      i += 5;
    } else {
      const ch = pattern[i]!;
      re += ch === '*' ? '[\\s\\S]*' : ch === '?' ? '[\\s\\S]' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
      i += 1;
    }
  }
  return new RegExp(`^${re}$`);
}

describe('glob: a property against a RegExp reference', () => {
  const chars = fc.constantFrom('a', 'b', 'c', '/', '*', '?', '{', '}', '.', '\u0000', '\u{1F600}', '\uD83D');
  const pieces = fc.oneof(chars, fc.constantFrom('*', '?', '{{*}}', '{{?}}'));
  const arbPattern = fc.array(pieces, { maxLength: 8 }).map((ps) => ps.join(''));
  const arbText = fc.array(chars, { maxLength: 8 }).map((cs) => cs.join(''));
  /** A string the pattern matches: stars filled with random text, `?` with one code unit. */
  const instance = (pattern: string) =>
    fc.array(arbText, { minLength: 16, maxLength: 16 }).map((fills) => {
      let out = '';
      let k = 0;
      for (let i = 0; i < pattern.length; ) {
        if (pattern.startsWith('{{*}}', i) || pattern.startsWith('{{?}}', i)) {
          out += pattern[i + 2];
          i += 5;
        } else {
          const ch = pattern[i]!;
          out += ch === '*' ? fills[k++ % 16]! : ch === '?' ? (fills[k++ % 16]![0] ?? 'q') : ch;
          i += 1;
        }
      }
      return out;
    });

  it('agrees on random and on matching strings', () => {
    let matched = 0;
    fc.assert(
      fc.property(
        arbPattern.chain((p) => fc.tuple(fc.constant(p), fc.oneof(arbText, instance(p), instance(p).map((s) => s.slice(1)), instance(p).map((s) => `${s}x`)))),
        ([pattern, s]) => {
          const want = reference(pattern).test(s);
          if (want) matched++;
          expect(m(pattern, s)).toBe(want);
        },
      ),
      { numRuns: 3000 },
    );
    expect(matched).toBeGreaterThan(500);
  });
});

