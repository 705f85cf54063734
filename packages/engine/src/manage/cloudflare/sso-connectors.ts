// Cloudflare SSO connectors (seed 003, "IAM SSO"): an email domain of an account whose users must sign in through
// SSO. Verification is the seed's machine `awaiting -> pending -> verified | failed`: a new connector awaits,
// begin_verification makes it pending, and the host, having read the domain's DNS TXT records (I/O stays outside
// manage/), reports them with completeSsoConnectorVerification, which verifies or fails it. Only a verified
// connector can be enabled; once enabled it gates every decision of the account (SEMANTICS §0.1).
import { z } from 'zod';
import { SeedError } from '../../errors.js';
import { emailDomainSchema, type SsoConnector } from '../../model/sso-connector.js';
import type { Change } from '../../model/entities.js';
import { cloudflareAccount, envelope, newCloudflareId, type CloudflareEnvelope } from './common.js';
import { parseInput } from '../input.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';
import { CLOUDFLARE_CODES } from '../access/codes.js';
import { defineOperation } from '../define-operation.js';
import { CLOUDFLARE_ACTIONS, onAccount } from './guards.js';

/** A connector as the seed returns it (SSOGetResponse and friends). */
export interface CloudflareSsoConnector {
  id: string;
  created_on?: string;
  email_domain: string;
  enabled: boolean;
  updated_on?: string;
  use_fedramp_language: boolean;
  verification: { code: string; status: SsoConnector['verification']['status'] };
}

/** The seed view of a connector row. */
export function ssoConnectorView(c: SsoConnector): CloudflareSsoConnector {
  const out: CloudflareSsoConnector = {
    id: c.id,
    email_domain: c.emailDomain,
    enabled: c.enabled,
    use_fedramp_language: c.useFedrampLanguage,
    verification: { code: c.verification.code, status: c.verification.status },
  };
  if (c.createdOn !== undefined) out.created_on = c.createdOn;
  if (c.updatedOn !== undefined) out.updated_on = c.updatedOn;
  return out;
}

/** The connector `id` of account `accountId`, or 404 `sso_connector_not_found`. */
export function findSsoConnector(state: SourceState, accountId: string, id: string): SsoConnector {
  const c = state.get('ssoConnector', id);
  if (!c || c.accountId !== accountId) throw new SeedError('sso_connector_not_found', 404, `sso connector \`${id}\` not found`);
  return c;
}

/** A connector with `updated_on` moved to now. */
function touched(c: SsoConnector, patch: Partial<SsoConnector>, ctx: ManageContext): SsoConnector {
  return { ...c, ...patch, updatedOn: ctx.now };
}

const accountOnly = z.strictObject({ account_id: z.string().min(1) });
const oneSchema = z.strictObject({ account_id: z.string().min(1), sso_connector_id: z.string().min(1) });
const domainField = z
  .string()
  .trim()
  .transform((s) => s.toLowerCase())
  .pipe(emailDomainSchema);
const createSchema = z.strictObject({
  account_id: z.string().min(1),
  email_domain: domainField,
  use_fedramp_language: z.boolean().default(false),
});

/**
 * POST /accounts/{account_id}/sso_connectors: a new connector for an email domain (stored lowercased), disabled,
 * verification `awaiting` with a fresh DNS code; 409 `sso_connector_domain_conflict` when the account has one for the domain.
 */
