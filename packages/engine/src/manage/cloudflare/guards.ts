// The guards of the Cloudflare account IAM operations (seed 003): reading needs `iam:read` (members `member:read`)
// on the account, writing `iam:edit` (`member:edit`). What a user group's policies grant is checked against what
// its creator holds by the no-escalation review, so a member policy never exceeds its creator's permissions.
// SSO connectors (the seed names no permission): `sso:read` and `sso:edit` on the account, the `sso` type the
// Administrator holds; the end of a verification is the host's own report of the domain's DNS, so `system` alone.
import { CLOUDFLARE_CODES } from '../access/codes.js';
import type { Guard, GuardRegistry } from '../access/guard.js';
import { accountTarget } from '../access/targets.js';
import { cloudflareOperations as cf } from './operations.js';

/** The Cloudflare permissions the management operations need. */
export const CLOUDFLARE_ACTIONS = {
  iamRead: 'iam:read',
  iamEdit: 'iam:edit',
  memberRead: 'member:read',
  memberEdit: 'member:edit',
  ssoRead: 'sso:read',
  ssoEdit: 'sso:edit',
} as const;

function onAccount<I>(action: string): Guard<I, unknown> {
  return {
    codes: CLOUDFLARE_CODES,
    check(gate, input) {
      const a = (input as Record<string, unknown> | null)?.['account_id'];
      gate.require(action, accountTarget(typeof a === 'string' && a !== '' ? a : gate.actor.accountId));
    },
  };
}

/** No subject runs it: the TXT records must be what the host read from DNS, not what a caller says they are. */
const systemOnly: Guard<unknown, unknown> = {
  codes: CLOUDFLARE_CODES,
  check(gate) {
    throw gate.forbidden();
  },
};

/** Registers the guards of every Cloudflare account IAM operation. */
export function registerCloudflareGuards(registry: GuardRegistry): void {
  const { iamRead, iamEdit, memberRead, memberEdit, ssoRead, ssoEdit } = CLOUDFLARE_ACTIONS;
  const table: [keyof typeof cf, string][] = [
    ['listPermissionGroups', iamRead],
    ['getPermissionGroup', iamRead],
    ['listResourceGroups', iamRead],
    ['getResourceGroup', iamRead],
    ['createResourceGroup', iamEdit],
    ['updateResourceGroup', iamEdit],
    ['deleteResourceGroup', iamEdit],
    ['listUserGroups', iamRead],
    ['getUserGroup', iamRead],
    ['createUserGroup', iamEdit],
    ['updateUserGroup', iamEdit],
    ['deleteUserGroup', iamEdit],
    ['listUserGroupMembers', iamRead],
    ['addUserGroupMembers', iamEdit],
    ['updateUserGroupMembers', iamEdit],
    ['removeUserGroupMember', iamEdit],
    ['listAccountMembers', memberRead],
    ['getAccountMember', memberRead],
    ['createAccountMember', memberEdit],
    ['updateAccountMember', memberEdit],
    ['removeAccountMember', memberEdit],
    ['listSsoConnectors', ssoRead],
    ['getSsoConnector', ssoRead],
    ['createSsoConnector', ssoEdit],
    ['updateSsoConnector', ssoEdit],
    ['deleteSsoConnector', ssoEdit],
    ['beginSsoConnectorVerification', ssoEdit],
  ];
  for (const [name, action] of table) registry.register(cf[name] as never, onAccount(action));
  registry.register(cf.completeSsoConnectorVerification as never, systemOnly as never);
}
