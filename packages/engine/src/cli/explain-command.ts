// `portcullis explain <source.json> --subject … --action … --resource …`: one decision with the identity
// path and the determining policies, and for a caller that holds only public access, the reason why.
import { compile } from '../compile/compile-source.js';
import { authorize } from '../evaluate/authorize.js';
import type { AuthorizeRequest } from '../evaluate/types.js';
import { callerNote } from './caller-note.js';
import { COMMON_OPTIONS, parseCommandArgs, usageError } from './cli-args.js';
import { writeBlock, type CliIo, type ExitCode } from './cli-io.js';
import { describeResource, parseNow, parseResource, parseSubject, RESOURCE_HELP, RESOURCE_OPTIONS } from './cli-request.js';
import { loadSourceFile } from './cli-source.js';
import { formatDecision } from './format-decision.js';

/** The help of `explain`. */
export const EXPLAIN_HELP = `usage: portcullis explain <source.json> --action <action> --resource <id | json> [options]

Decides one request against the source and explains it: the outcome, the reason, and for each
determining policy the identity (principal, group and how it was joined) and the role that let it in.

  --subject <id | json>   the caller: a principal id, or a request subject as JSON
                          ('{"id":"u1","claims":{"realm":"r","attributes":{}}}'); anonymous if omitted
  --action <action>       the action, e.g. cos.bucket.read or workspace:create
${RESOURCE_HELP}
  --now <time>            ISO 8601 or epoch milliseconds (default: the current time)
  --json                  print {request, decision} as JSON

Exits 0 with a decision (allow or deny), 1 when the request is invalid, 2 on bad usage or input.`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  subject: { type: 'string' },
  action: { type: 'string' },
  ...RESOURCE_OPTIONS,
  now: { type: 'string' },
} as const;

/** Runs `explain`. */
export function explainCommand(args: string[], io: CliIo): ExitCode {
  const { values, positionals } = parseCommandArgs(args, OPTIONS);
  if (values.help === true) {
    writeBlock(io.out, EXPLAIN_HELP);
    return 0;
  }
  if (positionals.length !== 1) usageError('explain needs exactly one source file (see --help)');
  if (values.action === undefined) usageError('explain needs `--action` (see --help)');
  if (values.resource === undefined) usageError('explain needs `--resource` (see --help)');
  const now = parseNow(values.now);
  const subject = parseSubject(values.subject);
  const source = loadSourceFile(positionals[0]!);
  const { resource, account } = parseResource(source, { ...values, resource: values.resource });

  const request: AuthorizeRequest = { subject, action: values.action, resource, environment: { now } };
  const decision = authorize(compile(source), request, { explain: true });
  const note = decision.reason === 'invalid-request' ? undefined : callerNote(source, subject, account);
  if (values.json === true) writeBlock(io.out, JSON.stringify({ request, decision, ...(note !== undefined ? { note } : {}) }, null, 2));
  else {
    const who = subject.id === undefined ? 'an anonymous caller' : `\`${subject.id}\``;
    io.out(`${who} ${values.action} on ${describeResource(resource, account)} at ${new Date(now).toISOString()}`);
    for (const line of formatDecision(decision)) io.out(line);
    if (note !== undefined) io.out(`  note: ${note}`);
  }
  return decision.reason === 'invalid-request' ? 1 : 0;
}
