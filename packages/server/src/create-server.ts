// The HTTP server: fastify (maintained, fast, schema-light JSON handling with prototype-poisoning protection, body
// limits, request and header timeouts, graceful close) carrying the AuthZEN endpoints and the seeds' REST APIs. It
// adds no path around engine.apply: every management request runs the seed operation as the token's actor, guarded
// exactly as in process. One log line per request; /healthz and /readyz for orchestrators.
import { randomUUID } from 'node:crypto';
import {
  AUTHZEN_PATHS,
  createAuthzen,
  SeedError,
  ValidationError,
  type Actor,
  type Authzen,
  type Engine,
  type Issue,
} from '@portcullis/engine';
import { duplicateKey } from '@portcullis/engine/internals';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { AuthResult, Authenticator, Caller } from './authenticator.js';
import { errorPayload, FAMILY_CODES, familyOf, HttpError } from './http-errors.js';
import type { ApiFamily, ManagementRoute } from './route-table.js';
import { BLUEXP_ROUTES } from './routes-bluexp.js';
import { CLOUDFLARE_ROUTES } from './routes-cloudflare.js';
import { IBM_ROUTES } from './routes-ibm.js';

/** Options of createServer, checked at construction. */
export interface ServerOptions {
  engine: Engine;
  /** Turns bearer tokens into actors. Without one every token is refused and callers are anonymous. */
  authenticator?: Authenticator;
  /**
   * Who may ask the AuthZEN endpoints: `system` (default: PEP tokens, `{kind: 'pep'}`, and the host's own system tokens; a subject's token is 403,
   * since answers about anyone in any account are not every user's to read), `authenticated` (any valid token), or
   * `anyone` (no token needed).
   */
  authzenCallers?: 'system' | 'authenticated' | 'anyone';
  /** Most evaluations in one AuthZEN request. Default 1,000. */
  maxEvaluations?: number;
  /** The PDP identifier published in the AuthZEN metadata; default the request's own origin. */
  baseUrl?: string;
  /** Largest request body, bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** Whole-request timeout, ms. Default 30,000. */
  requestTimeoutMs?: number;
  /** Time allowed to receive the request headers, ms. Default 10,000. */
  headersTimeoutMs?: number;
  /** Idle keep-alive timeout, ms. Default 72,000 (above common load balancers' 60 s). */
  keepAliveTimeoutMs?: number;
  /** Largest request header block, bytes. Default 16 KiB. */
  maxHeaderSize?: number;
  /** fastify's logger: false (default), true, or pino options. Each request logs one line at `info`. */
  logger?: FastifyServerOptions['logger'];
  /** Extra readiness check for /readyz (a store ping, say). */
  ready?: () => boolean | Promise<boolean>;
  /**
   * Read-your-writes across processes (default true): every management request first catches up with the store
   * (`engine.refresh()`), so it sees every write acknowledged before it was sent, whichever process or worker made
   * it. Costs one change-log read per management request; decisions are not affected (they follow the store's feed).
   */
  readYourWrites?: boolean;
}

const ANONYMOUS: Actor = { kind: 'anonymous' };
const JSON_TYPE = 'application/json; charset=utf-8';

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | undefined)?.then === 'function';
}

/** `host[:port]` as a Host header writes it: a DNS name or IPv4 address, or a bracketed IPv6 address. */
const AUTHORITY = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

