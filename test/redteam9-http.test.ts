// Issue 12, red team (ninth round), over HTTP: what a request body says. "hole: …" tests failed on the code they were
// found on and pass since the fix named beside them; "refused: …" tests are attacks that failed, kept as regression
// tests. Outside test/access-control*: the mutation run loads no server.
import { describe, expect, it } from 'vitest';
import { bootstrapAccount, IBM_ROLES, type Engine } from '@portcullis/engine';
import { createServer, createStaticTokenAuthenticator } from '@portcullis/server';
import { closeAfterEach, engine, snapshot, SYSTEM } from './helpers/access.js';
import { apply } from './helpers/ibm-world.js';

const closers = closeAfterEach();
const PEP = 'token-pep-0123456789abcdef';
const ADMIN = 'token-admin-0123456789abcdef';

/** IBM account `acc`: `IBMid-admin` administers it, `IBMid-plain` holds nothing. */
async function world(): Promise<{ e: Engine; base: string }> {
  const e = engine();
  await apply(e, bootstrapAccount, { system: 'ibm', accountId: 'acc', admin: { id: 'IBMid-admin', email: 'admin@acc.example' } }, SYSTEM);
  await e.commit([{ op: 'put', entity: 'principal', value: { id: 'IBMid-plain', accountId: 'acc', kind: 'user', status: 'active' } }]);
  const app = await createServer({
    engine: e,
    authenticator: createStaticTokenAuthenticator([
      { token: PEP, actor: { kind: 'pep' } },
      { token: ADMIN, actor: { kind: 'subject', id: 'IBMid-admin', accountId: 'acc' } },
    ]),
  });
  closers.push(() => app.close());
  return { e, base: await app.listen({ port: 0, host: '127.0.0.1' }) };
}

async function post(base: string, url: string, token: string, body: string) {
  const res = await fetch(`${base}${url}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
  const text = await res.text();
  // AuthZEN's errors are plain text
  return { status: res.status, body: (res.headers.get('content-type')?.startsWith('application/json') === true ? JSON.parse(text) : { text }) as Record<string, unknown> };
}

const subject = (id: string) => `{"type": "user", "id": "${id}", "properties": {"accountId": "acc"}}`;
const rest = `"action": {"name": "iam-groups.groups.create"}, "resource": {"type": "group", "id": "new-group", "properties": {"accountId": "acc", "serviceName": "iam-groups"}}, "context": {"time": "2026-01-02T03:04:05Z"}`;

// JSON.parse keeps the last of a key written twice in one object; a gateway or a log before the PDP that reads the
// first (many parsers do) sees another request than the one decided. Round 7 refused duplicate keys in every file; a
// request body was left out. A PEP-side proxy that checks `subject.id` against its caller, then forwards the text,
// had the decision made for the second subject. FIXED in server/create-server.ts (with the engine's duplicateKey,
// model/duplicate-key.ts, the one scanner of every JSON text read): a JSON body that writes a key twice in one object
// is a 400 in its API's error body, before any handler runs.
describe('a request body means one thing', () => {
  it('hole: an AuthZEN evaluation naming `subject` twice was decided for the second (a plain user, then the administrator)', async () => {
    const { base } = await world();
    const once = await post(base, '/access/v1/evaluation', PEP, `{"subject": ${subject('IBMid-plain')}, ${rest}}`);
    expect(once).toMatchObject({ status: 200, body: { decision: false } });
    const twice = await post(base, '/access/v1/evaluation', PEP, `{"subject": ${subject('IBMid-plain')}, "subject": ${subject('IBMid-admin')}, ${rest}}`);
    expect(twice).toEqual({ status: 400, body: { text: 'the request body writes the key `subject` twice in one object' } });
    // the same key deeper down, and a key spelt with an escape
    const deep = await post(base, '/access/v1/evaluation', PEP, `{"subject": {"type": "user", "id": "IBMid-plain", "id": "IBMid-admin"}, ${rest}}`);
    expect(deep.status).toBe(400);
    const escaped = await post(base, '/access/v1/evaluation', PEP, `{"subject": ${subject('IBMid-plain')}, "s\\u0075bject": ${subject('IBMid-admin')}, ${rest}}`);
    expect(escaped.status).toBe(400);
  });

  it('hole: a policy body naming `roles` twice (Viewer, then Administrator) was written with the second', async () => {
    const { e, base } = await world();
    const attrs = `"subjects": [{"attributes": [{"name": "iam_id", "value": "IBMid-plain"}]}], "resources": [{"attributes": [{"name": "accountId", "value": "acc"}, {"name": "serviceName", "value": "iam-groups"}]}]`;
    const before = snapshot(e);
    const res = await post(base, '/v1/policies', ADMIN, `{"type": "access", ${attrs}, "roles": [{"role_id": "${IBM_ROLES.viewer}"}], "roles": [{"role_id": "${IBM_ROLES.administrator}"}]}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status_code: 400, errors: [{ code: 'invalid_payload' }] });
    expect(snapshot(e)).toEqual(before);
    // written once, it is a policy
    expect((await post(base, '/v1/policies', ADMIN, `{"type": "access", ${attrs}, "roles": [{"role_id": "${IBM_ROLES.viewer}"}]}`)).status).toBe(201);
  });

  it('refused: one key in sibling objects, in an array’s items, or a string holding quotes and escapes is no duplicate', async () => {
    const { base } = await world();
    const body = `{"subject": ${subject('IBMid-admin')}, "action": {"name": "iam-groups.groups.create", "properties": {"note": "say \\"name\\": \\\\", "name": "x"}}, "resource": {"type": "group", "id": "new-group", "properties": {"accountId": "acc", "serviceName": "iam-groups"}}, "context": {"time": "2026-01-02T03:04:05Z"}}`;
    expect(await post(base, '/access/v1/evaluation', PEP, body)).toMatchObject({ status: 200, body: { decision: true } });
    const batch = `{"subject": ${subject('IBMid-admin')}, "evaluations": [{${rest}}, {${rest}}]}`;
    expect(await post(base, '/access/v1/evaluations', PEP, batch)).toMatchObject({ status: 200, body: { evaluations: [{ decision: true }, { decision: true }] } });
  });
});

describe('a query names one account', () => {
  it('refused: `account_id` given twice (the caller’s own, then another) is a 400 on a listing and on a per-item batch, nothing written', async () => {
    const { e, base } = await world();
    const before = snapshot(e);
    const get = await fetch(`${base}/v2/groups?account_id=acc&account_id=acc-zz`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(get.status).toBe(400);
    const put = await fetch(`${base}/v2/groups/_allgroups/members/IBMid-plain?account_id=acc&account_id=acc`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'user', groups: ['AccessGroupId-0000000000000000000000000000009f'] }),
    });
    expect(put.status).toBe(400);
    expect(snapshot(e)).toEqual(before);
    // given once, each is answered: the listing, and the batch item by item (the group does not exist)
    expect((await fetch(`${base}/v2/groups?account_id=acc`, { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(200);
    const once = await fetch(`${base}/v2/groups/_allgroups/members/IBMid-plain?account_id=acc`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'user', groups: ['AccessGroupId-0000000000000000000000000000009f'] }),
    });
    expect(once.status).toBe(207);
  });
});
