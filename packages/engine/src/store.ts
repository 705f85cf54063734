import type {
  Account,
  Binding,
  DynamicMembership,
  Group,
  HierarchyNode,
  Policy,
  Principal,
  RegisteredResource,
  ResourceGroup,
  Role,
  Service,
  Source,
} from './model/source.js';
import type { SsoConnector } from './model/sso-connector.js';
import type { StoreError } from './errors.js';

/** Every kind of row a source holds, with the value type of each. */
export interface EntityTypes {
  account: Account;
  principal: Principal;
  group: Group;
  service: Service;
  role: Role;
  policy: Policy;
  resourceGroup: ResourceGroup;
  node: HierarchyNode;
  binding: Binding;
  resource: RegisteredResource;
  membership: DynamicMembership;
  ssoConnector: SsoConnector;
}
export type EntityName = keyof EntityTypes;

/** The entity names in a fixed order: parents before children, so a replayed change log never dangles. */
export const ENTITY_NAMES: readonly EntityName[] = [
  'account',
  'service',
  'role',
  'principal',
  'node',
  'group',
  'resourceGroup',
  'policy',
  'binding',
  'resource',
  'membership',
  'ssoConnector',
];

/** Which array of the source holds each entity. */
export const ENTITY_FIELDS = {
  account: 'accounts',
  principal: 'principals',
  group: 'groups',
  service: 'services',
  role: 'roles',
  policy: 'policies',
  resourceGroup: 'resourceGroups',
  node: 'nodes',
  binding: 'bindings',
  resource: 'resources',
  membership: 'memberships',
  ssoConnector: 'ssoConnectors',
} as const satisfies { [E in EntityName]: keyof Source };

/**
 * One row-level change: put (insert or replace) a whole row, or delete the row with a key.
 * Row-level diffs, not operations, so a store never needs to know the management API to replay them.
 */
export type Change =
  | { [E in EntityName]: { op: 'put'; entity: E; value: EntityTypes[E] } }[EntityName]
  | { op: 'delete'; entity: EntityName; key: string };

/** The unique key of a row within its entity (principals and groups are unique per account). */
export function entityKey<E extends EntityName>(entity: E, value: EntityTypes[E]): string {
  switch (entity) {
    case 'principal':
    case 'group': {
      const v = value as Principal | Group;
      return `${v.accountId}/${v.id}`;
    }
    case 'service':
      return (value as Service).name;
    case 'membership': {
      const m = value as DynamicMembership;
      // principal and group ids may hold `/`: the unit separator keeps the parts apart
      return `${m.accountId}/${m.principalId}\u001f${m.groupId}\u001f${m.realm}`;
    }
    default:
      return (value as { id: string }).id;
  }
}

/** Applies changes to a source and returns a new source; the input is not modified. */
export function applyChanges(source: Source, changes: readonly Change[]): Source {
  const next: Source = { ...source };
  const touched = new Map<EntityName, Map<string, unknown>>();
  for (const change of changes) {
    let rows = touched.get(change.entity);
    if (!rows) {
      const field = ENTITY_FIELDS[change.entity];
      rows = new Map((source[field] as EntityTypes[EntityName][]).map((v) => [entityKey(change.entity, v), v]));
      touched.set(change.entity, rows);
    }
    if (change.op === 'put') rows.set(entityKey(change.entity, change.value), change.value);
    else rows.delete(change.key);
  }
  for (const [entity, rows] of touched) {
    (next as unknown as Record<string, unknown[]>)[ENTITY_FIELDS[entity]] = [...rows.values()];
  }
  return next;
}

/** A source and the revision it was read at. */
export interface Snapshot {
  source: Source;
  revision: number;
  /**
   * True when the store itself checked this source with parseSource (on load or on every commit that built it), so an
   * engine need not parse it again. A store that cannot promise it leaves it out and the engine parses.
   */
  validated?: boolean;
}

/** What every store implements: all-or-nothing commits with optimistic concurrency, and a change feed. */
export interface Store {
  /** The whole current source and its revision (0 for an empty store). */
  load(): Promise<Snapshot>;
  /** Writes all changes or none; refused with StoreError `revision_conflict` when `expectedRevision` is stale. */
  commit(changes: Change[], expectedRevision: number): Promise<{ revision: number }>;
  /** The changes committed after `revision`, in order, for another process to catch up. */
  changesSince(revision: number): Promise<{ changes: Change[]; revision: number }>;
  close(): Promise<void>;
  /**
   * Announces every revision committed to the store, by any process, until the feed is closed. Optional: a store
   * without it (memory) has no other writers to hear of. Announcements may skip or repeat revisions, and none
   * arrive while the feed is disconnected, so a follower always reads what it missed with `changesSince`.
   */
  watch?(listener: FeedListener): StoreFeed;
}

/** What a store's change feed tells its follower. */
export interface FeedListener {
  /** A revision was committed; the store is at least at `revision`. */
  onRevision(revision: number): void;
  /**
   * The feed lost its connection (`connected: false`, with the error) or has it again (`connected: true`, after
   * which the follower catches up: announcements sent while it was away are gone).
   */
  onStatus(status: { connected: boolean; error?: StoreError }): void;
}

/** A running change feed; closing it stops its connection and timers. */
export interface StoreFeed {
  close(): Promise<void>;
}
