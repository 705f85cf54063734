// The row codecs of every entity table, shared by the SQLite and the PostgreSQL store: the two keep one table
// layout (booleans as 0/1, lists and objects as JSON text, a NULL column for an absent optional field), so a row
// reads back the same from either. Pure functions over plain rows: no driver is imported here.
import type { EntityName, EntityTypes } from '../store.js';
import type { Group, Policy } from '../model/source.js';

export type Row = Record<string, unknown>;
export type Params = Record<string, unknown>;

/** How one child list of an entity (group members, claim rules, policy roles) maps to its own table. */
export interface ChildSpec {
  table: string;
  parentColumn: string;
  columns: string[];
  rows(value: never): Params[];
  attach(value: never, rows: Row[]): void;
}

/** How one entity maps to its table: columns besides `key`, and the row <-> value codecs. */
export interface TableSpec<E extends EntityName> {
  table: string;
  columns: string[];
  encode(value: EntityTypes[E]): Params;
  decode(row: Row): EntityTypes[E];
  children?: ChildSpec[];
}

const json = (v: unknown): string => JSON.stringify(v);
const optJson = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
const opt = (v: unknown): unknown => (v === undefined ? null : v);
const bool = (v: boolean): number => (v ? 1 : 0);
/** Decodes a JSON text column. */
export const parse = (v: unknown): unknown => JSON.parse(v as string);

/**
 * Freezes what JSON.parse returned: plain arrays and objects all the way down. Each value is frozen after what it
 * holds, so one found frozen is frozen all the way down already: a value that many rows share is walked once.
 */
export function freezeJson<T>(v: T): T {
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return v;
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) freezeJson(v[i]);
  else for (const k in v) freezeJson((v as Record<string, unknown>)[k]);
  return Object.freeze(v);
}

/** Copies the non-null columns to optional fields; a NULL column means the field was absent. */
function optional(target: Row, row: Row, fields: Record<string, string>, decodeJson = false): void {
  for (const [field, column] of Object.entries(fields)) {
    const v = row[column];
    if (v !== null && v !== undefined) target[field] = decodeJson ? parse(v) : v;
  }
}

