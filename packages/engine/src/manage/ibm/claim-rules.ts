import { produce } from 'immer';
import { z } from 'zod';
import { SeedError } from '../../errors.js';
import { compileClaim } from '../../compile/compile-matchers.js';
import { matchClaim } from '../../evaluate/authorize.js';
import { claimConditionSchema, type ClaimCondition, type ClaimRule } from '../../model/claim-rule.js';
import { LIMITS, PUBLIC_ACCESS_GROUP_ID, type DynamicMembership, type Group } from '../../model/source.js';
import { entityKey, type Change } from '../../model/entities.js';
import { checkIfMatch, withEtag } from '../etag.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import {
  currentEtag,
  parseBody,
  putGroup,
  requireAccount,
  resolveGroup,
  resolveWritableGroup,
  refuseUnknownKeys,
} from './group-support.js';
import type { SourceState } from '../../model/source-state.js';
import { IBM_GROUP_CODES } from '../access/codes.js';
import { defineOperation } from '../define-operation.js';
import { IBM_ACTIONS, onGroup } from './guards.js';

/** A claim rule in the seed's JSON shape, plus `etag` (the `Etag` response header; a host moves it to the header). */
export interface ClaimRuleResult {
  id: string;
  name?: string;
  expiration: number;
  realm_name: string;
  access_group_id: string;
  account_id: string;
  conditions: ClaimCondition[];
  created_at?: string;
  last_modified_at?: string;
  etag: string;
}

/** The seed's list of the rules of a group. */
export interface ClaimRuleList {
  rules: Omit<ClaimRuleResult, 'etag'>[];
}

/** The body of a rule as written: POST /groups/{access_group_id}/rules and PUT …/rules/{rule_id}. */
export interface ClaimRuleBody {
  name?: string;
  expiration: number;
  realm_name: string;
  conditions: ClaimCondition[];
}

/** POST /groups/{access_group_id}/rules */
export type AddAccessGroupRuleInput = ClaimRuleBody & { access_group_id: string; account_id?: string };

/** GET /groups/{access_group_id}/rules */
export interface ListAccessGroupRulesInput {
  access_group_id: string;
  account_id?: string;
}

/** GET and DELETE /groups/{access_group_id}/rules/{rule_id} */
export interface AccessGroupRuleInput {
  access_group_id: string;
  account_id?: string;
  rule_id: string;
}

/** PUT /groups/{access_group_id}/rules/{rule_id} with the If-Match header as `if_match`. */
export type ReplaceAccessGroupRuleInput = ClaimRuleBody & { access_group_id: string; account_id?: string; rule_id: string; if_match: string };

/** A login through an identity provider: the claims of its assertion (ours, not a seed operation). */
export interface LoginInput {
  account_id: string;
  iam_id: string;
  realm_name: string;
  claims: Record<string, unknown>;
}

/** What a login recorded: the groups it made the principal a dynamic member of, and until when. */
export interface LoginResult {
  account_id: string;
  iam_id: string;
  realm_name: string;
  groups: { access_group_id: string; rule_id: string; expires_at: string }[];
}

const ruleBody = z.strictObject(
  {
    name: z.string({ message: 'name must be a string' }).max(100, 'name is at most 100 characters').optional(),
    expiration: z
      .number({ message: 'expiration must be a number of hours' })
      .int('expiration must be a whole number of hours')
      .min(1, 'expiration is 1 to 24 hours')
      .max(24, 'expiration is 1 to 24 hours'),
    realm_name: z.string({ message: 'realm_name must be a string' }).min(1, 'realm_name must not be empty').max(256, 'realm_name is at most 256 characters'),
    conditions: z
      .array(claimConditionSchema, { message: 'conditions must be an array' })
      .min(1, 'a rule needs at least one condition')
      .max(50, 'a rule has at most 50 conditions'),
  },
  { message: 'the body must be an object' },
);

const loginBody = z.strictObject({
  iam_id: z.string({ message: 'iam_id must be a string' }).min(1, 'iam_id must not be empty'),
  realm_name: z.string({ message: 'realm_name must be a string' }).min(1, 'realm_name must not be empty').max(256, 'realm_name is at most 256 characters'),
  // checked, not copied: the matcher reads the caller's own object through Object.hasOwn
  claims: z.custom<Record<string, unknown>>((v) => v !== null && typeof v === 'object' && !Array.isArray(v), { message: 'claims must be an object' }),
});

/** The seed's JSON shape of a stored rule of a group. */
export function claimRuleBody(rule: ClaimRule, group: Group): Omit<ClaimRuleResult, 'etag'> {
  const out: Omit<ClaimRuleResult, 'etag'> = {
    id: rule.id,
    expiration: rule.expiration,
    realm_name: rule.realmName,
    access_group_id: group.id,
    account_id: group.accountId,
    conditions: rule.conditions.map((c) => ({ claim: c.claim, operator: c.operator, value: c.value })),
  };
  if (rule.name !== undefined) out.name = rule.name;
  if (rule.createdAt !== undefined) out.created_at = rule.createdAt;
  if (rule.lastModifiedAt !== undefined) out.last_modified_at = rule.lastModifiedAt;
  return out;
}

