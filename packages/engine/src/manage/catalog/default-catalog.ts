// The default catalog: the seeds' management services and roles, so access to access management is decided by the
// engine like any other access. IBM: `iam-groups` and `iam-access-management` with Viewer/Operator/Editor/
// Administrator; Cloudflare: Administrator (account and zones), Administrator Read Only and the IAM permission groups; BlueXP: the
// organization admin and the folder-or-project admin.
import type { Role, Service } from '../../model/source.js';
import { BLUEXP_ACTIONS } from '../bluexp/guards.js';
import { CLOUDFLARE_ACTIONS } from '../cloudflare/guards.js';
import { IBM_ACTIONS } from '../ibm/guards.js';

/** The IBM platform role ids (seed 004 spells them as CRNs). */
export const IBM_ROLES = {
  viewer: 'crn:v1:bluemix:public:iam::::role:Viewer',
  operator: 'crn:v1:bluemix:public:iam::::role:Operator',
  editor: 'crn:v1:bluemix:public:iam::::role:Editor',
  administrator: 'crn:v1:bluemix:public:iam::::role:Administrator',
} as const;

/** The Cloudflare permission group ids of the catalog. */
export const CLOUDFLARE_ROLES = {
  administrator: 'cloudflare-administrator',
  /** The Administrator's access to zones: a permission group has one scope type, so zones get their own. */
  administratorZones: 'cloudflare-administrator-zones',
  administratorReadOnly: 'cloudflare-administrator-read-only',
  iamRead: 'cloudflare-iam-read',
  iamEdit: 'cloudflare-iam-edit',
} as const;

/** The BlueXP role ids of the catalog. */
export const BLUEXP_ROLES = {
  organizationAdmin: 'bluexp-organization-admin',
  folderOrProjectAdmin: 'bluexp-folder-or-project-admin',
} as const;

const A = IBM_ACTIONS;
const groupsRead = [A.groupsRead, A.membersRead, A.rulesRead];
const groupsWrite = [A.groupsCreate, A.groupsUpdate, A.groupsDelete, A.membersAdd, A.membersRemove, A.rulesCreate, A.rulesUpdate, A.rulesDelete];

// What `format=display` shows for each action (seed 004 names `iam.policy.read` "IAM Policy Read", "The ability to see
// policies." and `iam.policy.create` "IAM Policy Create", "The ability to create policies."; the others follow suit).
const describe = (displayName: string, description: string) => ({ displayName, description });
const GROUP_ACTIONS = {
  [A.groupsRead]: describe('IAM Access Groups Read', 'The ability to see access groups.'),
  [A.groupsCreate]: describe('IAM Access Groups Create', 'The ability to create access groups.'),
  [A.groupsUpdate]: describe('IAM Access Groups Update', 'The ability to change access groups.'),
  [A.groupsDelete]: describe('IAM Access Groups Delete', 'The ability to delete access groups.'),
  [A.membersRead]: describe('IAM Access Groups Members Read', 'The ability to see the members of access groups.'),
  [A.membersAdd]: describe('IAM Access Groups Members Add', 'The ability to add members to access groups.'),
  [A.membersRemove]: describe('IAM Access Groups Members Remove', 'The ability to remove members from access groups.'),
  [A.rulesRead]: describe('IAM Access Groups Rules Read', 'The ability to see the dynamic rules of access groups.'),
  [A.rulesCreate]: describe('IAM Access Groups Rules Create', 'The ability to add dynamic rules to access groups.'),
  [A.rulesUpdate]: describe('IAM Access Groups Rules Update', 'The ability to change the dynamic rules of access groups.'),
  [A.rulesDelete]: describe('IAM Access Groups Rules Delete', 'The ability to delete the dynamic rules of access groups.'),
};
const POLICY_ACTIONS = {
  [A.policyRead]: describe('IAM Policy Read', 'The ability to see policies.'),
  [A.policyCreate]: describe('IAM Policy Create', 'The ability to create policies.'),
  [A.policyUpdate]: describe('IAM Policy Update', 'The ability to update policies.'),
  [A.policyDelete]: describe('IAM Policy Delete', 'The ability to delete policies.'),
};

/** The IBM account management services: Viewer reads, Operator reads, Editor and Administrator change. */
export const IBM_MANAGEMENT_SERVICES: Service[] = [
  {
    name: 'iam-groups',
    type: 'platform_service',
    displayName: 'IAM Access Groups',
    groups: ['IAM'],
    roles: {
      [IBM_ROLES.viewer]: groupsRead,
      [IBM_ROLES.operator]: groupsRead,
      [IBM_ROLES.editor]: [...groupsRead, ...groupsWrite],
      [IBM_ROLES.administrator]: [...groupsRead, ...groupsWrite],
    },
    actions: GROUP_ACTIONS,
  },
  {
    name: 'iam-access-management',
    type: 'platform_service',
    displayName: 'IAM Access Management',
    groups: ['IAM'],
    roles: {
      [IBM_ROLES.viewer]: [A.policyRead],
      [IBM_ROLES.operator]: [A.policyRead],
      [IBM_ROLES.editor]: [A.policyRead],
      // only an Administrator assigns access (seed 004: the Administrator role lists `iam.policy.create`)
      [IBM_ROLES.administrator]: [A.policyRead, A.policyCreate, A.policyUpdate, A.policyDelete],
    },
    actions: POLICY_ACTIONS,
  },
];

