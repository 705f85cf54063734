// Bearer tokens -> actors. The server asks an Authenticator about every token it is given; a request without a
// token acts as the anonymous actor (the operation's guard answers 401), a token no authenticator accepts is 401.
import type { Actor } from '@portcullis/engine';

/**
 * A policy enforcement point: it may ask the AuthZEN endpoints for decisions and nothing else (every management
 * route answers it 403). Give PEPs this, never a `system` token, which runs every operation unguarded.
 */
export interface PepCaller {
  kind: 'pep';
}

/** Who a valid token names: an actor of the engine's operations, or a PEP that only asks for decisions. */
export type Caller = Actor | PepCaller;

/** What an authenticator makes of a token: the caller, or undefined for a token it does not accept (forged, expired). */
export type AuthResult = Caller | undefined;

/** Turns a bearer token into the caller: the actor every operation names, or a PEP. Pluggable: a static token file, JWTs, a host's own. */
export interface Authenticator {
  authenticate(token: string): AuthResult | Promise<AuthResult>;
}

/**
 * An authenticator that tries each in turn and takes the first actor one of them returns; synchronous as long as
 * the ones it asks answer synchronously (a static token, a cached JWT), so the hot path makes no promise.
 */
export function chainAuthenticators(...list: Authenticator[]): Authenticator {
  const from = (token: string, i: number): AuthResult | Promise<AuthResult> => {
    for (; i < list.length; i++) {
      const found = list[i]!.authenticate(token);
      if (typeof (found as { then?: unknown } | undefined)?.then === 'function') {
        const next = i + 1;
        return (found as Promise<AuthResult>).then((actor) => (actor !== undefined ? actor : from(token, next)));
      }
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return { authenticate: (token) => from(token, 0) };
}
