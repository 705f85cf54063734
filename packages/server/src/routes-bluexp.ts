// NetApp BlueXP IAM (seed 000) and Tenancy (seed 001). The seeds name the components (hierarchy, users and user
// groups, role bindings, resources; account, authorize, resource, workspace) and the headers (`x-agent-id`,
// `x-user-token`) but print no paths, so these are ours, documented in the server README: Tenancy under
// `/bluexp/tenancy`, IAM under `/bluexp/iam/account/{account_id}`.
import { bluexpOperations as b } from '@portcullis/engine';
import type { ManagementRoute } from './route-table.js';

const T = '/bluexp/tenancy/account/:account_id';
const I = '/bluexp/iam/account/:account_id';
const bx = 'bluexp' as const;
const BINDING = ['roleId', 'nodeId', 'expiresAt'] as const;
const RESOURCE_BODY = ['resourceId', 'resourceType', 'resourceClass', 'name', 'cloud_id', 'projects', 'folders'] as const;

/** Every BlueXP route. */
export const BLUEXP_ROUTES: readonly ManagementRoute[] = [
  // Tenancy: account options, users' notification choice, migration, authorize, workspaces, resources
  { method: 'GET', url: T, operation: b.getAccountOptions, family: bx },
  { method: 'PATCH', url: T, operation: b.updateAccountOptions, family: bx, body: ['saasEnabled', 'thirdPartyServicesEnabled', 'CMNotificationOptIn'] },
  { method: 'PATCH', url: `${T}/update-user`, operation: b.updateAccountUser, family: bx, headers: ['x-user-token'], body: ['notificationOptIn'] },
  { method: 'GET', url: `${T}/notification-recipients`, operation: b.listNotificationRecipients, family: bx },
  { method: 'POST', url: `${T}/migrate`, operation: b.migrateAccount, family: bx, body: ['target_account_id', 'dry_run'] },
  // seed 001: authorize-user-is-in-account "only accepts the parameter 'accountId'": the user is the token's
  { method: 'GET', url: `${T}/authorize/user`, operation: b.authorizeUserInAccount, family: bx },
  { method: 'GET', url: `${T}/authorize/agent`, operation: b.authorizeAgentInAccount, family: bx, headers: ['x-agent-id'] },
  { method: 'GET', url: `${T}/workspace`, operation: b.listWorkspaces, family: bx },
  { method: 'POST', url: `${T}/workspace`, operation: b.createWorkspace, family: bx, status: 201, body: ['workspaceName'] },
  { method: 'PUT', url: `${T}/workspace/:workspace_id`, operation: b.renameWorkspace, family: bx, body: ['workspaceName'] },
  { method: 'DELETE', url: `${T}/workspace/:workspace_id`, operation: b.deleteWorkspace, family: bx },
  { method: 'GET', url: '/bluexp/tenancy/resource', operation: b.listResources, family: bx, query: ['account', 'resourceType', 'workspace', 'resourceClass', 'resourceId'] },
  { method: 'POST', url: `${T}/resource`, operation: b.createResource, family: bx, status: 201, headers: ['x-agent-id'], body: RESOURCE_BODY },
  { method: 'POST', url: `${T}/agent-resource`, operation: b.attachAgentResource, family: bx, status: 201, headers: ['x-agent-id'], body: ['mode', ...RESOURCE_BODY] },
  { method: 'POST', url: `${T}/account-resource`, operation: b.createAccountResource, family: bx, status: 201, body: RESOURCE_BODY },
  { method: 'DELETE', url: `${T}/resource/:resource_id`, operation: b.deleteResource, family: bx },
  // IAM: hierarchy
  { method: 'GET', url: `${I}/nodes`, operation: b.listNodes, family: bx, query: ['type', 'parentId'] },
  { method: 'POST', url: `${I}/folders`, operation: b.createFolder, family: bx, status: 201, body: ['name', 'parentId'] },
  { method: 'POST', url: `${I}/projects`, operation: b.createProject, family: bx, status: 201, body: ['name', 'parentId'] },
  { method: 'GET', url: `${I}/nodes/:node_id`, operation: b.getNode, family: bx },
  { method: 'PATCH', url: `${I}/nodes/:node_id`, operation: b.renameNode, family: bx, body: ['name'] },
  { method: 'POST', url: `${I}/nodes/:node_id/move`, operation: b.moveNode, family: bx, body: ['parentId'] },
  { method: 'DELETE', url: `${I}/nodes/:node_id`, operation: b.deleteNode, family: bx },
  // IAM: users, service accounts, agents
  { method: 'GET', url: `${I}/principals`, operation: b.listPrincipals, family: bx, query: ['kind'] },
  { method: 'POST', url: `${I}/users`, operation: b.createUser, family: bx, status: 201, body: ['id', 'email', 'name', 'status', ...BINDING] },
  { method: 'PATCH', url: `${I}/users/:principal_id`, operation: b.updateUser, family: bx, body: ['name', 'status'] },
  { method: 'DELETE', url: `${I}/users/:principal_id`, operation: b.deleteUser, family: bx },
  { method: 'POST', url: `${I}/service-accounts`, operation: b.createServiceAccount, family: bx, status: 201, body: ['id', 'name', ...BINDING] },
  { method: 'PATCH', url: `${I}/service-accounts/:principal_id`, operation: b.updateServiceAccount, family: bx, body: ['name', 'status'] },
  { method: 'DELETE', url: `${I}/service-accounts/:principal_id`, operation: b.deleteServiceAccount, family: bx },
  { method: 'POST', url: `${I}/agents`, operation: b.createAgent, family: bx, status: 201, body: ['id', 'name', 'projects'] },
  { method: 'PUT', url: `${I}/agents/:principal_id/projects`, operation: b.setAgentProjects, family: bx, body: ['projects'] },
  { method: 'DELETE', url: `${I}/agents/:principal_id`, operation: b.deleteAgent, family: bx },
  // IAM: user groups, role bindings, resource placement
  { method: 'GET', url: `${I}/usergroups`, operation: b.listUserGroups, family: bx, query: ['federated'], booleans: ['federated'] },
  { method: 'POST', url: `${I}/usergroups`, operation: b.createUserGroup, family: bx, status: 201, body: ['id', 'name', 'description', 'federated', 'members'] },
  { method: 'PATCH', url: `${I}/usergroups/:group_id`, operation: b.updateUserGroup, family: bx, body: ['name', 'description'] },
  { method: 'DELETE', url: `${I}/usergroups/:group_id`, operation: b.deleteUserGroup, family: bx },
  { method: 'POST', url: `${I}/usergroups/:group_id/members`, operation: b.addUserGroupMembers, family: bx, body: ['members'] },
  { method: 'DELETE', url: `${I}/usergroups/:group_id/members/:member_id`, operation: b.removeUserGroupMember, family: bx },
  { method: 'GET', url: `${I}/role-bindings`, operation: b.listRoleBindings, family: bx, query: ['nodeId', 'principalId', 'groupId'] },
  { method: 'POST', url: `${I}/role-bindings`, operation: b.createRoleBinding, family: bx, status: 201, body: ['subject', ...BINDING] },
  { method: 'DELETE', url: `${I}/role-bindings/:binding_id`, operation: b.deleteRoleBinding, family: bx },
  { method: 'POST', url: `${I}/resources/:resource_id/associate`, operation: b.associateResource, family: bx, body: ['projects', 'folders'] },
  { method: 'POST', url: `${I}/resources/:resource_id/dissociate`, operation: b.dissociateResource, family: bx, body: ['projects', 'folders'] },
  { method: 'DELETE', url: `${I}/resources/:resource_id/agent`, operation: b.removeResourceFromAgent, family: bx },
  // IAM: the permission and resourcegroup components (seed 000), read-only
  { method: 'GET', url: `${I}/permissions`, operation: b.listPermissions, family: bx, query: ['role_id'] },
  { method: 'GET', url: `${I}/permissions/:permission`, operation: b.getPermission, family: bx },
  { method: 'GET', url: `${I}/resource-groups`, operation: b.listResourceGroups, family: bx },
  { method: 'GET', url: `${I}/resource-groups/:resource_group_id`, operation: b.getResourceGroup, family: bx },
];
