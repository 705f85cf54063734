// `portcullis explain <source.json> --subject … --action … --resource …`: one decision with the identity
// path and the determining policies, and for a caller that holds only public access, the reason why.
import { compile } from '../compile/compile-source.js';
import { authorize } from '../evaluate/authorize.js';
import type { AuthorizeRequest, RequestResource, RequestSubject } from '../evaluate/types.js';
import { parseSource } from '../model/parse-source.js';
import type { Source } from '../model/source.js';
import { readJsonFile } from '../testing/scenario-json-file.js';
import { COMMON_OPTIONS, parseCommandArgs, usageError } from './cli-args.js';
import type { CliIo, ExitCode } from './cli-io.js';
import { formatDecision } from './format-decision.js';

/** The help of `explain`. */
export const EXPLAIN_HELP = `usage: portcullis explain <source.json> --action <action> --resource <id | json> [options]

Decides one request against the source and explains it: the outcome, the reason, and for each
determining policy the identity (principal, group and how it was joined) and the role that let it in.

  --subject <id | json>   the caller: a principal id, or a request subject as JSON
                          ('{"id":"u1","claims":{"realm":"r","attributes":{}}}'); anonymous if omitted
  --action <action>       the action, e.g. cos.bucket.read or workspace:create
  --resource <id | json>  a registered resource id, or the resource's attributes as JSON
                          ('{"serviceName":"cos","resource":"bucket-1"}'); JSON with an "attributes"
                          object is taken as a whole resource (attributes, tags, projects, zones, ...)
  --account <id>          the resource's account, when the attributes do not name it (default: the
                          only account of the source)
  --now <time>            ISO 8601 or epoch milliseconds (default: the current time)
  --tag <key:value>       a resource tag (repeatable); also --project, --folder, --zone (repeatable), --agent
  --json                  print {request, decision} as JSON

Exits 0 with a decision (allow or deny), 1 when the request is invalid, 2 on bad usage or input.`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  subject: { type: 'string' },
  action: { type: 'string' },
  resource: { type: 'string' },
  account: { type: 'string' },
  now: { type: 'string' },
  tag: { type: 'string', multiple: true },
  project: { type: 'string', multiple: true },
  folder: { type: 'string', multiple: true },
  zone: { type: 'string', multiple: true },
  agent: { type: 'string' },
} as const;

function jsonObject(flag: string, text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    const detail = e instanceof Error ? e.message.charAt(0).toLowerCase() + e.message.slice(1) : 'unreadable';
    usageError(`option \`--${flag}\` is not JSON: ${detail}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) usageError(`option \`--${flag}\` must be a JSON object`);
  return v as Record<string, unknown>;
}

function parseNow(text: string | undefined): number {
  if (text === undefined) return Date.now();
  const t = /^-?\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(t)) usageError(`option \`--now\`: \`${text}\` is not an ISO 8601 date-time or epoch milliseconds`);
  return t;
}

/** Why the caller holds only public access in the account, when it does; undefined otherwise. */
function callerNote(source: Source, subject: RequestSubject, account: string | undefined): string | undefined {
  if (subject.id === undefined) return 'the caller is anonymous: only the Public Access group';
  if (subject.authenticated === false) return 'the caller is not authenticated: only the Public Access group';
  if (account === undefined) return undefined;
  if (subject.accountId !== undefined && subject.accountId !== account)
    return `\`${subject.id}\` acts for account \`${subject.accountId}\`: in \`${account}\` it counts as an anonymous caller`;
  const p = source.principals.find((x) => x.accountId === account && x.id === subject.id);
  if (p === undefined) return `\`${subject.id}\` is not a principal of account \`${account}\`: it counts as an anonymous caller`;
  if (p.status !== 'active') return `\`${subject.id}\` is ${p.status}: it counts as an anonymous caller`;
  return undefined;
}

/** Runs `explain`. */
export function explainCommand(args: string[], io: CliIo): ExitCode {
  const { values, positionals } = parseCommandArgs(args, OPTIONS);
  if (values.help === true) {
    io.out(EXPLAIN_HELP);
    return 0;
  }
  if (positionals.length !== 1) usageError('explain needs exactly one source file (see --help)');
  if (values.action === undefined) usageError('explain needs `--action` (see --help)');
  if (values.resource === undefined) usageError('explain needs `--resource` (see --help)');
  const now = parseNow(values.now);
  const subject: RequestSubject =
    values.subject === undefined ? {} : values.subject.trimStart().startsWith('{') ? (jsonObject('subject', values.subject) as RequestSubject) : { id: values.subject };
  const source = parseSource(readJsonFile(positionals[0]!));

  let resource: RequestResource;
  let account: string | undefined;
  if (values.resource.trimStart().startsWith('{')) {
    const json = jsonObject('resource', values.resource);
    const whole = typeof json['attributes'] === 'object' && json['attributes'] !== null && !Array.isArray(json['attributes']);
    resource = whole ? (json as RequestResource) : { attributes: json as RequestResource['attributes'] };
    const attrs = { ...(resource.attributes ?? {}) };
    const named = attrs['accountId'] === undefined ? undefined : String(attrs['accountId']);
    if (named !== undefined && values.account !== undefined && named !== values.account)
      usageError(`option \`--account\`: \`${values.account}\` differs from the resource's account \`${named}\``);
    account = named ?? values.account ?? (source.accounts.length === 1 ? source.accounts[0]!.id : undefined);
    if (account === undefined) usageError('the resource names no account: give `--account` or an `accountId` attribute');
    attrs['accountId'] = account;
    resource = { ...resource, attributes: attrs };
  } else {
    const registered = source.resources.find((r) => r.id === values.resource);
    if (registered === undefined) usageError(`unknown resource \`${values.resource}\`: give a registered resource id or JSON attributes`);
    if (values.account !== undefined && values.account !== registered.accountId)
      usageError(`option \`--account\`: \`${values.account}\` differs from the account \`${registered.accountId}\` of resource \`${registered.id}\``);
    resource = { id: registered.id };
    account = registered.accountId;
  }
  const extras: [keyof RequestResource, string[] | undefined][] = [
    ['tags', values.tag],
    ['projects', values.project],
    ['folders', values.folder],
    ['zones', values.zone],
  ];
  for (const [field, list] of extras) if (list !== undefined) (resource as Record<string, unknown>)[field] = [...((resource[field] as string[] | undefined) ?? []), ...list];
  if (values.agent !== undefined) resource.agentId = values.agent;

  const request: AuthorizeRequest = { subject, action: values.action, resource, environment: { now } };
  const decision = authorize(compile(source), request, { explain: true });
  const note = decision.reason === 'invalid-request' ? undefined : callerNote(source, subject, account);
  if (values.json === true) io.out(JSON.stringify({ request, decision, ...(note !== undefined ? { note } : {}) }, null, 2));
  else {
    const who = subject.id === undefined ? 'an anonymous caller' : `\`${subject.id}\``;
    const what = resource.id !== undefined ? `resource \`${resource.id}\`` : 'the resource';
    io.out(`${who} ${values.action} on ${what} in account \`${account}\` at ${new Date(now).toISOString()}`);
    for (const line of formatDecision(decision)) io.out(line);
    if (note !== undefined) io.out(`  note: ${note}`);
  }
  return decision.reason === 'invalid-request' ? 1 : 0;
}
