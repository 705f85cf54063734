import { createActionTable } from './action-table.js';
import { applyRow, rowContext, sealRows, type RowContext, type RowLookup } from './apply-row.js';
import { rebuildDirtyAccounts } from './account-scopes.js';
import { createAttributeNames } from './attribute-names.js';
import { buildRoleCatalog } from './role-catalog.js';
import type { CompiledPolicy, ServiceInfo, Tables } from './tables.js';
import type { Source } from '../model/source.js';
import { ENTITY_FIELDS, entityKey, type EntityName, type EntityTypes } from '../model/entities.js';

/** Rows of a whole source looked up the way an update looks them up in its SourceState, indexed on first use. */
function sourceLookup(source: Source): RowLookup {
  const byKey = new Map<EntityName, Map<string, unknown>>();
  // keyed by `undefined` too: rows of no account (roles, services) are never listed by account
  const byAccount = new Map<EntityName, Map<string | undefined, unknown[]>>();
  // Stryker disable next-line ArrayDeclaration: only ssoConnectors may be missing (sources stored before them); a junk row has no account, so no list holds it, and get asks for groups only
  const rows = (e: EntityName) => (source[ENTITY_FIELDS[e]] ?? []) as { accountId?: string }[];
  const lookup = {
    get(entity: EntityName, key: string): unknown {
      let m = byKey.get(entity);
      // Stryker disable next-line ConditionalExpression: forced true indexes the same rows again at each lookup (speed only); forced false fails every compile
      if (m === undefined) byKey.set(entity, (m = new Map(rows(entity).map((r) => [entityKey(entity, r as never), r]))));
      return m.get(key);
    },
    list(entity: EntityName, accountId: string): unknown[] {
      let m = byAccount.get(entity);
      // Stryker disable next-line ConditionalExpression: forced true indexes the same rows again at each lookup (speed only); forced false fails every compile
      if (m === undefined) {
        byAccount.set(entity, (m = new Map()));
        for (const r of rows(entity)) {
          const list = m.get(r.accountId);
          if (list === undefined) m.set(r.accountId, [r]);
          else list.push(r);
        }
      }
      // Stryker disable next-line ArrayDeclaration: compile lists nodes and resource groups of accounts that have some, and SSO connectors of every account, where compileSso skips a junk row as neither enabled nor verified
      return m.get(accountId) ?? [];
    },
  };
  return lookup as unknown as RowLookup;
}

/**
 * The most ranks a compile gives; a compile with more policies ranks none. A record holds a rank above its flags
 * (identity-index.ts, 29 bits), and authorize's id sort keys a hit as `rank * 2^25 + i`, exact below 2^53 only while
 * ranks stay below 2^28 (pinned in mutation-pins-compile-source.test.ts).
 */
export const MAX_RANK = 2 ** 28 - 1;

/** Code-unit order of ids, for rankPolicies' sort. */
function byId(a: CompiledPolicy, b: CompiledPolicy): number {
  if (a.id < b.id) return -1;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: V8's sort reads only whether a comparison is below zero, so 1 and 0 are one answer here: the test forced either way, or `>=` or `<=`, changes no order (equal ids get one rank whatever their order)
  return a.id > b.id ? 1 : 0;
}

/**
 * Ranks the compiled policies and bindings by id, in code-unit order (CompiledPolicy.rank): done once per compile,
 * before sealing writes the ranks into the records. They are sorted as compiled, in source order, where ids usually
 * come in sorted runs that the sort merges in near-linear time; sorting them as the indexes list them (random order)
 * cost a tenth of a compile at L. Equal ids share a rank, as they share a string; a rank is written straight into its
 * policy, with no map from ids (which cost a twentieth of a compile at L). `maxRank` is MAX_RANK but in a test, which
 * cannot compile 2^28 policies to reach it.
 */
export function rankPolicies(compiled: CompiledPolicy[], maxRank = MAX_RANK): void {
  if (compiled.length > maxRank) return;
  compiled.sort(byId);
  for (let i = 0; i < compiled.length; i++) compiled[i]!.rank = i > 0 && compiled[i]!.id === compiled[i - 1]!.id ? compiled[i - 1]!.rank : i + 1;
}

/**
 * Applies every row of one entity, in order. Here and on the other per-row and per-candidate paths of compile, loops
 * are indexed: a service compiles once, mostly in code the JIT has not optimised yet, where each step of a `for…of`
 * allocates an iterator result (some 100 MB of garbage at L, and its collections).
 */
function applyRows<E extends Exclude<EntityName, 'role' | 'service'>>(ctx: RowContext, entity: E, rows: readonly EntityTypes[E][]): void {
  // Stryker disable next-line EqualityOperator: `i <= rows.length` applies one step past the end, applyRow(ctx, entity, undefined, undefined), which returns at once (no row on either side); the mark also hides the killed `>=`
  for (let i = 0; i < rows.length; i++) applyRow(ctx, entity, undefined, rows[i]);
}

/**
 * Compiles a source into decision tables. Pure: the source is not modified and nothing is read from outside. Every row
 * goes through applyRow, the path an incremental update takes, in an order where what a row reads is already there.
 */
export function compile(source: Source): Tables {
  const actions = createActionTable();
  const services = new Map<string, ServiceInfo>();
  for (const s of source.services) services.set(s.name, { type: s.type, groups: s.groups ?? [], thirdParty: s.thirdParty === true });
  const tables: Tables = {
    accounts: new Map(),
    resources: new Map(),
    services,
    size: 0,
    version: 0,
    nextResourceNum: 1,
    catalog: buildRoleCatalog(source, actions),
    actions,
    attributeNames: createAttributeNames(),
    strings: new Map(),
    resourceGroupTargets: new Map(),
  };
  const ctx = rowContext(tables, sourceLookup(source), true);
  applyRows(ctx, 'account', source.accounts);
  // Stryker disable next-line ArrayDeclaration: a junk row names no account, and the rebuild skips an account without a table
  applyRows(ctx, 'ssoConnector', source.ssoConnectors ?? []);
  applyRows(ctx, 'node', source.nodes);
  applyRows(ctx, 'resourceGroup', source.resourceGroups);
  applyRows(ctx, 'principal', source.principals);
  applyRows(ctx, 'group', source.groups);
  applyRows(ctx, 'membership', source.memberships);
  // INVARIANT: resource-group targets are resolved before the policies that name them are compiled
  rebuildDirtyAccounts(ctx);
  applyRows(ctx, 'policy', source.policies);
  applyRows(ctx, 'binding', source.bindings);
  applyRows(ctx, 'resource', source.resources);
  rankPolicies(ctx.compiled!);
  sealRows(ctx);
  for (const a of tables.accounts.values()) a.expiries.sort((x, y) => x - y);
  return tables;
}
