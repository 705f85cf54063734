// IBM Cloud IAM Access Groups v2 (seed 002) and IAM Policy Management v1 and v2 (seed 004), by the seeds' paths and
// statuses: 201 on create, 204 on delete and on a membership check, 207 for the per-item bodies.
import { ibmAccessGroupOperations as g, ibmPolicyOperations as p } from '@portcullis/engine';
import type { ManagementRoute } from './route-table.js';

const GROUP = '/v2/groups/:access_group_id';
const ibm = 'ibm' as const;
const PAGE = ['limit', 'offset'] as const;
const RULE_BODY = ['name', 'expiration', 'realm_name', 'conditions'] as const;
const POLICY_FILTERS = ['account_id', 'accept_language', 'iam_id', 'access_group_id', 'type', 'service_type', 'service_name', 'tag_name', 'tag_value', 'sort', 'format', 'state'] as const;
const V1_BODY = ['type', 'description', 'subjects', 'roles', 'resources'] as const;
const V2_BODY = ['type', 'description', 'subject', 'control', 'resource', 'rule', 'pattern'] as const;

/** Every IBM route. */
export const IBM_ROUTES: readonly ManagementRoute[] = [
  { method: 'POST', url: '/v2/groups', operation: g.createAccessGroup, family: ibm, status: 201, query: ['account_id'], body: ['name', 'description'] },
  { method: 'GET', url: '/v2/groups', operation: g.listAccessGroups, family: ibm, query: ['account_id', 'iam_id', 'sort', 'show_federated', 'hide_public_access', ...PAGE] },
  { method: 'GET', url: GROUP, operation: g.getAccessGroup, family: ibm, query: ['account_id', 'show_federated'] },
  { method: 'PATCH', url: GROUP, operation: g.updateAccessGroup, family: ibm, query: ['account_id'], body: ['name', 'description'], ifMatch: true },
  { method: 'DELETE', url: GROUP, operation: g.deleteAccessGroup, family: ibm, status: 204, query: ['account_id', 'force'] },
  { method: 'PUT', url: `${GROUP}/members`, operation: g.addMembersToAccessGroup, family: ibm, status: 207, query: ['account_id'], body: ['members'] },
  { method: 'GET', url: `${GROUP}/members`, operation: g.listAccessGroupMembers, family: ibm, query: ['account_id', 'type', 'verbose', 'sort', ...PAGE] },
  { method: 'HEAD', url: `${GROUP}/members/:iam_id`, operation: g.isMemberOfAccessGroup, family: ibm, status: 204, query: ['account_id'] },
  { method: 'DELETE', url: `${GROUP}/members/:iam_id`, operation: g.removeMemberFromAccessGroup, family: ibm, status: 204, query: ['account_id'] },
  { method: 'POST', url: `${GROUP}/members/delete`, operation: g.removeMembersFromAccessGroup, family: ibm, status: 207, query: ['account_id'], body: ['members'] },
  { method: 'DELETE', url: '/v2/groups/_allgroups/members/:iam_id', operation: g.removeMemberFromAllAccessGroups, family: ibm, status: 207, query: ['account_id'] },
  { method: 'PUT', url: '/v2/groups/_allgroups/members/:iam_id', operation: g.addMemberToMultipleAccessGroups, family: ibm, status: 207, query: ['account_id'], body: ['type', 'groups'] },
  { method: 'POST', url: `${GROUP}/rules`, operation: g.addAccessGroupRule, family: ibm, status: 201, query: ['account_id'], body: RULE_BODY },
  { method: 'GET', url: `${GROUP}/rules`, operation: g.listAccessGroupRules, family: ibm, query: ['account_id'] },
  { method: 'GET', url: `${GROUP}/rules/:rule_id`, operation: g.getAccessGroupRule, family: ibm, query: ['account_id'] },
  { method: 'PUT', url: `${GROUP}/rules/:rule_id`, operation: g.replaceAccessGroupRule, family: ibm, query: ['account_id'], body: RULE_BODY, ifMatch: true },
  { method: 'DELETE', url: `${GROUP}/rules/:rule_id`, operation: g.removeAccessGroupRule, family: ibm, status: 204, query: ['account_id'] },

  { method: 'GET', url: '/v1/policies', operation: p.listPolicies, family: ibm, query: POLICY_FILTERS },
  { method: 'POST', url: '/v1/policies', operation: p.createPolicy, family: ibm, status: 201, query: ['accept_language'], body: V1_BODY },
  { method: 'PUT', url: '/v1/policies/:policy_id', operation: p.updatePolicy, family: ibm, query: ['accept_language'], body: V1_BODY, ifMatch: true },
  { method: 'GET', url: '/v1/policies/:policy_id', operation: p.getPolicy, family: ibm },
  { method: 'DELETE', url: '/v1/policies/:policy_id', operation: p.deletePolicy, family: ibm, status: 204 },
  { method: 'PATCH', url: '/v1/policies/:policy_id', operation: p.patchPolicy, family: ibm, body: ['state'], ifMatch: true },
  { method: 'GET', url: '/v2/policies', operation: p.listV2Policies, family: ibm, query: [...POLICY_FILTERS, 'service_group_id', 'limit', 'start'] },
  { method: 'POST', url: '/v2/policies', operation: p.createV2Policy, family: ibm, status: 201, query: ['accept_language'], body: V2_BODY },
  { method: 'PUT', url: '/v2/policies/:policy_id', operation: p.replaceV2Policy, family: ibm, query: ['accept_language'], body: V2_BODY, ifMatch: true },
  { method: 'GET', url: '/v2/policies/:policy_id', operation: p.getV2Policy, family: ibm, query: ['format'] },
  { method: 'DELETE', url: '/v2/policies/:policy_id', operation: p.deleteV2Policy, family: ibm, status: 204 },
];
