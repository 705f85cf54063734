import type { z } from 'zod';
import { ValidationError, type Issue } from '../errors.js';
import { FORBIDDEN_KEYS } from './primitives.js';
import { LIMITS, PUBLIC_ACCESS_GROUP_ID, isValidActionPattern, sourceSchema, type Source } from './source.js';
import { parseScope } from './scope.js';
import { checkSsoConnectors } from './sso-connector.js';

/** Validates raw input (parsed JSON) as a whole source; throws a ValidationError listing every issue with its path. */
export function parseSource(input: unknown): Source {
  const issues: Issue[] = [];
  findForbiddenKeys(input, [], issues, 0);
  if (issues.length > 0) throw new ValidationError('invalid_source', issues);
  const result = sourceSchema.safeParse(input);
  if (!result.success) throw new ValidationError('invalid_source', zodIssues(result.error));
  const source = result.data;
  checkReferences(source, issues);
  if (issues.length > 0) throw new ValidationError('invalid_source', issues);
  return source;
}

/** Converts zod issues into ours; an unknown key becomes one issue whose path ends with that key. */
export function zodIssues(error: z.ZodError): Issue[] {
  const out: Issue[] = [];
  for (const i of error.issues) {
    const path = i.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (i.code === 'unrecognized_keys') for (const k of i.keys) out.push({ path: [...path, k], message: `unknown key \`${k}\`` });
    else out.push({ path, message: i.message });
  }
  return out;
}

/** Walks raw input for own keys that could reach a prototype (JSON.parse keeps `__proto__` as an own key). */
export function findForbiddenKeys(value: unknown, path: (string | number)[], issues: Issue[], depth: number): void {
  if (depth > 64) {
    issues.push({ path, message: 'nesting is deeper than 64 levels' });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => findForbiddenKeys(v, [...path, i], issues, depth + 1));
  } else if (value !== null && typeof value === 'object') {
    for (const k of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(k)) issues.push({ path: [...path, k], message: `key \`${k}\` is a reserved name` });
      else findForbiddenKeys((value as Record<string, unknown>)[k], [...path, k], issues, depth + 1);
    }
  }
}

