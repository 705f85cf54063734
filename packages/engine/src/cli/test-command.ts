// `portcullis test <scenario.json…>`: pass or fail per case, coverage per file, and an exit code.
import type { ScenarioCoverage } from '../testing/scenario-coverage.js';
import { loadScenarioFile } from '../testing/scenario-load.js';
import { runScenario, type ScenarioReport } from '../testing/scenario-run.js';
import { COMMON_OPTIONS, parseCommandArgs, usageError } from './cli-args.js';
import { writeBlock, type CliIo, type ExitCode } from './cli-io.js';
import { createProgressLine } from './progress-line.js';

/** The help of `test`. */
export const TEST_HELP = `usage: portcullis test <scenario.json>... [--json] [--require-coverage] [--progress]

Runs every case of each scenario file against its source and prints pass or fail per case, then
which active policies and bindings, roles and claim rules no case exercised (read from the
decisions' explanations: a policy is exercised when it determined a decision).

  --require-coverage  also fail when anything is left unexercised
  --progress          show the progress line on stderr even when it is not a terminal
  --json              print the reports as JSON

Exits 0 when every case passes, 1 when any fails, 2 when a file cannot be read or is not a valid scenario.`;

const OPTIONS = { ...COMMON_OPTIONS, 'require-coverage': { type: 'boolean' }, progress: { type: 'boolean' } } as const;

function uncoveredCount(c: ScenarioCoverage): number {
  return c.policies.uncovered.length + c.roles.uncovered.length + c.claimRules.uncovered.length;
}

/** The coverage lines of one file. */
export function formatCoverage(c: ScenarioCoverage): string[] {
  const part = (label: string, total: number, uncovered: string[]) =>
    `  ${label}: ${total - uncovered.length}/${total} exercised${uncovered.length > 0 ? `; not exercised: ${uncovered.map((x) => `\`${x}\``).join(', ')}` : ''}`;
  return [
    'coverage:',
    part('policies and bindings', c.policies.total, c.policies.uncovered),
    part('roles', c.roles.total, c.roles.uncovered),
    part('claim rules', c.claimRules.total, c.claimRules.uncovered.map((r) => `${r.accountId}/${r.groupId}/${r.ruleId}`)),
  ];
}

/** Runs `test`. */
export function testCommand(args: string[], io: CliIo): ExitCode {
  const { values, positionals } = parseCommandArgs(args, OPTIONS);
  if (values.help === true) {
    writeBlock(io.out, TEST_HELP);
    return 0;
  }
  if (positionals.length === 0) usageError('test needs at least one scenario file (see --help)');
  const progress = createProgressLine(io, values.progress === true);
  // every file is loaded first: a bad one stops the command before any case runs
  const loaded = positionals.map((file, i) => {
    progress.update(`portcullis: loading ${i + 1}/${positionals.length}: ${file}`, true);
    return loadScenarioFile(file);
  });
  const total = loaded.reduce((n, s) => n + s.cases.length, 0);
  let done = 0;
  const reports: { file: string; report: ScenarioReport }[] = loaded.map((s) => {
    const before = done;
    const report = runScenario(s, { onCase: (k, n) => progress.update(`portcullis: ${before + k}/${total} cases: ${s.file}`, k === n) });
    done += s.cases.length;
    return { file: s.file, report };
  });
  progress.done();
  const passed = reports.reduce((n, r) => n + r.report.passed, 0);
  const failed = reports.reduce((n, r) => n + r.report.failed, 0);
  const uncovered = reports.reduce((n, r) => n + uncoveredCount(r.report.coverage), 0);
  const coverageFails = values['require-coverage'] === true && uncovered > 0;
  if (values.json === true) {
    const files = reports.map(({ file, report }) => ({
      file,
      passed: report.passed,
      failed: report.failed,
      cases: report.cases.map((c) => ({ name: c.name, passed: c.passed, failures: c.failures, decision: c.decision })),
      coverage: report.coverage,
    }));
    writeBlock(io.out, JSON.stringify({ passed, failed, uncovered, ok: failed === 0 && !coverageFails, files }, null, 2));
  } else {
    for (const { file, report } of reports) {
      io.out(`scenario \`${file}\`: ${report.cases.length} case${report.cases.length === 1 ? '' : 's'}`);
      for (const c of report.cases) {
        io.out(`  ${c.passed ? 'pass' : 'FAIL'}  ${c.name}`);
        for (const f of c.failures) io.out(`          ${f}`);
      }
      for (const line of formatCoverage(report.coverage)) io.out(`  ${line}`);
    }
    io.out(`${passed} passed, ${failed} failed${uncovered > 0 ? `, ${uncovered} not exercised` : ''}`);
  }
  return failed > 0 || coverageFails ? 1 : 0;
}
