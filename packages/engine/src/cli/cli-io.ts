// Where the CLI writes: stdout for results, stderr for errors and progress. Commands take this instead
// of touching `process`, so that main.ts is the only file that knows the real streams.

/** The CLI's outputs, and whether stderr is a terminal (for the progress line). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
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
    out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    errRaw: (text) => void process.stderr.write(text),
    stderrIsTty: process.stderr.isTTY === true,
  };
}
