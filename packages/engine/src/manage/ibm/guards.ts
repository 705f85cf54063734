// The guards of the IBM Access Groups (seed 002) and Policy Management (seed 004) operations. Groups: the
// `iam-groups` actions on the account's Access Groups service, or on the group itself (an Editor of one group may
// change it); Viewer lists. Policies: the `iam.policy.*` action the seed names for each method, on the account's
// `iam-access-management` service, and listings hold only the policies the caller may read.
import { SeedError } from '../../errors.js';
import type { RequestResource } from '../../evaluate/types.js';
import { PUBLIC_ACCESS_GROUP_ID, type Policy } from '../../model/source.js';
import { entityKey, type Change } from '../../model/entities.js';
import { IBM_GROUP_CODES, IBM_POLICY_CODES } from '../access/codes.js';
import type { Gate, Guard, GuardRegistry } from '../access/guard.js';
import { accessGroupTarget, policyServiceTarget, policyTargets } from '../access/targets.js';
import { GROUPS_NOT_PERMITTED, groupsWithMember, addMembersToAccessGroup, addMemberToMultipleAccessGroups, isMemberOfAccessGroup, listAccessGroupMembers, removeMemberFromAccessGroup, removeMemberFromAllAccessGroups, removeMembersFromAccessGroup } from './group-members.js';
import { createAccessGroup, deleteAccessGroup, getAccessGroup, listAccessGroups, updateAccessGroup } from './access-groups.js';
import { addAccessGroupRule, getAccessGroupRule, listAccessGroupRules, login, removeAccessGroupRule, replaceAccessGroupRule } from './claim-rules.js';
import {
  createPolicy,
  createV2Policy,
  deletePolicy,
  deleteV2Policy,
  getPolicy,
  getV2Policy,
  listPolicies,
  listV2Policies,
  patchPolicy,
  replaceV2Policy,
  updatePolicy,
} from './policies.js';
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

type Loose = Record<string, unknown>;
// INVARIANT: an unreadable time makes no dynamic membership hold (dynamicHolds), so it adds no group to check
const isoOf = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : 'invalid');
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The account an access group operation acts in: `account_id`, else the actor's own (as resolveGroup reads it). */
function groupAccount(gate: Gate, input: unknown): string {
  return str((input as unknown as Loose | null)?.['account_id']) ?? gate.actor.accountId;
}

/** The group an operation names as a resource; the account's service when the group does not exist (no 404 leak). */
function groupTarget(gate: Gate, input: unknown, groupId?: unknown): RequestResource {
  const accountId = groupAccount(gate, input);
  const id = str(groupId ?? (input as unknown as Loose | null)?.['access_group_id']);
  if (id === undefined) return accessGroupTarget(accountId);
  if (id !== PUBLIC_ACCESS_GROUP_ID && !gate.state.get('group', `${accountId}/${id}`)) return accessGroupTarget(accountId);
  return accessGroupTarget(accountId, id);
}

function onGroup<I>(action: string): Guard<I, unknown> {
  return { codes: IBM_GROUP_CODES, check: (gate, input) => gate.require(action, groupTarget(gate, input)) };
}

