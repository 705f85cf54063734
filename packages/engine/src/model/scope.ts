import type { Scope } from './source.js';

const ACCOUNT = 'com.cloudflare.api.account.';
const ZONE = 'com.cloudflare.api.account.zone.';
const USER = 'com.cloudflare.api.user.';

/** What one Cloudflare scope reaches: the account itself, one zone or every zone (`*`) of it, or a user. */
export type ScopeTarget =
  | { type: 'account'; accountId: string }
  | { type: 'zone'; accountId: string; zone: string }
  | { type: 'user'; userId: string };

/**
 * Reads a scope of a resource group in account `accountId`. The legacy shape `{key: zone.Z, objects: ["*"]}`
 * means zone Z of the group's account; a scope naming another account is an error, so nothing leaks across accounts.
 */
export function parseScope(scope: Scope, accountId: string): { targets: ScopeTarget[] } | { error: string } {
  const { key, objects } = scope;
  const onlyStar = objects.length === 1 && objects[0]?.key === '*';
  if (key.startsWith(ZONE)) {
    const zone = key.slice(ZONE.length);
    if (!validId(zone) || zone === '*') return { error: `scope key \`${key}\`: malformed zone id` };
    if (!onlyStar) return { error: `scope key \`${key}\`: a zone key takes the objects \`["*"]\`` };
    return { targets: [{ type: 'zone', accountId, zone }] };
  }
  if (key.startsWith(USER)) {
    const userId = key.slice(USER.length);
    if (!validId(userId)) return { error: `scope key \`${key}\`: malformed user id` };
    if (!onlyStar) return { error: `scope key \`${key}\`: a user key takes the objects \`["*"]\`` };
    return { targets: [{ type: 'user', userId }] };
  }
  if (key.startsWith(ACCOUNT)) {
    const a = key.slice(ACCOUNT.length);
    if (!validId(a)) return { error: `scope key \`${key}\`: malformed account id` };
    if (a !== accountId) return { error: `scope key \`${key}\`: names account \`${a}\`, not the resource group's account \`${accountId}\`` };
    const targets: ScopeTarget[] = [];
    for (const o of objects) {
      if (o.key === '*') targets.push({ type: 'account', accountId });
      else if (o.key.startsWith(ZONE)) {
        const zone = o.key.slice(ZONE.length);
        if (zone !== '*' && !validId(zone)) return { error: `scope object \`${o.key}\`: malformed zone id` };
        targets.push({ type: 'zone', accountId, zone });
      } else return { error: `scope object \`${o.key}\`: expected \`*\` or \`${ZONE}<zone id>\`` };
    }
    return { targets };
  }
  return { error: `scope key \`${key}\`: expected \`${ACCOUNT}<id>\`, \`${ZONE}<id>\` or \`${USER}<id>\`` };
}

function validId(s: string): boolean {
  return s.length > 0 && s.length <= 128 && /^[A-Za-z0-9_-]+$/.test(s);
}
