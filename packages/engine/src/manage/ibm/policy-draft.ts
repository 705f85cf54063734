import { attributeConditionSchema, tagConditionSchema, type AttributeCondition, type TagCondition } from '../../model/attribute.js';
import { zodIssues } from '../../model/parse-source.js';
import { DATE_TIME_OPERATORS, DAY_OF_WEEK_OPERATORS, isRuleGroup, ruleSchema, TIME_OPERATORS, type Rule } from '../../model/rule-condition.js';
import { AUTHORIZATION_SUBJECT_ATTRIBUTES, type PolicySubject } from '../../model/source.js';
import type { Issue } from '../../errors.js';

type Path = (string | number)[];

/** The attributes an authorization policy subject may name (seed 004, "Authorization"); the model checks them on load too. */
export { AUTHORIZATION_SUBJECT_ATTRIBUTES };

/** One of these must sit beside `accountId` in an access policy resource (seed 004, "Access"). */
export const RESOURCE_ANCHORS = ['serviceType', 'serviceName', 'resourceGroupId', 'service_group_id'] as const;

/** The v2 rule patterns IBM documents; a rule needs one of them and a pattern needs a rule. */
export const RULE_PATTERNS = [
  'time-based-conditions:once',
  'time-based-conditions:weekly:all-day',
  'time-based-conditions:weekly:custom-hours',
  'attribute-based-condition:resource:literal-and-wildcard',
] as const;

/**
 * The conditions each pattern lets its rule hold: how many of each clock kind, and whether resource attributes. IBM
 * documents a date-time window for `once`, the weekdays for `all-day`, and the weekdays with a time window for
 * `custom-hours`. *Seed silent, safe reading:* no more than that. Each clock condition is an instant the review asks
 * again (a time of day: three instants on each of ten days, access/instants.ts), so a rule of a hundred times of day
 * held by the actor made every grant it gave take three thousand reviews (a second each, the engine's writes held).
 */
const PATTERN_CONDITIONS: Record<(typeof RULE_PATTERNS)[number], { dateTime: number; time: number; day: number; attribute: boolean }> = {
  'time-based-conditions:once': { dateTime: 2, time: 0, day: 0, attribute: false },
  'time-based-conditions:weekly:all-day': { dateTime: 0, time: 0, day: 1, attribute: false },
  'time-based-conditions:weekly:custom-hours': { dateTime: 0, time: 2, day: 1, attribute: false },
  'attribute-based-condition:resource:literal-and-wildcard': { dateTime: 0, time: 0, day: 0, attribute: true },
};

/** Pushes an issue for each kind of condition `rule` holds more of than `pattern` lets it. */
function checkPatternConditions(rule: Rule, pattern: (typeof RULE_PATTERNS)[number], issues: Issue[]): void {
  const count = { dateTime: 0, time: 0, day: 0, attribute: 0 };
  const visit = (node: Rule): void => {
    if (isRuleGroup(node)) {
      for (const c of node.conditions) visit(c);
      return;
    }
    const op = node.operator as string;
    if ((DATE_TIME_OPERATORS as readonly string[]).includes(op)) count.dateTime++;
    else if ((TIME_OPERATORS as readonly string[]).includes(op)) count.time++;
    else if ((DAY_OF_WEEK_OPERATORS as readonly string[]).includes(op)) count.day++;
    else count.attribute++;
  };
  visit(rule);
  const allowed = PATTERN_CONDITIONS[pattern];
  for (const kind of ['dateTime', 'time', 'day'] as const)
    if (count[kind] > allowed[kind]) issues.push({ path: ['rule'], message: `pattern \`${pattern}\` takes at most ${allowed[kind]} ${kind} conditions, got ${count[kind]}` });
  if (count.attribute > 0 && !allowed.attribute) issues.push({ path: ['rule'], message: `pattern \`${pattern}\` takes no resource attribute conditions` });
}

