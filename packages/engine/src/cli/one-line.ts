// The CLI's promise: every failure is one readable line on stderr. Whatever a message carries from outside (a
// JSON.parse excerpt of a binary file, a file name, a list of issues) is made printable and folded onto one line.
import { ValidationError } from '../errors.js';

/** The longest error line the CLI prints; an excerpt of a huge file is cut, not dumped. */
const MAX_LINE = 1000;

/**
 * Escapes what a terminal would act on or hide: C0 and C1 controls (CR, NUL, ESC …), DEL, a byte-order mark and
 * other zero-width or direction marks, lone surrogates, and U+FFFD (where the file had bytes that are not UTF-8).
 * `\n` becomes a visible `\n`.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ufffd-\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** The one line the CLI prints for an error: a ValidationError's first issue and how many more, anything else its message. */
export function errorLine(e: unknown): string {
  if (e instanceof ValidationError) {
    const lines = e.message.split('\n');
    const paths = e.issues.map((i) => (i.path.length > 0 ? i.path.join('.') : '(root)'));
    // a header and one indented line per issue (formatIssues): keep the header and the first issue. Any other
    // message is one line already, unless it quotes the input (a JSON.parse excerpt): printable() escapes its newlines
    const listed = lines.length === e.issues.length + 1 && e.issues.every((issue, i) => lines[i + 1]!.startsWith(`  ${paths[i]}: `));
    if (!listed || e.issues.length === 0) return cut(printable(e.message));
    const more = e.issues.length > 1 ? ` (and ${e.issues.length - 1} more)` : '';
    return cut(printable(`${lines[0]}: ${paths[0]}: ${e.issues[0]!.message}${more}`));
  }
  return cut(`internal error: ${printable(e instanceof Error ? e.message : String(e))}`);
}

function cut(line: string): string {
  return line.length <= MAX_LINE ? line : `${line.slice(0, MAX_LINE)}…`;
}
