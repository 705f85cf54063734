// No self-escalation (#8): whatever a non-admin does through the management operations, it never ends up with
// more access than an admin granted it: IBM (groups, claim rules, policies for itself or a group, deleting and
// restoring policies), Cloudflare (user groups with policies, replacing a group's policies, joining a group) and
// BlueXP (role bindings at any node, user groups). The same properties run with the escalation review left out of
// the guard registry, and fast-check must then find a counterexample: the properties are strong enough to fail.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  authorize,
  bluexpOperations as bx,
  BLUEXP_ROLES,
  bootstrapAccount,
  cloudflareOperations as cf,
  CLOUDFLARE_ROLES,
  compile,
  createEngine,
  createGuardRegistry,
  defaultGuards,
  IBM_ROLES,
  ibmAccessGroupOperations as ag,
  parseSource,
  ibmPolicyOperations as pol,
  SeedError,
} from '@portcullis/engine';
import { runGuarded, SourceState } from '@portcullis/engine/internals';
import type { Actor, AuthorizeRequest, Engine, RequestResource, Source } from '@portcullis/engine';
import { arbRequest } from '@portcullis/engine/testing';

type Op = (state: never, input: never, ctx: never) => { result: unknown };
const NOW = Date.parse('2026-01-02T03:04:05Z');
const SYSTEM: Actor = { kind: 'system' };
const hex = (n: number) => n.toString(16).padStart(32, '0');

/** What the steps run against: the Engine, or the same guards run without the escalation review. */
interface Runner {
  apply(op: unknown, input: unknown, actor: Actor): Promise<unknown>;
  allowed(request: AuthorizeRequest): boolean;
  source(): Source;
}

function engineRunner(e: Engine): Runner {
  return {
    apply: (op, input, actor) => e.apply(op as Op, input as never, { actor }),
    allowed: (request) => e.authorize(request).allowed,
    source: () => e.source,
  };
}

/** The default guards, every check in place, but without the no-escalation review; over a copy of `e`'s source. */
function unreviewedRunner(e: Engine): Runner {
  const registry = createGuardRegistry({ from: defaultGuards, escalationReview: false });
  let state = SourceState.from(e.source);
  let tables = compile(state.toSource());
  let n = 1 << 20;
  return {
    async apply(op, input, actor) {
      const ctx = { actor, now: new Date(NOW).toISOString(), newId: (prefix: string) => `${prefix}${hex(++n)}` };
      const r = runGuarded(registry, op as never, state, tables, input as never, ctx);
      if (r.changes.length > 0) {
        state = r.state;
        tables = compile(state.toSource());
      }
      return r.result;
    },
    allowed: (request) => authorize(tables, request, { now: NOW }).allowed,
    source: () => state.toSource(),
  };
}

function engine(): Engine {
  let n = 0;
  return createEngine({ clock: () => NOW, newId: (prefix) => `${prefix}${hex(++n)}` });
}

/** One system's world: how to build it, what the non-admin may do, which accesses to watch, and the steps. */
interface Scenario<S> {
  world(): Promise<{ e: Engine; ids: string[] }>;
  me: Actor & { kind: 'subject' };
  probes: { action: string; resource: RequestResource }[];
  step: fc.Arbitrary<S>;
  run(r: Runner, s: S, ids: string[]): Promise<unknown>;
}

function access<S>(sc: Scenario<S>, r: Runner): string[] {
  const subject = { id: sc.me.id, accountId: sc.me.accountId };
  return sc.probes.filter((p) => r.allowed({ subject, action: p.action, resource: p.resource })).map((p) => `${p.action} ${JSON.stringify(p.resource)}`);
}

/** The property: after every step, the non-admin holds nothing it did not hold at the start. */
function noSelfEscalation<S>(sc: Scenario<S>, runner: (e: Engine) => Runner) {
  return fc.asyncProperty(fc.array(sc.step, { minLength: 1, maxLength: 10 }), async (steps) => {
    const { e, ids } = await sc.world();
    const r = runner(e);
    const granted = new Set(access(sc, r));
    for (const s of steps) {
      try {
        await sc.run(r, s, ids);
      } catch (err) {
        if (!(err instanceof SeedError)) throw err;
      }
      for (const a of access(sc, r)) if (!granted.has(a)) throw new Error(`gained \`${a}\``);
    }
  });
}

/**
 * Issue #3's property: after any sequence of operations the Engine, which updates its tables change by change,
 * decides exactly like a fresh compile of the source it ends with (checked on the probes and on generated requests).
 */
