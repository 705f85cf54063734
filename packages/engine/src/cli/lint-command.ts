// `portcullis lint <source.json>`: findings with their stable codes (shadowed, duplicate and subsumed policies, empty
// subject groups, expired grants with --now, roles that grant nothing); exit 1 when any.
import { lint } from '../analyze/lint-source.js';
import { COMMON_OPTIONS, parseCommandArgs, usageError } from './cli-args.js';
import { writeBlock, type CliIo, type ExitCode } from './cli-io.js';
import { parseInstant } from './cli-request.js';
import { loadSourceFile } from './cli-source.js';
import { formatIds } from './format-lists.js';

/** The help of `lint`. */
export const LINT_HELP = `usage: portcullis lint <source.json> [--now <time>] [--json]

Reports what is stored but cannot matter or is likely a mistake, each finding with a stable code:
shadowed_by_deny, duplicate_policy, subsumed_policy, empty_subject_group, role_grants_nothing,
unknown_role, uncompilable_policy, and with --now expired_binding, expired_membership and
expired_policy_rule. A finding is reported only when it holds for every request.

  --now <time>  ISO 8601 or epoch milliseconds: also report what has expired by then
  --json        print {file, findings} as JSON (each finding: code, kind, id, accountId, related, message)

Exits 0 when there is no finding, 1 when there is any, 2 on bad usage or input.`;

const OPTIONS = { ...COMMON_OPTIONS, now: { type: 'string' } } as const;

/** Runs `lint`. */
export function lintCommand(args: string[], io: CliIo): ExitCode {
  const { values, positionals } = parseCommandArgs(args, OPTIONS);
  if (values.help === true) {
    writeBlock(io.out, LINT_HELP);
    return 0;
  }
  if (positionals.length !== 1) usageError('lint needs exactly one source file (see --help)');
  const now = parseInstant(values.now);
  const source = loadSourceFile(positionals[0]!);
  const findings = lint(source, now === undefined ? {} : { now });
  if (values.json === true) writeBlock(io.out, JSON.stringify({ file: positionals[0], findings }, null, 2));
  else {
    io.out(`lint \`${positionals[0]}\`: ${findings.length} finding${findings.length === 1 ? '' : 's'}`);
    for (const f of findings) io.out(`  ${f.code}: ${f.message}${f.related.length > 0 ? ` (related: ${formatIds(f.related)})` : ''}`);
  }
  return findings.length > 0 ? 1 : 0;
}
