// Conformance: every JSON file in ./conformance holds a source and cases derived by hand from
// packages/engine/SEMANTICS.md. Each case is decided twice, by the compiled evaluator and by the
// naive reference evaluator, and both must give exactly the expected decision.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { authorize, compile, parseSource } from '@portcullis/engine';
import { referenceAuthorize } from '@portcullis/engine/testing';

/** The part of a decision a case pins: `errors` is compared as `[]` when absent. */
interface Expected {
  allowed: boolean;
  reason: string;
  policies: string[];
  errors?: string[];
}

interface Case {
  name: string;
  request: unknown;
  options?: { now?: number };
  expect: Expected;
}

interface CaseFile {
  description: string;
  source: unknown;
  cases: Case[];
}

const dir = fileURLToPath(new URL('./conformance/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

/** Keeps only the pinned fields, so an `explanation` or `issues` never fails a case. */
function pinned(d: { allowed: boolean; reason: string; policies: string[]; errors?: string[] | undefined }) {
  return { allowed: d.allowed, reason: d.reason, policies: d.policies, errors: d.errors ?? [] };
}

/** The expectations must be a decision the semantics can produce at all: sorted unique ids, allowed iff `allow`. */
function checkExpectation(e: Expected): void {
  expect(e.allowed).toBe(e.reason === 'allow');
  expect([...new Set(e.policies)].sort()).toEqual(e.policies);
  if (e.errors !== undefined) {
    expect(e.errors.length).toBeGreaterThan(0);
    expect([...new Set(e.errors)].sort()).toEqual(e.errors);
  }
  if (e.reason === 'no-match' || e.reason === 'invalid-request' || e.reason === 'sso-required') expect(e.policies).toEqual([]);
  else expect(e.policies.length).toBeGreaterThan(0);
}

it('has conformance files', () => {
  expect(files.length).toBeGreaterThan(0);
});

for (const file of files) {
  const data = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CaseFile;
  const topic = file.replace(/\.json$/, '');

  describe(topic, () => {
    // compiled lazily so that a source the engine refuses fails every case of its file, not the collection
    let prepared: { source: ReturnType<typeof parseSource>; tables: ReturnType<typeof compile> } | undefined;
    const prepare = () => {
      if (prepared === undefined) {
        const source = parseSource(data.source);
        prepared = { source, tables: compile(source) };
      }
      return prepared;
    };

    it(`${topic} › source parses`, () => {
      expect(typeof data.description).toBe('string');
      expect(() => parseSource(data.source)).not.toThrow();
      const names = data.cases.map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
    });

    for (const c of data.cases) {
      it(`${topic} › ${c.name}`, () => {
        checkExpectation(c.expect);
        const { source, tables } = prepare();
        const want = pinned(c.expect);
        // structuredClone: an evaluator must not depend on, or change, the caller's request object
        const compiled = authorize(tables, structuredClone(c.request) as never, c.options as never);
        expect(pinned(compiled), 'authorize').toEqual(want);
        const reference = referenceAuthorize(source, structuredClone(c.request) as never, c.options as never);
        expect(pinned(reference), 'referenceAuthorize').toEqual(want);
        // explaining resolves identities one by one (another path than the plain decision): same decision, and one
        // explanation per determining policy, through an identity the request can have
        const options = { ...((c.options as object | undefined) ?? {}), explain: true };
        for (const [name, d] of [
          ['authorize explained', authorize(tables, structuredClone(c.request) as never, options as never)],
          ['referenceAuthorize explained', referenceAuthorize(source, structuredClone(c.request) as never, options as never)],
        ] as const) {
          expect(pinned(d), name).toEqual(want);
          if (want.reason !== 'allow' && want.reason !== 'explicit-deny') continue;
          const explained = d.explanation ?? [];
          expect([...new Set(explained.map((e) => e.policyId))].sort(), name).toEqual(want.policies);
          const subject = (c.request as { subject?: { id?: unknown; service?: unknown } }).subject ?? {};
          for (const e of explained) {
            expect(e.effect, name).toBe(want.reason === 'allow' ? 'allow' : 'deny');
            if (e.identity.kind === 'principal') expect(e.identity.id, name).toBe(subject.id);
            if (e.identity.kind === 'service') expect(subject.service, name).toBeDefined();
          }
        }
      });
    }
  });
}
