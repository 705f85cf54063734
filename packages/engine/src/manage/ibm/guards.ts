// The guard shapes of the IBM Access Groups (seed 002) and Policy Management (seed 004) operations, each operation
// names its own beside it. Groups: the
// `iam-groups` actions on the account's Access Groups service, or on the group itself (an Editor of one group may
// change it); Viewer lists. Policies: the `iam.policy.*` action the seed names for each method, on the account's
// `iam-access-management` service, and listings hold only the policies the caller may read.
import { SeedError } from '../../errors.js';
import type { RequestResource } from '../../evaluate/types.js';
import { PUBLIC_ACCESS_GROUP_ID, type Policy } from '../../model/source.js';
import { entityKey, type Change } from '../../model/entities.js';
import type { Gate, GuardRules } from '../access/guard.js';
import { str, type Loose } from '../access/loose-input.js';
import { accessGroupTarget, policyServiceTarget, policyTargets } from '../access/targets.js';
import type { SourceState } from '../../model/source-state.js';

/** The IBM IAM actions the management operations need (seed 002 roles, seed 004 method lists). */
export const IBM_ACTIONS = {
  groupsCreate: 'iam-groups.groups.create',
  groupsRead: 'iam-groups.groups.read',
  groupsUpdate: 'iam-groups.groups.update',
  groupsDelete: 'iam-groups.groups.delete',
  membersAdd: 'iam-groups.members.add',
  membersRead: 'iam-groups.members.read',
  membersRemove: 'iam-groups.members.remove',
  rulesCreate: 'iam-groups.rules.create',
  rulesRead: 'iam-groups.rules.read',
  rulesUpdate: 'iam-groups.rules.update',
  rulesDelete: 'iam-groups.rules.delete',
  policyRead: 'iam.policy.read',
  policyCreate: 'iam.policy.create',
  policyUpdate: 'iam.policy.update',
  policyDelete: 'iam.policy.delete',
} as const;

// INVARIANT: an unreadable time makes no dynamic membership hold (dynamicHolds), so it adds no group to check
export const isoOf = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : 'invalid');

/** The account an access group operation acts in: `account_id`, else the actor's own (as resolveGroup reads it). */
export function groupAccount(gate: Gate, input: unknown): string {
  return str((input as unknown as Loose | null)?.['account_id']) ?? gate.actor.accountId;
}

/** The group an operation names as a resource; the account's service when the group does not exist (no 404 leak). */
export function groupTarget(gate: Gate, input: unknown, groupId?: unknown): RequestResource {
  const accountId = groupAccount(gate, input);
  const id = str(groupId ?? (input as unknown as Loose | null)?.['access_group_id']);
  if (id === undefined) return accessGroupTarget(accountId);
  if (id !== PUBLIC_ACCESS_GROUP_ID && !gate.state.get('group', `${accountId}/${id}`)) return accessGroupTarget(accountId);
  return accessGroupTarget(accountId, id);
}

/** `action` on the group the input names (the account's Access Groups service when it names none or one that does not exist). */
export function onGroup<I>(action: string): GuardRules<I, unknown> {
  return { check: (gate, input) => gate.require(action, groupTarget(gate, input)) };
}

/** A state without the rows of `accountId` that `keep` refuses. */
export function without<E extends 'group' | 'policy'>(state: SourceState, entity: E, rows: readonly Parameters<typeof entityKey<E>>[1][], keep: (row: never) => boolean): SourceState {
  const drop: Change[] = [];
  for (const r of rows) if (!keep(r as never)) drop.push({ op: 'delete', entity, key: entityKey(entity, r) });
  return drop.length === 0 ? state : state.with(drop);
}

/** True when the actor may read policy `p`: `iam.policy.read` on the account's policy service, or on what `p` reaches. */
export function mayReadPolicy(gate: Gate, p: Policy): boolean {
  if (gate.may(IBM_ACTIONS.policyRead, policyServiceTarget(p.accountId))) return true;
  return policyTargets(gate.state, p, []).some((t) => gate.may(IBM_ACTIONS.policyRead, t));
}

function policyAccountOfBody(input: unknown): string | undefined {
  const b = input as Loose | null;
  const v1 = (b?.['resources'] as Loose[] | undefined)?.[0]?.['attributes'];
  const v2 = (b?.['resource'] as Loose | undefined)?.['attributes'];
  for (const attrs of [v1, v2]) {
    if (!Array.isArray(attrs)) continue;
    const a = attrs.find((x) => (x as Loose | null)?.['name'] === 'accountId' || (x as Loose | null)?.['key'] === 'accountId') as Loose | undefined;
    if (a !== undefined && typeof a['value'] === 'string') return a['value'];
  }
  return undefined;
}

/** The stored policy an id names, if any. */
function storedPolicy(gate: Gate, input: unknown): Policy | undefined {
  const id = str((input as unknown as Loose | null)?.['policy_id']);
  return id === undefined ? undefined : gate.state.get('policy', id);
}

/** Writes a policy: the method's action on the policy service of every account the write touches. */
export function policyWrite<I>(action: string): GuardRules<I, unknown> {
  return {
    check(gate, input) {
      const old = storedPolicy(gate, input);
      // a policy of another account the actor may not write is answered as an id nobody holds, after the same
      // checks: a 403 for it and a 404 for a free id would tell any caller which ids another account holds
      const foreign = old !== undefined && old.accountId !== gate.actor.accountId && !gate.may(action, policyServiceTarget(old.accountId));
      const accountId = (foreign ? undefined : old?.accountId) ?? policyAccountOfBody(input) ?? gate.actor.accountId;
      gate.require(action, policyServiceTarget(accountId));
      if (foreign) throw new SeedError('policy_not_found', 404, `policy with id \`${old.id}\` not found`);
    },
    review(gate, _input, r) {
      for (const c of r.changes) {
        if (c.entity !== 'policy') continue;
        const accountId = c.op === 'put' ? (c.value as Policy).accountId : gate.state.get('policy', c.key)?.accountId;
        if (accountId !== undefined) gate.require(action, policyServiceTarget(accountId));
      }
    },
  };
}

/**
 * Reads one policy. A policy of another account that the actor may not read is answered exactly as an id that
 * does not exist (the run does not see it): a 403 for it and a 404 for a free id would tell any caller which
 * policy ids another account holds.
 */
export const readPolicy: GuardRules<unknown, unknown> = {
  check(gate, input) {
    const p = storedPolicy(gate, input);
    const foreign = p !== undefined && p.accountId !== gate.actor.accountId && !mayReadPolicy(gate, p);
    if (p === undefined || foreign) gate.require(IBM_ACTIONS.policyRead, policyServiceTarget(gate.actor.accountId));
    else if (!mayReadPolicy(gate, p)) throw gate.forbidden();
  },
  narrow(gate, input) {
    const p = storedPolicy(gate, input);
    if (p === undefined || mayReadPolicy(gate, p)) return gate.state;
    return gate.state.with([{ op: 'delete', entity: 'policy', key: entityKey('policy', p) }]);
  },
};

/** Lists only the policies the actor may read (mayReadPolicy). */
export const listReadablePolicies: GuardRules<unknown, unknown> = {
  check() {},
  narrow(gate, input) {
    const accountId = str((input as unknown as Loose | null)?.['account_id']);
    const rows = accountId === undefined ? [] : gate.state.list('policy', accountId);
    return without(gate.state, 'policy', rows, (p: Policy) => mayReadPolicy(gate, p));
  },
};
