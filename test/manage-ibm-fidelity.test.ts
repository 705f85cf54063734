// Issue 13, seeds 002 (IBM Access Groups) and 004 (IBM IAM Policy Management): each test quotes the seed sentence it
// follows. The seeds are not read here: the sentences are copied.
import { describe, expect, it } from 'vitest';
import {
  bootstrapAccount,
  createEngine,
  IBM_ROLES,
  ibmAccessGroupOperations as ag,
  ibmPolicyOperations as pol,
  parseSource,
  SourceState,
  type Actor,
  type Engine,
  type ManageContext,
  type SourceInput,
} from '@portcullis/engine';
import { refusal } from './helpers/access.js';

type Op = (state: never, input: never, ctx: never) => { result: unknown };
const NOW = Date.parse('2026-01-02T03:04:05Z');
const SYSTEM: Actor = { kind: 'system' };
const who = (id: string, accountId: string): Actor => ({ kind: 'subject', id, accountId });

function engine(): Engine {
  let n = 0;
  return createEngine({ clock: () => NOW, newId: (prefix) => `${prefix}${(++n).toString(16).padStart(32, '0')}` });
}

const policyBody = (iam: string, role: string, service: string) => ({
  type: 'access' as const,
  subjects: [{ attributes: [{ name: 'iam_id', value: iam }] }],
  roles: [{ role_id: role }],
  resources: [{ attributes: [{ name: 'accountId', value: 'ibm-a', operator: 'stringEquals' }, { name: 'serviceName', value: service, operator: 'stringEquals' }] }],
});

/** An IBM account with an admin, two groups and two plain users. */
async function world() {
  const e = engine();
  await e.apply(bootstrapAccount as Op, { system: 'ibm', accountId: 'ibm-a', admin: { id: 'IBMid-admin' } } as never, { actor: SYSTEM });
  await e.commit([
    { op: 'put', entity: 'principal', value: { id: 'IBMid-editor', accountId: 'ibm-a', kind: 'user' } },
    { op: 'put', entity: 'principal', value: { id: 'IBMid-member', accountId: 'ibm-a', kind: 'user' } },
  ]);
  const admin = who('IBMid-admin', 'ibm-a');
  const g1 = (await e.apply(ag.createAccessGroup as Op, { account_id: 'ibm-a', name: 'one' } as never, { actor: admin })) as { id: string };
  const g2 = (await e.apply(ag.createAccessGroup as Op, { account_id: 'ibm-a', name: 'two' } as never, { actor: admin })) as { id: string };
  return { e, admin, g1: g1.id, g2: g2.id };
}

