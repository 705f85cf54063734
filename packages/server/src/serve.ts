// `portcullis serve` / `portcullis-serve`: one command that opens the store (embedded SQLite by default, a
// PostgreSQL URL once @portcullis/store-postgres is installed), builds the engine, optionally seeds an empty store,
// wires the authenticators and listens. The caller owns the process: serve-main.ts adds signals and exit codes.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  bootstrapAccount,
  createEngineFromStore,
  parseSource,
  ValidationError,
  type Change,
  type Engine,
  type Store,
} from '@portcullis/engine';
import { ENTITY_FIELDS, ENTITY_NAMES } from '@portcullis/engine/store-kit';
import { duplicateKey, jsonSyntaxMessage } from '@portcullis/engine/internals';
import type { FastifyInstance } from 'fastify';
import { chainAuthenticators, type Authenticator } from './authenticator.js';
import { createServer } from './create-server.js';
import { createJwtAuthenticator } from './jwt-authenticator.js';
import { loadStaticTokenFile } from './static-token-authenticator.js';

/** What `serve` takes; parseServeArgs builds it from the command line. */
export interface ServeOptions {
  /** A SQLite file path (default `portcullis.db`) or a `postgres://` URL. */
  db: string;
  /** The PostgreSQL schema of the store (default the store's own, `portcullis`). */
  pgSchema?: string;
  port: number;
  host: string;
  /** A static token file (see tokenFileSchema). */
  tokens?: string;
  /** An SPKI PEM public key file for JWTs. */
  jwtKey?: string;
  jwksUrl?: string;
  jwtIssuer?: string;
  jwtAudience?: string;
  jwtAccountClaim?: string;
  /** A source file loaded into the store when it is empty. */
  source?: string;
  /** A file with one bootstrapAccount input or a list; each runs as the system actor unless its account exists. */
  bootstrap?: string;
  baseUrl?: string;
  bodyLimit?: number;
  /** Who may ask the AuthZEN endpoints (see createServer). Default `system`. */
  authzenCallers?: 'system' | 'authenticated' | 'anyone';
  /** pino level; `silent` logs nothing. Default `info`. */
  logLevel: string;
  /**
   * Server processes (node:cluster workers) sharing the port, each with its own engine following the store.
   * Default 1 (one process, no cluster); `auto` on the command line is os.availableParallelism(). Only the command
   * (serveMain) starts workers; `serve()` itself always runs the one process it is called in.
   */
  workers?: number;
}

/** A listening server. */
export interface RunningServer {
  url: string;
  engine: Engine;
  app: FastifyInstance;
  /** Stops accepting, lets in-flight requests finish, closes the store. */
  close(): Promise<void>;
}

const USAGE = `usage: portcullis serve [--db <file.db | postgres://…>] [--pg-schema <name>] [--port 8080] [--host 127.0.0.1]
                       [--tokens <tokens.json>] [--jwt-key <public.pem> | --jwks-url <url> with --jwt-audience <aud>]
                       [--jwt-issuer <iss>] [--jwt-account-claim account_id]
                       [--source <source.json>] [--bootstrap <bootstrap.json>] [--base-url <url>]
                       [--body-limit <bytes>] [--log-level info|warn|error|silent]
                       [--authzen-callers system|authenticated|anyone] [--workers <n> | auto]`;

const FLAGS: Record<string, keyof ServeOptions> = {
  '--db': 'db',
  '--pg-schema': 'pgSchema',
  '--port': 'port',
  '--host': 'host',
  '--tokens': 'tokens',
  '--jwt-key': 'jwtKey',
  '--jwks-url': 'jwksUrl',
  '--jwt-issuer': 'jwtIssuer',
  '--jwt-audience': 'jwtAudience',
  '--jwt-account-claim': 'jwtAccountClaim',
  '--source': 'source',
  '--bootstrap': 'bootstrap',
  '--base-url': 'baseUrl',
  '--body-limit': 'bodyLimit',
  '--log-level': 'logLevel',
  '--authzen-callers': 'authzenCallers',
  '--workers': 'workers',
};