function incrementalEqualsFresh<S>(sc: Scenario<S>) {
  return fc.asyncProperty(fc.array(sc.step, { minLength: 1, maxLength: 10 }), fc.nat(), async (steps, seed) => {
    const { e, ids } = await sc.world();
    const r = engineRunner(e);
    for (const s of steps) {
      try {
        await sc.run(r, s, ids);
      } catch (err) {
        if (!(err instanceof SeedError)) throw err;
      }
    }
    const fresh = compile(parseSource(e.source));
    const subjects = [{ id: sc.me.id, accountId: sc.me.accountId }, {}, ...e.source.principals.slice(0, 4).map((p) => ({ id: p.id }))];
    const requests: AuthorizeRequest[] = [
      ...sc.probes.flatMap((p) => subjects.map((subject) => ({ subject, action: p.action, resource: p.resource }))),
      ...fc.sample(arbRequest(e.source), { numRuns: 20, seed }),
    ];
    for (const q of requests) {
      const core = (d: { allowed: boolean; reason: string; policies: string[] }) => `${d.allowed} ${d.reason} ${d.policies.join(',')}`;
      expect(core(authorize(e.tables, q, { now: NOW }))).toBe(core(authorize(fresh, q, { now: NOW })));
    }
  });
}

// IBM: Editor of access groups, Administrator of policies and Viewer of kms; a group of kms administrators exists.
const IBM_ME = { kind: 'subject', id: 'IBMid-me', accountId: 'acc' } as const;
const ibmBody = (subject: { name: string; value: string }, role: string, service: string) => ({
  type: 'access' as const,
  subjects: [{ attributes: [subject] }],
  roles: [{ role_id: role }],
  resources: [{ attributes: [{ name: 'accountId', value: 'acc' }, { name: 'serviceName', value: service }] }],
});
const IBM_ROLE_LIST = [IBM_ROLES.viewer, IBM_ROLES.operator, IBM_ROLES.editor, IBM_ROLES.administrator];
type IbmStep =
  | { kind: 'createGroup' }
  | { kind: 'joinGroup'; group: number; who: string }
  | { kind: 'addRule'; group: number }
  | { kind: 'grant'; role: string; service: string; toGroup: boolean; group: number }
  | { kind: 'replaceRoles'; index: number; role: string }
  | { kind: 'dropPolicy'; index: number; restore: boolean };