function ruleResult(rule: ClaimRule, group: Group): ClaimRuleResult {
  return { ...claimRuleBody(rule, group), etag: currentEtag(rule) };
}

function ruleNotFound(ruleId: unknown, groupId: string): SeedError {
  return new SeedError('rule_not_found', 404, `rule \`${String(ruleId)}\` not found in access group \`${groupId}\``);
}

function findRule(group: Group, ruleId: unknown): { rule: ClaimRule; index: number } {
  const index = typeof ruleId === 'string' ? group.rules.findIndex((r) => r.id === ruleId) : -1;
  if (index < 0) throw ruleNotFound(ruleId, group.id);
  return { rule: group.rules[index]!, index };
}

function bodyOf(input: Partial<ClaimRuleBody>): z.infer<typeof ruleBody> {
  return parseBody(ruleBody, { name: input.name, expiration: input.expiration, realm_name: input.realm_name, conditions: input.conditions });
}

// Replacing or deleting a rule drops the memberships it granted (fail closed: a membership never outlives the rule
// that granted it); the principal's next login re-evaluates the remaining rules.
function dropMembershipsOf(state: SourceState, group: Group, ruleId: string): Change[] {
  const out: Change[] = [];
  for (const m of state.list('membership', group.accountId))
    if (m.groupId === group.id && m.ruleId === ruleId) out.push({ op: 'delete', entity: 'membership', key: entityKey('membership', m) });
  return out;
}

// Expiration 1..24 hours, every condition value a JSON string; at most 5 rules per group (409 `rule_limit_exceeded`).
/** Adds a claim rule to an access group (seed: Create rule for an Access Group). */
export const addAccessGroupRule = defineOperation({
  name: 'addAccessGroupRule',
  codes: IBM_GROUP_CODES,
  guard: onGroup(IBM_ACTIONS.rulesCreate),
  run(state: SourceState, input: AddAccessGroupRuleInput, ctx: ManageContext): OpResult<ClaimRuleResult> {
    refuseUnknownKeys(input, ['access_group_id', 'account_id', 'name', 'expiration', 'realm_name', 'conditions']);
    const { group } = resolveWritableGroup(state, input ?? {}, ctx, 'add rules');
    const body = bodyOf(input);
    if (group.rules.length >= LIMITS.rulesPerGroup)
      throw new SeedError('rule_limit_exceeded', 409, `access group \`${group.id}\` already has ${LIMITS.rulesPerGroup} rules`);
    const id = ctx.newId('ClaimRule-');
    if (group.rules.some((r) => r.id === id)) throw new SeedError('internal_server_error', 500, `generated rule id \`${id}\` is already taken`);
    const rule = withEtag<ClaimRule>({
      id,
      ...(body.name !== undefined ? { name: body.name } : {}),
      realmName: body.realm_name,
      expiration: body.expiration,
      conditions: body.conditions,
      createdAt: ctx.now,
      lastModifiedAt: ctx.now,
    });
    const next = produce(group, (d) => void d.rules.push(rule));
    return done(state, ruleResult(rule, next), [putGroup(next)]);
  },
});

/** Lists the claim rules of an access group (the Public Access group has none). */
export const listAccessGroupRules = defineOperation({
  name: 'listAccessGroupRules',
  codes: IBM_GROUP_CODES,
  guard: onGroup(IBM_ACTIONS.rulesRead),
  run(state: SourceState, input: ListAccessGroupRulesInput, ctx: ManageContext): OpResult<ClaimRuleList> {
    refuseUnknownKeys(input, ['access_group_id', 'account_id']);
    const { group } = resolveGroup(state, input ?? {}, ctx);
    return done(state, { rules: group.rules.map((r) => claimRuleBody(r, group)) }, []);
  },
});

/** Reads one claim rule with its etag; 404 `rule_not_found` when the group has no rule with that id. */
export const getAccessGroupRule = defineOperation({
  name: 'getAccessGroupRule',
  codes: IBM_GROUP_CODES,
  guard: onGroup(IBM_ACTIONS.rulesRead),
  run(state: SourceState, input: AccessGroupRuleInput, ctx: ManageContext): OpResult<ClaimRuleResult> {
    refuseUnknownKeys(input, ['access_group_id', 'account_id', 'rule_id']);
    const { group } = resolveGroup(state, input ?? {}, ctx);
    const { rule } = findRule(group, input.rule_id);
    return done(state, ruleResult(rule, group), []);
  },
});

