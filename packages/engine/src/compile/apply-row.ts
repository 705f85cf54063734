import { account, groupOf, principalOf } from './account-table.js';
import { compileClaim } from './compile-matchers.js';
import { createCompileCache, type CompileCache } from './compile-cache.js';
import { compileBinding, compilePolicy } from './compile-policy.js';
import { sealIndex, unstagePolicy } from './identity-index.js';
import { indexPolicy } from './index-policy.js';
import { resolveResource } from './resolve-resource.js';
import type { AccountTable, CompiledPolicy, IdentityIndex, Tables } from './tables.js';
import { PUBLIC_ACCESS_GROUP_ID, type Binding, type Group, type Policy } from '../model/source.js';
import type { SourceState } from '../model/source-state.js';
import type { EntityName, EntityTypes } from '../model/entities.js';

/** What applying a row reads besides the row itself: other rows of the source after the change, listed by account. */
export interface RowLookup {
  get: SourceState['get'];
  list<E extends EntityName>(entity: E, accountId: string): EntityTypes[E][];
}

/** How rows are applied: by compile to empty tables, or by an update to live ones. */
export interface RowContext {
  readonly tables: Tables;
  /** The source as it is after the rows. */
  readonly lookup: RowLookup;
  /** Compile: expiries are appended and sorted once at the end. An update inserts each one in order. */
  readonly bulk: boolean;
  /**
   * Accounts whose nodes, resource-group targets or SSO gates are rebuilt once all rows are applied (see
   * account-scopes.ts), and the identity indexes whose staged candidates sealRows places.
   */
  readonly dirty: { readonly nodes: Set<string>; readonly resourceGroups: Set<string>; readonly sso: Set<string>; readonly indexes: Set<IdentityIndex> };
  /** Matchers and attribute lists the rows' policies share; dropped with the context (compile-cache.ts). */
  readonly cache: CompileCache;
  /** Compile: every policy and binding compiled, in row order, for compile to rank once all are in. Null for an update. */
  readonly compiled: CompiledPolicy[] | null;
}

/** A fresh row context over tables. */
export function rowContext(tables: Tables, lookup: RowLookup, bulk: boolean): RowContext {
  const dirty = { nodes: new Set<string>(), resourceGroups: new Set<string>(), sso: new Set<string>(), indexes: new Set<IdentityIndex>() };
  return { tables, lookup, bulk, dirty, cache: createCompileCache(), compiled: bulk ? [] : null };
}

/** The identity index a policy or binding subject names, created on first mention, marked for sealing. */
function indexFor(ctx: RowContext, a: AccountTable, subject: Policy['subject'] | Binding['subject']): IdentityIndex {
  const index = subject.kind === 'principal' ? principalOf(a, subject.id).index : subject.kind === 'group' ? groupOf(a, subject.id).index : a.serviceIndex;
  ctx.dirty.indexes.add(index);
  return index;
}

function existingIndex(a: AccountTable, subject: Policy['subject'] | Binding['subject']): IdentityIndex | undefined {
  // Stryker disable next-line OptionalChaining: a principal's entry, once made by a row, leaves only with its account's table (a deleted principal row keeps it, inactive), and a removed policy or binding made it when it was added
  if (subject.kind === 'principal') return a.principals.get(subject.id)?.index;
  if (subject.kind === 'group') return subject.id === PUBLIC_ACCESS_GROUP_ID ? a.publicGroup.index : a.groups.get(subject.id)?.index;
  return a.serviceIndex;
}

/** Stages the removal of a policy's candidates from its subject's index. */
function unindex(ctx: RowContext, accountId: string, subject: Policy['subject'] | Binding['subject'], id: string): void {
  const a = ctx.tables.accounts.get(accountId);
  const index = a === undefined ? undefined : existingIndex(a, subject);
  if (index === undefined) return;
  unstagePolicy(index, id);
  ctx.dirty.indexes.add(index);
}

/**
 * Places what the rows staged: rebuilds the flat layout of every identity index they touched, and only those. Compile
 * and an update both end their rows with it; until it runs the tables must not be read.
 */
export function sealRows(ctx: RowContext): void {
  // called once per context, which is dropped after it: the set is not cleared
  for (const index of ctx.dirty.indexes) sealIndex(index, ctx.tables.strings);
}