/** The cross-row checks of `parseSource` (unique ids, references, hierarchy) on a source whose rows are already parsed. */
export function checkReferences(s: Source, issues: Issue[]): void {
  const add = (path: (string | number)[], message: string) => issues.push({ path, message });
  const accounts = new Map(s.accounts.map((a) => [a.id, a]));
  const unique = <T>(list: T[], key: (t: T) => string, name: string, field: string): Set<string> => {
    const seen = new Set<string>();
    list.forEach((t, i) => {
      const k = key(t);
      if (seen.has(k)) add([field, i, 'id'], `duplicate ${name} id \`${k.split('\u0000').pop()}\``);
      seen.add(k);
    });
    return seen;
  };
  const acc = (accountId: string, path: (string | number)[]) => {
    if (!accounts.has(accountId)) add(path, `unknown account \`${accountId}\``);
  };
  const scoped = (a: string, id: string) => `${a}\u0000${id}`;

  unique(s.accounts, (a) => a.id, 'account', 'accounts');
  unique(s.principals, (p) => scoped(p.accountId, p.id), 'principal', 'principals');
  unique(s.groups, (g) => scoped(g.accountId, g.id), 'group', 'groups');
  unique(s.services, (v) => v.name, 'service', 'services');
  unique(s.roles, (r) => r.id, 'role', 'roles');
  const policyIds = unique(s.policies, (p) => p.id, 'policy', 'policies');
  unique(s.resourceGroups, (r) => r.id, 'resource group', 'resourceGroups');
  unique(s.nodes, (n) => n.id, 'node', 'nodes');
  unique(s.bindings, (b) => b.id, 'binding', 'bindings');
  // INVARIANT: a decision lists policy and binding ids side by side, so one id names one of them
  s.bindings.forEach((b, i) => {
    if (policyIds.has(b.id)) add(['bindings', i, 'id'], `binding id \`${b.id}\` is also a policy id`);
  });
  unique(s.resources, (r) => r.id, 'resource', 'resources');
  unique(s.memberships, (m) => `${m.accountId}\u0000${m.principalId}\u0000${m.groupId}\u0000${m.realm}`, 'membership (account, principal, group, realm)', 'memberships');

  // by account, then id: a lookup per policy, member and binding needs no `account\0id` string built for it
  const principals = byAccount(s.principals);
  const groups = byAccount(s.groups);
  const roles = new Map(s.roles.map((r) => [r.id, r]));
  const rgs = new Map(s.resourceGroups.map((r) => [r.id, r]));
  const nodes = new Map(s.nodes.map((n) => [n.id, n]));
  const groupExists = (a: string, id: string) => id === PUBLIC_ACCESS_GROUP_ID || groups.has(a, id);

  s.principals.forEach((p, i) => {
    acc(p.accountId, ['principals', i, 'accountId']);
    if (p.locked && p.kind !== 'service') add(['principals', i, 'locked'], 'only a service id can be locked');
    p.projects.forEach((n, j) => {
      const node = nodes.get(n);
      if (!node || node.accountId !== p.accountId || node.kind !== 'project') add(['principals', i, 'projects', j], `unknown project \`${n}\``);
    });
  });
  s.groups.forEach((g, i) => {
    acc(g.accountId, ['groups', i, 'accountId']);
    if (g.id === PUBLIC_ACCESS_GROUP_ID && (g.members.length > 0 || g.rules.length > 0))
      add(['groups', i], 'the Public Access group has no members and no rules: every caller is in it');
    const seen = new Set<string>();
    const inAccount = principals.in(g.accountId);
    g.members.forEach((m, j) => {
      if (inAccount?.has(m) !== true) add(['groups', i, 'members', j], `unknown principal \`${m}\` in account \`${g.accountId}\``);
      if (seen.has(m)) add(['groups', i, 'members', j], `member \`${m}\` is listed twice`);
      seen.add(m);
    });
    for (const m of Object.keys(g.memberSince ?? {}))
      if (!seen.has(m)) add(['groups', i, 'memberSince', m], `\`${m}\` is not a static member of the group`);
    const ruleIds = new Set<string>();
    g.rules.forEach((r, j) => {
      if (ruleIds.has(r.id)) add(['groups', i, 'rules', j, 'id'], `duplicate rule id \`${r.id}\``);
      ruleIds.add(r.id);
    });
  });
  s.roles.forEach((r, i) => {
    if (r.accountId !== undefined) acc(r.accountId, ['roles', i, 'accountId']);
    if (r.kind === 'permission-group' && r.scopeType === undefined) add(['roles', i, 'scopeType'], 'a permission group needs a scope type');
    if (r.kind !== 'permission-group' && r.scopeType !== undefined) add(['roles', i, 'scopeType'], 'only permission groups have a scope type');
    if (r.admin !== undefined && r.kind !== 'bluexp') add(['roles', i, 'admin'], 'only BlueXP roles can be administrator roles');
  });
  s.services.forEach((v, i) => {
    for (const roleId of Object.keys(v.roles)) if (!roles.has(roleId)) add(['services', i, 'roles', roleId], `unknown role \`${roleId}\``);
    for (const action of Object.keys(v.actions ?? {}))
      if (!isValidActionPattern(action) || action.endsWith('*')) add(['services', i, 'actions', action], `\`${action}\` is not an action id`);
  });
  s.resourceGroups.forEach((rg, i) => {
    acc(rg.accountId, ['resourceGroups', i, 'accountId']);
    rg.scope.forEach((sc, j) => {
      const parsed = parseScope(sc, rg.accountId);
      if ('error' in parsed) add(['resourceGroups', i, 'scope', j], parsed.error);
    });
  });
  s.policies.forEach((p, i) => {
    acc(p.accountId, ['policies', i, 'accountId']);
    if (p.subject.kind === 'principal' && !principals.has(p.accountId, p.subject.id))
      add(['policies', i, 'subject', 'id'], `unknown principal \`${p.subject.id}\` in account \`${p.accountId}\``);
    if (p.subject.kind === 'group' && !groupExists(p.accountId, p.subject.id))
      add(['policies', i, 'subject', 'id'], `unknown group \`${p.subject.id}\` in account \`${p.accountId}\``);
    // a Cloudflare policy names its resource groups (seed 003); without them it would reach every scope of every type
    if (accounts.get(p.accountId)?.system === 'cloudflare' && p.resource.resourceGroups === undefined)
      add(['policies', i, 'resource', 'resourceGroups'], 'a Cloudflare policy names its resource groups');
    const scopeTypes = new Set<string>();
    for (const rgId of p.resource.resourceGroups ?? []) {
      const rg = rgs.get(rgId);
      if (!rg || rg.accountId !== p.accountId) {
        add(['policies', i, 'resource', 'resourceGroups'], `unknown resource group \`${rgId}\` in account \`${p.accountId}\``);
        continue;
      }
      for (const sc of rg.scope) {
        const parsed = parseScope(sc, rg.accountId);
        if (!('error' in parsed)) for (const t of parsed.targets) scopeTypes.add(t.type);
      }
    }
    p.roles.forEach((roleId, j) => {
      const role = roles.get(roleId);
      if (!role) return add(['policies', i, 'roles', j], `unknown role \`${roleId}\``);
      if (role.accountId !== undefined && role.accountId !== p.accountId)
        add(['policies', i, 'roles', j], `role \`${roleId}\` belongs to another account`);
      if (role.kind === 'permission-group' && scopeTypes.size > 0) {
        for (const t of scopeTypes)
          if (t !== role.scopeType)
            add(['policies', i, 'roles', j], `permission group \`${roleId}\` is scoped to ${role.scopeType} resources but the policy names a ${t} scope`);
      }
    });
    for (const n of p.resource.nodes ?? []) {
      const node = nodes.get(n);
      if (n !== p.accountId && (!node || node.accountId !== p.accountId))
        add(['policies', i, 'resource', 'nodes'], `unknown node \`${n}\` in account \`${p.accountId}\``);
    }
  });
  checkHierarchy(s, nodes, add);
  s.bindings.forEach((b, i) => {
    acc(b.accountId, ['bindings', i, 'accountId']);
    const role = roles.get(b.roleId);
    const kindIssue = role && roleKindIssue(role, accounts.get(b.accountId)?.system);
    if (!role) add(['bindings', i, 'roleId'], `unknown role \`${b.roleId}\``);
    else if (role.accountId !== undefined && role.accountId !== b.accountId)
      add(['bindings', i, 'roleId'], `role \`${b.roleId}\` belongs to another account`);
    else if (kindIssue) add(['bindings', i, 'roleId'], kindIssue);
    else if (role.admin === 'organization' && b.nodeId !== b.accountId)
      add(['bindings', i, 'nodeId'], 'the organization admin role is bound only at the organization');
    if (b.nodeId !== b.accountId) {
      const node = nodes.get(b.nodeId);
      if (!node || node.accountId !== b.accountId) add(['bindings', i, 'nodeId'], `unknown node \`${b.nodeId}\` in account \`${b.accountId}\``);
    }
    if (b.subject.kind === 'principal' && !principals.has(b.accountId, b.subject.id))
      add(['bindings', i, 'subject', 'id'], `unknown principal \`${b.subject.id}\``);
    if (b.subject.kind === 'group' && !groupExists(b.accountId, b.subject.id)) add(['bindings', i, 'subject', 'id'], `unknown group \`${b.subject.id}\``);
  });
  s.resources.forEach((r, i) => {
    acc(r.accountId, ['resources', i, 'accountId']);
    const check = (list: string[], kind: 'project' | 'folder', field: string) =>
      list.forEach((n, j) => {
        const node = nodes.get(n);
        if (!node || node.accountId !== r.accountId || node.kind !== kind) add(['resources', i, field, j], `unknown ${kind} \`${n}\``);
      });
    check(r.projects, 'project', 'projects');
    check(r.folders, 'folder', 'folders');
    if (r.agentId !== undefined) {
      const agent = principals.get(r.accountId, r.agentId);
      if (!agent || agent.kind !== 'agent') add(['resources', i, 'agentId'], `unknown agent \`${r.agentId}\``);
    }
    const declared = r.attributes['accountId'];
    if (declared !== undefined && String(declared) !== r.accountId) add(['resources', i, 'attributes', 'accountId'], 'differs from the resource account');
  });
  s.memberships.forEach((m, i) => {
    if (!principals.has(m.accountId, m.principalId)) add(['memberships', i, 'principalId'], `unknown principal \`${m.principalId}\``);
    if (!groups.has(m.accountId, m.groupId)) add(['memberships', i, 'groupId'], `unknown group \`${m.groupId}\``);
  });
  checkSsoConnectors(s.ssoConnectors ?? [], new Set(accounts.keys()), add);
}

