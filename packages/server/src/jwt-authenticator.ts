// JWT bearer tokens verified against a public key (PEM or JWK) or a JWKS URL, with `jose` (maintained, no
// dependencies, does the algorithm pinning, key selection by `kid` and JWKS caching/rotation that hand-written
// verification gets wrong). A verified token is cached until it expires so the hot path pays one LRU lookup.
import { ValidationError, type Actor, type Issue } from '@portcullis/engine';
import { createLocalJWKSet, createRemoteJWKSet, importJWK, importSPKI, jwtVerify, type JSONWebKeySet, type JWK, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Authenticator } from './authenticator.js';

/** Options of createJwtAuthenticator: exactly one of `publicKeyPem`, `jwk`, `jwks`, `jwksUrl`, and the `audience`. */
export interface JwtAuthenticatorOptions {
  /** An SPKI PEM public key. */
  publicKeyPem?: string;
  /** One public JWK. */
  jwk?: JWK;
  /** A JWK set held locally. */
  jwks?: JSONWebKeySet;
  /** Where to fetch the JWK set (https, or http on localhost); keys are cached and refetched on an unknown `kid`. */
  jwksUrl?: string;
  /** Algorithms accepted. Default RS256, ES256, EdDSA. */
  algorithms?: string[];
  /** Required `iss`. */
  issuer?: string;
  /**
   * The `aud` a token must name (required): an identity provider shared by several services issues each of them
   * tokens for the same users, and one of those services must not act here with a token it received (RFC 8725 §3.9).
   */
  audience: string;
  /** The claim naming the account the subject acts for. Default `account_id`. */
  accountClaim?: string;
  /** Clock skew tolerated on `exp`/`nbf`, seconds. Default 30. */
  clockToleranceSeconds?: number;
  /** Verified tokens remembered. Default 10,000. */
  cacheSize?: number;
  /** The clock, epoch milliseconds (for the cache's expiry; jose reads its own). Default Date.now. */
  clock?: () => number;
}

type KeyInput = Parameters<typeof jwtVerify>[1];

/** An authenticator for JWTs: `sub` is the principal id, the account claim its account; anything else is refused. */
export function createJwtAuthenticator(options: JwtAuthenticatorOptions): Authenticator {
  const issues: Issue[] = [];
  const sources = (['publicKeyPem', 'jwk', 'jwks', 'jwksUrl'] as const).filter((k) => options[k] !== undefined);
  if (sources.length !== 1) issues.push({ path: [], message: 'give exactly one of publicKeyPem, jwk, jwks, jwksUrl' });
  if (options.jwksUrl !== undefined) {
    try {
      const u = new URL(options.jwksUrl);
      if (u.protocol !== 'https:' && !(u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)))
        issues.push({ path: ['jwksUrl'], message: 'must be https (http only on localhost)' });
    } catch {
      issues.push({ path: ['jwksUrl'], message: 'must be an absolute URL' });
    }
  }
  if (typeof options.audience !== 'string' || options.audience === '')
    issues.push({ path: ['audience'], message: 'is required: the `aud` this service\'s tokens name (a token issued for another service must not act here)' });
  const algorithms = options.algorithms ?? ['RS256', 'ES256', 'EdDSA'];
  if (algorithms.length === 0 || algorithms.some((a) => a === 'none' || a.startsWith('HS')))
    issues.push({ path: ['algorithms'], message: 'asymmetric algorithms only (no `none`, no HS*)' });
  if (issues.length > 0) throw new ValidationError('invalid_options', issues);
  const accountClaim = options.accountClaim ?? 'account_id';
  const clock = options.clock ?? Date.now;
  const cache = new LRUCache<string, { actor: Actor; until: number }>({ max: options.cacheSize ?? 10_000 });

  let key: Promise<KeyInput> | KeyInput;
  if (options.jwksUrl !== undefined) key = createRemoteJWKSet(new URL(options.jwksUrl));
  else if (options.jwks !== undefined) key = createLocalJWKSet(options.jwks);
  else if (options.jwk !== undefined) key = importJWK(options.jwk, options.jwk.alg ?? algorithms[0]) as Promise<KeyInput>;
  else key = importSPKI(options.publicKeyPem!, algorithms[0]!) as Promise<KeyInput>;

  return {
    // a cached token answers synchronously (one LRU lookup, no promise); only a new one is verified
    authenticate(token: string): Actor | undefined | Promise<Actor | undefined> {
      const hit = cache.get(token);
      if (hit !== undefined) {
        if (clock() < hit.until) return hit.actor;
        cache.delete(token);
      }
      return verify(token);
    },
  };

  async function verify(token: string): Promise<Actor | undefined> {
      let payload: JWTPayload;
      try {
        const k = await key;
        const verifyOptions = {
          algorithms,
          clockTolerance: options.clockToleranceSeconds ?? 30,
          ...(options.issuer !== undefined ? { issuer: options.issuer } : {}),
          audience: options.audience,
        };
        payload = (typeof k === 'function' ? await jwtVerify(token, k, verifyOptions) : await jwtVerify(token, k, verifyOptions)).payload;
      } catch {
        return undefined;
      }
      const sub = payload.sub;
      const account = payload[accountClaim];
      // a token must say who and for which account, and must expire: a forever-token is refused
      if (typeof sub !== 'string' || sub === '' || typeof account !== 'string' || account === '' || typeof payload.exp !== 'number') return undefined;
      const actor: Actor = { kind: 'subject', id: sub, accountId: account };
      cache.set(token, { actor, until: payload.exp * 1000 });
      return actor;
  }
}
