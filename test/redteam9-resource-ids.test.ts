// Issue 12, left by red team 9: BlueXP resource ids are one namespace over every organization (a decision's
// `resource.id` is made in the registered resource's account, SEMANTICS §0), and a caller chose them. An
// organization admin, in its own organization, told which ids other organizations hold (409 `resource_exists`
// against 201) and took an id first, so every decision about that id was made in its organization with its grants.
// FIXED in manage/bluexp/resources.ts registerResource: the engine assigns the id; only the host (`system`) names
// one, any other actor's `resourceId` is a 400 naming the field, refused before anything is read. "hole: …" tests
// failed on the code they were found on; "refused: …" are the attacks kept as regression tests.
import { describe, expect, it } from 'vitest';
import { bluexpOperations as bx, bootstrapAccount, type Engine, type RequestResource } from '@portcullis/engine';
import { createServer, createStaticTokenAuthenticator } from '@portcullis/server';
import { closeAfterEach, engine, refusal, snapshot, SYSTEM, who } from './helpers/access.js';
import { apply, may } from './helpers/ibm-world.js';

const closers = closeAfterEach();
const PEP = 'token-pep-0123456789abcdef';
const INTRUDER = 'token-intruder-0123456789abcdef';
const CONNECTOR = 'token-connector-0123456789abcdef';
const HOST = 'token-host-0123456789abcdef';

/**
 * Organizations `bx-a` (the victim: the host registered its volume `vol-secret`) and `bx-b` (the attacker: `admin-b`
 * is its organization admin, `ag-b` its agent).
 */
async function world(): Promise<Engine> {
  const e = engine();
  await apply(e, bootstrapAccount, { system: 'bluexp', accountId: 'bx-a', admin: { id: 'admin-a', email: 'admin@a.example' } }, SYSTEM);
  await apply(e, bootstrapAccount, { system: 'bluexp', accountId: 'bx-b', admin: { id: 'admin-b', email: 'admin@b.example' } }, SYSTEM);
  await apply(e, bx.createAccountResource, { account_id: 'bx-a', resourceId: 'vol-secret', resourceType: 'license', resourceClass: 'license' }, SYSTEM);
  await apply(e, bx.createAgent, { account_id: 'bx-b', id: 'ag-b', name: 'connector' }, who('admin-b', 'bx-b'));
  return e;
}

const accountResource = (id: string) => ({ account_id: 'bx-b', resourceId: id, resourceType: 'license', resourceClass: 'license' });
const agentResource = (id: string) => ({ account_id: 'bx-b', 'x-agent-id': 'ag-b', cloud_id: 'vm-1', resourceType: 'volume', resourceId: id });
const onId = (id: string) => ({ id }) as RequestResource;
/** What a caller naming the id is answered: the field refused, whoever holds the id. */
const NAMED = { code: 'invalid_request', status: 400 };

describe('a caller does not name a resource id (engine management API)', () => {
  it('hole: an organization admin told another organization’s resource ids from free ones (409 against 201)', async () => {
    const e = await world();
    const admin = who('admin-b', 'bx-b');
    const before = snapshot(e);
    const taken = await refusal(apply(e, bx.createAccountResource, accountResource('vol-secret'), admin));
    const free = await refusal(apply(e, bx.createAccountResource, accountResource('vol-free'), admin));
    expect(taken).toEqual(NAMED);
    expect(free).toEqual(taken);
    // the field is named, the id is not, and nothing was written
    const err = (await apply(e, bx.createAccountResource, accountResource('vol-secret'), admin).catch((x: unknown) => x)) as { details?: { issues?: unknown }; message: string };
    expect(err.details?.issues).toEqual([{ path: ['resourceId'], message: expect.any(String) }]);
    expect(err.message).not.toContain('vol-secret');
    expect(snapshot(e)).toEqual(before);
    // an agent naming the id is answered the same, through both of its operations
    const ag = who('ag-b', 'bx-b');
    for (const op of [bx.createResource, bx.attachAgentResource]) {
      expect(await refusal(apply(e, op, agentResource('vol-secret'), ag))).toEqual(NAMED);
      expect(await refusal(apply(e, op, agentResource('vol-free'), ag))).toEqual(NAMED);
    }
    expect(snapshot(e)).toEqual(before);
  });

  it('hole: an id taken first had the victim’s decisions about it made in the taker’s organization', async () => {
    const e = await world();
    const admin = who('admin-b', 'bx-b');
    // the victim's PEP asks whether the stranger admin-b may delete what the victim calls `vol-prod`
    expect(await refusal(apply(e, bx.createAccountResource, accountResource('vol-prod'), admin))).toEqual(NAMED);
    expect(await refusal(apply(e, bx.createResource, agentResource('vol-prod'), who('ag-b', 'bx-b')))).toEqual(NAMED);
    expect(e.authorize({ subject: { id: 'admin-b', accountId: 'bx-b' }, action: 'resource:delete', resource: onId('vol-prod') }).reason).toBe('invalid-request');
    // the rightful owner's host registers it, and the stranger holds nothing on it
    await apply(e, bx.createAccountResource, { account_id: 'bx-a', resourceId: 'vol-prod', resourceType: 'license', resourceClass: 'license' }, SYSTEM);
    expect(may(e, 'admin-b', 'bx-b', 'resource:delete', onId('vol-prod'))).toBe(false);
    expect(may(e, 'admin-a', 'bx-a', 'resource:delete', onId('vol-prod'))).toBe(true);
  });

  it('refused: without an id, the attacker’s resources get engine ids, in its own organization only', async () => {
    const e = await world();
    const mine = (await apply(e, bx.createAccountResource, { account_id: 'bx-b', resourceType: 'license', resourceClass: 'license' }, who('admin-b', 'bx-b'))) as { resourceId: string; accountId: string };
    const found = (await apply(e, bx.createResource, { account_id: 'bx-b', 'x-agent-id': 'ag-b', cloud_id: 'vm-1', resourceType: 'volume' }, who('ag-b', 'bx-b'))) as { resourceId: string; agentId: string };
    expect(mine.accountId).toBe('bx-b');
    expect(found.agentId).toBe('ag-b');
    expect(new Set([mine.resourceId, found.resourceId, 'vol-secret']).size).toBe(3);
    expect(may(e, 'admin-b', 'bx-b', 'resource:delete', onId(mine.resourceId))).toBe(true);
    expect(may(e, 'admin-b', 'bx-b', 'resource:delete', onId('vol-secret'))).toBe(false);
  });

  it('the host still registers with a chosen id, and a taken one is still its 409', async () => {
    const e = await world();
    const r = (await apply(e, bx.createResource, { ...agentResource('vol-host'), account_id: 'bx-b' }, SYSTEM)) as { resourceId: string };
    expect(r.resourceId).toBe('vol-host');
    expect(e.source.resources?.find((x) => x.id === 'vol-host')?.accountId).toBe('bx-b');
    expect(await refusal(apply(e, bx.createAccountResource, accountResource('vol-secret'), SYSTEM))).toEqual({ code: 'resource_exists', status: 409 });
  });
});

