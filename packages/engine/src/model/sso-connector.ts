// A Cloudflare SSO connector (seed 003, "IAM SSO"): an email domain of an account whose users must sign in
// through SSO once the connector is verified and enabled. Kept apart from source.ts: one concept per file.
import { z } from 'zod';
import { idSchema, instantSchema } from './primitives.js';

/** The states of a connector's DNS verification, as the seed names them: `awaiting -> pending -> verified | failed`. */
export const SSO_VERIFICATION_STATUSES = ['awaiting', 'pending', 'verified', 'failed'] as const;
export type SsoVerificationStatus = (typeof SSO_VERIFICATION_STATUSES)[number];

/** A lowercase DNS name with at least two labels, as an email's domain part is written. */
export const emailDomainSchema = z
  .string()
  .min(3)
  .max(253)
  .refine((s) => /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(s), {
    message: 'must be a lowercase domain name such as `example.com`',
  });

/** A connector: 32-character id, the email domain it gates, its state, and its DNS verification. */
export const ssoConnectorSchema = z
  .strictObject({
    id: idSchema.refine((s) => s.length === 32, { message: 'an sso connector id is 32 characters' }),
    accountId: idSchema,
    emailDomain: emailDomainSchema,
    /** Only a verified connector can be enabled; an enabled one gates its domain's users. */
    enabled: z.boolean().default(false),
    /** Controls the display of FedRAMP language to the user during SSO login. */
    useFedrampLanguage: z.boolean().default(false),
    verification: z.strictObject({
      /** The DNS TXT record content that proves ownership of the domain. */
      code: z.string().min(1).max(256),
      status: z.enum(SSO_VERIFICATION_STATUSES).default('awaiting'),
    }),
    createdOn: instantSchema.optional(),
    updatedOn: instantSchema.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.enabled && c.verification.status !== 'verified')
      ctx.addIssue({ code: 'custom', path: ['enabled'], message: 'an sso connector is enabled only once its domain is verified' });
  });
export type SsoConnector = z.infer<typeof ssoConnectorSchema>;

/**
 * The domain of an email address (the part after the last `@`) as a DNS name, the way mail reaches it: lowercased,
 * without the trailing dots of an absolute name, and a name with non-ASCII characters as IDNA reads it (UTS 46:
 * full-width letters and dots, ignorable marks, punycode), so `bob@Corp.Example.` and `bob@ｃｏｒｐ．example` are of
 * `corp.example`; undefined when there is none.
 */
export function emailDomainOf(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  if (at < 0) return undefined;
  let domain = email.slice(at + 1);
  // INVARIANT: every spelling of one domain is one domain here, or a gate keyed by it misses the other spellings.
  // Only a non-ASCII name pays for the URL parser (a name it refuses is compared as written)
  // eslint-disable-next-line no-control-regex
  if (/[^\u0000-\u007f]/.test(domain)) {
    try {
      domain = new URL(`http://${domain}`).hostname;
    } catch {
      // not a host name: as written
    }
  }
  domain = domain.replace(/\.+$/, '').toLowerCase();
  return domain === '' ? undefined : domain;
}

/**
 * The mailbox an email address names, as one key: the local part lowercased (as the member and user routes always
 * compared it) and the domain as emailDomainOf reads it, so `bob@x.example`, `Bob@X.Example.` and `bob@ｘ.example`
 * are one mailbox: one person, who may be one member of an account, not two principals the SSO gate reads as one.
 */
export function mailboxOf(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return email.toLowerCase();
  return `${email.slice(0, at).toLowerCase()}@${emailDomainOf(email) ?? ''}`;
}

/** The cross-row checks of SSO connectors: unique ids, a known account, one connector per email domain of an account. */
export function checkSsoConnectors(
  connectors: readonly SsoConnector[],
  accountIds: ReadonlySet<string>,
  add: (path: (string | number)[], message: string) => void,
): void {
  const ids = new Set<string>();
  const domains = new Set<string>();
  connectors.forEach((c, i) => {
    if (ids.has(c.id)) add(['ssoConnectors', i, 'id'], `duplicate sso connector id \`${c.id}\``);
    ids.add(c.id);
    if (!accountIds.has(c.accountId)) add(['ssoConnectors', i, 'accountId'], `unknown account \`${c.accountId}\``);
    const key = `${c.accountId}\u0000${c.emailDomain}`;
    if (domains.has(key)) add(['ssoConnectors', i, 'emailDomain'], `another sso connector of the account has the domain \`${c.emailDomain}\``);
    domains.add(key);
  });
}
