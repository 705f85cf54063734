import { describe, expect, it } from 'vitest';
import { resolveResource } from './resolve-resource.js';

describe('a registered resource, resolved', () => {
  it('holds every attribute as an own string, `__proto__` included, its own account over a declared one, and inherits nothing', () => {
    const attributes = JSON.parse('{"serviceName":"cos","__proto__":"p","accountId":"other","size":3,"on":true}') as Record<string, string | number | boolean>;
    const r = resolveResource({ id: 'r1', accountId: 'a1', attributes } as never, 7);
    expect(Object.getPrototypeOf(r.attributes)).toBeNull();
    expect(Object.entries(r.attributes)).toEqual([
      ['serviceName', 'cos'],
      ['__proto__', 'p'],
      ['accountId', 'a1'],
      ['size', '3'],
      ['on', 'true'],
    ]);
    // a name only an object's prototype would answer reads nothing
    for (const name of ['toString', 'constructor', 'hasOwnProperty', 'valueOf']) expect((r.attributes as Record<string, unknown>)[name]).toBeUndefined();
    expect(r.num).toBe(7);
  });
});
