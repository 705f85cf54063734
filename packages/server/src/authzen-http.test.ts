// The AuthZEN endpoints over real HTTP on localhost: the certification scenario's cases and the specification's
// examples (the same JSON files the library test runs, including the transport cases only HTTP can send), the
// X-Request-ID echo, the 401 for a PEP without a token, the metadata document, bounded bodies, unknown paths.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '@portcullis/engine';
import type { FastifyInstance } from 'fastify';
import { createServer } from './create-server.js';
import { createStaticTokenAuthenticator } from './static-token-authenticator.js';

const dir = fileURLToPath(new URL('../../../test/authzen/', import.meta.url));
const json = (name: string) => JSON.parse(readFileSync(dir + name, 'utf8'));
const fixture = json('fixture-source.json').source;
const files = ['certification-cases.json', 'spec-examples.json'].map((f) => ({ f, cases: json(f).cases as any[] }));
const PATHS: Record<string, string> = {
  evaluation: '/access/v1/evaluation',
  evaluations: '/access/v1/evaluations',
  searchSubject: '/access/v1/search/subject',
  searchResource: '/access/v1/search/resource',
  searchAction: '/access/v1/search/action',
};
const TOKEN = 'pep-token-0123456789abcdef';
const USER_TOKEN = 'user-token-0123456789abcdef';

let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  const engine = createEngine({ source: fixture });
  app = await createServer({
    engine,
    authenticator: createStaticTokenAuthenticator([
      { token: TOKEN, actor: { kind: 'system' } },
      { token: USER_TOKEN, actor: { kind: 'subject', id: 'alice', accountId: 'acct-authzen' } },
    ]),
    bodyLimit: 64 * 1024,
    baseUrl: 'https://pdp.example.com',
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
});

async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(base + path, { method: 'POST', body, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers } });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').startsWith('application/json')) parsed = JSON.parse(text);
  return { status: res.status, body: parsed, headers: res.headers };
}

describe('AuthZEN over HTTP: certification scenario and specification examples', () => {
  for (const { f, cases } of files) {
    for (const c of cases) {
      it(`${f.replace('.json', '')}: ${c.id ? c.id + ' ' : ''}${c.title}`, async () => {
        const call = async (endpoint: string, body: unknown) => {
          const r = await post(PATHS[endpoint]!, c.raw !== undefined && body === c.request ? c.raw : JSON.stringify(body), c.contentType ? { 'content-type': c.contentType } : {});
          if (r.status === 200) expect(r.headers.get('content-type')).toMatch(/^application\/json/);
          return r;
        };
        const r = await call(c.endpoint, c.request);
        expect(r.status).toBe(c.status);
        if (c.status !== 200) {
          // AuthZEN's error body is a message string
          expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
          return;
        }
        if (c.decision !== undefined) expect(r.body.decision).toBe(c.decision);
        if (c.decisions !== undefined) expect(r.body.evaluations.map((d: any) => d.decision)).toEqual(c.decisions);
        if (c.response !== undefined) expect(r.body).toMatchObject(c.response);
        if (c.results !== undefined) expect(r.body.results).toEqual(c.results);
        for (const x of c.includes ?? []) expect(r.body.results).toContainEqual(x);
        for (const x of c.excludes ?? []) expect(r.body.results).not.toContainEqual(x);
        if (c.nextPage !== undefined || c.nextResponse !== undefined) {
          const next = await call(c.endpoint, { ...c.request, page: { ...c.request.page, token: r.body.page.next_token } });
          expect(next.status).toBe(200);
          if (c.nextPage !== undefined) expect(next.body.results).toEqual(c.nextPage);
          if (c.nextResponse !== undefined) expect(next.body).toMatchObject(c.nextResponse);
        }
      });
    }
  }
});

