/** The naive evaluator that the compiled one is checked against, straight from SEMANTICS.md. */
export { referenceAuthorize } from './reference-evaluator.js';
/** The reference glob of `stringMatch` (`*`, `?`, `{{*}}`, `{{?}}`), for checking a compiled matcher. */
export { referenceGlobMatch } from './reference-evaluator.js';
/** The reference action-pattern rule (`p === a`, or a trailing `*` over a strictly longer action). */
export { referenceActionMatch } from './reference-evaluator.js';
/** The fixed instant every generated time is placed around. */
export { BASE_TIME } from './arbitraries.js';
/** Valid sources over IBM, Cloudflare and BlueXP accounts, built from tiny pools so ids collide. */
export { arbSource } from './arbitraries.js';
/** Requests aimed at one source: its own ids, actions, values and boundary times, plus strangers. */
export { arbRequest } from './arbitraries.js';
/** A source with a few requests aimed at it. */
export { arbSourceAndRequests } from './arbitraries.js';
/** Formats an instant as ISO 8601 at a written UTC offset, as the seeds write times. */
export { isoAtOffset } from './arbitraries.js';
/** Options of arbSource. */
export type { ArbSourceOptions } from './arbitraries.js';
/** Options of arbRequest. */
export type { ArbRequestOptions } from './arbitraries.js';
/** The three seed systems an account can follow. */
export type { SeedSystem } from './arbitraries.js';
// Policy test kit (issue #6): variations of a user's source, ready properties, scenario files with coverage.
/** Variations of a user's own source, valid by construction, shrinking towards fewer policies and members. */
export { arbSourceLike, arbPolicyFrom, arbSourceWithPolicy } from './kit-source-like.js';
/** Options of arbSourceLike. */
export type { ArbSourceLikeOptions } from './kit-source-like.js';
/** Ready properties to run on a user's source, each a fast-check property. */
export {
  denyWinsProperty,
  noCrossAccountGrantProperty,
  inactivePrincipalProperty,
  expiredMembershipProperty,
  allowMonotonicProperty,
  denyMonotonicProperty,
  compiledEqualsReferenceProperty,
  KIT_PROPERTIES,
} from './kit-properties.js';
/** Names, options and shapes of the ready properties. */
export type { KitPropertyName, KitPropertyOptions, KitCase, KitProperty } from './kit-properties.js';
/** Runs the ready properties on a source and returns a report. */
export { checkProperties } from './kit-check-properties.js';
/** Options and report of checkProperties. */
export type { CheckPropertiesOptions, KitPropertyResult, KitReport } from './kit-check-properties.js';
/** The scenario file format and its validation. */
export { parseScenarioFile, scenarioFileSchema, scenarioCaseSchema, caseRequest } from './scenario-file.js';
/** A scenario file and one case, as written. */
export type { ScenarioFile, ScenarioCase } from './scenario-file.js';
/** Reads a scenario file and its source from disk. */
export { loadScenarioFile } from './scenario-load.js';
/** A loaded scenario. */
export type { LoadedScenario } from './scenario-load.js';
/** Runs a scenario's cases and reports pass, fail and coverage. */
export { runScenario, caseFailures } from './scenario-run.js';
/** Shapes of a scenario run. */
export type { ScenarioReport, ScenarioCaseResult, ScenarioInput, RunScenarioOptions } from './scenario-run.js';
/** Coverage of a source by decided requests. */
export { scenarioCoverage } from './scenario-coverage.js';
/** Shapes of coverage. */
export type { ScenarioCoverage, ClaimRuleRef } from './scenario-coverage.js';
/** One test per scenario case, with a test function such as vitest's `it`. */
export { defineScenarioTests } from './scenario-vitest.js';
/** Shapes of defineScenarioTests. */
export type { TestFunction, DefineScenarioTestsOptions } from './scenario-vitest.js';
/** Empties every memo slot of compiled tables (what a decision writes while it runs), for proving memos never decide. */
export { clearMemos } from '../compile/memo.js';
/** The flat layout of compiled tables as comparable strings, for proving the incremental path leaves what a fresh compile builds. */
export { layoutSnapshot } from './layout-snapshot.js';