/** How many times the request sent header `name` (lowercase): node's `headers` keeps one of some headers, `rawHeaders` all. */
function timesSent(rawHeaders: readonly string[], name: string): number {
  let n = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const k = rawHeaders[i]!;
    if (k.length === name.length && k.toLowerCase() === name) n++;
  }
  return n;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkOptions(o: ServerOptions): void {
  const issues: Issue[] = [];
  if (!isObject(o)) throw new ValidationError('invalid_options', [{ path: [], message: 'options must be an object' }]);
  if (!isObject(o.engine) || typeof (o.engine as Engine).apply !== 'function') issues.push({ path: ['engine'], message: 'must be an engine' });
  if (o.readYourWrites !== undefined && typeof o.readYourWrites !== 'boolean') issues.push({ path: ['readYourWrites'], message: 'must be a boolean' });
  if (o.authenticator !== undefined && typeof o.authenticator?.authenticate !== 'function') issues.push({ path: ['authenticator'], message: 'must have authenticate(token)' });
  if (o.authzenCallers !== undefined && !['system', 'authenticated', 'anyone'].includes(o.authzenCallers))
    issues.push({ path: ['authzenCallers'], message: 'one of system, authenticated, anyone' });
  for (const k of ['bodyLimit', 'requestTimeoutMs', 'headersTimeoutMs', 'keepAliveTimeoutMs', 'maxHeaderSize', 'maxEvaluations'] as const) {
    const v = o[k];
    if (v !== undefined && (!Number.isInteger(v) || v <= 0)) issues.push({ path: [k], message: 'must be a positive integer' });
  }
  if (o.baseUrl !== undefined) {
    try {
      const u = new URL(o.baseUrl);
      if (u.search !== '' || u.hash !== '') issues.push({ path: ['baseUrl'], message: 'must have no query or fragment' });
    } catch {
      issues.push({ path: ['baseUrl'], message: 'must be an absolute URL' });
    }
  }
  if (issues.length > 0) throw new ValidationError('invalid_options', issues);
}

/**
 * The request log: a pino logger writing to an asynchronous stdout. pino's default destination writes each line
 * with a synchronous write(2), one system call per request on the event loop; an asynchronous sonic-boom still
 * writes every line, in order, one line per request, but gathers the lines that arrive while a write is in flight
 * into the next one (at most 4 KiB, a pipe's atomic write, so the lines of several worker processes sharing one
 * stdout never interleave mid-line); pino flushes it synchronously at exit. A caller's own stream is left alone.
 */
function requestLogger(logger: ServerOptions['logger']): Logger | undefined {
  if (logger === undefined || logger === false) return undefined;
  const opts = logger === true ? {} : logger;
  if (!isObject(opts)) return undefined;
  // `stream` and `file` are fastify's logger options, not pino's: they name the destination
  const { stream, file, ...rest } = opts as LoggerOptions & { stream?: DestinationStream; file?: string };
  return pino(rest, stream ?? pino.destination({ dest: file ?? 1, sync: false, maxWrite: 4096 }));
}

