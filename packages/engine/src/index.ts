// The public surface of @portcullis/engine, listed by name.
export {
  parseSource,
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
  attributeConditionSchema,
  tagConditionSchema,
  resourceSelectorSchema,
  claimRuleSchema,
  claimConditionSchema,
  ruleSchema,
  ATTRIBUTE_OPERATORS,
  CLAIM_OPERATORS,
  RULE_OPERATORS,
  MAX_ANY_OF,
  isValidActionPattern,
  parseScope,
} from './model/index.js';
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
export { compileGlob, matchGlob } from './compile/glob.js';
export type { Glob } from './compile/glob.js';
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
export type { Engine, EngineOptions } from './engine/engine.js';
export { applyChanges, entityKey, ENTITY_NAMES, ENTITY_FIELDS } from './store.js';
export type { Store, Change, Snapshot, EntityName, EntityTypes } from './store.js';
export { prepareCommit, deepFreeze, ENTITY_SCHEMAS } from './prepare-commit.js';
export type { PreparedCommit } from './prepare-commit.js';