/** The row codecs: for each entity its table, its columns besides `key`, and how a value becomes a row and back. */
export const SPECS: { [E in EntityName]: TableSpec<E> } = {
  account: {
    table: 'accounts',
    columns: ['id', 'system', 'name', 'public_access', 'options'],
    encode: (a) => ({ id: a.id, system: a.system, name: opt(a.name), public_access: bool(a.publicAccess), options: json(a.options) }),
    decode: (r) => {
      const a: Row = { id: r.id, system: r.system, publicAccess: r.public_access === 1, options: parse(r.options) };
      optional(a, r, { name: 'name' });
      return a as EntityTypes['account'];
    },
  },
  principal: {
    table: 'principals',
    columns: ['account_id', 'id', 'kind', 'email', 'name', 'status', 'locked', 'projects', 'notification_opt_in'],
    encode: (p) => ({
      account_id: p.accountId,
      id: p.id,
      kind: p.kind,
      email: opt(p.email),
      name: opt(p.name),
      status: p.status,
      locked: bool(p.locked),
      projects: json(p.projects),
      notification_opt_in: p.notificationOptIn === undefined ? null : bool(p.notificationOptIn),
    }),
    decode: (r) => {
      const p: Row = { id: r.id, accountId: r.account_id, kind: r.kind, status: r.status, locked: r.locked === 1, projects: parse(r.projects) };
      optional(p, r, { email: 'email', name: 'name' });
      if (r.notification_opt_in !== null && r.notification_opt_in !== undefined) p['notificationOptIn'] = r.notification_opt_in === 1;
      return p as EntityTypes['principal'];
    },
  },
  group: {
    table: 'groups',
    columns: ['account_id', 'id', 'name', 'description', 'federated', 'created_at', 'created_by_id', 'last_modified_at', 'last_modified_by_id', 'etag'],
    encode: (g) => ({
      account_id: g.accountId,
      id: g.id,
      name: g.name,
      description: g.description,
      federated: bool(g.federated),
      created_at: opt(g.createdAt),
      created_by_id: opt(g.createdById),
      last_modified_at: opt(g.lastModifiedAt),
      last_modified_by_id: opt(g.lastModifiedById),
      etag: opt(g.etag),
    }),
    decode: (r) => {
      const g: Row = { id: r.id, accountId: r.account_id, name: r.name, description: r.description, members: [], rules: [], federated: r.federated === 1 };
      optional(g, r, {
        createdAt: 'created_at',
        createdById: 'created_by_id',
        lastModifiedAt: 'last_modified_at',
        lastModifiedById: 'last_modified_by_id',
        etag: 'etag',
      });
      return g as EntityTypes['group'];
    },
    children: [
      {
        table: 'group_members',
        parentColumn: 'group_key',
        columns: ['ord', 'account_id', 'principal_id', 'created_at', 'created_by_id'],
        rows: (g: Group) =>
          g.members.map((m, ord) => {
            const since = g.memberSince?.[m];
            return { ord, account_id: g.accountId, principal_id: m, created_at: opt(since?.createdAt), created_by_id: opt(since?.createdById) };
          }),
        attach: (g: Group, rows) => {
          g.members = rows.map((r) => r.principal_id as string);
          // INVARIANT: parseSource lets memberSince name members only, so the member rows carry all of it
          const since: Record<string, { createdAt: string; createdById: string }> = {};
          let any = false;
          for (const r of rows)
            if (r.created_at !== null && r.created_at !== undefined) {
              since[r.principal_id as string] = { createdAt: r.created_at as string, createdById: r.created_by_id as string };
              any = true;
            }
          if (any) g.memberSince = since;
        },
      },
      {
        table: 'claim_rules',
        parentColumn: 'group_key',
        columns: ['ord', 'account_id', 'id', 'name', 'realm_name', 'expiration', 'conditions', 'created_at', 'last_modified_at', 'etag'],
        rows: (g: Group) =>
          g.rules.map((rule, ord) => ({
            ord,
            account_id: g.accountId,
            id: rule.id,
            name: opt(rule.name),
            realm_name: rule.realmName,
            expiration: rule.expiration,
            conditions: json(rule.conditions),
            created_at: opt(rule.createdAt),
            last_modified_at: opt(rule.lastModifiedAt),
            etag: opt(rule.etag),
          })),
        attach: (g: Group, rows) => {
          g.rules = rows.map((r) => {
            const rule: Row = { id: r.id, realmName: r.realm_name, expiration: r.expiration, conditions: parse(r.conditions) };
            optional(rule, r, { name: 'name', createdAt: 'created_at', lastModifiedAt: 'last_modified_at', etag: 'etag' });
            return rule as Group['rules'][number];
          });
        },
      },
    ],
  },
  service: {
    table: 'services',
    columns: ['name', 'type', 'display_name', 'groups', 'roles', 'third_party', 'actions'],
    encode: (s) => ({
      name: s.name,
      type: s.type,
      display_name: opt(s.displayName),
      groups: json(s.groups),
      roles: json(s.roles),
      third_party: s.thirdParty === undefined ? null : bool(s.thirdParty),
      actions: s.actions === undefined ? null : json(s.actions),
    }),
    decode: (r) => {
      const s: Row = { name: r.name, type: r.type, groups: parse(r.groups), roles: parse(r.roles) };
      optional(s, r, { displayName: 'display_name' });
      if (r.actions !== null && r.actions !== undefined) s['actions'] = parse(r.actions);
      if (r.third_party !== null && r.third_party !== undefined) s['thirdParty'] = r.third_party === 1;
      return s as EntityTypes['service'];
    },
  },
  role: {
    table: 'roles',
    columns: ['id', 'kind', 'account_id', 'name', 'description', 'actions', 'service_name', 'scope_type', 'admin'],
    encode: (x) => ({
      id: x.id,
      kind: x.kind,
      account_id: opt(x.accountId),
      name: opt(x.name),
      description: opt(x.description),
      actions: json(x.actions),
      service_name: opt(x.serviceName),
      scope_type: opt(x.scopeType),
      admin: opt(x.admin),
    }),
    decode: (r) => {
      const x: Row = { id: r.id, kind: r.kind, actions: parse(r.actions) };
      optional(x, r, {
        accountId: 'account_id',
        name: 'name',
        description: 'description',
        serviceName: 'service_name',
        scopeType: 'scope_type',
        admin: 'admin',
      });
      return x as EntityTypes['role'];
    },
  },
  policy: {
    table: 'policies',
    columns: [
      'id',
      'account_id',
      'type',
      'effect',
      'subject_kind',
      'subject_id',
      'subject_attributes',
      'resource',
      'rule',
      'pattern',
      'description',
      'state',
      'etag',
      'created_at',
      'created_by_id',
      'last_modified_at',
      'last_modified_by_id',
      'last_permit_at',
      'last_permit_frequency',
    ],
    encode: (p) => ({
      id: p.id,
      account_id: p.accountId,
      type: p.type,
      effect: p.effect,
      subject_kind: p.subject.kind,
      subject_id: p.subject.kind === 'service' ? null : p.subject.id,
      subject_attributes: p.subject.kind === 'service' ? json(p.subject.attributes) : null,
      resource: json(p.resource),
      rule: optJson(p.rule),
      pattern: opt(p.pattern),
      description: opt(p.description),
      state: p.state,
      etag: opt(p.etag),
      created_at: opt(p.createdAt),
      created_by_id: opt(p.createdById),
      last_modified_at: opt(p.lastModifiedAt),
      last_modified_by_id: opt(p.lastModifiedById),
      last_permit_at: opt(p.lastPermitAt),
      last_permit_frequency: opt(p.lastPermitFrequency),
    }),
    decode: (r) => {
      const subject =
        r.subject_kind === 'service' ? { kind: 'service', attributes: parse(r.subject_attributes) } : { kind: r.subject_kind, id: r.subject_id };
      const p: Row = {
        id: r.id,
        accountId: r.account_id,
        type: r.type,
        effect: r.effect,
        subject,
        roles: [],
        resource: parse(r.resource),
        state: r.state,
      };
      optional(p, r, { rule: 'rule' }, true);
      optional(p, r, {
        pattern: 'pattern',
        description: 'description',
        etag: 'etag',
        createdAt: 'created_at',
        createdById: 'created_by_id',
        lastModifiedAt: 'last_modified_at',
        lastModifiedById: 'last_modified_by_id',
        lastPermitAt: 'last_permit_at',
        lastPermitFrequency: 'last_permit_frequency',
      });
      return p as EntityTypes['policy'];
    },
    children: [
      {
        table: 'policy_roles',
        parentColumn: 'policy_key',
        columns: ['ord', 'role_id'],
        rows: (p: Policy) => p.roles.map((role_id, ord) => ({ ord, role_id })),
        attach: (p: Policy, rows) => {
          p.roles = rows.map((r) => r.role_id as string);
        },
      },
    ],
  },
  resourceGroup: {
    table: 'resource_groups',
    columns: ['id', 'account_id', 'name', 'scope', 'meta'],
    encode: (g) => ({ id: g.id, account_id: g.accountId, name: opt(g.name), scope: json(g.scope), meta: optJson(g.meta) }),
    decode: (r) => {
      const g: Row = { id: r.id, accountId: r.account_id, scope: parse(r.scope) };
      optional(g, r, { name: 'name' });
      optional(g, r, { meta: 'meta' }, true);
      return g as EntityTypes['resourceGroup'];
    },
  },
  node: {
    table: 'nodes',
    columns: ['id', 'account_id', 'kind', 'name', 'parent_id'],
    encode: (n) => ({ id: n.id, account_id: n.accountId, kind: n.kind, name: opt(n.name), parent_id: n.parentId }),
    decode: (r) => {
      const n: Row = { id: r.id, accountId: r.account_id, kind: r.kind, parentId: r.parent_id };
      optional(n, r, { name: 'name' });
      return n as EntityTypes['node'];
    },
  },
  binding: {
    table: 'bindings',
    columns: ['id', 'account_id', 'subject_kind', 'subject_id', 'role_id', 'node_id', 'expires_at'],
    encode: (b) => ({
      id: b.id,
      account_id: b.accountId,
      subject_kind: b.subject.kind,
      subject_id: b.subject.id,
      role_id: b.roleId,
      node_id: b.nodeId,
      expires_at: opt(b.expiresAt),
    }),
    decode: (r) => {
      const b: Row = { id: r.id, accountId: r.account_id, subject: { kind: r.subject_kind, id: r.subject_id }, roleId: r.role_id, nodeId: r.node_id };
      optional(b, r, { expiresAt: 'expires_at' });
      return b as EntityTypes['binding'];
    },
  },
  resource: {
    table: 'resources',
    columns: ['id', 'account_id', 'attributes', 'tags', 'projects', 'folders', 'zones', 'agent_id', 'cloud_id'],
    encode: (x) => ({
      id: x.id,
      account_id: x.accountId,
      attributes: json(x.attributes),
      tags: json(x.tags),
      projects: json(x.projects),
      folders: json(x.folders),
      zones: json(x.zones),
      agent_id: opt(x.agentId),
      cloud_id: opt(x.cloudId),
    }),
    decode: (r) => {
      const x: Row = {
        id: r.id,
        accountId: r.account_id,
        attributes: parse(r.attributes),
        tags: parse(r.tags),
        projects: parse(r.projects),
        folders: parse(r.folders),
        zones: parse(r.zones),
      };
      optional(x, r, { agentId: 'agent_id', cloudId: 'cloud_id' });
      return x as EntityTypes['resource'];
    },
  },
  membership: {
    table: 'memberships',
    columns: ['account_id', 'principal_id', 'group_id', 'realm', 'rule_id', 'login_at', 'expires_at'],
    encode: (m) => ({
      account_id: m.accountId,
      principal_id: m.principalId,
      group_id: m.groupId,
      realm: m.realm,
      rule_id: opt(m.ruleId),
      login_at: m.loginAt,
      expires_at: m.expiresAt,
    }),
    decode: (r) => {
      const m: Row = { accountId: r.account_id, principalId: r.principal_id, groupId: r.group_id, realm: r.realm, loginAt: r.login_at, expiresAt: r.expires_at };
      optional(m, r, { ruleId: 'rule_id' });
      return m as EntityTypes['membership'];
    },
  },
  ssoConnector: {
    table: 'sso_connectors',
    columns: ['account_id', 'id', 'email_domain', 'enabled', 'use_fedramp_language', 'verification', 'created_on', 'updated_on'],
    encode: (c) => ({
      account_id: c.accountId,
      id: c.id,
      email_domain: c.emailDomain,
      enabled: bool(c.enabled),
      use_fedramp_language: bool(c.useFedrampLanguage),
      verification: json(c.verification),
      created_on: opt(c.createdOn),
      updated_on: opt(c.updatedOn),
    }),
    decode: (r) => {
      const c: Row = {
        id: r.id,
        accountId: r.account_id,
        emailDomain: r.email_domain,
        enabled: r.enabled === 1,
        useFedrampLanguage: r.use_fedramp_language === 1,
        verification: parse(r.verification),
      };
      optional(c, r, { createdOn: 'created_on', updatedOn: 'updated_on' });
      return c as EntityTypes['ssoConnector'];
    },
  },
};