/** Replaces a claim rule; If-Match must carry the rule's current etag (412 `incorrect_etag` when stale). */
export const replaceAccessGroupRule = defineOperation({
  name: 'replaceAccessGroupRule',
  codes: IBM_GROUP_CODES,
  guard: onGroup(IBM_ACTIONS.rulesUpdate),
  run(state: SourceState, input: ReplaceAccessGroupRuleInput, ctx: ManageContext): OpResult<ClaimRuleResult> {
    refuseUnknownKeys(input, ['access_group_id', 'account_id', 'rule_id', 'if_match', 'name', 'expiration', 'realm_name', 'conditions']);
    const { group } = resolveWritableGroup(state, input ?? {}, ctx, 'update rules');
    const { rule, index } = findRule(group, input.rule_id);
    const body = bodyOf(input);
    checkIfMatch(typeof input.if_match === 'string' ? input.if_match : undefined, currentEtag(rule));
    const replaced: ClaimRule = {
      id: rule.id,
      ...(body.name !== undefined ? { name: body.name } : {}),
      realmName: body.realm_name,
      expiration: body.expiration,
      conditions: body.conditions,
      ...(rule.createdAt !== undefined ? { createdAt: rule.createdAt } : {}),
      lastModifiedAt: ctx.now,
    };
    const fresh = withEtag(replaced);
    const next = produce(group, (d) => {
      d.rules[index] = fresh;
    });
    return done(state, ruleResult(fresh, next), [putGroup(next), ...dropMembershipsOf(state, group, rule.id)]);
  },
});

/** Deletes a claim rule and the dynamic memberships it granted (result null: 204 has no body). */
export const removeAccessGroupRule = defineOperation({
  name: 'removeAccessGroupRule',
  codes: IBM_GROUP_CODES,
  guard: onGroup(IBM_ACTIONS.rulesDelete),
  run(state: SourceState, input: AccessGroupRuleInput, ctx: ManageContext): OpResult<null> {
    refuseUnknownKeys(input, ['access_group_id', 'account_id', 'rule_id']);
    const { group } = resolveWritableGroup(state, input ?? {}, ctx, 'delete rules');
    const { rule } = findRule(group, input.rule_id);
    const next = produce(group, (d) => {
      d.rules = d.rules.filter((r) => r.id !== rule.id);
    });
    return done(state, null, [putGroup(next), ...dropMembershipsOf(state, group, rule.id)]);
  },
});

function instant(ms: number): string {
  return new Date(ms).toISOString();
}

// Every rule of the account's groups for the realm is evaluated on the claims with the evaluator's own matcher
// (SEMANTICS.md §1); a group with a matching rule gets a membership until now + the longest matching expiration.
// It replaces the principal's earlier membership of that group through that realm; one whose rules no longer match
// is dropped, since this login is the latest word.
/** Records a login through an identity provider as dynamic memberships of the groups whose claim rules match. */
export const login = defineOperation({
  name: 'login',
  codes: IBM_GROUP_CODES,
  // claims are what the host's identity provider vouched for, never what a caller says: the host logs users in
  guard: 'system',
  run(state: SourceState, input: LoginInput, ctx: ManageContext): OpResult<LoginResult> {
    refuseUnknownKeys(input, ['account_id', 'iam_id', 'realm_name', 'claims']);
    const account = requireAccount(state, input?.account_id);
    const body = parseBody(loginBody, { iam_id: input.iam_id, realm_name: input.realm_name, claims: input.claims });
    const principal = state.get('principal', `${account.id}/${body.iam_id}`);
    if (!principal) throw new SeedError('principal_not_found', 404, `iam_id \`${body.iam_id}\` is not a principal of account \`${account.id}\``);
    const now = Date.parse(ctx.now);
    if (!Number.isFinite(now)) throw new SeedError('internal_server_error', 500, `the operation time \`${ctx.now}\` is not an instant`);

    const earlier = new Map<string, DynamicMembership>();
    for (const m of state.list('membership', account.id))
      if (m.principalId === principal.id && m.realm === body.realm_name) earlier.set(m.groupId, m);

    const changes: Change[] = [];
    const groups: LoginResult['groups'] = [];
    for (const g of state.list('group', account.id)) {
      if (g.id === PUBLIC_ACCESS_GROUP_ID) continue;
      let best: ClaimRule | undefined;
      for (const r of g.rules) {
        if (r.realmName !== body.realm_name) continue;
        const holds = r.conditions.every((c) => matchClaim(compileClaim(c.claim, c.operator, c.value), body.claims));
        if (holds && (best === undefined || r.expiration > best.expiration)) best = r;
      }
      const old = earlier.get(g.id);
      if (best === undefined) {
        if (old) changes.push({ op: 'delete', entity: 'membership', key: entityKey('membership', old) });
        continue;
      }
      const expiresAt = instant(now + best.expiration * 3_600_000);
      const value: DynamicMembership = {
        accountId: account.id,
        principalId: principal.id,
        groupId: g.id,
        ruleId: best.id,
        realm: body.realm_name,
        loginAt: instant(now),
        expiresAt,
      };
      changes.push({ op: 'put', entity: 'membership', value });
      groups.push({ access_group_id: g.id, rule_id: best.id, expires_at: expiresAt });
    }
    return done(state, { account_id: account.id, iam_id: principal.id, realm_name: body.realm_name, groups }, changes);
  },
});

/** The claim rule operations of IBM access groups, and the login that applies them. */
export const ibmClaimRuleOperations = {
  addAccessGroupRule,
  listAccessGroupRules,
  getAccessGroupRule,
  replaceAccessGroupRule,
  removeAccessGroupRule,
  login,
};
