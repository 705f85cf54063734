// `portcullis what <source.json> --subject … --resource …`: the actions the subject may perform on the resource,
// each with the policies that determine it, the patterns it holds, and the actions a deny refuses.
import { whatCan, type WhatCanResult } from '../analyze/what-can.js';
import { compile } from '../compile/compile-source.js';
import { ValidationError, type Issue } from '../errors.js';
import { createContext, resolveRequest } from '../evaluate/resolve-request.js';
import { callerNote } from './caller-note.js';
import { COMMON_OPTIONS, parseCommandArgs, usageError } from './cli-args.js';
import { writeBlock, type CliIo, type ExitCode } from './cli-io.js';
import { describeResource, parseNow, parseResource, parseSubject, RESOURCE_HELP, RESOURCE_OPTIONS } from './cli-request.js';
import { loadSourceFile } from './cli-source.js';
import { formatIds, formatIssueLines, section } from './format-lists.js';

/** The help of `what`. */
export const WHAT_HELP = `usage: portcullis what <source.json> --subject <id | json> --resource <id | json> [options]

Lists what the subject may do on the resource: the actions allowed, each with the policies that
determine it; the action patterns allowed (cos.*), for actions under them that no role names; and
the actions some policy grants but a deny refuses, with the denies.

  --subject <id | json>   the caller: a principal id, or a request subject as JSON
                          ('{"id":"u1","claims":{"realm":"r","attributes":{}}}'); '{}' for an anonymous caller
${RESOURCE_HELP}
  --now <time>            ISO 8601 or epoch milliseconds (default: the current time)
  --json                  print {request, accountId, actions, patterns, denied} as JSON

Exits 0 with the answer (even when nothing is allowed), 1 when the request is invalid, 2 on bad usage or input.`;

const OPTIONS = { ...COMMON_OPTIONS, subject: { type: 'string' }, ...RESOURCE_OPTIONS, now: { type: 'string' } } as const;

/** The lines of a what-can answer. */
export function formatWhatCan(r: WhatCanResult): string[] {
  const lines = section('allowed actions', r.actions.map((a) => `${a.action}: ${formatIds(a.policies)}`));
  if (r.patterns.length > 0) lines.push(...section('allowed patterns (actions no role names)', r.patterns.map((p) => `${p.pattern}: ${formatIds(p.policies)}`)));
  lines.push(...section('denied actions', r.denied.map((a) => `${a.action}: denied by ${formatIds(a.policies)}`)));
  return lines;
}

/** Runs `what`. */
export function whatCommand(args: string[], io: CliIo): ExitCode {
  const { values, positionals } = parseCommandArgs(args, OPTIONS);
  if (values.help === true) {
    writeBlock(io.out, WHAT_HELP);
    return 0;
  }
  if (positionals.length !== 1) usageError('what needs exactly one source file (see --help)');
  if (values.subject === undefined) usageError("what needs `--subject` (`'{}'` for an anonymous caller; see --help)");
  if (values.resource === undefined) usageError('what needs `--resource` (see --help)');
  const now = parseNow(values.now);
  const subject = parseSubject(values.subject);
  const source = loadSourceFile(positionals[0]!);
  const { resource, account } = parseResource(source, { ...values, resource: values.resource });
  const request = { subject, resource, environment: { now } };
  const tables = compile(source);
  // whatCan reads only the subject's identity; the subject is checked here as authorize checks it, so that what and
  // explain refuse the same malformed subject (any stand-in action will do, its issues are not the subject's)
  let issues: Issue[] = resolveRequest(tables, { subject, action: '-', resource }, { now }, createContext()).filter((i) => i.path[0] !== 'action');
  let result: WhatCanResult | undefined;
  if (issues.length === 0) {
    try {
      result = whatCan(tables, subject, resource, { now });
    } catch (e) {
      if (!(e instanceof ValidationError) || e.code !== 'invalid_request') throw e;
      issues = e.issues;
    }
  }
  if (result === undefined) {
    if (values.json === true) writeBlock(io.out, JSON.stringify({ request, issues }, null, 2));
    else for (const line of formatIssueLines(issues)) io.out(line);
    return 1;
  }
  const note = callerNote(source, subject, account);
  if (values.json === true) writeBlock(io.out, JSON.stringify({ request, ...result, ...(note !== undefined ? { note } : {}) }, null, 2));
  else {
    const who = subject.id === undefined ? 'an anonymous caller' : `\`${subject.id}\``;
    io.out(`what ${who} may do on ${describeResource(resource, account)} at ${new Date(now).toISOString()}`);
    for (const line of formatWhatCan(result)) io.out(line);
    if (note !== undefined) io.out(`note: ${note}`);
  }
  return 0;
}
