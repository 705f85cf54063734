// A static token file for local use: each entry maps a token (or its SHA-256, so the file need not hold secrets)
// to an actor. Tokens are compared by their digests in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ValidationError } from '@portcullis/engine';
import { duplicateKey, jsonSyntaxMessage } from '@portcullis/engine/internals';
import { z } from 'zod';
import type { Authenticator, Caller } from './authenticator.js';

const actorSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('subject'), id: z.string().min(1), accountId: z.string().min(1) }),
  z.strictObject({ kind: z.literal('system') }),
  z.strictObject({ kind: z.literal('pep') }),
]);

const entrySchema = z.union([
  z.strictObject({ token: z.string().min(16, 'a token has at least 16 characters'), actor: actorSchema }),
  z.strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256'), actor: actorSchema }),
]);

/** The token file: `{"tokens": [{"token" | "sha256", "actor": {kind: "subject", id, accountId} | {kind: "pep"} | {kind: "system"}}]}`. */
export const tokenFileSchema = z.strictObject({ tokens: z.array(entrySchema) });

/** One entry of a token file. */
export type TokenEntry = z.infer<typeof entrySchema>;

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** An authenticator over a fixed list of tokens; the list is checked here, at construction. */
export function createStaticTokenAuthenticator(entries: unknown): Authenticator {
  const r = tokenFileSchema.safeParse({ tokens: entries });
  if (!r.success) throw new ValidationError('invalid_options', r.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message })));
  const byDigest = new Map<string, { digest: Buffer; actor: Caller }>();
  for (const e of r.data.tokens) {
    const d = 'token' in e ? digest(e.token) : Buffer.from(e.sha256, 'hex');
    byDigest.set(d.toString('hex'), { digest: d, actor: e.actor });
  }
  // tokens seen valid once, so the hot path skips the hash; it only ever holds configured tokens
  const known = new Map<string, Caller>();
  return {
    authenticate(token: string): Caller | undefined {
      const seen = known.get(token);
      if (seen !== undefined) return seen;
      const d = digest(token);
      const hit = byDigest.get(d.toString('hex'));
      // INVARIANT: the map is keyed by digest, so the lookup leaks nothing about an unknown token; the final compare
      // is constant-time all the same
      if (hit === undefined || !timingSafeEqual(hit.digest, d)) return undefined;
      known.set(token, hit.actor);
      return hit.actor;
    },
  };
}

/** Reads a token file (JSON, see tokenFileSchema) and builds its authenticator. */
export function loadStaticTokenFile(path: string): Authenticator {
  let raw: unknown;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ValidationError('invalid_options', [{ path: ['tokens'], message: `cannot read token file \`${path}\`: ${(e as Error).message}` }]);
  }
  try {
    raw = JSON.parse(text);
  } catch (e) {
    // V8's message quotes the text around the error: here that is a token
    throw new ValidationError('invalid_options', [{ path: ['tokens'], message: `token file \`${path}\` is not JSON: ${jsonSyntaxMessage(text, e)}` }]);
  }
  // an entry writing `actor` twice reads as its first actor and acts as its last (a subject's token that is `system`)
  const twice = duplicateKey(text);
  if (twice !== undefined) throw new ValidationError('invalid_options', [{ path: ['tokens', ...twice.path], message: `key \`${twice.key}\` is written twice` }]);
  const r = tokenFileSchema.safeParse(raw);
  if (!r.success) throw new ValidationError('invalid_options', r.error.issues.map((i) => ({ path: ['tokens', ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: i.message })));
  return createStaticTokenAuthenticator(r.data.tokens);
}
