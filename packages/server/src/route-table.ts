// A management route: one seed endpoint, the operation it runs through engine.apply, and what the request may carry.
// Path parameters, the allowed query keys and the allowed body keys become the operation's one input object; a key
// the route does not name is refused (400 in the API's own error body) before the operation runs.
import type { DefinedOperation } from '@portcullis/engine';

/** The API families the server speaks; each has its own error body. */
export type ApiFamily = 'authzen' | 'ibm' | 'cloudflare' | 'bluexp' | 'server';

/** Any management operation, as engine.apply takes it, with its declaration (the 401 and 403 codes of its API). */
export type AnyOperation = DefinedOperation<any, any>;

/** One seed endpoint routed to one operation. */
export interface ManagementRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  /** The path in fastify's syntax (`/v2/groups/:access_group_id`); parameter names are the operation's input keys. */
  url: string;
  operation: AnyOperation;
  family: Exclude<ApiFamily, 'authzen' | 'server'>;
  /** The success status. Default 200; 204 sends no body. */
  status?: number;
  /** Query keys the endpoint takes. */
  query?: readonly string[];
  /** Body keys the endpoint takes; absent means the endpoint takes no body. */
  body?: readonly string[];
  /** The If-Match header is passed as `if_match`. */
  ifMatch?: boolean;
  /** Request headers passed as input keys of the same (lowercase) name, such as BlueXP's `x-agent-id`. */
  headers?: readonly string[];
  /** Query keys that are booleans (`true`/`false`), for operations that take JSON booleans. */
  booleans?: readonly string[];
}
