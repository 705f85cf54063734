// Management operations authorize their caller with the engine itself (#8): for every operation an allowed caller,
// a caller with the wrong role, a caller with the right role on another account, and an anonymous caller.
// Refusals are pinned by `code` and `status`, never by wording.
import { describe, expect, it } from 'vitest';
import {
  bluexpOperations as bx,
  bootstrapAccount,
  BLUEXP_ROLES,
  cloudflareOperations as cf,
  CLOUDFLARE_ROLES,
  createEngine,
  IBM_ROLES,
  ibmAccessGroupOperations as ag,
  ibmPolicyOperations as pol,
  SeedError,
} from '@portcullis/engine';
import type { Actor, Engine } from '@portcullis/engine';
import { refusal } from './helpers/access.js';

const NOW = Date.parse('2026-01-02T03:04:05Z');
const SYSTEM: Actor = { kind: 'system' };
const ANON: Actor = { kind: 'anonymous' };
const who = (id: string, accountId: string): Actor => ({ kind: 'subject', id, accountId });

type Op = (state: never, input: never, ctx: never) => { result: unknown };


/** Passes the access check: succeeds, or fails for a reason other than 401/403. */
async function passes(p: Promise<unknown>): Promise<unknown> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof SeedError) expect([401, 403]).not.toContain(e.status);
    else throw e;
    return undefined;
  }
}

function engine(): Engine {
  let n = 0;
  return createEngine({ clock: () => NOW, newId: (prefix) => `${prefix}${(++n).toString(16).padStart(32, '0')}` });
}

const ibmPolicyBody = (iam: string, role: string, service: string, account = 'ibm-a') => ({
  type: 'access' as const,
  subjects: [{ attributes: [{ name: 'iam_id', value: iam }] }],
  roles: [{ role_id: role }],
  resources: [{ attributes: [{ name: 'accountId', value: account, operator: 'stringEquals' }, { name: 'serviceName', value: service, operator: 'stringEquals' }] }],
});

/** Two IBM accounts, each bootstrapped with an admin; in `ibm-a` a Viewer of both services and a bare user. */
async function ibmWorld() {
  const e = engine();
  await e.apply(bootstrapAccount as Op, { system: 'ibm', accountId: 'ibm-a', admin: { id: 'IBMid-admin' } } as never, { actor: SYSTEM });
  await e.apply(bootstrapAccount as Op, { system: 'ibm', accountId: 'ibm-b', admin: { id: 'IBMid-adminb' } } as never, { actor: SYSTEM });
  await e.commit([
    { op: 'put', entity: 'principal', value: { id: 'IBMid-viewer', accountId: 'ibm-a', kind: 'user' } },
    { op: 'put', entity: 'principal', value: { id: 'IBMid-nobody', accountId: 'ibm-a', kind: 'user' } },
    { op: 'put', entity: 'principal', value: { id: 'IBMid-member', accountId: 'ibm-a', kind: 'user' } },
  ]);
  const admin = who('IBMid-admin', 'ibm-a');
  for (const svc of ['iam-groups', 'iam-access-management'])
    await e.apply(pol.createPolicy as Op, ibmPolicyBody('IBMid-viewer', IBM_ROLES.viewer, svc) as never, { actor: admin });
  const g1 = (await e.apply(ag.createAccessGroup as Op, { account_id: 'ibm-a', name: 'one' } as never, { actor: admin })) as { id: string };
  const g2 = (await e.apply(ag.createAccessGroup as Op, { account_id: 'ibm-a', name: 'two' } as never, { actor: admin })) as { id: string };
  await e.apply(ag.addMembersToAccessGroup as Op, { account_id: 'ibm-a', access_group_id: g1.id, members: [{ iam_id: 'IBMid-member', type: 'user' }] } as never, { actor: admin });
  const p = e.source.policies.find((x) => x.subject.kind === 'principal' && x.subject.id === 'IBMid-viewer')!;
  return { e, admin, viewer: who('IBMid-viewer', 'ibm-a'), nobody: who('IBMid-nobody', 'ibm-a'), other: who('IBMid-adminb', 'ibm-b'), g1: g1.id, g2: g2.id, policyId: p.id };
}

