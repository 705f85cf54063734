// Who performs a management operation.
/**
 * Who performs an operation: a subject of an account, or the host's own `system` actor, named on purpose. A subject's
 * `sso: true` is the host saying the actor signed in through SSO (SEMANTICS §0.1: the login gate of an SSO-enabled
 * email domain lets it through), as the host asserts claims; without it, an actor whose email domain is SSO-gated
 * is refused like any request of it.
 */
export type Actor = { kind: 'system' } | { kind: 'subject'; id: string; accountId: string; sso?: boolean } | { kind: 'anonymous' };

/** The actor's id as written in `created_by_id`-style fields: a subject's id, else `system` or `anonymous`. */
export function actorId(ctx: { actor: Actor }): string {
  return ctx.actor.kind === 'subject' ? ctx.actor.id : ctx.actor.kind;
}
