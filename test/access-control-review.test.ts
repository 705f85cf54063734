// The effect review covers operations nobody has written yet (issue 12): a new operation registered with a guard that
// lets every caller through still cannot grant beyond what its actor may delegate, nor write rows the review cannot
// place in an account. And the review's targets: `stringEqualsAnyOf` asks for every value, an attribute left open
// asks for any value.
import { describe, expect, it } from 'vitest';
import {
  bootstrapAccount,
  createEngine,
  createGuardRegistry,
  defaultGuards,
  IBM_GROUP_CODES,
  IBM_POLICY_CODES,
  IBM_ROLES,
  ibmPolicyOperations as pol,
  SeedError,
} from '@portcullis/engine';
import { runGuarded, SourceState } from '@portcullis/engine/internals';
import type { Actor, Change, Engine, Source } from '@portcullis/engine';
import { refusal, snapshot } from './helpers/access.js';

type Op = (state: never, input: never, ctx: never) => { result: unknown };
const NOW = Date.parse('2026-01-02T03:04:05Z');
const SYSTEM: Actor = { kind: 'system' };
const ME: Actor = { kind: 'subject', id: 'IBMid-me', accountId: 'acc' };

const policy = (id: string, who: string, role: string, service: string, extra: { name: string; operator: string; value: unknown }[] = []) => ({
  id,
  accountId: 'acc',
  type: 'access' as const,
  effect: 'allow' as const,
  state: 'active' as const,
  subject: { kind: 'principal' as const, id: who },
  roles: [role],
  resource: { attributes: [{ name: 'accountId', operator: 'stringEquals', value: 'acc' }, { name: 'serviceName', operator: 'stringEquals', value: service }, ...extra], tags: [] },
});

/** `me` administers policies and kms in region us-south only; `friend` holds nothing. */
async function world(): Promise<Engine> {
  let n = 0;
  const e = createEngine({ clock: () => NOW, newId: (prefix) => `${prefix}${(++n).toString(16).padStart(8, '0')}` });
  await e.apply(bootstrapAccount as Op, { system: 'ibm', accountId: 'acc', admin: { id: 'IBMid-admin' } } as never, { actor: SYSTEM });
  await e.commit([
    ...['IBMid-me', 'IBMid-friend'].map((id) => ({ op: 'put' as const, entity: 'principal' as const, value: { id, accountId: 'acc', kind: 'user', status: 'active' } as never })),
    { op: 'put', entity: 'service', value: { name: 'kms', type: 'service', roles: { [IBM_ROLES.administrator]: ['kms.keys.read', 'kms.keys.write'] } } as never },
    { op: 'put', entity: 'policy', value: policy('p-me', 'IBMid-me', IBM_ROLES.administrator, 'kms', [{ name: 'region', operator: 'stringEquals', value: 'us-south' }]) as never },
    { op: 'put', entity: 'policy', value: policy('p-me-iam', 'IBMid-me', IBM_ROLES.administrator, 'iam-access-management') as never },
  ]);
  return e;
}

/** A new operation that writes the rows its input carries; its guard lets every authenticated caller through. */
const writeRows = (state: SourceState, input: { changes: Change[] }) => ({ result: null, changes: input.changes, state: state.with(input.changes) });

function run(e: Engine, changes: Change[], actor: Actor) {
  const registry = createGuardRegistry({ from: defaultGuards }).register(writeRows as never, { codes: IBM_GROUP_CODES, check() {} });
  const ctx = { actor, now: new Date(NOW).toISOString(), newId: (p: string) => `${p}x` };
  return runGuarded(registry, writeRows as never, SourceState.from(e.source), e.tables, { changes } as never, ctx);
}

const forbidden = (f: () => unknown): { code: string; status: number } => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(SeedError);
    return { code: (err as SeedError).code, status: (err as SeedError).status };
  }
  throw new Error('expected a refusal');
};
const FORBIDDEN = { code: IBM_GROUP_CODES.forbidden.code, status: 403 };

