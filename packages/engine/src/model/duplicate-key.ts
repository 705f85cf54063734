// JSON texts that say two things: a key written twice in one object. JSON.parse keeps the last; a person reading the
// file, a gateway or a log reader in front of the server, and some other parsers, take the first, and each would see
// another text than the one decided or written. Every file the CLI, the scenario kit and the server's start-up read,
// the CLI's JSON flags and every HTTP request body the server parses go through this one check, so it is written for
// the hot path: one pass, each string skipped with indexOf, a member name compared with the few names of its object
// (a Set only past KEYS_IN_ARRAY of them), the path built only when a key is found twice.

/** Past this many keys, an object's names go to a Set: compared one by one below it (most objects have a few). */
const KEYS_IN_ARRAY = 16;

/**
 * The first key written twice in one object of a valid JSON text (one JSON.parse accepted), with the path of that
 * object's member: a file whose `"effect": "deny"` is followed by `"effect": "allow"` means allow to JSON.parse and
 * deny to whoever reads it first. Keys are compared as decoded (`"e"` and `"\u0065"` are one key). One pass over the
 * text; undefined when every object's keys are distinct.
 */
export function duplicateKey(text: string): { key: string; path: (string | number)[] } | undefined {
  // the open containers, innermost last: their kinds (1 an object, 0 an array) and each array's index so far in typed
  // arrays; each open object's names so far (a Set past KEYS_IN_ARRAY) and the member being read in two plain arrays,
  // pushed and popped. Plain arrays indexed by depth, written 400,000 deep by a nested body (within a 1 MiB request),
  // made the optimised scan cost seconds per body, then every later body too (red team, round 10)
  let kinds = new Uint8Array(64);
  let index = new Int32Array(64);
  let depth = 0;
  const objects: (string[] | Set<string>)[] = [];
  const members: string[] = [];
  let expectKey = false;
  // the next backslash at or after the current string's start (-1: none left), so finding them costs O(n) in all
  let backslash = text.indexOf('\\');
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // the closing quote: the first one not preceded by an odd run of backslashes
      let j = text.indexOf('"', i + 1);
      for (;;) {
        let b = j - 1;
        while (text.charCodeAt(b) === 0x5c) b--;
        if ((j - 1 - b) % 2 === 0) break;
        j = text.indexOf('"', j + 1);
      }
      if (expectKey) {
        if (backslash !== -1 && backslash < i) backslash = text.indexOf('\\', i);
        // decoded only when it holds an escape
        const key = backslash !== -1 && backslash < j ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        const top = objects.length - 1;
        const keys = objects[top]!;
        members[top] = key;
        if (Array.isArray(keys)) {
          for (let k = 0; k < keys.length; k++) if (keys[k] === key) return { key, path: pathOf(kinds, index, members, depth) };
          if (keys.length < KEYS_IN_ARRAY) keys.push(key);
          else objects[top] = new Set(keys).add(key);
        } else {
          if (keys.has(key)) return { key, path: pathOf(kinds, index, members, depth) };
          keys.add(key);
        }
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b || c === 0x5b) {
      if (depth === kinds.length) {
        const k2 = new Uint8Array(depth * 2);
        k2.set(kinds);
        kinds = k2;
        const i2 = new Int32Array(depth * 2);
        i2.set(index);
        index = i2;
      }
      index[depth] = 0;
      if (c === 0x7b) {
        kinds[depth++] = 1;
        objects.push([]);
        members.push('');
        expectKey = true;
      } else {
        kinds[depth++] = 0;
        expectKey = false;
      }
    } else if (c === 0x7d || c === 0x5d) {
      if (kinds[--depth] === 1) {
        objects.pop();
        members.pop();
      }
      expectKey = false;
    } else if (c === 0x2c) {
      if (kinds[depth - 1] === 1) expectKey = true;
      else index[depth - 1]!++;
    }
  }
  return undefined;
}
/** The path of the member being read: each open object's member name, each open array's index. */
function pathOf(kinds: Uint8Array, index: Int32Array, members: string[], depth: number): (string | number)[] {
  const path: (string | number)[] = [];
  let o = 0;
  for (let d = 0; d < depth; d++) path.push(kinds[d] === 1 ? members[o++]! : index[d]!);
  return path;
}

/**
 * What is wrong with a text JSON.parse refused, without quoting it: V8's message quotes the offending character and
 * up to about ten characters around it (`Unexpected token 's', "{"a": s3cret}" is not valid JSON`), so a token file or
 * a source holding a secret would put it in an error, a log line or a terminal. The kind of error and its position
 * (`at position N`, with line and column from the text) are kept; every quoted part is dropped.
 */
export function jsonSyntaxMessage(text: string, error: unknown): string {
  const raw = error instanceof Error ? error.message : '';
  const at = /at position (\d+)/.exec(raw);
  let kind = raw.replace(/\s*\(line \d+ column \d+\)/, '').replace(/\s*in JSON at position \d+$/, '');
  if (/^Unexpected token /.test(kind)) kind = 'Unexpected token';
  // INVARIANT: nothing that came from the text stays: a kind still quoting anything is replaced by a generic one
  if (/["'`]/.test(kind) || kind === '') kind = 'Not valid JSON';
  kind = kind.charAt(0).toLowerCase() + kind.slice(1);
  if (at === null) return kind;
  const pos = Number(at[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `${kind} at line ${line}, column ${column}`;
}
