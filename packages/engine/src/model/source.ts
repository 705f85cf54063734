import { z } from 'zod';
import { resourceSelectorSchema } from './attribute.js';
import { claimRuleSchema } from './claim-rule.js';
import { ruleSchema } from './rule-condition.js';
import { idSchema, instantSchema, safeRecord, scalarSchema } from './primitives.js';
import { ssoConnectorSchema } from './sso-connector.js';

/** The version of the source document format this build reads and writes. */
export const SOURCE_VERSION = 1;

/** The built-in group of every account: every caller, even unauthenticated, is a member. */
export const PUBLIC_ACCESS_GROUP_ID = 'AccessGroupId-PublicAccess';

/** Limits from the seeds and DESIGN.md. */
export const LIMITS = {
  groupName: 100,
  groupDescription: 250,
  rulesPerGroup: 5,
  maxFolderDepth: 6,
  maxProjectLevel: 7,
} as const;

/** Which seed system an account follows; it decides nothing by itself but guides management operations. */
export const accountSchema = z.strictObject({
  // INVARIANT: no `/` in an account id, so `account/id` keys (entityKey) split one way only
  id: idSchema.refine((s) => !s.includes('/'), { message: 'an account id contains no `/`' }),
  system: z.enum(['ibm', 'cloudflare', 'bluexp']),
  name: z.string().max(256).optional(),
  /** When false the Public Access group grants nothing in this account. */
  publicAccess: z.boolean().default(true),
  /** BlueXP Tenancy account options. */
  options: z
    .strictObject({
      saasEnabled: z.boolean().default(true),
      thirdPartyServicesEnabled: z.boolean().default(true),
      notificationOptIn: z.boolean().default(false),
    })
    .default({ saasEnabled: true, thirdPartyServicesEnabled: true, notificationOptIn: false }),
});
export type Account = z.infer<typeof accountSchema>;

/** A user, service id / service account, or agent (connector) of one account. */
export const principalSchema = z.strictObject({
  id: idSchema,
  accountId: idSchema,
  kind: z.enum(['user', 'service', 'agent']),
  email: z.string().max(320).optional(),
  name: z.string().max(256).optional(),
  /** Pending and disabled principals count only as anonymous callers. */
  status: z.enum(['active', 'pending', 'disabled']).default('active'),
  /** A locked service id decides like any other, but no policy naming it can be written. */
  locked: z.boolean().default(false),
  /** For agents: the BlueXP projects the agent is in. */
  projects: z.array(idSchema).max(1000).default([]),
  /** BlueXP users: receives the account's notifications when the account's `notificationOptIn` is on too. */
  notificationOptIn: z.boolean().optional(),
});
export type Principal = z.infer<typeof principalSchema>;

/** An access group (IBM), user group (Cloudflare, BlueXP). */
export const groupSchema = z.strictObject({
  id: idSchema,
  accountId: idSchema,
  name: z.string().min(1).max(LIMITS.groupName, `name is at most ${LIMITS.groupName} characters`),
  description: z.string().max(LIMITS.groupDescription, `description is at most ${LIMITS.groupDescription} characters`).default(''),
  /** Principal ids of the static members. */
  members: z.array(idSchema).default([]),
  /**
   * When and by whom static members were added, by member id (IBM lists them with each member); a member added
   * before this was kept has no entry. Every key is a member (parseSource).
   */
  memberSince: safeRecord(z.object({ createdAt: instantSchema, createdById: z.string().min(1).max(256) }).strict()).optional(),
  /** Claim rules; rules are ORed. */
  rules: z.array(claimRuleSchema).max(LIMITS.rulesPerGroup, `at most ${LIMITS.rulesPerGroup} claim rules`).default([]),
  /** A BlueXP group federated from an identity provider. */
  federated: z.boolean().default(false),
  createdAt: z.string().optional(),
  createdById: z.string().optional(),
  lastModifiedAt: z.string().optional(),
  lastModifiedById: z.string().optional(),
  etag: z.string().optional(),
});
export type Group = z.infer<typeof groupSchema>;

/** A service in the catalog: its type, its service groups, and what each role grants on it. */
export const serviceSchema = z.strictObject({
  name: idSchema,
  type: z.enum(['service', 'platform_service']),
  displayName: z.string().max(256).optional(),
  /** Service groups such as `IAM` (`service_group_id` in a policy resource). */
  groups: z.array(idSchema).default([]),
  /** role id -> actions that role grants on this service (on top of the role's own actions). */
  roles: safeRecord(z.array(z.lazy(() => actionPatternSchema))).default({}),
  /** action id -> how IBM's `format=display` names and describes it; an action without an entry shows its id. */
  actions: safeRecord(z.object({ displayName: z.string().min(1).max(256), description: z.string().max(1024).optional() }).strict()).optional(),
  /** A third-party service (BlueXP: such as Fluid): switched off in an account whose `thirdPartyServicesEnabled` is false. */
  thirdParty: z.boolean().optional(),
});
export type Service = z.infer<typeof serviceSchema>;

