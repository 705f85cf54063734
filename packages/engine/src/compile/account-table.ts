import { PUBLIC_ACCESS_GROUP_ID } from '../model/source.js';
import { createIdentityIndex } from './identity-index.js';
import type { AccountTable, GroupEntry, PrincipalEntry } from './tables.js';

/** A group entry with an empty index. */
export function createGroup(id: string): GroupEntry {
  return { id, federated: false, index: createIdentityIndex(), mark: 0 };
}

/** A principal entry, unregistered until its row is applied. */
export function createPrincipal(id: string): PrincipalEntry {
  return {
    id,
    kind: 'user',
    active: false,
    index: createIdentityIndex(),
    staticGroups: [],
    ownBuckets: null,
    ownVersion: -1,
    dynamic: [],
    directBindingUntil: Number.NEGATIVE_INFINITY,
    projects: [],
    email: undefined,
  };
}

/** An account with nothing in it: public access on, no gates. */
export function createAccount(id: string): AccountTable {
  return {
    id,
    publicAccess: true,
    thirdPartyServicesEnabled: true,
    saasEnabled: true,
    sso: null,
    principals: new Map(),
    groups: new Map(),
    publicGroup: createGroup(PUBLIC_ACCESS_GROUP_ID),
    claimRules: new Map(),
    serviceIndex: createIdentityIndex(),
    nodes: new Map(),
    expiries: [],
    timeRules: false,
  };
}

/** The table of an account, created on first mention. */
export function account(tables: Map<string, AccountTable>, id: string): AccountTable {
  let a = tables.get(id);
  if (!a) {
    a = createAccount(id);
    tables.set(id, a);
  }
  return a;
}

/** The entry of a group of an account, created on first mention. */
export function groupOf(a: AccountTable, id: string): GroupEntry {
  if (id === PUBLIC_ACCESS_GROUP_ID) return a.publicGroup;
  let g = a.groups.get(id);
  if (!g) {
    g = createGroup(id);
    a.groups.set(id, g);
  }
  return g;
}

/** The entry of a principal of an account, created on first mention. */
export function principalOf(a: AccountTable, id: string): PrincipalEntry {
  let p = a.principals.get(id);
  if (!p) {
    p = createPrincipal(id);
    a.principals.set(id, p);
  }
  return p;
}
