// `portcullis diff <a.json> <b.json>`: the grants source B adds and removes compared with source A, and the changes
// outside policies that decisions read; like diff(1), exit 1 when anything differs.
import { diff } from '../analyze/permission-diff.js';
import { COMMON_OPTIONS, parseCommandArgs, usageError } from './cli-args.js';
import { writeBlock, type CliIo, type ExitCode } from './cli-io.js';
import { parseInstant } from './cli-request.js';
import { loadSourceFile } from './cli-source.js';
import { formatContextChange, formatGrant } from './format-grant.js';

/** The help of `diff`. */
export const DIFF_HELP = `usage: portcullis diff <a.json> <b.json> [--now <time>] [--json]

Compares the effective access of two sources: every policy and binding expanded through roles, group
membership (static, dynamic, claim rules, Public Access), resource groups and the folder tree. Prints
the grants B adds (+) and removes (-), each with who holds it, the action, the resource and the
policies behind it, then what changed outside policies (principals, resources, accounts, services,
SSO connectors). An access that stays reachable some other way is no change.

  --now <time>  ISO 8601 or epoch milliseconds: leave out grants already expired at that time
                (default: none are left out)
  --json        print {a, b, different, added, removed, context} as JSON

Exits 0 when nothing differs, 1 when anything does, 2 on bad usage or input.`;

const OPTIONS = { ...COMMON_OPTIONS, now: { type: 'string' } } as const;

/** Runs `diff`. */
export function diffCommand(args: string[], io: CliIo): ExitCode {
  const { values, positionals } = parseCommandArgs(args, OPTIONS);
  if (values.help === true) {
    writeBlock(io.out, DIFF_HELP);
    return 0;
  }
  if (positionals.length !== 2) usageError('diff needs exactly two source files (see --help)');
  const now = parseInstant(values.now);
  const [fileA, fileB] = positionals as [string, string];
  // both files are read first: one that cannot be read stops the command before anything is compared
  const a = loadSourceFile(fileA);
  const b = loadSourceFile(fileB);
  const d = diff(a, b, now === undefined ? {} : { now });
  const different = d.added.length + d.removed.length + d.context.length > 0;
  if (values.json === true) writeBlock(io.out, JSON.stringify({ a: fileA, b: fileB, different, ...d }, null, 2));
  else {
    io.out(`diff \`${fileA}\` \`${fileB}\`: ${d.added.length} added, ${d.removed.length} removed, ${d.context.length} other change${d.context.length === 1 ? '' : 's'}`);
    for (const g of d.removed) io.out(formatGrant('-', g));
    for (const g of d.added) io.out(formatGrant('+', g));
    if (d.context.length > 0) {
      io.out('outside policies:');
      for (const c of d.context) io.out(`  ${formatContextChange(c)}`);
    }
  }
  return different ? 1 : 0;
}
