#!/usr/bin/env node
// The `portcullis` command: validate sources, explain one decision, run scenario files, and analyse access
// (who, what, diff, lint). Every failure
// ends as one line on stderr and an exit code, never a stack trace.
import { readFileSync } from 'node:fs';
import { createProcessIo, writeBlock, type CliIo, type ExitCode } from './cli-io.js';
import { diffCommand } from './diff-command.js';
import { explainCommand } from './explain-command.js';
import { lintCommand } from './lint-command.js';
import { errorLine } from './one-line.js';
import { serveCommand } from './serve-command.js';
import { testCommand } from './test-command.js';
import { validateCommand } from './validate-command.js';
import { whatCommand } from './what-command.js';
import { whoCommand } from './who-command.js';

/** The top-level help. */
export const MAIN_HELP = `usage: portcullis <command> [options]

commands:
  validate <source.json>...          check sources; every issue with its path
  explain <source.json> --action <a> --resource <id | json> [--subject <id | json>] [--account <id>] [--now <time>]
                                     decide one request and say why
  test <scenario.json>...            run scenario files: pass or fail per case, and coverage
  who <source.json> --action <a> --resource <id | json> [--account <id>] [--now <time>]
                                     the principals and groups allowed, with the policies that grant it
  what <source.json> --subject <id | json> --resource <id | json> [--account <id>] [--now <time>]
                                     the actions allowed with their determining policies, and those denied
  diff <a.json> <b.json> [--now <time>]
                                     the grants added and removed; exit 1 when anything differs
  lint <source.json> [--now <time>]  findings with their stable codes; exit 1 when any
  serve [--db <file.db>] [--port <n>] [--tokens <tokens.json>] …
                                     the HTTP server (AuthZEN and the seeds' REST APIs); needs @portcullis/server

options: --json (machine output), --help (per command: portcullis <command> --help), --version
exit codes: 0 done, 1 a problem found (invalid source, failing case, invalid request, a difference, a finding),
            2 bad usage or input`;

const COMMANDS: Record<string, (args: string[], io: CliIo) => ExitCode> = {
  validate: validateCommand,
  explain: explainCommand,
  test: testCommand,
  who: whoCommand,
  what: whatCommand,
  diff: diffCommand,
  lint: lintCommand,
};

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. */
export function runCli(argv: string[], io: CliIo): ExitCode {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) {
      writeBlock(io.err, MAIN_HELP);
      return 2;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      writeBlock(io.out, MAIN_HELP);
      return 0;
    }
    if (command === '--version') {
      io.out(version());
      return 0;
    }
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (run === undefined) {
      io.err(`portcullis: unknown command \`${command}\` (see --help)`);
      return 2;
    }
    return run(rest, io);
  } catch (e) {
    io.err(`portcullis: ${errorLine(e)}`);
    return 2;
  }
}

const argv = process.argv.slice(2);
// `serve` is the one long-running command: it resolves when the server has shut down
process.exitCode = argv[0] === 'serve' ? await serveCommand(argv.slice(1), createProcessIo()) : runCli(argv, createProcessIo());
