// Reading a JSON file for the scenario loader and the CLI: a missing file or bad JSON is one clear
// ValidationError (`invalid_input`) naming the file, never a raw fs or SyntaxError.
import { readFileSync } from 'node:fs';
import { ValidationError } from '../errors.js';

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
    const detail = e instanceof Error ? e.message.charAt(0).toLowerCase() + e.message.slice(1) : 'unreadable';
    const message = `\`${path}\` is not JSON: ${detail}`;
    throw new ValidationError('invalid_input', [{ path: [], message }], message);
  }
  const twice = duplicateKey(text);
  if (twice !== undefined) {
    const message = `\`${path}\`: key \`${twice.key}\` is written twice in one object (JSON.parse keeps the last, a reader may see the first)`;
    throw new ValidationError('invalid_input', [{ path: twice.path, message: `key \`${twice.key}\` is written twice` }], message);
  }
  return value;
}

/**
 * The first key written twice in one object of a valid JSON text, with the path of that object's member: a file
 * whose `"effect": "deny"` is followed by `"effect": "allow"` means allow to JSON.parse and deny to whoever reads it
 * first. Keys are compared as decoded (`"e"` and `"\u0065"` are one key). One pass over the text.
 */
export function duplicateKey(text: string): { key: string; path: (string | number)[] } | undefined {
  // one frame per open object or array: its keys so far, whether the next string is a key, the member being read
  const frames: { keys: Set<string> | null; expectKey: boolean; at: string | number }[] = [];
  const path = () => frames.map((f) => f.at);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: find its end (a quote not escaped), decode it only when it holds an escape
      let j = i + 1;
      let escaped = false;
      while (text.charCodeAt(j) !== 0x22) {
        if (text.charCodeAt(j) === 0x5c) {
          escaped = true;
          j++;
        }
        j++;
      }
      const top = frames[frames.length - 1];
      if (top !== undefined && top.keys !== null && top.expectKey) {
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        top.at = key;
        if (top.keys.has(key)) return { key, path: path() };
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    } else if (c === 0x7b) frames.push({ keys: new Set(), expectKey: true, at: '' });
    else if (c === 0x5b) frames.push({ keys: null, expectKey: false, at: 0 });
    else if (c === 0x7d || c === 0x5d) frames.pop();
    else if (c === 0x2c) {
      const top = frames[frames.length - 1]!;
      if (top.keys !== null) top.expectKey = true;
      else top.at = (top.at as number) + 1;
    }
  }
  return undefined;
}
