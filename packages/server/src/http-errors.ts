// Each API family answers errors in its own body: IBM `{trace, errors: [{code, message}], status_code}`, Cloudflare
// the v4 envelope with `success: false`, BlueXP `{error: {code, message}}` (the seeds show no body; ours is
// documented), AuthZEN the plain message string its spec asks for.
import { cloudflareErrorBody, SeedError, type Issue } from '@portcullis/engine';
import type { ApiFamily } from './route-table.js';
import { CLOUDFLARE_PREFIX } from './routes-cloudflare.js';

/** An error the server itself raises (a forged token, an unknown key, an unknown path), with the API's code. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly code: string;
  readonly issues: Issue[] | undefined;
  constructor(status: number, code: string, message: string, issues?: Issue[]) {
    super(message);
    this.status = status;
    this.code = code;
    this.issues = issues;
  }
}

/** The API family a path belongs to, so that even an unknown path gets the right error body. */
export function familyOf(url: string): ApiFamily {
  const path = url.split('?', 1)[0]!;
  if (path.startsWith('/access/') || path.startsWith('/.well-known/authzen-configuration')) return 'authzen';
  if (path.startsWith('/v2/groups') || path.startsWith('/v1/policies') || path.startsWith('/v2/policies')) return 'ibm';
  if (path.startsWith(CLOUDFLARE_PREFIX + '/')) return 'cloudflare';
  if (path.startsWith('/bluexp/')) return 'bluexp';
  return 'server';
}

/** The codes each family uses for the errors the server raises on its own. */
export const FAMILY_CODES: Record<ApiFamily, { badRequest: string; unauthorized: string; notFound: string; tooLarge: string; mediaType: string; internal: string; unavailable: string }> = {
  ibm: {
    badRequest: 'invalid_payload',
    unauthorized: 'invalid_access_token',
    notFound: 'not_found',
    tooLarge: 'request_entity_too_large',
    mediaType: 'unsupported_media_type',
    internal: 'internal_server_error',
    unavailable: 'service_unavailable',
  },
  cloudflare: {
    badRequest: 'invalid_request',
    unauthorized: 'authentication_error',
    notFound: 'not_found',
    tooLarge: 'request_too_large',
    mediaType: 'unsupported_media_type',
    internal: 'internal_error',
    unavailable: 'service_unavailable',
  },
  bluexp: {
    badRequest: 'invalid_request',
    unauthorized: 'unauthorized',
    notFound: 'not_found',
    tooLarge: 'request_too_large',
    mediaType: 'unsupported_media_type',
    internal: 'internal_error',
    unavailable: 'service_unavailable',
  },
  authzen: {
    badRequest: 'bad_request',
    unauthorized: 'unauthorized',
    notFound: 'not_found',
    tooLarge: 'request_too_large',
    mediaType: 'bad_request',
    internal: 'internal_error',
    unavailable: 'service_unavailable',
  },
  server: {
    badRequest: 'bad_request',
    unauthorized: 'unauthorized',
    notFound: 'not_found',
    tooLarge: 'request_too_large',
    mediaType: 'unsupported_media_type',
    internal: 'internal_error',
    unavailable: 'service_unavailable',
  },
};

/** The response of an error: its content type and body, in the family's shape. */
export function errorPayload(
  family: ApiFamily,
  status: number,
  code: string,
  message: string,
  requestId: string,
  issues?: Issue[],
): { contentType: string; body: string } {
  const json = (v: unknown) => ({ contentType: 'application/json; charset=utf-8', body: JSON.stringify(v) });
  const details = issues !== undefined && issues.length > 0 ? { issues } : {};
  switch (family) {
    case 'authzen':
      return { contentType: 'text/plain; charset=utf-8', body: message };
    case 'ibm':
      return json({ trace: requestId, errors: [{ code, message, ...details }], status_code: status });
    case 'cloudflare':
      // seed 003: each error object's `code` is a number of at least 1000 (the engine's table), one per issue
      return json(cloudflareErrorBody(new SeedError(code, status, message, issues !== undefined && issues.length > 0 ? { issues } : undefined)).body);
    case 'bluexp':
    case 'server':
      return json({ error: { code, message, ...details }, status, trace: requestId });
  }
}