/** The policy columns in the order a store reads policy rows as arrays: the row key, then the table's own columns. */
export const POLICY_COLUMNS: readonly string[] = ['key', ...SPECS.policy.columns];

/** The position of a policy column in POLICY_COLUMNS; throws at load if a name is missing, so the two never drift. */
function policyColumn(name: string): number {
  const at = POLICY_COLUMNS.indexOf(name);
  if (at < 0) throw new Error(`policy column \`${name}\` is not in the policies table`);
  return at;
}

/** Positions of the policy columns a policy decoder reads by index. */
const PC = {
  key: policyColumn('key'),
  id: policyColumn('id'),
  accountId: policyColumn('account_id'),
  type: policyColumn('type'),
  effect: policyColumn('effect'),
  subjectKind: policyColumn('subject_kind'),
  subjectId: policyColumn('subject_id'),
  subjectAttributes: policyColumn('subject_attributes'),
  resource: policyColumn('resource'),
  rule: policyColumn('rule'),
  state: policyColumn('state'),
} as const;

/** Optional policy fields and their column positions in POLICY_COLUMNS, in the order decode sets them. */
const POLICY_OPTIONAL: readonly [keyof Policy, number][] = (
  [
    ['pattern', 'pattern'],
    ['description', 'description'],
    ['etag', 'etag'],
    ['createdAt', 'created_at'],
    ['createdById', 'created_by_id'],
    ['lastModifiedAt', 'last_modified_at'],
    ['lastModifiedById', 'last_modified_by_id'],
    ['lastPermitAt', 'last_permit_at'],
    ['lastPermitFrequency', 'last_permit_frequency'],
  ] as const
).map(([field, column]) => [field, policyColumn(column)]);