describe('seed 004: a policy carries its etag where the seed gives an ETag header', () => {
  // "The Etag can be retrieved using the GET /v1/policies/{policy_id} API and looking at the ETag response header."
  it('get, create, update and patch answer with the etag; the If-Match flow of the seed SDKs works end to end', async () => {
    const { e, admin } = await world();
    const created = (await e.apply(pol.createPolicy as Op, policyBody('IBMid-member', IBM_ROLES.viewer, 'iam-groups') as never, { actor: admin })) as {
      id: string;
      etag: string;
    };
    expect(created.etag).toBe(e.source.policies.find((p) => p.id === created.id)!.etag);
    const got = (await e.apply(pol.getPolicy as Op, { policy_id: created.id } as never, { actor: admin })) as { etag: string };
    expect(got.etag).toBe(created.etag);
    const gotV2 = (await e.apply(pol.getV2Policy as Op, { policy_id: created.id } as never, { actor: admin })) as { etag: string };
    expect(gotV2.etag).toBe(created.etag);
    // "The revision number for updating a policy and must match the ETag value of the existing policy."
    const updated = (await e.apply(
      pol.updatePolicy as Op,
      { policy_id: created.id, if_match: got.etag, ...policyBody('IBMid-member', IBM_ROLES.editor, 'iam-groups') } as never,
      { actor: admin },
    )) as { etag: string };
    expect(updated.etag).not.toBe(created.etag);
    expect(await refusal(e.apply(pol.patchPolicy as Op, { policy_id: created.id, if_match: got.etag, state: 'deleted' } as never, { actor: admin }))).toEqual({
      code: 'incorrect_etag',
      status: 412,
    });
    const patched = (await e.apply(pol.patchPolicy as Op, { policy_id: created.id, if_match: updated.etag, state: 'deleted' } as never, { actor: admin })) as {
      etag: string;
      state: string;
    };
    expect(patched.state).toBe('deleted');
    expect(patched.etag).toBe(e.source.policies.find((p) => p.id === created.id)!.etag);
    expect(patched.etag).not.toBe(updated.etag);
  });

  it('v2 create and replace answer with the etag too; list rows carry none (the seed gives lists no ETag header)', async () => {
    const { e, admin } = await world();
    const v2 = {
      type: 'access',
      subject: { attributes: [{ key: 'iam_id', operator: 'stringEquals', value: 'IBMid-member' }] },
      control: { grant: { roles: [{ role_id: IBM_ROLES.viewer }] } },
      resource: { attributes: [{ key: 'accountId', operator: 'stringEquals', value: 'ibm-a' }, { key: 'serviceName', operator: 'stringEquals', value: 'iam-groups' }] },
    };
    const created = (await e.apply(pol.createV2Policy as Op, v2 as never, { actor: admin })) as { id: string; etag: string };
    expect(created.etag).toMatch(/^W\//);
    const replaced = (await e.apply(pol.replaceV2Policy as Op, { policy_id: created.id, if_match: created.etag, ...v2, description: 'd' } as never, { actor: admin })) as {
      etag: string;
    };
    expect(replaced.etag).toBe(e.source.policies.find((p) => p.id === created.id)!.etag);
    const list = (await e.apply(pol.listPolicies as Op, { account_id: 'ibm-a' } as never, { actor: admin })) as { policies: Record<string, unknown>[] };
    expect(list.policies.length).toBeGreaterThan(0);
    for (const row of list.policies) expect(row).not.toHaveProperty('etag');
  });

  it('a policy loaded without an etag answers one, and that etag satisfies If-Match', () => {
    const src: SourceInput = {
      version: 1,
      accounts: [{ id: 'ibm-a', system: 'ibm' }],
      principals: [{ id: 'IBMid-member', accountId: 'ibm-a', kind: 'user' }],
      roles: [{ id: IBM_ROLES.viewer, kind: 'platform' }],
      services: [{ name: 'iam-groups', type: 'platform_service', roles: { [IBM_ROLES.viewer]: ['iam-groups.groups.read'] } }],
      policies: [
        {
          id: 'p-1',
          accountId: 'ibm-a',
          subject: { kind: 'principal', id: 'IBMid-member' },
          roles: [IBM_ROLES.viewer],
          resource: { attributes: [{ name: 'accountId', operator: 'stringEquals', value: 'ibm-a' }, { name: 'serviceName', operator: 'stringEquals', value: 'iam-groups' }] },
        },
      ],
    };
    const s = SourceState.from(parseSource(src));
    const ctx: ManageContext = { actor: SYSTEM, now: '2026-01-02T03:04:05Z', newId: () => 'x' };
    const got = pol.getPolicy(s, { policy_id: 'p-1' }, ctx).result;
    expect(got.etag).toMatch(/^W\//);
    const r = pol.patchPolicy(s, { policy_id: 'p-1', if_match: got.etag, state: 'deleted' }, ctx);
    expect(r.result.state).toBe('deleted');
  });
});

describe('seed 002: Add member to multiple Access Groups answers per group', () => {
  // "The response is a list of results that show if adding the member to each group was successful or not." — the
  // seed's example answers 200 for one group and, for another, 403 "Forbidden: You don't have the required access to
  // complete this action".
  it('adds to the groups the caller may change and answers 403 for the others, in one 207 body', async () => {
    const w = await world();
    const editorOfG1 = {
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: 'IBMid-editor' }] }],
      roles: [{ role_id: IBM_ROLES.editor }],
      resources: [
        {
          attributes: [
            { name: 'accountId', value: 'ibm-a' },
            { name: 'serviceName', value: 'iam-groups' },
            { name: 'resourceType', value: 'group' },
            { name: 'resource', value: w.g1 },
          ],
        },
      ],
    };
    await w.e.apply(pol.createPolicy as Op, editorOfG1 as never, { actor: w.admin });
    const editor = who('IBMid-editor', 'ibm-a');
    const r = (await w.e.apply(
      ag.addMemberToMultipleAccessGroups as Op,
      { account_id: 'ibm-a', iam_id: 'IBMid-member', type: 'user', groups: [w.g1, w.g2, 'AccessGroupId-nope'] } as never,
      { actor: editor },
    )) as { groups: { access_group_id: string; status_code: number }[] };
    expect(r.groups.map((g) => [g.access_group_id, g.status_code])).toEqual([
      [w.g1, 200],
      [w.g2, 403],
      // a group that does not exist is asked as the account's service, which the editor may not change: no leak
      ['AccessGroupId-nope', 403],
    ]);
    const groups = w.e.source.groups;
    expect(groups.find((g) => g.id === w.g1)!.members).toContain('IBMid-member');
    expect(groups.find((g) => g.id === w.g2)!.members).not.toContain('IBMid-member');
  });

  it('the account administrator gets 404 for a missing group beside 200 for the others; a caller who may change none is refused', async () => {
    const w = await world();
    const r = (await w.e.apply(
      ag.addMemberToMultipleAccessGroups as Op,
      { account_id: 'ibm-a', iam_id: 'IBMid-member', type: 'user', groups: [w.g1, 'AccessGroupId-nope'] } as never,
      { actor: w.admin },
    )) as { groups: { access_group_id: string; status_code: number }[] };
    expect(r.groups.map((g) => g.status_code)).toEqual([200, 404]);
    const before = w.e.revision;
    expect(
      await refusal(
        w.e.apply(ag.addMemberToMultipleAccessGroups as Op, { account_id: 'ibm-a', iam_id: 'IBMid-member', groups: [w.g2] } as never, {
          actor: who('IBMid-member', 'ibm-a'),
        }),
      ),
    ).toEqual({ code: 'forbidden', status: 403 });
    expect(w.e.revision).toBe(before);
  });
});
