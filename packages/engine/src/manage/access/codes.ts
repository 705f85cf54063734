// The 401 and 403 answers of each seed API, spelled as the seed spells them (IBM's `insufficent_permissions` included).
import type { AccessCodes } from './guard.js';

/** IBM Access Groups (seed 002). */
export const IBM_GROUP_CODES: AccessCodes = {
  unauthenticated: { code: 'invalid_token', status: 401, message: 'the token is either missing or invalid' },
  forbidden: { code: 'forbidden', status: 403, message: "forbidden: you don't have the required access to complete this action" },
};

/** IBM Policy Management (seed 004). */
export const IBM_POLICY_CODES: AccessCodes = {
  unauthenticated: { code: 'invalid_token', status: 401, message: 'the provided iam token is invalid' },
  forbidden: { code: 'insufficent_permissions', status: 403, message: 'you are not allowed to perform the requested policy operation' },
};

/** Cloudflare account IAM (seed 003): the v4 API answers both with error 10000, kept in `details.cloudflareCode`. */
export const CLOUDFLARE_CODES: AccessCodes = {
  unauthenticated: { code: 'authentication_error', status: 401, message: 'authentication error' },
  forbidden: { code: 'forbidden', status: 403, message: 'authentication error: the token lacks the permission for this request' },
};

/** BlueXP IAM and Tenancy (seeds 000, 001): Unauthorized and Forbidden. */
export const BLUEXP_CODES: AccessCodes = {
  unauthenticated: { code: 'unauthorized', status: 401, message: 'user authentication failed or the token has expired' },
  forbidden: { code: 'forbidden', status: 403, message: 'forbidden: not authorized for this resource' },
};

/** For an operation without a guard: fail closed with a plain 403. */
export const UNGUARDED_CODES: AccessCodes = {
  unauthenticated: { code: 'unauthorized', status: 401, message: 'an operation needs an authenticated actor' },
  forbidden: { code: 'forbidden', status: 403, message: 'this operation has no access guard: only the `system` actor may run it' },
};
