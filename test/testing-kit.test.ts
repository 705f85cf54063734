import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSource, ValidationError, type Source } from '@portcullis/engine';
import {
  arbSource,
  arbSourceLike,
  checkProperties,
  compiledEqualsReferenceProperty,
  defineScenarioTests,
  KIT_PROPERTIES,
  loadScenarioFile,
  parseScenarioFile,
  runScenario,
} from '@portcullis/engine/testing';

const here = dirname(fileURLToPath(import.meta.url));
const scenarioFile = join(here, 'scenarios', 'storage.scenario.json');
const storage: Source = parseSource(JSON.parse(readFileSync(join(here, 'scenarios', 'storage-source.json'), 'utf8')));

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof ValidationError ? e.code : 'not a ValidationError';
  }
  return undefined;
};

describe('scenario files', () => {
  // one vitest test per case of the file, as a user would write it
  const report = defineScenarioTests(scenarioFile, { it });

  // a relative path means the file beside this test, whatever directory vitest runs in (the repo root here, where
  // `./scenarios/…` does not exist); a file URL is taken as is
  const relative = defineScenarioTests('./scenarios/storage.scenario.json', { it: () => undefined });
  const byUrl = defineScenarioTests(new URL('./scenarios/storage.scenario.json', import.meta.url), { it: () => undefined });
  it('reads a relative scenario path relative to the calling file, and takes a file URL', () => {
    expect(process.cwd()).not.toBe(here);
    expect(relative.cases.map((c) => c.passed)).toEqual(report.cases.map((c) => c.passed));
    expect(byUrl.cases.length).toBe(report.cases.length);
    expect(codeOf(() => defineScenarioTests(new URL('https://example.com/x.json'), { it: () => undefined }))).toBe('invalid_input');
  });

  it('reports the deliberately uncovered policy, and nothing else, as not exercised', () => {
    expect(report.failed).toBe(0);
    expect(report.coverage.policies.uncovered).toEqual(['p-carol-write-uncovered']);
    expect(report.coverage.roles.uncovered).toEqual([]);
    expect(report.coverage.claimRules.covered).toEqual([{ accountId: 'acct-1', groupId: 'AccessGroupId-sso', ruleId: 'rule-eng' }]);
  });

  it('fails a case whose decision, reason or determining policies differ, and says which', () => {
    const loaded = loadScenarioFile(scenarioFile);
    const wrong = loaded.cases.map((c, i) => (i === 0 ? { ...c, policies: ['p-public-read'] } : i === 1 ? { ...c, expect: 'allow' as const, reason: undefined } : c));
    const r = runScenario({ ...loaded, cases: wrong });
    expect(r.failed).toBe(2);
    expect(r.cases[0]!.passed).toBe(false);
    expect(r.cases[0]!.failures).toHaveLength(1);
    expect(r.cases[1]!.passed).toBe(false);
    expect(r.cases.slice(2).every((c) => c.passed)).toBe(true);
  });

  it('refuses a malformed scenario with every issue, and a missing file, as invalid_input', () => {
    const base = { source: { version: 1 }, now: 0, cases: [{ subject: 'u', action: 'a.b', resource: 'r', expect: 'allow' }] };
    expect(codeOf(() => parseScenarioFile(base))).toBeUndefined();
    expect(codeOf(() => parseScenarioFile({ ...base, cases: [{ ...base.cases[0], expected: 'allow' }] }))).toBe('invalid_input');
    expect(codeOf(() => parseScenarioFile({ ...base, now: undefined }))).toBe('invalid_input');
    expect(codeOf(() => parseScenarioFile({ ...base, cases: [{ ...base.cases[0], reason: 'no-match' }] }))).toBe('invalid_input');
    expect(codeOf(() => parseScenarioFile({ ...base, cases: [] }))).toBe('invalid_input');
    expect(codeOf(() => loadScenarioFile(join(here, 'scenarios', 'no-such-file.json')))).toBe('invalid_input');
    try {
      parseScenarioFile({ ...base, now: 'soon', cases: [{ ...base.cases[0], expect: 'maybe' }] });
    } catch (e) {
      expect((e as ValidationError).issues.map((i) => i.path.join('.'))).toContain('cases.0.expect');
    }
  });
});