const ibm: Scenario<IbmStep> = {
  me: IBM_ME,
  async world() {
    const e = engine();
    const admin: Actor = { kind: 'subject', id: 'IBMid-admin', accountId: 'acc' };
    await e.apply(bootstrapAccount as Op, { system: 'ibm', accountId: 'acc', admin: { id: 'IBMid-admin' } } as never, { actor: SYSTEM });
    await e.commit([
      { op: 'put', entity: 'principal', value: { id: 'IBMid-me', accountId: 'acc', kind: 'user' } },
      { op: 'put', entity: 'principal', value: { id: 'IBMid-peer', accountId: 'acc', kind: 'user' } },
      { op: 'put', entity: 'service', value: { name: 'kms', type: 'service', roles: { [IBM_ROLES.viewer]: ['kms.keys.read'], [IBM_ROLES.administrator]: ['kms.keys.read', 'kms.keys.write'] } } },
    ]);
    const me = { name: 'iam_id', value: 'IBMid-me' };
    await e.apply(pol.createPolicy as Op, ibmBody(me, IBM_ROLES.editor, 'iam-groups') as never, { actor: admin });
    await e.apply(pol.createPolicy as Op, ibmBody(me, IBM_ROLES.administrator, 'iam-access-management') as never, { actor: admin });
    await e.apply(pol.createPolicy as Op, ibmBody(me, IBM_ROLES.viewer, 'kms') as never, { actor: admin });
    const g = (await e.apply(ag.createAccessGroup as Op, { account_id: 'acc', name: 'kms admins' } as never, { actor: admin })) as { id: string };
    await e.apply(pol.createPolicy as Op, ibmBody({ name: 'access_group_id', value: g.id }, IBM_ROLES.administrator, 'kms') as never, { actor: admin });
    return { e, ids: [g.id] };
  },
  probes: [
    ...['kms.keys.read', 'kms.keys.write'].map((action) => ({ action, serviceName: 'kms' })),
    ...['iam-groups.groups.create', 'iam-groups.groups.read', 'iam-groups.members.add'].map((action) => ({ action, serviceName: 'iam-groups' })),
    ...['iam.policy.read', 'iam.policy.create', 'iam.policy.delete'].map((action) => ({ action, serviceName: 'iam-access-management' })),
  ].map((p) => ({ action: p.action, resource: { attributes: { accountId: 'acc', serviceName: p.serviceName } } })),
  step: fc.oneof(
    fc.record({ kind: fc.constant('createGroup' as const) }),
    fc.record({ kind: fc.constant('joinGroup' as const), group: fc.nat(5), who: fc.constantFrom('IBMid-me', 'IBMid-peer') }),
    fc.record({ kind: fc.constant('addRule' as const), group: fc.nat(5) }),
    fc.record({ kind: fc.constant('grant' as const), role: fc.constantFrom(...IBM_ROLE_LIST), service: fc.constantFrom('iam-groups', 'iam-access-management', 'kms'), toGroup: fc.boolean(), group: fc.nat(5) }),
    fc.record({ kind: fc.constant('replaceRoles' as const), index: fc.nat(20), role: fc.constantFrom(...IBM_ROLE_LIST) }),
    fc.record({ kind: fc.constant('dropPolicy' as const), index: fc.nat(20), restore: fc.boolean() }),
  ),
  async run(r, s, groups) {
    const pick = (i: number) => groups[i % groups.length]!;
    const policies = () => r.source().policies.filter((p) => p.accountId === 'acc');
    if (s.kind === 'createGroup') groups.push(((await r.apply(ag.createAccessGroup, { account_id: 'acc', name: `g${groups.length}` }, IBM_ME)) as { id: string }).id);
    else if (s.kind === 'joinGroup') await r.apply(ag.addMembersToAccessGroup, { account_id: 'acc', access_group_id: pick(s.group), members: [{ iam_id: s.who, type: 'user' }] }, IBM_ME);
    else if (s.kind === 'addRule')
      await r.apply(ag.addAccessGroupRule, { account_id: 'acc', access_group_id: pick(s.group), name: 'r', expiration: 12, realm_name: 'idp', conditions: [{ claim: 'x', operator: 'EQUALS', value: '"y"' }] }, IBM_ME);
    else if (s.kind === 'grant') {
      const subject = s.toGroup ? { name: 'access_group_id', value: pick(s.group) } : { name: 'iam_id', value: 'IBMid-me' };
      await r.apply(pol.createPolicy, ibmBody(subject, s.role, s.service), IBM_ME);
    } else if (s.kind === 'replaceRoles') {
      const p = policies()[s.index % policies().length]!;
      await r.apply(pol.patchPolicy, { policy_id: p.id, if_match: '*', roles: [{ role_id: s.role }] }, IBM_ME);
    } else {
      const p = policies()[s.index % policies().length]!;
      await r.apply(pol.patchPolicy, { policy_id: p.id, if_match: '*', state: s.restore ? 'active' : 'deleted' }, IBM_ME);
    }
  },
};

// Cloudflare: IAM Edit on the account; a user group of Administrators exists.
const CF = 'cf';
const CF_ME = { kind: 'subject', id: 'cf-me', accountId: CF } as const;
const CF_ROLE_LIST = [CLOUDFLARE_ROLES.administrator, CLOUDFLARE_ROLES.administratorReadOnly, CLOUDFLARE_ROLES.iamRead, CLOUDFLARE_ROLES.iamEdit];
type CfStep =
  | { kind: 'createGroup'; role: string; access: 'allow' | 'deny'; join: boolean }
  | { kind: 'joinGroup'; group: number; replace: boolean }
  | { kind: 'replacePolicies'; group: number; role: string };
