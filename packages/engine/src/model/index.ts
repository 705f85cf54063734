export { parseSource, zodIssues, findForbiddenKeys } from './parse-source.js';
export {
  SOURCE_VERSION,
  PUBLIC_ACCESS_GROUP_ID,
  LIMITS,
  sourceSchema,
  accountSchema,
  principalSchema,
  groupSchema,
  serviceSchema,
  roleSchema,
  policySchema,
  resourceGroupSchema,
  nodeSchema,
  bindingSchema,
  registeredResourceSchema,
  membershipSchema,
  scopeSchema,
  actionPatternSchema,
  isValidActionPattern,
} from './source.js';
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
  HierarchyNode,
  Binding,
  RegisteredResource,
  DynamicMembership,
} from './source.js';
export { attributeConditionSchema, tagConditionSchema, resourceSelectorSchema, ATTRIBUTE_OPERATORS, MAX_ANY_OF } from './attribute.js';
export type { AttributeCondition, AttributeOperator, TagCondition, ResourceSelector } from './attribute.js';
export { claimRuleSchema, claimConditionSchema, CLAIM_OPERATORS, claimString } from './claim-rule.js';
export type { ClaimRule, ClaimCondition, ClaimOperator } from './claim-rule.js';
export {
  ruleSchema,
  ruleLeafSchema,
  RULE_OPERATORS,
  CURRENT_TIME,
  CURRENT_DATE_TIME,
  DAY_OF_WEEK,
  checkLeaf,
  isRuleGroup,
  resourceAttributeOfKey,
} from './rule-condition.js';
export type { Rule, RuleLeaf, RuleOperator } from './rule-condition.js';
export { parseScope } from './scope.js';
export type { ScopeTarget } from './scope.js';
export { FORBIDDEN_KEYS } from './primitives.js';
export { ssoConnectorSchema, emailDomainSchema, emailDomainOf, checkSsoConnectors, SSO_VERIFICATION_STATUSES } from './sso-connector.js';
export type { SsoConnector, SsoVerificationStatus } from './sso-connector.js';
