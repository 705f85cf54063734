// BlueXP Tenancy "authorize" checks (seed 001): does a user belong to an account (`authorize-user-is-in-account`,
// polled during account migration), and is an agent (`x-agent-id`) one of the account's. Both are questions, so
// they answer `{authorized}` rather than refusing; an unknown account simply authorizes no one.
import { z } from 'zod';
import { parseInput } from '../input.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';
import { BLUEXP_CODES } from '../access/codes.js';
import { defineOperation } from '../define-operation.js';

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

/** The user a check is about: the caller, from its token (seed 001); the host's `system` actor is no user. */
function caller(ctx: ManageContext): string | undefined {
  return ctx.actor.kind === 'subject' ? ctx.actor.id : undefined;
}

const userSchema = z.object({ account_id: z.string().min(1) }).strict();

/**
 * authorize-user-is-in-account: the caller (a user or service account, from its token) is an active principal of the
 * account. The seed: it "only accepts the parameter 'accountId'" and "the 'authorization' header contains the user
 * token identifying the user", so naming another user is an unknown key, refused.
 */
export const authorizeUserInAccount = defineOperation({
  name: 'authorizeUserInAccount',
  codes: BLUEXP_CODES,
  input: userSchema,
  // the seed: the caller asks whether it belongs to the account (the user comes from its token, never the input),
  // so it needs no permission; the answer is about itself alone
  guard: { check: () => undefined },
  run(
    state: SourceState,
    input: z.input<typeof userSchema>,
    ctx: ManageContext,
  ): OpResult<BluexpAuthorizeResult> {
    const q = parseInput(userSchema, input);
    const user = caller(ctx);
    return done(state, { authorized: user !== undefined && activeIn(state, q.account_id, user, ['user', 'service']) }, []);
  },
});

const agentSchema = z.object({ account_id: z.string().min(1), 'x-agent-id': z.string().min(1) }).strict();

/**
 * authorize-agent-in-account: the agent named by `x-agent-id` is an active agent principal of the account and the
 * caller (the user of the `authorization` token) is in the account too; the host's `system` actor asks about the
 * agent alone.
 */
export const authorizeAgentInAccount = defineOperation({
  name: 'authorizeAgentInAccount',
  codes: BLUEXP_CODES,
  input: agentSchema,
  // the seed: the caller asks about itself alone, so it needs no permission
  guard: { check: () => undefined },
  run(
    state: SourceState,
    input: z.input<typeof agentSchema>,
    ctx: ManageContext,
  ): OpResult<BluexpAuthorizeResult> {
    const q = parseInput(agentSchema, input);
    const agent = activeIn(state, q.account_id, q['x-agent-id'], ['agent']);
    const user = caller(ctx);
    const userIn = ctx.actor.kind === 'system' || (user !== undefined && activeIn(state, q.account_id, user, ['user', 'service']));
    return done(state, { authorized: agent && userIn }, []);
  },
});
