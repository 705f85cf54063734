// The Cloudflare account IAM operations (seed 003) by name, for a host that routes requests to them.
import {
  createAccountMember,
  getAccountMember,
  listAccountMembers,
  removeAccountMember,
  updateAccountMember,
} from './cloudflare-account-members.js';
import { getPermissionGroup, listPermissionGroups } from './cloudflare-permission-groups.js';
import {
  createResourceGroup,
  deleteResourceGroup,
  getResourceGroup,
  listResourceGroups,
  updateResourceGroup,
} from './cloudflare-resource-groups.js';
import {
  addUserGroupMembers,
  listUserGroupMembers,
  removeUserGroupMember,
  updateUserGroupMembers,
} from './cloudflare-user-group-members.js';
import {
  beginSsoConnectorVerification,
  completeSsoConnectorVerification,
  createSsoConnector,
  deleteSsoConnector,
  getSsoConnector,
  listSsoConnectors,
  updateSsoConnector,
} from './cloudflare-sso-connectors.js';
import { createUserGroup, deleteUserGroup, getUserGroup, listUserGroups, updateUserGroup } from './cloudflare-user-groups.js';

/** Every Cloudflare account IAM operation, keyed by the seed's operation name in camelCase. */
export const cloudflareOperations = {
  listPermissionGroups,
  getPermissionGroup,
  listResourceGroups,
  getResourceGroup,
  createResourceGroup,
  updateResourceGroup,
  deleteResourceGroup,
  listUserGroups,
  getUserGroup,
  createUserGroup,
  updateUserGroup,
  deleteUserGroup,
  listUserGroupMembers,
  addUserGroupMembers,
  updateUserGroupMembers,
  removeUserGroupMember,
  listAccountMembers,
  getAccountMember,
  createAccountMember,
  updateAccountMember,
  removeAccountMember,
  listSsoConnectors,
  getSsoConnector,
  createSsoConnector,
  updateSsoConnector,
  deleteSsoConnector,
  beginSsoConnectorVerification,
  completeSsoConnectorVerification,
} as const;
