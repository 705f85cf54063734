// The store kit: what every store (memory, SQLite, PostgreSQL) shares beside the Store port of store.ts: the row
// codecs of the entity tables, the revision checks, and the helpers that keep snapshots frozen.
// Exported as `@portcullis/engine/store-kit` for store implementations; not part of the engine's main surface.
export type { Store, Snapshot, ChangesSince, Change, EntityName, EntityTypes, FeedListener, StoreFeed } from '../store.js';
export { applyChanges, entityKey, ENTITY_NAMES, ENTITY_FIELDS } from '../model/entities.js';
export { prepareCommit, deepFreeze } from '../prepare-commit.js';
export type { PreparedCommit } from '../prepare-commit.js';
export {
  SPECS,
  POLICY_COLUMNS,
  parse,
  freezeJson,
  policyDecoder,
  decodeEntityRows,
  listsByParent,
  policyRowKey,
  type Row,
  type Params,
  type ChildSpec,
  type TableSpec,
} from './row-codecs.js';
export { checkRevision, expectRevision } from './revision.js';
export { checkExpectedDigest, expectDigest, GENESIS_DIGEST, isHistoryDigest, nextHistoryDigest } from './history-digest.js';
export { freezeArrays, prepareFrozenCommit, catchUp, storedSnapshotSource } from './snapshot.js';
export { parseStoredSource, isParsedRow } from './parse-stored.js';
export {
  CHECKPOINT_FORMAT,
  CheckpointReader,
  DEFAULT_CHECKPOINT_EVERY,
  checkpointChecksum,
  decodeCheckpoint,
  encodeCheckpoint,
} from './checkpoint.js';
