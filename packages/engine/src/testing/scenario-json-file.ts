// Reading a JSON file for the scenario loader and the CLI: a missing file or bad JSON is one clear
// ValidationError (`invalid_input`) naming the file, never a raw fs or SyntaxError.
import { readFileSync } from 'node:fs';
import { ValidationError } from '../errors.js';
import { duplicateKey, jsonSyntaxMessage } from '../model/duplicate-key.js';

/** Reads and parses one JSON file; throws a ValidationError whose one issue says what is wrong with it. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    throw new ValidationError('invalid_input', [{ path: [], message: `cannot read \`${path}\`: ${why}` }], `cannot read \`${path}\`: ${why}`);
  }
  // a byte-order mark is not JSON, but editors on some systems write one: it is read past, as Node's own loaders do
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (e) {
    // the error and its place, never V8's quote of the text around it (a secret in the file stays out of the output)
    const message = `\`${path}\` is not JSON: ${jsonSyntaxMessage(text, e)}`;
    throw new ValidationError('invalid_input', [{ path: [], message }], message);
  }
  const twice = duplicateKey(text);
  if (twice !== undefined) {
    const message = `\`${path}\`: key \`${twice.key}\` is written twice in one object (JSON.parse keeps the last, a reader may see the first)`;
    throw new ValidationError('invalid_input', [{ path: twice.path, message: `key \`${twice.key}\` is written twice` }], message);
  }
  return value;
}
