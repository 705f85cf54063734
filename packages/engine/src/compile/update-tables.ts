import { compileClaim } from './compile-matchers.js';
import { compileSso } from './compile-sso.js';
import {
  account,
  compile,
  compileBinding,
  compileNodes,
  compilePolicy,
  groupOf,
  indexPolicy,
  principalOf,
  resolveResource,
  resolveResourceGroups,
  bucketOf,
  dropIfEmpty,
  NO_CANDIDATES,
} from './compile-source.js';
import type { AccountTable, IdentityIndex, Tables } from './tables.js';
import { PUBLIC_ACCESS_GROUP_ID, type Binding, type Group, type Policy } from '../model/source.js';
import type { SourceState } from '../manage/source-state.js';
import { entityKey, type Change } from '../store.js';

function indexOf(a: AccountTable, subject: Policy['subject'] | Binding['subject']): IdentityIndex | undefined {
  if (subject.kind === 'principal') return a.principals.get(subject.id)?.index;
  if (subject.kind === 'group') return subject.id === PUBLIC_ACCESS_GROUP_ID ? a.publicGroup.index : a.groups.get(subject.id)?.index;
  return a.serviceIndex;
}

/** Removes a policy's candidates, visiting only the buckets its roles could have put it in. */
function unindex(tables: Tables, accountId: string, subject: Policy['subject'] | Binding['subject'], id: string, roleIds: readonly string[]): void {
  const a = tables.accounts.get(accountId);
  const index = a === undefined ? undefined : indexOf(a, subject);
  if (index === undefined) return;
  for (const roleId of roleIds) {
    for (const [pattern] of tables.catalog.grants.get(roleId) ?? []) {
      const bucket = bucketOf(index, tables.actions, pattern, false);
      if (bucket === undefined) continue;
      if (bucket.deny !== NO_CANDIDATES) bucket.deny = bucket.deny.filter((c) => c.policy.id !== id);
      if (bucket.allow !== NO_CANDIDATES) bucket.allow = bucket.allow.filter((c) => c.policy.id !== id);
      bucket.accel = undefined;
      dropIfEmpty(index, tables.actions, pattern);
    }
  }
}

function addPolicy(tables: Tables, p: Policy): void {
  if (p.state === 'deleted') return;
  const cp = compilePolicy(p, tables.resourceGroupTargets, tables.attributeNames);
  const a = account(tables.accounts, p.accountId);
  if (cp.rule !== null) a.timeRules = true;
  indexPolicy(a, p.subject, cp, p.roles, tables.catalog);
  tables.size++;
}

function removePolicy(tables: Tables, p: Policy): void {
  if (p.state === 'deleted') return;
  unindex(tables, p.accountId, p.subject, p.id, p.roles);
  tables.size--;
}

function addBinding(tables: Tables, b: Binding, state: SourceState): void {
  const a = account(tables.accounts, b.accountId);
  const group = b.subject.kind === 'group' ? state.get('group', `${b.accountId}/${b.subject.id}`) : undefined;
  if (b.expiresAt !== undefined) insertSorted(a.expiries, Date.parse(b.expiresAt));
  indexPolicy(a, b.subject, compileBinding(b, group?.federated === true), [b.roleId], tables.catalog);
  tables.size++;
}

function insertSorted(list: number[], t: number): void {
  if (Number.isNaN(t)) return;
  let i = list.length;
  while (i > 0 && list[i - 1]! > t) i--;
  list.splice(i, 0, t);
}

function refreshDirectBindings(a: AccountTable, principalId: string, state: SourceState): void {
  const pe = a.principals.get(principalId);
  if (pe === undefined) return;
  let until = Number.NEGATIVE_INFINITY;
  for (const b of state.list('binding', a.id)) {
    if (b.subject.kind !== 'principal' || b.subject.id !== principalId) continue;
    const t = b.expiresAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(b.expiresAt);
    if (!Number.isNaN(t) && t > until) until = t;
  }
  pe.directBindingUntil = until;
}

