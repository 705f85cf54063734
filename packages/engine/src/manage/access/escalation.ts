// The effect review: what an operation does to access, not what it writes. The grants of every identity of the
// accounts the changes touch are compared before and after (the permission diff: policies and bindings expanded
// through roles, groups, claim rules, dynamic memberships, resource groups, the folder tree, principals' status), and
// - every grant gained by anyone, and every deny lifted, must be one the actor may delegate where it is gained
//   (access/delegation.ts);
// - every deny added, and every grant lost, must not hit a principal that holds access the actor could not delegate
//   (no lock-out of superiors);
// - a registered resource placed under more folders or projects gives their role holders access to it: each such
//   grant must be one the actor may delegate on the resource as it was.
// It reads the changes only to know which accounts to compare, so it covers every operation, including ones added
// later. A change it cannot place in an account (a global role, a catalog service) or of an entity it does not know
// fails closed.
import { diff, type Grant } from '../../analyze/permission-diff.js';
import type { RequestResource } from '../../evaluate/types.js';
import { PUBLIC_ACCESS_GROUP_ID, type Binding, type Policy, type Source } from '../../model/source.js';
import { ENTITY_FIELDS, ENTITY_NAMES, entityKey, type Change, type EntityName } from '../../model/entities.js';
import type { ScopeTarget } from '../../model/scope.js';
import { createDelegation, type Delegation } from './delegation.js';
import { accountTurns, ruleMayHold, ruleOnceTurns, ruleTurns, type AccountTurns } from './instants.js';
import type { Gate } from './guard.js';
import { nodeTarget, openAttributes, policyTargets } from './targets.js';
import { SourceState } from '../../model/source-state.js';

/** The fallback for a list a row leaves out: one constant, so every `?? NONE` reads the same empty list. */
const NONE: readonly string[] = [];

/** The entities whose effect on access the review knows how to read; a change to any other is refused. */
const REVIEWED: ReadonlySet<EntityName> = new Set<EntityName>([
  'account',
  'principal',
  'group',
  'role',
  'policy',
  'resourceGroup',
  'node',
  'binding',
  'resource',
  'membership',
  'ssoConnector',
]);

/**
 * The account a row belongs to; undefined for a global row (a system role). Only entities of REVIEWED reach it (a
 * catalog service is refused before), so no row is told apart by its entity but an account's.
 */
function accountOfRow(entity: EntityName, row: unknown): string | undefined {
  if (entity === 'account') return (row as { id: string }).id;
  const a = (row as { accountId?: unknown }).accountId;
  return typeof a === 'string' ? a : undefined;
}

/**
 * Which policies and bindings the diff needs: those whose effect the change can alter. Whole subjects (every policy
 * and binding of a principal, a group or Public Access of an account), single rows by id, or
 * the rows at some nodes (a BlueXP node or resource placed, moved or removed reaches the bindings at its nodes, above
 * them, at the organization and, for a node, below it; nothing else covers it). A grant the
 * diff then reports as gained may already be held another way; reporting it is stricter, never weaker.
 */
interface Reach {
  /** Accounts where a node or resource moved: every agent is modelled there (an agent's projects shape the grants above them). */
  placed: Set<string>;
  subjects: Set<string>;
  rows: Set<string>;
  /** The principals (`account/id`) whose grants can change, and the groups that can give them any (filled by reachPrincipal, reachGroup and `settle`). */
  principals: Set<string>;
  groups: Set<string>;
}

const subjectKey = (accountId: string, s: { kind: string; id?: string }): string => {
  // no change names the calling services of an account as a whole (reachOf adds only p:, g: and pub: keys): a policy
  // of a service subject is reached by its row, and this key, looked up in accountsSource, is never found
  // Stryker disable next-line ConditionalExpression,StringLiteral: any key here other than a p:, g: or pub: one is absent from reach.subjects alike
  if (s.kind === 'service') return `s:${accountId}`;
  return s.kind === 'principal' ? `p:${accountId}/${s.id}` : s.id === PUBLIC_ACCESS_GROUP_ID ? `pub:${accountId}` : `g:${accountId}/${s.id}`;
};

/** Reaches a principal's policies and bindings, and models it. */
function reachPrincipal(r: Reach, accountId: string, id: string): void {
  r.subjects.add(`p:${accountId}/${id}`);
  r.principals.add(`${accountId}/${id}`);
}

/** Reaches a group's policies and bindings, and models the group (settle adds its members). */
function reachGroup(r: Reach, accountId: string, id: string): void {
  // Stryker disable next-line StringLiteral: subjectKey reads the kind only to tell services and principals apart
  r.subjects.add(subjectKey(accountId, { kind: 'group', id }));
  r.groups.add(`${accountId}/${id}`);
}

/** A row a change replaces or writes, with the account it belongs to. */
interface TouchedRow {
  entity: EntityName;
  row: unknown;
  accountId: string;
}