/** Parses the command line; bad usage throws ValidationError `invalid_options` listing every problem. */
export function parseServeArgs(argv: readonly string[]): ServeOptions {
  const out: ServeOptions = { db: 'portcullis.db', port: 8080, host: '127.0.0.1', logLevel: 'info' };
  const issues: { path: string[]; message: string }[] = [];
  // every flag takes one value: given twice it is a usage error, not its last value (`--tokens a --tokens b`)
  const seen = new Set<keyof ServeOptions>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--help' || flag === '-h') throw new ValidationError('invalid_options', [{ path: [], message: USAGE }], USAGE);
    const key = FLAGS[flag];
    const value = argv[i + 1];
    if (key === undefined) {
      issues.push({ path: [flag], message: 'unknown option' });
      continue;
    }
    if (value === undefined || value.startsWith('--')) {
      issues.push({ path: [flag], message: 'needs a value' });
      continue;
    }
    i++;
    if (seen.has(key)) {
      issues.push({ path: [flag], message: 'is given more than once' });
      continue;
    }
    seen.add(key);
    if (key === 'workers') {
      const n = value === 'auto' ? availableParallelism() : Number(value);
      if (!Number.isInteger(n) || n < 1 || n > 256) issues.push({ path: [flag], message: 'an integer 1..256, or auto' });
      else out.workers = n;
    } else if (key === 'port' || key === 'bodyLimit') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < (key === 'port' ? 0 : 1) || (key === 'port' && n > 65535)) issues.push({ path: [flag], message: 'must be an integer in range' });
      else out[key] = n;
    } else (out as unknown as Record<string, string>)[key] = value;
  }
  if (out.jwtKey !== undefined && out.jwksUrl !== undefined) issues.push({ path: ['--jwt-key'], message: 'give --jwt-key or --jwks-url, not both' });
  if ((out.jwtKey !== undefined || out.jwksUrl !== undefined) && out.jwtAudience === undefined)
    issues.push({ path: ['--jwt-audience'], message: 'is required with --jwt-key or --jwks-url: a token the identity provider issued for another service must not act here' });
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(out.logLevel)) issues.push({ path: ['--log-level'], message: 'unknown level' });
  if (out.authzenCallers !== undefined && !['system', 'authenticated', 'anyone'].includes(out.authzenCallers))
    issues.push({ path: ['--authzen-callers'], message: 'one of system, authenticated, anyone' });
  if (issues.length > 0) throw new ValidationError('invalid_options', issues, `invalid options: ${issues.map((i) => `${i.path.join(' ')}: ${i.message}`).join('; ')}\n${USAGE}`);
  return out;
}

async function openStore(db: string, pgSchema: string | undefined): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(db)) {
    // INVARIANT: the PostgreSQL store is optional; its name is a variable so the build does not require it
    const name = '@portcullis/store-postgres';
    let mod: { openPostgresStore?: (options: { url: string; schema?: string }) => Store | Promise<Store> };
    try {
      mod = (await import(name)) as typeof mod;
    } catch {
      throw new ValidationError('invalid_options', [{ path: ['--db'], message: 'a postgres:// URL needs @portcullis/store-postgres installed' }]);
    }
    if (typeof mod.openPostgresStore !== 'function') throw new ValidationError('invalid_options', [{ path: ['--db'], message: '@portcullis/store-postgres has no openPostgresStore' }]);
    return await mod.openPostgresStore(pgSchema === undefined ? { url: db } : { url: db, schema: pgSchema });
  }
  const { openSqliteStore } = await import('@portcullis/store-sqlite');
  return openSqliteStore(db);
}

function readJson(path: string, flag: string): unknown {
  let text: string;
  let value: unknown;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ValidationError('invalid_options', [{ path: [flag], message: `cannot read \`${path}\`: ${(e as Error).message}` }]);
  }
  try {
    value = JSON.parse(text);
  } catch (e) {
    // the message names the error and its place, never the text around it (a secret in the file stays out of logs)
    throw new ValidationError('invalid_options', [{ path: [flag], message: `\`${path}\` is not JSON: ${jsonSyntaxMessage(text, e)}` }]);
  }
  // a source or bootstrap file that writes a key twice means the last to JSON.parse and the first to its reader
  const twice = duplicateKey(text);
  if (twice !== undefined) throw new ValidationError('invalid_options', [{ path: [flag, ...twice.path], message: `\`${path}\`: key \`${twice.key}\` is written twice` }]);
  return value;
}