const cfPolicy = (rg: string, role: string, access: 'allow' | 'deny' = 'allow') => ({ access, permission_groups: [{ id: role }], resource_groups: [{ id: rg }] });
const cloudflare: Scenario<CfStep> = {
  me: CF_ME,
  async world() {
    const e = engine();
    const admin: Actor = { kind: 'subject', id: 'cf-admin', accountId: CF };
    await e.apply(bootstrapAccount as Op, { system: 'cloudflare', accountId: CF, admin: { id: 'cf-admin' } } as never, { actor: SYSTEM });
    const rg = e.source.resourceGroups.find((g) => g.accountId === CF && g.name === 'account')!.id;
    await e.commit([
      { op: 'put', entity: 'principal', value: { id: 'cf-me', accountId: CF, kind: 'user', status: 'active' } },
      { op: 'put', entity: 'policy', value: { id: 'p-me', accountId: CF, subject: { kind: 'principal', id: 'cf-me' }, roles: [CLOUDFLARE_ROLES.iamEdit], resource: { attributes: [], resourceGroups: [rg] } } },
    ]);
    const g = (await e.apply(cf.createUserGroup as Op, { account_id: CF, name: 'admins', policies: [cfPolicy(rg, CLOUDFLARE_ROLES.administrator)] } as never, { actor: admin })) as { result: { id: string } };
    return { e, ids: [rg, g.result.id] };
  },
  probes: ['iam:read', 'iam:edit', 'member:edit', 'sso:edit', 'dns:edit', 'account:read'].map((action) => ({ action, resource: { attributes: { accountId: CF } } })),
  step: fc.oneof(
    fc.record({ kind: fc.constant('createGroup' as const), role: fc.constantFrom(...CF_ROLE_LIST), access: fc.constantFrom('allow' as const, 'deny' as const), join: fc.boolean() }),
    fc.record({ kind: fc.constant('joinGroup' as const), group: fc.nat(5), replace: fc.boolean() }),
    fc.record({ kind: fc.constant('replacePolicies' as const), group: fc.nat(5), role: fc.constantFrom(...CF_ROLE_LIST) }),
  ),
  async run(r, s, ids) {
    const [rg, ...groups] = ids as [string, ...string[]];
    const pick = (i: number) => groups[i % groups.length]!;
    if (s.kind === 'createGroup') {
      const g = (await r.apply(cf.createUserGroup, { account_id: CF, name: `g${ids.length}`, policies: [cfPolicy(rg, s.role, s.access)] }, CF_ME)) as { result: { id: string } };
      ids.push(g.result.id);
      if (s.join) await r.apply(cf.addUserGroupMembers, { account_id: CF, user_group_id: g.result.id, members: [{ id: 'cf-me' }] }, CF_ME);
    } else if (s.kind === 'joinGroup')
      await r.apply(s.replace ? cf.updateUserGroupMembers : cf.addUserGroupMembers, { account_id: CF, user_group_id: pick(s.group), members: [{ id: 'cf-me' }] }, CF_ME);
    else await r.apply(cf.updateUserGroup, { account_id: CF, user_group_id: pick(s.group), policies: [cfPolicy(rg, s.role)] }, CF_ME);
  },
};

// BlueXP: a folder admin of F1 (with project P1); folder F2 beside it; a role of agent permissions exists.
const BX = 'bx';
const BX_ME = { kind: 'subject', id: 'me', accountId: BX } as const;
type BxStep =
  | { kind: 'bind'; who: string; role: string; node: number }
  | { kind: 'createGroup'; role: string; node: number }
  | { kind: 'joinGroup'; group: number }
  | { kind: 'unbind'; index: number };