/** The key of a policy row read as an array in POLICY_COLUMNS order. */
export function policyRowKey(row: readonly unknown[]): string {
  return row[PC.key] as string;
}

/**
 * A decoder of policy rows for one load: a policy straight from an array row (POLICY_COLUMNS order) and its role
 * ids, frozen as it is built. A store holds policies by the 100k, and an object per row (20 keys) for
 * `SPECS.policy.decode` to copy, then a second walk to freeze it, cost about as much again as the rows themselves.
 * Same values, same key order as decode; `roles` is frozen and kept. Within one decoder, equal JSON text decodes to
 * one shared frozen value, and equal `{kind, id}` subjects to one shared frozen subject: many policies name the
 * same resource selector, and since these are frozen no caller can tell, but the collector moves half as much.
 */
export function policyDecoder(): (row: readonly unknown[], roles: string[] | undefined) => Policy {
  const json = new Map<unknown, unknown>();
  const subjects = new Map<string, unknown>();
  const frozenJson = (text: unknown): unknown => {
    let v = json.get(text);
    if (v === undefined && !json.has(text)) json.set(text, (v = freezeJson(parse(text))));
    return v;
  };
  const subjectOf = (kind: unknown, id: unknown): unknown => {
    // only strings are shared: a corrupt number id must not turn into the string of an earlier row
    if (typeof kind !== 'string' || typeof id !== 'string') return Object.freeze({ kind, id });
    const key = `${kind}\u0000${id}`;
    let v = subjects.get(key);
    if (v === undefined) subjects.set(key, (v = Object.freeze({ kind, id })));
    return v;
  };
  return (r, roles) => {
    const subject =
      r[PC.subjectKind] === 'service'
        ? Object.freeze({ kind: 'service', attributes: frozenJson(r[PC.subjectAttributes]) })
        : subjectOf(r[PC.subjectKind], r[PC.subjectId]);
    const p: Row = {
      id: r[PC.id],
      accountId: r[PC.accountId],
      type: r[PC.type],
      effect: r[PC.effect],
      subject,
      roles: Object.freeze(roles ?? []),
      resource: frozenJson(r[PC.resource]),
      state: r[PC.state],
    };
    if (r[PC.rule] !== null) p['rule'] = frozenJson(r[PC.rule]);
    for (const [field, at] of POLICY_OPTIONAL) if (r[at] !== null) p[field] = r[at];
    return Object.freeze(p) as unknown as Policy;
  };
}

