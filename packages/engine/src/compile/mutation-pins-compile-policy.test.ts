// Pins of compile-policy.ts (issue 12, MUTATION.md): what a policy or binding compiles to, asked directly, including
// input the schema refuses (the compiler does not trust it: what it cannot evaluate is errored, never granted).
import { describe, expect, it } from 'vitest';
import { createAttributeNames } from './attribute-names.js';
import { createCompileCache } from './compile-cache.js';
import { compileBinding, compilePolicy } from './compile-policy.js';
import type { ScopeTarget } from '../model/scope.js';
import type { Binding, Policy } from '../model/source.js';

const policy = (over: Record<string, unknown>): Policy =>
  ({ id: 'p', accountId: 'a', type: 'access', effect: 'allow', subject: { kind: 'principal', id: 'u' }, roles: ['r'], resource: { attributes: [], tags: [] }, state: 'active', ...over }) as unknown as Policy;
const compiled = (p: Policy, groups = new Map<string, ScopeTarget[]>()) => compilePolicy(p, groups, createAttributeNames(), createCompileCache());

describe('compilePolicy', () => {
  it('errs on a policy without a resource selector instead of compiling it as a policy on every resource', () => {
    const cp = compiled(policy({ resource: undefined }));
    expect(cp.error).not.toBeNull();
    expect(cp.attributes).toEqual([]);
    expect(cp.nodes).toBeNull();
  });

  it('reads a selector without attribute or tag lists as the schema’s defaults do: with none', () => {
    const cp = compiled(policy({ resource: {} }));
    expect(cp.error).toBeNull();
    expect(cp.attributes).toEqual([]);
    expect(cp.tags).toEqual([]);
  });

  it('shares one empty tag list between the policies without tags', () => {
    const names = createAttributeNames();
    const cache = createCompileCache();
    const a = compilePolicy(policy({ id: 'a' }), new Map(), names, cache);
    const b = compilePolicy(policy({ id: 'b', resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'kms' }], tags: [] } }), new Map(), names, cache);
    expect(a.tags).toEqual([]);
    expect(b.tags).toBe(a.tags);
  });

  it('remembers a frozen selector only: a selector that can still change is compiled for each policy', () => {
    const cache = createCompileCache();
    const names = createAttributeNames();
    compilePolicy(policy({ resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'kms' }], tags: [] } }), new Map(), names, cache);
    expect(cache.selectors.size).toBe(0);
    compilePolicy(policy({ resource: Object.freeze({ attributes: [], tags: [] }) }), new Map(), names, cache);
    expect(cache.selectors.size).toBe(1);
  });

  it('gives a policy naming a resource group it does not know no scope target (it reaches nothing)', () => {
    const zone: ScopeTarget = { type: 'zone', accountId: 'a', zone: 'z1' };
    const cp = compiled(policy({ resource: { attributes: [], tags: [], resourceGroups: ['known', 'unknown'] } }), new Map([['known', [zone]]]));
    expect(cp.scopes).toEqual([zone]);
    expect(compiled(policy({ resource: { attributes: [], tags: [], resourceGroups: ['unknown'] } })).scopes).toEqual([]);
  });

  it('reads a service subject’s scalar attributes as strings and errs on any other value', () => {
    const subject = (attributes: Record<string, unknown>) => policy({ type: 'authorization', subject: { kind: 'service', attributes } });
    const ok = compiled(subject({ serviceName: 'cos', n: 3, b: false }));
    expect(ok.error).toBeNull();
    expect(ok.serviceSubject).toEqual([
      ['serviceName', 'cos'],
      ['n', '3'],
      ['b', 'false'],
    ]);
    for (const bad of [{ x: 1 }, ['cos'], null, undefined]) {
      const cp = compiled(subject({ serviceName: 'cos', accountId: bad }));
      expect(cp.error).toBe('subject attribute `accountId`');
      expect(cp.serviceSubject).toBeNull();
    }
  });
});

describe('compileBinding', () => {
  const binding = (over: Partial<Binding> = {}): Binding => ({ id: 'b', accountId: 'a', subject: { kind: 'group', id: 'g' }, roleId: 'r', nodeId: 'n', ...over }) as Binding;

  it('compiles a role binding as a one-role allow on its node, expiring when the binding does', () => {
    expect(compileBinding(binding({ expiresAt: '2026-01-05T10:00:00Z' }), true)).toEqual({
      id: 'b',
      deny: false,
      source: 'binding',
      error: null,
      attributes: [],
      tags: [],
      scopes: null,
      nodes: ['n'],
      rule: null,
      expiresAt: Date.parse('2026-01-05T10:00:00Z'),
      federatedGroup: true,
      serviceSubject: null,
      permits: 0,
      rank: 0,
    });
    expect(compileBinding(binding(), false).expiresAt).toBe(Number.POSITIVE_INFINITY);
  });

  it('errs on a binding whose expiry cannot be read', () => {
    expect(compileBinding(binding({ expiresAt: 'soon' }), false).error).toBe('binding `b`: malformed expiry `soon`');
  });
});