/** A policy body read from either wire version, with where each part came from so later checks can point at it. */
export interface PolicyDraft {
  type: 'access' | 'authorization' | undefined;
  accountId: string | undefined;
  subject: PolicySubject | undefined;
  roles: string[];
  attributes: AttributeCondition[];
  tags: TagCondition[];
  description: string | undefined;
  rule: Rule | undefined;
  pattern: string | undefined;
  /** False when the resource attributes had problems of their own: the catalog checks then say nothing more about them. */
  resourceChecked: boolean;
  at: {
    subject: Path;
    roles: Path[];
    /** Path of each resource attribute by name. */
    attributes: Map<string, Path>;
    tags: Path;
  };
}

/** Adds an issue for each key of `obj` outside `known`, at the key: a body means exactly what it says. */
export function unknownKeys(obj: unknown, known: readonly string[], path: Path, issues: Issue[]): void {
  if (!isRecord(obj)) return;
  for (const k of Object.keys(obj)) if (!known.includes(k)) issues.push({ path: [...path, k], message: `unknown key \`${k}\`` });
}

/** True for a plain object (not an array, not null). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Field names that differ between the v1 and v2 wire shapes. */
interface Shape {
  /** `name` in v1, `key` in v2. */
  attrKey: 'name' | 'key';
  subject: Path;
  subjectAttributes: (body: Record<string, unknown>, issues: Issue[]) => unknown[] | undefined;
  rolesPath: Path;
  roles: (body: Record<string, unknown>, issues: Issue[]) => unknown;
  resourcePath: Path;
  resource: (body: Record<string, unknown>, issues: Issue[]) => Record<string, unknown> | undefined;
}

const V1: Shape = {
  attrKey: 'name',
  subject: ['subjects', 0],
  subjectAttributes(body, issues) {
    const subjects = body['subjects'];
    if (!Array.isArray(subjects) || subjects.length !== 1) {
      issues.push({ path: ['subjects'], message: 'exactly one subject is required' });
      return undefined;
    }
    const s = subjects[0];
    if (!isRecord(s) || !Array.isArray(s['attributes'])) {
      issues.push({ path: ['subjects', 0, 'attributes'], message: 'a subject is `{attributes: [{name, value}]}`' });
      return undefined;
    }
    unknownKeys(s, ['attributes'], ['subjects', 0], issues);
    return s['attributes'];
  },
  rolesPath: ['roles'],
  roles: (body) => body['roles'],
  resourcePath: ['resources', 0],
  resource(body, issues) {
    const resources = body['resources'];
    if (!Array.isArray(resources) || resources.length !== 1) {
      issues.push({ path: ['resources'], message: 'exactly one resource is required' });
      return undefined;
    }
    if (!isRecord(resources[0])) {
      issues.push({ path: ['resources', 0], message: 'a resource is `{attributes: [...], tags: [...]}`' });
      return undefined;
    }
    return resources[0];
  },
};

const V2: Shape = {
  attrKey: 'key',
  subject: ['subject'],
  subjectAttributes(body, issues) {
    const s = body['subject'];
    if (!isRecord(s) || !Array.isArray(s['attributes'])) {
      issues.push({ path: ['subject'], message: 'a subject is `{attributes: [{key, operator, value}]}`' });
      return undefined;
    }
    unknownKeys(s, ['attributes'], ['subject'], issues);
    return s['attributes'];
  },
  rolesPath: ['control', 'grant', 'roles'],
  roles(body, issues) {
    const c = body['control'];
    const g = isRecord(c) ? c['grant'] : undefined;
    unknownKeys(c, ['grant'], ['control'], issues);
    unknownKeys(g, ['roles'], ['control', 'grant'], issues);
    return isRecord(g) ? g['roles'] : undefined;
  },
  resourcePath: ['resource'],
  resource(body, issues) {
    const r = body['resource'];
    if (!isRecord(r)) {
      issues.push({ path: ['resource'], message: 'a resource is `{attributes: [...], tags: [...]}`' });
      return undefined;
    }
    return r;
  },
};

