// Issue 12, red team (eleventh round), over HTTP: a real server on localhost, requests written byte by byte on a
// socket (fetch joins a header given twice into one line, so it cannot send what a hostile client sends). "hole: …"
// tests failed on the code they were found on and pass since the fix named beside them; "refused: …" tests are
// attacks that failed, kept as regression tests. Outside test/access-control*: the mutation run loads no server.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bootstrapAccount, type Engine } from '@portcullis/engine';
import { createServer, createStaticTokenAuthenticator } from '@portcullis/server';
import { closeAfterEach, engine, snapshot, SYSTEM } from './helpers/access.js';
import { apply } from './helpers/ibm-world.js';

const closers = closeAfterEach();
const PEP = 'token-pep-0123456789abcdef';
const ADMIN = 'token-admin-0123456789abcdef';
const PLAIN = 'token-plain-0123456789abcdef';

/** IBM account `acc`: `IBMid-admin` administers it, `IBMid-plain` holds nothing. */
async function world(): Promise<{ e: Engine; port: number }> {
  const e = engine();
  await apply(e, bootstrapAccount, { system: 'ibm', accountId: 'acc', admin: { id: 'IBMid-admin', email: 'admin@acc.example' } }, SYSTEM);
  await e.commit([{ op: 'put', entity: 'principal', value: { id: 'IBMid-plain', accountId: 'acc', kind: 'user', status: 'active' } }]);
  const app = await createServer({
    engine: e,
    authenticator: createStaticTokenAuthenticator([
      { token: PEP, actor: { kind: 'pep' } },
      { token: ADMIN, actor: { kind: 'subject', id: 'IBMid-admin', accountId: 'acc' } },
      { token: PLAIN, actor: { kind: 'subject', id: 'IBMid-plain', accountId: 'acc' } },
    ]),
  });
  closers.push(() => app.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { e, port: (app.server.address() as { port: number }).port };
}

/** One HTTP/1.1 request with exactly the header lines given, answered with its status and JSON body. */
function raw(port: number, method: string, path: string, headers: [string, string][], body = ''): Promise<{ status: number; body: Record<string, unknown> }> {
  const lines = [`${method} ${path} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close', ...headers.map(([k, v]) => `${k}: ${v}`)];
  if (body !== '' && !headers.some(([k]) => k.toLowerCase() === 'content-type')) lines.push('content-type: application/json');
  if (body !== '') lines.push(`content-length: ${Buffer.byteLength(body)}`);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect(port, '127.0.0.1', () => s.end(`${lines.join('\r\n')}\r\n\r\n${body}`));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', reject);
    s.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
      const payload = text.slice(text.indexOf('\r\n\r\n') + 4);
      // chunked or not, the JSON body is the one object in the payload
      const json = /\{[\s\S]*\}/.exec(payload)?.[0];
      resolve({ status, body: json === undefined ? {} : (JSON.parse(json) as Record<string, unknown>) });
    });
  });
}

const bearer = (t: string): [string, string] => ['authorization', `Bearer ${t}`];

// Node keeps the first of two `Authorization` headers and drops the rest; a gateway, a WAF or an audit log before
// the server may read the last (or check each against its own rules). A gateway that lets a plain user's token
// through to read-only routes, or logs who acted by the last header, saw `IBMid-plain` while the server ran the
// request as the administrator named first: the write happened under the administrator's name. Like a JSON key
// written twice (round 9), a request that names its caller twice names no one. FIXED in server/create-server.ts
// actorOf: a request carrying `Authorization` more than once (any case, any values, the same token twice included)
// is a 401 in its API's error body, before any token is looked at or anything is read or written.
describe('a request names its caller once', () => {
  it('hole: two Authorization headers (the administrator, then a plain user) ran as the administrator', async () => {
    const { e, port } = await world();
    const before = snapshot(e);
    const body = JSON.stringify({ name: 'sneaky' });
    // each token alone: the administrator may create a group, the plain user may not
    expect((await raw(port, 'POST', '/v2/groups?account_id=acc', [bearer(PLAIN)], body)).status).toBe(403);
    expect(snapshot(e)).toEqual(before);
    const twice = await raw(port, 'POST', '/v2/groups?account_id=acc', [bearer(ADMIN), bearer(PLAIN)], body);
    expect(twice.status).toBe(401);
    expect(twice.body).toMatchObject({ errors: [{ code: 'invalid_access_token', message: 'the Authorization header is given more than once' }] });
    expect(snapshot(e)).toEqual(before);
    // whichever comes first, spelt in any case, and the same token twice
    for (const headers of [
      [bearer(PLAIN), bearer(ADMIN)],
      [bearer(ADMIN), ['Authorization', `Bearer ${ADMIN}`]],
      [bearer(ADMIN), ['AUTHORIZATION', 'Basic eDp5']],
    ] as [string, string][][]) {
      expect((await raw(port, 'POST', '/v2/groups?account_id=acc', headers, body)).status).toBe(401);
      expect((await raw(port, 'GET', '/v2/groups?account_id=acc', headers)).status).toBe(401);
    }
    expect(snapshot(e)).toEqual(before);
    // one header still acts
    expect((await raw(port, 'POST', '/v2/groups?account_id=acc', [bearer(ADMIN)], body)).status).toBe(201);
  });

  it('hole: an AuthZEN request with a PEP token and a second Authorization header was answered', async () => {
    const { port } = await world();
    const ask = JSON.stringify({
      subject: { type: 'user', id: 'IBMid-admin', properties: { accountId: 'acc' } },
      action: { name: 'iam-groups.groups.create' },
      resource: { type: 'group', id: 'g', properties: { accountId: 'acc', serviceName: 'iam-groups' } },
      context: { time: '2026-01-02T03:04:05Z' },
    });
    expect(await raw(port, 'POST', '/access/v1/evaluation', [bearer(PEP)], ask)).toMatchObject({ status: 200, body: { decision: true } });
    expect((await raw(port, 'POST', '/access/v1/evaluation', [bearer(PEP), bearer(PLAIN)], ask)).status).toBe(401);
    expect((await raw(port, 'POST', '/access/v1/evaluation', [bearer(PLAIN), bearer(PEP)], ask)).status).toBe(401);
  });
});

// The same holds for the other headers node keeps one of and the server reads. The AuthZEN metadata, without
// `baseUrl`, is built from `Host`: two Host headers (RFC 9112 §3.2: a 400) published the first, a Host that is no
// authority (`evil.example/x?`, `a"b`) published endpoints that are no URLs, and nothing told a cache that the
// document depends on Host, so one request could poison what every PEP behind a shared cache discovers. A body sent
// with two Content-Types was parsed as JSON by the first while a gateway may have judged it by the last
// (`text/plain`: not inspected). FIXED in server/create-server.ts: the metadata built from Host answers `Vary: Host`
// and refuses a Host sent twice or that is not `host[:port]` (400); a body with Content-Type twice is a 400.
describe('a request says each thing once', () => {
  it('hole: the AuthZEN metadata published two Host headers’ first, a Host that is no authority, and no Vary', async () => {
    const { port } = await world();
    const get = (headers: [string, string][]) => raw(port, 'GET', '/.well-known/authzen-configuration', headers);
    const one = await get([]);
    expect(one).toMatchObject({ status: 200, body: { policy_decision_point: 'http://127.0.0.1' } });
    const lines = (h: [string, string][]) =>
      new Promise<string>((resolve) => {
        const chunks: Buffer[] = [];
        const s = connect(port, '127.0.0.1', () => s.end(`GET /.well-known/authzen-configuration HTTP/1.1\r\nconnection: close\r\n${h.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`));
        s.on('data', (c: Buffer) => chunks.push(c));
        s.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      });
    expect((await lines([['host', 'pdp.example.com:8443']])).toLowerCase()).toContain('\r\nvary: host\r\n');
    for (const hosts of [[['host', 'evil.example'], ['Host', 'pdp.example.com']], [['host', 'evil.example/x?']], [['host', 'a"b']], [['host', 'a@b']]] as [string, string][][]) {
      const text = await lines(hosts);
      expect(text.slice(0, 12)).toBe('HTTP/1.1 400');
      expect(text).not.toContain('evil.example');
    }
  });

  it('hole: a JSON body sent with a second Content-Type (text/plain) was parsed and decided', async () => {
    const { e, port } = await world();
    const ask = JSON.stringify({
      subject: { type: 'user', id: 'IBMid-admin', properties: { accountId: 'acc' } },
      action: { name: 'iam-groups.groups.create' },
      resource: { type: 'group', id: 'g', properties: { accountId: 'acc', serviceName: 'iam-groups' } },
      context: { time: '2026-01-02T03:04:05Z' },
    });
    const json: [string, string] = ['content-type', 'application/json'];
    const text: [string, string] = ['content-type', 'text/plain'];
    expect((await raw(port, 'POST', '/access/v1/evaluation', [bearer(PEP), json], ask)).status).toBe(200);
    expect((await raw(port, 'POST', '/access/v1/evaluation', [bearer(PEP), json, text], ask)).status).toBe(400);
    expect((await raw(port, 'POST', '/access/v1/evaluation', [bearer(PEP), json, json], ask)).status).toBe(400);
    const before = snapshot(e);
    expect((await raw(port, 'POST', '/v2/groups?account_id=acc', [bearer(ADMIN), json, text], JSON.stringify({ name: 'g' }))).status).toBe(400);
    expect(snapshot(e)).toEqual(before);
    // text/plain first was refused already (node keeps the first: 415), and still is
    expect((await raw(port, 'POST', '/v2/groups?account_id=acc', [bearer(ADMIN), text, json], JSON.stringify({ name: 'g' }))).status).toBe(415);
    expect(snapshot(e)).toEqual(before);
  });
});
