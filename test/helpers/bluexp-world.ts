// A BlueXP organization for the management tests, and what they share: its 403, the same for Cloudflare, and instants.
import { bootstrapAccount, BLUEXP_CODES, CLOUDFLARE_CODES } from '@portcullis/engine';
import { engine, NOW, SYSTEM, who } from './access.js';
import { apply } from './ibm-world.js';

export const BX_FORBIDDEN = { code: BLUEXP_CODES.forbidden.code, status: 403 };
export const CF_FORBIDDEN = { code: CLOUDFLARE_CODES.forbidden.code, status: 403 };
/** An hour after NOW, as the ISO text an operation's `expiresAt` takes. */
export const IN_AN_HOUR = new Date(NOW + 3_600_000).toISOString();
export const TWO_HOURS_LATER = NOW + 7_200_000;

/** BlueXP organization `bx` whose organization admin is `admin`; `run(op, input)` applies an operation in `bx` as `admin`. */
export async function bluexpOrg() {
  const e = engine();
  await apply(e, bootstrapAccount, { system: 'bluexp', accountId: 'bx', admin: { id: 'admin', email: 'admin@corp.com' } }, SYSTEM);
  const admin = who('admin', 'bx');
  const run = async (op: unknown, input: Record<string, unknown>) => (await apply(e, op, { account_id: 'bx', ...input }, admin)) as { id: string };
  return { e, admin, run };
}
