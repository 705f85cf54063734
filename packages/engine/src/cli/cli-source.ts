// Loading a source file for a command: a missing file or bad JSON is readJsonFile's one line; an invalid source is
// one line too, naming the file and its first issue, since `portcullis validate` is the command that lists them all.
import { ValidationError } from '../errors.js';
import { parseSource } from '../model/parse-source.js';
import type { Source } from '../model/source.js';
import { readJsonFile } from '../testing/scenario-json-file.js';
import { formatPath } from './validate-command.js';

/** Reads and validates one source file; throws a one-line ValidationError (`invalid_input` or `invalid_source`). */
export function loadSourceFile(file: string): Source {
  const raw = readJsonFile(file);
  try {
    return parseSource(raw);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    const n = e.issues.length;
    const first = e.issues[0];
    const detail = first === undefined ? '' : `: ${formatPath(first.path)}: ${first.message}${n > 1 ? ` (and ${n - 1} more)` : ''}`;
    const message = `\`${file}\` is not a valid source${detail} (see \`portcullis validate\`)`;
    throw new ValidationError('invalid_source', e.issues, message);
  }
}
