// The public surface of @portcullis/server, listed by name.
export { createServer, inputOf } from './create-server.js';
export type { ServerOptions } from './create-server.js';
export { chainAuthenticators } from './authenticator.js';
export type { Authenticator, AuthResult, Caller, PepCaller } from './authenticator.js';
export { createStaticTokenAuthenticator, loadStaticTokenFile, tokenFileSchema } from './static-token-authenticator.js';
export type { TokenEntry } from './static-token-authenticator.js';
export { createJwtAuthenticator } from './jwt-authenticator.js';
export type { JwtAuthenticatorOptions } from './jwt-authenticator.js';
export { HttpError, errorPayload, familyOf, FAMILY_CODES } from './http-errors.js';
export type { ApiFamily, ManagementRoute, AnyOperation } from './route-table.js';
export { IBM_ROUTES } from './routes-ibm.js';
export { CLOUDFLARE_ROUTES, CLOUDFLARE_PREFIX } from './routes-cloudflare.js';
export { BLUEXP_ROUTES } from './routes-bluexp.js';
export { serve, parseServeArgs } from './serve.js';
export { serveMain } from './serve-main.js';
export type { ServeOptions, RunningServer } from './serve.js';