/** The world over a real server on localhost: a PEP token, the attacker's admin and agent, and a host (`system`) token. */
async function served(): Promise<{ e: Engine; base: string }> {
  const e = await world();
  const app = await createServer({
    engine: e,
    authenticator: createStaticTokenAuthenticator([
      { token: PEP, actor: { kind: 'pep' } },
      { token: INTRUDER, actor: { kind: 'subject', id: 'admin-b', accountId: 'bx-b' } },
      { token: CONNECTOR, actor: { kind: 'subject', id: 'ag-b', accountId: 'bx-b' } },
      { token: HOST, actor: { kind: 'system' } },
    ]),
  });
  closers.push(() => app.close());
  return { e, base: await app.listen({ port: 0, host: '127.0.0.1' }) };
}

async function post(base: string, url: string, token: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${url}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const ACCOUNT_RESOURCE = '/bluexp/tenancy/account/bx-b/account-resource';
const license = (id?: string) => ({ ...(id === undefined ? {} : { resourceId: id }), resourceType: 'license', resourceClass: 'license' });
/** The victim's PEP asking whether admin-b may delete the resource `id`. */
const evaluation = (id: string) => ({
  subject: { type: 'user', id: 'admin-b', properties: { accountId: 'bx-b' } },
  action: { name: 'resource:delete' },
  resource: { type: 'license', id },
  context: { time: '2026-01-02T03:04:05Z' },
});

describe('a caller does not name a resource id (HTTP server)', () => {
  it('hole: over HTTP, a taken id was 409 and a free one 201', async () => {
    const { e, base } = await served();
    const before = snapshot(e);
    const taken = await post(base, ACCOUNT_RESOURCE, INTRUDER, license('vol-secret'));
    const free = await post(base, ACCOUNT_RESOURCE, INTRUDER, license('vol-free'));
    expect(taken.status).toBe(400);
    // the same body but for its trace id
    const untraced = (r: { status: number; body: Record<string, unknown> }) => ({ ...r, body: { ...r.body, trace: 'x' } });
    expect(untraced(free)).toEqual(untraced(taken));
    expect(JSON.stringify(taken.body)).toContain('resourceId');
    expect(JSON.stringify(taken.body)).not.toContain('vol-secret');
    const agent = await post(base, '/bluexp/tenancy/account/bx-b/resource', CONNECTOR, { cloud_id: 'vm-1', resourceType: 'volume', resourceId: 'vol-secret' }, { 'x-agent-id': 'ag-b' });
    expect(agent.status).toBe(400);
    expect(snapshot(e)).toEqual(before);
    // without the field, the intruder's resource gets an engine id
    const made = await post(base, ACCOUNT_RESOURCE, INTRUDER, license());
    expect(made.status).toBe(201);
    expect(made.body['resourceId']).not.toBe('vol-secret');
  });

  it('hole: over HTTP, a squatted id had the victim’s PEP decide for the squatter (a false allow)', async () => {
    const { base } = await served();
    expect((await post(base, ACCOUNT_RESOURCE, INTRUDER, license('vol-prod'))).status).toBe(400);
    expect((await post(base, '/access/v1/evaluation', PEP, evaluation('vol-prod'))).body).toMatchObject({ decision: false });
    // the host's token registers the victim's id, and the decision is the victim's: a stranger may not
    const host = await post(base, '/bluexp/tenancy/account/bx-a/account-resource', HOST, license('vol-prod'));
    expect(host).toMatchObject({ status: 201, body: { resourceId: 'vol-prod', accountId: 'bx-a' } });
    expect((await post(base, '/access/v1/evaluation', PEP, evaluation('vol-prod'))).body).toMatchObject({ decision: false });
    expect((await post(base, '/access/v1/evaluation', PEP, { ...evaluation('vol-prod'), subject: { type: 'user', id: 'admin-a', properties: { accountId: 'bx-a' } } })).body).toMatchObject({ decision: true });
  });
});
