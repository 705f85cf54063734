import type { Glob } from './glob.js';
import type { ScopeTarget } from '../model/scope.js';
import type { Memo } from './memo.js';

/** Attribute operator codes of a compiled matcher. */
export const enum Op {
  Equals = 0,
  Match = 1,
  /** `stringExists`, true or false (the value says which). */
  Exists = 2,
  EqualsAnyOf = 4,
  MatchAnyOf = 5,
}

/** Attributes whose value is derived from the service catalog. */
export const enum Derived {
  None = 0,
  ServiceType = 1,
  ServiceGroup = 2,
}

/** One compiled attribute condition. */
export interface AttributeMatcher {
  readonly name: string;
  /** The interned id of `name` (see AttributeNames). */
  readonly attr: number;
  readonly op: Op;
  /** The operator's own file: how it tests a value, keys a prefilter, reads as a predicate. */
  readonly operator: import('./operators/attribute-operator.js').OperatorMatcher;
  readonly derived: Derived;
  readonly value: string;
  readonly values: readonly string[];
  readonly glob: Glob | null;
  readonly globs: readonly Glob[];
}

/** One compiled tag condition (already lowercased). */
export interface TagMatcher {
  readonly name: string;
  readonly value: string;
  readonly glob: Glob | null;
}

/** A compiled v2 rule node. */
export type RuleNode =
  | { readonly kind: 'and' | 'or'; readonly children: readonly RuleNode[] }
  | { readonly kind: 'time'; readonly cmp: Cmp; readonly seconds: number; readonly offsetMs: number }
  | { readonly kind: 'dateTime'; readonly cmp: Cmp; readonly at: number }
  | { readonly kind: 'day'; readonly days: readonly { day: number; offsetMs: number }[] }
  | { readonly kind: 'attr'; readonly matcher: AttributeMatcher };

/** A comparison: less, less-or-equal, greater, greater-or-equal. */
export type Cmp = 'lt' | 'le' | 'gt' | 'ge';

/** A policy or binding as the evaluator sees it. */
export interface CompiledPolicy {
  readonly id: string;
  readonly deny: boolean;
  readonly source: 'policy' | 'binding';
  /** Why it cannot be evaluated; null when it can. An errored policy never grants. */
  readonly error: string | null;
  readonly attributes: readonly AttributeMatcher[];
  readonly tags: readonly TagMatcher[];
  /** Cloudflare scope targets; null when the policy names no resource groups. */
  readonly scopes: readonly ScopeTarget[] | null;
  /** BlueXP nodes; null when the policy names none. */
  readonly nodes: readonly string[] | null;
  readonly rule: RuleNode | null;
  /** Epoch ms; Infinity when it never expires. */
  readonly expiresAt: number;
  /** A binding to an identity-provider group: counts only for active users with a direct binding. */
  readonly federatedGroup: boolean;
  /** Authorization policies: the subject attributes the calling service must carry. */
  readonly serviceSubject: readonly (readonly [string, string])[] | null;
  /** Allow decisions this policy determined since the Engine last wrote usage figures (mutable counter). */
  permits: number;
  /**
   * Its place (1, 2, …) among every policy and binding id of the compile that made it, in code-unit order, so a
   * decision sorts the ids it returns by integers held in the records (see identity-index.ts) instead of reading and
   * comparing the strings; 0 for one compiled later by an update, whose id is compared as a string.
   */
  rank: number;
}

/** What one role is, as far as matching needs it. */
export interface RoleInfo {
  readonly id: string;
  readonly scopeType: 'account' | 'zone' | 'user' | null;
  readonly admin: 'organization' | 'folder-or-project' | null;
}

/**
 * A (policy, role, service) that an identity's index yields for the actions the role grants on that service. One
 * object is shared by every key of its identity's index it sits under; the matching pattern is recovered only to explain.
 */
export interface Candidate {
  /** The policy id, copied here so that a matching candidate is named without reading its policy. */
  readonly id: string;
  readonly deny: boolean;
  /** The policy's error, copied from it: an errored candidate never grants. */
  readonly error: string | null;
  /** True when something beyond service and attributes must be checked (expiry, subject, tags, scopes, nodes, rule). */
  readonly slow: boolean;
  readonly policy: CompiledPolicy;
  readonly role: RoleInfo;
  /** The service the pattern is granted for (from the catalog or a custom role); null for any service. */
  readonly service: string | null;
  /**
   * The policy's attribute conditions less those the index already guarantees: `accountId` equal to the policy's
   * own account, and `serviceName` equal to `service`. Usually one condition is left, often none.
   */
  readonly attributes: readonly AttributeMatcher[];
  /**
   * The first plain `stringEquals` of `attributes`, inlined (attribute id, or -1 when there is none, and value) so the
   * commonest check reads no matcher object; `rest` holds the other conditions.
   */
  readonly eqAttr: number;
  readonly eqValue: string;
  readonly rest: readonly AttributeMatcher[];
}