function updateGroup(a: AccountTable, before: Group | undefined, after: Group | undefined): void {
  const id = (after ?? before)!.id;
  if (id === PUBLIC_ACCESS_GROUP_ID) return;
  const entry = groupOf(a, id);
  for (const m of before?.members ?? []) {
    const pe = a.principals.get(m);
    if (pe !== undefined) pe.staticGroups = pe.staticGroups.filter((g) => g !== entry);
  }
  for (const [realm, rules] of a.claimRules) {
    const kept = rules.filter((r) => r.group !== entry);
    if (kept.length === 0) a.claimRules.delete(realm);
    else if (kept.length !== rules.length) a.claimRules.set(realm, kept);
  }
  if (after === undefined) {
    for (const pe of a.principals.values()) pe.dynamic = pe.dynamic.filter((d) => d.group !== entry);
    a.groups.delete(id);
    return;
  }
  entry.federated = after.federated === true;
  for (const m of after.members ?? []) principalOf(a, m).staticGroups.push(entry);
  for (const rule of after.rules ?? []) {
    const list = a.claimRules.get(rule.realmName) ?? [];
    list.push({ group: entry, ruleId: rule.id, conditions: (rule.conditions ?? []).map((c) => compileClaim(c.claim, c.operator, c.value)) });
    a.claimRules.set(rule.realmName, list);
  }
}

/**
 * Updates tables in place for changes that took `before` to `after`, touching only what the changes name:
 * one policy or one member costs the same whatever the number of policies. Role and service changes, which
 * reach every policy, recompile everything. Returns the tables to use (the same object, or a fresh compile).
 */