type IbmWorld = Awaited<ReturnType<typeof ibmWorld>>;
interface Case {
  name: string;
  op: Op;
  input: (w: IbmWorld) => unknown;
  /** `read`: the Viewer may, a bare user may not; `write`: the admin may, the Viewer may not. */
  kind: 'read' | 'write' | 'list';
  codes: [string, string];
  /** What another account's caller gets instead of the 403, when the operation hides that the row exists at all. */
  elsewhere?: { code: string; status: number };
}

const G: [string, string] = ['invalid_token', 'forbidden'];
const P: [string, string] = ['invalid_token', 'insufficent_permissions'];
const rule = { name: 'r', expiration: 12, realm_name: 'https://idp.example.com', conditions: [{ claim: 'dept', operator: 'EQUALS', value: '"ops"' }] };

const ibmCases: Case[] = [
  { name: 'createAccessGroup', op: ag.createAccessGroup as Op, input: () => ({ account_id: 'ibm-a', name: 'new' }), kind: 'write', codes: G },
  { name: 'listAccessGroups', op: ag.listAccessGroups as Op, input: () => ({ account_id: 'ibm-a' }), kind: 'list', codes: G },
  { name: 'getAccessGroup', op: ag.getAccessGroup as Op, input: (w) => ({ account_id: 'ibm-a', access_group_id: w.g1 }), kind: 'read', codes: G },
  { name: 'updateAccessGroup', op: ag.updateAccessGroup as Op, input: (w) => ({ account_id: 'ibm-a', access_group_id: w.g1, if_match: '*', name: 'renamed' }), kind: 'write', codes: G },
  { name: 'deleteAccessGroup', op: ag.deleteAccessGroup as Op, input: (w) => ({ account_id: 'ibm-a', access_group_id: w.g2 }), kind: 'write', codes: G },
  { name: 'addMembersToAccessGroup', op: ag.addMembersToAccessGroup as Op, input: (w) => ({ account_id: 'ibm-a', access_group_id: w.g2, members: [{ iam_id: 'IBMid-member', type: 'user' }] }), kind: 'write', codes: G },
  { name: 'listAccessGroupMembers', op: ag.listAccessGroupMembers as Op, input: (w) => ({ account_id: 'ibm-a', access_group_id: w.g1 }), kind: 'read', codes: G },
  { name: 'isMemberOfAccessGroup', op: ag.isMemberOfAccessGroup as Op, input: (w) => ({ account_id: 'ibm-a', access_group_id: w.g1, iam_id: 'IBMid-member' }), kind: 'read', codes: G },
  { name: 'removeMemberFromAccessGroup', op: ag.removeMemberFromAccessGroup as Op, input: (w) => ({ account_id: 'ibm-a', access_group_id: w.g1, iam_id: 'IBMid-member' }), kind: 'write', codes: G },
  { name: 'removeMembersFromAccessGroup', op: ag.removeMembersFromAccessGroup as Op, input: (w) => ({ account_id: 'ibm-a', access_group_id: w.g1, members: ['IBMid-member'] }), kind: 'write', codes: G },
  { name: 'removeMemberFromAllAccessGroups', op: ag.removeMemberFromAllAccessGroups as Op, input: () => ({ account_id: 'ibm-a', iam_id: 'IBMid-member' }), kind: 'write', codes: G },
  // addMemberToMultipleAccessGroups answers 403 per group in its 207 body, never as a whole: test/manage-ibm-fidelity.test.ts
  { name: 'addAccessGroupRule', op: ag.addAccessGroupRule as Op, input: (w) => ({ account_id: 'ibm-a', access_group_id: w.g1, ...rule }), kind: 'write', codes: G },
  { name: 'listAccessGroupRules', op: ag.listAccessGroupRules as Op, input: (w) => ({ account_id: 'ibm-a', access_group_id: w.g1 }), kind: 'read', codes: G },
  { name: 'getAccessGroupRule', op: ag.getAccessGroupRule as Op, input: (w) => ({ account_id: 'ibm-a', access_group_id: w.g1, rule_id: 'nope' }), kind: 'read', codes: G },
  { name: 'replaceAccessGroupRule', op: ag.replaceAccessGroupRule as Op, input: (w) => ({ account_id: 'ibm-a', access_group_id: w.g1, rule_id: 'nope', if_match: '*', ...rule }), kind: 'write', codes: G },
  { name: 'removeAccessGroupRule', op: ag.removeAccessGroupRule as Op, input: (w) => ({ account_id: 'ibm-a', access_group_id: w.g1, rule_id: 'nope' }), kind: 'write', codes: G },
  { name: 'listPolicies', op: pol.listPolicies as Op, input: () => ({ account_id: 'ibm-a' }), kind: 'list', codes: P },
  { name: 'listV2Policies', op: pol.listV2Policies as Op, input: () => ({ account_id: 'ibm-a' }), kind: 'list', codes: P },
  { name: 'getPolicy', op: pol.getPolicy as Op, input: (w) => ({ policy_id: w.policyId }), kind: 'read', codes: P, elsewhere: { code: 'policy_not_found', status: 404 } },
  { name: 'getV2Policy', op: pol.getV2Policy as Op, input: (w) => ({ policy_id: w.policyId }), kind: 'read', codes: P, elsewhere: { code: 'policy_not_found', status: 404 } },
  { name: 'createPolicy', op: pol.createPolicy as Op, input: () => ibmPolicyBody('IBMid-nobody', IBM_ROLES.viewer, 'iam-groups'), kind: 'write', codes: P },
  { name: 'updatePolicy', op: pol.updatePolicy as Op, input: (w) => ({ policy_id: w.policyId, if_match: '*', ...ibmPolicyBody('IBMid-viewer', IBM_ROLES.operator, 'iam-groups') }), kind: 'write', codes: P },
  { name: 'patchPolicy', op: pol.patchPolicy as Op, input: (w) => ({ policy_id: w.policyId, if_match: '*', state: 'deleted' }), kind: 'write', codes: P, elsewhere: { code: 'policy_not_found', status: 404 } },
  { name: 'deletePolicy', op: pol.deletePolicy as Op, input: (w) => ({ policy_id: w.policyId }), kind: 'write', codes: P, elsewhere: { code: 'policy_not_found', status: 404 } },
  { name: 'deleteV2Policy', op: pol.deleteV2Policy as Op, input: (w) => ({ policy_id: w.policyId }), kind: 'write', codes: P, elsewhere: { code: 'policy_not_found', status: 404 } },
];

