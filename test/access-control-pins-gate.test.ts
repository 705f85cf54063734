// Issue 12, the gate (src/manage/access/gate.ts) at its edges, through the policy operations: the bound on the
// requests one target stands for (exactly 4,096 asked, not one more), an attribute only others' policies read (asked as
// absent, so it does not count against the bound), and the bound on the witness walk (refused with the seed's 403,
// nothing written), and an organization admin that holds the binding action through another role as well. Each is a case a mutant of the gate's bounds or of its open-value path gets wrong.
import { describe, expect, it } from 'vitest';
import { bluexpOperations as bx, BLUEXP_CODES, BLUEXP_ROLES, bootstrapAccount, IBM_POLICY_CODES, IBM_ROLES, ibmPolicyOperations as pol } from '@portcullis/engine';
import type { Actor, Engine, RequestResource } from '@portcullis/engine';
import { engine, refusal, snapshot, SYSTEM, who } from './helpers/access.js';

type Op = (state: never, input: never, ctx: never) => { result: unknown };
type Cond = { name: string; operator: string; value: unknown };
const apply = (e: Engine, op: unknown, input: unknown, actor: Actor) => e.apply(op as Op, input as never, { actor }) as Promise<unknown>;
const attr = (name: string, value: unknown, operator = 'stringEquals'): Cond => ({ name, operator, value });
const ME = who('IBMid-me', 'acc');
const FORBIDDEN = { code: IBM_POLICY_CODES.forbidden.code, status: 403 };
const KMS = { [IBM_ROLES.administrator]: ['kms.keys.read', 'kms.keys.write'] };

/** IBM account `acc`: `me` writes policies and administers kms; `rows` are further kms policies of `me` or of `other`. */
async function world(rows: { id: string; subject?: string; conds: Cond[]; role?: string }[], extra: unknown[] = []): Promise<Engine> {
  const e = engine();
  await apply(e, bootstrapAccount, { system: 'ibm', accountId: 'acc', admin: { id: 'IBMid-admin' } }, SYSTEM);
  const policy = (id: string, subject: string, service: string, conds: Cond[], role: string = IBM_ROLES.administrator) => ({
    op: 'put' as const,
    entity: 'policy' as const,
    value: {
      id,
      accountId: 'acc',
      effect: 'allow',
      subject: { kind: 'principal', id: subject },
      roles: [role],
      resource: { attributes: [attr('accountId', 'acc'), attr('serviceName', service), ...conds] },
    } as never,
  });
  await e.commit([
    ...['IBMid-me', 'IBMid-friend', 'IBMid-other'].map((id) => ({ op: 'put' as const, entity: 'principal' as const, value: { id, accountId: 'acc', kind: 'user', status: 'active' } as never })),
    { op: 'put', entity: 'service', value: { name: 'kms', type: 'service', roles: KMS } as never },
    policy('p-me-iam', 'IBMid-me', 'iam-access-management', []),
    policy('p-me-kms', 'IBMid-me', 'kms', []),
    ...(extra as never[]),
    ...rows.map((r) => policy(r.id, r.subject ?? 'IBMid-me', 'kms', r.conds, r.role)),
  ]);
  return e;
}
/** A kms Administrator policy for `friend` with `conds` besides the account and the service. */
const give = (conds: Cond[]) => ({
  type: 'access',
  subjects: [{ attributes: [{ name: 'iam_id', value: 'IBMid-friend' }] }],
  roles: [{ role_id: IBM_ROLES.administrator }],
  resources: [{ attributes: [{ name: 'accountId', value: 'acc' }, { name: 'serviceName', value: 'kms' }, ...conds] }],
});
const friendMay = (e: Engine, attributes: Record<string, string>) =>
  e.authorize({ subject: { id: 'IBMid-friend', accountId: 'acc' }, action: 'kms.keys.write', resource: { attributes: { accountId: 'acc', serviceName: 'kms', ...attributes } } as RequestResource }).allowed;
/** A glob with `n` occurrences of `ch` between stars (an automaton of n + 1 states over `ch`). */
const counter = (ch: string, n: number) => `*${Array.from({ length: n }, () => ch).join('*')}*`;

