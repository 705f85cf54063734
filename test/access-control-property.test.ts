// No self-escalation (#8): whatever a non-admin does through the management operations, it never ends up with
// more access than an admin granted it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bootstrapAccount, createEngine, IBM_ROLES, ibmAccessGroupOperations as ag, ibmPolicyOperations as pol, SeedError } from '@portcullis/engine';
import type { Actor, Engine } from '@portcullis/engine';

type Op = (state: never, input: never, ctx: never) => { result: unknown };
const NOW = Date.parse('2026-01-02T03:04:05Z');
const ADMIN: Actor = { kind: 'subject', id: 'IBMid-admin', accountId: 'acc' };
const ME: Actor = { kind: 'subject', id: 'IBMid-me', accountId: 'acc' };
const ROLES = [IBM_ROLES.viewer, IBM_ROLES.operator, IBM_ROLES.editor, IBM_ROLES.administrator];
const SERVICES = ['iam-groups', 'iam-access-management', 'kms'];
const PROBES = [
  ...['kms.keys.read', 'kms.keys.write'].map((action) => ({ action, serviceName: 'kms' })),
  ...['iam-groups.groups.create', 'iam-groups.groups.read', 'iam-groups.members.add'].map((action) => ({ action, serviceName: 'iam-groups' })),
  ...['iam.policy.read', 'iam.policy.create', 'iam.policy.delete'].map((action) => ({ action, serviceName: 'iam-access-management' })),
];

const body = (subject: { name: string; value: string }, role: string, service: string) => ({
  type: 'access' as const,
  subjects: [{ attributes: [subject] }],
  roles: [{ role_id: role }],
  resources: [{ attributes: [{ name: 'accountId', value: 'acc' }, { name: 'serviceName', value: service }] }],
});

function access(e: Engine): string[] {
  return PROBES.filter((p) => e.authorize({ subject: { id: 'IBMid-me', accountId: 'acc' }, action: p.action, resource: { attributes: { accountId: 'acc', serviceName: p.serviceName } } }).allowed).map(
    (p) => p.action,
  );
}

async function world(): Promise<{ e: Engine; groups: string[] }> {
  let n = 0;
  const e = createEngine({ clock: () => NOW, newId: (prefix) => `${prefix}${(++n).toString(16).padStart(32, '0')}` });
  await e.apply(bootstrapAccount as Op, { system: 'ibm', accountId: 'acc', admin: { id: 'IBMid-admin' } } as never, { actor: { kind: 'system' } });
  await e.commit([
    { op: 'put', entity: 'principal', value: { id: 'IBMid-me', accountId: 'acc', kind: 'user' } },
    { op: 'put', entity: 'principal', value: { id: 'IBMid-peer', accountId: 'acc', kind: 'user' } },
    { op: 'put', entity: 'service', value: { name: 'kms', type: 'service', roles: { [IBM_ROLES.viewer]: ['kms.keys.read'], [IBM_ROLES.administrator]: ['kms.keys.read', 'kms.keys.write'] } } },
  ]);
  // what the admin grants the non-admin: Editor of access groups, Administrator of policies, Viewer of kms
  await e.apply(pol.createPolicy as Op, body({ name: 'iam_id', value: 'IBMid-me' }, IBM_ROLES.editor, 'iam-groups') as never, { actor: ADMIN });
  await e.apply(pol.createPolicy as Op, body({ name: 'iam_id', value: 'IBMid-me' }, IBM_ROLES.administrator, 'iam-access-management') as never, { actor: ADMIN });
  await e.apply(pol.createPolicy as Op, body({ name: 'iam_id', value: 'IBMid-me' }, IBM_ROLES.viewer, 'kms') as never, { actor: ADMIN });
  // a group of kms administrators the non-admin is not in
  const g = (await e.apply(ag.createAccessGroup as Op, { account_id: 'acc', name: 'kms admins' } as never, { actor: ADMIN })) as { id: string };
  await e.apply(pol.createPolicy as Op, body({ name: 'access_group_id', value: g.id }, IBM_ROLES.administrator, 'kms') as never, { actor: ADMIN });
  return { e, groups: [g.id] };
}

const step = fc.oneof(
  fc.record({ kind: fc.constant('createGroup' as const) }),
  fc.record({ kind: fc.constant('joinGroup' as const), group: fc.nat(5), who: fc.constantFrom('IBMid-me', 'IBMid-peer') }),
  fc.record({ kind: fc.constant('addRule' as const), group: fc.nat(5) }),
  fc.record({ kind: fc.constant('grant' as const), role: fc.constantFrom(...ROLES), service: fc.constantFrom(...SERVICES), toGroup: fc.boolean(), group: fc.nat(5) }),
  fc.record({ kind: fc.constant('dropPolicy' as const), index: fc.nat(20), restore: fc.boolean() }),
);

describe('no self-escalation', () => {
  it('no sequence of operations by a non-admin leaves it more access than the admin granted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 12 }), async (steps) => {
        const { e, groups } = await world();
        const granted = new Set(access(e));
        for (const s of steps) {
          const pick = (i: number) => groups[i % groups.length]!;
          try {
            if (s.kind === 'createGroup') groups.push(((await e.apply(ag.createAccessGroup as Op, { account_id: 'acc', name: `g${groups.length}` } as never, { actor: ME })) as { id: string }).id);
            else if (s.kind === 'joinGroup')
              await e.apply(ag.addMembersToAccessGroup as Op, { account_id: 'acc', access_group_id: pick(s.group), members: [{ iam_id: s.who, type: 'user' }] } as never, { actor: ME });
            else if (s.kind === 'addRule')
              await e.apply(ag.addAccessGroupRule as Op, { account_id: 'acc', access_group_id: pick(s.group), name: 'r', expiration: 12, realm_name: 'idp', conditions: [{ claim: 'x', operator: 'EQUALS', value: '"y"' }] } as never, { actor: ME });
            else if (s.kind === 'grant') {
              const subject = s.toGroup ? { name: 'access_group_id', value: pick(s.group) } : { name: 'iam_id', value: 'IBMid-me' };
              await e.apply(pol.createPolicy as Op, body(subject, s.role, s.service) as never, { actor: ME });
            } else {
              const ps = e.source.policies;
              const p = ps[s.index % ps.length]!;
              await e.apply(pol.patchPolicy as Op, { policy_id: p.id, if_match: '*', state: s.restore ? 'active' : 'deleted' } as never, { actor: ME });
            }
          } catch (err) {
            if (!(err instanceof SeedError)) throw err;
          }
          for (const a of access(e)) expect(granted.has(a), `gained \`${a}\``).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
