import { describe, expect, it } from 'vitest';
import { createAttributeNames } from './attribute-names.js';
import { createCompileCache, internList, NO_MATCHERS } from './compile-cache.js';
import { compileAttribute } from './compile-matchers.js';
import { compilePolicy } from './compile-policy.js';
import type { Policy } from '../model/source.js';

const policy = (id: string, attributes: { name: string; operator: string; value: unknown }[]): Policy =>
  ({ id, accountId: 'a', type: 'access', effect: 'allow', subject: { kind: 'principal', id: 'p' }, roles: ['r'], resource: { attributes, tags: [] }, state: 'active' }) as unknown as Policy;

describe('compile cache', () => {
  it('gives equal conditions of one batch one matcher, and equal lists one list', () => {
    const names = createAttributeNames();
    const cache = createCompileCache();
    const conds = [
      { name: 'serviceName', operator: 'stringEquals', value: 'cos' },
      { name: 'resource', operator: 'stringMatch', value: 'b-*' },
    ];
    const a = compilePolicy(policy('x', conds), new Map(), names, cache);
    const b = compilePolicy(policy('y', conds.map((c) => ({ ...c }))), new Map(), names, cache);
    expect(b.attributes).toBe(a.attributes);
    expect(b.attributes[1]).toBe(a.attributes[1]);
    // order is part of a list: the same matchers the other way round are another list, of the same matchers
    const c = compilePolicy(policy('z', [conds[1]!, conds[0]!]), new Map(), names, cache);
    expect(c.attributes).not.toBe(a.attributes);
    expect(c.attributes[0]).toBe(a.attributes[1]);
    // a different value, operator or name is a different matcher
    const other = compileAttribute(names, 'serviceName', 'stringEquals', 'kms', cache);
    expect(other).not.toBe(a.attributes[0]);
    expect(other.value).toBe('kms');
    expect(compileAttribute(names, 'serviceName', 'stringMatch', 'cos', cache)).not.toBe(a.attributes[0]);
    expect(compileAttribute(names, 'serviceType', 'stringEquals', 'cos', cache)).not.toBe(a.attributes[0]);
  });

  it('compiles a cached condition exactly as an uncached one', () => {
    const names = createAttributeNames();
    const cache = createCompileCache();
    for (const [op, v] of [['stringEquals', 7], ['stringEquals', '7'], ['stringMatch', 'a*b'], ['stringExists', true]] as const) {
      const first = compileAttribute(names, 'resource', op, v, cache);
      expect(compileAttribute(names, 'resource', op, v, cache)).toBe(first);
      expect(first).toEqual(compileAttribute(names, 'resource', op, v));
    }
    // `7` and `'7'` are cached apart and compile alike
    expect(compileAttribute(names, 'resource', 'stringEquals', 7, cache)).toEqual(compileAttribute(names, 'resource', 'stringEquals', '7', cache));
  });

  it('leaves an errored condition uncached, so the next policy naming it errs too', () => {
    const names = createAttributeNames();
    const cache = createCompileCache();
    const bad = [{ name: 'resource', operator: 'stringEqualsAnyOf', value: 'not-a-list' }];
    expect(compilePolicy(policy('x', bad), new Map(), names, cache).error).toMatch(/value shape/);
    expect(compilePolicy(policy('y', bad), new Map(), names, cache).error).toMatch(/value shape/);
  });

  it('compiles a frozen selector shared by several policies once, and a selector that errs for each policy', () => {
    const names = createAttributeNames();
    const cache = createCompileCache();
    const resource = Object.freeze({
      attributes: Object.freeze([Object.freeze({ name: 'serviceName', operator: 'stringEquals', value: 'cos' })]),
      tags: Object.freeze([Object.freeze({ name: 'Team', value: 'Red', operator: 'stringEquals' })]),
    });
    const withResource = (id: string, r: unknown) => ({ ...policy(id, []), resource: r }) as unknown as Policy;
    const a = compilePolicy(withResource('x', resource), new Map(), names, cache);
    const b = compilePolicy(withResource('y', resource), new Map(), names, cache);
    expect(b.tags).toBe(a.tags);
    expect(b.attributes).toBe(a.attributes);
    expect(a.tags).toEqual([{ name: 'team', value: 'red', glob: null }]);
    // an equal selector that is not frozen compiles apart (its tags are its own), sharing the interned matchers
    const c = compilePolicy(withResource('z', structuredClone(resource)), new Map(), names, cache);
    expect(c.tags).not.toBe(a.tags);
    expect(c.tags).toEqual(a.tags);
    expect(c.attributes).toBe(a.attributes);
    const bad = Object.freeze({ attributes: Object.freeze([]), tags: Object.freeze([Object.freeze({ name: 'team', value: 'red', operator: 'stringLike' })]) });
    expect(compilePolicy(withResource('e1', bad), new Map(), names, cache).error).toMatch(/unknown operator/);
    expect(compilePolicy(withResource('e2', bad), new Map(), names, cache).error).toMatch(/unknown operator/);
  });

  it('interns the empty list as the shared empty list', () => {
    expect(internList(createCompileCache(), [])).toBe(NO_MATCHERS);
  });

  it('keeps every matcher of one name and of one name and operator: the second value cached leaves the first shared', () => {
    const names = createAttributeNames();
    const cache = createCompileCache();
    const cos = compileAttribute(names, 'serviceName', 'stringEquals', 'cos', cache);
    const kms = compileAttribute(names, 'serviceName', 'stringEquals', 'kms', cache);
    const glob = compileAttribute(names, 'serviceName', 'stringMatch', 'c*', cache);
    expect(compileAttribute(names, 'serviceName', 'stringEquals', 'cos', cache)).toBe(cos);
    expect(compileAttribute(names, 'serviceName', 'stringEquals', 'kms', cache)).toBe(kms);
    expect(compileAttribute(names, 'serviceName', 'stringMatch', 'c*', cache)).toBe(glob);
  });

  it('interns a copy: the list a caller built and may reuse is not the one the tables keep', () => {
    const names = createAttributeNames();
    const cache = createCompileCache();
    const scratch = [compileAttribute(names, 'serviceName', 'stringEquals', 'cos', cache)];
    const kept = internList(cache, scratch);
    expect(kept).not.toBe(scratch);
    scratch.push(compileAttribute(names, 'region', 'stringEquals', 'us-south', cache));
    expect(kept).toHaveLength(1);
    expect(internList(cache, [scratch[0]!])).toBe(kept);
  });
});
