import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_MAIN, runCli } from './helpers/run-cli.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let dir = '';

const cli = (...args: string[]) => runCli(dir, ...args);

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

describe('portcullis who, what, diff and lint', () => {
  const GET = 'cloud-object-storage.object.get';
  const SECRET = '{"serviceName":"cloud-object-storage","resource":"analytics-secret"}';

  beforeAll(() => {
    const source = JSON.parse(readFileSync(join(dir, 'source.json'), 'utf8')) as { policies: { id: string }[] };
    // B drops the data group's read and gives carol a read of her own
    const changed = {
      ...source,
      policies: [
        ...source.policies.filter((p) => p.id !== 'p-data-read'),
        { id: 'p-carol-read', accountId: 'acct-1', subject: { kind: 'principal', id: 'IBMid-carol' }, roles: ['Reader'],
          resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'cloud-object-storage' }] } },
      ],
    };
    writeFileSync(join(dir, 'changed.json'), JSON.stringify(changed));
    // a second copy of the data group's read: a duplicate
    writeFileSync(join(dir, 'duplicate.json'), JSON.stringify({ ...source, policies: [...source.policies, { ...source.policies[0], id: 'p-dup' }] }));
  });

  it('who lists the principals and groups allowed with their policies, the claim rules and the denied (exit 0)', () => {
    const r = cli('who', 'source.json', '--action', GET, '--resource', 'bucket-analytics-raw', '--now', NOW, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as {
      accountId: string;
      principals: { id: string; policies: string[]; paths: { via: string; groupId?: string }[] }[];
      groups: { id: string; policies: string[] }[];
      membersByRule: { groupId: string; ruleId: string }[];
      denied: unknown[];
    };
    expect(json.accountId).toBe('acct-1');
    expect(json.principals.map((p) => [p.id, p.policies])).toEqual([['IBMid-alice', ['p-data-read']]]);
    expect(json.principals[0]!.paths[0]).toMatchObject({ via: 'static', groupId: 'AccessGroupId-data' });
    expect(json.groups.map((g) => g.id)).toEqual(['AccessGroupId-data', 'AccessGroupId-sso']);
    expect(json.membersByRule).toEqual([expect.objectContaining({ groupId: 'AccessGroupId-sso', ruleId: 'rule-eng' })]);
    expect(json.denied).toEqual([]);
    const human = cli('who', 'source.json', '--action', GET, '--resource', 'bucket-analytics-raw', '--now', NOW);
    expect(human.code).toBe(0);
    expect(human.out).toContain('IBMid-alice');
    expect(human.out).toContain('rule-eng');
  });

  it('who takes JSON attributes with --account and lists a principal a deny refuses under denied', () => {
    const r = cli('who', 'source.json', '--action', GET, '--account', 'acct-1', '--resource', SECRET, '--now', NOW, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { principals: { id: string }[]; denied: { id: string; denies: string[]; overridden: string[] }[] };
    expect(json.principals.map((p) => p.id)).not.toContain('IBMid-alice');
    expect(json.denied).toEqual([{ id: 'IBMid-alice', denies: ['p-secret-deny'], overridden: ['p-data-read'] }]);
  });

  it('who and what exit 1 with the issues for an invalid request', () => {
    const who = cli('who', 'source.json', '--action', '', '--resource', 'bucket-analytics-raw', '--now', NOW, '--json');
    expect(who.code).toBe(1);
    expect((JSON.parse(who.out) as { issues: { path: string[] }[] }).issues.map((i) => i.path)).toEqual([['action']]);
    const what = cli('what', 'source.json', '--subject', '{"id":"IBMid-alice","claims":5}', '--resource', 'bucket-analytics-raw', '--now', NOW, '--json');
    expect(what.code).toBe(1);
    expect((JSON.parse(what.out) as { issues: { path: string[] }[] }).issues.map((i) => i.path)).toEqual([['subject', 'claims']]);
  });

  it('what lists the allowed actions with their policies, and the actions a deny refuses (exit 0)', () => {
    const r = cli('what', 'source.json', '--subject', 'IBMid-alice', '--resource', 'bucket-analytics-raw', '--now', NOW, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { accountId: string; actions: { action: string; policies: string[] }[]; denied: unknown[] };
    expect(json.accountId).toBe('acct-1');
    expect(json.actions).toEqual([{ action: GET, policies: ['p-data-read'] }]);
    expect(json.denied).toEqual([]);
    const secret = cli('what', 'source.json', '--subject', 'IBMid-alice', '--account', 'acct-1', '--resource', SECRET, '--now', NOW, '--json');
    expect(secret.code).toBe(0);
    const denied = JSON.parse(secret.out) as { actions: unknown[]; denied: { action: string; policies: string[] }[] };
    expect(denied.actions).toEqual([]);
    expect(denied.denied.map((d) => [d.action, d.policies])).toEqual([
      [GET, ['p-secret-deny']],
      ['cloud-object-storage.object.put', ['p-secret-deny']],
    ]);
    const human = cli('what', 'source.json', '--subject', 'IBMid-alice', '--resource', 'bucket-analytics-raw', '--now', NOW);
    expect(human.code).toBe(0);
    expect(human.out).toContain('p-data-read');
  });

  it('what takes a JSON subject with claims', () => {
    const subject = JSON.stringify({ id: 'IBMid-carol', claims: { realm: 'https://idp.example.com', attributes: { dept: 'eng' } } });
    const r = cli('what', 'source.json', '--subject', subject, '--account', 'acct-1', '--resource', '{"serviceName":"cloud-object-storage"}', '--now', NOW, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { actions: { action: string; policies: string[] }[] };
    expect(json.actions.map((a) => a.action)).toEqual([GET, 'cloud-object-storage.object.put']);
    expect(json.actions.every((a) => a.policies.includes('p-sso-write'))).toBe(true);
  });

  it('diff lists the grants added and removed and exits 1, and exits 0 for equal sources', () => {
    const r = cli('diff', 'source.json', 'changed.json', '--now', NOW, '--json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as {
      different: boolean;
      added: { identity: { kind: string; id?: string }; action: string; via: { policyId: string }[] }[];
      removed: { identity: { kind: string; id?: string }; action: string; via: { policyId: string }[] }[];
    };
    expect(json.different).toBe(true);
    expect(json.removed.map((g) => [g.identity.id, g.action, g.via.map((v) => v.policyId)])).toEqual([['IBMid-alice', GET, ['p-data-read']]]);
    expect(json.added.map((g) => g.identity.id)).toEqual(['IBMid-carol']);
    expect(json.added.map((g) => g.via.map((v) => v.policyId))).toEqual([['p-carol-read']]);
    const human = cli('diff', 'source.json', 'changed.json');
    expect(human.code).toBe(1);
    expect(human.out).toContain('p-carol-read');
    const same = cli('diff', 'source.json', 'storage-source.json', '--json');
    expect(same.code).toBe(0);
    expect(JSON.parse(same.out)).toMatchObject({ different: false, added: [], removed: [], context: [] });
    expect(cli('diff', 'source.json', 'storage-source.json').code).toBe(0);
  });

  it('lint reports findings with their codes and exits 1, and exits 0 for a clean source', () => {
    const r = cli('lint', 'duplicate.json', '--now', NOW, '--json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { findings: { code: string; id: string; related: string[] }[] };
    expect(json.findings.map((f) => [f.code, f.id, f.related])).toEqual([['duplicate_policy', 'p-dup', ['p-data-read']]]);
    const human = cli('lint', 'duplicate.json');
    expect(human.code).toBe(1);
    expect(human.out).toContain('duplicate_policy');
    const clean = cli('lint', 'source.json', '--json');
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.out)).toMatchObject({ findings: [] });
    expect(cli('lint', 'source.json').code).toBe(0);
  });

  it('gives one line and exit 2 for a missing file, bad JSON, an invalid source, an unknown flag or a missing argument', () => {
    for (const args of [
      ['who', 'missing.json', '--action', GET, '--resource', 'bucket-analytics-raw'],
      ['who', 'bad.json', '--action', GET, '--resource', 'bucket-analytics-raw'],
      ['who', 'source.json', '--resource', 'bucket-analytics-raw'],
      ['who', 'source.json', '--action', GET, '--resource', 'no-such-resource'],
      ['who', 'source.json', '--action', GET, '--resource', 'bucket-analytics-raw', '--subject', 'IBMid-alice'],
      ['what', 'missing.json', '--subject', 'IBMid-alice', '--resource', 'bucket-analytics-raw'],
      ['what', 'source.json', '--resource', 'bucket-analytics-raw'],
      ['what', 'source.json', '--subject', '{"id":', '--resource', 'bucket-analytics-raw'],
      ['what', 'source.json', '--subject', 'IBMid-alice', '--resource', '{"serviceName":"x"}'],
      ['diff', 'source.json'],
      ['diff', 'source.json', 'missing.json'],
      ['diff', 'bad.json', 'source.json'],
      ['diff', 'source.json', 'invalid-source.json'],
      ['diff', 'source.json', 'changed.json', '--now', 'soon'],
      ['lint', 'missing.json'],
      ['lint', 'bad.json'],
      ['lint', 'invalid-source.json'],
      ['lint', 'source.json', '--frobnicate'],
      ['lint', 'source.json', '--now'],
    ]) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expectOneLine(r.err);
      expect(r.out).toBe('');
    }
  });

  it('prints help for each command (exit 0)', () => {
    for (const command of ['who', 'what', 'diff', 'lint']) {
      const r = cli(command, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^usage: portcullis/);
    }
  });
});

