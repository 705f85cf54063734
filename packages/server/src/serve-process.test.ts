// `portcullis-serve` as a real process: it starts with one command on an embedded SQLite file, answers health and
// readiness, writes one log line per request, and on SIGTERM finishes, closes the store and exits 0; bad usage is
// one line and exit 2. JWTs are verified against a key file and against a JWKS served over localhost.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { createJwtAuthenticator } from './jwt-authenticator.js';
import { createStaticTokenAuthenticator } from './static-token-authenticator.js';
import { chainAuthenticators } from './authenticator.js';
import { parseServeArgs } from './serve.js';

const MAIN = fileURLToPath(new URL('../dist/serve-main.js', import.meta.url));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-serve-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the bin and resolves once it says where it listens. */
function start(args: string[]): Promise<{ child: ChildProcess; url: string; out: string[]; err: string[] }> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout!.on('data', (d) => out.push(...String(d).split('\n').filter(Boolean)));
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      err.push(...String(d).split('\n').filter(Boolean));
      const m = /listening on (http:\/\/\S+)/.exec(err.join('\n'));
      if (m) resolve({ child, url: m[1]!, out, err });
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err.join('\n')}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('portcullis-serve', () => {
  it('serves, logs one line per request, and shuts down cleanly on SIGTERM', async () => {
    const db = join(dir, 'a.db');
    const s = await start(['--db', db, '--port', '0', '--log-level', 'info']);
    const done = exited(s.child);
    try {
      expect((await fetch(s.url + '/healthz')).status).toBe(200);
      expect((await fetch(s.url + '/readyz')).status).toBe(200);
      expect((await fetch(s.url + '/v2/groups?account_id=x')).status).toBe(401);
    } finally {
      s.child.kill('SIGTERM');
    }
    expect(await done).toBe(0);
    expect(s.err.join('\n')).toMatch(/SIGTERM: closing[\s\S]*closed/);
    const requests = s.out.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    // each line names its request (the id the response's X-Request-ID carries)
    for (const l of requests) expect(l.reqId).toMatch(/^[0-9a-f-]{36}$/);
    expect(requests.map((l) => [l.method, l.status])).toEqual([
      ['GET', 200],
      ['GET', 200],
      ['GET', 401],
    ]);
  });

  it('seeds an empty store from --source once, and answers AuthZEN over it for a system token', async () => {
    const db = join(dir, 'seeded.db');
    const tokens = join(dir, 'pep-tokens.json');
    writeFileSync(tokens, JSON.stringify({ tokens: [{ token: 'pep-token-0123456789abcdef', actor: { kind: 'system' } }] }));
    const source = fileURLToPath(new URL('../../../test/authzen/fixture-source.json', import.meta.url));
    // the fixture file wraps its source; the server takes a bare source
    const bare = join(dir, 'fixture.json');
    writeFileSync(bare, JSON.stringify(JSON.parse(readFileSync(source, 'utf8')).source));
    for (let round = 0; round < 2; round++) {
      const s = await start(['--db', db, '--port', '0', '--log-level', 'silent', '--tokens', tokens, '--source', bare]);
      const done = exited(s.child);
      try {
        const res = await fetch(s.url + '/access/v1/evaluation', {
          method: 'POST',
          headers: { authorization: 'Bearer pep-token-0123456789abcdef', 'content-type': 'application/json' },
          body: JSON.stringify({ subject: { type: 'user', id: 'alice' }, action: { name: 'write' }, resource: { type: 'record', id: 'record-1' } }),
        });
        expect(res.status).toBe(200);
        expect((await res.json()).decision).toBe(true);
        const ready = await (await fetch(s.url + '/readyz')).json();
        // the first start seeds (revision 1) and writes the usage figures of alice's permit when it closes (2); the
        // second start finds the store seeded and loads nothing again
        expect(ready.revision).toBe(round === 0 ? 1 : 2);
      } finally {
        // a failed expectation must not leave the server running
        s.child.kill('SIGTERM');
      }
      expect(await done).toBe(0);
    }
  });

  it('bad usage is one line and exit 2', async () => {
    const child = spawn(process.execPath, [MAIN, '--port', 'eighty', '--frobnicate', 'x'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += String(d)));
    expect(await exited(child)).toBe(2);
    expect(err).toMatch(/^portcullis serve: invalid options/);
    expect(() => parseServeArgs(['--tokens'])).toThrow();
    expect(parseServeArgs(['--db', 'x.db', '--port', '9000'])).toMatchObject({ db: 'x.db', port: 9000, host: '127.0.0.1' });
    // --workers: a count, or `auto` for one per core; the default is one process (no cluster)
    expect(parseServeArgs([]).workers).toBeUndefined();
    expect(parseServeArgs(['--workers', '3']).workers).toBe(3);
    expect(parseServeArgs(['--workers', 'auto']).workers).toBe(availableParallelism());
    for (const bad of ['0', '-1', '1.5', 'many', '257']) expect(() => parseServeArgs(['--workers', bad])).toThrow(/--workers: an integer 1\.\.256, or auto/);
  });
});

