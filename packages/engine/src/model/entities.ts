// The entity catalogue: every kind of row a source holds, its key, and the row-level change that puts or deletes it.
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
} from './source.js';
import type { SsoConnector } from './sso-connector.js';

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
