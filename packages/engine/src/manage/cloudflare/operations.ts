// The Cloudflare account IAM operations (seed 003) by name, for a host that routes requests to them.
import {
  createAccountMember,
  getAccountMember,
  listAccountMembers,
  removeAccountMember,
  updateAccountMember,
} from './account-members.js';
import { getPermissionGroup, listPermissionGroups } from './permission-groups.js';
import {
  createResourceGroup,
  deleteResourceGroup,
  getResourceGroup,
  listResourceGroups,
  updateResourceGroup,
} from './resource-groups.js';
import {
  addUserGroupMembers,
  listUserGroupMembers,
  removeUserGroupMember,
  updateUserGroupMembers,
} from './user-group-members.js';
import {
  beginSsoConnectorVerification,
  completeSsoConnectorVerification,
  createSsoConnector,
  deleteSsoConnector,
  getSsoConnector,
  listSsoConnectors,
  updateSsoConnector,
} from './sso-connectors.js';
import { createUserGroup, deleteUserGroup, getUserGroup, listUserGroups, updateUserGroup } from './user-groups.js';

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
