import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../model/parse-source.js';
import { arbRequest, arbSource, arbSourceAndRequests, BASE_TIME } from './arbitraries.js';
import { referenceAuthorize } from './reference-evaluator.js';

describe('arbSource', () => {
  it('produces sources that parseSource accepts unchanged', () => {
    fc.assert(
      fc.property(arbSource(), (source) => {
        expect(parseSource(source)).toEqual(source);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps to the systems it is asked for', () => {
    fc.assert(
      fc.property(arbSource({ systems: ['cloudflare'] }), (source) => {
        expect(source.accounts.every((a) => a.system === 'cloudflare')).toBe(true);
        expect(() => parseSource(source)).not.toThrow();
      }),
      { numRuns: 100 },
    );
  });

  it('covers the shapes the semantics talks about', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(arbSource(), (s) => {
        for (const a of s.accounts) seen.add(`system:${a.system}`);
        for (const p of s.principals) seen.add(`status:${p.status}`);
        for (const p of s.policies) {
          seen.add(`effect:${p.effect}`);
          seen.add(`state:${p.state}`);
          seen.add(`subject:${p.subject.kind}`);
          for (const c of p.resource.attributes) seen.add(`op:${c.operator}`);
          if (p.rule) seen.add('rule');
          if (p.resource.tags.length > 0) seen.add('tags');
          if (p.resource.resourceGroups?.length) seen.add('resourceGroups');
          if (p.resource.nodes?.length) seen.add('nodes');
        }
        for (const b of s.bindings) seen.add(b.expiresAt ? 'binding:expiring' : 'binding:forever');
        if (s.memberships.length > 0) seen.add('memberships');
        if (s.groups.some((g) => g.rules.length > 0)) seen.add('claim rules');
        if (s.groups.some((g) => g.federated)) seen.add('federated');
        if (s.accounts.some((a) => !a.publicAccess)) seen.add('publicAccess:false');
        for (const n of s.nodes) {
          let depth = 1;
          let cur = n;
          while (cur.parentId !== null) {
            cur = s.nodes.find((x) => x.id === cur.parentId)!;
            depth++;
          }
          if (n.kind === 'folder' && depth === 6) seen.add('folder depth 6');
        }
      }),
      { numRuns: 300, seed: 42 },
    );
    for (const want of [
      'system:ibm', 'system:cloudflare', 'system:bluexp', 'status:pending', 'status:disabled', 'effect:deny', 'state:deleted',
      'subject:service', 'subject:group', 'subject:principal', 'op:stringEquals', 'op:stringMatch', 'op:stringExists',
      'op:stringEqualsAnyOf', 'op:stringMatchAnyOf', 'rule', 'tags', 'resourceGroups', 'nodes', 'binding:expiring',
      'binding:forever', 'memberships', 'claim rules', 'federated', 'publicAccess:false', 'folder depth 6',
    ])
      expect(seen).toContain(want);
  });
});

describe('arbRequest', () => {
  it('produces well-formed requests unless asked otherwise, and the reference never throws on them', () => {
    const reasons = new Set<string>();
    fc.assert(
      fc.property(arbSourceAndRequests(), ({ source, requests }) => {
        for (const r of requests) {
          const d = referenceAuthorize(source, r, { explain: true });
          reasons.add(d.reason);
          expect(d.reason).not.toBe('invalid-request');
        }
      }),
      { numRuns: 200, seed: 7 },
    );
    expect(reasons).toContain('allow');
    expect(reasons).toContain('explicit-deny');
    expect(reasons).toContain('no-match');
  });

  it('with malformed, sometimes breaks SEMANTICS §0', () => {
    let invalid = 0;
    fc.assert(
      fc.property(arbSourceAndRequests({ malformed: true }), ({ source, requests }) => {
        for (const r of requests) if (referenceAuthorize(source, r).reason === 'invalid-request') invalid++;
      }),
      { numRuns: 100, seed: 3 },
    );
    expect(invalid).toBeGreaterThan(0);
  });

  it('carries times near BASE_TIME', () => {
    fc.assert(
      fc.property(arbSource().chain((s) => arbRequest(s)), (r) => {
        const now = r.environment?.now;
        const t = typeof now === 'string' ? Date.parse(now) : (now as number);
        expect(Math.abs(t - BASE_TIME)).toBeLessThan(30 * 86_400_000);
      }),
      { numRuns: 100 },
    );
  });
});