export const createSsoConnector = defineOperation({
  name: 'createSsoConnector',
  codes: CLOUDFLARE_CODES,
  input: createSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.ssoEdit),
  run(
    state: SourceState,
    input: z.input<typeof createSchema>,
    ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareSsoConnector>> {
    const q = parseInput(createSchema, input);
    cloudflareAccount(state, q.account_id);
    if (state.list('ssoConnector', q.account_id).some((c) => c.emailDomain === q.email_domain))
      throw new SeedError('sso_connector_domain_conflict', 409, `an sso connector for \`${q.email_domain}\` already exists`);
    const id = newCloudflareId(ctx, (x) => state.get('ssoConnector', x) !== undefined);
    const code = `cloudflare_sso_verification=${newCloudflareId(ctx, (x) => x === id)}`;
    const c: SsoConnector = {
      id,
      accountId: q.account_id,
      emailDomain: q.email_domain,
      enabled: false,
      useFedrampLanguage: q.use_fedramp_language,
      verification: { code, status: 'awaiting' },
      createdOn: ctx.now,
      updatedOn: ctx.now,
    };
    return done(state, envelope(ssoConnectorView(c)), [{ op: 'put', entity: 'ssoConnector', value: c }]);
  },
});

/** GET /accounts/{account_id}/sso_connectors: every connector of the account, in stored order. */
export const listSsoConnectors = defineOperation({
  name: 'listSsoConnectors',
  codes: CLOUDFLARE_CODES,
  input: accountOnly,
  guard: onAccount(CLOUDFLARE_ACTIONS.ssoRead),
  run(
    state: SourceState,
    input: z.input<typeof accountOnly>,
    _ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareSsoConnector[]>> {
    const q = parseInput(accountOnly, input);
    cloudflareAccount(state, q.account_id);
    return done(state, envelope(state.list('ssoConnector', q.account_id).map(ssoConnectorView)), []);
  },
});

/** GET /accounts/{account_id}/sso_connectors/{sso_connector_id}: 404 `sso_connector_not_found`. */
export const getSsoConnector = defineOperation({
  name: 'getSsoConnector',
  codes: CLOUDFLARE_CODES,
  input: oneSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.ssoRead),
  run(
    state: SourceState,
    input: z.input<typeof oneSchema>,
    _ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareSsoConnector>> {
    const q = parseInput(oneSchema, input);
    cloudflareAccount(state, q.account_id);
    return done(state, envelope(ssoConnectorView(findSsoConnector(state, q.account_id, q.sso_connector_id))), []);
  },
});

const updateSchema = z
  .strictObject({
    account_id: z.string().min(1),
    sso_connector_id: z.string().min(1),
    enabled: z.boolean().optional(),
    use_fedramp_language: z.boolean().optional(),
  });

/**
 * PATCH /accounts/{account_id}/sso_connectors/{sso_connector_id}: sets `enabled` and `use_fedramp_language`;
 * enabling a connector whose domain is not verified is 409 `sso_connector_not_verified`. Nothing else can change.
 */
export const updateSsoConnector = defineOperation({
  name: 'updateSsoConnector',
  codes: CLOUDFLARE_CODES,
  input: updateSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.ssoEdit),
  run(
    state: SourceState,
    input: z.input<typeof updateSchema>,
    ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareSsoConnector>> {
    const q = parseInput(updateSchema, input);
    cloudflareAccount(state, q.account_id);
    const old = findSsoConnector(state, q.account_id, q.sso_connector_id);
    if (q.enabled === true && old.verification.status !== 'verified')
      throw new SeedError(
        'sso_connector_not_verified',
        409,
        `sso connector \`${old.id}\`: the domain \`${old.emailDomain}\` is not verified (verification is \`${old.verification.status}\`): it cannot be enabled`,
      );
    const enabled = q.enabled ?? old.enabled;
    const fedramp = q.use_fedramp_language ?? old.useFedrampLanguage;
    if (enabled === old.enabled && fedramp === old.useFedrampLanguage) return done(state, envelope(ssoConnectorView(old)), []);
    const next = touched(old, { enabled, useFedrampLanguage: fedramp }, ctx);
    return done(state, envelope(ssoConnectorView(next)), [{ op: 'put', entity: 'ssoConnector', value: next }]);
  },
});

/** DELETE /accounts/{account_id}/sso_connectors/{sso_connector_id}: removes it (an enabled one too: its gate goes with it). */
export const deleteSsoConnector = defineOperation({
  name: 'deleteSsoConnector',
  codes: CLOUDFLARE_CODES,
  input: oneSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.ssoEdit),
  run(
    state: SourceState,
    input: z.input<typeof oneSchema>,
    _ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<{ id: string }>> {
    const q = parseInput(oneSchema, input);
    cloudflareAccount(state, q.account_id);
    const c = findSsoConnector(state, q.account_id, q.sso_connector_id);
    return done(state, envelope({ id: c.id }), [{ op: 'delete', entity: 'ssoConnector', key: c.id }]);
  },
});

/** The seed's SSOBeginVerificationResponse: the envelope without a result. */
export interface CloudflareBeginVerification {
  success: true;
  errors: [];
  messages: [];
}

/**
 * POST /accounts/{account_id}/sso_connectors/{sso_connector_id}/begin_verification: `awaiting` or `failed` becomes
 * `pending` (the code stays: it is what the DNS TXT record holds); already `pending` changes nothing; a `verified`
 * connector is 409 `sso_connector_already_verified`.
 */
export const beginSsoConnectorVerification = defineOperation({
  name: 'beginSsoConnectorVerification',
  codes: CLOUDFLARE_CODES,
  input: oneSchema,
  guard: onAccount(CLOUDFLARE_ACTIONS.ssoEdit),
  run(
    state: SourceState,
    input: z.input<typeof oneSchema>,
    ctx: ManageContext,
  ): OpResult<CloudflareBeginVerification> {
    const q = parseInput(oneSchema, input);
    cloudflareAccount(state, q.account_id);
    const old = findSsoConnector(state, q.account_id, q.sso_connector_id);
    const body: CloudflareBeginVerification = { success: true, errors: [], messages: [] };
    if (old.verification.status === 'verified')
      throw new SeedError('sso_connector_already_verified', 409, `sso connector \`${old.id}\`: the domain \`${old.emailDomain}\` is already verified`);
    if (old.verification.status === 'pending') return done(state, body, []);
    const next = touched(old, { verification: { code: old.verification.code, status: 'pending' } }, ctx);
    return done(state, body, [{ op: 'put', entity: 'ssoConnector', value: next }]);
  },
});

const completeSchema = z.strictObject({
  account_id: z.string().min(1),
  sso_connector_id: z.string().min(1),
  /** The TXT records the host read from the domain's DNS (each record's strings joined). */
  dns_txt_records: z.array(z.string().max(4096)).max(1000),
});

/**
 * Not a seed route: the end of a verification the host ran. A `pending` connector becomes `verified` when one of
 * the domain's TXT records equals its code (surrounding spaces ignored), `failed` otherwise; any other state is
 * 409 `sso_connector_not_pending` (begin the verification first).
 */
export const completeSsoConnectorVerification = defineOperation({
  name: 'completeSsoConnectorVerification',
  codes: CLOUDFLARE_CODES,
  input: completeSchema,
  // no subject runs it: the TXT records must be what the host read from DNS, not what a caller says they are
  guard: 'system',
  run(
    state: SourceState,
    input: z.input<typeof completeSchema>,
    ctx: ManageContext,
  ): OpResult<CloudflareEnvelope<CloudflareSsoConnector>> {
    const q = parseInput(completeSchema, input);
    cloudflareAccount(state, q.account_id);
    const old = findSsoConnector(state, q.account_id, q.sso_connector_id);
    if (old.verification.status !== 'pending')
      throw new SeedError(
        'sso_connector_not_pending',
        409,
        `sso connector \`${old.id}\`: verification is \`${old.verification.status}\`, not \`pending\`: begin the verification first`,
      );
    const found = q.dns_txt_records.some((r) => r.trim() === old.verification.code);
    const next = touched(old, { verification: { code: old.verification.code, status: found ? 'verified' : 'failed' } }, ctx);
    const changes: Change[] = [{ op: 'put', entity: 'ssoConnector', value: next }];
    return done(state, envelope(ssoConnectorView(next)), changes);
  },
});
