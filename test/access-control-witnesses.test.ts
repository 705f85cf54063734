// Issue 12, the review's witnesses (src/manage/access/witnesses.ts) and the gate that asks them: the values a glob or an
// open attribute is asked as, the bounds past which the gate refuses, and who it asks as signed in through SSO.
// Most cases are a value class that a witness set missing one kind of value would not try, so an operation that gives
// more than the actor holds there would pass.
import { describe, expect, it } from 'vitest';
import {
  bootstrapAccount,
  CLOUDFLARE_ROLES,
  cloudflareOperations as cf,
  IBM_GROUP_CODES,
  IBM_POLICY_CODES,
  IBM_ROLES,
  ibmAccessGroupOperations as ag,
  ibmPolicyOperations as pol,
} from '@portcullis/engine';
import type { Actor, Engine, RequestResource } from '@portcullis/engine';
import { engine, refusal, snapshot, SYSTEM, who } from './helpers/access.js';

type Op = (state: never, input: never, ctx: never) => { result: unknown };
type Cond = { name: string; operator: string; value: unknown };
const apply = (e: Engine, op: unknown, input: unknown, actor: Actor) => e.apply(op as Op, input as never, { actor }) as Promise<unknown>;
const attr = (name: string, value: unknown, operator = 'stringEquals'): Cond => ({ name, operator, value });
const ME = who('IBMid-me', 'acc');
const FORBIDDEN = { code: IBM_POLICY_CODES.forbidden.code, status: 403 };
const KMS = { [IBM_ROLES.administrator]: ['kms.keys.read', 'kms.keys.write'] };

/** IBM account `acc`: `me` writes policies; `rows` are its other policies (on kms unless they name a service). */
async function world(rows: { id: string; effect?: string; role?: string; conds: Cond[]; service?: string | null }[], extra: unknown[] = []): Promise<Engine> {
  const e = engine();
  await apply(e, bootstrapAccount, { system: 'ibm', accountId: 'acc', admin: { id: 'IBMid-admin' } }, SYSTEM);
  const policy = (id: string, effect: string, role: string, service: string | null, conds: Cond[]) => ({
    op: 'put' as const,
    entity: 'policy' as const,
    value: {
      id,
      accountId: 'acc',
      effect,
      subject: { kind: 'principal', id: 'IBMid-me' },
      roles: [role],
      resource: { attributes: [attr('accountId', 'acc'), ...(service === null ? [] : [attr('serviceName', service)]), ...conds] },
    } as never,
  });
  await e.commit([
    ...['IBMid-me', 'IBMid-friend'].map((id) => ({ op: 'put' as const, entity: 'principal' as const, value: { id, accountId: 'acc', kind: 'user', status: 'active' } as never })),
    { op: 'put', entity: 'service', value: { name: 'kms', type: 'service', roles: KMS } as never },
    ...(extra as never[]),
    policy('p-me-iam', 'allow', IBM_ROLES.administrator, 'iam-access-management', []),
    ...rows.map((r) => policy(r.id, r.effect ?? 'allow', r.role ?? IBM_ROLES.administrator, r.service === undefined ? 'kms' : r.service, r.conds)),
  ]);
  return e;
}
const give = (conds: Cond[], role: string = IBM_ROLES.administrator, service: string | null = 'kms') => ({
  type: 'access',
  subjects: [{ attributes: [{ name: 'iam_id', value: 'IBMid-friend' }] }],
  roles: [{ role_id: role }],
  resources: [{ attributes: [{ name: 'accountId', value: 'acc' }, ...(service === null ? [] : [{ name: 'serviceName', value: service }]), ...conds] }],
});
const friendMay = (e: Engine, action: string, attributes: Record<string, string>) =>
  e.authorize({ subject: { id: 'IBMid-friend', accountId: 'acc' }, action, resource: { attributes: { accountId: 'acc', ...attributes } } as RequestResource }).allowed;