/** Rows keyed by account, then id (a later row with the same key replaces an earlier one, as in a Map). */
/**
 * The role kinds each system's operations grant (IBM: platform, service and custom roles; Cloudflare: permission
 * groups; BlueXP: its roles). Checked for bindings only: a policy naming a role of another system still loads (the
 * review's and compile's pins build such sources on purpose; refusing it too is open).
 */
const ROLE_KINDS: Record<Source['accounts'][number]['system'], readonly Source['roles'][number]['kind'][]> = {
  ibm: ['platform', 'service', 'custom'],
  cloudflare: ['permission-group'],
  bluexp: ['bluexp'],
};

/** Why a role cannot be used in an account of this system (the management operations refuse it as an unknown role), or undefined. */
function roleKindIssue(role: Source['roles'][number], system: Source['accounts'][number]['system'] | undefined): string | undefined {
  if (system === undefined || ROLE_KINDS[system].includes(role.kind)) return undefined;
  return `role \`${role.id}\` is a ${role.kind} role, not one of ${system}`;
}

function byAccount<T extends { accountId: string; id: string }>(rows: readonly T[]) {
  const accounts = new Map<string, Map<string, T>>();
  for (const row of rows) {
    let m = accounts.get(row.accountId);
    if (m === undefined) accounts.set(row.accountId, (m = new Map()));
    m.set(row.id, row);
  }
  return {
    in: (accountId: string): Map<string, T> | undefined => accounts.get(accountId),
    has: (accountId: string, id: string): boolean => accounts.get(accountId)?.has(id) === true,
    get: (accountId: string, id: string): T | undefined => accounts.get(accountId)?.get(id),
  };
}