/** Reads a v1 body (`subjects`, `roles`, `resources`), pushing every structural problem onto `issues`. */
export function readV1Body(body: Record<string, unknown>, issues: Issue[]): PolicyDraft {
  const draft = readCommon(body, V1, issues);
  for (const k of ['rule', 'pattern', 'subject', 'resource', 'control'])
    if (body[k] !== undefined) issues.push({ path: [k], message: `\`${k}\` is a v2 field: use the v2 policies API` });
  return draft;
}

/** Reads a v2 body (`subject`, `control.grant.roles`, `resource`, `rule`, `pattern`), pushing every problem onto `issues`. */
export function readV2Body(body: Record<string, unknown>, issues: Issue[]): PolicyDraft {
  const draft = readCommon(body, V2, issues);
  const rule = body['rule'];
  const pattern = body['pattern'];
  if (rule !== undefined) {
    const parsed = ruleSchema.safeParse(rule);
    if (parsed.success) draft.rule = parsed.data;
    else for (const i of zodIssues(parsed.error)) issues.push({ path: ['rule', ...i.path], message: i.message });
  }
  if (pattern !== undefined) {
    if (typeof pattern !== 'string' || !(RULE_PATTERNS as readonly string[]).includes(pattern))
      issues.push({ path: ['pattern'], message: `unknown pattern, expected one of ${RULE_PATTERNS.map((p) => `\`${p}\``).join(', ')}` });
    else draft.pattern = pattern;
  }
  if (draft.rule !== undefined && draft.pattern !== undefined) checkPatternConditions(draft.rule, draft.pattern as (typeof RULE_PATTERNS)[number], issues);
  if (rule !== undefined && pattern === undefined) issues.push({ path: ['pattern'], message: 'a policy with a rule needs a pattern' });
  if (rule === undefined && pattern !== undefined) issues.push({ path: ['rule'], message: 'a pattern needs a rule' });
  return draft;
}

function readCommon(body: Record<string, unknown>, shape: Shape, issues: Issue[]): PolicyDraft {
  const draft: PolicyDraft = {
    type: undefined,
    accountId: undefined,
    subject: undefined,
    roles: [],
    attributes: [],
    tags: [],
    description: undefined,
    rule: undefined,
    pattern: undefined,
    resourceChecked: false,
    at: { subject: shape.subject, roles: [], attributes: new Map(), tags: [...shape.resourcePath, 'tags'] },
  };
  const type = body['type'];
  if (type === 'access' || type === 'authorization') draft.type = type;
  else issues.push({ path: ['type'], message: 'type is `access` or `authorization`' });

  const description = body['description'];
  if (description !== undefined) {
    if (typeof description !== 'string' || description.length > 300)
      issues.push({ path: ['description'], message: 'description is a string of at most 300 characters' });
    else draft.description = description;
  }

  readSubject(body, shape, draft, issues);
  readRoles(body, shape, draft, issues);
  readResource(body, shape, draft, issues);
  return draft;
}

function readSubject(body: Record<string, unknown>, shape: Shape, draft: PolicyDraft, issues: Issue[]): void {
  const attrs = shape.subjectAttributes(body, issues);
  if (attrs === undefined) return;
  const base = [...shape.subject, 'attributes'];
  const pairs: [string, string][] = [];
  let ok = true;
  attrs.forEach((a, i) => {
    const before = issues.length;
    unknownKeys(a, shape === V2 ? ['key', 'operator', 'value'] : ['name', 'value'], [...base, i], issues);
    if (issues.length > before) ok = false;
    const name = isRecord(a) ? a[shape.attrKey] : undefined;
    const value = isRecord(a) ? a['value'] : undefined;
    if (typeof name !== 'string' || name === '') {
      ok = false;
      issues.push({ path: [...base, i, shape.attrKey], message: `a subject attribute needs a \`${shape.attrKey}\`` });
    } else if (typeof value !== 'string' || value === '' || value.length > 256) {
      ok = false;
      issues.push({ path: [...base, i, 'value'], message: `subject attribute \`${name}\`: value is a string of 1 to 256 characters` });
    } else pairs.push([name, value]);
    if (shape === V2 && isRecord(a) && a['operator'] !== undefined && a['operator'] !== 'stringEquals') {
      ok = false;
      issues.push({ path: [...base, i, 'operator'], message: 'a subject attribute takes the operator `stringEquals`' });
    }
  });
  if (!ok) return;
  const names = pairs.map(([n]) => n);
  const service = draft.type === 'authorization' || (draft.type === undefined && !names.some((n) => n === 'iam_id' || n === 'access_group_id'));
  if (!service) {
    if (pairs.length !== 1) {
      issues.push({ path: base, message: 'an access policy subject has exactly one attribute, `iam_id` or `access_group_id`' });
      return;
    }
    const [name, value] = pairs[0]!;
    if (name === 'iam_id') draft.subject = { kind: 'principal', id: value };
    else if (name === 'access_group_id') draft.subject = { kind: 'group', id: value };
    else issues.push({ path: [...base, 0, shape.attrKey], message: `unknown subject attribute \`${name}\`: expected \`iam_id\` or \`access_group_id\`` });
    return;
  }
  const out: Record<string, string> = {};
  pairs.forEach(([name, value], i) => {
    if (!(AUTHORIZATION_SUBJECT_ATTRIBUTES as readonly string[]).includes(name))
      issues.push({ path: [...base, i, shape.attrKey], message: `unknown authorization subject attribute \`${name}\`` });
    else if (Object.hasOwn(out, name)) issues.push({ path: [...base, i, shape.attrKey], message: `subject attribute \`${name}\` is listed twice` });
    else out[name] = value;
  });
  for (const required of ['serviceName', 'accountId'])
    if (!names.includes(required)) issues.push({ path: base, message: `an authorization policy subject needs \`${required}\`` });
  draft.subject = { kind: 'service', attributes: out };
}