describe('AuthZEN transport', () => {
  const ok = JSON.stringify({ subject: { type: 'user', id: 'alice' }, action: { name: 'read' }, resource: { type: 'record', id: 'record-1' } });

  it('echoes X-Request-ID, and makes one when none is sent', async () => {
    const r = await post(PATHS['evaluation']!, ok, { 'x-request-id': 'bfe9eb29-ab87-4ca3-be83-a1d5d8305716' });
    expect(r.headers.get('x-request-id')).toBe('bfe9eb29-ab87-4ca3-be83-a1d5d8305716');
    const s = await post(PATHS['evaluation']!, ok);
    expect(s.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // on every kind of response: a decision, a batch, a search, each error, the probes, the metadata, no route
    const responses = [
      await post(PATHS['evaluations']!, JSON.stringify({ ...JSON.parse(ok), evaluations: [{}] })),
      await post(PATHS['searchAction']!, JSON.stringify({ subject: { type: 'user', id: 'alice' }, resource: { type: 'record', id: 'record-1' } })),
      await post(PATHS['evaluation']!, '{"subject": '),
      await post(PATHS['evaluation']!, ok, { 'content-type': 'text/plain' }),
      await post(PATHS['evaluation']!, ok, { authorization: 'Bearer not-a-known-token' }),
      await post(PATHS['evaluation']!, ok, { authorization: `Bearer ${USER_TOKEN}` }),
      await post('/access/v1/nowhere', ok),
    ];
    for (const path of ['/healthz', '/readyz', '/.well-known/authzen-configuration', '/nowhere']) responses.push(await fetch(base + path));
    for (const r of responses) expect([r.status, r.headers.get('x-request-id')]).toEqual([r.status, expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([200, 400, 401, 403, 404]));
  });

  it('a PEP without a token or with a forged one is 401, a user token 403; the decision is never an HTTP error', async () => {
    for (const auth of [undefined, 'Bearer not-a-known-token', 'Basic YWxpY2U6c2VjcmV0']) {
      const res = await fetch(base + PATHS['evaluation']!, { method: 'POST', body: ok, headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) } });
      expect(res.status).toBe(401);
    }
    // a subject's token may not read decisions about anyone (authzenCallers defaults to the system actor)
    expect((await post(PATHS['evaluation']!, ok, { authorization: `Bearer ${USER_TOKEN}` })).status).toBe(403);
    expect((await post(PATHS['searchSubject']!, JSON.stringify({ subject: { type: 'user' }, action: { name: 'read' }, resource: { type: 'record', id: 'record-1' } }), { authorization: `Bearer ${USER_TOKEN}` })).status).toBe(403);
    const denied = await post(PATHS['evaluation']!, JSON.stringify({ subject: { type: 'user', id: 'bob' }, action: { name: 'write' }, resource: { type: 'record', id: 'record-1' } }));
    expect(denied.status).toBe(200);
    expect(denied.body.decision).toBe(false);
  });

  it('serves the metadata document at the well-known path', async () => {
    const res = await fetch(base + '/.well-known/authzen-configuration');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const m = await res.json();
    expect(m.policy_decision_point).toBe('https://pdp.example.com');
    expect(m.access_evaluations_endpoint).toBe('https://pdp.example.com/access/v1/evaluations');
    expect(m.search_action_endpoint).toBe('https://pdp.example.com/access/v1/search/action');
  });

  it('an oversized body is 413 and an unknown path 404, before any decision', async () => {
    const big = JSON.stringify({ subject: { type: 'user', id: 'alice', properties: { pad: 'x'.repeat(70 * 1024) } }, action: { name: 'read' }, resource: { type: 'record', id: 'record-1' } });
    expect((await post(PATHS['evaluation']!, big)).status).toBe(413);
    expect((await post('/access/v1/evaluationz', ok)).status).toBe(404);
    // a `__proto__` or `constructor` key, spelled out or with \\u escapes, anywhere in the body, is a 400: the lean
    // JSON path hands such bodies to fastify's secure parser
    const good = JSON.parse(ok) as Record<string, Record<string, unknown>>;
    for (const key of ['__proto__', '\\u005f_proto__', '\\u005F\\u005Fproto\\u005f\\u005f', 'constructor', 'c\\u006fnstructor']) {
      const nested = JSON.stringify({ ...good, resource: { ...good['resource'], properties: { x: 1 } } }).replace('"x":1', `"${key}":{"prototype":{"polluted":true}}`);
      for (const body of [`{"${key}": {"prototype": {"polluted": true}}, "subject": {}}`, nested]) {
        const r = await post(PATHS['evaluation']!, body);
        expect([body, r.status]).toEqual([body, 400]);
      }
    }
    expect((await post(PATHS['evaluation']!, '{"subject": ')).status).toBe(400);
    expect((await post(PATHS['evaluation']!, '')).status).toBe(400);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('a batch over the limit is a 400', async () => {
    const evaluations = Array.from({ length: 1001 }, () => ({ resource: { type: 'record', id: 'record-1' } }));
    const r = await post(PATHS['evaluations']!, JSON.stringify({ subject: { type: 'user', id: 'alice' }, action: { name: 'read' }, evaluations }));
    expect(r.status).toBe(400);
  });

  it('health and readiness answer without a token', async () => {
    expect((await fetch(base + '/healthz')).status).toBe(200);
    const r = await fetch(base + '/readyz');
    expect(r.status).toBe(200);
    expect((await r.json()).status).toBe('ready');
  });
});