export function updateTables(tables: Tables, before: Pick<SourceState, 'get'>, after: SourceState, changes: readonly Change[]): Tables {
  if (changes.some((c) => c.entity === 'role' || c.entity === 'service')) return compile(after.toSource());
  // INVARIANT: any change may change what a principal's static groups hold: gathered buckets are dropped
  tables.version++;
  // the last change of a row decides; compare that row with the row before the whole batch
  const last = new Map<string, Change>();
  for (const c of changes) {
    const key = `${c.entity}\u0000${c.op === 'put' ? entityKey(c.entity, c.value as never) : c.key}`;
    last.set(key, c);
  }
  const rgAccounts = new Set<string>();
  const nodeAccounts = new Set<string>();
  const ssoAccounts = new Set<string>();
  for (const [tag, c] of last) {
    const key = tag.slice(tag.indexOf('\u0000') + 1);
    switch (c.entity) {
      case 'policy': {
        const old = before.get('policy', key);
        if (old !== undefined) removePolicy(tables, old);
        const neu = after.get('policy', key);
        if (neu !== undefined) addPolicy(tables, neu);
        break;
      }
      case 'binding': {
        const old = before.get('binding', key);
        if (old !== undefined) {
          unindex(tables, old.accountId, old.subject, old.id, [old.roleId]);
          tables.size--;
        }
        const neu = after.get('binding', key);
        if (neu !== undefined) addBinding(tables, neu, after);
        for (const b of [old, neu]) {
          if (b?.subject.kind === 'principal') refreshDirectBindings(account(tables.accounts, b.accountId), b.subject.id, after);
        }
        break;
      }
      case 'group': {
        const old = before.get('group', key);
        const neu = after.get('group', key);
        const accountId = (neu ?? old)?.accountId;
        if (accountId === undefined) break;
        updateGroup(account(tables.accounts, accountId), old, neu);
        if (old !== undefined && neu !== undefined && old.federated !== neu.federated) {
          // bindings to the group carry its federated flag: recompile them
          for (const b of after.list('binding', accountId)) {
            if (b.subject.kind !== 'group' || b.subject.id !== neu.id) continue;
            unindex(tables, b.accountId, b.subject, b.id, [b.roleId]);
            tables.size--;
            addBinding(tables, b, after);
          }
        }
        break;
      }
      case 'principal': {
        const neu = after.get('principal', key);
        const old = before.get('principal', key);
        const row = neu ?? old;
        if (row === undefined) break;
        const pe = principalOf(account(tables.accounts, row.accountId), row.id);
        pe.kind = row.kind;
        pe.active = neu !== undefined && (neu.status ?? 'active') === 'active';
        pe.projects = neu?.projects ?? [];
        pe.email = neu?.email;
        break;
      }
      case 'membership': {
        const old = before.get('membership', key);
        const neu = after.get('membership', key);
        const row = neu ?? old;
        if (row === undefined) break;
        const a = account(tables.accounts, row.accountId);
        const pe = principalOf(a, row.principalId);
        if (old !== undefined) pe.dynamic = pe.dynamic.filter((d) => !(d.group.id === old.groupId && d.realm === old.realm));
        if (neu !== undefined && a.groups.has(neu.groupId)) {
          const expiresAt = Date.parse(neu.expiresAt);
          const loginAt = Date.parse(neu.loginAt);
          if (!Number.isNaN(expiresAt) && !Number.isNaN(loginAt)) {
            pe.dynamic = [...pe.dynamic, { group: groupOf(a, neu.groupId), realm: neu.realm, loginAt, expiresAt, expiresAtIso: neu.expiresAt }];
            insertSorted(a.expiries, loginAt);
            insertSorted(a.expiries, expiresAt);
          }
        }
        break;
      }
      case 'account': {
        const neu = after.get('account', key);
        if (neu === undefined) tables.accounts.delete(key);
        else {
          const a = account(tables.accounts, key);
          a.publicAccess = neu.publicAccess !== false;
          a.thirdPartyServicesEnabled = neu.options?.thirdPartyServicesEnabled !== false;
          a.saasEnabled = neu.options?.saasEnabled !== false;
          ssoAccounts.add(key);
        }
        break;
      }
      case 'resource': {
        const neu = after.get('resource', key);
        if (neu === undefined) tables.resources.delete(key);
        else tables.resources.set(key, resolveResource(neu, tables.resources.get(key)?.num ?? tables.nextResourceNum++));
        break;
      }
      case 'node': {
        // a node that moved account leaves the old one: both are rebuilt
        for (const row of [before.get('node', key), after.get('node', key)]) if (row !== undefined) nodeAccounts.add(row.accountId);
        break;
      }
      case 'ssoConnector': {
        for (const row of [before.get('ssoConnector', key), after.get('ssoConnector', key)]) if (row !== undefined) ssoAccounts.add(row.accountId);
        break;
      }
      case 'resourceGroup': {
        for (const row of [before.get('resourceGroup', key), after.get('resourceGroup', key)]) if (row !== undefined) rgAccounts.add(row.accountId);
        break;
      }
    }
  }
  for (const accountId of ssoAccounts) {
    const a = tables.accounts.get(accountId);
    if (a !== undefined) compileSso(a, after.list('ssoConnector', accountId));
  }
  for (const accountId of nodeAccounts) {
    const a = account(tables.accounts, accountId);
    a.nodes.clear();
    compileNodes(after.list('node', accountId), tables.accounts);
  }
  for (const accountId of rgAccounts) {
    for (const rg of [...tables.resourceGroupTargets.keys()]) if (!after.get('resourceGroup', rg)) tables.resourceGroupTargets.delete(rg);
    for (const [id, targets] of resolveResourceGroups({ resourceGroups: after.list('resourceGroup', accountId) })) {
      tables.resourceGroupTargets.set(id, targets);
    }
    // policies naming a resource group carry its targets: recompile them
    for (const p of after.list('policy', accountId)) {
      if (p.resource.resourceGroups === undefined || p.resource.resourceGroups.length === 0) continue;
      removePolicy(tables, p);
      addPolicy(tables, p);
    }
  }
  return tables;
}
