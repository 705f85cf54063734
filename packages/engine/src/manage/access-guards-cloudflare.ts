// The guards of the Cloudflare account IAM operations (seed 003): reading needs `iam:read` (members `member:read`)
// on the account, writing `iam:edit` (`member:edit`). What a user group's policies grant is checked against what
// its creator holds by the no-escalation review, so a member policy never exceeds its creator's permissions.
import { CLOUDFLARE_CODES } from './access-codes.js';
import type { Guard, GuardRegistry } from './access-guard.js';
import { accountTarget } from './access-targets.js';
import { cloudflareOperations as cf } from './cloudflare-operations.js';

/** The Cloudflare permissions the management operations need. */
export const CLOUDFLARE_ACTIONS = {
  iamRead: 'iam:read',
  iamEdit: 'iam:edit',
  memberRead: 'member:read',
  memberEdit: 'member:edit',
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

/** Registers the guards of every Cloudflare account IAM operation. */
export function registerCloudflareGuards(registry: GuardRegistry): void {
  const { iamRead, iamEdit, memberRead, memberEdit } = CLOUDFLARE_ACTIONS;
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
  ];
  for (const [name, action] of table) registry.register(cf[name] as never, onAccount(action));
}