describe('the effect review covers an operation added later', () => {
  it('a permissive new operation cannot give the caller (or a friend) what it may not delegate; the system may', async () => {
    const e = await world();
    const grant = [{ op: 'put', entity: 'policy', value: policy('p-new', 'IBMid-friend', IBM_ROLES.administrator, 'kms') } as Change];
    expect(forbidden(() => run(e, grant, ME))).toEqual(FORBIDDEN);
    const mine = [{ op: 'put', entity: 'policy', value: policy('p-new', 'IBMid-friend', IBM_ROLES.administrator, 'kms', [{ name: 'region', operator: 'stringEquals', value: 'us-south' }]) } as Change];
    expect(run(e, mine, ME).changes).toHaveLength(1);
    expect(run(e, grant, SYSTEM).changes).toHaveLength(1);
  });

  it('rows of no account (a global role, a catalog service) are the system’s alone', async () => {
    const e = await world();
    const role = { op: 'put', entity: 'role', value: { id: 'r-global', kind: 'custom', name: 'g', actions: [] } } as Change;
    const service = { op: 'put', entity: 'service', value: { name: 'kms', type: 'service', roles: {} } } as Change;
    expect(forbidden(() => run(e, [role], ME))).toEqual(FORBIDDEN);
    expect(forbidden(() => run(e, [service], ME))).toEqual(FORBIDDEN);
  });

  it('rewriting a role the caller’s friend holds is reviewed as the grants it changes', async () => {
    const e = await world();
    await e.commit([
      { op: 'put', entity: 'role', value: { id: 'r-custom', kind: 'custom', accountId: 'acc', name: 'c', actions: ['kms.keys.read'] } as never },
      { op: 'put', entity: 'policy', value: policy('p-f', 'IBMid-friend', 'r-custom', 'kms') as never },
    ]);
    const widen = { op: 'put', entity: 'role', value: { id: 'r-custom', kind: 'custom', accountId: 'acc', name: 'c', actions: ['kms.keys.read', 'kms.keys.write'] } } as Change;
    expect(forbidden(() => run(e, [widen], ME))).toEqual(FORBIDDEN);
  });
});

describe('a grant written where nobody holds it yet is reviewed when written (the latent view)', () => {
  it('a policy on an empty access group granting more than the writer may delegate is refused, though it grants nobody anything yet', async () => {
    const e = await world();
    await e.commit([{ op: 'put', entity: 'group', value: { id: 'AccessGroupId-empty', accountId: 'acc', name: 'empty', members: [], rules: [] } as never }]);
    const body = {
      type: 'access',
      subjects: [{ attributes: [{ name: 'access_group_id', value: 'AccessGroupId-empty' }] }],
      roles: [{ role_id: IBM_ROLES.administrator }],
      resources: [{ attributes: [{ name: 'accountId', value: 'acc' }, { name: 'serviceName', value: 'kms' }] }],
    };
    const before = snapshot(e);
    expect(await refusal(e.apply(pol.createPolicy as Op, body as never, { actor: ME }))).toEqual({ code: IBM_POLICY_CODES.forbidden.code, status: 403 });
    expect(snapshot(e)).toEqual(before);
    // the account administrator may: it administers kms
    await e.apply(pol.createPolicy as Op, body as never, { actor: { kind: 'subject', id: 'IBMid-admin', accountId: 'acc' } });
  });

  it('a policy naming a pending principal is reviewed as if it were active', async () => {
    const e = await world();
    await e.commit([{ op: 'put', entity: 'principal', value: { id: 'IBMid-pending', accountId: 'acc', kind: 'user', status: 'pending' } as never }]);
    const body = {
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: 'IBMid-pending' }] }],
      roles: [{ role_id: IBM_ROLES.administrator }],
      resources: [{ attributes: [{ name: 'accountId', value: 'acc' }, { name: 'serviceName', value: 'kms' }] }],
    };
    expect(await refusal(e.apply(pol.createPolicy as Op, body as never, { actor: ME }))).toEqual({ code: IBM_POLICY_CODES.forbidden.code, status: 403 });
  });
});

describe('the review asks for the widest access a selector reaches', () => {
  const body = (attrs: { name: string; value: unknown; operator?: string }[]) => ({
    type: 'access',
    subjects: [{ attributes: [{ name: 'iam_id', value: 'IBMid-friend' }] }],
    roles: [{ role_id: IBM_ROLES.administrator }],
    resources: [{ attributes: [{ name: 'accountId', value: 'acc' }, { name: 'serviceName', value: 'kms' }, ...attrs] }],
  });
  const POLICY_FORBIDDEN = { code: IBM_POLICY_CODES.forbidden.code, status: 403 };

  it('stringEqualsAnyOf: every value must be delegable', async () => {
    const e = await world();
    const before = snapshot(e);
    const both = body([{ name: 'region', operator: 'stringEqualsAnyOf', value: ['us-south', 'eu-de'] }]);
    expect(await refusal(e.apply(pol.createPolicy as Op, both as never, { actor: ME }))).toEqual(POLICY_FORBIDDEN);
    expect(snapshot(e)).toEqual(before);
    await e.apply(pol.createPolicy as Op, body([{ name: 'region', operator: 'stringEqualsAnyOf', value: ['us-south'] }]) as never, { actor: ME });
  });

  it('an attribute the selector leaves open, or matches with a pattern, asks for any value', async () => {
    const e = await world();
    expect(await refusal(e.apply(pol.createPolicy as Op, body([]) as never, { actor: ME }))).toEqual(POLICY_FORBIDDEN);
    expect(await refusal(e.apply(pol.createPolicy as Op, body([{ name: 'region', operator: 'stringMatch', value: 'us-*' }]) as never, { actor: ME }))).toEqual(POLICY_FORBIDDEN);
    const source: Source = e.source;
    expect(source.policies.some((p) => p.subject.kind === 'principal' && p.subject.id === 'IBMid-friend')).toBe(false);
  });
});
