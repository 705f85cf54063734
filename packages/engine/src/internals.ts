// @portcullis/engine/internals: what tests, benches and tools reach below the public surface. Not a stable API: a name
// here may change in any release. Kept on an explicit subpath so the main surface (index.ts) lists only what a host needs.
export { SourceState } from './model/source-state.js';
export { runGuarded } from './manage/access/run-guarded.js';
// the bounds on a review's counted work, for the tests that assert on ReviewWork against them
export { MAX_PROBES, MAX_RUN_PROBES } from './manage/access/gate.js';
export { MAX_WITNESS_STEPS, MAX_RUN_WITNESS_STEPS } from './manage/access/witnesses.js';
export { ENTITY_SCHEMAS } from './prepare-commit.js';
export { compileGlob, matchGlob } from './compile/glob.js';
export type { Glob } from './compile/glob.js';
export {
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
export { ssoConnectorSchema, emailDomainOf } from './model/sso-connector.js';
export { duplicateKey, jsonSyntaxMessage } from './model/duplicate-key.js';
export { ibmAccessGroupCoreOperations } from './manage/ibm/access-groups.js';
export { ibmGroupMemberOperations } from './manage/ibm/group-members.js';
export { ibmClaimRuleOperations } from './manage/ibm/claim-rules.js';
