// The BlueXP IAM and Tenancy operations (seeds 000 and 001) by name, for a host that routes requests to them.
import { authorizeAgentInAccount, authorizeUserInAccount } from './authorize.js';
import { createFolder, createProject, deleteNode, getNode, listNodes, moveNode, renameNode } from './hierarchy.js';
import {
  createAgent,
  createServiceAccount,
  createUser,
  deleteAgent,
  deleteServiceAccount,
  deleteUser,
  listPrincipals,
  setAgentProjects,
  updateServiceAccount,
  updateUser,
} from './principals.js';
import {
  associateResource,
  createResource,
  deleteResource,
  dissociateResource,
  listResources,
  removeResourceFromAgent,
} from './resources.js';
import { getPermission, listPermissions } from './permissions.js';
import { getResourceGroup, listResourceGroups } from './resource-groups.js';
import { createRoleBinding, deleteRoleBinding, listRoleBindings } from './role-bindings.js';
import {
  addUserGroupMembers,
  createUserGroup,
  deleteUserGroup,
  listUserGroups,
  removeUserGroupMember,
  updateUserGroup,
} from './user-groups.js';
import { migrateAccount } from './tenancy-migration.js';
import {
  getAccountOptions,
  listNotificationRecipients,
  updateAccountOptions,
  updateAccountUser,
} from './tenancy-options.js';
import { attachAgentResource, createAccountResource, deleteServiceResource } from './tenancy-resources.js';
import { createWorkspace, deleteWorkspace, listWorkspaces, renameWorkspace } from './workspaces.js';

/** Every BlueXP IAM and Tenancy operation, keyed by name. */
export const bluexpOperations = {
  createFolder,
  createProject,
  getNode,
  listNodes,
  renameNode,
  moveNode,
  deleteNode,
  listWorkspaces,
  createWorkspace,
  renameWorkspace,
  deleteWorkspace,
  createResource,
  listResources,
  associateResource,
  dissociateResource,
  removeResourceFromAgent,
  deleteResource,
  createUser,
  updateUser,
  deleteUser,
  listPrincipals,
  createServiceAccount,
  updateServiceAccount,
  deleteServiceAccount,
  createAgent,
  setAgentProjects,
  deleteAgent,
  createUserGroup,
  listUserGroups,
  updateUserGroup,
  deleteUserGroup,
  addUserGroupMembers,
  removeUserGroupMember,
  createRoleBinding,
  deleteRoleBinding,
  listRoleBindings,
  listPermissions,
  getPermission,
  listResourceGroups,
  getResourceGroup,
  authorizeUserInAccount,
  authorizeAgentInAccount,
  attachAgentResource,
  createAccountResource,
  deleteServiceResource,
  getAccountOptions,
  updateAccountOptions,
  updateAccountUser,
  listNotificationRecipients,
  migrateAccount,
} as const;