describe('the bound on the requests one target stands for', () => {
  it('exactly 4,096 are asked: four attributes me reads, six literals each (8 values with absence and the rest)', async () => {
    const names = ['a1', 'a2', 'a3', 'a4'];
    const six = ['u', 'v', 'w', 'x', 'y', 'z'];
    const e = await world(names.map((n) => ({ id: `p-me-${n}`, conds: [attr(n, six, 'stringEqualsAnyOf')] })));
    await apply(e, pol.createPolicy, give([]), ME);
    expect(friendMay(e, { a1: 'q', a4: 'u' })).toBe(true);
  });

  it('an attribute only someone else’s policies read is asked as absent: thirteen of them are one request, not 8,192', async () => {
    const names = Array.from({ length: 13 }, (_, i) => `b${i}`);
    const e = await world(names.map((n) => ({ id: `p-other-${n}`, subject: 'IBMid-other', conds: [attr(n, 'x')] })));
    await apply(e, pol.createPolicy, give([]), ME);
    expect(friendMay(e, { b0: 'x', b12: 'y' })).toBe(true);
  });
});

describe('the bound on the witness walk', () => {
  it('values me’s globs tell apart in more than 20,000 automaton states are refused with the seed’s 403, nothing written', async () => {
    // counters of 16, 25 and 50 states make 20,000 combinations; the literal `a` one more (witnesses.test.ts)
    const globs = [counter('a', 15), counter('b', 24), counter('c', 49)];
    const e = await world([{ id: 'p-me-keys', conds: [attr('resource', globs, 'stringMatchAnyOf')] }, { id: 'p-me-a', conds: [attr('resource', 'a')] }]);
    const before = snapshot(e);
    expect(await refusal(apply(e, pol.createPolicy, give([]), ME))).toEqual(FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
  }, 120_000);
});

describe('what another principal holds, for the lock-out check', () => {
  it('an action pattern it holds counts: a kms administrator cannot take kms from one who holds `kms.*`', async () => {
    const custom = { op: 'put', entity: 'role', value: { id: 'kms-all', kind: 'custom', accountId: 'acc', actions: ['kms.*'], serviceName: 'kms' } };
    const e = await world(
      [
        { id: 'p-other', subject: 'IBMid-other', conds: [], role: 'kms-all' },
        { id: 'p-friend', subject: 'IBMid-friend', conds: [] },
      ],
      [custom],
    );
    const before = snapshot(e);
    // `other` holds every kms action, named or not; me may give only the two the kms Administrator role names
    expect(await refusal(apply(e, pol.deletePolicy, { policy_id: 'p-other' }, ME))).toEqual(FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    // friend holds what the kms Administrator role names, which me holds too: its policy may go
    await apply(e, pol.deletePolicy, { policy_id: 'p-friend' }, ME);
  });
});

describe('who is an organization admin', () => {
  it('an organization admin that also holds the binding action through another role is still one', async () => {
    const e = engine();
    await apply(e, bootstrapAccount, { system: 'bluexp', accountId: 'bx', admin: { id: 'bx-admin' } }, SYSTEM);
    const admin = who('bx-admin', 'bx');
    const everything = (e.source.roles.find((r) => r.id === BLUEXP_ROLES.organizationAdmin) as { actions: string[] }).actions;
    await e.commit([{ op: 'put', entity: 'role', value: { id: 'bx-everything', kind: 'bluexp', accountId: 'bx', name: 'Everything', actions: [...everything] } as never }]);
    await apply(e, bx.createServiceAccount, { account_id: 'bx', id: 'svc', name: 'svc' }, admin);
    await apply(e, bx.createUser, { account_id: 'bx', id: 'big', email: 'big@example.com', roleId: 'bx-everything' }, admin);
    const makeAdmin = { account_id: 'bx', subject: { kind: 'principal', id: 'svc' }, roleId: BLUEXP_ROLES.organizationAdmin };
    // holding the same actions through the other role alone does not make one
    const before = snapshot(e);
    expect(await refusal(apply(e, bx.createRoleBinding, makeAdmin, who('big', 'bx')))).toEqual({ code: BLUEXP_CODES.forbidden.code, status: 403 });
    expect(snapshot(e)).toEqual(before);
    // the admin now holds the binding action twice, once through its organization admin binding and once through a
    // user group's binding (an organization admin holds no other role of its own)
    const g = ((await apply(e, bx.createUserGroup, { account_id: 'bx', name: 'all', members: ['bx-admin'] }, admin)) as { id: string }).id;
    await apply(e, bx.createRoleBinding, { account_id: 'bx', subject: { kind: 'group', id: g }, roleId: 'bx-everything' }, admin);
    await apply(e, bx.createRoleBinding, makeAdmin, admin);
    expect(e.source.bindings.some((b) => b.subject.id === 'svc' && b.roleId === BLUEXP_ROLES.organizationAdmin)).toBe(true);
  });
});
