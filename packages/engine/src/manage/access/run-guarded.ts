// Runs a management operation on behalf of an actor: `system` runs anything (bootstrap, migrations: the host names
// it on purpose); `anonymous` gets the seed's 401; a subject passes the operation's guard, runs over what it may
// read, and the effect of its changes passes the review (access/escalation.ts). Nothing is written unless all of it passes.
import type { Tables } from '../../compile/tables.js';
import { ValidationError } from '../../errors.js';
import { UNGUARDED_CODES } from './codes.js';
import { reviewEffects } from './escalation.js';
import { createGate, forbidden, unauthenticated } from './gate.js';
import type { GuardRegistry } from './guard.js';
import type { ManageContext, Operation, OpResult } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';

/** Runs `operation` for `ctx.actor` with the access checks of `guards`; `tables` are the compiled `state`. */
export function runGuarded<I, R>(
  guards: GuardRegistry,
  operation: Operation<I, R>,
  state: SourceState,
  tables: Tables,
  input: I,
  ctx: ManageContext,
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
  const gate = createGate(actor, state, tables, Date.parse(ctx.now), codes);
  guard.check(gate, input);
  const asked = (guard.rewrite !== undefined ? guard.rewrite(gate, input) : input) as I;
  if (guard.narrow !== undefined) {
    const r = operation(guard.narrow(gate, asked), asked, ctx);
    // INVARIANT: a narrowed run sees only part of the state, so it may only read
    if (r.changes.length > 0) throw forbidden(codes);
    return r;
  }
  const r = operation(state, asked, ctx);
  guard.review?.(gate, asked, r);
  if (guards.escalationReview) reviewEffects(gate, state, r.changes, guard.accounts?.(gate, input) ?? []);
  return r;
}
