import { z } from 'zod';
import { ATTRIBUTE_OPERATORS } from './attribute.js';
import { scalarSchema } from './primitives.js';

/** Time operators of IBM v2 rule conditions. */
export const TIME_OPERATORS = ['timeLessThan', 'timeLessThanOrEquals', 'timeGreaterThan', 'timeGreaterThanOrEquals'] as const;
export const DATE_TIME_OPERATORS = [
  'dateTimeLessThan',
  'dateTimeLessThanOrEquals',
  'dateTimeGreaterThan',
  'dateTimeGreaterThanOrEquals',
] as const;
export const DAY_OF_WEEK_OPERATORS = ['dayOfWeekEquals', 'dayOfWeekAnyOf'] as const;
export const RULE_OPERATORS = [...TIME_OPERATORS, ...DATE_TIME_OPERATORS, ...DAY_OF_WEEK_OPERATORS, ...ATTRIBUTE_OPERATORS] as const;
export type RuleOperator = (typeof RULE_OPERATORS)[number];

export const CURRENT_TIME = '{{environment.attributes.current_time}}';
export const CURRENT_DATE_TIME = '{{environment.attributes.current_date_time}}';
export const DAY_OF_WEEK = '{{environment.attributes.day_of_week}}';
const RESOURCE_KEY = /^\{\{resource\.attributes\.([A-Za-z0-9_.-]{1,128})\}\}$/;

/** `HH:MM:SS±hh:mm` (or Z): a time of day at a written UTC offset. */
export const TIME_VALUE = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
/** `N±hh:mm`: an ISO weekday, 1 (Monday) to 7, at a written UTC offset. */
export const DAY_VALUE = /^([1-7])(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
/** An ISO date-time with an offset. */
export const DATE_TIME_VALUE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** The resource attribute a rule key names, or undefined when the key is not a resource attribute. */
export function resourceAttributeOfKey(key: string): string | undefined {
  const m = RESOURCE_KEY.exec(key);
  return m ? m[1] : undefined;
}

/** One leaf condition `{key, operator, value}`. */
export const ruleLeafSchema = z
  .strictObject({
    key: z.string().min(1).max(256),
    operator: z.enum(RULE_OPERATORS, { message: 'unknown operator' }),
    value: z.union([scalarSchema, z.array(scalarSchema).max(10)]),
  })
  .superRefine((c, ctx) => {
    for (const m of checkLeaf(c.key, c.operator, c.value)) ctx.addIssue({ code: 'custom', path: m.path, message: m.message });
  });
export type RuleLeaf = z.infer<typeof ruleLeafSchema>;

/** Checks a leaf against its key and operator; shared by the schema and the compiler (which never trusts input). */
export function checkLeaf(key: string, operator: string, value: unknown): { path: string[]; message: string }[] {
  const out: { path: string[]; message: string }[] = [];
  const bad = (message: string) => out.push({ path: ['value'], message });
  const vals = Array.isArray(value) ? value : [value];
  if ((TIME_OPERATORS as readonly string[]).includes(operator)) {
    if (key !== CURRENT_TIME) out.push({ path: ['key'], message: `\`${operator}\` needs key \`${CURRENT_TIME}\`` });
    if (typeof value !== 'string' || !TIME_VALUE.test(value)) bad('must be a time `HH:MM:SS+hh:mm`');
  } else if ((DATE_TIME_OPERATORS as readonly string[]).includes(operator)) {
    if (key !== CURRENT_DATE_TIME) out.push({ path: ['key'], message: `\`${operator}\` needs key \`${CURRENT_DATE_TIME}\`` });
    if (typeof value !== 'string' || !DATE_TIME_VALUE.test(value) || Number.isNaN(Date.parse(value)))
      bad('must be a date-time `YYYY-MM-DDTHH:MM:SS+hh:mm`');
  } else if ((DAY_OF_WEEK_OPERATORS as readonly string[]).includes(operator)) {
    if (key !== DAY_OF_WEEK) out.push({ path: ['key'], message: `\`${operator}\` needs key \`${DAY_OF_WEEK}\`` });
    if (operator === 'dayOfWeekEquals' && Array.isArray(value)) bad('`dayOfWeekEquals` takes one value');
    if (operator === 'dayOfWeekAnyOf' && !Array.isArray(value)) bad('`dayOfWeekAnyOf` takes an array');
    if (vals.length === 0 || vals.some((v) => !isDayValue(v))) bad('must be a weekday `1+00:00` .. `7+00:00`, or an integer 1 .. 7 (UTC)');
  } else if ((ATTRIBUTE_OPERATORS as readonly string[]).includes(operator)) {
    if (resourceAttributeOfKey(key) === undefined)
      out.push({ path: ['key'], message: `\`${operator}\` needs a key \`{{resource.attributes.NAME}}\`` });
    const many = operator.endsWith('AnyOf');
    if (many !== Array.isArray(value)) bad(many ? `\`${operator}\` takes an array` : `\`${operator}\` takes one value`);
    if (operator === 'stringExists' && String(value) !== 'true' && String(value) !== 'false') bad('`stringExists` takes true or false');
    if (many && (vals.length < 1 || vals.length > 10)) bad('takes 1 to 10 values');
  } else {
    out.push({ path: ['operator'], message: `unknown operator \`${operator}\`` });
  }
  return out;
}

/**
 * A weekday value of `day_of_week`: `N±hh:mm` at a written offset, or (as IBM documents `[1,2,3,4,5]`) an integer
 * ISO weekday 1 (Monday) .. 7, which means the weekday in UTC.
 */
export function isDayValue(v: unknown): boolean {
  return typeof v === 'string' ? DAY_VALUE.test(v) : Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 7;
}

/** An `and`/`or` of at most 10 conditions, nested at most twice. */
export interface RuleGroup {
  operator: 'and' | 'or';
  conditions: (RuleLeaf | RuleGroup)[];
}

/** The rule of a v2 policy: an `and`/`or` group, or a single condition `{key, operator, value}` standing alone. */
export type Rule = RuleGroup | RuleLeaf;

const innerRuleSchema = z.strictObject({
  operator: z.enum(['and', 'or']),
  conditions: z.array(ruleLeafSchema).min(1).max(10),
});

const ruleGroupSchema = z.strictObject({
  operator: z.enum(['and', 'or']),
  conditions: z.array(z.union([ruleLeafSchema, innerRuleSchema])).min(1).max(10),
});

// the operator tells the two shapes apart: `and`/`or` is a group, any condition operator a leaf
/** The top-level rule of a v2 policy: a group, or one leaf on its own (IBM accepts both). */
export const ruleSchema: z.ZodType<Rule> = z.discriminatedUnion('operator', [ruleGroupSchema, ruleLeafSchema]);

/** True when a rule node is an `and`/`or` group. */
export function isRuleGroup(node: Rule): node is RuleGroup {
  return (node as RuleGroup).conditions !== undefined;
}
