import { it } from 'vitest';
import { bootstrapAccount } from '@portcullis/engine';
import { BLUEXP_ROUTES, CLOUDFLARE_ROUTES, createServer, createStaticTokenAuthenticator, IBM_ROUTES } from '@portcullis/server';
import { engine, SYSTEM, snapshot } from './helpers/access.js';
import { apply } from './helpers/ibm-world.js';
const ACC = { ibm: ['acc-a', 'acc-b'], cloudflare: ['a'.repeat(32), 'b'.repeat(32)], bluexp: ['bx-a', 'bx-b'] } as const;
it('dup', async () => {
  const e = engine();
  for (const [system, [a, b]] of Object.entries(ACC)) for (const id of [a, b]) await apply(e, bootstrapAccount, { system, accountId: id, admin: { id: `admin-${id}`, email: `admin@${id}.example` } }, SYSTEM);
  const tokens = Object.entries(ACC).map(([system, a]) => ({ token: `token-${system}-0123456789abcdef`, actor: { kind: 'subject' as const, id: `admin-${a[0]}`, accountId: a[0] } }));
  const app = await createServer({ engine: e, authenticator: createStaticTokenAuthenticator(tokens) });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  for (const route of [...IBM_ROUTES, ...CLOUDFLARE_ROUTES, ...BLUEXP_ROUTES]) {
    const [a, b] = ACC[route.family];
    const path = route.url.replace(/:([a-z_]+)/g, (_m, n: string) => (n === 'account_id' ? a : `x-${n}`));
    for (const k of route.query ?? []) {
      for (const q of [`${k}=${a}&${k}=${b}`, `${k}=${b}&${k}=${a}`, `${k}[]=${a}`, `${k}[x]=${a}`]) {
        const read = route.method === 'GET' || route.method === 'HEAD';
        const before = JSON.stringify(snapshot(e));
        const res = await fetch(`${base}${path}?${q}`, { method: route.method, headers: { authorization: `Bearer token-${route.family}-0123456789abcdef`, ...(read ? {} : { 'content-type': 'application/json' }) }, ...(read ? {} : { body: '{}' }) });
        const t = await res.text();
        const wrote = JSON.stringify(snapshot(e)) !== before;
        if (res.status < 400 || res.status >= 500 || wrote) console.log(route.method, path, q, res.status, wrote, t.slice(0, 200));
      }
    }
  }
  await app.close();
});