function readRoles(body: Record<string, unknown>, shape: Shape, draft: PolicyDraft, issues: Issue[]): void {
  const roles = shape.roles(body, issues);
  if (!Array.isArray(roles) || roles.length === 0) {
    issues.push({ path: shape.rolesPath, message: 'at least one role is required' });
    return;
  }
  const seen = new Set<string>();
  roles.forEach((r, i) => {
    const id = isRecord(r) ? r['role_id'] : undefined;
    unknownKeys(r, ['role_id'], [...shape.rolesPath, i], issues);
    const path = [...shape.rolesPath, i, 'role_id'];
    if (typeof id !== 'string' || id === '' || id.length > 256) issues.push({ path, message: 'a role is `{role_id}` with a role id' });
    else if (seen.has(id)) issues.push({ path, message: `role \`${id}\` is listed more than once` });
    else {
      seen.add(id);
      draft.roles.push(id);
      draft.at.roles.push(path);
    }
  });
}

function readResource(body: Record<string, unknown>, shape: Shape, draft: PolicyDraft, issues: Issue[]): void {
  const resource = shape.resource(body, issues);
  if (resource === undefined) return;
  const base = [...shape.resourcePath, 'attributes'];
  unknownKeys(resource, ['attributes', 'tags'], shape.resourcePath, issues);
  const attrs = resource['attributes'];
  if (!Array.isArray(attrs) || attrs.length === 0) {
    issues.push({ path: base, message: 'a resource needs attributes, at least `accountId`' });
    return;
  }
  // names as written, so an attribute that failed its own checks does not also count as missing
  const written = new Set(attrs.map((a) => (isRecord(a) ? a[shape.attrKey] : undefined)).filter((n): n is string => typeof n === 'string'));
  const before = issues.length;
  attrs.forEach((a, i) => {
    if (!isRecord(a)) return issues.push({ path: [...base, i], message: `an attribute is \`{${shape.attrKey}, operator, value}\`` });
    unknownKeys(a, [shape.attrKey, 'operator', 'value'], [...base, i], issues);
    const candidate = { name: a[shape.attrKey], operator: a['operator'] ?? 'stringEquals', value: a['value'] };
    const parsed = attributeConditionSchema.safeParse(candidate);
    if (!parsed.success) {
      for (const z of zodIssues(parsed.error))
        issues.push({ path: [...base, i, ...z.path.map((p) => (p === 'name' ? shape.attrKey : p))], message: z.message });
      return;
    }
    if (draft.at.attributes.has(parsed.data.name))
      return issues.push({ path: [...base, i, shape.attrKey], message: `attribute \`${parsed.data.name}\` is listed twice` });
    draft.attributes.push(parsed.data);
    draft.at.attributes.set(parsed.data.name, [...base, i]);
  });
  const account = draft.attributes.find((a) => a.name === 'accountId');
  if (!written.has('accountId')) issues.push({ path: base, message: 'a resource needs the attribute `accountId`' });
  else if (account !== undefined) {
    if (account.operator !== 'stringEquals' || typeof account.value !== 'string' || account.value === '')
      issues.push({ path: draft.at.attributes.get('accountId')!, message: '`accountId` takes `stringEquals` and an account id' });
    else draft.accountId = account.value;
  }
  if (draft.type === 'authorization') {
    if (!written.has('serviceName')) issues.push({ path: base, message: 'an authorization policy resource needs `serviceName`' });
  } else if (!RESOURCE_ANCHORS.some((n) => written.has(n))) {
    issues.push({ path: base, message: `a resource needs one of ${RESOURCE_ANCHORS.map((n) => `\`${n}\``).join(', ')}` });
  }
  const serviceType = draft.attributes.find((a) => a.name === 'serviceType');
  if (serviceType && (serviceType.operator !== 'stringEquals' || (serviceType.value !== 'service' && serviceType.value !== 'platform_service')))
    issues.push({ path: draft.at.attributes.get('serviceType')!, message: '`serviceType` takes `stringEquals` and `service` or `platform_service`' });
  draft.resourceChecked = issues.length === before;

  const tags = resource['tags'];
  if (tags === undefined) return;
  if (!Array.isArray(tags)) return void issues.push({ path: draft.at.tags, message: 'tags are an array of `{name, value, operator}`' });
  const seen = new Set<string>();
  tags.forEach((t, i) => {
    if (!isRecord(t)) return issues.push({ path: [...draft.at.tags, i], message: `a tag is \`{${shape.attrKey}, value, operator}\`` });
    unknownKeys(t, [shape.attrKey, 'value', 'operator'], [...draft.at.tags, i], issues);
    const parsed = tagConditionSchema.safeParse({ name: t[shape.attrKey], value: t['value'], operator: t['operator'] ?? 'stringEquals' });
    if (!parsed.success) {
      for (const z of zodIssues(parsed.error))
        issues.push({ path: [...draft.at.tags, i, ...z.path.map((p) => (p === 'name' ? shape.attrKey : p))], message: z.message });
      return;
    }
    const key = JSON.stringify([parsed.data.name, parsed.data.operator, parsed.data.value]);
    if (seen.has(key)) return issues.push({ path: [...draft.at.tags, i], message: `tag \`${parsed.data.name}:${parsed.data.value}\` is listed twice` });
    seen.add(key);
    draft.tags.push(parsed.data);
  });
  if (draft.tags.length > 0 && draft.type === 'authorization')
    issues.push({ path: draft.at.tags, message: 'an authorization policy takes no access tags' });
}