function checkHierarchy(
  s: Source,
  nodes: Map<string, Source['nodes'][number]>,
  add: (path: (string | number)[], message: string) => void,
): void {
  s.nodes.forEach((n, i) => {
    if (!s.accounts.some((a) => a.id === n.accountId)) add(['nodes', i, 'accountId'], `unknown account \`${n.accountId}\``);
    if (n.parentId === null) return;
    const parent = nodes.get(n.parentId);
    if (!parent || parent.accountId !== n.accountId) return add(['nodes', i, 'parentId'], `unknown folder \`${n.parentId}\``);
    if (parent.kind !== 'folder') add(['nodes', i, 'parentId'], `\`${n.parentId}\` is a project: projects are leaves`);
  });
  s.nodes.forEach((n, i) => {
    // depth counts folders from the organization: a folder directly under it is at level 1
    let level = 1;
    let cur = n;
    const seen = new Set<string>([n.id]);
    while (cur.parentId !== null) {
      const p = nodes.get(cur.parentId);
      if (!p) return;
      if (seen.has(p.id)) return add(['nodes', i, 'parentId'], `cycle in the folder tree through \`${p.id}\``);
      seen.add(p.id);
      level++;
      cur = p;
    }
    if (n.kind === 'folder' && level > LIMITS.maxFolderDepth)
      add(['nodes', i, 'parentId'], `folders are at most ${LIMITS.maxFolderDepth} deep, this one is at level ${level}`);
    if (n.kind === 'project' && level > LIMITS.maxProjectLevel)
      add(['nodes', i, 'parentId'], `projects are at most at level ${LIMITS.maxProjectLevel}, this one is at level ${level}`);
  });
}
