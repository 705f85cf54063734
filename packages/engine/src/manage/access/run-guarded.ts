// Runs a management operation on behalf of an actor: `system` runs anything (bootstrap, migrations: the host names
// it on purpose); `anonymous` gets the seed's 401; a subject passes the operation's guard, runs over what it may
// read, and the effect of its changes passes the review (access/escalation.ts). Nothing is written unless all of it passes.
import type { Tables } from '../../compile/tables.js';
import { ValidationError } from '../../errors.js';
import { UNGUARDED_CODES } from './codes.js';
import { reviewEffects } from './escalation.js';
import { createGate, forbidden, MAX_RUN_PROBES, unauthenticated } from './gate.js';
import { createWitnessWalks, MAX_RUN_WITNESS_STEPS } from './witnesses.js';
import type { Gate, GuardRegistry } from './guard.js';
import { done, type ManageContext, type Operation, type OpResult } from '../operation.js';
import { parseRows } from '../../prepare-commit.js';
import { entityKey, type Change } from '../../model/entities.js';
import { PUBLIC_ACCESS_GROUP_ID, type Account } from '../../model/source.js';
import type { SourceState } from '../../model/source-state.js';

/**
 * What the access checks of one guarded run cost, counted rather than timed, so a host can log what a management
 * request cost and a test can bound it: the requests the gate decided, the witness-walk steps it took, the distinct
 * clock instants it decided at, and whether the run was refused (a throw of any kind, after or before the gate).
 */
export interface ReviewWork {
  /** The operation's declared name (the function's name for an undeclared one). */
  operation: string;
  requests: number;
  witnessSteps: number;
  instants: number;
  refused: boolean;
}

/**
 * Runs `operation` for `ctx.actor` with the access checks of `guards`; `tables` are the compiled `state`. `onWork`
 * hears the run's work once, accepted or refused, for every actor but `system` (whose runs are not reviewed).
 */
export function runGuarded<I, R>(
  guards: GuardRegistry,
  operation: Operation<I, R>,
  state: SourceState,
  tables: Tables,
  input: I,
  ctx: ManageContext,
  onWork?: (work: ReviewWork) => void,
): OpResult<R> {
  const actor = ctx.actor;
  if (actor.kind === 'system') return operation(state, input, ctx);
  if (onWork === undefined) return review(guards, operation, state, tables, input, ctx);
  // the counters are the ones the gate spends against its bounds, so what is reported is what the bounds limit
  const run = { probesLeft: MAX_RUN_PROBES, requests: 0, instants: new Set<number>() };
  const walks = createWitnessWalks();
  let refused = true;
  try {
    const r = review(guards, operation, state, tables, input, ctx, run, walks);
    refused = false;
    return r;
  } finally {
    // a walk refused past its bound counts the step that crossed it: the figure never under-reports
    onWork({ operation: operation.name, requests: run.requests, witnessSteps: MAX_RUN_WITNESS_STEPS - walks.stepsLeft, instants: run.instants.size, refused });
  }
}

function review<I, R>(
  guards: GuardRegistry,
  operation: Operation<I, R>,
  state: SourceState,
  tables: Tables,
  input: I,
  ctx: ManageContext,
  run?: Parameters<typeof createGate>[7],
  walks?: Parameters<typeof createGate>[6],
): OpResult<R> {
  const actor = ctx.actor;
  if (actor.kind === 'system') return operation(state, input, ctx);
  const guard = guards.get(operation);
  const codes = guard?.codes ?? UNGUARDED_CODES;
  if (actor.kind === 'anonymous') throw unauthenticated(codes);
  if (actor.kind !== 'subject' || typeof actor.id !== 'string' || actor.id === '' || typeof actor.accountId !== 'string' || actor.accountId === '')
    throw new ValidationError('invalid_input', [{ path: ['actor'], message: 'an actor is `{kind: "system"}`, `{kind: "anonymous"}` or `{kind: "subject", id, accountId}`' }]);
  if (actor.sso !== undefined && typeof actor.sso !== 'boolean') throw new ValidationError('invalid_input', [{ path: ['actor', 'sso'], message: 'must be a boolean' }]);
  // fail closed: an operation nobody wrote a guard for is the system's alone
  if (guard === undefined) throw forbidden(codes);
  const gate = createGate(actor, state, tables, Date.parse(ctx.now), codes, undefined, walks, run);
  guard.check(gate, input);
  const asked = (guard.rewrite !== undefined ? guard.rewrite(gate, input) : input) as I;
  // INVARIANT: an account the caller can see nothing of is, to it, an account that does not exist: once the guard let
  // the run through (a listing, or a per-item batch whose items it refuses one by one), the run goes over the state
  // without it, so the operation's own "not found" answers, as for a made-up id (red team, rounds 8 and 9: a 207 of
  // 403 items for a real account beside a 404 for a made-up one told which accounts exist)
  const unseen = unseenAccount(gate, asked, guard.accounts?.(gate, input) ?? []);
  if (guard.narrow !== undefined || unseen !== undefined) {
    const over = unseen !== undefined ? state.with([{ op: 'delete', entity: 'account', key: entityKey('account', unseen) }]) : guard.narrow!(gate, asked);
    const r = operation(over, asked, ctx);
    // INVARIANT: a run over part of the state may only read: nothing is written in an account the caller cannot see
    if (r.changes.length > 0) throw forbidden(codes);
    return r;
  }
  const ran = operation(state, asked, ctx);
  const r = done(state, ran.result, asCommitted(ran.changes));
  guard.review?.(gate, asked, r);
  if (guards.escalationReview) reviewEffects(gate, state, r.changes, guard.accounts?.(gate, input) ?? []);
  return r;
}

/**
 * The account an input names (`account_id`, or BlueXP's `account` query) when it is another than the caller's and
 * the caller can see nothing in it: identities resolve in the resource's account (evaluate/authorize.ts
 * resolveIdentities), where a caller acting for another account is no principal and holds only what Public Access
 * gives. So an account with no Public Access policy (or with Public Access turned off) grants it nothing: listing it
 * answered `200 []` where a made-up account answered 404, which told anyone which accounts exist. `actsIn`: the
 * accounts the guard declares the operation acts in (GuardRules.accounts).
 */
function unseenAccount(gate: Gate, input: unknown, actsIn: readonly string[]): Account | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const named = (input as Record<string, unknown>)['account_id'] ?? (input as Record<string, unknown>)['account'];
  // an account the guard says the actor acts in (`accounts`: a BlueXP migration's two organizations) is judged with
  // the actor as that account's principal (gate.inAccount), not as a stranger
  if (typeof named !== 'string' || named === gate.actor.accountId || actsIn.includes(named)) return undefined;
  const account = gate.state.get('account', named);
  if (account === undefined) return undefined;
  if (account.publicAccess !== false) for (const p of gate.state.rowsOf('policy', named)) if (p.subject.kind === 'group' && p.subject.id === PUBLIC_ACCESS_GROUP_ID) return undefined;
  return account;
}

/**
 * The changes as the commit writes them: every put row parsed, each field an operation leaves out given its default,
 * so the review reads what is stored (a principal written without `status` is active once stored: red team, round 6).
 * A batch with a row that does not parse is left as it is: the commit refuses it (`invalid_input`) and writes nothing.
 */
function asCommitted(changes: Change[]): Change[] {
  try {
    return parseRows(changes, 'invalid_input');
  } catch (e) {
    if (e instanceof ValidationError) return changes;
    throw e;
  }
}