/** What the changes can affect, read from the rows they replace and write (`rows`, placed by reviewEffects). */
function reachOf(before: SourceState, after: SourceState, rows: readonly TouchedRow[]): Reach {
  const r: Reach = { placed: new Set(), subjects: new Set(), rows: new Set(), principals: new Set(), groups: new Set() };
  const policiesUsing = (accountId: string, test: (p: Policy) => boolean) => {
    for (const state of [before, after]) for (const p of state.rowsOf('policy', accountId)) if (test(p)) r.rows.add(p.id);
  };
  const bindingsUsing = (accountId: string, test: (b: Binding) => boolean) => {
    for (const state of [before, after]) for (const b of state.rowsOf('binding', accountId)) if (test(b)) r.rows.add(b.id);
  };
  const principal = (accountId: string, id: string) => {
    reachPrincipal(r, accountId, id);
    // a principal's status, kind or projects change what every one of its groups gives it
    for (const state of [before, after]) {
      // (runGuarded parses an operation's rows first, but a batch with a row that does not parse is reviewed as written
      // and refused by the commit: such a group may come without its members)
      for (const g of state.rowsOf('group', accountId)) if ((g.members ?? NONE).includes(id)) reachGroup(r, accountId, g.id);
      for (const m of state.rowsOf('membership', accountId)) if (m.principalId === id) reachGroup(r, accountId, m.groupId);
    }
  };
  // a node placed, moved or removed, or a resource placed, reaches the grants at those nodes and above them (they
  // cover it); the organization's own grants cover everything; agents' projects shape them all. A grant below a moved
  // node is the same on both sides (its node's subtree and agents move with it): leaving it out can only show a gain
  // or a loss it would have hidden, never hide one.
  const placed = (accountId: string, nodes: readonly string[]) => {
    const at = new Set<string>([accountId]);
    for (const state of [before, after]) {
      // (at most 64 steps: an operation may write a cycle, which the commit refuses after the review)
      for (const n of nodes) for (let id: string | null = n, i = 0; id !== null && i < 64; i++, id = state.get('node', id)?.parentId ?? null) at.add(id);
    }
    policiesUsing(accountId, (p) => (p.resource.nodes ?? NONE).some((n) => at.has(n)));
    bindingsUsing(accountId, (b) => at.has(b.nodeId));
    r.placed.add(accountId);
  };
  for (const { entity, row, accountId } of rows) {
    // (a dynamic membership has no id: its case reads the group)
    const id = (row as { id: string }).id;
    switch (entity) {
      case 'policy':
      case 'binding':
        r.rows.add(id);
        break;
      case 'principal':
        principal(accountId, id);
        // an agent's projects bound what a non-organization admin role above them reaches of its resources: the
        // bindings at and above the projects it joins or leaves gain or lose its resources there
        placed(accountId, (row as { projects?: string[] }).projects ?? NONE);
        break;
      case 'group':
        reachGroup(r, accountId, id);
        break;
      case 'membership':
        reachGroup(r, accountId, (row as { groupId: string }).groupId);
        break;
      case 'resourceGroup':
        // a binding names no resource group (it sits at a node)
        policiesUsing(accountId, (p) => (p.resource.resourceGroups ?? NONE).includes(id));
        break;
      case 'role':
        policiesUsing(accountId, (p) => p.roles.includes(id));
        bindingsUsing(accountId, (b) => b.roleId === id);
        break;
      case 'account':
        r.subjects.add(`pub:${accountId}`);
        break;
      case 'node':
      case 'resource':
        placed(accountId, entity === 'node' ? [id] : [...(row as { projects: string[] }).projects, ...(row as { folders: string[] }).folders]);
        break;
      // an SSO connector reaches no policy or binding: the diff reads it as context
    }
  }
  settle(r, before, after);
  return r;
}

/** The principals and groups the diff must model: those the reach names, and the members of its groups. */
function settle(r: Reach, before: SourceState, after: SourceState): void {
  const subjectOf = (accountId: string, s: { kind: string; id?: string }) => {
    if (s.kind === 'principal') r.principals.add(`${accountId}/${s.id}`);
    // Public Access too: it has no members, so it adds no principal
    else if (s.kind === 'group') r.groups.add(`${accountId}/${s.id}`);
  };
  for (const state of [before, after]) {
    for (const id of r.rows) {
      const row = state.get('policy', id) ?? state.get('binding', id);
      if (row !== undefined) subjectOf(row.accountId, row.subject);
    }
  }
  for (const state of [before, after]) {
    for (const key of r.groups) {
      const i = key.indexOf('/');
      const accountId = key.slice(0, i);
      for (const m of state.get('group', key)?.members ?? NONE) r.principals.add(`${accountId}/${m}`);
      for (const m of state.rowsOf('membership', accountId)) if (m.groupId === key.slice(i + 1)) r.principals.add(`${accountId}/${m.principalId}`);
    }
  }
  // a federated group's binding holds for a member only while the member holds a direct binding of its own
  // (SEMANTICS 3.4): whichever half a change touches, both are read, the member's own bindings and its federated
  // groups. (The members those groups bring stay out: their direct bindings are unchanged, so the group's grants to
  // them are the same on both sides.)
  for (const state of [before, after]) {
    for (const key of [...r.principals]) {
      const i = key.indexOf('/');
      const accountId = key.slice(0, i);
      const id = key.slice(i + 1);
      for (const g of state.rowsOf('group', accountId)) {
        if (g.federated !== true || !(g.members ?? NONE).includes(id)) continue;
        reachPrincipal(r, accountId, id);
        reachGroup(r, accountId, g.id);
      }
    }
  }
}

