// The IBM world both red-team suites attack: an account where `IBMid-me` may write policies and holds the kms
// Administrator role on the keys its grant selects, and the few request and policy builders they share.
import { bootstrapAccount, IBM_POLICY_CODES, IBM_ROLES } from '@portcullis/engine';
import type { Actor, Change, Engine, EngineOptions, RequestResource } from '@portcullis/engine';
import { engine, SYSTEM } from './access.js';

export type Op = (state: never, input: never, ctx: never) => { result: unknown };
export const apply = (e: Engine, op: unknown, input: unknown, actor: Actor) => e.apply(op as Op, input as never, { actor }) as Promise<unknown>;
export const may = (e: Engine, id: string, accountId: string, action: string, resource: RequestResource) => e.authorize({ subject: { id, accountId }, action, resource }).allowed;
export const attr = (name: string, value: unknown, operator = 'stringEquals') => ({ name, operator, value });

/** IBM account `acc`: `IBMid-me` may write policies and holds the kms Administrator role on the keys `grant` selects. */
export async function ibmWorld(grant: { name: string; operator: string; value: unknown }[], options: Pick<EngineOptions, 'onReview'> = {}) {
  const e = engine(options);
  await apply(e, bootstrapAccount, { system: 'ibm', accountId: 'acc', admin: { id: 'IBMid-admin' } }, SYSTEM);
  const policy = (id: string, service: string, extra: typeof grant) => ({
    op: 'put' as const,
    entity: 'policy' as const,
    value: { id, accountId: 'acc', subject: { kind: 'principal', id: 'IBMid-me' }, roles: [IBM_ROLES.administrator], resource: { attributes: [attr('accountId', 'acc'), attr('serviceName', service), ...extra] } },
  });
  await e.commit([
    ...['IBMid-me', 'IBMid-friend'].map((id) => ({ op: 'put' as const, entity: 'principal' as const, value: { id, accountId: 'acc', kind: 'user', status: 'active' } })),
    { op: 'put', entity: 'service', value: { name: 'kms', type: 'service', roles: { [IBM_ROLES.administrator]: ['kms.keys.read', 'kms.keys.write'] } } },
    policy('p-me-kms', 'kms', grant),
    policy('p-me-iam', 'iam-access-management', []),
  ]);
  return e;
}
export const kmsFor = (id: string, attrs: { name: string; operator?: string; value: unknown }[]) => ({
  type: 'access',
  subjects: [{ attributes: [{ name: 'iam_id', value: id }] }],
  roles: [{ role_id: IBM_ROLES.administrator }],
  resources: [{ attributes: [{ name: 'accountId', value: 'acc' }, { name: 'serviceName', value: 'kms' }, ...attrs] }],
});
export const key = (resource: string): RequestResource => ({ attributes: { accountId: 'acc', serviceName: 'kms', resource } });
export const IBM_FORBIDDEN = { code: IBM_POLICY_CODES.forbidden.code, status: 403 };

const ENTITY_FIELDS = [
  ['account', 'accounts'],
  ['principal', 'principals'],
  ['service', 'services'],
  ['role', 'roles'],
  ['group', 'groups'],
  ['resourceGroup', 'resourceGroups'],
  ['node', 'nodes'],
  ['policy', 'policies'],
  ['binding', 'bindings'],
  ['resource', 'resources'],
  ['membership', 'memberships'],
  ['ssoConnector', 'ssoConnectors'],
] as const;

/** Every row of the IBM world (helpers/ibm-world.ts) as put changes, to seed a store with. */
export async function ibmWorldChanges(): Promise<Change[]> {
  const source = (await ibmWorld([])).source as unknown as Record<string, unknown[]>;
  return ENTITY_FIELDS.flatMap(([entity, field]) => (source[field] ?? []).map((value) => ({ op: 'put', entity, value }) as Change));
}
