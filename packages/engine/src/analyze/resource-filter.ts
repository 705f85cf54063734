import { Derived, type AttributeMatcher, type Candidate, type RuleNode, type Tables } from '../compile/tables.js';
import { matchGlob } from '../compile/glob.js';
import { ValidationError } from '../errors.js';
import { accountGate } from '../evaluate/account-gates.js';
import { createIdentitySet, resolveIdentities } from '../evaluate/authorize.js';
import { matchRule } from '../evaluate/match-policy.js';
import { createContext } from '../evaluate/resolve-request.js';
import type { RequestSubject } from '../evaluate/types.js';
import { bucketsFor, checkNow, federatedHolds, resolveTarget, sortedIds } from './action-candidates.js';
import { listResources, type ListedResource } from './list-resources.js';
import { and, anyOf, FALSE, not, or, predicateAttributes, TRUE, type Predicate } from '../compile/predicate.js';
import { globIsSqlExact, toSql, type SqlFilter } from './predicate-sql.js';

/** Options of resourceFilter: the clock and the account whose resources the host's table holds. */
export interface ResourceFilterOptions {
  now: number;
  accountId: string;
}

/** The option keys resourceFilter reads: typed against its options, so a field added there and not here fails to compile. */
const FILTER_OPTION_KEYS = Object.keys({ now: true, accountId: true } satisfies { readonly [K in keyof Required<ResourceFilterOptions>]: true });

/** What a policy depends on beyond resource attributes (or a glob SQL cannot express exactly), so that no attribute filter can express it. */
export type ResidualReason = 'tags' | 'scopes' | 'nodes' | 'glob';

/** The filter could not be written over attributes: the policies that need more, and the registered resources listed instead. */
export interface ResidualFilter {
  residual: true;
  accountId: string;
  reasons: { policyId: string; on: ResidualReason }[];
  /** The registered resources of the account that the subject may act on (the fallback to listing). */
  resources: ListedResource[];
}

/** An exact filter: a resource row of the account is allowed exactly when `predicate` (and `sql`) hold on it. */
export interface ExactFilter {
  residual: false;
  accountId: string;
  predicate: Predicate;
  sql: SqlFilter;
  /** The attribute columns the filter reads. */
  columns: string[];
  /** True when a policy's time rule was decided at `now`: the filter holds at that instant only. */
  timeDependent: boolean;
}

/** The condition over resource attributes under which a subject may act, or the reason there is none. */
export type ResourceFilter = ExactFilter | ResidualFilter;

/**
 * The condition over resource attributes under which `subject` may perform `action` on a resource of
 * `options.accountId` at `options.now`: (no deny holds) AND (some allow holds), every part read from the compiled
 * matchers of the subject's candidates. What is known without the resource (identities, service, expiries, time rules)
 * is decided now; `serviceType` and `service_group_id` are expanded through the catalog into `serviceName` conditions.
 * Tags, Cloudflare scopes and BlueXP nodes are not attributes: a candidate that needs them makes the result residual, as
 * does a glob with `?` (SQL cannot count UTF-16 code units). The predicate requires `accountId` to equal the account.
 * Throws `invalid_options` for a bad clock or account, `invalid_request` for a subject `authorize` would refuse.
 */
export function resourceFilter(tables: Tables, subject: RequestSubject, action: string, options: ResourceFilterOptions): ResourceFilter {
  const now = checkNow(options, FILTER_OPTION_KEYS);
  const accountId = options.accountId;
  if (typeof accountId !== 'string' || accountId.length === 0)
    throw new ValidationError('invalid_options', [{ path: ['accountId'], message: 'must be a non-empty string' }]);
  if (typeof action !== 'string' || action.length === 0)
    throw new ValidationError('invalid_request', [{ path: ['action'], message: 'must be a non-empty string' }]);
  // the subject is checked as authorize checks it: a malformed subject is invalid_request, never a filter
  resolveTarget(tables, action, { attributes: { accountId } }, now, subject);
  const account = tables.accounts.get(accountId);
  // the gates that do not depend on the resource (SSO, SaaS off, a third-party caller) refuse every row
  if (accountGate(account, subject, undefined, tables.services) !== null) return exact(FALSE, false);
  const set = createIdentitySet();
  resolveIdentities(set, account, subject, now);
  const ctx = createContext();
  ctx.now = now;
  const denies = new Map<string, Predicate[]>();
  const allows = new Map<string, Predicate[]>();
  const reasons: { policyId: string; on: ResidualReason }[] = [];
  const state = { timeDependent: false };
  for (let k = 0; k < set.count; k++) {
    for (const b of bucketsFor(tables, set.indexes[k]!, action)) {
      for (const c of b.deny) {
        const pred = c.policy.error !== null ? TRUE : candidatePredicate(tables, c, accountId, reasons, state, set, now, ctx);
        push(denies, c.policy.id, pred);
      }
      for (const c of b.allow) {
        if (c.policy.error !== null) continue;
        push(allows, c.policy.id, candidatePredicate(tables, c, accountId, reasons, state, set, now, ctx));
      }
    }
  }
  if (reasons.length > 0) {
    const seen = new Set<string>();
    const unique = reasons.filter((r) => (seen.has(`${r.policyId}\u0000${r.on}`) ? false : (seen.add(`${r.policyId}\u0000${r.on}`), true)));
    unique.sort((x, y) => (x.policyId < y.policyId ? -1 : x.policyId > y.policyId ? 1 : x.on < y.on ? -1 : x.on > y.on ? 1 : 0));
    return { residual: true, accountId, reasons: unique, resources: listResources(tables, subject, action, undefined, { now, accountId }) };
  }
  const anyOfPolicies = (m: Map<string, Predicate[]>) => or(...sortedIds(m.keys()).map((id) => or(...m.get(id)!)));
  const thirdParty: string[] = [];
  if (account !== undefined && !account.thirdPartyServicesEnabled) for (const [name, info] of tables.services) if (info.thirdParty) thirdParty.push(name);
  const predicate = and(
    { op: 'eq', attr: 'accountId', value: accountId },
    not(anyOf('serviceName', thirdParty.sort())),
    not(anyOfPolicies(denies)),
    anyOfPolicies(allows),
  );
  return exact(predicate, state.timeDependent);

  function exact(predicate: Predicate, timeDependent: boolean): ExactFilter {
    return { residual: false, accountId, predicate, sql: toSql(predicate), columns: predicateAttributes(predicate), timeDependent };
  }
}

