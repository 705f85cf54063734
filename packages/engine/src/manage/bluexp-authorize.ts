// BlueXP Tenancy "authorize" checks (seed 001): does a user belong to an account (`authorize-user-is-in-account`,
// polled during account migration), and is an agent (`x-agent-id`) one of the account's. Both are questions, so
// they answer `{authorized}` rather than refusing; an unknown account simply authorizes no one.
import { z } from 'zod';
import { parseBody } from './bluexp-common.js';
import { done, type ManageContext, type OpResult } from './context.js';
import type { SourceState } from './source-state.js';

/** The answer of an authorize check. */
export interface BluexpAuthorizeResult {
  authorized: boolean;
}

/** True when `id` is an active principal of a BlueXP account with one of `kinds`. */
function activeIn(state: SourceState, accountId: string, id: string, kinds: readonly string[]): boolean {
  const a = state.get('account', accountId);
  const p = state.get('principal', `${accountId}/${id}`);
  return a?.system === 'bluexp' && p !== undefined && p.status === 'active' && kinds.includes(p.kind);
}

const userSchema = z.strictObject({ account_id: z.string().min(1), user_id: z.string().min(1) });

/** authorize-user-is-in-account: the caller (a user or service account from its token) is an active principal of the account. */
export function authorizeUserInAccount(
  state: SourceState,
  input: z.input<typeof userSchema>,
  _ctx: ManageContext,
): OpResult<BluexpAuthorizeResult> {
  const q = parseBody(userSchema, input);
  return done(state, { authorized: activeIn(state, q.account_id, q.user_id, ['user', 'service']) }, []);
}

const agentSchema = z.strictObject({ account_id: z.string().min(1), 'x-agent-id': z.string().min(1), user_id: z.string().min(1).optional() });

/**
 * authorize-agent-in-account: the agent named by `x-agent-id` is an active agent principal of the account and,
 * when the caller's `user_id` is given, the caller is in the account too.
 */
export function authorizeAgentInAccount(
  state: SourceState,
  input: z.input<typeof agentSchema>,
  _ctx: ManageContext,
): OpResult<BluexpAuthorizeResult> {
  const q = parseBody(agentSchema, input);
  const agent = activeIn(state, q.account_id, q['x-agent-id'], ['agent']);
  const user = q.user_id === undefined || activeIn(state, q.account_id, q.user_id, ['user', 'service']);
  return done(state, { authorized: agent && user }, []);
}
