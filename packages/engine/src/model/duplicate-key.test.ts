import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { duplicateKey } from './duplicate-key.js';

type Found = { key: string; path: (string | number)[] } | undefined;

/**
 * The reference: a recursive-descent reading of a valid JSON text, written for clarity only, that decodes every key
 * with JSON.parse and keeps each object's names in a Set: the first key seen twice, with its path.
 */
function naive(text: string): Found {
  let i = 0;
  const ws = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const str = (): string => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: (string | number)[]): Found => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        const key = str();
        if (seen.has(key)) return { key, path: [...path, key] };
        seen.add(key);
        ws();
        i++; // ':'
        const inner = value([...path, key]);
        if (inner) return inner;
        ws();
        if (text[i++] === '}') return undefined;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (let k = 0; ; k++) {
        const inner = value([...path, k]);
        if (inner) return inner;
        ws();
        if (text[i++] === ']') return undefined;
      }
    }
    if (c === '"') {
      str();
      return undefined;
    }
    while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
    return undefined;
  };
  return value([]);
}

describe('duplicateKey', () => {
  it.each([
    ['{"a": 1, "a": 2}', 'a', ['a']],
    ['{"a": {"b": 1}, "b": 2}', undefined, undefined],
    ['{"a": {"b": 1, "c": [1, {"b": 2}], "b": 3}}', 'b', ['a', 'b']],
    ['[{"a": 1}, {"a": 1}]', undefined, undefined],
    ['[0, [1, 2], {"x": [{}, {"q": 1, "q": 2}]}]', 'q', [2, 'x', 1, 'q']],
    ['{"a": "x\\"", "a": 1}', 'a', ['a']],
    ['{"a": "\\\\", "b": "\\\\\\"", "b": 1}', 'b', ['b']],
    ['{"a\\u0062": 1, "ab": 2}', 'ab', ['ab']],
    ['{"\\"": 1, "\\u0022": 2}', '"', ['"']],
    ['{"a": "{\\"a\\": 1}", "b": "[,"}', undefined, undefined],
    ['{"": 1, "": 2}', '', ['']],
    ['{}', undefined, undefined],
    ['"a"', undefined, undefined],
    ['[1, "a", {"a": {"a": {"a": 1}}}]', undefined, undefined],
  ])('%s', (text, key, path) => {
    JSON.parse(text);
    const found = duplicateKey(text);
    expect(found?.key).toBe(key);
    expect(found?.path).toEqual(path);
    expect(found).toEqual(naive(text));
  });

  it('finds a name written twice among many (past the names it compares one by one)', () => {
    const names = Array.from({ length: 40 }, (_, k) => `"k${k}": ${k}`);
    const ok = `{${names.join(', ')}}`;
    expect(duplicateKey(ok)).toBeUndefined();
    for (const twice of [0, 15, 16, 17, 39]) {
      const text = `{"outer": [${ok}, {${names.join(', ')}, "k${twice}": 0}]}`;
      expect(duplicateKey(text)).toEqual({ key: `k${twice}`, path: ['outer', 1, `k${twice}`] });
    }
  });

  it('keeps the path through containers nested past its first stacks (64 deep), and finds the key at the bottom', () => {
    for (const depth of [63, 64, 65, 130, 1000]) {
      // arrays and objects alternating, each array's member at index 1
      let open = '';
      let close = '';
      const path: (string | number)[] = [];
      for (let d = 0; d < depth; d++) {
        if (d % 2 === 0) {
          open += `{"x": 1, "m${d}": `;
          close = `, "y": 2}${close}`;
          path.push(`m${d}`);
        } else {
          open += '[0, ';
          close = `]${close}`;
          path.push(1);
        }
      }
      const text = `${open}{"k": 1, "k": 2}${close}`;
      JSON.parse(text);
      expect(duplicateKey(text)).toEqual({ key: 'k', path: [...path, 'k'] });
      expect(duplicateKey(`${open}{"k": 1, "q": 2}${close}`)).toBeUndefined();
    }
  });

  it('answers as the naive reference on random texts with keys written twice here and there', () => {
    const NAMES = ['a', 'b', 'ab', 'a\\u0062', '\\"', '\\\\', 'é', '\\u00e9', '', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9', 'k10', 'k11', 'k12', 'k13', 'k14', 'k15', 'k16', 'k17'];
    const STRINGS = ['"x"', '"a\\"b"', '"\\\\"', '"{\\"a\\":"', '"],"', '"\\u0041"', '"\\\\\\""'];
    const ws = fc.constantFrom('', ' ', '\n  ');
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.integer({ min: -5, max: 500 }).map(String),
        fc.constantFrom(...STRINGS, 'true', 'null', '1.5e3'),
        fc.array(tie('value'), { maxLength: 4 }).chain((xs) => ws.map((w) => `[${w}${xs.join(`,${w}`)}]`)),
        fc
          .array(fc.tuple(fc.constantFrom(...NAMES), tie('value')), { maxLength: 20 })
          .chain((ms) => ws.map((w) => `{${w}${ms.map(([k, v]) => `"${k}"${w}:${w}${v}`).join(`,${w}`)}${w}}`)),
      ),
    }));
    let twice = 0;
    let once = 0;
    fc.assert(
      fc.property(value, (text) => {
        JSON.parse(text as string);
        const expected = naive(text as string);
        if (expected === undefined) once++;
        else twice++;
        expect(duplicateKey(text as string)).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
    // both kinds were drawn
    expect(twice).toBeGreaterThan(100);
    expect(once).toBeGreaterThan(100);
  });
});