describe('authenticators', () => {
  let jwks: Server;
  let jwksUrl: string;
  const keys = generateKeyPair('ES256');

  beforeAll(async () => {
    const { publicKey } = await keys;
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    jwks = createHttpServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    const a = jwks.address() as { port: number };
    jwksUrl = `http://127.0.0.1:${a.port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((r) => jwks.close(() => r())));

  async function token(claims: Record<string, unknown>, exp: string | number = '5m', kid = 'k1'): Promise<string> {
    const { privateKey } = await keys;
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).setIssuer('https://idp.example.com').setAudience('portcullis').setExpirationTime(exp).sign(privateKey);
  }

  it('a JWT signed by a key of the JWKS becomes its subject in its account; anything else is refused', async () => {
    const auth = createJwtAuthenticator({ jwksUrl, issuer: 'https://idp.example.com', audience: 'portcullis' });
    expect(await auth.authenticate(await token({ sub: 'IBMid-alice', account_id: 'acct-a' }))).toEqual({ kind: 'subject', id: 'IBMid-alice', accountId: 'acct-a' });
    expect(await auth.authenticate(await token({ sub: 'IBMid-alice' }))).toBeUndefined();
    expect(await auth.authenticate(await token({ sub: 'IBMid-alice', account_id: 'acct-a' }, Math.floor(Date.now() / 1000) - 3600))).toBeUndefined();
    const other = await generateKeyPair('ES256');
    const forged = await new SignJWT({ sub: 'IBMid-alice', account_id: 'acct-a' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer('https://idp.example.com').setAudience('portcullis').setExpirationTime('5m').sign(other.privateKey);
    expect(await auth.authenticate(forged)).toBeUndefined();
    const t = await token({ sub: 'IBMid-alice', account_id: 'acct-a' });
    expect(await auth.authenticate(t.slice(0, -2) + (t.endsWith('AA') ? 'BB' : 'AA'))).toBeUndefined();
    expect(await auth.authenticate('not.a.jwt')).toBeUndefined();
  });

  it('a JWT is verified against a PEM key, and the audience is enforced', async () => {
    const { publicKey } = await keys;
    const auth = createJwtAuthenticator({ publicKeyPem: await exportSPKI(publicKey), algorithms: ['ES256'], audience: 'portcullis' });
    expect(await auth.authenticate(await token({ sub: 'svc', account_id: 'acct-b' }))).toMatchObject({ id: 'svc' });
    const wrongAud = createJwtAuthenticator({ publicKeyPem: await exportSPKI(publicKey), algorithms: ['ES256'], audience: 'someone-else' });
    expect(await wrongAud.authenticate(await token({ sub: 'svc', account_id: 'acct-b' }))).toBeUndefined();
    expect(() => createJwtAuthenticator({ publicKeyPem: 'x', algorithms: ['HS256'] })).toThrow();
    expect(() => createJwtAuthenticator({})).toThrow();
    expect(() => createJwtAuthenticator({ jwksUrl: 'http://idp.example.com/jwks' })).toThrow();
  });

  it('a verified JWT answers synchronously from the cache until its exp, then is verified again (and refused)', async () => {
    const { publicKey } = await keys;
    let now = Date.now();
    const auth = createJwtAuthenticator({ publicKeyPem: await exportSPKI(publicKey), algorithms: ['ES256'], audience: 'portcullis', clock: () => now });
    const exp = Math.floor(now / 1000) + 60;
    const t = await token({ sub: 'svc', account_id: 'acct-b' }, exp);
    const first = auth.authenticate(t);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toMatchObject({ id: 'svc' });
    // cached: a plain value, no promise
    expect(auth.authenticate(t)).toEqual({ kind: 'subject', id: 'svc', accountId: 'acct-b' });
    // past exp the cache entry is dropped; jose (its own clock, with 30 s tolerance) still accepts it here, so the
    // answer is a promise again: verification ran
    now = exp * 1000 + 1;
    expect(auth.authenticate(t)).toBeInstanceOf(Promise);
    const stale = await token({ sub: 'svc', account_id: 'acct-b' }, Math.floor(Date.now() / 1000) - 3600);
    expect(await auth.authenticate(stale)).toBeUndefined();
  });

  it('a chain answers synchronously while the authenticators it asks do, and falls through in order', async () => {
    const sync = createStaticTokenAuthenticator([{ token: 'a-long-enough-token', actor: { kind: 'system' } }]);
    const slow = { authenticate: async (tk: string) => (tk === 'slow-token-0123456789' ? ({ kind: 'subject', id: 'u', accountId: 'a' } as const) : undefined) };
    const chain = chainAuthenticators(sync, slow);
    expect(chain.authenticate('a-long-enough-token')).toEqual({ kind: 'system' });
    const viaSlow = chain.authenticate('slow-token-0123456789');
    expect(viaSlow).toBeInstanceOf(Promise);
    expect(await viaSlow).toEqual({ kind: 'subject', id: 'u', accountId: 'a' });
    expect(await chain.authenticate('nobody-0123456789')).toBeUndefined();
    // an async one first: a later synchronous one is still asked once it says no
    const back = chainAuthenticators(slow, sync);
    expect(await back.authenticate('a-long-enough-token')).toEqual({ kind: 'system' });
    expect(await back.authenticate('slow-token-0123456789')).toMatchObject({ id: 'u' });
    expect(chainAuthenticators().authenticate('x')).toBeUndefined();
  });

  it('static tokens map to their actors; short tokens and unknown keys are refused at construction', async () => {
    const auth = createStaticTokenAuthenticator([{ token: 'a-long-enough-token', actor: { kind: 'system' } }]);
    expect(await auth.authenticate('a-long-enough-token')).toEqual({ kind: 'system' });
    expect(await auth.authenticate('a-long-enough-tokeN')).toBeUndefined();
    expect(() => createStaticTokenAuthenticator([{ token: 'short', actor: { kind: 'system' } }])).toThrow();
    expect(() => createStaticTokenAuthenticator([{ token: 'a-long-enough-token', actor: { kind: 'system', extra: 1 } }])).toThrow();
  });
});
