// Cloudflare SSO connectors (seed 003, "IAM SSO") through the public surface, and the login gate they feed
// (SEMANTICS §0.1): refusals are pinned by `code` and `status`, never by wording.
import { describe, expect, it } from 'vitest';
import {
  authorize,
  beginSsoConnectorVerification,
  cloudflareOperations,
  compile,
  completeSsoConnectorVerification,
  createEngine,
  createSsoConnector,
  deleteSsoConnector,
  getSsoConnector,
  listSsoConnectors,
  parseSource,
  SeedError,
  updateSsoConnector,
  ValidationError,
} from '@portcullis/engine';
import { SourceState } from '@portcullis/engine/internals';
import type { AuthorizeRequest, ManageContext, SourceInput } from '@portcullis/engine';
import { referenceAuthorize } from '@portcullis/engine/testing';

const A = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const NOW = Date.UTC(2025, 2, 12, 10, 30);
const source: SourceInput = {
  version: 1,
  accounts: [
    { id: A, system: 'cloudflare' },
    { id: 'acct-b', system: 'cloudflare' },
    { id: 'org1', system: 'bluexp' },
  ],
  principals: [
    { id: 'm-alice', accountId: A, kind: 'user', email: 'alice@corp.example', status: 'active' },
    { id: 'm-bob', accountId: A, kind: 'user', email: 'bob@elsewhere.example', status: 'active' },
  ],
  roles: [{ id: 'pg-read', kind: 'permission-group', scopeType: 'account', actions: ['account.read'] }],
  resources: [{ id: 'r-acct', accountId: A }],
  resourceGroups: [{ id: 'rg-a', accountId: A, scope: [{ key: `com.cloudflare.api.account.${A}`, objects: [{ key: '*' }] }] }],
  policies: [
    { id: 'p-alice', accountId: A, subject: { kind: 'principal', id: 'm-alice' }, roles: ['pg-read'], resource: { attributes: [], resourceGroups: ['rg-a'] } },
    { id: 'p-bob', accountId: A, subject: { kind: 'principal', id: 'm-bob' }, roles: ['pg-read'], resource: { attributes: [], resourceGroups: ['rg-a'] } },
  ],
};

function context(): ManageContext {
  let n = 0;
  return { actor: { kind: 'system' }, now: '2025-03-12T10:30:00Z', newId: (prefix) => `${prefix}${++n}` };
}
function fresh(): SourceState {
  return SourceState.from(parseSource(source));
}
function expectRefused(f: () => unknown, code: string, status: number): SeedError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SeedError);
    expect({ code: (e as SeedError).code, status: (e as SeedError).status }).toEqual({ code, status });
    return e as SeedError;
  }
  throw new Error(`expected ${code}`);
}

/** A state with a connector for `corp.example` taken through the whole verification, and enabled. */
function gated(): { state: SourceState; id: string; code: string } {
  const ctx = context();
  const created = createSsoConnector(fresh(), { account_id: A, email_domain: 'Corp.Example' }, ctx);
  const { id, verification } = created.result.result;
  const begun = beginSsoConnectorVerification(created.state, { account_id: A, sso_connector_id: id }, ctx);
  const verified = completeSsoConnectorVerification(begun.state, { account_id: A, sso_connector_id: id, dns_txt_records: ['v=spf1 -all', ` ${verification.code} `] }, ctx);
  const enabled = updateSsoConnector(verified.state, { account_id: A, sso_connector_id: id, enabled: true }, ctx);
  return { state: enabled.state, id, code: verification.code };
}

const read = (subject: AuthorizeRequest['subject']): AuthorizeRequest => ({ subject, action: 'account.read', resource: { attributes: { accountId: A } }, environment: { now: NOW } });

describe('Initialize new SSO connector (POST /accounts/{account_id}/sso_connectors)', () => {
  it('creates a disabled connector with a 32-character id, a lowercased domain and an awaiting verification code', () => {
    const out = createSsoConnector(fresh(), { account_id: A, email_domain: ' Corp.Example ', use_fedramp_language: true }, context());
    const c = out.result.result;
    expect(out.result.success).toBe(true);
    expect(c.id).toMatch(/^[0-9a-f]{32}$/);
    expect(c).toMatchObject({ email_domain: 'corp.example', enabled: false, use_fedramp_language: true, created_on: '2025-03-12T10:30:00Z', updated_on: '2025-03-12T10:30:00Z' });
    expect(c.verification.status).toBe('awaiting');
    expect(c.verification.code.length).toBeGreaterThan(0);
    expect(out.changes).toHaveLength(1);
  });

  it('refuses a bad domain, a taken domain and an account that is not Cloudflare', () => {
    const s = fresh();
    expectRefused(() => createSsoConnector(s, { account_id: A, email_domain: 'not a domain' }, context()), 'invalid_request', 400);
    expectRefused(() => createSsoConnector(s, { account_id: A, email_domain: 'localhost' }, context()), 'invalid_request', 400);
    const once = createSsoConnector(s, { account_id: A, email_domain: 'corp.example' }, context());
    expectRefused(() => createSsoConnector(once.state, { account_id: A, email_domain: 'CORP.example' }, context()), 'sso_connector_domain_conflict', 409);
    expect(() => createSsoConnector(once.state, { account_id: 'acct-b', email_domain: 'corp.example' }, context())).not.toThrow();
    expectRefused(() => createSsoConnector(s, { account_id: 'org1', email_domain: 'corp.example' }, context()), 'account_not_found', 404);
  });
});

