// The public surface of @portcullis/engine, listed by name: what a host needs to load a source, decide, manage, store,
// analyse and extend access control. Internals that tests and tools reach for (the entity schemas, SourceState as a
// value, runGuarded, the glob compiler) are on the explicit subpath `@portcullis/engine/internals` (src/internals.ts);
// test/public-surface.test.ts holds this list, so a change to it is a visible decision.
export { parseSource, SOURCE_VERSION, PUBLIC_ACCESS_GROUP_ID, LIMITS, sourceSchema } from './model/index.js';
export type {
  Source,
  SourceInput,
  Account,
  Principal,
  Group,
  Service,
  Role,
  Policy,
  PolicySubject,
  ResourceGroup,
  Scope,
  ScopeTarget,
  HierarchyNode,
  Binding,
  RegisteredResource,
  DynamicMembership,
  AttributeCondition,
  AttributeOperator,
  TagCondition,
  ResourceSelector,
  ClaimRule,
  ClaimCondition,
  ClaimOperator,
  Rule,
  RuleLeaf,
  RuleOperator,
} from './model/index.js';
export { ValidationError, SeedError, StoreError } from './errors.js';
export type { Issue, ValidationCode, StoreErrorCode } from './errors.js';
export { compile } from './compile/compile-source.js';
export type { Tables } from './compile/tables.js';
export { authorize, authorizeMany } from './evaluate/authorize.js';
export type {
  AuthorizeRequest,
  AuthorizeOptions,
  RequestSubject,
  RequestResource,
  RequestScalar,
  Decision,
  DecisionReason,
  Explanation,
  IdentityPath,
} from './evaluate/types.js';
export { createEngine, createEngineFromStore } from './engine/engine.js';
export type { Engine, EngineOptions, ApplyOptions } from './engine/engine.js';
export type { ReviewWork } from './manage/access/run-guarded.js';
export type { FollowOptions, FollowStatus } from './engine/follow.js';
export type { DecisionRecord, DecisionHookOptions, DecisionTracer, DecisionSpan } from './engine/decision-hooks.js';
// The Store port and the types it speaks in; the helpers a store implementation uses (entity keys and fields,
// applyChanges, prepareCommit, deepFreeze, row codecs) are on `@portcullis/engine/store-kit`.
export type { Store, Snapshot, FeedListener, StoreFeed } from './store.js';
export type { Change, EntityName, EntityTypes } from './model/entities.js';
// Management operations: pure `(state, input, ctx) -> OpResult`, run through `engine.apply`; SourceState is the state
// they read (a type here: a host builds one only to call an operation outside an engine, from ./internals).
export type { SourceState } from './model/source-state.js';
export type { Actor } from './manage/actor.js';
export type { ManageContext, OpResult, Operation, OperationInput, OperationResult } from './manage/operation.js';
// IBM Policy Management (seed 004): v1 and v2 policy operations, usage figures.
export {
  ibmPolicyOperations,
  listPolicies,
  createPolicy,
  updatePolicy,
  getPolicy,
  deletePolicy,
  patchPolicy,
  listV2Policies,
  createV2Policy,
  replaceV2Policy,
  getV2Policy,
  deleteV2Policy,
  recordPermits,
} from './manage/ibm/policies.js';
export type {
  IbmPolicyV1Body,
  IbmPolicyV2Body,
  ListPoliciesInput,
  ListV2PoliciesInput,
  PolicyIdInput,
  UpdatePolicyInput,
  ReplaceV2PolicyInput,
  PatchPolicyInput,
  GetV2PolicyInput,
  IbmPolicyList,
  IbmV2PolicyList,
  PermitRecord,
  WithEtag,
} from './manage/ibm/policies.js';
export { IBM_POLICY_LIMITS } from './manage/ibm/policy-checks.js';
export type { IbmPolicyV1, IbmPolicyV2, IbmPolicyRole, IbmPolicyAttribute, IbmPolicyAction } from './manage/ibm/policy-wire.js';
// IBM Cloud IAM Access Groups (seed 002): groups, members, claim rules, login (dynamic membership).
export {
  ibmAccessGroupOperations,
  createAccessGroup,
  listAccessGroups,
  getAccessGroup,
  updateAccessGroup,
  deleteAccessGroup,
} from './manage/ibm/access-groups.js';
export type {
  AccessGroupBody,
  AccessGroupResult,
  AccessGroupList,
  CreateAccessGroupInput,
  ListAccessGroupsInput,
  GetAccessGroupInput,
  UpdateAccessGroupInput,
  DeleteAccessGroupInput,
} from './manage/ibm/access-groups.js';
export {
  addMembersToAccessGroup,
  listAccessGroupMembers,
  isMemberOfAccessGroup,
  removeMemberFromAccessGroup,
  removeMembersFromAccessGroup,
  removeMemberFromAllAccessGroups,
  addMemberToMultipleAccessGroups,
  IBM_MEMBER_TYPES,
} from './manage/ibm/group-members.js';
export type {
  IbmMemberType,
  AddGroupMemberItem,
  AddMembersToAccessGroupInput,
  AddedMember,
  AddMembersResult,
  ListAccessGroupMembersInput,
  GroupMemberBody,
  GroupMemberList,
  GroupMemberInput,
  RemoveMembersFromAccessGroupInput,
  RemoveMembersResult,
  RemoveMemberFromAllAccessGroupsInput,
  RemoveFromAllResult,
  AddMemberToMultipleAccessGroupsInput,
  AddToMultipleResult,
} from './manage/ibm/group-members.js';
export {
  addAccessGroupRule,
  listAccessGroupRules,
  getAccessGroupRule,
  replaceAccessGroupRule,
  removeAccessGroupRule,
  login,
} from './manage/ibm/claim-rules.js';
export type {
  ClaimRuleResult,
  ClaimRuleList,
  ClaimRuleBody,
  AddAccessGroupRuleInput,
  ListAccessGroupRulesInput,
  AccessGroupRuleInput,
  ReplaceAccessGroupRuleInput,
  LoginInput,
  LoginResult,
} from './manage/ibm/claim-rules.js';
export {
  isMemberOfGroup,
  MAX_GROUPS_PER_MEMBER,
  PUBLIC_ACCESS_GROUP_NAME,
  PUBLIC_ACCESS_GROUP_DESCRIPTION,
} from './manage/ibm/group-support.js';
// Cloudflare account IAM (seed 003) and NetApp BlueXP IAM and Tenancy (seeds 000, 001): management operations.
export { cloudflareOperations } from './manage/cloudflare/operations.js';
export type { CloudflareEnvelope, CloudflareResultInfo } from './manage/cloudflare/common.js';
export { CLOUDFLARE_ERROR_NUMBERS, cloudflareErrorBody, cloudflareErrorNumber } from './manage/cloudflare/errors.js';
export type { CloudflareErrorBody, CloudflareErrorObject } from './manage/cloudflare/errors.js';
export type { CloudflarePermissionGroup } from './manage/cloudflare/permission-groups.js';
export type { CloudflareResourceGroup } from './manage/cloudflare/resource-groups.js';
export type { CloudflareUserGroup, CloudflareUserGroupPolicy } from './manage/cloudflare/user-groups.js';
export type { CloudflareMember, CloudflareMemberStatus } from './manage/cloudflare/account-members.js';
export { bluexpOperations } from './manage/bluexp/operations.js';
export { authorizeUserInAccount, authorizeAgentInAccount } from './manage/bluexp/authorize.js';
export type { BluexpAuthorizeResult } from './manage/bluexp/authorize.js';
export type { BluexpNode } from './manage/bluexp/hierarchy.js';
export type { BluexpWorkspace } from './manage/bluexp/workspaces.js';
export type { BluexpResource } from './manage/bluexp/resources.js';
export type { BluexpPrincipal } from './manage/bluexp/principals.js';
export type { BluexpUserGroup } from './manage/bluexp/user-groups.js';
export type { BluexpRoleBinding } from './manage/bluexp/role-bindings.js';
// Access control of management operations (#8): guards keyed by operation, the seeds' 401/403, the default catalog
// of management services and roles, and the bootstrap of an account with one administrator.
export { GuardRegistry, createGuardRegistry } from './manage/access/guard.js';
export type { Guard, GuardRules, GuardRegistryOptions, Gate, AccessCodes, SubjectActor } from './manage/access/guard.js';
export { defaultGuards } from './manage/default-guards.js';
export { defineOperation } from './manage/define-operation.js';
export type { DefinedOperation, OperationDeclaration, OperationSpec } from './manage/define-operation.js';
export { IBM_GROUP_CODES, IBM_POLICY_CODES, CLOUDFLARE_CODES, BLUEXP_CODES } from './manage/access/codes.js';
export { policyTargets, nodeTarget, accessGroupTarget, policyServiceTarget, accountTarget } from './manage/access/targets.js';
export { IBM_ACTIONS } from './manage/ibm/guards.js';
export { CLOUDFLARE_ACTIONS } from './manage/cloudflare/guards.js';
export { BLUEXP_ACTIONS } from './manage/bluexp/guards.js';
export { IBM_ROLES, CLOUDFLARE_ROLES, BLUEXP_ROLES, DEFAULT_SERVICES, DEFAULT_ROLES } from './manage/catalog/default-catalog.js';
export { bootstrapAccount } from './manage/catalog/bootstrap.js';
export type { BootstrapAccountInput, BootstrapAccountResult } from './manage/catalog/bootstrap.js';
// Cloudflare SSO connectors (seed 003) and BlueXP Tenancy account migration, account options and agent resources
// (seed 001 FAQ), with the model rows they write; the decision gates they feed are SEMANTICS §0.1.
export { SSO_VERIFICATION_STATUSES } from './model/sso-connector.js';
export type { SsoConnector, SsoVerificationStatus } from './model/sso-connector.js';
export {
  createSsoConnector,
  listSsoConnectors,
  getSsoConnector,
  updateSsoConnector,
  deleteSsoConnector,
  beginSsoConnectorVerification,
  completeSsoConnectorVerification,
} from './manage/cloudflare/sso-connectors.js';
export type { CloudflareSsoConnector, CloudflareBeginVerification } from './manage/cloudflare/sso-connectors.js';
export { migrateAccount } from './manage/bluexp/tenancy-migration.js';
export type { BluexpMigrationPlan, BluexpMigrationConflict } from './manage/bluexp/tenancy-migration.js';
export { getAccountOptions, updateAccountOptions, updateAccountUser, listNotificationRecipients } from './manage/bluexp/tenancy-options.js';
export type { BluexpAccountOptions, BluexpUserNotification } from './manage/bluexp/tenancy-options.js';
export { attachAgentResource, createAccountResource, deleteServiceResource, ACCOUNT_RESOURCE_CLASSES } from './manage/bluexp/tenancy-resources.js';
// Reverse queries and analysis (issue #7): who can, what can, list resources, resource filters (predicate and SQL),
// permission diff, lint findings. Plain functions over tables or sources, ready to wire as `portcullis who/what/diff/lint`.
export { whoCan } from './analyze/who-can.js';
export type { WhoCanResult, AllowedPrincipal, AllowedGroup, MembersByRule, DeniedPrincipal, AllowedService, GrantPath, AccountGateReason } from './analyze/who-can.js';
export { whatCan } from './analyze/what-can.js';
export type { WhatCanResult, ActionGrant, PatternGrant } from './analyze/what-can.js';
export type { AnalyzeOptions } from './analyze/action-candidates.js';
export { listResources } from './analyze/list-resources.js';
export type { ListedResource, ListResourcesOptions } from './analyze/list-resources.js';
export { resourceFilter } from './analyze/resource-filter.js';
export type { ResourceFilter, ExactFilter, ResidualFilter, ResidualReason, ResourceFilterOptions } from './analyze/resource-filter.js';
export { evaluatePredicate, predicateAttributes } from './compile/predicate.js';
export type { Predicate } from './compile/predicate.js';
export { toSql, globIsSqlExact, quoteIdentifier } from './analyze/predicate-sql.js';
export type { SqlFilter } from './analyze/predicate-sql.js';
export { diff } from './analyze/permission-diff.js';
export type { PermissionDiff, Grant, GrantIdentity, GrantResource, ContextChange, DiffOptions } from './analyze/permission-diff.js';
export { lint } from './analyze/lint-source.js';
export type { Finding, FindingCode, LintOptions } from './analyze/lint-source.js';
// The AuthZEN Authorization API 1.0 (issue #16): evaluation, evaluations, searches and PDP metadata over an engine.
export { createAuthzen, toAuthzenDecision, AUTHZEN_PATHS } from './authzen/authzen.js';
export type { Authzen, AuthzenEngine, AuthzenOptions } from './authzen/authzen.js';
export { AUTHZEN_SUBJECT_TYPES } from './authzen/authzen-request.js';
export type {
  AuthzenSubject,
  AuthzenResource,
  AuthzenAction,
  AuthzenContext,
  AuthzenEvaluationRequest,
  AuthzenEvaluationsRequest,
  AuthzenDecision,
  AuthzenEvaluationsResponse,
  AuthzenPageRequest,
  AuthzenSearchRequest,
  AuthzenSearchResponse,
  AuthzenMetadata,
  EvaluationsSemantic,
} from './authzen/authzen-types.js';
