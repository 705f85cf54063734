// What a JSON request body says once: a key written twice in one object means its last value to JSON.parse and its
// first to many other parsers (a gateway, a proxy, a log reader in front of the server), which would each see another
// request than the one decided or written. The engine's duplicateKey checks files the same way; this one runs on every
// body, so it skips each string with indexOf and compares a member name with the few names of its object; an object
// past a few names keeps them in a Set, so the scan stays linear (red team, round 10: one object of 80,000 names, a
// 0.7 MB body, cost 7 s of CPU before any route or token was looked at, every decision of the process waiting).

/** How many names of one object are compared one by one before they go into a Set. */
const FEW = 16;

/**
 * The first key written twice in one object of a valid JSON text, as decoded (`"e"` and `"\u0065"` are one key);
 * undefined when every object's keys are distinct. One pass; the text must be one JSON.parse accepted.
 */
export function firstDuplicateKey(text: string): string | undefined {
  // the open containers, innermost last: their kinds (1 an object, 0 an array) in a typed array, and the keys so far
  // of each open object (a Set once it holds more than FEW). A plain array of every container, pushed 400,000 deep by
  // a nested body, turned the scan of the next bodies in the process into seconds of CPU (red team, round 10)
  let kinds = new Uint8Array(64);
  let depth = 0;
  const objects: (string[] | Set<string>)[] = [];
  let expectKey = false;
  // the next backslash at or after the current string's start (-1: none left), so finding one costs O(n) in all
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
        const key = backslash !== -1 && backslash < j ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        const keys = objects[objects.length - 1]!;
        if (Array.isArray(keys)) {
          for (let k = 0; k < keys.length; k++) if (keys[k] === key) return key;
          if (keys.length < FEW) keys.push(key);
          else objects[objects.length - 1] = new Set(keys).add(key);
        } else {
          if (keys.has(key)) return key;
          keys.add(key);
        }
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b || c === 0x5b) {
      if (depth === kinds.length) {
        const grown = new Uint8Array(depth * 2);
        grown.set(kinds);
        kinds = grown;
      }
      kinds[depth++] = c === 0x7b ? 1 : 0;
      if (c === 0x7b) objects.push([]);
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      if (kinds[--depth] === 1) objects.pop();
      expectKey = false;
    } else if (c === 0x2c) expectKey = depth > 0 && kinds[depth - 1] === 1;
  }
  return undefined;
}