function addExpiry(ctx: RowContext, a: AccountTable, t: number): void {
  if (Number.isNaN(t)) return;
  const list = a.expiries;
  // Stryker disable next-line ConditionalExpression: forced false, compile inserts each instant in order, and then sorts the list anyway (compile-source.ts): the same list, speed only; the mark also hides the killed `true` (an update appending out of order)
  if (ctx.bulk) return void list.push(t);
  let i = list.length;
  while (
    // Stryker disable next-line ConditionalExpression,EqualityOperator: `true` or `i >= 0` read list[-1], undefined, which compares false with `>` and stops the loop at 0 as the test does; the mark also hides the killed `false` (the loop never run) and `i <= 0`
    i > 0 &&
    // Stryker disable next-line EqualityOperator: `>=` puts an instant before its equals instead of after: the same list; the mark also hides the killed `<=`
    list[i - 1]! > t
  )
    i--;
  list.splice(i, 0, t);
}

/** Adds an active policy to the tables. */
export function addPolicy(ctx: RowContext, p: Policy): void {
  if (p.state === 'deleted') return;
  const t = ctx.tables;
  const cp = compilePolicy(p, t.resourceGroupTargets, t.attributeNames, ctx.cache);
  const a = account(t.accounts, p.accountId);
  if (cp.rule !== null) a.timeRules = true;
  ctx.compiled?.push(cp);
  indexPolicy(indexFor(ctx, a, p.subject), a.id, cp, p.roles, t.catalog, ctx.cache);
  t.size++;
}

/** Removes a policy that `addPolicy` added. */
export function removePolicy(ctx: RowContext, p: Policy): void {
  if (p.state === 'deleted') return;
  unindex(ctx, p.accountId, p.subject, p.id);
  ctx.tables.size--;
}

function addBinding(ctx: RowContext, b: Binding): void {
  const t = ctx.tables;
  const a = account(t.accounts, b.accountId);
  const group = b.subject.kind === 'group' ? ctx.lookup.get('group', `${b.accountId}/${b.subject.id}`) : undefined;
  // Stryker disable next-line ConditionalExpression: forced true, a binding without an expiry adds Date.parse(undefined), NaN, which addExpiry skips; the mark also hides the killed `false`
  if (b.expiresAt !== undefined) addExpiry(ctx, a, Date.parse(b.expiresAt));
  if (b.subject.kind === 'principal') {
    // a principal's direct bindings only ever extend its latest expiry when one is added; a removal recomputes it. An
    // expiry that cannot be read (NaN, the binding errored) compares false: it extends nothing, here or below
    const until = b.expiresAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(b.expiresAt);
    const pe = principalOf(a, b.subject.id);
    // Stryker disable next-line EqualityOperator: `>=` sets an equal bound again: the same value; the mark also hides the killed `<=`
    if (until > pe.directBindingUntil) pe.directBindingUntil = until;
  }
  const cp = compileBinding(b, group?.federated === true);
  ctx.compiled?.push(cp);
  indexPolicy(indexFor(ctx, a, b.subject), a.id, cp, [b.roleId], t.catalog, ctx.cache);
  t.size++;
}

function removeBinding(ctx: RowContext, b: Binding): void {
  unindex(ctx, b.accountId, b.subject, b.id);
  ctx.tables.size--;
  // Stryker disable next-line ConditionalExpression: forced false, a group binding's removal recomputes the latest direct binding of a principal of the same id, if there is one, from the rows of the state after the change, which is what it holds already (every change of those rows recomputes or extends it); the mark also hides the killed `true`
  if (b.subject.kind !== 'principal') return;
  // Stryker disable next-line OptionalChaining: only the binding rows of an update remove a principal's binding (applyGroup's rebind removes a group's), and an update applies them before its other rows, so the account's table is still there
  const pe = ctx.tables.accounts.get(b.accountId)?.principals.get(b.subject.id);
  // Stryker disable next-line ConditionalExpression: forced false, nothing changes: a principal binding's entry was made when the binding was added (principalOf) and leaves only with its account's table; the mark also hides the killed `true`
  if (pe === undefined) return;
  let until = Number.NEGATIVE_INFINITY;
  // the lookup is the state after the change: the removed row is gone from it, or is the row (same id) that the
  // addBinding following this removal adds, which raises the bound to its own expiry anyway, so it is not skipped here
  for (const other of ctx.lookup.list('binding', b.accountId)) {
    if (other.subject.kind !== 'principal' || other.subject.id !== b.subject.id) continue;
    const t = other.expiresAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(other.expiresAt);
    // Stryker disable next-line EqualityOperator: `>=` sets an equal bound again: the same value; the mark also hides the killed `<=`
    if (t > until) until = t;
  }
  pe.directBindingUntil = until;
}

