import { z } from 'zod';
import { idSchema } from './primitives.js';

/** The claim operators of IBM access group rules. */
export const CLAIM_OPERATORS = ['EQUALS', 'NOT_EQUALS', 'EQUALS_IGNORE_CASE', 'NOT_EQUALS_IGNORE_CASE', 'IN', 'CONTAINS'] as const;
export type ClaimOperator = (typeof CLAIM_OPERATORS)[number];

/** One condition `{claim, operator, value}`; `value` is a JSON string, as the seed sends it. */
export const claimConditionSchema = z
  .strictObject({
    claim: z.string().min(1).max(256),
    operator: z.enum(CLAIM_OPERATORS, { message: 'unknown operator' }),
    value: z.string().max(1000),
  })
  .superRefine((c, ctx) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(c.value);
    } catch {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `value \`${c.value}\` is not JSON (a string value is written with quotes)` });
      return;
    }
    if (c.operator === 'IN' && !Array.isArray(parsed)) ctx.addIssue({ code: 'custom', path: ['value'], message: '`IN` needs a JSON array' });
    if (c.operator !== 'IN' && (parsed === null || typeof parsed === 'object'))
      ctx.addIssue({ code: 'custom', path: ['value'], message: `\`${c.operator}\` needs a JSON string, number or boolean` });
  });
export type ClaimCondition = z.infer<typeof claimConditionSchema>;

/** A claim rule: a login through `realm` whose claims meet every condition joins the group for `expiration` hours. */
export const claimRuleSchema = z.strictObject({
  id: idSchema,
  name: z.string().max(100).optional(),
  realmName: z.string().min(1).max(256),
  expiration: z.number().int().min(1, 'expiration is 1 to 24 hours').max(24, 'expiration is 1 to 24 hours'),
  conditions: z.array(claimConditionSchema).min(1).max(50),
  createdAt: z.string().optional(),
  lastModifiedAt: z.string().optional(),
  etag: z.string().optional(),
});
export type ClaimRule = z.infer<typeof claimRuleSchema>;

/** Claim values are compared as strings after JSON parsing (`true` -> `"true"`). */
export function claimString(v: unknown): string {
  return typeof v === 'string' ? v : String(v);
}