describe('arbSourceLike', () => {
  it('makes only valid sources, from a user source and from generated ones', () => {
    fc.assert(fc.property(arbSourceLike(storage), (s) => void parseSource(s)), { numRuns: 200 });
    fc.assert(
      fc.property(arbSource().chain((s) => arbSourceLike(s)), (s) => void parseSource(s)),
      { numRuns: 200 },
    );
  });

  it('varies the source: drops and adds policies, flips effects, changes members', () => {
    const samples = fc.sample(arbSourceLike(storage), { numRuns: 200, seed: 7 });
    expect(samples.some((s) => s.policies.length < storage.policies.length)).toBe(true);
    expect(samples.some((s) => s.policies.some((p) => p.id.startsWith('kit-added')))).toBe(true);
    expect(samples.some((s) => s.policies.some((p) => storage.policies.find((q) => q.id === p.id)?.effect !== p.effect && !p.id.startsWith('kit-added')))).toBe(true);
    expect(samples.some((s) => s.groups.some((g, i) => g.members.length !== storage.groups[i]!.members.length))).toBe(true);
    expect(samples.some((s) => s.principals.some((p, i) => p.status !== storage.principals[i]!.status))).toBe(true);
  });

  it('shrinks a counterexample to a small source', () => {
    const details = fc.check(
      fc.property(arbSourceLike(storage), (s) => !s.policies.some((p) => p.id === 'p-data-read')),
      { numRuns: 200, seed: 11 },
    );
    expect(details.failed).toBe(true);
    expect(details.counterexample![0].policies.map((p) => p.id)).toEqual(['p-data-read']);
  });
});

describe('ready properties', () => {
  it('all hold on a realistic user source', () => {
    const report = checkProperties(storage, { numRuns: 40, seed: 1 });
    expect(report.results.map((r) => r.name)).toEqual(Object.keys(KIT_PROPERTIES));
    expect(report.results.filter((r) => !r.passed)).toEqual([]);
    expect(report.passed).toBe(true);
  });

  it('all hold on generated sources of every system', () => {
    fc.assert(
      fc.property(arbSource({ maxPolicies: 4 }), fc.nat(), (s, seed) => {
        const report = checkProperties(s, { numRuns: 4, seed, maxRequests: 4 });
        expect(report.results.filter((r) => !r.passed)).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });

  it('fail on a crafted broken source: compiled and reference disagree where validation was skipped', () => {
    // two defects parseSource refuses: an effect written `Deny`, and a principal listed twice (active, then disabled)
    const broken = {
      ...storage,
      principals: [...storage.principals, { ...storage.principals[0]!, status: 'disabled' }],
      policies: [...storage.policies, { ...storage.policies[1]!, id: 'p-broken', effect: 'Deny' }],
    } as unknown as Source;
    expect(codeOf(() => parseSource(broken))).toBe('invalid_source');
    const details = fc.check(compiledEqualsReferenceProperty(broken), { numRuns: 200, seed: 3 });
    expect(details.failed).toBe(true);
    const report = checkProperties(broken, { numRuns: 200, seed: 3, properties: ['compiled-equals-reference'] });
    expect(report.passed).toBe(false);
    expect(report.results[0]!.passed).toBe(false);
    expect(report.results[0]!.counterexample).toBeDefined();
  });

  it('refuses unknown property names and a bad run count as invalid_options', () => {
    expect(codeOf(() => checkProperties(storage, { properties: ['no-such' as never] }))).toBe('invalid_options');
    expect(codeOf(() => checkProperties(storage, { numRuns: 0 }))).toBe('invalid_options');
  });
});
