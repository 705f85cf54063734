// Issue 12, red team (seventh round), the CLI: a source or scenario file is written by whoever proposes a change, and
// the output is read by whoever reviews it. Nothing quoted from a file may reach the terminal as a control (a cursor
// move, a title, a colour, a direction mark) or start a line that reads as the command's own. "hole: …" tests failed
// on the code they were found on and pass since the fix named beside them; "refused: …" tests are attacks that failed.
// Outside test/access-control*: the mutation run builds no CLI.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let dir = '';

const cli = (...args: string[]) => runCli(dir, ...args);

/** What a terminal acts on or hides: C0 controls but the line feed, DEL, C1 controls, direction and zero-width marks. */
// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;

// the value a source author hides a grant behind: a newline and a fake `-` line, a line erase and a carriage return,
// a window-title OSC, an 8-bit CSI and a right-to-left override
const FORGED = 'x` in account `acct-1`: `p-x`\n\u001b[2K\r- allow principal `IBMid-carol` \u001b]0;owned\u0007\u009b31m\u202eabc';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'redteam7-cli-'));
  const source = JSON.parse(readFileSync(join(root, 'test', 'scenarios', 'storage-source.json'), 'utf8')) as { policies: unknown[]; principals: unknown[] };
  writeFileSync(join(dir, 'a.json'), JSON.stringify(source));
  source.policies.push({
    id: 'p-new',
    accountId: 'acct-1',
    subject: { kind: 'principal', id: 'IBMid-carol' },
    roles: ['Writer'],
    resource: { attributes: [{ name: 'resource', operator: 'stringEquals', value: FORGED }] },
  });
  // ids refuse C0 controls, not DEL, C1 or direction marks
  source.principals.push({ id: 'IBMid-\u202eevil\u009b2J\u007f', accountId: 'acct-1', kind: 'user' });
  source.policies.push({
    id: 'p-\u202emirror',
    accountId: 'acct-1',
    subject: { kind: 'principal', id: 'IBMid-\u202eevil\u009b2J\u007f' },
    roles: ['Reader'],
    resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'cloud-object-storage' }] },
  });
  writeFileSync(join(dir, 'b.json'), JSON.stringify(source));
  // the deny a reviewer reads, and the allow JSON.parse keeps: the same key twice in one policy (once escaped)
  const denyThenAllow = JSON.stringify(JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')))
    .replace('"id":"p-secret-deny","accountId":"acct-1","effect":"deny"', '"id":"p-secret-deny","accountId":"acct-1","effect":"deny","\\u0065ffect":"allow"');
  if (!denyThenAllow.includes('\\u0065ffect')) throw new Error('fixture: the deny policy was not found');
  writeFileSync(join(dir, 'twice.json'), denyThenAllow);
  writeFileSync(
    join(dir, 'twice-scenario.json'),
    `{"source": "./a.json", "now": "2025-03-12T10:30:00Z", "cases": [{"name": "alice is denied", "subject": "IBMid-alice", "action": "cloud-object-storage.object.get", "resource": "bucket-analytics-raw", "expect": "deny", "expect": "allow"}]}`,
  );
  writeFileSync(
    join(dir, 'scenario.json'),
    JSON.stringify({
      source: './a.json',
      now: '2025-03-12T10:30:00Z',
      cases: [{ name: 'wrong\n  pass  all good\u001b[1A', subject: 'IBMid-bob', action: 'cloud-object-storage.object.get', resource: 'bucket-analytics-raw', expect: 'allow' }],
    }),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the CLI prints what a file holds, never what it would make a terminal do', () => {
  it('hole: `diff` prints a forged `-` line, a line erase and an OSC title from an attribute value of the added policy', () => {
    // (fixed in cli/cli-io.ts: io.out and io.err write one line each through printable, a newline included; help
    // texts and JSON documents go line by line through writeBlock)
    const r = cli('diff', 'a.json', 'b.json');
    expect(r.code).toBe(1);
    expect(r.out).not.toMatch(TERMINAL_CONTROL);
    const lines = r.out.trimEnd().split('\n');
    // the header, then one `+` line per added grant: none removed, whatever the value says
    expect(lines[0]).toMatch(/: \d+ added, 0 removed/);
    expect(lines.slice(1).filter((l) => l.startsWith('-'))).toEqual([]);
    const added = Number(/: (\d+) added/.exec(lines[0]!)![1]);
    expect(lines.slice(1, 1 + added).every((l) => l.startsWith('+ '))).toBe(true);
    expect(lines.slice(1).some((l) => l.includes('\\n\\u001b[2K\\r- allow principal') && l.endsWith('`p-new`'))).toBe(true);
  });

  it('hole: `diff --json` prints an id’s direction mark, C1 control and DEL raw (now escaped as JSON, read back the same)', () => {
    const r = cli('diff', 'a.json', 'b.json', '--json');
    expect(r.out).not.toMatch(TERMINAL_CONTROL);
    const d = JSON.parse(r.out) as { added: { resource: unknown }[] };
    expect(JSON.stringify(d.added)).toContain(JSON.stringify(FORGED).slice(1, -1));
    expect(r.out).toContain('IBMid-\\u202eevil\\u009b2J\\u007f');
  });

  it('hole: `who` and `explain` print an id’s right-to-left override, 8-bit CSI and DEL as they are', () => {
    const who = cli('who', 'b.json', '--action', 'cloud-object-storage.object.get', '--resource', 'bucket-analytics-raw', '--now', '2025-03-12T10:30:00Z');
    expect(who.code).toBe(0);
    expect(who.out).toContain('IBMid-\\u202eevil\\u009b2J\\u007f');
    expect(who.out).not.toMatch(TERMINAL_CONTROL);
    const explain = cli('explain', 'b.json', '--subject', 'IBMid-\u202eevil\u009b2J\u007f', '--action', 'cloud-object-storage.object.get', '--resource', 'bucket-analytics-raw', '--now', '2025-03-12T10:30:00Z');
    expect(explain.code).toBe(0);
    expect(explain.out).toContain('p-\\u202emirror');
    expect(explain.out).not.toMatch(TERMINAL_CONTROL);
  });

  it('hole: `test` prints a case name that fakes a passing line and moves the cursor up over the failure', () => {
    const r = cli('test', 'scenario.json');
    expect(r.code).toBe(1);
    expect(r.out).not.toMatch(TERMINAL_CONTROL);
    expect(r.out.split('\n').filter((l) => /^\s+pass\s/.test(l))).toEqual([]);
    expect(r.out).toMatch(/FAIL {2}wrong\\n {2}pass {2}all good\\u001b\[1A/);
  });

  it('hole: an unknown command is echoed with its escape codes', () => {
    const r = cli('\u001b]0;owned\u0007');
    expect(r.code).toBe(2);
    expect(r.err).not.toMatch(TERMINAL_CONTROL);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  });

  it('refused: help and --json outputs keep their lines', () => {
    const help = cli('--help');
    expect(help.out.split('\n').length).toBeGreaterThan(10);
    expect(help.out).not.toContain('\\n');
    const v = cli('validate', 'a.json', '--json');
    expect((JSON.parse(v.out) as { valid: boolean }).valid).toBe(true);
    expect(v.out.split('\n').length).toBeGreaterThan(3);
  });

  it('hole: a source that writes `effect` twice in one policy (deny, then allow) is valid, and means allow', () => {
    // (fixed in testing/scenario-json-file.ts: readJsonFile, which reads every file the CLI and the scenario kit
    // load, refuses a key written twice in one object, compared as decoded, with the path of the member)
    const v = cli('validate', 'twice.json');
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/key `effect` is written twice/);
    const d = cli('diff', 'a.json', 'twice.json');
    expect(d.code).toBe(2);
    const t = cli('test', 'twice-scenario.json');
    expect(t.code).toBe(2);
    expect(t.err).toMatch(/key `expect` is written twice/);
    // the same files with each key once are read as before
    expect(cli('validate', 'a.json').code).toBe(0);
  });

  it('hole: a flag given twice (`--action a --action b`) means its last value, with no word', () => {
    // (fixed in cli/cli-args.ts: a flag of one value given twice is a usage error; `--tag` and the other list flags
    // are given as often as they like)
    const r = cli('who', 'a.json', '--action', 'cloud-object-storage.object.get', '--action', 'nope', '--resource', 'bucket-analytics-raw', '--now', '2025-03-12T10:30:00Z');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/option `--action` is given twice/);
    expect(cli('explain', 'a.json', '--subject', 'IBMid-bob', '--subject', 'IBMid-alice', '--action', 'cloud-object-storage.object.get', '--resource', 'bucket-analytics-raw').code).toBe(2);
    const once = cli('who', 'a.json', '--action', 'cloud-object-storage.object.get', '--resource', 'bucket-analytics-raw', '--now', '2025-03-12T10:30:00Z');
    expect(once.code).toBe(0);
  });
});
