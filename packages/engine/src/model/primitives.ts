import { z } from 'zod';

/** Keys that would reach an object's prototype; refused as ids and as record keys everywhere. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** An identifier: 1..256 characters, never a prototype key. */
export const idSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters')
  .refine((s) => !FORBIDDEN_KEYS.has(s), { message: 'is a reserved name' })
  .refine((s) => !/[\u0000-\u001f]/.test(s), { message: 'contains a control character' });

/** An ISO 8601 date-time with an offset or `Z`. */
export const instantSchema = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), {
    message: 'must be an ISO 8601 date-time with an offset',
  });

/** A scalar attribute value as the seeds send it; compared as a string. */
export const scalarSchema = z.union([z.string(), z.number().finite(), z.boolean()]);
export type Scalar = z.infer<typeof scalarSchema>;

/** A record with string keys that refuses prototype keys, so parsing can never pollute a prototype. */
export function safeRecord<T extends z.ZodType>(value: T) {
  return z
    .record(z.string(), value)
    .superRefine((rec, ctx) => {
      for (const k of Object.keys(rec)) {
        if (FORBIDDEN_KEYS.has(k)) ctx.addIssue({ code: 'custom', path: [k], message: `key \`${k}\` is a reserved name` });
      }
    });
}

/** Parses an ISO instant to epoch milliseconds; NaN when it cannot. */
export function toMillis(iso: string | undefined | null): number {
  if (iso == null) return Number.NaN;
  return Date.parse(iso);
}
