// A progress line on stderr for long runs: rewritten in place on a terminal, plain lines when forced
// with --progress on a pipe; silent otherwise, so that output piped to a file stays clean.
import { printable } from './one-line.js';
import type { CliIo } from './cli-io.js';

/** Reports progress at most every `intervalMs`, plus every forced update. */
export class ProgressLine {
  readonly #io: CliIo;
  readonly #enabled: boolean;
  readonly #intervalMs: number;
  #last = Number.NEGATIVE_INFINITY;
  #shown = false;

  constructor(io: CliIo, forced: boolean, intervalMs = 100) {
    this.#io = io;
    this.#enabled = forced || io.stderrIsTty;
    this.#intervalMs = intervalMs;
  }

  /** Shows `text` unless the previous update was less than the interval ago (a forced update always shows). */
  update(text: string, force = false): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (!force && now - this.#last < this.#intervalMs) return;
    this.#last = now;
    // the text names files: escaped, so a file name cannot move the cursor or end the line
    if (this.#io.stderrIsTty) {
      this.#io.errRaw(`\r\u001b[2K${printable(text)}`);
      this.#shown = true;
    } else this.#io.err(printable(text));
  }

  /** Clears the line on a terminal, so that results do not land after it. */
  done(): void {
    if (this.#shown) this.#io.errRaw('\r\u001b[2K');
    this.#shown = false;
  }
}

/** Creates a progress line over the CLI's io. */
export function createProgressLine(io: CliIo, forced: boolean): ProgressLine {
  return new ProgressLine(io, forced);
}
