// A request read from flags, shared by explain, who and what: the caller (`--subject`), the resource (`--resource`
// with `--account` and the repeatable extras) and the instant (`--now`), each refused in one lowercase line.
import type { RequestResource, RequestSubject } from '../evaluate/types.js';
import type { Source } from '../model/source.js';
import { duplicateKey, jsonSyntaxMessage } from '../model/duplicate-key.js';
import { usageError } from './cli-args.js';

/** The flags that describe a resource: `--resource` and what completes it. */
export const RESOURCE_OPTIONS = {
  resource: { type: 'string' },
  account: { type: 'string' },
  tag: { type: 'string', multiple: true },
  project: { type: 'string', multiple: true },
  folder: { type: 'string', multiple: true },
  zone: { type: 'string', multiple: true },
  agent: { type: 'string' },
} as const;

/** The help lines of the resource flags, the same in every command that takes them. */
export const RESOURCE_HELP = `  --resource <id | json>  a registered resource id, or the resource's attributes as JSON
                          ('{"serviceName":"cos","resource":"bucket-1"}'); JSON with an "attributes"
                          object is taken as a whole resource (attributes, tags, projects, zones, ...)
  --account <id>          the resource's account, when the attributes do not name it (default: the
                          only account of the source)
  --tag <key:value>       a resource tag (repeatable); also --project, --folder, --zone (repeatable), --agent`;

/** The values of the resource flags, as parseArgs returns them. */
export interface ResourceFlags {
  resource: string;
  account?: string | undefined;
  tag?: string[] | undefined;
  project?: string[] | undefined;
  folder?: string[] | undefined;
  zone?: string[] | undefined;
  agent?: string | undefined;
}

/** Parses a flag's JSON object value; anything else is a usage error naming the flag. */
export function jsonObject(flag: string, text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    usageError(`option \`--${flag}\` is not JSON: ${jsonSyntaxMessage(text, e)}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) usageError(`option \`--${flag}\` must be a JSON object`);
  // a value means one thing, as a file does: `{"id":"dave","id":"alice"}` is alice to JSON.parse and dave to a reader
  const twice = duplicateKey(text);
  if (twice !== undefined) usageError(`option \`--${flag}\`: key \`${twice.key}\` is written twice`);
  return v as Record<string, unknown>;
}

/** Parses `--now` (ISO 8601 or epoch milliseconds); absent stays absent, for analyses where no time means "any time". */
export function parseInstant(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = /^-?\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(t)) usageError(`option \`--now\`: \`${text}\` is not an ISO 8601 date-time or epoch milliseconds`);
  return t;
}

/** Parses `--now`, defaulting to the current time: the CLI is the edge where the clock may be read. */
export function parseNow(text: string | undefined): number {
  return parseInstant(text) ?? Date.now();
}

/** Parses `--subject`: a principal id, or a request subject as JSON; anonymous when absent. */
export function parseSubject(text: string | undefined): RequestSubject {
  if (text === undefined) return {};
  return text.trimStart().startsWith('{') ? (jsonObject('subject', text) as RequestSubject) : { id: text };
}

/** Builds the request resource and names its account: a registered id, or JSON attributes placed in an account. */
export function parseResource(source: Source, flags: ResourceFlags): { resource: RequestResource; account: string } {
  let resource: RequestResource;
  let account: string | undefined;
  if (flags.resource.trimStart().startsWith('{')) {
    const json = jsonObject('resource', flags.resource);
    const whole = typeof json['attributes'] === 'object' && json['attributes'] !== null && !Array.isArray(json['attributes']);
    resource = whole ? (json as RequestResource) : { attributes: json as RequestResource['attributes'] };
    const attrs = { ...(resource.attributes ?? {}) };
    // a whole resource naming a registered id is decided as that resource, in its account (SEMANTICS §0): the header
    // and the notes name that account, and attributes naming another are refused rather than printed as the account
    const registered = whole && json['id'] !== undefined ? source.resources.find((r) => r.id === json['id']) : undefined;
    if (whole && json['id'] !== undefined && registered === undefined) usageError(`unknown resource \`${String(json['id'])}\`: give a registered resource id or JSON attributes`);
    const named = registered?.accountId ?? (attrs['accountId'] === undefined ? undefined : String(attrs['accountId']));
    if (registered !== undefined && attrs['accountId'] !== undefined && String(attrs['accountId']) !== registered.accountId)
      usageError(`option \`--resource\`: the attribute accountId \`${String(attrs['accountId'])}\` differs from the account \`${registered.accountId}\` of resource \`${registered.id}\``);
    if (named !== undefined && flags.account !== undefined && named !== flags.account)
      usageError(`option \`--account\`: \`${flags.account}\` differs from the resource's account \`${named}\``);
    account = named ?? flags.account ?? (source.accounts.length === 1 ? source.accounts[0]!.id : undefined);
    if (account === undefined) usageError('the resource names no account: give `--account` or an `accountId` attribute');
    attrs['accountId'] = account;
    resource = { ...resource, attributes: attrs };
  } else {
    const registered = source.resources.find((r) => r.id === flags.resource);
    if (registered === undefined) usageError(`unknown resource \`${flags.resource}\`: give a registered resource id or JSON attributes`);
    if (flags.account !== undefined && flags.account !== registered.accountId)
      usageError(`option \`--account\`: \`${flags.account}\` differs from the account \`${registered.accountId}\` of resource \`${registered.id}\``);
    resource = { id: registered.id };
    account = registered.accountId;
  }
  const extras: [keyof RequestResource, string[] | undefined][] = [
    ['tags', flags.tag],
    ['projects', flags.project],
    ['folders', flags.folder],
    ['zones', flags.zone],
  ];
  for (const [field, list] of extras) if (list !== undefined) (resource as Record<string, unknown>)[field] = [...((resource[field] as string[] | undefined) ?? []), ...list];
  if (flags.agent !== undefined) resource.agentId = flags.agent;
  return { resource, account };
}

/** How a resource is named in human output. */
export function describeResource(resource: RequestResource, account: string): string {
  return `${resource.id !== undefined ? `resource \`${resource.id}\`` : 'the resource'} in account \`${account}\``;
}