/**
 * The rows of `accounts` (and the global roles and services every account reads), with only the policies and bindings
 * `reach` names, as a source. `catalog` gives the roles and services arrays when they are shared with another source
 * (so the diff builds their role catalog once).
 */
function accountsSource(state: SourceState, accounts: ReadonlySet<string>, reach: Reach, catalog: { roles: unknown[]; services: unknown[] }): Source {
  const s: Record<string, unknown> = { version: 1, roles: catalog.roles, services: catalog.services };
  for (const e of ENTITY_NAMES) {
    if (e === 'role' || e === 'service') continue;
    const rows: unknown[] = [];
    for (const a of accounts) {
      // (the marks below: more principals, groups or memberships of a touched account than the reach names add no grant
      // — a grant comes from a policy or binding of the reach, through a group of the reach — and the same rows to both
      // sides)
      switch (e) {
        case 'policy':
        case 'binding':
          for (const row of state.rowsOf(e, a)) if (reach.rows.has(row.id) || reach.subjects.has(subjectKey(a, row.subject))) rows.push(row);
          break;
        // Stryker disable next-line StringLiteral: every principal of the account instead, as above
        case 'principal': {
          const agents = reach.placed.has(a);
          for (const row of state.rowsOf(e, a)) {
            if (
              reach.principals.has(`${a}/${row.id}`) ||
              // Stryker disable next-line LogicalOperator: every principal, not only the agents where a node moved, as above
              (agents &&
                // (`!== 0`, not `> 0`: a length is never negative, and `>= 0` would be one more equivalent mutant)
                // Stryker disable next-line ConditionalExpression: every principal where a node moved, not only its agents, as above
                (row.projects ?? NONE).length !== 0)
            )
              rows.push(row);
          }
          break;
        }
        // (the diff reads Public Access from the account row, never from its group row)
        // Stryker disable next-line StringLiteral: every group of the account instead, as above
        case 'group':
          for (const row of state.rowsOf(e, a)) if (reach.groups.has(`${a}/${row.id}`)) rows.push(row);
          break;
        // Stryker disable next-line StringLiteral: every membership of the account instead, as above
        case 'membership':
          for (const row of state.rowsOf(e, a)) if (reach.groups.has(`${a}/${row.groupId}`)) rows.push(row);
          break;
        default:
          rows.push(...state.list(e, a));
      }
    }
    s[ENTITY_FIELDS[e]] = rows;
  }
  return s as unknown as Source;
}

/** The rows of `accounts`, and the global roles and services, as a state of their own. */
function touchedState(state: SourceState, accounts: ReadonlySet<string>): SourceState {
  // (SourceState.from reads the entity fields alone: no version)
  const s: Record<string, unknown> = {};
  for (const e of ENTITY_NAMES) {
    // the rows of no account (ids are never empty): the global roles and the services
    const rows: unknown[] = state.list(e, '');
    for (const a of accounts) rows.push(...state.rowsOf(e, a));
    s[ENTITY_FIELDS[e]] = rows;
  }
  return SourceState.from(s as unknown as Source);
}

/** Every grant a source holds, by identity: the diff from the same source with no policies and no bindings. */
function allGrants(source: Source, now: number): Grant[] {
  return diff({ ...source, policies: [], bindings: [] }, source, { now }).added;
}

/** The stand-in for a future member of one group: an id no source can hold (ids are non-empty and never start with NUL). */
const PHANTOM = '\u0000phantom:';
const phantomOf = (groupId: string) => `${PHANTOM}${groupId}`;

/**
 * The source as it would decide for whoever may come to hold its grants: every principal active, and in every group
 * a member of its own that stands for any future one. What an operation writes on a group nobody is in yet, or on a
 * pending member, shows here as a grant gained, so it is reviewed when written, not when someone later joins. So is
 * whatever a later step that no review sees would wake: Public Access switched back on (the host's account row), a
 * deleted policy restored (a restorer who may give what it says now restores what another wrote), a federated group's
 * binding holding for a member once the member holds a direct binding (SEMANTICS 3.4: every group reads as not
 * federated, so its grants hold for the stand-in member). Each reading only adds grants to both sides: stricter, never
 * weaker.
 */
