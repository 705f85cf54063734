import type { AccountTable, SsoGate } from './tables.js';
import type { SsoConnector } from '../model/sso-connector.js';

/** Sets an account's SSO gate from its connectors: only enabled, verified ones gate; none leaves it null. */
export function compileSso(a: AccountTable, connectors: readonly SsoConnector[]): void {
  let gates: Map<string, SsoGate> | null = null;
  for (const c of connectors) {
    if (c.accountId !== a.id || c.enabled !== true || c.verification.status !== 'verified') continue;
    (gates ??= new Map()).set(c.emailDomain, { id: c.id, emailDomain: c.emailDomain });
  }
  a.sso = gates;
}
