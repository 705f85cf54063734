// `portcullis who <source.json> --action … --resource …`: the principals and groups allowed, each with the policies
// that grant it, the members a claim rule admits, and the principals a deny refuses.
import { whoCan, type GrantPath, type WhoCanResult } from '../analyze/who-can.js';
import { compile } from '../compile/compile-source.js';
import { ValidationError } from '../errors.js';
import { COMMON_OPTIONS, parseCommandArgs, usageError } from './cli-args.js';
import { writeBlock, type CliIo, type ExitCode } from './cli-io.js';
import { describeResource, parseNow, parseResource, RESOURCE_HELP, RESOURCE_OPTIONS } from './cli-request.js';
import { loadSourceFile } from './cli-source.js';
import { formatIds, formatIssueLines, section } from './format-lists.js';

/** The help of `who`. */
export const WHO_HELP = `usage: portcullis who <source.json> --action <action> --resource <id | json> [options]

Lists who may perform the action on the resource: the principals allowed, each with the policies
that grant it and how it holds them (directly, through a group, Public Access); the groups whose own
policies allow; the claim rules whose members are allowed (known only at login); the principals a
deny refuses; every caller, when Public Access allows; and the calling services allowed.

  --action <action>       the action, e.g. cos.bucket.read or workspace:create
${RESOURCE_HELP}
  --now <time>            ISO 8601 or epoch milliseconds (default: the current time)
  --json                  print {request, accountId, principals, groups, membersByRule, denied, ...} as JSON

Exits 0 with the answer (even when nobody is allowed), 1 when the request is invalid, 2 on bad usage or input.`;

const OPTIONS = { ...COMMON_OPTIONS, action: { type: 'string' }, ...RESOURCE_OPTIONS, now: { type: 'string' } } as const;

/** How a principal holds one granting policy, in words. */
export function formatGrantPath(p: GrantPath): string {
  switch (p.via) {
    case 'principal':
      return `\`${p.policyId}\` directly`;
    case 'static':
      return `\`${p.policyId}\` via group \`${p.groupId}\` (static member)`;
    case 'dynamic':
      return `\`${p.policyId}\` via group \`${p.groupId}\` (dynamic member until ${p.expiresAt})`;
    default:
      return `\`${p.policyId}\` via the Public Access group \`${p.groupId}\``;
  }
}

/** The lines of a who-can answer. */
export function formatWhoCan(r: WhoCanResult): string[] {
  if (r.gate !== null) return [`nobody: the account's options refuse every caller (${r.gate})`];
  const lines: string[] = [];
  if (r.anonymous.allowed) lines.push(`every caller, even unauthenticated, through Public Access: ${formatIds(r.anonymous.policies)}`);
  else if (r.anonymous.denies.length > 0) lines.push(`every caller is refused through Public Access: ${formatIds(r.anonymous.denies)}`);
  lines.push(
    ...section(
      'principals allowed',
      r.principals.map((p) => `\`${p.id}\` (${p.kind}): ${p.paths.map(formatGrantPath).join('; ')}${p.ssoRequired ? ' (only when signed in through SSO)' : ''}`),
    ),
    ...section('groups allowed', r.groups.map((g) => `\`${g.id}\`: ${formatIds(g.policies)}${g.federated ? ' (identity-provider group: only for users with a direct binding)' : ''}`)),
    ...section('members by claim rule', r.membersByRule.map((m) => `rule \`${m.ruleId}\` of group \`${m.groupId}\` (realm \`${m.realm}\`): ${formatIds(m.policies)}`)),
    ...section('denied', r.denied.map((d) => `\`${d.id}\`: denied by ${formatIds(d.denies)} over ${formatIds(d.overridden)}`)),
  );
  if (r.services.length > 0)
    lines.push(...section('calling services allowed', r.services.map((s) => `${Object.entries(s.attributes).map(([k, v]) => `${k}=\`${v}\``).join(', ')}: ${formatIds(s.policies)}`)));
  return lines;
}

/** Runs `who`. */
export function whoCommand(args: string[], io: CliIo): ExitCode {
  const { values, positionals } = parseCommandArgs(args, OPTIONS);
  if (values.help === true) {
    writeBlock(io.out, WHO_HELP);
    return 0;
  }
  if (positionals.length !== 1) usageError('who needs exactly one source file (see --help)');
  if (values.action === undefined) usageError('who needs `--action` (see --help)');
  if (values.resource === undefined) usageError('who needs `--resource` (see --help)');
  const now = parseNow(values.now);
  const source = loadSourceFile(positionals[0]!);
  const { resource, account } = parseResource(source, { ...values, resource: values.resource });
  const request = { action: values.action, resource, environment: { now } };
  let result: WhoCanResult;
  try {
    result = whoCan(compile(source), values.action, resource, { now });
  } catch (e) {
    if (!(e instanceof ValidationError) || e.code !== 'invalid_request') throw e;
    if (values.json === true) writeBlock(io.out, JSON.stringify({ request, issues: e.issues }, null, 2));
    else for (const line of formatIssueLines(e.issues)) io.out(line);
    return 1;
  }
  if (values.json === true) writeBlock(io.out, JSON.stringify({ request, ...result }, null, 2));
  else {
    io.out(`who may ${values.action} on ${describeResource(resource, account)} at ${new Date(now).toISOString()}`);
    for (const line of formatWhoCan(result)) io.out(line);
  }
  return 0;
}
