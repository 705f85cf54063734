// The Cloudflare v4 error model (seed 003): a refused request answers `{success: false, errors, messages, result}`,
// and each error object is `{code, message, documentation_url?, source?: {pointer}}` whose `code` is a number of at
// least 1000. The operations keep their string codes (tests and hosts branch on them); this module gives each its
// number and builds the body a host sends. The seed fixes the type and the minimum, not the numbers: these are
// Portcullis's, stable once published, one per refusal kind.
import { SeedError, ValidationError, type Issue } from '../../errors.js';
import { CLOUDFLARE_CODES } from '../access/codes.js';

/** The number of each string code a Cloudflare operation (or its access check) refuses with; all at least 1000. */
export const CLOUDFLARE_ERROR_NUMBERS: Readonly<Record<string, number>> = Object.freeze({
  // the access check (access/codes.ts)
  [CLOUDFLARE_CODES.unauthenticated.code]: 10000,
  [CLOUDFLARE_CODES.forbidden.code]: 10001,
  // bad input
  invalid_request: 1001,
  scope_type_mismatch: 1002,
  invalid_input: 1003,
  // not found
  account_not_found: 1101,
  member_not_found: 1102,
  permission_group_not_found: 1103,
  resource_group_not_found: 1104,
  user_group_not_found: 1105,
  sso_connector_not_found: 1106,
  // conflicts
  member_already_exists: 1201,
  resource_group_in_use: 1202,
  user_group_name_conflict: 1203,
  sso_connector_domain_conflict: 1204,
  sso_connector_already_verified: 1205,
  // the server's own failures
  id_exhausted: 1301,
  internal_error: 1300,
});

/** The number a refusal not in the table gets, by HTTP status class: still at least 1000, never 0. */
const BY_STATUS: Readonly<Record<number, number>> = { 400: 1000, 401: 10000, 403: 10001, 404: 1100, 409: 1200 };

/** One error object of the Cloudflare error model. */
export interface CloudflareErrorObject {
  code: number;
  message: string;
  documentation_url?: string;
  source?: { pointer: string };
}

/** The body of a refused Cloudflare request, with the HTTP status to send it with. */
export interface CloudflareErrorBody {
  status: number;
  body: { success: false; errors: CloudflareErrorObject[]; messages: []; result: null };
}

/** The number of a string code: its table entry, else its status class, else the internal error's. */
export function cloudflareErrorNumber(code: string, status: number): number {
  return CLOUDFLARE_ERROR_NUMBERS[code] ?? BY_STATUS[status] ?? (status >= 500 ? CLOUDFLARE_ERROR_NUMBERS['internal_error']! : 1000);
}

/** A JSON pointer (RFC 6901) to where an issue is in the request. */
function pointer(path: readonly (string | number)[]): string {
  return path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * The seed's error body for anything a Cloudflare operation threw: one error object per issue of a bad input (each
 * pointing at its place), else one for the refusal. Anything that is not a refusal is a 500 that says nothing of its
 * cause (fail closed: no internals leak).
 */
export function cloudflareErrorBody(error: unknown): CloudflareErrorBody {
  let status = 500;
  let code = 'internal_error';
  let message = 'internal error';
  let issues: Issue[] = [];
  if (error instanceof SeedError) {
    ({ status, code, message } = error);
    const listed = error.details?.['issues'];
    if (Array.isArray(listed)) issues = listed as Issue[];
  } else if (error instanceof ValidationError) {
    status = 400;
    code = error.code;
    message = error.message.split('\n')[0]!;
    issues = error.issues;
  }
  const number = cloudflareErrorNumber(code, status);
  const errors: CloudflareErrorObject[] =
    issues.length > 0
      ? issues.map((i) => ({ code: number, message: `${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`, source: { pointer: pointer(i.path) } }))
      : [{ code: number, message }];
  return { status, body: { success: false, errors, messages: [], result: null } };
}