function applyGroup(ctx: RowContext, a: AccountTable, before: Group | undefined, after: Group | undefined): void {
  const id = (after ?? before)!.id;
  const entry = groupOf(a, id);
  // a deleted group has the flag of none (the Public Access group's entry outlives its row)
  entry.federated = after?.federated === true;
  // bindings to the group carry its federated flag: recompile them when it changes. Compile applies groups before
  // bindings, which read the flag from the source then; an update applies its own bindings first. The Public Access
  // group too: parseSource lets bindings name it in every account, whether it has a row or not
  const wasFederated = before?.federated === true;
  if (
    !ctx.bulk &&
    // Stryker disable next-line ConditionalExpression: forced true, an update rebinds a group's bindings on every change of its row, each removed and added again from the same row with the same flag: the same candidates, speed only (its expiry listed again: a decision cache reads only the first instant after now)
    wasFederated !== entry.federated
  ) {
    for (const b of ctx.lookup.list('binding', a.id)) {
      // Stryker disable next-line LogicalOperator,ConditionalExpression: `&&`, the test forced false, or either term forced false rebinds more bindings (every group's, and a principal's of the same id), each removed and added again from the same row: the same candidates, speed only; the mark also hides the killed `true` (no rebind)
      if (b.subject.kind !== 'group' || b.subject.id !== id) continue;
      removeBinding(ctx, b);
      addBinding(ctx, b);
    }
  }
  if (id === PUBLIC_ACCESS_GROUP_ID) return;
  if (before !== undefined) {
    // Stryker disable next-line ArrayDeclaration: `before` is a row of the state an update changes, parsed, so its members are defaulted (only compile reads raw rows, and compile has no `before`)
    for (const m of before.members ?? []) {
      const pe = a.principals.get(m);
      // Stryker disable next-line ConditionalExpression: forced true, nothing changes: a member's entry was made when the group was applied (principalOf) and leaves only with its account's table; the mark also hides the killed `false`
      if (pe !== undefined) {
        pe.staticGroups = pe.staticGroups.filter((g) => g !== entry);
      }
    }
    // a realm whose rules the group's removal leaves unchanged gets an equal list again
    for (const [realm, rules] of a.claimRules) {
      const kept = rules.filter((r) => r.group !== entry);
      // Stryker disable next-line ConditionalExpression: forced false, a realm left with no rule keeps an empty list, which matches nothing as no list does (authorize and whoCan loop over it); the mark also hides the killed `true`
      if (kept.length === 0) a.claimRules.delete(realm);
      else a.claimRules.set(realm, kept);
    }
  }
  if (after === undefined) {
    // Stryker disable next-line MethodExpression,ConditionalExpression: a membership of a deleted group is a row the same batch deletes (parseSource refuses a membership of an unknown group), and its own row removes it, so keeping every membership (the filter dropped, or its test forced true) changes nothing; the mark also hides the killed `false`
    for (const pe of a.principals.values()) pe.dynamic = pe.dynamic.filter((d) => d.group !== entry);
    a.groups.delete(id);
    return;
  }
  // an indexed loop: see compile-source.ts, applyRows
  const members = after.members ?? [];
  for (let i = 0; i < members.length; i++) principalOf(a, members[i]!).staticGroups.push(entry);
  for (const rule of after.rules ?? []) {
    let list = a.claimRules.get(rule.realmName);
    if (list === undefined) a.claimRules.set(rule.realmName, (list = []));
    list.push({ group: entry, ruleId: rule.id, conditions: (rule.conditions ?? []).map((c) => compileClaim(c.claim, c.operator, c.value)) });
  }
}

/**
 * The table of a row's account: created on first mention by a row put, looked up for a row deleted, so that deleting
 * the rows of an account deleted earlier in the same batch leaves no table behind (a fresh compile has none).
 */
function rowAccount(t: Tables, accountId: string, put: boolean): AccountTable | undefined {
  return put ? account(t.accounts, accountId) : t.accounts.get(accountId);
}

/**
 * Applies one row's change, `before` to `after` (undefined: no such row), to the tables. The one path by which compile
 * builds tables (every row with `before` undefined) and an update changes them, so the two cannot drift apart. Roles and
 * services are not rows here: they reach every policy, and a change to them compiles afresh.
 */