/** An action string or pattern: dotted or colon separated; `*` only as the whole last segment. */
export const actionPatternSchema = z
  .string()
  .min(1)
  .max(256)
  .refine((s) => isValidActionPattern(s), {
    message: 'must be an action like `svc.thing.read` or `type:action`, with `*` only as the last segment after a type',
  });

/** True for `a.b.c`, `type:action`, `a.b.*`, `type:*`; false for `*`, `*:x`, `a*`, `a.*.b`. */
export function isValidActionPattern(s: string): boolean {
  if (!/^[A-Za-z0-9_\-.:/*]+$/.test(s)) return false;
  const star = s.indexOf('*');
  if (star === -1) return true;
  if (star !== s.length - 1 || star < 2) return false;
  const sep = s[star - 1];
  return sep === '.' || sep === ':';
}

/** A role: IBM platform/service/custom role, Cloudflare permission group, BlueXP role. Roles are flat sets. */
export const roleSchema = z.strictObject({
  id: idSchema,
  kind: z.enum(['platform', 'service', 'custom', 'permission-group', 'bluexp']),
  /** Set for custom roles and account-local permission groups; global roles have none. */
  accountId: idSchema.optional(),
  name: z.string().max(256).optional(),
  description: z.string().max(1000).optional(),
  /** Actions or patterns this role grants on any service. */
  actions: z.array(actionPatternSchema).max(2000).default([]),
  /** For custom roles: the one service they apply to. */
  serviceName: idSchema.optional(),
  /** Cloudflare permission groups: the resource type they are scoped to. */
  scopeType: z.enum(['account', 'zone', 'user']).optional(),
  /** BlueXP: administrator roles, the only ones that reach resources associated straight with a folder. */
  admin: z.enum(['organization', 'folder-or-project']).optional(),
});
export type Role = z.infer<typeof roleSchema>;

const policySubjectSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('principal'), id: idSchema }),
  z.strictObject({ kind: z.literal('group'), id: idSchema }),
  /** Authorization policies: the source service, by attributes (serviceName, serviceInstance, region, resourceType, resource, accountId). */
  z.strictObject({ kind: z.literal('service'), attributes: safeRecord(scalarSchema) }),
]);
export type PolicySubject = z.infer<typeof policySubjectSchema>;

/** A policy: one subject, at least one distinct role, one resource selector, optional rule. */
export const policySchema = z
  .strictObject({
    id: idSchema,
    accountId: idSchema,
    type: z.enum(['access', 'authorization']).default('access'),
    effect: z.enum(['allow', 'deny']).default('allow'),
    subject: policySubjectSchema,
    roles: z.array(idSchema).min(1, 'at least one role'),
    resource: resourceSelectorSchema,
    rule: ruleSchema.optional(),
    pattern: z.string().max(256).optional(),
    description: z.string().max(300).optional(),
    state: z.enum(['active', 'deleted']).default('active'),
    etag: z.string().optional(),
    createdAt: z.string().optional(),
    createdById: z.string().optional(),
    lastModifiedAt: z.string().optional(),
    lastModifiedById: z.string().optional(),
    lastPermitAt: z.string().optional(),
    lastPermitFrequency: z.number().int().nonnegative().optional(),
  })
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.roles.forEach((r, i) => {
      if (seen.has(r)) ctx.addIssue({ code: 'custom', path: ['roles', i], message: `role \`${r}\` is listed twice` });
      seen.add(r);
    });
    if (p.type === 'authorization' && p.subject.kind !== 'service')
      ctx.addIssue({ code: 'custom', path: ['subject'], message: 'an authorization policy has a service subject' });
    if (p.type === 'access' && p.subject.kind === 'service')
      ctx.addIssue({ code: 'custom', path: ['subject'], message: 'an access policy has a principal or group subject' });
    if (p.subject.kind === 'service') checkAuthorization(p.subject.attributes, p.resource, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
  });
export type Policy = z.infer<typeof policySchema>;

/** The attributes an authorization policy subject may name (seed 004, "Authorization"). */
export const AUTHORIZATION_SUBJECT_ATTRIBUTES = ['serviceName', 'serviceInstance', 'region', 'resourceType', 'resource', 'accountId'] as const;

/**
 * What the policy operations refuse in an authorization policy, refused when loaded too (seed 004: "Both the policy
 * subject and the policy resource must include the serviceName and accountId attributes"): without them a policy
 * would let that service in from any account, or reach any service.
 */
