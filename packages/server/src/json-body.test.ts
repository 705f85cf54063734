import { describe, expect, it } from 'vitest';
import { duplicateKey } from '@portcullis/engine/internals';
import { firstDuplicateKey } from './json-body.js';

describe('firstDuplicateKey', () => {
  it.each([
    ['{"a": 1, "a": 2}', 'a'],
    ['{"a": {"b": 1}, "b": 2}', undefined],
    ['{"a": {"b": 1, "c": [1, {"b": 2}], "b": 3}}', 'b'],
    ['[{"a": 1}, {"a": 1}]', undefined],
    ['{"a": "x\\"", "a": 1}', 'a'],
    ['{"a": "\\\\", "b": "\\\\\\"", "b": 1}', 'b'],
    ['{"a\\u0062": 1, "ab": 2}', 'ab'],
    ['{"\\"": 1, "\\u0022": 2}', '"'],
    ['{"a": "{\\"a\\": 1}", "b": "[,"}', undefined],
    ['{"": 1, "": 2}', ''],
    ['{}', undefined],
    ['"a"', undefined],
    ['[1, "a", {"a": {"a": {"a": 1}}}]', undefined],
  ])('%s', (text, key) => {
    JSON.parse(text);
    expect(firstDuplicateKey(text)).toBe(key);
  });

  it('answers as the engine’s duplicateKey on random texts with keys written twice here and there', () => {
    // a fixed LCG: the same texts on every run
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return (seed >>> 16) % n;
    };
    const NAMES = ['a', 'b', 'ab', 'a\\u0062', '\\"', '\\\\', 'é', '\\u00e9', ''];
    const STRINGS = ['"x"', '"a\\"b"', '"\\\\"', '"{\\"a\\":"', '"],"', '"\\u0041"'];
    const value = (depth: number): string => {
      const k = rand(depth > 3 ? 3 : 6);
      if (k === 0) return String(rand(100));
      if (k === 1) return STRINGS[rand(STRINGS.length)]!;
      if (k === 2) return rand(2) === 0 ? 'true' : 'null';
      if (k === 3) return `[${Array.from({ length: rand(4) }, () => value(depth + 1)).join(', ')}]`;
      return `{${Array.from({ length: rand(4) }, () => `"${NAMES[rand(NAMES.length)]}": ${value(depth + 1)}`).join(', ')}}`;
    };
    let twice = 0;
    for (let i = 0; i < 3000; i++) {
      const text = value(0);
      JSON.parse(text);
      const expected = duplicateKey(text)?.key;
      if (expected !== undefined) twice++;
      expect(firstDuplicateKey(text), text).toBe(expected);
    }
    // both kinds were drawn
    expect(twice).toBeGreaterThan(100);
    expect(twice).toBeLessThan(2900);
  });
});
