import { z } from 'zod';
import { idSchema, scalarSchema } from './primitives.js';

/** The five attribute operators of IBM policy resources. */
export const ATTRIBUTE_OPERATORS = ['stringEquals', 'stringMatch', 'stringExists', 'stringEqualsAnyOf', 'stringMatchAnyOf'] as const;
export type AttributeOperator = (typeof ATTRIBUTE_OPERATORS)[number];

/** At most this many values in a `…AnyOf` condition (IBM's limit). */
export const MAX_ANY_OF = 10;

const name = z.string().min(1).max(128).refine((s) => s !== '__proto__' && s !== 'constructor' && s !== 'prototype', {
  message: 'is a reserved name',
});

/** One attribute condition of a resource selector, `{name, operator, value}`. */
export const attributeConditionSchema = z
  .strictObject({
    name,
    operator: z.enum(ATTRIBUTE_OPERATORS, { message: 'unknown operator' }),
    value: z.union([scalarSchema, z.array(scalarSchema)]),
  })
  .superRefine((c, ctx) => {
    const many = c.operator === 'stringEqualsAnyOf' || c.operator === 'stringMatchAnyOf';
    if (many) {
      if (!Array.isArray(c.value)) ctx.addIssue({ code: 'custom', path: ['value'], message: `\`${c.operator}\` needs an array of values` });
      else if (c.value.length < 1) ctx.addIssue({ code: 'custom', path: ['value'], message: 'needs at least one value' });
      else if (c.value.length > MAX_ANY_OF)
        ctx.addIssue({ code: 'custom', path: ['value'], message: `at most ${MAX_ANY_OF} values, got ${c.value.length}` });
    } else if (Array.isArray(c.value)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `\`${c.operator}\` takes one value, not an array` });
    } else if (c.operator === 'stringExists' && String(c.value) !== 'true' && String(c.value) !== 'false') {
      ctx.addIssue({ code: 'custom', path: ['value'], message: '`stringExists` takes true or false' });
    }
  });
export type AttributeCondition = z.infer<typeof attributeConditionSchema>;

/** An access tag condition: the resource must carry a tag `name:value` (lowercased). */
export const tagConditionSchema = z
  .strictObject({
    name: z.string().min(1).max(128),
    value: z.string().max(256),
    operator: z.enum(['stringEquals', 'stringMatch']).default('stringEquals'),
  })
  .transform((t) => ({ ...t, name: t.name.toLowerCase(), value: t.value.toLowerCase() }));
export type TagCondition = z.infer<typeof tagConditionSchema>;

/** What a policy applies to: attributes ANDed, tags ANDed, and optional scope nodes. */
export const resourceSelectorSchema = z.strictObject({
  attributes: z.array(attributeConditionSchema).max(32).default([]),
  tags: z.array(tagConditionSchema).max(32).default([]),
  /** Cloudflare resource group ids; the resource must fall in one of their scopes. */
  resourceGroups: z.array(idSchema).max(64).optional(),
  /** BlueXP nodes (organization, folder, project, workspace); the resource must lie at or below one. */
  nodes: z.array(idSchema).max(64).optional(),
});
export type ResourceSelector = z.infer<typeof resourceSelectorSchema>;
