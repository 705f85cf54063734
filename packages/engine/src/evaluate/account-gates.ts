import type { AccountTable, PrincipalEntry, ServiceInfo } from '../compile/tables.js';
import { emailDomainOf } from '../model/sso-connector.js';
import type { Decision, RequestSubject } from './types.js';

/** The connector gating a domain in the account, if any. */
function gateOfDomain(account: AccountTable, domain: string | undefined) {
  return domain === undefined ? undefined : account.sso!.get(domain);
}

/**
 * The domain of a principal's registered email, read once per email and kept on its entry (a memo slot, see
 * PrincipalEntry.emailDomain): a row that changes the email makes the next request read the new one.
 */
function storedDomainOf(p: PrincipalEntry): string | undefined {
  const email = p.email;
  // Stryker disable next-line ConditionalExpression: forced true reads the email again at each request (speed only)
  if (p.emailDomainFor !== email) {
    p.emailDomain = email === undefined ? undefined : emailDomainOf(email);
    p.emailDomainFor = email;
  }
  return p.emailDomain;
}

/**
 * The gates checked before any identity or policy (SEMANTICS §0.1): the SSO login gate, then the account options
 * (SaaS off, a third-party service switched off). Null when the request goes on to the policies. Each costs one
 * check when it cannot apply.
 */
export function accountGate(
  account: AccountTable | undefined,
  subject: RequestSubject,
  resourceService: ServiceInfo | undefined,
  services: ReadonlyMap<string, ServiceInfo>,
): Decision | null {
  if (account === undefined) return null;
  if (account.sso !== null && subject.sso !== true) {
    // both emails are read (the stored one when the request's own meets no gate): a request asserting an email of another domain does not slip a gated principal past the gate
    // (every caller passes a subject resolveRequest checked, or one it builds: email and id are strings or absent)
    let gate = gateOfDomain(account, subject.email === undefined ? undefined : emailDomainOf(subject.email));
    if (gate === undefined) {
      const stored = subject.id === undefined ? undefined : account.principals.get(subject.id);
      if (stored !== undefined) gate = gateOfDomain(account, storedDomainOf(stored));
    }
    if (gate !== undefined)
      return { allowed: false, reason: 'sso-required', policies: [], ssoConnector: { id: gate.id, emailDomain: gate.emailDomain } };
  }
  if (!account.saasEnabled) return { allowed: false, reason: 'no-match', policies: [] };
  if (!account.thirdPartyServicesEnabled) {
    if (resourceService?.thirdParty === true) return { allowed: false, reason: 'no-match', policies: [] };
    const caller = subject.service?.['serviceName'];
    if (caller !== undefined && services.get(String(caller))?.thirdParty === true) return { allowed: false, reason: 'no-match', policies: [] };
  }
  return null;
}