/** The candidates of one key of an identity, denies kept apart: a view over the flat layout, for the analyses (see identity-index.ts). */
export interface Bucket {
  readonly deny: readonly Candidate[];
  readonly allow: readonly Candidate[];
}

/**
 * Per identity: exact action ids and pattern prefix ids to their candidates, in the flat layout identity-index.ts
 * describes. Rewritten whole by sealIndex (for the touched identities only); read by `authorize` without objects.
 */
export interface IdentityIndex {
  /** Slots, then candidate records, then the candidates' numbers by key (see identity-index.ts). */
  data: Int32Array;
  /** Number of hash slots less one (a power of two less one). */
  mask: number;
  /** The multiplicative hash's shift: 32 - log2(slots). */
  shift: number;
  /** Where the candidate records start in `data`. */
  recBase: number;
  /** Candidate number -> the candidate: the side table of the slow parts, explanations and analyses. */
  cands: Candidate[];
  /**
   * Candidate number -> its policy's id, beside `cands`: what a decision returns for each match, read from one array
   * of references instead of one candidate object per match.
   */
  ids: string[];
  /** How many exact action keys and pattern prefix keys have candidates. */
  exactCount: number;
  patternCount: number;
  /** Staged by the row path since the last seal: candidates to add; policy ids whose sealed candidates go. */
  pending: import('./identity-index.js').Pending | null;
  removed: Set<string> | null;
  /** Per slot: a keyed prefilter of a large range (see bucket-accel.ts), built on first use; null until one is. */
  accel: Memo<(import('./bucket-accel.js').BucketAccel | null | undefined)[] | null>;
  /** Per slot: the Bucket view the analyses read, built on first use. */
  views: Memo<(Bucket | undefined)[] | null>;
}

/**
 * The (index, slot) pairs of the identities a principal holds without claims for one action: its own index, its static
 * groups, its dynamic groups active at the request's time and the account's public group when public access is on, the
 * small ones merged into one range (`merged`). Kept from the second time the pair is asked; the first keeps only the
 * shared mark ASKED_ONCE (gather.ts, `merged` false, no ranges), so a one-off request pays no copy. Valid for request
 * times in `[from, until)`: no login or expiry of its dynamic memberships falls inside, so the same dynamic groups are
 * active throughout.
 */
export interface OwnRanges {
  readonly ixs: readonly IdentityIndex[];
  readonly slots: readonly number[];
  readonly merged: boolean;
  readonly from: number;
  readonly until: number;
}

/** A group of one account. */
export interface GroupEntry {
  readonly id: string;
  federated: boolean;
  readonly index: IdentityIndex;
  /** Per-evaluation scratch mark, so that a group reached twice is scanned once (0: never marked). */
  mark: Memo<number>;
}

/** A stored dynamic membership. */
export interface DynamicEntry {
  readonly group: GroupEntry;
  readonly realm: string;
  /** Epoch ms of the login: the membership holds in [loginAt, expiresAt), never before the login happened. */
  readonly loginAt: number;
  readonly expiresAt: number;
  readonly expiresAtIso: string;
}

/** A principal of one account. */
export interface PrincipalEntry {
  readonly id: string;
  kind: 'user' | 'service' | 'agent';
  /** Registered and active; anything else decides as an anonymous caller. */
  active: boolean;
  readonly index: IdentityIndex;
  staticGroups: GroupEntry[];
  /**
   * Per action: the merged ranges of the identities this principal holds without claims (OwnRanges), kept from the
   * second use so a decision makes one lookup instead of one probe per group. Valid while `ownVersion` equals the
   * tables' version (any update bumps it) and the request's time is in the entry's window; bounded (past OWN_MAX
   * entries the oldest goes, gather.ts).
   */
  ownBuckets: Memo<Map<number | string, OwnRanges> | null>;
  ownVersion: Memo<number>;
  dynamic: DynamicEntry[];
  /** The latest expiry among its direct bindings (Infinity for one that never expires, -Infinity for none). */
  directBindingUntil: number;
  /** Agents: the projects they are in. */
  projects: readonly string[];
  /** The registered email, read by the SSO gate when a request carries none. */
  email: string | undefined;
  /**
   * The SSO gate's reading of `email` (emailDomainOf), kept with the email it was read from (`emailDomainFor`, null
   * when none was read yet): a row may change the email, and the gate of a gated account reads it on every request
   * (account-gates.ts), where parsing it again cost two regular expressions and three new strings each time.
   */
  emailDomain: Memo<string | undefined>;
  emailDomainFor: Memo<string | undefined | null>;
}

