import { describe, expect, it } from 'vitest';
import { KEY_CHECKS } from './resolve-request.js';

// each stray… check names its part's keys in a switch: it must agree with the part's key table (typed against the
// request types), key by key, or a key the types define would be refused (or a stray one let through)
describe('the stray-key checks agree with their key tables', () => {
  it.each(KEY_CHECKS.map(([table, stray]) => [stray.name, table, stray] as const))('%s', (_name, table, stray) => {
    const keys = Object.keys(table);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      expect(stray({ [k]: 1 }), k).toBe(false);
      // a listed key with a different case, or a prefix of it, is stray
      expect(stray({ [k.toUpperCase()]: 1 }), k.toUpperCase()).toBe(true);
      expect(stray({ [k.slice(0, -1)]: 1 }), k.slice(0, -1)).toBe(true);
    }
    // every key at once holds; one stray key among them does not, wherever it is
    const all = Object.fromEntries(keys.map((k) => [k, 1]));
    expect(stray(all)).toBe(false);
    expect(stray({ ...all, bogus: 1 })).toBe(true);
    expect(stray({ bogus: 1, ...all })).toBe(true);
    expect(stray({})).toBe(false);
    // keys an object inherits from Object.prototype, and an own `__proto__` (as JSON.parse makes), are stray
    expect(stray({ toString: 1 })).toBe(true);
    expect(stray(JSON.parse('{"__proto__": 1}') as object)).toBe(true);
    // an inherited enumerable key is seen, as every read of the request sees it
    expect(stray(Object.create({ bogus: 1 }) as object)).toBe(true);
    expect(stray(Object.create({ [keys[0]!]: 1 }) as object)).toBe(false);
  });
});