/** Builds the server (not yet listening): `await server.listen({port, host})`, `await server.close()`. */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  checkOptions(options);
  const { engine, authenticator } = options;
  const authzen: Authzen = createAuthzen(engine, options.maxEvaluations === undefined ? {} : { maxEvaluations: options.maxEvaluations });
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  const log = requestLogger(options.logger);
  const app = Fastify({
    // the request log is ours: app.log and req.log are that logger itself, not a child built per request (the
    // request id is a field of the one line each request writes instead)
    ...(log === undefined ? { logger: false } : { loggerInstance: log as FastifyBaseLogger, childLoggerFactory: (logger: FastifyBaseLogger) => logger }),
    // fastify's own two lines per request are replaced by the one onResponse line below
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestTimeout,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 72_000,
    // headersTimeout must not exceed requestTimeout (node refuses it otherwise)
    http: { maxHeaderSize: options.maxHeaderSize ?? 16 * 1024, headersTimeout: Math.min(headersTimeout, requestTimeout) },
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    exposeHeadRoutes: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: 512 },
  });
  let closing = false;
  app.addHook('onClose', async () => {
    closing = true;
  });
  // only JSON bodies: any other content type is 415 (AuthZEN's 400), before a handler runs
  app.removeContentTypeParser('text/plain');
  // JSON bodies: JSON.parse straight away when the text cannot hold a `__proto__` or `constructor` key (neither name,
  // nor any \u escape that could spell one); anything else, and every malformed body, goes to fastify's own parser
  // (secure-json-parse: such keys are a 400), so errors and protections are exactly fastify's
  const secureJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  // A body that writes a key twice in one object is refused after either parse (red team, round 9): JSON.parse keeps
  // the last value, a gateway or log in front of the server may read the first, and each would see another request
  const once = (text: string, parsed: unknown, done: (err: Error | null, body?: unknown) => void): void => {
    const twice = duplicateKey(text);
    if (twice === undefined) done(null, parsed);
    else done(Object.assign(new Error(`the request body writes the key \`${twice.key}\` twice in one object`), { statusCode: 400 }));
  };
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    // node keeps the first Content-Type; a gateway that reads the last (`text/plain`) does not inspect what is parsed
    // here as JSON (red team, round 11)
    if (timesSent(req.raw.rawHeaders, 'content-type') > 1) {
      done(Object.assign(new Error('the Content-Type header is given more than once'), { statusCode: 400 }));
      return;
    }
    if (text.length > 0 && !text.includes('__proto__') && !text.includes('constructor') && !text.includes('\\u')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        secureJson(req, text, done);
        return;
      }
      once(text, parsed, done);
      return;
    }
    secureJson(req, text, (err, parsed) => (err ? done(err) : once(text, parsed, done)));
  });

  // every response carries X-Request-ID, set where each response is made (the handlers below and sendError, which
  // answers every error and unknown path): an onSend hook for it cost about 2 µs of CPU per request
  // a callback-style hook: no promise per request on the hot path
  app.addHook('onResponse', (req, reply, done) => {
    req.log.info({ reqId: req.id, method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100, actor: actorLabel(req) }, 'request');
    done();
  });

  /** The caller: synchronous when the authenticator answers synchronously (a static token, a cached JWT). */
  function actorOf(req: FastifyRequest, family: ApiFamily): Caller | Promise<Caller> {
    const h = req.headers.authorization;
    if (h === undefined) return ANONYMOUS;
    const codes = FAMILY_CODES[family];
    // node keeps the first of two Authorization headers; a gateway or log before the server may read the last: a
    // request that names its caller twice names no one (red team, round 11), whatever the values
    if (timesSent(req.raw.rawHeaders, 'authorization') > 1) throw new HttpError(401, codes.unauthorized, 'the Authorization header is given more than once');
    const m = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)$/i.exec(h);
    if (m === null) throw new HttpError(401, codes.unauthorized, 'the Authorization header must be `Bearer <token>`');
    const found = authenticator === undefined ? undefined : authenticator.authenticate(m[1]!);
    const settle = (actor: AuthResult): Caller => {
      if (actor === undefined) throw new HttpError(401, codes.unauthorized, 'the bearer token is not valid');
      (req as { actor?: Caller }).actor = actor;
      return actor;
    };
    return isPromise(found) ? found.then(settle) : settle(found);
  }

  function sendError(req: FastifyRequest, reply: FastifyReply, family: ApiFamily, status: number, code: string, message: string, issues?: Issue[]) {
    const p = errorPayload(family, status, code, message, String(req.id), issues);
    return reply.code(status).header('x-request-id', req.id).type(p.contentType).send(p.body);
  }

  app.setNotFoundHandler((req, reply) => {
    const family = familyOf(req.url);
    return sendError(req, reply, family, 404, FAMILY_CODES[family].notFound, `no route \`${req.method} ${req.url.split('?', 1)[0]}\``);
  });

  app.setErrorHandler((err: unknown, req, reply) => {
    const family = familyOf(req.url);
    const codes = FAMILY_CODES[family];
    const e = err as { name?: string; code?: unknown; status?: unknown; statusCode?: unknown; message?: string; issues?: Issue[]; details?: { issues?: Issue[] } };
    if (err instanceof HttpError) return sendError(req, reply, family, err.status, err.code, err.message, err.issues);
    if (e?.name === 'SeedError' && typeof e.status === 'number' && typeof e.code === 'string')
      return sendError(req, reply, family, e.status, e.code, String(e.message), e.details?.issues);
    if (err instanceof ValidationError) return sendError(req, reply, family, 400, family === 'authzen' ? codes.badRequest : codes.badRequest, err.message.split('\n', 1)[0]!, err.issues);
    const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
    if (e?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return sendError(req, reply, family, family === 'authzen' ? 400 : 415, codes.mediaType, 'the request body must be application/json');
    if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(req, reply, family, 413, codes.tooLarge, 'the request body is too large');
    if (status >= 400 && status < 500) return sendError(req, reply, family, status, codes.badRequest, String(e?.message ?? 'bad request'));
    // INVARIANT: nothing about an internal failure (a store error, a bug) leaks to the caller; the log has it
    req.log.error({ reqId: req.id, err }, 'request failed');
    const unavailable = e?.name === 'StoreError';
    return sendError(req, reply, family, unavailable ? 503 : 500, unavailable ? codes.unavailable : codes.internal, unavailable ? 'the store is unavailable' : 'internal error');
  });

  app.get('/healthz', async (req, reply) => {
    reply.header('x-request-id', req.id);
    return { status: 'ok' };
  });
  app.get('/readyz', async (req, reply) => {
    reply.header('x-request-id', req.id);
    // an engine that follows its store's feed and has lost it may be deciding on an old source: not ready
    const f = engine.followStatus();
    const ok = !closing && !(f.following && !f.connected) && (options.ready === undefined || (await options.ready()));
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', revision: engine.revision, following: f.following, connected: f.connected, behind: f.behind });
  });

  // AuthZEN: a PEP authenticates (unless configured otherwise); the decision itself is never an HTTP error
  const callers = options.authzenCallers ?? 'system';
  const admit = (actor: Caller): void => {
    if (callers === 'anyone') return;
    if (actor.kind === 'anonymous') throw new HttpError(401, 'unauthorized', 'a bearer token is required');
    if (callers === 'system' && actor.kind !== 'system' && actor.kind !== 'pep') throw new HttpError(403, 'forbidden', 'this token may not ask for decisions');
  };
  // each answers with the response's JSON text: the evaluations write it straight from the decisions
  const authzenRoutes: [string, (body: unknown) => string][] = [
    [AUTHZEN_PATHS.evaluation, authzen.evaluationJson],
    [AUTHZEN_PATHS.evaluations, authzen.evaluationsJson],
    [AUTHZEN_PATHS.searchSubject, (b) => JSON.stringify(authzen.searchSubject(b))],
    [AUTHZEN_PATHS.searchResource, (b) => JSON.stringify(authzen.searchResource(b))],
    [AUTHZEN_PATHS.searchAction, (b) => JSON.stringify(authzen.searchAction(b))],
  ];
  for (const [url, run] of authzenRoutes) {
    // synchronous when the token is known: no promise per request; a throw is the error handler's
    app.post(url, (req, reply) => {
      reply.header('x-request-id', req.id).type(JSON_TYPE);
      const actor = actorOf(req, 'authzen');
      if (isPromise(actor))
        return actor.then((a) => {
          admit(a);
          return run(req.body);
        });
      admit(actor);
      reply.send(run(req.body));
      return undefined;
    });
  }
  app.get(AUTHZEN_PATHS.metadata, async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (options.baseUrl !== undefined) return authzen.metadata(options.baseUrl);
    // built from Host (red team, round 11): a cache must key it by Host, and a Host given twice (RFC 9112 §3.2) or
    // that is not `host[:port]` names no PDP (it published endpoints that were no URLs)
    reply.header('vary', 'host');
    if (timesSent(req.raw.rawHeaders, 'host') !== 1 || !AUTHORITY.test(req.host))
      throw new HttpError(400, FAMILY_CODES.authzen.badRequest, 'the Host header must be given once, as host[:port]');
    return authzen.metadata(`${req.protocol}://${req.host}`);
  });

  const readYourWrites = options.readYourWrites ?? true;
  for (const route of [...IBM_ROUTES, ...CLOUDFLARE_ROUTES, ...BLUEXP_ROUTES]) registerManagement(app, route, engine, actorOf, readYourWrites);
  return app;
}