function latent(source: Source): Source {
  return {
    ...source,
    accounts: source.accounts.map((a) => ({ ...a, publicAccess: true })),
    policies: source.policies.map((p) => (p.state === 'deleted' ? { ...p, state: 'active' as const } : p)),
    principals: [
      ...source.principals.map((p) => ({ ...p, status: 'active' as const })),
      ...source.groups.map((g) => ({ id: phantomOf(g.id), accountId: g.accountId, kind: 'user' as const, status: 'active' as const, projects: [] })),
    ],
    groups: source.groups.map((g) => ({ ...g, federated: false, members: [...(g.members ?? NONE), phantomOf(g.id)] })),
  } as Source;
}

/** What makes two grants the same grant on either side of a change, but for their resource and expiry. */
const sameGrantKey = (x: Grant) => JSON.stringify([x.accountId, x.identity, x.action, x.effect, x.service]);

/**
 * Throws the actor's 403 unless every effect of `changes` (from `before` to `after`) is one the actor may cause. A row
 * of one of `accounts` is judged with the actor acting in that account (migration); every other as the actor acts.
 */
export function reviewEffects(actorGate: Gate, before: SourceState, changes: readonly Change[], accounts: readonly string[]): void {
  // (only speed: with no change every diff below is empty)
  // Stryker disable next-line ConditionalExpression: no change touches no account, and empty sources differ in nothing
  if (changes.length === 0) return;
  const touched = new Set<string>();
  const rows: TouchedRow[] = [];
  for (const c of changes) {
    // INVARIANT: an entity the review cannot read, or a row of no account, is the system's alone
    if (!REVIEWED.has(c.entity)) throw actorGate.forbidden();
    const old = before.get(c.entity, c.op === 'put' ? entityKey(c.entity, c.value as never) : c.key) as unknown;
    // (a delete carries no value)
    for (const row of [old, (c as { value?: unknown }).value]) {
      if (row === undefined) continue;
      const a = accountOfRow(c.entity, row);
      if (a === undefined) throw actorGate.forbidden();
      touched.add(a);
      rows.push({ entity: c.entity, row, accountId: a });
    }
  }
  // the state after, of the touched accounts alone: applying the changes to the whole state would copy every account
  const after = touchedState(before, touched).with(changes);
  const gateOf = (accountId: string): Gate => (accounts.includes(accountId) ? actorGate.inAccount(accountId) : actorGate);
  const delegation = createDelegation(gateOf);
  const now = actorGate.now;
  const reach = reachOf(before, after, rows);
  const catalogRows = (state: SourceState) => {
    const roles: unknown[] = state.list('role', '');
    const services: unknown[] = state.list('service', '');
    for (const acc of touched) roles.push(...state.list('role', acc));
    return { roles, services };
  };
  const catalogBefore = catalogRows(before);
  // the same arrays for both sides when the change leaves roles alone (a service change never gets here: REVIEWED
  // lacks it): one catalog for the four diffs
  const catalogAfter = changes.some((c) => c.entity === 'role') ? catalogRows(after) : catalogBefore;
  const a = accountsSource(before, touched, reach, catalogBefore);
  const b = accountsSource(after, touched, reach, catalogAfter);
  const d = diff(a, b, { now });
  const dl = diff(latent(a), latent(b), { now });
  const refuse = (accountId: string): never => {
    throw gateOf(accountId).forbidden();
  };

  const open = new Map<string, string[]>();
  // (without the union, policyTargets reads the open attributes of the grant's own side: they differ only by those of
  // policies the operation deletes or adds, which the gate reads only where the actor's own policies do; MUTATION.md,
  // branch mutesc, argues it in full)
  // Stryker disable next-line BlockStatement: the union is the safe reading; the grant's own side alone asks alike
  const openOf = (accountId: string) => {
    let v = open.get(accountId);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a memo; recomputing it from the same states gives the same value (never computing it returns no list: policyTargets reads the grant's own side, as above)
    if (v === undefined) open.set(accountId, (v = [...new Set([...openAttributes(before, accountId), ...openAttributes(after, accountId)])]));
    return v;
  };
  const targetsOf = (g: Grant, counterpart: readonly Grant[] | null, state: SourceState): RequestResource[] =>
    grantTargets(g, counterpart, state, before, after, openOf(g.accountId));

  // the actor's delegation at a later instant (what it holds then), and the instants its holding can turn at
  const delegations = new Map<number, Delegation>();
  const delegationAt = (at: number): Delegation => {
    let dl = delegations.get(at);
    // Stryker disable next-line ConditionalExpression: a memo; recomputing it from the same states gives the same value
    if (dl === undefined) {
      const gates = new Map<string, Gate>();
      delegations.set(
        at,
        (dl = createDelegation((accountId) => {
          let g = gates.get(accountId);
          // Stryker disable next-line ConditionalExpression: a memo; recomputing it from the same states gives the same value
          if (g === undefined) gates.set(accountId, (g = gateOf(accountId).at(at)));
          return g;
        })),
      );
    }
    return dl;
  };
  const turnsAt = new Map<string, AccountTurns>();
  const turnsOf = (accountId: string): AccountTurns => {
    let v = turnsAt.get(accountId);
    // Stryker disable next-line ConditionalExpression: a memo; recomputing it from the same states gives the same value
    if (v === undefined) turnsAt.set(accountId, (v = accountTurns(before, accountId, now)));
    return v;
  };
  const actorTurns = (accountId: string, from?: readonly number[]): number[] => turnsOf(accountId).of(actorGate.actor.id, from);
  /**
   * The instants after now at which `g` may hold and what the actor holds, or `g` itself, can have turned: the turns
   * of the actor's rules and expiries, and of the grant's own rules and expiry, inside the grant's life.
   */
  const laterInstants = (g: Grant, state: SourceState): number[] => {
    // a binding's id names no policy: no rule, it holds at every instant
    const rules = g.via.map((v) => state.get('policy', v.policyId)?.rule);
    // the daily and weekly turns of the actor's rules are asked after the grant starts and after its date-times too,
    // and the grant's after the actor's date-times and expiries (red team, round 6: a grant from March met none of
    // the actor's daily turns, listed only for the days after now)
    const starts = [g.from ?? now, ...rules.flatMap((r) => ruleOnceTurns(r, now))];
    const own = rules.flatMap((r) => ruleTurns(r, now, [...starts, ...turnsOf(g.accountId).once(actorGate.actor.id)]));
    // what the actor holds is the same from one of its turns to the next, and each turn comes with the instant before
    // it: so the instants checked see every stretch of the grant's life but the one from its start to the first turn,
    // which `from` (or, for a grant that holds already, now) sees. (Its expiry adds nothing: the last stretch ends at
    // a turn or runs from `from` or now.)
    // (for a grant that holds already, now: the filter below drops it)
    own.push(g.from ?? now);
    const until = g.until ?? Infinity;
    const from = g.from ?? -Infinity;
    const all = [...new Set([...actorTurns(g.accountId, starts), ...own])].filter((t) => t > now && t >= from && t < until);
    // a grant from several rows holds when any of them does; one from a row with no rule holds at every instant (the
    // order of the instants is free: any one the actor cannot give at refuses)
    // Stryker disable next-line MethodExpression: the rows of one grant share its rule (the rule is part of the grant), so some and every agree
    const holds = (t: number) => rules.some((r) => ruleMayHold(r, t));
    return all.filter(holds);
  };

  // grants gained (and denies lifted or added): the actor must be able to delegate them, where they are gained, now
  // and at every later instant the grant holds where what the actor holds can have changed by the clock alone
  /**
   * Refuses unless the actor may give `g` (a grant of `state`) at each of `targets`, now and at every later instant.
   * A loss is asked so too: an actor whose right to give ends soon may not take what would be held for ever (red team,
   * round 5: asked now only, a folder admin for one more hour took an invited colleague's for-ever binding).
   */
  const mayGive = (g: Grant, targets: readonly RequestResource[], state: SourceState): void => {
    const admin = g.resource.nodes?.admin ?? null;
    for (const dg of [delegation, ...laterInstants(g, state).map(delegationAt)]) {
      for (const t of targets) if (!dg.may(g.accountId, g.action, g.service, t, admin)) refuse(g.accountId);
    }
  };
  const gained = (g: Grant, counterpart: readonly Grant[], state: SourceState): void => mayGive(g, targetsOf(g, counterpart, state), state);
  // each pool indexed once: a change that gains thousands of grants must not compare every pair (seconds per operation)
  const pools = new Map<readonly Grant[], Map<string, Grant[]>>();
  const similar = (g: Grant, pool: readonly Grant[]) => {
    let index = pools.get(pool);
    // Stryker disable next-line ConditionalExpression: a memo; recomputing it from the same states gives the same value
    if (index === undefined) {
      pools.set(pool, (index = new Map()));
      for (const x of pool) {
        const k = sameGrantKey(x);
        const list = index.get(k);
        if (list === undefined) index.set(k, [x]);
        else list.push(x);
      }
    }
    return (index.get(sameGrantKey(g)) ?? []).filter((x) => x.via.some((v) => g.via.some((w) => w.policyId === v.policyId)));
  };
  for (const dd of [d, dl]) {
    for (const g of dd.added) gained(g, similar(g, dd.removed), after);
    for (const g of dd.removed) if (g.effect === 'deny') gained(g, similar(g, dd.added), before);
  }

  // no lock-out: nothing is taken, where it is taken, from a principal that holds there access the actor could not delegate
  /**
   * True when the actor may take `action` where a principal holds it (`held`, a concrete request): when it may give it
   * there, or, for an action a role of the service the request names grants, when it may give that service's roles
   * there (IBM: the service's Administrator assigns its roles, seed 004, so it may take them back). A pattern, or an
   * action no role of that service names, is asked with no service: the Administrator of kms does not take `kms.*`
   * (every future action) nor an action of a service-less role.
   */
  const mayTake = (dg: Delegation, accountId: string, action: string, held: RequestResource): boolean => {
    if (dg.may(accountId, action, null, held)) return true;
    // Stryker disable next-line OptionalChaining: every place the review asks (grantTargets, the placement's `where`) names its account in `attributes`, and the gate's probes keep them
    const service = held.attributes?.['serviceName'];
    if (typeof service !== 'string') return false;
    const roles = before.get('service', service)?.roles ?? {};
    return Object.values(roles).some((actions) => actions.includes(action)) && dg.may(accountId, action, service, held);
  };
  const superiorAt = new Map<string, boolean>();
  const superior = (accountId: string, id: string, where: readonly RequestResource[]): boolean => {
    // the actor may always take from itself; a phantom member never gets here (only the latent diff has them)
    if (accountId === actorGate.actor.accountId && id === actorGate.actor.id) return false;
    return where.some((t) => {
      const key = `${accountId}/${id}\u0000${JSON.stringify(t)}`;
      let v = superiorAt.get(key);
      // Stryker disable next-line ConditionalExpression: a memo; recomputing it from the same states gives the same value
      if (v === undefined) {
        // now, and at every later instant what it holds or what the actor may give can turn by the clock
        // (the daily and weekly turns of each after the other's date-times and expiries too)
        const turns = turnsOf(accountId);
        const at = [...new Set([now, ...actorTurns(accountId, turns.once(id)), ...turns.of(id, turns.once(actorGate.actor.id))])];
        v = at.some((instant) => {
          // the principal of its own account: `as` keeps the account of the gate it is asked of, and the actor's
          // gate (gateOf, outside a migration) is in the actor's account
          const them = actorGate.inAccount(accountId).at(instant).as(id);
          // asked where it holds each right, at requests that tell apart what the actor holds too
          return them.actionsOn(t, actorGate.actor.id).some(({ action, at: held }) => !mayTake(delegationAt(instant), accountId, action, held));
        });
        // Stryker disable next-line CallExpression: a memo; recomputing it from the same states gives the same value
        superiorAt.set(key, v);
      }
      return v;
    });
  };
  const principalsHit = (g: Grant): [string, string][] => {
    if (g.identity.kind === 'principal') return [[g.accountId, g.identity.id]];
    // a deny on every caller or on whoever a rule admits hits every principal of the account
    return before.list('principal', g.accountId).map((p) => [p.accountId, p.id]);
  };
  for (const g of d.added) {
    if (g.effect !== 'deny') continue;
    const where = targetsOf(g, null, after);
    for (const [acc, id] of principalsHit(g)) if (superior(acc, id, where)) refuse(acc);
  }
  for (const g of d.removed) {
    if (g.effect !== 'allow') continue;
    // where it is lost: what the same grant after the change no longer covers (nothing, when a node was only added);
    // an allow on every caller or on whoever a rule admits is lost by every principal of the account, as a deny added
    // there hits them all
    const lost = targetsOf(g, similar(g, d.added), before);
    // whoever the identity provider admits through a rule holds at least this grant where it is lost, signed in now
    // or not (no stored login makes it a principal the loop below can ask): a superior unless the actor may give it
    if (g.identity.kind === 'rule') mayGive(g, lost, before);
    for (const [acc, id] of principalsHit(g)) if (superior(acc, id, lost)) refuse(acc);
  }
  // a principal that is not active (invited, disabled) holds nothing now, so the loop above finds nothing to protect;
  // it holds what it would once active, as the latent diff reads it: an allow it loses there (its status alone moving
  // between pending and disabled loses none) must be one the actor may give where it is lost
  for (const g of dl.removed) {
    // (a group's stand-in member is no principal of `before`: its loss is a future member's, taken from nobody)
    const p = g.identity.kind === 'principal' ? before.get('principal', `${g.accountId}/${g.identity.id}`) : undefined;
    if (
      p === undefined ||
      p.status === 'active' ||
      // Stryker disable next-line ConditionalExpression: a deny lifted is asked as a gain above, by the same call
      g.effect !== 'allow'
    )
      continue;
    mayGive(g, targetsOf(g, similar(g, dl.added), before), before);
  }
  // so is a deny added on it: what it would hold once active must be what the actor may give (red team, round 5: an
  // IAM editor denied IAM Edit to an invited Administrator, refused for an active one). The allows it would hold are
  // read from its whole latent source, as a principal change reaches it, all of them: no overlap with the deny is
  // worked out (stricter, never weaker)
  for (const g of dl.added) {
    if (g.effect !== 'deny') continue;
    for (const [acc, id] of principalsHit(g)) {
      const p = before.get('principal', `${acc}/${id}`);
      if (p === undefined || p.status === 'active') continue;
      const own = reachOf(before, before, [{ entity: 'principal', row: p, accountId: acc }]);
      for (const x of allGrants(latent(accountsSource(before, new Set([acc]), own, catalogBefore)), now)) {
        if (
          x.effect === 'allow' &&
          // Stryker disable next-line ConditionalExpression: only an identity of another kind with the principal's id would be asked too (more, never less)
          x.identity.kind === 'principal' &&
          x.identity.id === id
        )
          mayGive(x, targetsOf(x, null, before), before);
      }
    }
  }

  // placement: a registered resource under more nodes (or another agent) is reached by their role holders
  let afterGrants: Grant[] | undefined;
  let beforeAll: Grant[] | undefined;
  for (const c of d.context) {
    // a resource on both sides (not added, not removed); another kind's id names a resource only if ids collide across
    // kinds, and then one the change left where it was
    const was = before.get('resource', c.id);
    const is = after.get('resource', c.id);
    if (was === undefined || is === undefined) continue;
    const wasAt = new Set([...was.projects, ...was.folders]);
    const isAt = new Set([...is.projects, ...is.folders]);
    const fresh = new Set([...isAt].filter((n) => !wasAt.has(n)));
    if (is.accountId !== was.accountId || is.agentId !== was.agentId) for (const n of isAt) fresh.add(n);
    // Stryker disable next-line MethodExpression: a grant covering a node the resource stays in is skipped below (it reaches it where it stays)
    const left = [...wasAt].filter((n) => !isAt.has(n));
    if (fresh.size === 0 && left.length === 0) continue;
    const system = before.get('account', is.accountId)?.system;
    // only BlueXP places resources in nodes; a subject rewriting another system's resource is refused
    if (system !== 'bluexp') refuse(is.accountId);
    // (an agentId of undefined is no agent, as an absent one)
    const where: RequestResource = { attributes: { accountId: was.accountId }, projects: was.projects, folders: was.folders, agentId: was.agentId };
    // the role holders of the nodes it leaves lose it, unless they reach it where it stays: no lock-out of a superior
    if (left.length !== 0) {
      beforeAll ??= allGrants(a, now);
      const org = `organization:${was.accountId}`;
      for (const g of beforeAll) {
        if (
          g.effect !== 'allow' ||
          // Stryker disable next-line ConditionalExpression: a BlueXP account's grants are held by principals (no claim rules, no Public Access)
          g.identity.kind !== 'principal' ||
          // Stryker disable next-line ConditionalExpression: node ids are keys across accounts: another account's grant covers no node R leaves
          g.accountId !== was.accountId ||
          // Stryker disable next-line ConditionalExpression: every grant of a BlueXP account carries `nodes` (one with none covers the organization)
          g.resource.nodes === undefined
        )
          continue;
        const covered = g.resource.nodes.covered;
        if (!covered.some((n) => left.includes(n)) || covered.some((n) => isAt.has(n) || n === org)) continue;
        if (superior(g.accountId, g.identity.id, [where])) refuse(g.accountId);
      }
    }
    if (fresh.size === 0) continue;
    afterGrants ??= allGrants(latent(b), now);
    for (const g of afterGrants) {
      if (
        g.effect !== 'allow' ||
        // Stryker disable next-line ConditionalExpression: node ids are keys across accounts: another account's grant covers no node R joins
        g.accountId !== is.accountId ||
        // Stryker disable next-line ConditionalExpression: every grant of a BlueXP account carries `nodes`, as above
        g.resource.nodes === undefined
      )
        continue;
      const covered = g.resource.nodes.covered;
      if (!covered.some((n) => fresh.has(n))) continue;
      // a grant that reached the resource where it was already gains nothing by its new place
      if (reachedBefore(g.resource.nodes, was)) continue;
      if (!delegation.may(g.accountId, g.action, g.service, where, g.resource.nodes.admin)) refuse(g.accountId);
    }
  }
}

/**
 * True when a BlueXP grant with `nodes` reached registered resource `was` (as the evaluator's node match decides it):
 * through a project it covers or, for an administrator role, a folder, with the resource's agent serving there unless
 * the role is the organization admin's (agents do not bound it); a resource in no node only from the organization.
 */
function reachedBefore(nodes: NonNullable<Grant['resource']['nodes']>, was: { accountId: string; projects: string[]; folders: string[]; agentId?: string | undefined }): boolean {
  const covered = new Set(nodes.covered);
  const free = was.agentId === undefined || nodes.admin === 'organization';
  // (read only where not free, so the resource has an agent)
  const served = free ? NONE : (nodes.agents[was.agentId as string] ?? NONE);
  if (was.projects.some((p) => covered.has(p) && (free || served.includes(p)))) return true;
  if (nodes.admin !== null && was.folders.some((f) => covered.has(f) && (free || served.length > 0))) return true;
  return (
    was.folders.length === 0 &&
    // Stryker disable next-line ConditionalExpression: a grant covering the organization covers every project, so the projects test above has answered for a resource in one
    was.projects.length === 0 &&
    covered.has(`organization:${was.accountId}`) &&
    free
  );
}

/**
 * The request resources where a grant is gained (or, with `counterpart` null, all it reaches). BlueXP: the nodes it
 * covers that its counterpart (the same grant on the other side of the change) did not, each where it sat before the
 * operation; a node the operation creates counts as gained only if the counterpart did not cover its nearest existing
 * ancestor. Cloudflare: the scope targets likewise. IBM: the targets of the policies it comes from. For a grant lost the
 * result is where it is lost: a node the operation deletes takes nothing from anyone.
 */
function grantTargets(g: Grant, counterpart: readonly Grant[] | null, state: SourceState, before: SourceState, after: SourceState, open: readonly string[]): RequestResource[] {
  const accountId = g.accountId;
  if (g.errored === true) return [{ attributes: { accountId } }];
  const org = `organization:${accountId}`;
  const widened = (x: Grant) => (g.until ?? Infinity) > (x.until ?? Infinity) || (g.from ?? -Infinity) < (x.from ?? -Infinity) || JSON.stringify(g.resource.nodes?.agents ?? null) !== JSON.stringify(x.resource.nodes?.agents ?? null);
  const nodes = g.resource.nodes;
  if (nodes !== undefined) {
    let fresh = nodes.covered;
    // (an empty counterpart leaves every covered node fresh, as no counterpart does)
    if (counterpart !== null) {
      const had = new Set(counterpart.flatMap((x) => x.resource.nodes?.covered ?? NONE));
      fresh = nodes.covered.filter((n) => {
        if (had.has(n)) return false;
        // (a node that existed before is its own nearest existing ancestor; the organization is no node: its nearest
        // existing ancestor is the account, asked as the organization)
        const anc = existingAncestor(before, after, accountId, n);
        return !had.has(anc === accountId ? org : anc);
      });
      // held for longer, from earlier or with other agents, it is gained on all it covers, not only on the nodes it
      // gains (with neither, the same coverage or less gains nothing)
      if (counterpart.some(widened)) fresh = nodes.covered;
    }
    // a node the operation deletes takes nothing from anyone and gives nothing (a grant of the state after covers only
    // nodes that exist then, so only a grant lost or a deny lifted meets one)
    fresh = fresh.filter((n) => n === org || after.get('node', n) !== undefined);
    if (fresh.includes(org)) return [{ attributes: { accountId } }];
    return fresh.map((n) => nodeTarget(before, accountId, existingAncestor(before, after, accountId, n)));
  }
  const scopes = g.resource.scopes;
  if (scopes !== undefined) {
    let fresh = scopes.targets;
    if (counterpart !== null) {
      const had = new Set(counterpart.flatMap((x) => x.resource.scopes?.targets ?? NONE));
      fresh = scopes.targets.filter((t) => !had.has(t));
      // (widened in time: on all its targets, as for nodes)
      if (counterpart.some(widened)) fresh = scopes.targets;
    }
    return fresh.map((json) => scopeTarget(accountId, JSON.parse(json) as ScopeTarget));
  }
  const out: RequestResource[] = [];
  for (const v of g.via) {
    const p = state.get('policy', v.policyId);
    // INVARIANT: a grant comes from a policy or a binding of its account; one the review cannot find asks for the account
    // Stryker disable next-line OptionalChaining,ArrayDeclaration,ObjectLiteral: no input reaches it (a grant's policy is in the state it was read from, in its account): the mutants of its answer and `?.` differ only there
    if (p?.accountId !== accountId) return [{ attributes: { accountId } }];
    out.push(...policyTargets(state, p, open));
  }
  return out;
}
/** `nodeId` if it existed before the operation, else its nearest ancestor (after it) that did; else the organization. */
function existingAncestor(before: SourceState, after: SourceState, accountId: string, nodeId: string): string {
  let id: string | null = nodeId;
  for (
    let i = 0;
    i < 64 &&
    // Stryker disable next-line ConditionalExpression: a step from null finds no node and ends alike
    id !== null;
    i++
  ) {
    if (before.get('node', id)?.accountId === accountId) return id;
    id = after.get('node', id)?.parentId ?? null;
  }
  return accountId;
}

/** The request resource a Cloudflare scope target stands for (the diff writes its targets as parseScope made them). */
function scopeTarget(accountId: string, t: ScopeTarget): RequestResource {
  if (t.type === 'zone') return { attributes: { accountId }, zones: [t.zone] };
  if (t.type === 'user') return { attributes: { accountId, resourceType: 'user', resource: t.userId } };
  return { attributes: { accountId } };
}
