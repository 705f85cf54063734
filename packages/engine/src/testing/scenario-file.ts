// The scenario file: a source (inline, or a path relative to the file) and cases, each a request with
// the decision it must get. Validated once at the edge; a typo such as `expected` is an issue, never a
// silently ignored field.
import { z } from 'zod';
import { ValidationError, type Issue } from '../errors.js';
import type { AuthorizeRequest } from '../evaluate/types.js';
import { findForbiddenKeys, zodIssues } from '../model/parse-source.js';

const timeSchema = z.union([z.number().finite(), z.string().min(1)]);
const objectSchema = z.record(z.string(), z.unknown());

/** One case of a scenario file, as written. */
export const scenarioCaseSchema = z.strictObject({
  name: z.string().min(1).max(256).optional(),
  /** A principal id, or a whole request subject (`{id, accountId, claims, service, …}`). */
  subject: z.union([z.string().min(1), objectSchema]),
  action: z.string().min(1),
  /** A registered resource id, or a whole request resource (`{attributes, tags, projects, …}`). */
  resource: z.union([z.string().min(1), objectSchema]),
  environment: objectSchema.optional(),
  /** The request's time (epoch ms or ISO 8601); `environment.now` wins, then this, then the file's `now`. */
  now: timeSchema.optional(),
  expect: z.enum(['allow', 'deny']),
  reason: z.enum(['allow', 'explicit-deny', 'no-match', 'invalid-request']).optional(),
  /** The determining policy (or binding) ids, in any order. */
  policies: z.array(z.string().min(1)).optional(),
});
/** One case of a scenario file, as written. */
export type ScenarioCase = z.infer<typeof scenarioCaseSchema>;

/** A scenario file, as written. */
export const scenarioFileSchema = z.strictObject({
  description: z.string().optional(),
  /** The source inline, or the path of a source JSON file relative to the scenario file. */
  source: z.union([z.string().min(1), objectSchema]),
  /** The default time of every case. */
  now: timeSchema.optional(),
  cases: z.array(scenarioCaseSchema).min(1, 'at least one case'),
});
/** A scenario file, as written. */
export type ScenarioFile = z.infer<typeof scenarioFileSchema>;

const readable = (t: unknown) => (typeof t === 'number' && Number.isFinite(t)) || (typeof t === 'string' && Number.isFinite(Date.parse(t)));

/** Validates parsed JSON as a scenario file; throws a ValidationError (`invalid_input`) listing every issue with its path. */
export function parseScenarioFile(input: unknown): ScenarioFile {
  const issues: Issue[] = [];
  findForbiddenKeys(input, [], issues, 0);
  if (issues.length > 0) throw new ValidationError('invalid_input', issues);
  const result = scenarioFileSchema.safeParse(input);
  if (!result.success) throw new ValidationError('invalid_input', zodIssues(result.error));
  const file = result.data;
  if (file.now !== undefined && !readable(file.now)) issues.push({ path: ['now'], message: `\`${String(file.now)}\` is not epoch milliseconds or an ISO 8601 date-time` });
  file.cases.forEach((c, i) => {
    const envNow = c.environment?.['now'];
    if (c.now !== undefined && !readable(c.now)) issues.push({ path: ['cases', i, 'now'], message: `\`${String(c.now)}\` is not epoch milliseconds or an ISO 8601 date-time` });
    if (envNow === undefined && c.now === undefined && file.now === undefined)
      issues.push({ path: ['cases', i], message: 'no time: give `now` in the case or in the file' });
    if (c.reason !== undefined && (c.reason === 'allow') !== (c.expect === 'allow'))
      issues.push({ path: ['cases', i, 'reason'], message: `reason \`${c.reason}\` contradicts expect \`${c.expect}\`` });
  });
  if (issues.length > 0) throw new ValidationError('invalid_input', issues);
  return file;
}

/** The request a case asks: string shorthands expanded, and the time taken from the case or else the file. */
export function caseRequest(c: ScenarioCase, fileNow: number | string | undefined): AuthorizeRequest {
  const subject = typeof c.subject === 'string' ? { id: c.subject } : c.subject;
  const resource = typeof c.resource === 'string' ? { id: c.resource } : c.resource;
  const environment: Record<string, unknown> = { ...(c.environment ?? {}) };
  if (environment['now'] === undefined) environment['now'] = c.now ?? fileNow;
  return { subject, action: c.action, resource, environment } as AuthorizeRequest;
}

/** The name a case is reported under: its own, or one made from its request. */
export function caseName(c: ScenarioCase, index: number): string {
  if (c.name !== undefined) return c.name;
  const who = typeof c.subject === 'string' ? c.subject : typeof c.subject['id'] === 'string' ? c.subject['id'] : 'anonymous';
  const what = typeof c.resource === 'string' ? c.resource : typeof c.resource['id'] === 'string' ? c.resource['id'] : 'resource';
  return `case ${index + 1}: ${who} ${c.action} on ${what}`;
}