function actorLabel(req: FastifyRequest): string {
  const a = (req as { actor?: Caller }).actor;
  if (a === undefined) return 'anonymous';
  return a.kind === 'subject' ? `${a.accountId}/${a.id}` : a.kind;
}

/** The 403 a PEP token gets from a management route: the operation's own, as its seed spells it. */
function pepRefusal(route: ManagementRoute): SeedError {
  return new SeedError(route.operation.operation.codes.forbidden.code, 403, 'a PEP token asks for decisions only: it may not manage access');
}

/** Gathers path parameters, the allowed query keys, the allowed body keys and If-Match into the operation's input. */
export function inputOf(route: ManagementRoute, req: FastifyRequest): Record<string, unknown> {
  const codes = FAMILY_CODES[route.family];
  const input: Record<string, unknown> = {};
  const query = (req.query ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(query)) {
    if (!route.query?.includes(k))
      throw new HttpError(400, route.family === 'ibm' ? 'invalid_query_parameter' : codes.badRequest, `unknown query parameter \`${k}\``, [{ path: ['query', k], message: 'unknown query parameter' }]);
    const v = query[k];
    input[k] = route.booleans?.includes(k) && (v === 'true' || v === 'false') ? v === 'true' : v;
  }
  const body = req.body;
  if (route.body !== undefined) {
    if (body !== undefined && body !== null) {
      if (!isObject(body)) throw new HttpError(400, codes.badRequest, 'the request body must be a JSON object', [{ path: ['body'], message: 'must be an object' }]);
      const unknown = Object.keys(body).filter((k) => !route.body!.includes(k));
      if (unknown.length > 0)
        throw new HttpError(400, codes.badRequest, `unknown field \`${unknown[0]}\` in the request body`, unknown.map((k) => ({ path: ['body', k], message: 'unknown field' })));
      for (const k of Object.keys(body)) {
        if (k in input) throw new HttpError(400, codes.badRequest, `\`${k}\` is given both in the query and in the body`, [{ path: ['body', k], message: 'also in the query' }]);
        input[k] = body[k];
      }
    }
  } else if (body !== undefined && body !== null && !(isObject(body) && Object.keys(body).length === 0)) {
    throw new HttpError(400, codes.badRequest, 'this endpoint takes no request body', [{ path: ['body'], message: 'not allowed' }]);
  }
  // INVARIANT: path parameters come last, so neither the query nor the body can name another row than the path does
  const params = (req.params ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(params)) input[k] = params[k];
  for (const h of route.headers ?? []) {
    const v = req.headers[h];
    if (typeof v === 'string') input[h] = v;
  }
  if (route.ifMatch) {
    const h = req.headers['if-match'];
    if (typeof h === 'string') input['if_match'] = h;
  }
  return input;
}

