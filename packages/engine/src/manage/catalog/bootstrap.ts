// Bootstraps an account with one administrator, so it works at once: the account, the default catalog entries it
// needs (when missing), the admin principal, and the admin's policy or binding. An operation like any other, but
// with no guard: only the `system` actor runs it, named by the host on purpose.
import { SeedError } from '../../errors.js';
import type { Account, Binding, Policy, Principal, ResourceGroup, Role, Service } from '../../model/source.js';
import { entityKey, type Change } from '../../model/entities.js';
import { BLUEXP_MANAGEMENT_ROLES, BLUEXP_ROLES, CLOUDFLARE_MANAGEMENT_ROLES, CLOUDFLARE_ROLES, IBM_MANAGEMENT_SERVICES, IBM_PLATFORM_ROLES, IBM_ROLES } from './default-catalog.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';

/** The account to create and its one administrator. */
export interface BootstrapAccountInput {
  /** The seed system the account follows. */
  system: Account['system'];
  accountId: string;
  name?: string;
  admin: { id: string; email?: string; name?: string; kind?: 'user' | 'service' };
}

/** What a bootstrap created: the ids a host needs next. */
export interface BootstrapAccountResult {
  accountId: string;
  adminId: string;
  /** The admin's policies (IBM, Cloudflare) or bindings (BlueXP). */
  grants: string[];
}

function missing<T>(state: SourceState, entity: 'service' | 'role', rows: readonly T[]): Change[] {
  return rows.filter((r) => state.get(entity, entityKey(entity, r as never)) === undefined).map((r) => ({ op: 'put', entity, value: r }) as Change);
}

/** Throws 400 `invalid_request` naming the first key of `value` (an object) that is not in `known`; a key whose value is undefined says nothing. */
function refuseUnknown(value: unknown, known: readonly string[], prefix: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  const extra = Object.keys(value).filter((k) => !known.includes(k) && (value as Record<string, unknown>)[k] !== undefined);
  if (extra.length > 0) throw new SeedError('invalid_request', 400, `${prefix}${extra[0]}: unknown key${extra.length > 1 ? ` (and ${extra.length - 1} more)` : ''}`, { issues: extra.map((k) => ({ path: [...prefix.split('.').filter(Boolean), k], message: 'unknown key' })) });
}

// No guard, on purpose (not defineOperation): only the `system` actor creates an account and its first administrator;
// a subject is refused as for any operation no registry guards (access/run-guarded.ts, fail closed).
/** Creates an account with one administrator and the catalog entries it needs; 409 `account_exists` when the id is taken. */
export function bootstrapAccount(state: SourceState, input: BootstrapAccountInput, ctx: ManageContext): OpResult<BootstrapAccountResult> {
  const { system, accountId, admin } = input ?? ({} as BootstrapAccountInput);
  // INVARIANT: an input means exactly what it says: a key it does not know (a typo of `email`, a `role` the admin
  // would not get) is refused, not dropped
  refuseUnknown(input, ['system', 'accountId', 'name', 'admin'], '');
  refuseUnknown(admin, ['id', 'email', 'name', 'kind'], 'admin.');
  if (system !== 'ibm' && system !== 'cloudflare' && system !== 'bluexp')
    throw new SeedError('invalid_request', 400, `system: \`${String(system)}\` is not one of ibm, cloudflare, bluexp`);
  if (typeof accountId !== 'string' || accountId === '') throw new SeedError('invalid_request', 400, 'accountId: must be a non-empty string');
  if (admin === null || typeof admin !== 'object' || typeof admin.id !== 'string' || admin.id === '')
    throw new SeedError('invalid_request', 400, 'admin.id: must be a non-empty string');
  if (state.get('account', accountId)) throw new SeedError('account_exists', 409, `account \`${accountId}\` already exists`);
  const changes: Change[] = [];
  const account: Account = {
    id: accountId,
    system,
    publicAccess: true,
    options: { saasEnabled: true, thirdPartyServicesEnabled: true, notificationOptIn: false },
    ...(input.name !== undefined ? { name: input.name } : {}),
  };
  changes.push({ op: 'put', entity: 'account', value: account });
  const principal: Principal = {
    id: admin.id,
    accountId,
    kind: admin.kind ?? 'user',
    status: 'active',
    locked: false,
    projects: [],
    ...(admin.email !== undefined ? { email: admin.email } : {}),
    ...(admin.name !== undefined ? { name: admin.name } : {}),
  };
  changes.push({ op: 'put', entity: 'principal', value: principal });
  const grants: string[] = [];
  const stamp = { createdAt: ctx.now, createdById: 'system', lastModifiedAt: ctx.now, lastModifiedById: 'system' };
  if (system === 'ibm') {
    changes.push(...missing<Service>(state, 'service', IBM_MANAGEMENT_SERVICES), ...missing<Role>(state, 'role', IBM_PLATFORM_ROLES));
    // Administrator on all account management services and on all IAM-enabled services, as IBM's console grants it
    for (const serviceType of ['platform_service', 'service']) {
      const policy: Policy = {
        id: ctx.newId('policy-'),
        accountId,
        type: 'access',
        effect: 'allow',
        subject: { kind: 'principal', id: admin.id },
        roles: [IBM_ROLES.administrator],
        resource: {
          attributes: [
            { name: 'accountId', operator: 'stringEquals', value: accountId },
            { name: 'serviceType', operator: 'stringEquals', value: serviceType },
          ],
          tags: [],
        },
        description: 'account administrator (bootstrap)',
        state: 'active',
        ...stamp,
      };
      changes.push({ op: 'put', entity: 'policy', value: policy });
      grants.push(policy.id);
    }
  } else if (system === 'cloudflare') {
    changes.push(...missing<Role>(state, 'role', CLOUDFLARE_MANAGEMENT_ROLES));
    // a permission group has one scope type: Administrator on the account, its zone twin on all zones
    const adminGrants: [string, string, ResourceGroup['scope'][number]][] = [
      ['account', CLOUDFLARE_ROLES.administrator, { key: `com.cloudflare.api.account.${accountId}`, objects: [{ key: '*' }] }],
      ['all zones', CLOUDFLARE_ROLES.administratorZones, { key: `com.cloudflare.api.account.${accountId}`, objects: [{ key: 'com.cloudflare.api.account.zone.*' }] }],
    ];
    for (const [name, roleId, scope] of adminGrants) {
      const rg: ResourceGroup = { id: ctx.newId('rg-'), accountId, name, scope: [scope] };
      changes.push({ op: 'put', entity: 'resourceGroup', value: rg });
      const policy: Policy = {
        id: ctx.newId('policy-'),
        accountId,
        type: 'access',
        effect: 'allow',
        subject: { kind: 'principal', id: admin.id },
        roles: [roleId],
        resource: { attributes: [], tags: [], resourceGroups: [rg.id] },
        state: 'active',
        ...stamp,
      };
      changes.push({ op: 'put', entity: 'policy', value: policy });
      grants.push(policy.id);
    }
  } else {
    changes.push(...missing<Role>(state, 'role', BLUEXP_MANAGEMENT_ROLES));
    const b: Binding = { id: ctx.newId('binding-'), accountId, subject: { kind: 'principal', id: admin.id }, roleId: BLUEXP_ROLES.organizationAdmin, nodeId: accountId };
    changes.push({ op: 'put', entity: 'binding', value: b });
    grants.push(b.id);
  }
  return done(state, { accountId, adminId: admin.id, grants }, changes);
}