/** The IBM platform roles; what they grant comes from each service's catalog entry. */
export const IBM_PLATFORM_ROLES: Role[] = [
  { id: IBM_ROLES.viewer, kind: 'platform', name: 'Viewer', actions: [] },
  { id: IBM_ROLES.operator, kind: 'platform', name: 'Operator', actions: [] },
  { id: IBM_ROLES.editor, kind: 'platform', name: 'Editor', actions: [] },
  { id: IBM_ROLES.administrator, kind: 'platform', name: 'Administrator', actions: [] },
];

/** The Cloudflare resource types the Administrator holds every action of; extend it for custom permission groups. */
export const CLOUDFLARE_ADMIN_TYPES = [
  'account', 'zone', 'dns', 'iam', 'member', 'billing', 'workers', 'ssl', 'firewall', 'cache', 'analytics', 'logs', 'access', 'sso', 'user',
] as const;

/** The Cloudflare resource types a zone-scoped Administrator holds every action of. */
export const CLOUDFLARE_ZONE_ADMIN_TYPES = ['zone', 'dns', 'ssl', 'firewall', 'cache', 'analytics', 'logs', 'workers'] as const;

/**
 * The Cloudflare permission groups of the catalog. A permission group has one scope type (SEMANTICS §3.3): the
 * management ones are account-scoped; the Administrator's zones are a zone-scoped group of their own.
 */
export const CLOUDFLARE_MANAGEMENT_ROLES: Role[] = [
  { id: CLOUDFLARE_ROLES.administrator, kind: 'permission-group', scopeType: 'account', name: 'Administrator', actions: CLOUDFLARE_ADMIN_TYPES.map((t) => `${t}:*`) },
  {
    id: CLOUDFLARE_ROLES.administratorZones,
    kind: 'permission-group',
    scopeType: 'zone',
    name: 'Administrator (zones)',
    actions: CLOUDFLARE_ZONE_ADMIN_TYPES.map((t) => `${t}:*`),
  },
  {
    id: CLOUDFLARE_ROLES.administratorReadOnly,
    kind: 'permission-group',
    scopeType: 'account',
    name: 'Administrator Read Only',
    actions: CLOUDFLARE_ADMIN_TYPES.map((t) => `${t}:read`),
  },
  { id: CLOUDFLARE_ROLES.iamRead, kind: 'permission-group', scopeType: 'account', name: 'IAM Read', actions: [CLOUDFLARE_ACTIONS.iamRead, CLOUDFLARE_ACTIONS.memberRead] },
  {
    id: CLOUDFLARE_ROLES.iamEdit,
    kind: 'permission-group',
    scopeType: 'account',
    name: 'IAM Edit',
    actions: [CLOUDFLARE_ACTIONS.iamRead, CLOUDFLARE_ACTIONS.iamEdit, CLOUDFLARE_ACTIONS.memberRead, CLOUDFLARE_ACTIONS.memberEdit],
  },
];

const B = BLUEXP_ACTIONS;

/** The BlueXP administrator roles: the organization admin holds everything; a folder-or-project admin the nodes below it. */
export const BLUEXP_MANAGEMENT_ROLES: Role[] = [
  {
    id: BLUEXP_ROLES.organizationAdmin,
    kind: 'bluexp',
    name: 'Organization admin',
    admin: 'organization',
    actions: ['hierarchy:*', 'workspace:*', 'resource:*', 'user:*', 'serviceaccount:*', 'agent:*', 'usergroup:*', 'rolebinding:*', 'accounts:*'],
  },
  {
    id: BLUEXP_ROLES.folderOrProjectAdmin,
    kind: 'bluexp',
    name: 'Folder or project admin',
    admin: 'folder-or-project',
    actions: ['hierarchy:*', 'workspace:*', 'resource:*', 'rolebinding:*', B.userRead, B.userGroupRead],
  },
];

/** Every service of the default catalog. */
export const DEFAULT_SERVICES: readonly Service[] = IBM_MANAGEMENT_SERVICES;

/** Every role of the default catalog. */
export const DEFAULT_ROLES: readonly Role[] = [...IBM_PLATFORM_ROLES, ...CLOUDFLARE_MANAGEMENT_ROLES, ...BLUEXP_MANAGEMENT_ROLES];
