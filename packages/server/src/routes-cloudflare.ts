// Cloudflare account IAM (seed 003) under `/client/v4`, the official SDK's base path: permission groups, resource
// groups, user groups and their members, account members, SSO connectors. Every response is the v4 envelope.
import { cloudflareOperations as c } from '@portcullis/engine';
import type { ManagementRoute } from './route-table.js';

/** The prefix of every Cloudflare route (the SDK's `baseURL` ends with it). */
export const CLOUDFLARE_PREFIX = '/client/v4';

const A = `${CLOUDFLARE_PREFIX}/accounts/:account_id`;
const cf = 'cloudflare' as const;
const PAGE = ['page', 'per_page'] as const;

/** Every Cloudflare route. */
export const CLOUDFLARE_ROUTES: readonly ManagementRoute[] = [
  { method: 'GET', url: `${A}/iam/permission_groups`, operation: c.listPermissionGroups, family: cf, query: ['id', 'name', ...PAGE] },
  { method: 'GET', url: `${A}/iam/permission_groups/:permission_group_id`, operation: c.getPermissionGroup, family: cf },
  { method: 'GET', url: `${A}/iam/resource_groups`, operation: c.listResourceGroups, family: cf, query: ['id', 'name', ...PAGE] },
  { method: 'POST', url: `${A}/iam/resource_groups`, operation: c.createResourceGroup, family: cf, body: ['scope', 'meta', 'name'] },
  { method: 'GET', url: `${A}/iam/resource_groups/:resource_group_id`, operation: c.getResourceGroup, family: cf },
  { method: 'PUT', url: `${A}/iam/resource_groups/:resource_group_id`, operation: c.updateResourceGroup, family: cf, body: ['scope', 'meta', 'name'] },
  { method: 'DELETE', url: `${A}/iam/resource_groups/:resource_group_id`, operation: c.deleteResourceGroup, family: cf },
  { method: 'GET', url: `${A}/iam/user_groups`, operation: c.listUserGroups, family: cf, query: ['id', 'name', 'fuzzyName', 'direction', ...PAGE] },
  { method: 'POST', url: `${A}/iam/user_groups`, operation: c.createUserGroup, family: cf, body: ['name', 'policies'] },
  { method: 'GET', url: `${A}/iam/user_groups/:user_group_id`, operation: c.getUserGroup, family: cf },
  { method: 'PUT', url: `${A}/iam/user_groups/:user_group_id`, operation: c.updateUserGroup, family: cf, body: ['name', 'policies'] },
  { method: 'DELETE', url: `${A}/iam/user_groups/:user_group_id`, operation: c.deleteUserGroup, family: cf },
  { method: 'GET', url: `${A}/iam/user_groups/:user_group_id/members`, operation: c.listUserGroupMembers, family: cf, query: ['direction', ...PAGE] },
  { method: 'POST', url: `${A}/iam/user_groups/:user_group_id/members`, operation: c.addUserGroupMembers, family: cf, body: ['members'] },
  { method: 'PUT', url: `${A}/iam/user_groups/:user_group_id/members`, operation: c.updateUserGroupMembers, family: cf, body: ['members'] },
  { method: 'DELETE', url: `${A}/iam/user_groups/:user_group_id/members/:member_id`, operation: c.removeUserGroupMember, family: cf },
  { method: 'GET', url: `${A}/members`, operation: c.listAccountMembers, family: cf, query: ['status', 'direction', ...PAGE] },
  { method: 'POST', url: `${A}/members`, operation: c.createAccountMember, family: cf, body: ['email', 'status'] },
  { method: 'GET', url: `${A}/members/:member_id`, operation: c.getAccountMember, family: cf },
  { method: 'PUT', url: `${A}/members/:member_id`, operation: c.updateAccountMember, family: cf, body: ['status'] },
  { method: 'DELETE', url: `${A}/members/:member_id`, operation: c.removeAccountMember, family: cf },
  { method: 'GET', url: `${A}/sso_connectors`, operation: c.listSsoConnectors, family: cf },
  { method: 'POST', url: `${A}/sso_connectors`, operation: c.createSsoConnector, family: cf, body: ['email_domain', 'use_fedramp_language'] },
  { method: 'GET', url: `${A}/sso_connectors/:sso_connector_id`, operation: c.getSsoConnector, family: cf },
  { method: 'PATCH', url: `${A}/sso_connectors/:sso_connector_id`, operation: c.updateSsoConnector, family: cf, body: ['enabled', 'use_fedramp_language'] },
  { method: 'DELETE', url: `${A}/sso_connectors/:sso_connector_id`, operation: c.deleteSsoConnector, family: cf },
  { method: 'POST', url: `${A}/sso_connectors/:sso_connector_id/begin_verification`, operation: c.beginSsoConnectorVerification, family: cf },
];