describe('the witnesses of a glob or an open attribute', () => {
  it('a key named by the character that stands for every other is one key: holding it does not give every one-character key', async () => {
    const e = await world([{ id: 'p-me', conds: [attr('resource', '\ue000')] }]);
    const before = snapshot(e);
    expect(await refusal(apply(e, pol.createPolicy, give([attr('resource', '?', 'stringMatch')]), ME))).toEqual(FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    await apply(e, pol.createPolicy, give([attr('resource', '\ue000', 'stringMatch')]), ME);
    expect(friendMay(e, 'kms.keys.write', { serviceName: 'kms', resource: '\ue000' })).toBe(true);
  });

  it('`{{*}}` and `{{?}}` are the characters themselves: holding the key `a*` gives that key, not every key starting with `a`', async () => {
    const e = await world([{ id: 'p-me', conds: [attr('resource', ['a{{*}}', 'b{{?}}'], 'stringMatchAnyOf')] }]);
    for (const value of ['a*', 'b?', 'a{{?}}'])
      expect(await refusal(apply(e, pol.createPolicy, give([attr('resource', value, 'stringMatch')]), ME))).toEqual(FORBIDDEN);
    await apply(e, pol.createPolicy, give([attr('resource', 'a{{*}}', 'stringMatch')]), ME);
    await apply(e, pol.createPolicy, give([attr('resource', 'b{{?}}', 'stringMatch')]), ME);
    expect(friendMay(e, 'kms.keys.write', { serviceName: 'kms', resource: 'a*' })).toBe(true);
    expect(friendMay(e, 'kms.keys.write', { serviceName: 'kms', resource: 'ab' })).toBe(false);
  });

  it('a literal the glob admits is its own class: a deny on key `ab` is found under `a*` and `?b`, not under `b*`', async () => {
    const e = await world([
      { id: 'p-me', conds: [] },
      { id: 'p-deny', effect: 'deny', conds: [attr('resource', 'ab')] },
    ]);
    for (const value of ['a*', '?b', '*', '??'])
      expect(await refusal(apply(e, pol.createPolicy, give([attr('resource', value, 'stringMatch')]), ME))).toEqual(FORBIDDEN);
    await apply(e, pol.createPolicy, give([attr('resource', 'b*', 'stringMatch')]), ME);
    await apply(e, pol.createPolicy, give([attr('resource', ['abc', 'a'], 'stringEqualsAnyOf')]), ME);
  });

  it('the catalog’s service names tell services apart: a deny through a service role on `k*` services is found on `kms`', async () => {
    // `me` edits access groups and holds a custom role that reads keys on any service (loaded from a source: the
    // policy operations pair a custom role with its service), but is denied the kms Administrator role on every `k*`
    // service, which takes `kms.keys.read` on `kms` (the catalog maps it there) and on no other `k*` service. Group
    // `g` grants the custom role on the `k*` services: adding a member gives `kms.keys.read` on `kms`.
    const rows = [
      { op: 'put', entity: 'role', value: { id: 'keys-anywhere', kind: 'custom', accountId: 'acc', name: 'keys', actions: ['kms.keys.read'] } },
      { op: 'put', entity: 'group', value: { id: 'g', accountId: 'acc', name: 'g' } },
      { op: 'put', entity: 'group', value: { id: 'h', accountId: 'acc', name: 'h' } },
      {
        op: 'put',
        entity: 'policy',
        value: { id: 'p-g', accountId: 'acc', subject: { kind: 'group', id: 'g' }, roles: ['keys-anywhere'], resource: { attributes: [attr('accountId', 'acc'), attr('serviceName', 'k*', 'stringMatch')] } },
      },
      {
        op: 'put',
        entity: 'policy',
        value: { id: 'p-h', accountId: 'acc', subject: { kind: 'group', id: 'h' }, roles: ['keys-anywhere'], resource: { attributes: [attr('accountId', 'acc'), attr('serviceName', 'x*', 'stringMatch')] } },
      },
    ];
    const e = await world(
      [
        { id: 'p-me-groups', role: IBM_ROLES.editor, service: 'iam-groups', conds: [] },
        { id: 'p-me', role: 'keys-anywhere', service: null, conds: [] },
        { id: 'p-deny', effect: 'deny', service: null, conds: [attr('serviceName', 'k*', 'stringMatch')] },
      ],
      rows,
    );
    const join = (group: string) => apply(e, ag.addMembersToAccessGroup, { account_id: 'acc', access_group_id: group, members: [{ iam_id: 'IBMid-friend', type: 'user' }] }, ME);
    const before = snapshot(e);
    expect(await refusal(join('g'))).toEqual({ code: IBM_GROUP_CODES.forbidden.code, status: 403 });
    expect(snapshot(e)).toEqual(before);
    await join('h');
    expect(friendMay(e, 'kms.keys.read', { serviceName: 'xyz' })).toBe(true);
    expect(friendMay(e, 'kms.keys.read', { serviceName: 'kms' })).toBe(false);
  });

  it('the catalog’s service names tell services apart even when no policy of the actor names a service', async () => {
    // `me` holds, on every service, the custom role and the Editor platform role (which edits access groups through the
    // catalog), and is denied, on every service, a service role the catalog maps on kms alone
    const rows = [
      { op: 'put', entity: 'role', value: { id: 'keys-anywhere', kind: 'custom', accountId: 'acc', name: 'keys', actions: ['kms.keys.read'] } },
      { op: 'put', entity: 'role', value: { id: 'kms-reader', kind: 'service', name: 'kms reader' } },
      { op: 'put', entity: 'service', value: { name: 'kms', type: 'service', roles: { ...KMS, 'kms-reader': ['kms.keys.read'] } } },
      { op: 'put', entity: 'group', value: { id: 'g', accountId: 'acc', name: 'g' } },
      { op: 'put', entity: 'policy', value: { id: 'p-g', accountId: 'acc', subject: { kind: 'group', id: 'g' }, roles: ['keys-anywhere'], resource: { attributes: [attr('accountId', 'acc')] } } },
      { op: 'put', entity: 'group', value: { id: 'empty', accountId: 'acc', name: 'empty' } },
    ];
    const e = await world([], rows);
    await e.commit([
      { op: 'delete', entity: 'policy', key: 'p-me-iam' },
      ...[
        { id: 'p-me-editor', effect: 'allow', role: IBM_ROLES.editor },
        { id: 'p-me', effect: 'allow', role: 'keys-anywhere' },
        { id: 'p-deny', effect: 'deny', role: 'kms-reader' },
      ].map((p) => ({
        op: 'put' as const,
        entity: 'policy' as const,
        value: { id: p.id, accountId: 'acc', effect: p.effect, subject: { kind: 'principal', id: 'IBMid-me' }, roles: [p.role], resource: { attributes: [attr('accountId', 'acc')] } } as never,
      })),
    ]);
    const before = snapshot(e);
    const join = (group: string) => apply(e, ag.addMembersToAccessGroup, { account_id: 'acc', access_group_id: group, members: [{ iam_id: 'IBMid-friend', type: 'user' }] }, ME);
    expect(await refusal(join('g'))).toEqual({ code: IBM_GROUP_CODES.forbidden.code, status: 403 });
    expect(snapshot(e)).toEqual(before);
    // the guard lets `me` in: a group that gives nothing it joins
    await join('empty');
  });

  it('two runs of the same operation over the same state give the same answer', async () => {
    for (const conds of [[attr('resource', '*', 'stringMatch')], [attr('resource', 'k?', 'stringMatch')], []]) {
      const answers = [];
      for (let i = 0; i < 3; i++) {
        const e = await world([{ id: 'p-me', conds: [attr('resource', 'k*', 'stringMatch')] }, { id: 'p-deny', effect: 'deny', conds: [attr('resource', 'kz')] }]);
        answers.push(await apply(e, pol.createPolicy, give(conds), ME).then(() => 'accepted', (err: { status?: number }) => err.status));
      }
      expect(new Set(answers).size).toBe(1);
    }
  });
});

describe('the targets of a selector', () => {
  it('an attribute only a rule reads is open: a deny under a rule on `region` is found when a policy leaves the region open', async () => {
    const e = await world([{ id: 'p-me', conds: [] }]);
    await e.commit([
      {
        op: 'put',
        entity: 'policy',
        value: {
          id: 'p-deny-eu',
          accountId: 'acc',
          effect: 'deny',
          subject: { kind: 'principal', id: 'IBMid-me' },
          roles: [IBM_ROLES.administrator],
          resource: { attributes: [attr('accountId', 'acc'), attr('serviceName', 'kms')] },
          rule: { operator: 'and', conditions: [{ key: '{{resource.attributes.region}}', operator: 'stringEquals', value: 'eu-de' }] },
        } as never,
      },
    ]);
    const before = snapshot(e);
    expect(await refusal(apply(e, pol.createPolicy, give([]), ME))).toEqual(FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    await apply(e, pol.createPolicy, give([attr('region', 'us-south')]), ME);
    expect(friendMay(e, 'kms.keys.write', { serviceName: 'kms', region: 'us-south' })).toBe(true);
  });

  it('`…AnyOf` values expand to one target each up to 64 targets; past that the attribute is asked for any value', async () => {
    const ten = (p: string) => Array.from({ length: 10 }, (_, i) => `${p}${i}`);
    for (const op of ['stringEqualsAnyOf', 'stringMatchAnyOf']) {
      const e = await world([{ id: 'p-me', conds: [attr('resource', ten('k'), op), attr('region', ten('r'), op)] }]);
      // 8 × 8 = 64 targets: each asked, each held
      await apply(e, pol.createPolicy, give([attr('resource', ten('k').slice(0, 8), op), attr('region', ten('r').slice(0, 8), op)]), ME);
      // 10 × 10: the region is asked for any value, which `me` does not hold
      expect(await refusal(apply(e, pol.createPolicy, give([attr('resource', ten('k'), op), attr('region', ten('r'), op)]), ME))).toEqual(FORBIDDEN);
    }
  });

  it('a literal is asked as itself, a glob as its instances: holding the key `a*` gives `a*` by equality, not by match', async () => {
    const e = await world([{ id: 'p-me', conds: [attr('resource', 'a*')] }]);
    expect(await refusal(apply(e, pol.createPolicy, give([attr('resource', 'a*', 'stringMatch')]), ME))).toEqual(FORBIDDEN);
    await apply(e, pol.createPolicy, give([attr('resource', 'a*')]), ME);
    await apply(e, pol.createPolicy, give([attr('resource', ['a*'], 'stringEqualsAnyOf')]), ME);
    expect(friendMay(e, 'kms.keys.write', { serviceName: 'kms', resource: 'a*' })).toBe(true);
    expect(friendMay(e, 'kms.keys.write', { serviceName: 'kms', resource: 'ab' })).toBe(false);
  });

  it('a value that reads `false` is an existence test only under `stringExists`', async () => {
    const e = await world([{ id: 'p-me', conds: [attr('resource', 'false')] }]);
    await apply(e, pol.createPolicy, give([attr('resource', 'false', 'stringMatch')]), ME);
    await apply(e, pol.createPolicy, give([attr('resource', ['false'], 'stringMatchAnyOf')]), ME);
    expect(await refusal(apply(e, pol.createPolicy, give([attr('resource', false, 'stringExists')]), ME))).toEqual(FORBIDDEN);
  });

  it('a tag glob is not asked as the tag its text spells: holding tag `env:d*` by equality does not give the `env:d…` tags', async () => {
    const e = await world([]);
    await e.commit([
      {
        op: 'put',
        entity: 'policy',
        value: {
          id: 'p-me-tag',
          accountId: 'acc',
          subject: { kind: 'principal', id: 'IBMid-me' },
          roles: [IBM_ROLES.administrator],
          resource: { attributes: [attr('accountId', 'acc'), attr('serviceName', 'kms')], tags: [{ name: 'env', value: 'd*', operator: 'stringEquals' }] },
        } as never,
      },
    ]);
    const withTag = (operator: string) => ({ ...give([]), resources: [{ ...give([]).resources[0]!, tags: [{ name: 'env', value: 'd*', operator }] }] });
    expect(await refusal(apply(e, pol.createPolicy, withTag('stringMatch'), ME))).toEqual(FORBIDDEN);
    await apply(e, pol.createPolicy, withTag('stringEquals'), ME);
  });
});

describe('the gate fails closed', () => {
  it('a target that stands for more requests than the gate asks (4,096) is refused, never sampled', async () => {
    // six attributes `me`'s grants read, each with three literals: 5^6 combinations of absence, a fresh value and each literal
    const names = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'];
    const e = await world([{ id: 'p-me', conds: [] }, ...names.map((n) => ({ id: `p-me-${n}`, conds: [attr(n, ['x', 'y', 'z'], 'stringEqualsAnyOf')] }))]);
    const before = snapshot(e);
    expect(await refusal(apply(e, pol.createPolicy, give([]), ME))).toEqual(FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    // four of them pinned: 5^2 combinations, asked and held
    await apply(e, pol.createPolicy, give(names.slice(0, 4).map((n) => attr(n, 'x'))), ME);
  });

  it('a service whose Administrator role grants nothing makes nobody its policy administrator', async () => {
    const e = await world([], [{ op: 'put', entity: 'service', value: { name: 'svc-x', type: 'service', roles: { [IBM_ROLES.viewer]: ['svc-x.things.read'] } } }]);
    const before = snapshot(e);
    expect(await refusal(apply(e, pol.createPolicy, give([], IBM_ROLES.viewer, 'svc-x'), ME))).toEqual(FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
  });

  it('a guard’s refusal names the action the actor lacks', async () => {
    const e = await world([]);
    const err = await apply(e, pol.createPolicy, give([]), who('IBMid-friend', 'acc')).then(
      () => undefined,
      (x: unknown) => x as { status: number; details?: unknown },
    );
    expect(err?.status).toBe(403);
    expect(err?.details).toEqual({ action: expect.stringMatching(/^iam\.policy\./) });
  });
});

describe('the lock-out check asks a principal as signed in through SSO', () => {
  it('Cloudflare: an IAM editor cannot deny the Administrator of an SSO-gated domain what it holds', async () => {
    const A = 'cf-sso';
    const e = engine();
    await apply(e, bootstrapAccount, { system: 'cloudflare', accountId: A, admin: { id: 'u-admin', email: 'admin@corp.example' } }, SYSTEM);
    const created = (await apply(e, cf.createSsoConnector, { account_id: A, email_domain: 'corp.example' }, SYSTEM)) as { result: { id: string; verification: { code: string } } };
    const { id, verification } = created.result;
    await apply(e, cf.beginSsoConnectorVerification, { account_id: A, sso_connector_id: id }, SYSTEM);
    await apply(e, cf.completeSsoConnectorVerification, { account_id: A, sso_connector_id: id, dns_txt_records: [verification.code] }, SYSTEM);
    await apply(e, cf.updateSsoConnector, { account_id: A, sso_connector_id: id, enabled: true }, SYSTEM);
    const rgAll = e.source.resourceGroups.find((g) => g.accountId === A && g.name === 'account')!.id;
    await e.commit([
      { op: 'put', entity: 'principal', value: { id: 'u-iam', accountId: A, kind: 'user', email: 'iam@other.example', status: 'active' } as never },
      { op: 'put', entity: 'policy', value: { id: 'p-iam', accountId: A, subject: { kind: 'principal', id: 'u-iam' }, roles: [CLOUDFLARE_ROLES.iamEdit], resource: { attributes: [], resourceGroups: [rgAll] } } as never },
    ]);
    const iam = who('u-iam', A);
    const denyGroup = (await apply(e, cf.createUserGroup, { account_id: A, name: 'deny', policies: [{ access: 'deny', permission_groups: [{ id: CLOUDFLARE_ROLES.iamEdit }], resource_groups: [{ id: rgAll }] }] }, iam)) as {
      result: { id: string };
    };
    const before = snapshot(e);
    expect((await refusal(apply(e, cf.addUserGroupMembers, { account_id: A, user_group_id: denyGroup.result.id, members: [{ id: 'u-admin' }] }, iam))).status).toBe(403);
    expect(snapshot(e)).toEqual(before);
  });
});
