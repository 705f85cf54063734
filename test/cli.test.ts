import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'packages', 'engine', 'dist', 'cli', 'main.js');
let dir = '';

/** Runs the CLI as a user does: a spawned node on the built script, in the temp dir. */
function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** An error ends as one line on stderr, never a stack trace. */
function expectOneLine(err: string): void {
  const lines = err.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^portcullis: /);
  expect(err).not.toMatch(/\n\s+at /);
}

const NOW = '2025-03-12T10:30:00Z';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-cli-'));
  copyFileSync(join(root, 'test', 'scenarios', 'storage-source.json'), join(dir, 'source.json'));
  // the scenario names its source relative to itself
  copyFileSync(join(root, 'test', 'scenarios', 'storage-source.json'), join(dir, 'storage-source.json'));
  copyFileSync(join(root, 'test', 'scenarios', 'storage.scenario.json'), join(dir, 'passing.json'));
  writeFileSync(join(dir, 'bad.json'), '{"version": 1,');
  writeFileSync(
    join(dir, 'invalid-source.json'),
    JSON.stringify({ version: 1, accounts: [{ id: 'a1', system: 'ibm' }], roles: [], policies: [{ id: 'p1', accountId: 'a1', subject: { kind: 'group', id: 'g-none' }, roles: ['Nope'], resource: {} }] }),
  );
  writeFileSync(
    join(dir, 'failing.json'),
    JSON.stringify({
      source: './source.json',
      now: NOW,
      cases: [
        { name: 'right', subject: 'IBMid-alice', action: 'cloud-object-storage.object.get', resource: 'bucket-analytics-raw', expect: 'allow' },
        { name: 'wrong', subject: 'IBMid-bob', action: 'cloud-object-storage.object.get', resource: 'bucket-analytics-raw', expect: 'allow' },
      ],
    }),
  );
  writeFileSync(join(dir, 'typo.json'), JSON.stringify({ source: './source.json', now: NOW, cases: [{ subject: 'u', action: 'a.b', resource: 'r', expected: 'allow' }] }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('portcullis validate', () => {
  it('accepts a valid source (exit 0) and counts its rows in --json', () => {
    expect(cli('validate', 'source.json').code).toBe(0);
    const r = cli('validate', 'source.json', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { valid: boolean; counts: Record<string, number> };
    expect(json.valid).toBe(true);
    expect(json.counts['policies']).toBe(5);
  });

  it('lists every issue with its path and exits 1 for an invalid source', () => {
    const r = cli('validate', 'invalid-source.json', '--json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { valid: boolean; issues: { path: string }[] };
    expect(json.valid).toBe(false);
    expect(json.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['policies.0.subject.id', 'policies.0.roles.0']));
    const human = cli('validate', 'invalid-source.json');
    expect(human.code).toBe(1);
    expect(human.out).toContain('policies.0.roles.0');
  });
});

describe('portcullis explain', () => {
  it('explains an allow with the identity path and the determining policy', () => {
    const args = ['explain', 'source.json', '--subject', 'IBMid-alice', '--action', 'cloud-object-storage.object.get', '--resource', 'bucket-analytics-raw', '--now', NOW];
    const r = cli(...args, '--json');
    expect(r.code).toBe(0);
    const { decision } = JSON.parse(r.out) as { decision: { allowed: boolean; reason: string; policies: string[]; explanation: { identity: { kind: string; id: string; via: string } }[] } };
    expect(decision).toMatchObject({ allowed: true, reason: 'allow', policies: ['p-data-read'] });
    expect(decision.explanation[0]!.identity).toEqual({ kind: 'group', id: 'AccessGroupId-data', via: 'static' });
    const human = cli(...args);
    expect(human.code).toBe(0);
    expect(human.out).toContain('p-data-read');
    expect(human.out).toContain('AccessGroupId-data');
  });

  it('takes the resource as JSON attributes with --account, and shows the deny that wins', () => {
    const r = cli('explain', 'source.json', '--subject', 'IBMid-alice', '--action', 'cloud-object-storage.object.get', '--account', 'acct-1', '--now', NOW, '--json',
      '--resource', '{"serviceName":"cloud-object-storage","resource":"analytics-secret"}');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).decision).toMatchObject({ allowed: false, reason: 'explicit-deny', policies: ['p-secret-deny'] });
  });

  it('takes a JSON subject with claims', () => {
    const subject = JSON.stringify({ id: 'IBMid-carol', claims: { realm: 'https://idp.example.com', attributes: { dept: 'eng' } } });
    const r = cli('explain', 'source.json', '--subject', subject, '--action', 'cloud-object-storage.object.put', '--account', 'acct-1', '--now', NOW, '--json',
      '--resource', '{"serviceName":"cloud-object-storage"}');
    expect(r.code).toBe(0);
    const { decision } = JSON.parse(r.out);
    expect(decision.policies).toEqual(['p-sso-write']);
    expect(decision.explanation[0].identity).toMatchObject({ via: 'claims', ruleId: 'rule-eng' });
  });

  it('refuses a resource without an account, an unknown resource id and a bad --now as usage errors (exit 2)', () => {
    const base = ['explain', 'source.json', '--action', 'cloud-object-storage.object.get', '--now', NOW];
    for (const extra of [['--resource', '{"serviceName":"x"}'], ['--resource', 'no-such-resource'], ['--resource', '{"a":'], ['--resource', 'bucket-analytics-raw', '--now', 'soon']]) {
      const r = cli(...base, ...extra);
      expect(r.code).toBe(2);
      expectOneLine(r.err);
    }
  });
});

describe('portcullis test', () => {
  it('passes a scenario (exit 0) and reports the uncovered policy', () => {
    const r = cli('test', 'passing.json', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { passed: number; failed: number; files: { coverage: { policies: { uncovered: string[] } } }[] };
    expect(json.failed).toBe(0);
    expect(json.passed).toBe(6);
    expect(json.files[0]!.coverage.policies.uncovered).toEqual(['p-carol-write-uncovered']);
    const human = cli('test', 'passing.json');
    expect(human.code).toBe(0);
    expect(human.out).toContain('p-carol-write-uncovered');
  });

  it('fails with --require-coverage when something is not exercised', () => {
    expect(cli('test', 'passing.json', '--require-coverage').code).toBe(1);
  });

  it('reports a failing case per case and exits 1', () => {
    const r = cli('test', 'failing.json', 'passing.json', '--json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { passed: number; failed: number; files: { cases: { name: string; passed: boolean }[] }[] };
    expect(json.failed).toBe(1);
    expect(json.passed).toBe(7);
    expect(json.files[0]!.cases.map((c) => [c.name, c.passed])).toEqual([['right', true], ['wrong', false]]);
  });

  it('shows a progress line on stderr with --progress, and none without it on a pipe', () => {
    const forced = cli('test', 'passing.json', '--progress');
    expect(forced.code).toBe(0);
    expect(forced.err).toMatch(/6\/6 cases/);
    expect(cli('test', 'passing.json').err).toBe('');
  });

  it('refuses a scenario with an unknown field (exit 2)', () => {
    const r = cli('test', 'typo.json');
    expect(r.code).toBe(2);
    expect(r.err).toContain('expected');
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('errors and help', () => {
  it('gives one line and exit 2 for a missing file, bad JSON, an unknown flag or command', () => {
    for (const args of [
      ['validate', 'missing.json'],
      ['validate', 'bad.json'],
      ['test', 'missing.json'],
      ['explain', 'missing.json', '--action', 'a.b', '--resource', 'r'],
      ['validate', 'source.json', '--frobnicate'],
      ['explain', 'source.json', '--action'],
      ['frobnicate'],
    ]) {
      const r = cli(...args);
      expect(r.code).toBe(2);
      expectOneLine(r.err);
      expect(r.out).toBe('');
    }
  });

  it('prints help for the tool and each command (exit 0)', () => {
    for (const args of [['--help'], ['validate', '--help'], ['explain', '--help'], ['test', '-h']]) {
      const r = cli(...args);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^usage: portcullis/);
    }
  });
});
