// Bearer tokens -> actors. The server asks an Authenticator about every token it is given; a request without a
// token acts as the anonymous actor (the operation's guard answers 401), a token no authenticator accepts is 401.
import type { Actor } from '@portcullis/engine';

/** What an authenticator makes of a token: the actor, or undefined for a token it does not accept (forged, expired). */
export type AuthResult = Actor | undefined;

/** Turns a bearer token into the actor every operation names. Pluggable: a static token file, JWTs, a host's own. */
export interface Authenticator {
  authenticate(token: string): AuthResult | Promise<AuthResult>;
}

/** An authenticator that tries each in turn and takes the first actor one of them returns. */
export function chainAuthenticators(...list: Authenticator[]): Authenticator {
  return {
    async authenticate(token: string): Promise<AuthResult> {
      for (const a of list) {
        const actor = await a.authenticate(token);
        if (actor !== undefined) return actor;
      }
      return undefined;
    },
  };
}
