// Where the CLI writes: stdout for results, stderr for errors and progress. Commands take this instead
// of touching `process`, so that main.ts is the only file that knows the real streams.
import { printable } from './one-line.js';

/**
 * The CLI's outputs, and whether stderr is a terminal (for the progress line). `out` and `err` write one line each:
 * whatever it quotes from a source, a scenario or an argument (an id, a name, an attribute value) is escaped, a
 * newline included, so no value can move the cursor, set the title, or start a line of its own that reads as the
 * command's (a `-` grant in a diff). A help text or a JSON document goes through writeBlock.
 */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Writes to stderr as is, without a newline (the progress line). */
  errRaw(text: string): void;
  stderrIsTty: boolean;
}

/** What a command ends with: 0 done, 1 it found a problem (an invalid source, a failing case, an invalid request), 2 it could not run (bad usage or input). */
export type ExitCode = 0 | 1 | 2;

/**
 * The CLI's io over the process's streams. A reader that goes away (`portcullis … | head -1`) ends the command
 * quietly: EPIPE on stdout exits at once with the exit code so far, and errors on stderr are dropped.
 */
export function createProcessIo(): CliIo {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  process.stderr.on('error', () => undefined);
  return {
    // INVARIANT: every byte a command prints to stdout or stderr goes through printable (errRaw: the progress line's
    // own cursor codes, its text printable already), so nothing read from a file reaches the terminal as a control
    out: (line) => void process.stdout.write(`${printable(line)}\n`),
    err: (line) => void process.stderr.write(`${printable(line)}\n`),
    errRaw: (text) => void process.stderr.write(text),
    stderrIsTty: process.stderr.isTTY === true,
  };
}

/**
 * Writes a text of several lines (a help text, a JSON document) line by line: its own newlines end lines, anything
 * else is escaped as in a line. JSON.stringify leaves no newline inside a string, so a document keeps its shape.
 */
export function writeBlock(write: (line: string) => void, text: string): void {
  for (const line of text.split('\n')) write(line);
}