function listed(r: unknown): unknown[] {
  const o = r as Record<string, unknown[]>;
  return o['groups'] ?? o['policies'] ?? [];
}

describe('IBM operations authorize their caller', () => {
  for (const c of ibmCases) {
    describe(c.name, () => {
      it('lets the allowed caller through', async () => {
        const w = await ibmWorld();
        const actor = c.kind === 'write' ? w.admin : w.viewer;
        const r = await passes(w.e.apply(c.op, c.input(w) as never, { actor }));
        if (c.kind === 'list') expect(listed(r).length).toBeGreaterThan(0);
      });
      it('refuses the wrong role with the seed 403, or lists nothing', async () => {
        const w = await ibmWorld();
        const before = w.e.revision;
        const actor = c.kind === 'write' ? w.viewer : w.nobody;
        if (c.kind === 'list') expect(listed(await w.e.apply(c.op, c.input(w) as never, { actor }))).toEqual([]);
        else expect(await refusal(w.e.apply(c.op, c.input(w) as never, { actor }))).toEqual({ code: c.codes[1], status: 403 });
        expect(w.e.revision).toBe(before);
      });
      it('refuses the right role on another account', async () => {
        const w = await ibmWorld();
        if (c.kind === 'list') {
          // another account's caller sees nothing of it: an empty list, or, where the account grants it nothing at all,
          // the answer of an account that does not exist (red team 8: `[]` against a 404 told which accounts exist)
          const p = w.e.apply(c.op, c.input(w) as never, { actor: w.other });
          const seen = await p.then((r) => listed(r), async () => refusal(p));
          expect([[], { code: 'account_not_found', status: 404 }]).toContainEqual(seen);
        }
        else expect(await refusal(w.e.apply(c.op, c.input(w) as never, { actor: w.other }))).toEqual(c.elsewhere ?? { code: c.codes[1], status: 403 });
      });
      it('answers an anonymous caller with the seed 401', async () => {
        const w = await ibmWorld();
        expect(await refusal(w.e.apply(c.op, c.input(w) as never, { actor: ANON }))).toEqual({ code: c.codes[0], status: 401 });
      });
    });
  }

  it('an Editor of one group changes that group and no other', async () => {
    const w = await ibmWorld();
    const body = { type: 'access', subjects: [{ attributes: [{ name: 'iam_id', value: 'IBMid-nobody' }] }], roles: [{ role_id: IBM_ROLES.editor }],
      resources: [{ attributes: [{ name: 'accountId', value: 'ibm-a' }, { name: 'serviceName', value: 'iam-groups' }, { name: 'resourceType', value: 'group' }, { name: 'resource', value: w.g1 }] }] };
    await w.e.apply(pol.createPolicy as Op, body as never, { actor: w.admin });
    const { etag } = (await w.e.apply(ag.getAccessGroup as Op, { account_id: 'ibm-a', access_group_id: w.g1 } as never, { actor: w.admin })) as { etag: string };
    await w.e.apply(ag.updateAccessGroup as Op, { account_id: 'ibm-a', access_group_id: w.g1, if_match: etag, name: 'mine' } as never, { actor: w.nobody });
    expect(await refusal(w.e.apply(ag.updateAccessGroup as Op, { account_id: 'ibm-a', access_group_id: w.g2, if_match: '*', name: 'x' } as never, { actor: w.nobody }))).toEqual({ code: 'forbidden', status: 403 });
    const r = (await w.e.apply(ag.listAccessGroups as Op, { account_id: 'ibm-a' } as never, { actor: w.nobody })) as { groups: { id: string }[] };
    expect(r.groups.map((g) => g.id)).toEqual([w.g1]);
  });

  it('nobody grants more than they hold: the Viewer cannot create a policy, the admin cannot grant a service it does not administer', async () => {
    const w = await ibmWorld();
    await w.e.commit([{ op: 'put', entity: 'service', value: { name: 'kms', type: 'service', roles: { [IBM_ROLES.viewer]: ['kms.keys.read'], [IBM_ROLES.administrator]: ['kms.keys.read', 'kms.keys.write'] } } }]);
    // the admin administers every service of the account, so granting on kms is within what it holds
    await w.e.apply(pol.createPolicy as Op, ibmPolicyBody('IBMid-nobody', IBM_ROLES.viewer, 'kms') as never, { actor: w.admin });
    // a policy administrator of iam-groups only cannot grant kms access
    await w.e.apply(pol.createPolicy as Op, ibmPolicyBody('IBMid-member', IBM_ROLES.administrator, 'iam-access-management') as never, { actor: w.admin });
    const member = who('IBMid-member', 'ibm-a');
    const before = w.e.revision;
    expect(await refusal(w.e.apply(pol.createPolicy as Op, ibmPolicyBody('IBMid-viewer', IBM_ROLES.viewer, 'kms') as never, { actor: member }))).toEqual({ code: 'insufficent_permissions', status: 403 });
    // nor grant itself more: Administrator of iam-groups is more than it holds
    expect(await refusal(w.e.apply(pol.createPolicy as Op, ibmPolicyBody('IBMid-member', IBM_ROLES.administrator, 'iam-groups') as never, { actor: member }))).toEqual({ code: 'insufficent_permissions', status: 403 });
    expect(w.e.revision).toBe(before);
    // what it holds it may grant: Viewer of iam-access-management
    await w.e.apply(pol.createPolicy as Op, ibmPolicyBody('IBMid-nobody', IBM_ROLES.viewer, 'iam-access-management') as never, { actor: member });
  });

  it('an operation without a guard runs for system alone', async () => {
    const w = await ibmWorld();
    expect(await refusal(w.e.apply(bootstrapAccount as Op, { system: 'ibm', accountId: 'ibm-c', admin: { id: 'x' } } as never, { actor: w.admin }))).toMatchObject({ status: 403 });
    expect(await refusal(w.e.apply(bootstrapAccount as Op, { system: 'ibm', accountId: 'ibm-c', admin: { id: 'x' } } as never, { actor: ANON }))).toMatchObject({ status: 401 });
  });
});