/** Groups `[parentKey, value]` rows, already in (parent, ord) order, into one list per parent key. */
export function listsByParent<T>(rows: Iterable<readonly [string, T]>): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const [key, value] of rows) {
    const list = out.get(key);
    if (list) list.push(value);
    else out.set(key, [value]);
  }
  return out;
}

/**
 * The values of one entity from its rows (each with its `key` column) and the rows of each of its child tables
 * (`children[i]` for `SPECS[entity].children[i]`, in parent, ord order), in the order of `rows`. A child table may
 * come as an iterator over its rows, so that each raw row dies young instead of surviving a scavenge.
 */
export function decodeEntityRows<E extends EntityName>(entity: E, rows: readonly Row[], children: readonly Iterable<Row>[]): EntityTypes[E][] {
  const spec = SPECS[entity] as TableSpec<EntityName>;
  const values = rows.map((r) => spec.decode(r));
  (spec.children ?? []).forEach((child, c) => {
    const byParent = new Map<string, Row[]>();
    for (const r of children[c] ?? []) {
      const k = r[child.parentColumn] as string;
      const list = byParent.get(k);
      if (list) list.push(r);
      else byParent.set(k, [r]);
    }
    rows.forEach((r, i) => child.attach(values[i] as never, byParent.get(r['key'] as string) ?? []));
  });
  return values as EntityTypes[E][];
}