describe('what reaches a terminal (issue 15)', () => {
  /** Nothing a terminal would act on or hide: no control character but the final newline, no BOM, no lone surrogate. */
  const expectPrintable = (err: string) => {
    // eslint-disable-next-line no-control-regex
    expect(err.replace(/\n$/, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\ufeff]|[\ud800-\udfff]/);
  };

  it('escapes the bytes of a binary file in the one-line error', () => {
    writeFileSync(join(dir, 'binary.json'), Buffer.from([0x0d, 0x00, 0x1b, 0x5b, 0x32, 0x4a, 0xff, 0xfe, 0x07, 0x0a, 0x41]));
    for (const args of [['validate', 'binary.json'], ['explain', 'binary.json', '--action', 'a.b', '--resource', 'r'], ['test', 'binary.json']]) {
      const r = cli(...args);
      expect(r.code).toBe(2);
      expectOneLine(r.err);
      expectPrintable(r.err);
      expect(r.err).toContain('binary.json');
    }
  });

  it('gives one line for a scenario with many issues and for a scenario whose source has many', () => {
    writeFileSync(
      join(dir, 'many-issues.json'),
      JSON.stringify({ source: './source.json', cases: [{ subject: 'u', action: 1, resource: 'r', expected: 'allow' }, { name: 2 }, {}] }),
    );
    const manyPolicies = Array.from({ length: 5 }, (_, i) => ({ id: `p${i}`, accountId: 'a1', subject: { kind: 'group', id: 'g-none' }, roles: ['Nope'], resource: {} }));
    writeFileSync(join(dir, 'many-source.json'), JSON.stringify({ version: 1, accounts: [{ id: 'a1', system: 'ibm' }], policies: manyPolicies }));
    const cases = [{ name: 'one', subject: 'u', action: 'a.b', resource: 'r', expect: 'deny' }];
    writeFileSync(join(dir, 'bad-source-scenario.json'), JSON.stringify({ source: './many-source.json', now: NOW, cases }));
    writeFileSync(join(dir, 'inline-bad-source.json'), JSON.stringify({ source: { version: 1, accounts: [{ id: 'a1', system: 'ibm' }], policies: manyPolicies }, now: NOW, cases }));
    for (const file of ['many-issues.json', 'bad-source-scenario.json', 'inline-bad-source.json']) {
      const r = cli('test', file);
      expect(r.code).toBe(2);
      expectOneLine(r.err);
      expect(r.err).toMatch(/\(and \d+ more\)/);
    }
    const r = cli('explain', 'many-source.json', '--action', 'a.b', '--resource', 'r');
    expect(r.code).toBe(2);
    expectOneLine(r.err);
  });

  it('reads a file that starts with a UTF-8 byte-order mark', () => {
    writeFileSync(join(dir, 'bom-source.json'), `\ufeff${readFileSync(join(dir, 'source.json'), 'utf8')}`);
    expect(cli('validate', 'bom-source.json').code).toBe(0);
    const r = cli('explain', 'bom-source.json', '--subject', 'IBMid-alice', '--action', 'cloud-object-storage.object.get', '--resource', 'bucket-analytics-raw', '--now', NOW);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
  });

  it('ends quietly when the reader of stdout goes away (`| head -1`)', () => {
    // far more than a pipe holds, so the CLI is still writing when head exits
    const files = Array.from({ length: 3000 }, () => 'source.json');
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI_MAIN}" validate ${files.join(' ')} 2>err.txt | head -1; echo "status \${PIPESTATUS[0]}"`], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout).toMatch(/^valid: `source\.json`/);
    expect(r.stdout).toMatch(/status 0\n$/);
    expect(readFileSync(join(dir, 'err.txt'), 'utf8')).toBe('');
  });
});