const bluexp: Scenario<BxStep> = {
  me: BX_ME,
  async world() {
    const e = engine();
    const admin: Actor = { kind: 'subject', id: 'bx-admin', accountId: BX };
    await e.apply(bootstrapAccount as Op, { system: 'bluexp', accountId: BX, admin: { id: 'bx-admin' } } as never, { actor: SYSTEM });
    await e.commit([{ op: 'put', entity: 'role', value: { id: 'bx-agents', kind: 'bluexp', accountId: BX, name: 'Agent keeper', actions: ['agent:create', 'agent:update'] } }]);
    const apply = async (op: unknown, input: Record<string, unknown>) => (await e.apply(op as Op, { account_id: BX, ...input } as never, { actor: admin })) as { id: string };
    const F1 = (await apply(bx.createFolder, { name: 'f1' })).id;
    const P1 = (await apply(bx.createProject, { name: 'p1', parentId: F1 })).id;
    const F2 = (await apply(bx.createFolder, { name: 'f2' })).id;
    const P2 = (await apply(bx.createProject, { name: 'p2', parentId: F2 })).id;
    await apply(bx.createUser, { id: 'me', email: 'me@example.com', roleId: BLUEXP_ROLES.folderOrProjectAdmin, nodeId: F1 });
    await apply(bx.createUser, { id: 'peer', email: 'peer@example.com', roleId: BLUEXP_ROLES.folderOrProjectAdmin, nodeId: F2 });
    const g = (await apply(bx.createUserGroup, { name: 'admins of f2' })).id;
    await apply(bx.createRoleBinding, { subject: { kind: 'group', id: g }, roleId: BLUEXP_ROLES.folderOrProjectAdmin, nodeId: F2 });
    return { e, ids: [BX, F1, P1, F2, P2, g] };
  },
  probes: [
    ...['hierarchy:create', 'resource:create', 'agent:create', 'user:create', 'rolebinding:create'].flatMap((action) => [
      { action, resource: { attributes: { accountId: BX } } as RequestResource },
      { action, resource: { attributes: { accountId: BX }, folders: ['folder-f2'] } as RequestResource },
      { action, resource: { attributes: { accountId: BX }, projects: ['project-p1'] } as RequestResource },
      { action, resource: { attributes: { accountId: BX }, projects: ['project-p2'] } as RequestResource },
    ]),
  ],
  step: fc.oneof(
    fc.record({ kind: fc.constant('bind' as const), who: fc.constantFrom('me', 'peer'), role: fc.constantFrom(BLUEXP_ROLES.folderOrProjectAdmin, BLUEXP_ROLES.organizationAdmin, 'bx-agents'), node: fc.nat(4) }),
    fc.record({ kind: fc.constant('createGroup' as const), role: fc.constantFrom(BLUEXP_ROLES.folderOrProjectAdmin, 'bx-agents'), node: fc.nat(4) }),
    fc.record({ kind: fc.constant('joinGroup' as const), group: fc.nat(5) }),
    fc.record({ kind: fc.constant('unbind' as const), index: fc.nat(20) }),
  ),
  async run(r, s, ids) {
    const nodes = ids.slice(0, 5);
    const groups = ids.slice(5);
    const node = (i: number) => nodes[i % nodes.length]!;
    if (s.kind === 'bind') await r.apply(bx.createRoleBinding, { account_id: BX, subject: { kind: 'principal', id: s.who }, roleId: s.role, nodeId: node(s.node) }, BX_ME);
    else if (s.kind === 'createGroup') {
      const g = (await r.apply(bx.createUserGroup, { account_id: BX, name: `g${ids.length}`, members: ['me'] }, BX_ME)) as { id: string };
      ids.push(g.id);
      await r.apply(bx.createRoleBinding, { account_id: BX, subject: { kind: 'group', id: g.id }, roleId: s.role, nodeId: node(s.node) }, BX_ME);
    } else if (s.kind === 'joinGroup') await r.apply(bx.addUserGroupMembers, { account_id: BX, group_id: groups[s.group % groups.length]!, members: ['me'] }, BX_ME);
    else {
      const bs = r.source().bindings.filter((b) => b.accountId === BX);
      await r.apply(bx.deleteRoleBinding, { account_id: BX, binding_id: bs[s.index % bs.length]!.id }, BX_ME);
    }
  },
};

/** The BlueXP probes name nodes by the ids the world gives them. */
async function bluexpWithIds(): Promise<Scenario<BxStep>> {
  const { ids } = await bluexp.world();
  const [, , P1, F2, P2] = ids;
  const rename = (r: RequestResource): RequestResource => ({
    ...r,
    ...(r.folders ? { folders: [F2!] } : {}),
    ...(r.projects ? { projects: [r.projects[0] === 'project-p1' ? P1! : P2!] } : {}),
  });
  return { ...bluexp, probes: bluexp.probes.map((p) => ({ ...p, resource: rename(p.resource) })) };
}

const scenarios: [string, () => Promise<Scenario<never>>][] = [
  ['IBM', async () => ibm as Scenario<never>],
  ['Cloudflare', async () => cloudflare as Scenario<never>],
  ['BlueXP', async () => (await bluexpWithIds()) as Scenario<never>],
];

describe('no self-escalation', () => {
  for (const [name, scenario] of scenarios) {
    it(`${name}: no sequence of operations by a non-admin leaves it more access than the admin granted`, async () => {
      await fc.assert(noSelfEscalation(await scenario(), engineRunner), { numRuns: 40 });
    }, 120_000);

    it(`${name}: without the escalation review, fast-check finds a sequence that escalates`, async () => {
      const sc = await scenario();
      // the world's own setup runs through the Engine; only the non-admin's steps skip the review
      const out = await fc.check(noSelfEscalation(sc, unreviewedRunner), { numRuns: 200 });
      expect(out.failed).toBe(true);
      expect(String(out.errorInstance)).toMatch(/gained/);
    }, 120_000);
  }

  for (const [name, scenario] of scenarios) {
    it(`${name}: after any sequence of operations the incrementally updated tables decide like a fresh compile`, async () => {
      await fc.assert(incrementalEqualsFresh(await scenario()), { numRuns: 40 });
    }, 120_000);
  }

  it('the Engine always reviews: its registry cannot be told otherwise', () => {
    expect(defaultGuards.escalationReview).toBe(true);
    expect(createGuardRegistry({ from: defaultGuards }).escalationReview).toBe(true);
  });
});
