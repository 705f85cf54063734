export * from './model/index.js';
export { ValidationError, SeedError, StoreError, formatIssues } from './errors.js';
export type { Issue, ValidationCode, StoreErrorCode } from './errors.js';
export { ENTITY_NAMES, ENTITY_FIELDS, entityKey, applyChanges } from './store.js';
export type { EntityTypes, EntityName, Change, Snapshot, Store } from './store.js';
export { prepareCommit, deepFreeze, ENTITY_SCHEMAS } from './prepare-commit.js';
export type { PreparedCommit } from './prepare-commit.js';
