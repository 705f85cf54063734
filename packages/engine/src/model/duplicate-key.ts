// JSON texts that say two things: a key written twice in one object. JSON.parse keeps the last; a person reading the
// file, and some other parsers, take the first. Every file the CLI, the scenario kit and the server's start-up read,
// and the CLI's JSON flags, go through this check; a request body goes through the server's own copy of it
// (packages/server json-body.ts, cheap enough for every request: a gateway in front of the server may read the first).

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