export function applyRow<E extends Exclude<EntityName, 'role' | 'service'>>(
  ctx: RowContext,
  entity: E,
  before: EntityTypes[E] | undefined,
  after: EntityTypes[E] | undefined,
): void {
  const t = ctx.tables;
  const row = (after ?? before) as EntityTypes[E] | undefined;
  // Stryker disable next-line ConditionalExpression: forced false, no caller gets here: compile passes each row of a source's arrays and an update both sides of a key it changed, one of them a row; the mark also hides the killed `true`
  if (row === undefined) return;
  switch (entity) {
    case 'policy': {
      if (before !== undefined) removePolicy(ctx, before as Policy);
      if (after !== undefined) addPolicy(ctx, after as Policy);
      return;
    }
    case 'binding': {
      if (before !== undefined) removeBinding(ctx, before as Binding);
      if (after !== undefined) addBinding(ctx, after as Binding);
      return;
    }
    case 'group': {
      const a = rowAccount(t, (row as Group).accountId, after !== undefined);
      if (a !== undefined) applyGroup(ctx, a, before as Group | undefined, after as Group | undefined);
      return;
    }
    case 'principal': {
      const p = row as EntityTypes['principal'];
      const neu = after as EntityTypes['principal'] | undefined;
      const a = rowAccount(t, p.accountId, neu !== undefined);
      if (a === undefined) return;
      const pe = principalOf(a, p.id);
      pe.kind = p.kind;
      pe.active = neu !== undefined && (neu.status ?? 'active') === 'active';
      pe.projects = neu?.projects ?? [];
      pe.email = neu?.email;
      return;
    }
    case 'membership': {
      const m = row as EntityTypes['membership'];
      const old = before as EntityTypes['membership'] | undefined;
      const neu = after as EntityTypes['membership'] | undefined;
      const a = rowAccount(t, m.accountId, neu !== undefined);
      if (a === undefined) return;
      if (old !== undefined) {
        const pe = a.principals.get(old.principalId);
        // Stryker disable next-line ConditionalExpression: forced true, nothing changes: the membership's principal has an entry, made by its row (parseSource refuses a membership of an unknown principal), which leaves only with its account's table; the mark also hides the killed `false`
        if (pe !== undefined) {
          pe.dynamic = pe.dynamic.filter((d) => !(d.group.id === old.groupId && d.realm === old.realm));
        }
      }
      // a membership of a group of the source after the rows (parseSource refuses another): compile applies groups first,
      // but an update's batch may put the group after the membership, whose entry is then made here. A membership of
      // the Public Access group grants nothing (as the reference reads it)
      if (neu !== undefined && neu.groupId !== PUBLIC_ACCESS_GROUP_ID && ctx.lookup.get('group', `${m.accountId}/${neu.groupId}`) !== undefined) {
        const expiresAt = Date.parse(neu.expiresAt);
        const loginAt = Date.parse(neu.loginAt);
        // a membership whose times cannot be read grants nothing; it holds in [loginAt, expiresAt), so decisions
        // change at the login as at the expiry
        if (!Number.isNaN(expiresAt) && !Number.isNaN(loginAt)) {
          const pe = principalOf(a, neu.principalId);
          pe.dynamic = [...pe.dynamic, { group: groupOf(a, neu.groupId), realm: neu.realm, loginAt, expiresAt, expiresAtIso: neu.expiresAt }];
          addExpiry(ctx, a, loginAt);
          addExpiry(ctx, a, expiresAt);
        }
      }
      return;
    }
    case 'account': {
      const id = (row as EntityTypes['account']).id;
      const neu = after as EntityTypes['account'] | undefined;
      if (neu === undefined) {
        t.accounts.delete(id);
        return;
      }
      const a = account(t.accounts, id);
      a.publicAccess = neu.publicAccess !== false;
      a.thirdPartyServicesEnabled = neu.options?.thirdPartyServicesEnabled !== false;
      a.saasEnabled = neu.options?.saasEnabled !== false;
      // Stryker disable next-line CallExpression: compileSso reads the account's connectors and its id only, and a connector row marks its account itself, so an account row changes no gate (kept so that a rebuild follows any account change)
      ctx.dirty.sso.add(id);
      return;
    }
    case 'resource': {
      const id = (row as EntityTypes['resource']).id;
      const neu = after as EntityTypes['resource'] | undefined;
      if (neu === undefined) t.resources.delete(id);
      else {
        // Stryker disable next-line LogicalOperator,UpdateOperator: `num` is read by nothing (the decision cache keys its entries by the resource's id), so which number a resource gets decides nothing
        t.resources.set(id, resolveResource(neu, t.resources.get(id)?.num ?? t.nextResourceNum++));
      }
      return;
    }
    // a row that moved account leaves the old one: both accounts are rebuilt
    case 'node':
      for (const r of [before, after] as (EntityTypes['node'] | undefined)[]) if (r !== undefined) ctx.dirty.nodes.add(r.accountId);
      return;
    case 'ssoConnector':
      for (const r of [before, after] as (EntityTypes['ssoConnector'] | undefined)[]) if (r !== undefined) ctx.dirty.sso.add(r.accountId);
      return;
    case 'resourceGroup':
      // its targets go with the row; rebuildDirtyAccounts resolves them again from the state after the rows if it stays
      t.resourceGroupTargets.delete((row as EntityTypes['resourceGroup']).id);
      for (const r of [before, after] as (EntityTypes['resourceGroup'] | undefined)[]) if (r !== undefined) ctx.dirty.resourceGroups.add(r.accountId);
      return;
  }
}
