// Issue 13, seed 003 (Cloudflare account IAM): the error model. The seed's error objects are
// "errors: array of { code, message, documentation_url, source }" with "code: number" and "minimum1000"; the
// operations keep their string codes, and cloudflareErrorBody gives the body a host sends.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bootstrapAccount,
  CLOUDFLARE_ERROR_NUMBERS,
  cloudflareErrorBody,
  cloudflareOperations as cf,
  createEngine,
  parseSource,
  SeedError,
  ValidationError,
  type Actor,
  type ManageContext,
  type SourceInput,
} from '@portcullis/engine';
import { SourceState } from '@portcullis/engine/internals';

const A = 'acc1';
const source: SourceInput = {
  version: 1,
  accounts: [
    { id: A, system: 'cloudflare' },
    { id: 'ibm1', system: 'ibm' },
  ],
  principals: [{ id: 'u1', accountId: A, kind: 'user', email: 'one@example.com' }],
  roles: [{ id: 'pg-zone', kind: 'permission-group', scopeType: 'zone', name: 'Zone Read', actions: ['zone:read'] }],
  resourceGroups: [{ id: 'rg-zones', accountId: A, name: 'all zones', scope: [{ key: `com.cloudflare.api.account.${A}`, objects: [{ key: 'com.cloudflare.api.account.zone.*' }] }] }],
};

function context(): ManageContext {
  let n = 0;
  return { actor: { kind: 'system' }, now: '2025-03-12T10:30:00Z', newId: () => (++n).toString(16).padStart(32, '0') };
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a refusal');
}

