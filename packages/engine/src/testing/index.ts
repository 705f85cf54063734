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
