import { PUBLIC_ACCESS_GROUP_ID } from '../model/source.js';
import { createIdentityIndex } from './identity-index.js';
import type { AccountTable, GroupEntry, PrincipalEntry } from './tables.js';

/** A group entry with an empty index. */
export function createGroup(id: string): GroupEntry {
  return {
    id,
    // Stryker disable next-line BooleanLiteral: every group's row sets it (see createPrincipal's comment); the public group's, which may have no row, is never read
    federated: false,
    index: createIdentityIndex(),
    mark: 0,
  };
}

/*
 * The defaults below that a row sets (marked for StrykerJS) are never read: in a source parseSource accepts, every
 * account, principal and group mentioned has its row, and the row is applied before any decision reads the tables,
 * even when other rows of an update's batch mentioned the entry first (mutation-pins-small.test.ts: every field a row
 * sets is set by its row). A deleted account's rows leave no entry behind (apply-row.ts, rowAccount).
 */

/** A principal entry, unregistered until its row is applied. */
export function createPrincipal(id: string): PrincipalEntry {
  return {
    id,
    // Stryker disable next-line StringLiteral: set by the row before any read (see the comment above); evaluation reads the kind of an active principal only
    kind: 'user',
    active: false,
    index: createIdentityIndex(),
    staticGroups: [],
    ownBuckets: null,
    ownVersion: -1,
    dynamic: [],
    directBindingUntil: Number.NEGATIVE_INFINITY,
    // Stryker disable next-line ArrayDeclaration: set by the row before any read (see the comment above), or clears it when the row is deleted
    projects: [],
    email: undefined,
    emailDomain: undefined,
    emailDomainFor: null,
  };
}

/** An account with nothing in it: public access on, no gates. */
export function createAccount(id: string): AccountTable {
  return {
    id,
    // Stryker disable next-line BooleanLiteral: set by the row before any read (see the comment above)
    publicAccess: true,
    // Stryker disable next-line BooleanLiteral: set by the row before any read (see the comment above)
    thirdPartyServicesEnabled: true,
    // Stryker disable next-line BooleanLiteral: set by the row before any read (see the comment above)
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