describe('seed 003: every error object carries a numeric code of at least 1000', () => {
  it('a refusal becomes one error object with its number and the seed envelope', () => {
    const e = thrown(() => cf.getUserGroup(SourceState.from(parseSource(source)), { account_id: A, user_group_id: 'f'.repeat(32) } as never, context()));
    expect(e).toBeInstanceOf(SeedError);
    expect((e as SeedError).code).toBe('user_group_not_found');
    const { status, body } = cloudflareErrorBody(e);
    expect(status).toBe(404);
    expect(body).toEqual({ success: false, errors: [{ code: CLOUDFLARE_ERROR_NUMBERS['user_group_not_found'], message: expect.any(String) }], messages: [], result: null });
    expect(body.errors[0]!.code).toBeGreaterThanOrEqual(1000);
  });

  it('a bad input gives one error object per issue, each pointing at its place', () => {
    const e = thrown(() => cf.createResourceGroup(SourceState.from(parseSource(source)), { account_id: A, name: 7, scope: 'x' } as never, context()));
    const { status, body } = cloudflareErrorBody(e);
    expect(status).toBe(400);
    expect(body.errors.length).toBeGreaterThan(1);
    for (const o of body.errors) {
      expect(o.code).toBe(CLOUDFLARE_ERROR_NUMBERS['invalid_request']);
      expect(o.source?.pointer).toMatch(/^\//);
    }
    expect(body.errors.map((o) => o.source?.pointer)).toContain('/name');
  });

  it('the access check answers 401 and 403 with numbers too', async () => {
    let n = 0;
    const e = createEngine({ clock: () => Date.parse('2026-01-02T03:04:05Z'), newId: () => (++n).toString(16).padStart(32, '0') });
    type Op = (state: never, input: never, ctx: never) => { result: unknown };
    await e.apply(bootstrapAccount as Op, { system: 'cloudflare', accountId: A, admin: { id: 'u-admin', email: 'admin@example.com' } } as never, { actor: { kind: 'system' } });
    await e.commit([{ op: 'put', entity: 'principal', value: { id: 'u-plain', accountId: A, kind: 'user', email: 'plain@example.com' } }]);
    const ask = async (actor: Actor) => {
      try {
        await e.apply(cf.listUserGroups as Op, { account_id: A } as never, { actor });
      } catch (err) {
        return cloudflareErrorBody(err);
      }
      throw new Error('expected a refusal');
    };
    const anonymous = await ask({ kind: 'anonymous' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors[0]!.code).toBe(CLOUDFLARE_ERROR_NUMBERS['authentication_error']);
    const plain = await ask({ kind: 'subject', id: 'u-plain', accountId: A });
    expect(plain.status).toBe(403);
    expect(plain.body.errors[0]!.code).toBeGreaterThanOrEqual(1000);
  });

  it('anything that is not a refusal is a 500 that names no internals; a ValidationError is a 400', () => {
    const boom = cloudflareErrorBody(new Error('secret stack detail'));
    expect(boom.status).toBe(500);
    expect(boom.body.errors).toEqual([{ code: expect.any(Number), message: 'internal error' }]);
    expect(boom.body.errors[0]!.code).toBeGreaterThanOrEqual(1000);
    const bad = cloudflareErrorBody(new ValidationError('invalid_input', [{ path: ['actor'], message: 'an actor is required' }]));
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ code: CLOUDFLARE_ERROR_NUMBERS['invalid_input'], message: 'actor: an actor is required', source: { pointer: '/actor' } }]);
  });

  it('the numbers are distinct and at least 1000', () => {
    const numbers = Object.values(CLOUDFLARE_ERROR_NUMBERS);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const n of numbers) expect(n).toBeGreaterThanOrEqual(1000);
  });

  it('property: whatever a Cloudflare operation refuses with has its own number in the table', () => {
    const names = Object.keys(cf) as (keyof typeof cf)[];
    const id = fc.constantFrom('u1', 'f'.repeat(32), 'rg-zones', 'pg-zone', 'nope', '');
    const value = fc.oneof(id, fc.constant(undefined), fc.integer(), fc.constant(['x']), fc.constant({ key: 'k' }), fc.constant('one@example.com'));
    const input = fc.record(
      {
        account_id: fc.constantFrom(A, 'ibm1', 'nope'),
        user_group_id: id,
        resource_group_id: id,
        permission_group_id: id,
        member_id: id,
        sso_connector_id: id,
        name: value,
        email: value,
        status: fc.constantFrom('accepted', 'pending', 'x'),
        members: fc.constantFrom([{ id: 'u1' }], [{ email: 'two@example.com' }], 'x'),
        scope: value,
        policies: value,
        email_domain: fc.constantFrom('example.com', 'bad domain'),
      },
      { requiredKeys: ['account_id'] },
    );
    fc.assert(
      fc.property(fc.constantFrom(...names), input, (name, q) => {
        try {
          (cf[name] as (s: SourceState, i: unknown, c: ManageContext) => unknown)(SourceState.from(parseSource(source)), q, context());
        } catch (e) {
          if (!(e instanceof SeedError)) throw e;
          expect(Object.keys(CLOUDFLARE_ERROR_NUMBERS)).toContain(e.code);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('an SSO-enabled email domain does not lock its own administrators out of management', () => {
  // Seed 003 (IAM SSO): a connector is verified through a DNS TXT record ("DNS verification code. Add this entire
  // string to the DNS TXT record of the email domain to validate ownership.") and, enabled, makes members of that
  // domain sign in through SSO. The host says so of an actor with `sso: true`, as it says so of a request.
  it('the administrator at the gated domain manages with sso: true and is refused without it', async () => {
    let n = 0;
    const e = createEngine({ clock: () => Date.parse('2026-01-02T03:04:05Z'), newId: () => (++n).toString(16).padStart(32, '0') });
    type Op = (state: never, input: never, ctx: never) => { result: unknown };
    const system: Actor = { kind: 'system' };
    await e.apply(bootstrapAccount as Op, { system: 'cloudflare', accountId: A, admin: { id: 'u-admin', email: 'admin@corp.example' } } as never, { actor: system });
    const created = (await e.apply(cf.createSsoConnector as Op, { account_id: A, email_domain: 'corp.example' } as never, { actor: system })) as {
      result: { id: string; verification: { code: string } };
    };
    const { id, verification } = created.result;
    await e.apply(cf.beginSsoConnectorVerification as Op, { account_id: A, sso_connector_id: id } as never, { actor: system });
    await e.apply(cf.completeSsoConnectorVerification as Op, { account_id: A, sso_connector_id: id, dns_txt_records: [verification.code] } as never, { actor: system });
    await e.apply(cf.updateSsoConnector as Op, { account_id: A, sso_connector_id: id, enabled: true } as never, { actor: system });

    const list = (actor: Actor) => e.apply(cf.listUserGroups as Op, { account_id: A } as never, { actor });
    const before = e.revision;
    try {
      await list({ kind: 'subject', id: 'u-admin', accountId: A });
      throw new Error('expected a refusal');
    } catch (err) {
      expect(err).toBeInstanceOf(SeedError);
      expect((err as SeedError).status).toBe(403);
    }
    expect(await list({ kind: 'subject', id: 'u-admin', accountId: A, sso: true })).toMatchObject({ success: true });
    // it may change access too, and turn the connector off
    await e.apply(cf.updateSsoConnector as Op, { account_id: A, sso_connector_id: id, enabled: false } as never, { actor: { kind: 'subject', id: 'u-admin', accountId: A, sso: true } });
    expect(e.revision).toBe(before + 1);
    // the host's word is a boolean
    await expect(e.apply(cf.listUserGroups as Op, { account_id: A } as never, { actor: { kind: 'subject', id: 'u-admin', accountId: A, sso: 'yes' } as never })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});