function push(m: Map<string, Predicate[]>, id: string, p: Predicate): void {
  const list = m.get(id);
  if (list === undefined) m.set(id, [p]);
  else list.push(p);
}

/** The condition under which one candidate matches a resource of the account, everything but the resource decided now. */
function candidatePredicate(
  tables: Tables,
  c: Candidate,
  accountId: string,
  reasons: { policyId: string; on: ResidualReason }[],
  state: { timeDependent: boolean },
  set: ReturnType<typeof createIdentitySet>,
  now: number,
  ctx: ReturnType<typeof createContext>,
): Predicate {
  const p = c.policy;
  if (now >= p.expiresAt) return FALSE;
  if (p.serviceSubject !== null) {
    const service = set.service;
    if (service === undefined) return FALSE;
    for (const [k, v] of p.serviceSubject) {
      const got = Object.hasOwn(service, k) ? service[k] : undefined;
      if (got === undefined || String(got) !== v) return FALSE;
    }
  }
  if (p.federatedGroup && (set.principal === null || !federatedHolds(set.principal, now))) return FALSE;
  const parts: Predicate[] = [];
  if (c.service !== null) parts.push({ op: 'eq', attr: 'serviceName', value: c.service });
  for (const m of p.attributes) parts.push(attributePredicate(tables, m, accountId));
  if (p.rule !== null) parts.push(rulePredicate(tables, p.rule, accountId, state, ctx));
  const pred = and(...parts);
  if (pred.op === 'false') return FALSE;
  if (p.tags.length > 0) reasons.push({ policyId: p.id, on: 'tags' });
  if (!globsSqlExact(pred)) reasons.push({ policyId: p.id, on: 'glob' });
  if (p.scopes !== null) reasons.push({ policyId: p.id, on: 'scopes' });
  if (p.nodes !== null) reasons.push({ policyId: p.id, on: 'nodes' });
  return pred;
}

/** True when every glob of the predicate is written exactly by `toSql` (see `globIsSqlExact`). */
function globsSqlExact(p: Predicate): boolean {
  switch (p.op) {
    case 'match':
      return globIsSqlExact(p.pattern);
    case 'and':
    case 'or':
      return p.args.every(globsSqlExact);
    case 'not':
      return globsSqlExact(p.arg);
    default:
      return true;
  }
}

function rulePredicate(tables: Tables, node: RuleNode, accountId: string, state: { timeDependent: boolean }, ctx: ReturnType<typeof createContext>): Predicate {
  switch (node.kind) {
    case 'and':
      return and(...node.children.map((n) => rulePredicate(tables, n, accountId, state, ctx)));
    case 'or':
      return or(...node.children.map((n) => rulePredicate(tables, n, accountId, state, ctx)));
    case 'attr':
      return attributePredicate(tables, node.matcher, accountId);
    default:
      state.timeDependent = true;
      return matchRule(node, ctx) ? TRUE : FALSE;
  }
}

/** A matcher on a known value, as the evaluator tests it. */
function holds(m: AttributeMatcher, x: string | undefined): boolean {
  return m.operator.test(m, x);
}

/** A matcher on the resource's own attribute `m.name`. */
function leaf(m: AttributeMatcher): Predicate {
  return m.operator.predicate(m, m.name);
}

/**
 * One attribute condition as a predicate. `accountId` is fixed by the filter's account. A derived attribute reads the
 * catalog when `serviceName` is catalogued (SEMANTICS §3.1) and the resource's own attribute otherwise.
 */
export function attributePredicate(tables: Pick<Tables, 'services'>, m: AttributeMatcher, accountId: string): Predicate {
  if (m.name === 'accountId' && m.derived === Derived.None) return holds(m, accountId) ? TRUE : FALSE;
  if (m.derived === Derived.None) return leaf(m);
  const catalogued: string[] = [];
  const yes: string[] = [];
  for (const [name, info] of tables.services) {
    catalogued.push(name);
    const ok = m.derived === Derived.ServiceType ? holds(m, info.type) : info.groups.some((g) => holds(m, g));
    if (ok) yes.push(name);
  }
  return or(anyOf('serviceName', yes.sort()), and(not(anyOf('serviceName', catalogued.sort())), leaf(m)));
}