function registerManagement(
  app: FastifyInstance,
  route: ManagementRoute,
  engine: Engine,
  actorOf: (req: FastifyRequest, family: ApiFamily) => Caller | Promise<Caller>,
  readYourWrites: boolean,
): void {
  const status = route.status ?? 200;
  app.route({
    method: route.method,
    url: route.url,
    handler: async (req, reply) => {
      reply.header('x-request-id', req.id);
      const actor = await actorOf(req, route.family);
      // a PEP asks for decisions only: every management route is the operation's own 403 to it, before any read
      if (actor.kind === 'pep') throw pepRefusal(route);
      const input = inputOf(route, req);
      // INVARIANT: the catch-up comes after the request is checked and before the operation reads the state, so a
      // read sees every commit acknowledged before it (another worker's included); a write would catch up anyway
      if (readYourWrites) await engine.refresh();
      const result: unknown = await engine.apply(route.operation, input, { actor });
      let body = result;
      if (isObject(result) && typeof result['etag'] === 'string') {
        // the etag travels in the ETag header, as the seeds show it
        reply.header('etag', result['etag']);
        const { etag: _etag, ...rest } = result;
        body = rest;
      }
      if (status === 204 || route.method === 'HEAD') return reply.code(status).send();
      return reply.code(status).send(body ?? {});
    },
  });
}