/** A compiled claim condition. */
export interface ClaimMatcher {
  readonly claim: string;
  readonly op: 'EQUALS' | 'NOT_EQUALS' | 'EQUALS_IGNORE_CASE' | 'NOT_EQUALS_IGNORE_CASE' | 'IN' | 'CONTAINS' | 'UNKNOWN';
  readonly value: string;
  readonly lower: string;
  readonly values: readonly string[];
}

/** A claim rule of a group, for evaluation on the fly. */
export interface ClaimRuleEntry {
  readonly group: GroupEntry;
  readonly ruleId: string;
  readonly conditions: readonly ClaimMatcher[];
}

/** A folder or project: its chain up to (and including) the organization. */
export interface NodeEntry {
  readonly id: string;
  readonly kind: 'folder' | 'project';
  readonly up: ReadonlySet<string>;
}

/**
 * `up(n)` of SEMANTICS §3.4 for an id named as a project (or folder): the node's chain to the organization when it
 * is a node of that kind in the account, else undefined: an unknown or wrong-kind id reaches nothing.
 */
export function upOf(a: AccountTable, id: string, kind: 'folder' | 'project'): ReadonlySet<string> | undefined {
  const n = a.nodes.get(id);
  return n !== undefined && n.kind === kind ? n.up : undefined;
}

/** Everything of one account. */
export interface AccountTable {
  readonly id: string;
  publicAccess: boolean;
  thirdPartyServicesEnabled: boolean;
  /** BlueXP Tenancy: false switches the whole account off for decisions (see SEMANTICS §0.1). */
  saasEnabled: boolean;
  /** Enabled, verified SSO connectors by email domain; null when the account has none, so the gate costs one check. */
  sso: Map<string, SsoGate> | null;
  readonly principals: Map<string, PrincipalEntry>;
  readonly groups: Map<string, GroupEntry>;
  readonly publicGroup: GroupEntry;
  readonly claimRules: Map<string, ClaimRuleEntry[]>;
  /** Authorization policies, whose subject is a calling service. */
  readonly serviceIndex: IdentityIndex;
  readonly nodes: Map<string, NodeEntry>;
  /** Instants (epoch ms, ascending) at which a decision in this account may change by itself: expiries. */
  expiries: number[];
  /** True when some policy has a time-based rule: decisions may change at any instant. */
  timeRules: boolean;
}

/** An enabled, verified SSO connector: callers with an email in its domain must have signed in through SSO. */
export interface SsoGate {
  readonly id: string;
  readonly emailDomain: string;
}

/** A registered resource, resolved once at compile time. */
export interface ResolvedResource {
  readonly id: string;
  /** A small number unique within its tables, for the decision cache's numeric keys. */
  readonly num: number;
  readonly accountId: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags: readonly string[];
  readonly projects: readonly string[];
  readonly folders: readonly string[];
  readonly zones: readonly string[];
  readonly agentId: string | undefined;
}

/** A catalog entry as matching needs it. */
export interface ServiceInfo {
  readonly type: string;
  readonly groups: readonly string[];
  /** Switched off in an account whose `thirdPartyServicesEnabled` is false. */
  readonly thirdParty: boolean;
}

/** What each role grants: [pattern, service or null] pairs from its own actions and the catalog. */
export interface RoleCatalog {
  readonly roles: Map<string, import('../model/source.js').Role>;
  readonly grants: Map<string, [string, string | null][]>;
  /** The same grants grouped by service, with actions and pattern prefixes interned: what indexing a policy walks. */
  readonly groups: Map<string, readonly RoleGrantGroup[]>;
}

/** What one role grants on one service (or on any service, `service` null), interned. */
export interface RoleGrantGroup {
  readonly service: string | null;
  readonly role: RoleInfo;
  /** Interned exact action ids, each once. */
  readonly actions: readonly number[];
  /** Interned pattern prefix ids, each once. */
  readonly prefixes: readonly number[];
}

/** The decision tables: everything `authorize` reads. Treat as immutable; only the Engine updates its own in place. */
export interface Tables {
  readonly accounts: Map<string, AccountTable>;
  readonly resources: Map<string, ResolvedResource>;
  readonly services: Map<string, ServiceInfo>;
  /** Number of compiled policies and bindings. */
  size: number;
  /** Bumped by every incremental update, so per-principal gathered ranges know they are stale. */
  version: number;
  /** The next ResolvedResource.num to give. */
  nextResourceNum: number;
  readonly catalog: RoleCatalog;
  readonly actions: import('./action-table.js').ActionTable;
  readonly attributeNames: import('./attribute-names.js').AttributeNames;
  /** Every literal a candidate compares for equality, interned (see strings.ts). */
  readonly strings: import('./strings.js').StringTable;
  /** Cloudflare resource group id -> the scope targets it reaches. */
  readonly resourceGroupTargets: Map<string, ScopeTarget[]>;
}
