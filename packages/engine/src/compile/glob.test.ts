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
});
