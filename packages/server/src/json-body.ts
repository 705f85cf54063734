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
  // per open container: the keys of an object so far (a Set once it holds more than FEW), or null for an array
  const open: (string[] | Set<string> | null)[] = [];
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
        const keys = open[open.length - 1]!;
        if (Array.isArray(keys)) {
          for (let k = 0; k < keys.length; k++) if (keys[k] === key) return key;
          if (keys.length < FEW) keys.push(key);
          else open[open.length - 1] = new Set(keys).add(key);
        } else {
          if (keys.has(key)) return key;
          keys.add(key);
        }
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b) {
      open.push([]);
      expectKey = true;
    } else if (c === 0x5b) {
      open.push(null);
      expectKey = false;
    } else if (c === 0x7d || c === 0x5d) {
      open.pop();
      expectKey = false;
    } else if (c === 0x2c) expectKey = open[open.length - 1] !== null;
  }
  return undefined;
}