describe('Get all SSO connectors / Get single SSO connector', () => {
  it('lists the account’s connectors only and gets one by id', () => {
    const { state, id } = gated();
    const other = createSsoConnector(state, { account_id: 'acct-b', email_domain: 'b.example' }, context()).state;
    expect(listSsoConnectors(other, { account_id: A }, context()).result.result.map((c) => c.id)).toEqual([id]);
    expect(getSsoConnector(other, { account_id: A, sso_connector_id: id }, context()).result.result).toMatchObject({ id, enabled: true, verification: { status: 'verified' } });
    expectRefused(() => getSsoConnector(other, { account_id: 'acct-b', sso_connector_id: id }, context()), 'sso_connector_not_found', 404);
  });
});

describe('Begin SSO connector verification and the verification machine', () => {
  it('awaiting -> pending -> verified, with updated_on moving', () => {
    const ctx = context();
    const c = createSsoConnector(fresh(), { account_id: A, email_domain: 'corp.example' }, ctx);
    const id = c.result.result.id;
    const begun = beginSsoConnectorVerification(c.state, { account_id: A, sso_connector_id: id }, { ...ctx, now: '2025-03-12T11:00:00Z' });
    expect(begun.result).toEqual({ success: true, errors: [], messages: [] });
    expect(getSsoConnector(begun.state, { account_id: A, sso_connector_id: id }, ctx).result.result).toMatchObject({ verification: { status: 'pending' }, updated_on: '2025-03-12T11:00:00Z' });
    // begin again while pending changes nothing
    expect(beginSsoConnectorVerification(begun.state, { account_id: A, sso_connector_id: id }, ctx).changes).toEqual([]);
  });

  it('pending -> failed without the code in DNS, and a failed one can begin again', () => {
    const ctx = context();
    const c = createSsoConnector(fresh(), { account_id: A, email_domain: 'corp.example' }, ctx);
    const id = c.result.result.id;
    expectRefused(() => completeSsoConnectorVerification(c.state, { account_id: A, sso_connector_id: id, dns_txt_records: [] }, ctx), 'sso_connector_not_pending', 409);
    const begun = beginSsoConnectorVerification(c.state, { account_id: A, sso_connector_id: id }, ctx);
    const failed = completeSsoConnectorVerification(begun.state, { account_id: A, sso_connector_id: id, dns_txt_records: ['something else'] }, ctx);
    expect(failed.result.result.verification.status).toBe('failed');
    expectRefused(() => updateSsoConnector(failed.state, { account_id: A, sso_connector_id: id, enabled: true }, ctx), 'sso_connector_not_verified', 409);
    const again = beginSsoConnectorVerification(failed.state, { account_id: A, sso_connector_id: id }, ctx);
    expect(getSsoConnector(again.state, { account_id: A, sso_connector_id: id }, ctx).result.result.verification.status).toBe('pending');
  });

  it('a verified connector cannot begin again', () => {
    const { state, id } = gated();
    expectRefused(() => beginSsoConnectorVerification(state, { account_id: A, sso_connector_id: id }, context()), 'sso_connector_already_verified', 409);
  });
});

