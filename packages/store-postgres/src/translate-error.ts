import { StoreError, ValidationError } from '@portcullis/engine';

/** Node socket errors that mean the server is not there (now): a caller may retry later. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** What `pg` says, without a code, when a connection went away or never came. */
const DROPPED = /connection terminated|terminating connection|not queryable|timeout exceeded when trying to connect|connection error|server closed the connection/i;

/** Maps a `pg` or socket failure to a StoreError naming what failed; passes our own errors through. */
export function translateError(e: unknown, what: string): StoreError | ValidationError {
  if (e instanceof StoreError || e instanceof ValidationError) return e;
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  const say = (c: ConstructorParameters<typeof StoreError>[0], text: string) => new StoreError(c, `${what}: ${text}`, { cause: e });
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return say('unavailable', `the server cannot be reached: ${message}`);
    // SQLSTATE class 08 (connection exception), 57P01-03 (shut down, crashed, starting up)
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')
      return say('unavailable', `the server went away: ${message}`);
    // too many connections, out of resources; a database not accepting connections (ALLOW_CONNECTIONS false)
    if (code.startsWith('53') || (code === '55000' && /not currently accepting connections/i.test(message)))
      return say('unavailable', `the server refuses connections: ${message}`);
    // serialization failure, deadlock, lock not available: nothing was written, try again
    if (code === '40001' || code === '40P01' || code === '55P03') return say('busy', message);
    if (code === '42501' || code === '25006') return say('read_only', `not writable: ${message}`);
    // a NUL character or an invalid byte sequence: PostgreSQL text cannot hold it
    if (code === '22021' || code === '22P05' || code === '22P02')
      return new ValidationError('invalid_input', [{ path: [], message: `${what}: a value PostgreSQL cannot store: ${message}` }]);
  }
  if (DROPPED.test(message)) return say('unavailable', `the server went away: ${message}`);
  return say('io_error', message);
}