/** A state without the rows of `accountId` that `keep` refuses. */
function without<E extends 'group' | 'policy'>(state: SourceState, entity: E, rows: readonly Parameters<typeof entityKey<E>>[1][], keep: (row: never) => boolean): SourceState {
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
function policyWrite<I>(action: string): Guard<I, unknown> {
  return {
    codes: IBM_POLICY_CODES,
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
const readPolicy: Guard<unknown, unknown> = {
  codes: IBM_POLICY_CODES,
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

const listReadablePolicies: Guard<unknown, unknown> = {
  codes: IBM_POLICY_CODES,
  check() {},
  narrow(gate, input) {
    const accountId = str((input as unknown as Loose | null)?.['account_id']);
    const rows = accountId === undefined ? [] : gate.state.list('policy', accountId);
    return without(gate.state, 'policy', rows, (p: Policy) => mayReadPolicy(gate, p));
  },
};

/** Registers the guards of every IBM Access Groups and Policy Management operation. */
export function registerIbmGuards(registry: GuardRegistry): void {
  const A = IBM_ACTIONS;
  registry
    .register(createAccessGroup, { codes: IBM_GROUP_CODES, check: (gate, input) => gate.require(A.groupsCreate, accessGroupTarget(groupAccount(gate, input))) })
    .register(listAccessGroups, {
      codes: IBM_GROUP_CODES,
      check() {},
      // the Public Access group is synthesized by the operation, so it is hidden through its own query parameter
      rewrite(gate, input) {
        const accountId = groupAccount(gate, input);
        if (gate.may(A.groupsRead, accessGroupTarget(accountId, PUBLIC_ACCESS_GROUP_ID))) return input;
        return { ...input, hide_public_access: true };
      },
      // the seed: only the groups the caller has access to, through a policy on the group or on the whole service
      narrow(gate, input) {
        const accountId = groupAccount(gate, input);
        return without(gate.state, 'group', gate.state.list('group', accountId), (g: { id: string }) =>
          gate.may(A.groupsRead, accessGroupTarget(accountId, g.id)),
        );
      },
    })
    .register(getAccessGroup, onGroup(A.groupsRead))
    .register(updateAccessGroup, onGroup(A.groupsUpdate))
    .register(deleteAccessGroup, onGroup(A.groupsDelete))
    .register(addMembersToAccessGroup, onGroup(A.membersAdd))
    .register(listAccessGroupMembers, onGroup(A.membersRead))
    .register(isMemberOfAccessGroup, onGroup(A.membersRead))
    .register(removeMemberFromAccessGroup, onGroup(A.membersRemove))
    .register(removeMembersFromAccessGroup, onGroup(A.membersRemove))
    .register(removeMemberFromAllAccessGroups, {
      codes: IBM_GROUP_CODES,
      check(gate, input) {
        const accountId = groupAccount(gate, input);
        const iamId = str((input as unknown as Loose | null)?.['iam_id']);
        // the groups it is in now, static or dynamic: removing it ends both (ibm/group-members.ts)
        const groups = iamId === undefined ? [] : groupsWithMember(gate.state, accountId, iamId, isoOf(gate.now));
        if (groups.length === 0) gate.require(A.membersRemove, accessGroupTarget(accountId));
        for (const g of groups) gate.require(A.membersRemove, accessGroupTarget(accountId, g.id));
      },
    })
    // seed 002: the answer is a 207 with each group's own result, 403 for a group the caller may not change (the seed
    // lists no 403 for the request as a whole: a caller that may change none gets a 403 for each, and nothing is
    // written); a group that does not exist is asked as the account's service, so a 404 tells only who may add there
    .register(addMemberToMultipleAccessGroups, {
      codes: IBM_GROUP_CODES,
      check(gate, input) {
        const ids = (input as unknown as Loose | null)?.['groups'];
        if (!Array.isArray(ids) || ids.length === 0) gate.require(A.membersAdd, accessGroupTarget(groupAccount(gate, input)));
      },
      rewrite(gate, input) {
        const ids = (input as unknown as Loose | null)?.['groups'];
        if (!Array.isArray(ids)) return input;
        const denied = new Set(ids.filter((id): id is string => typeof id === 'string' && !gate.may(A.membersAdd, groupTarget(gate, input, id))));
        return denied.size === 0 ? input : { ...input, [GROUPS_NOT_PERMITTED]: denied };
      },
    })
    .register(addAccessGroupRule, onGroup(A.rulesCreate))
    .register(listAccessGroupRules, onGroup(A.rulesRead))
    .register(getAccessGroupRule, onGroup(A.rulesRead))
    .register(replaceAccessGroupRule, onGroup(A.rulesUpdate))
    .register(removeAccessGroupRule, onGroup(A.rulesDelete))
    // claims are what the host's identity provider vouched for, never what a caller says: the host logs users in
    .register(login, {
      codes: IBM_GROUP_CODES,
      check(gate) {
        throw gate.forbidden();
      },
    })
    .register(listPolicies, listReadablePolicies)
    .register(listV2Policies, listReadablePolicies)
    .register(getPolicy, readPolicy)
    .register(getV2Policy, readPolicy)
    .register(createPolicy, policyWrite(A.policyCreate))
    .register(createV2Policy, policyWrite(A.policyCreate))
    // seed 004: PUT and PATCH need `iam.policy.create`, DELETE `iam.policy.delete`
    .register(updatePolicy, policyWrite(A.policyCreate))
    .register(replaceV2Policy, policyWrite(A.policyCreate))
    .register(patchPolicy, policyWrite(A.policyCreate))
    .register(deletePolicy, policyWrite(A.policyDelete))
    .register(deleteV2Policy, policyWrite(A.policyDelete));
}
