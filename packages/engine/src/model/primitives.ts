import { z } from 'zod';

/** Keys that would reach an object's prototype; refused as ids and as record keys everywhere. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** A UTF-16 code unit that is half of a surrogate pair without its other half. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Walks a value to be written for strings (keys and values) that are not well-formed Unicode. A lone surrogate has no
 * UTF-8 form: SQLite and PostgreSQL store it as U+FFFD, so two ids differing only in one become one id when the store
 * is read again, and the store is refused: one request would take every engine on it down. Stops at `maxDepth`
 * (the forbidden-key walk reports anything deeper).
 */
export function findLoneSurrogates(value: unknown, path: (string | number)[], issues: { path: (string | number)[]; message: string }[], maxDepth = 64): void {
  const message = 'holds a lone surrogate (not well-formed Unicode: a store cannot keep it)';
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) issues.push({ path, message });
    return;
  }
  if (maxDepth <= 0 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => findLoneSurrogates(v, [...path, i], issues, maxDepth - 1));
    return;
  }
  for (const k of Object.keys(value)) {
    if (LONE_SURROGATE.test(k)) issues.push({ path: [...path, k], message: `key ${message}` });
    findLoneSurrogates((value as Record<string, unknown>)[k], [...path, k], issues, maxDepth - 1);
  }
}

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
