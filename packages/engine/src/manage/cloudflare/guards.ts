// The guard shapes of the Cloudflare account IAM operations (seed 003), each operation names its own beside it:
// reading needs `iam:read` (members `member:read`)
// on the account, writing `iam:edit` (`member:edit`). What a user group's policies grant is checked against what
// its creator holds by the no-escalation review, so a member policy never exceeds its creator's permissions.
// SSO connectors (the seed names no permission): `sso:read` and `sso:edit` on the account, the `sso` type the
// Administrator holds; the end of a verification is the host's own report of the domain's DNS, so `system` alone.
import type { GuardRules } from '../access/guard.js';
import { accountTarget } from '../access/targets.js';

/** The Cloudflare permissions the management operations need. */
export const CLOUDFLARE_ACTIONS = {
  iamRead: 'iam:read',
  iamEdit: 'iam:edit',
  memberRead: 'member:read',
  memberEdit: 'member:edit',
  ssoRead: 'sso:read',
  ssoEdit: 'sso:edit',
} as const;

/** `action` on the account the input names in `account_id` (the actor's own when it names none). */
export function onAccount<I>(action: string): GuardRules<I, unknown> {
  return {
    check(gate, input) {
      const a = (input as Record<string, unknown> | null)?.['account_id'];
      gate.require(action, accountTarget(typeof a === 'string' && a !== '' ? a : gate.actor.accountId));
    },
  };
}
