// `portcullis validate <source.json…>`: every issue of every file with its path; exit 1 when any is invalid.
import { ValidationError, type Issue } from '../errors.js';
import { parseSource } from '../model/parse-source.js';
import type { Source } from '../model/source.js';
import { readJsonFile } from '../testing/scenario-json-file.js';
import { COMMON_OPTIONS, parseCommandArgs, usageError } from './cli-args.js';
import { writeBlock, type CliIo, type ExitCode } from './cli-io.js';

/** The help of `validate`. */
export const VALIDATE_HELP = `usage: portcullis validate <source.json>... [--json]

Checks each source file against the model (every row, every reference, the folder tree) and prints
every issue with its path. Exits 0 when all are valid, 1 when any is not, 2 when a file cannot be read.`;

const COUNTED = ['accounts', 'principals', 'groups', 'roles', 'policies', 'bindings', 'resources', 'memberships'] as const;

/** Formats an issue path as `policies.0.roles.1`, or `(root)`. */
export function formatPath(path: Issue['path']): string {
  return path.length > 0 ? path.join('.') : '(root)';
}

/** Runs `validate`. */
export function validateCommand(args: string[], io: CliIo): ExitCode {
  const { values, positionals } = parseCommandArgs(args, COMMON_OPTIONS);
  if (values.help === true) {
    writeBlock(io.out, VALIDATE_HELP);
    return 0;
  }
  if (positionals.length === 0) usageError('validate needs a source file (see --help)');
  // every file is read first: one that cannot be read stops the command before anything is reported
  const inputs = positionals.map((file) => ({ file, raw: readJsonFile(file) }));
  const results = inputs.map(({ file, raw }) => {
    try {
      const source: Source = parseSource(raw);
      return { file, valid: true as const, counts: Object.fromEntries(COUNTED.map((k) => [k, source[k].length])) };
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return { file, valid: false as const, issues: e.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) };
    }
  });
  if (values.json === true) writeBlock(io.out, JSON.stringify(results.length === 1 ? results[0] : results, null, 2));
  else
    for (const r of results) {
      if (r.valid) io.out(`valid: \`${r.file}\`: ${COUNTED.map((k) => `${r.counts[k]} ${k}`).join(', ')}`);
      else {
        io.out(`invalid: \`${r.file}\`: ${r.issues.length} issue${r.issues.length === 1 ? '' : 's'}`);
        for (const i of r.issues) io.out(`  ${i.path}: ${i.message}`);
      }
    }
  return results.every((r) => r.valid) ? 0 : 1;
}