function checkAuthorization(
  subject: Record<string, unknown>,
  resource: { attributes: { name: string }[]; tags: unknown[] },
  add: (path: (string | number)[], message: string) => void,
): void {
  for (const [name, value] of Object.entries(subject)) {
    if (!(AUTHORIZATION_SUBJECT_ATTRIBUTES as readonly string[]).includes(name))
      add(['subject', 'attributes', name], `unknown authorization subject attribute \`${name}\``);
    else if (typeof value !== 'string' || value === '') add(['subject', 'attributes', name], 'a subject attribute is a non-empty string');
  }
  for (const required of ['serviceName', 'accountId']) {
    if (!Object.hasOwn(subject, required)) add(['subject', 'attributes'], `an authorization policy subject needs \`${required}\``);
    if (!resource.attributes.some((a) => a.name === required)) add(['resource', 'attributes'], `an authorization policy resource needs \`${required}\``);
  }
  if (resource.tags.length > 0) add(['resource', 'tags'], 'an authorization policy takes no access tags');
}

/** A Cloudflare scope key and its objects, e.g. `com.cloudflare.api.account.A` with `com.cloudflare.api.account.zone.*`. */
export const scopeSchema = z.strictObject({
  key: z.string().min(1).max(256),
  objects: z.array(z.strictObject({ key: z.string().min(1).max(256) })).min(1).max(1000),
});
export type Scope = z.infer<typeof scopeSchema>;

/** A Cloudflare resource group: a named list of scopes. */
export const resourceGroupSchema = z.strictObject({
  id: idSchema,
  accountId: idSchema,
  name: z.string().max(256).optional(),
  scope: z.array(scopeSchema).min(1).max(100),
  meta: z.strictObject({ key: z.string().optional(), value: z.string().optional() }).optional(),
});
export type ResourceGroup = z.infer<typeof resourceGroupSchema>;

/** A BlueXP folder or project (workspace). The organization itself is the account: a node whose parent is null hangs under it. */
export const nodeSchema = z.strictObject({
  id: idSchema,
  accountId: idSchema,
  kind: z.enum(['folder', 'project']),
  name: z.string().max(256).optional(),
  /** The parent folder id, or null for a node directly under the organization. */
  parentId: idSchema.nullable().default(null),
});
export type HierarchyNode = z.infer<typeof nodeSchema>;

/** A BlueXP role binding: a role for a principal or group at a node (or the organization), optionally expiring. */
export const bindingSchema = z.strictObject({
  id: idSchema,
  accountId: idSchema,
  subject: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('principal'), id: idSchema }),
    z.strictObject({ kind: z.literal('group'), id: idSchema }),
  ]),
  roleId: idSchema,
  /** A folder or project id, or the organization (the account id). */
  nodeId: idSchema,
  expiresAt: instantSchema.optional(),
});
export type Binding = z.infer<typeof bindingSchema>;

/** A registered resource, so a request may name it by id. */
export const registeredResourceSchema = z.strictObject({
  id: idSchema,
  accountId: idSchema,
  attributes: safeRecord(scalarSchema).default({}),
  tags: z.array(z.string().min(1).max(256)).default([]).transform((ts) => ts.map((t) => t.toLowerCase())),
  projects: z.array(idSchema).default([]),
  folders: z.array(idSchema).default([]),
  zones: z.array(idSchema).default([]),
  agentId: idSchema.optional(),
  cloudId: z.string().max(512).optional(),
});
export type RegisteredResource = z.infer<typeof registeredResourceSchema>;

/** A dynamic membership recorded at login: holds while `now < expiresAt`. */
export const membershipSchema = z.strictObject({
  accountId: idSchema,
  principalId: idSchema,
  groupId: idSchema,
  ruleId: idSchema.optional(),
  realm: z.string().min(1).max(256),
  loginAt: instantSchema,
  expiresAt: instantSchema,
});
export type DynamicMembership = z.infer<typeof membershipSchema>;

/** The whole source: everything a store persists and an engine compiles. */
export const sourceSchema = z.strictObject({
  version: z.literal(SOURCE_VERSION, { message: `version must be ${SOURCE_VERSION}` }),
  accounts: z.array(accountSchema).default([]),
  principals: z.array(principalSchema).default([]),
  groups: z.array(groupSchema).default([]),
  services: z.array(serviceSchema).default([]),
  roles: z.array(roleSchema).default([]),
  policies: z.array(policySchema).default([]),
  resourceGroups: z.array(resourceGroupSchema).default([]),
  nodes: z.array(nodeSchema).default([]),
  bindings: z.array(bindingSchema).default([]),
  resources: z.array(registeredResourceSchema).default([]),
  memberships: z.array(membershipSchema).default([]),
  ssoConnectors: z.array(ssoConnectorSchema).default([]),
});
export type Source = z.infer<typeof sourceSchema>;
/** The source as written in JSON, before defaults are applied. */
export type SourceInput = z.input<typeof sourceSchema>;