/** Seeds an empty store with a whole source, as one commit. */
async function loadSource(engine: Engine, path: string): Promise<void> {
  if (engine.revision !== 0) return;
  const source = parseSource(readJson(path, '--source'));
  const changes: Change[] = [];
  for (const entity of ENTITY_NAMES) for (const value of source[ENTITY_FIELDS[entity]] as unknown[]) changes.push({ op: 'put', entity, value } as Change);
  await engine.commit(changes);
}

function authenticatorsOf(options: ServeOptions): Authenticator[] {
  const authenticators: Authenticator[] = [];
  if (options.tokens !== undefined) authenticators.push(loadStaticTokenFile(options.tokens));
  if (options.jwtKey !== undefined || options.jwksUrl !== undefined) {
    const jwt = {
      ...(options.jwtKey !== undefined ? { publicKeyPem: readFileSync(options.jwtKey, 'utf8') } : {}),
      ...(options.jwksUrl !== undefined ? { jwksUrl: options.jwksUrl } : {}),
      ...(options.jwtIssuer !== undefined ? { issuer: options.jwtIssuer } : {}),
      // required: createJwtAuthenticator refuses a missing one (a ServeOptions built in code skips the flag check)
      audience: options.jwtAudience ?? '',
      ...(options.jwtAccountClaim !== undefined ? { accountClaim: options.jwtAccountClaim } : {}),
    };
    authenticators.push(createJwtAuthenticator(jwt));
  }
  if (options.pgSchema !== undefined && !/^postgres(ql)?:\/\//.test(options.db))
    throw new ValidationError('invalid_options', [{ path: ['--pg-schema'], message: 'only with a postgres:// --db' }]);
  return authenticators;
}

/** Loads `--source` into an empty store and runs `--bootstrap`, over the engine given. */
async function seed(engine: Engine, options: ServeOptions): Promise<void> {
  if (options.source !== undefined) await loadSource(engine, options.source);
  if (options.bootstrap !== undefined) {
    const raw = readJson(options.bootstrap, '--bootstrap');
    for (const input of Array.isArray(raw) ? raw : [raw]) {
      const accountId = (input as { accountId?: unknown })?.accountId;
      if (typeof accountId === 'string' && engine.source.accounts.some((a) => a.id === accountId)) continue;
      await engine.apply(bootstrapAccount, input as never, { actor: { kind: 'system' } });
    }
  }
}

/**
 * What the primary of a cluster does before it starts its workers: checks the options (the authenticators' files
 * included, so a bad start is one line and exit 2, not N), then seeds the store once (`--source`, `--bootstrap`) and
 * closes it. The workers then start on a seeded store and never seed it themselves.
 */
export async function prepareStore(options: ServeOptions): Promise<void> {
  authenticatorsOf(options);
  if (options.source === undefined && options.bootstrap === undefined) return;
  const store = await openStore(options.db, options.pgSchema);
  let engine: Engine | undefined;
  try {
    engine = await createEngineFromStore(store, { follow: false });
    await seed(engine, options);
  } finally {
    if (engine !== undefined) await engine.close().catch(() => undefined);
    else await store.close().catch(() => undefined);
  }
}

/** What a cluster worker adds to `serve`: the rest of the cluster's readiness, and no seeding. */
export interface WorkerHooks {
  /** True while every other worker is ready too (the primary says so). */
  clusterReady: () => boolean;
}

/** Opens the store, builds the engine and the server, and listens. */
export async function serve(options: ServeOptions, worker?: WorkerHooks): Promise<RunningServer> {
  const authenticators = authenticatorsOf(options);
  const store = await openStore(options.db, options.pgSchema);
  let app: FastifyInstance | undefined;
  try {
    const engine = await createEngineFromStore(store);
    if (worker === undefined) await seed(engine, options);
    app = await createServer({
      engine,
      ...(authenticators.length > 0 ? { authenticator: chainAuthenticators(...authenticators) } : {}),
      ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
      ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
      ...(options.authzenCallers !== undefined ? { authzenCallers: options.authzenCallers } : {}),
      ...(worker !== undefined ? { ready: worker.clusterReady } : {}),
      logger: options.logLevel === 'silent' ? false : { level: options.logLevel },
    });
    const url = await app.listen({ port: options.port, host: options.host });
    const running = app;
    return {
      url,
      engine,
      app: running,
      async close() {
        await running.close();
        await engine.flushUsage().catch(() => 0);
        // the engine stops following, waits for its writes in flight and closes the store
        await engine.close();
      },
    };
  } catch (e) {
    await app?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw e;
  }
}
