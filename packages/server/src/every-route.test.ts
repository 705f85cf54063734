// Every management route, read from the route tables, gets bad input and answers in its API's own error body
// without writing: an unknown query parameter, an unknown body field, a body that is not JSON, a body where the
// endpoint takes none, a forged token. The tables are data, so a route added later is covered by this file too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '@portcullis/engine';
import type { FastifyInstance } from 'fastify';
import { createServer } from './create-server.js';
import type { ManagementRoute } from './route-table.js';
import { BLUEXP_ROUTES } from './routes-bluexp.js';
import { CLOUDFLARE_ROUTES } from './routes-cloudflare.js';
import { IBM_ROUTES } from './routes-ibm.js';
import { createStaticTokenAuthenticator } from './static-token-authenticator.js';

const TOKEN = 'system-token-0123456789abcdef';
const PEP = 'pep-token-0123456789abcdef';
let app: FastifyInstance;
let base: string;
let engine: ReturnType<typeof createEngine>;

beforeAll(async () => {
  engine = createEngine({});
  app = await createServer({ engine, authenticator: createStaticTokenAuthenticator([
      { token: TOKEN, actor: { kind: 'system' } },
      { token: PEP, actor: { kind: 'pep' } },
    ]) });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
});

/** The family's error body, checked by shape. */
function expectFamilyBody(route: ManagementRoute, status: number, text: string): void {
  if (route.method === 'HEAD') return;
  const b = JSON.parse(text);
  if (route.family === 'ibm') {
    expect(b.status_code).toBe(status);
    expect(typeof b.errors[0].code).toBe('string');
    expect(typeof b.trace).toBe('string');
  } else if (route.family === 'cloudflare') {
    expect(b.success).toBe(false);
    expect(b.result).toBeNull();
    expect(typeof b.errors[0].message).toBe('string');
  } else {
    expect(typeof b.error.code).toBe('string');
    expect(b.status).toBe(status);
  }
}

async function send(route: ManagementRoute, query: string, body: string | undefined, contentType: string, token = TOKEN) {
  const path = route.url.replace(/:([a-z_]+)/g, (_m, name: string) => `${name}-1`);
  const res = await fetch(`${base}${path}${query}`, {
    method: route.method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
  // every response, error or not, names its request
  expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  return { status: res.status, text: await res.text() };
}

describe('every management route refuses bad input in its own error body and writes nothing', () => {
  const routes = [...IBM_ROUTES, ...CLOUDFLARE_ROUTES, ...BLUEXP_ROUTES];
  const takesBody = (r: ManagementRoute) => r.method !== 'GET' && r.method !== 'HEAD';

  it('covers the three route tables', () => {
    expect(routes.length).toBeGreaterThan(90);
  });

  for (const route of routes) {
    it(`${route.method} ${route.url}`, async () => {
      const before = engine.revision;
      const unknownQuery = await send(route, '?surprise=1', undefined, 'application/json');
      expect(unknownQuery.status).toBe(400);
      expectFamilyBody(route, 400, unknownQuery.text);

      const forged = await send(route, '', undefined, 'application/json', 'forged-token-0123456789');
      expect(forged.status).toBe(401);
      expectFamilyBody(route, 401, forged.text);

      if (takesBody(route)) {
        if (route.body !== undefined) {
          const unknownField = await send(route, '', JSON.stringify({ surprise: 1 }), 'application/json');
          expect(unknownField.status).toBe(400);
          expectFamilyBody(route, 400, unknownField.text);
          const notAnObject = await send(route, '', '[1, 2, 3]', 'application/json');
          expect(notAnObject.status).toBe(400);
          expectFamilyBody(route, 400, notAnObject.text);
        } else {
          const unexpected = await send(route, '', JSON.stringify({ surprise: 1 }), 'application/json');
          expect(unexpected.status).toBe(400);
          expectFamilyBody(route, 400, unexpected.text);
        }
        const malformed = await send(route, '', '{"name": ', 'application/json');
        expect(malformed.status).toBe(400);
        expectFamilyBody(route, 400, malformed.text);
        const notJson = await send(route, '', 'name=x', 'application/x-www-form-urlencoded');
        expect(notJson.status).toBe(415);
        expectFamilyBody(route, 415, notJson.text);
      }
      expect(engine.revision).toBe(before);
    });
  }
});

// A PEP's token asks for decisions (AuthZEN) and nothing else: a system token would run every operation unguarded.
describe('a PEP token is refused by every management route, in its API’s own 403, and writes nothing', () => {
  const routes = [...IBM_ROUTES, ...CLOUDFLARE_ROUTES, ...BLUEXP_ROUTES];
  for (const route of routes) {
    it(`${route.method} ${route.url}`, async () => {
      const before = engine.revision;
      const body = route.method === 'GET' || route.method === 'HEAD' || route.body === undefined ? undefined : JSON.stringify({});
      const res = await send(route, '', body, 'application/json', PEP);
      expect(res.status).toBe(403);
      expectFamilyBody(route, 403, res.text);
      // Cloudflare's error body carries a number, not the seed's code string
      if (route.method !== 'HEAD' && route.family !== 'cloudflare') {
        const code = route.operation.operation.codes.forbidden.code;
        expect(res.text).toContain(code);
      }
      expect(engine.revision).toBe(before);
    });
  }

  it('and the same token is answered by the AuthZEN evaluation endpoint', async () => {
    const res = await fetch(`${base}/access/v1/evaluation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${PEP}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: { type: 'user', id: 'u' }, action: { name: 'read' }, resource: { type: 'doc', id: 'd' } }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ decision: false });
  });
});
