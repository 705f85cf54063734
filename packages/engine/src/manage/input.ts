// Reading an operation's input the same way in every room: parse it with its schema, and refuse it with every issue
// listed at once, under the seed's own code.
import type { z } from 'zod';
import { SeedError, type Issue } from '../errors.js';
import { zodIssues } from '../model/parse-source.js';
import { findLoneSurrogates } from '../model/primitives.js';

/** The message of a refusal that lists issues: the first with its path, and how many more (`malformed` when none). */
export function issuesMessage(issues: readonly Issue[]): string {
  const first = issues[0];
  const where = first !== undefined && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `${where}${first?.message ?? 'malformed'}${more}`;
}

/** Throws `code` (400 unless told) with every issue in `details.issues` when there is any. */
export function refuseIssues(code: string, issues: Issue[], status = 400): void {
  if (issues.length === 0) return;
  throw new SeedError(code, status, issuesMessage(issues), { issues });
}

/** Parses an operation's input or throws 400 `invalid_request` listing every issue. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  // a key whose value is undefined says nothing (a host's spread of optional fields); any other unknown key is refused
  // a lone surrogate would be written as U+FFFD by every store (see findLoneSurrogates): refused under the seed's code
  const ill: Issue[] = [];
  findLoneSurrogates(input, [], ill);
  refuseIssues('invalid_request', ill);
  const r = schema.safeParse(withoutUndefined(input));
  if (!r.success) refuseIssues('invalid_request', zodIssues(r.error));
  return (r as { data: z.infer<S> }).data;
}

/** `input` without its top-level keys whose value is undefined; anything else as it is. */
function withoutUndefined(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}