describe('Update SSO connector state (PATCH)', () => {
  it('refuses to enable an unverified connector, with a clear code, and writes nothing', () => {
    const c = createSsoConnector(fresh(), { account_id: A, email_domain: 'corp.example' }, context());
    const id = c.result.result.id;
    expectRefused(() => updateSsoConnector(c.state, { account_id: A, sso_connector_id: id, enabled: true }, context()), 'sso_connector_not_verified', 409);
    const fed = updateSsoConnector(c.state, { account_id: A, sso_connector_id: id, use_fedramp_language: true }, context());
    expect(fed.result.result).toMatchObject({ use_fedramp_language: true, enabled: false });
    expect(updateSsoConnector(fed.state, { account_id: A, sso_connector_id: id, use_fedramp_language: true }, context()).changes).toEqual([]);
  });

  it('refuses fields it cannot change', () => {
    const { state, id } = gated();
    expectRefused(() => updateSsoConnector(state, { account_id: A, sso_connector_id: id, email_domain: 'x.example' } as never, context()), 'invalid_request', 400);
  });

  it('a store refuses a connector row enabled before it is verified', () => {
    const c = createSsoConnector(fresh(), { account_id: A, email_domain: 'corp.example' }, context());
    const row = { ...c.state.toSource().ssoConnectors[0]!, enabled: true };
    expect(() => parseSource({ ...c.state.toSource(), ssoConnectors: [row] })).toThrow(ValidationError);
  });
});

describe('Delete SSO connector', () => {
  it('deletes it, and its gate with it', () => {
    const { state, id } = gated();
    const out = deleteSsoConnector(state, { account_id: A, sso_connector_id: id }, context());
    expect(out.result.result).toEqual({ id });
    expect(listSsoConnectors(out.state, { account_id: A }, context()).result.result).toEqual([]);
    expect(authorize(compile(out.state.toSource()), read({ id: 'm-alice' })).reason).toBe('allow');
    expectRefused(() => deleteSsoConnector(out.state, { account_id: A, sso_connector_id: id }, context()), 'sso_connector_not_found', 404);
  });
});

describe('the SSO login gate', () => {
  it('denies a caller of the verified, enabled domain that did not come through SSO, naming the connector, before any policy', () => {
    const { state, id } = gated();
    const s = state.toSource();
    const tables = compile(s);
    for (const ask of [(r: AuthorizeRequest) => authorize(tables, r), (r: AuthorizeRequest) => referenceAuthorize(s, r)]) {
      // the email from the stored principal
      expect(ask(read({ id: 'm-alice' }))).toEqual({ allowed: false, reason: 'sso-required', policies: [], ssoConnector: { id, emailDomain: 'corp.example' } });
      // the request's own email gates too, in any case; asserting another domain does not slip past the stored one
      expect(ask(read({ id: 'm-bob', email: 'Bob@CORP.example' })).reason).toBe('sso-required');
      expect(ask(read({ id: 'm-alice', email: 'alice@elsewhere.example' })).reason).toBe('sso-required');
      // anonymous callers with such an email too
      expect(ask(read({ email: 'x@corp.example' })).reason).toBe('sso-required');
      // through SSO, the policies decide
      expect(ask(read({ id: 'm-alice', sso: true }))).toMatchObject({ allowed: true, reason: 'allow', policies: ['p-alice'] });
      // other domains, subdomains and other accounts are not gated
      expect(ask(read({ id: 'm-bob' })).reason).toBe('allow');
      expect(ask(read({ id: 'm-bob', email: 'bob@sub.corp.example' })).reason).toBe('allow');
      expect(ask({ ...read({ id: 'm-alice' }), resource: { attributes: { accountId: 'acct-b' } } }).reason).toBe('no-match');
      // a malformed gate field is a malformed request
      expect(ask(read({ id: 'm-alice', sso: 'yes' as never })).reason).toBe('invalid-request');
    }
  });

  it('a connector that is verified but disabled gates nothing', () => {
    const { state, id } = gated();
    const off = updateSsoConnector(state, { account_id: A, sso_connector_id: id, enabled: false }, context());
    expect(authorize(compile(off.state.toSource()), read({ id: 'm-alice' })).reason).toBe('allow');
  });

  it('an engine applies the gate as connectors change, and never serves a cached decision across it', async () => {
    const engine = createEngine({ source: parseSource(source), clock: () => NOW });
    const ask = (subject: AuthorizeRequest['subject']) => engine.authorize({ subject, action: 'account.read', resource: { id: 'r-acct' } });
    expect(ask({ id: 'm-alice' }).reason).toBe('allow');
    const { state } = gated();
    await engine.commit(state.toSource().ssoConnectors.map((value) => ({ op: 'put', entity: 'ssoConnector', value }) as const));
    expect(ask({ id: 'm-alice' }).reason).toBe('sso-required');
    expect(ask({ id: 'm-alice', sso: true }).reason).toBe('allow');
    expect(ask({ id: 'm-alice' }).reason).toBe('sso-required');
  });

  it('the registry routes every SSO operation by name', () => {
    expect(Object.keys(cloudflareOperations)).toEqual(
      expect.arrayContaining(['listSsoConnectors', 'getSsoConnector', 'createSsoConnector', 'updateSsoConnector', 'deleteSsoConnector', 'beginSsoConnectorVerification']),
    );
  });
});
