// Every management operation means exactly what its input says: a key it does not read is a 400 whose issue path
// names the key, and nothing is written. Tests assert codes and paths, never wording.
import { describe, expect, it } from 'vitest';
import {
  SeedError,
  bluexpOperations,
  cloudflareOperations,
  createV2Policy,
  createPolicy,
  ibmAccessGroupOperations,
  ibmPolicyOperations,
  parseSource,
  type ManageContext,
} from '@portcullis/engine';
import { SourceState } from '@portcullis/engine/internals';

const VIEWER = 'crn:v1:bluemix:public:iam::::role:Viewer';

const state = (): SourceState =>
  SourceState.from(
    parseSource({
      version: 1,
      accounts: [
        { id: 'acct-a', system: 'ibm' },
        { id: 'cf1', system: 'cloudflare' },
        { id: 'org-1', system: 'bluexp' },
      ],
      principals: [{ id: 'IBMid-alice', accountId: 'acct-a', kind: 'user' }],
      services: [{ name: 'cloud-object-storage', type: 'service', roles: { [VIEWER]: ['cloud-object-storage.bucket.list'] } }],
      roles: [{ id: VIEWER, kind: 'platform', name: 'Viewer' }],
    }),
  );

const ctx = (): ManageContext => {
  let n = 0;
  return { actor: { kind: 'system' }, now: '2026-01-02T03:04:05.000Z', newId: (p) => `${p}x${++n}` };
};

type AnyOp = (s: SourceState, input: unknown, c: ManageContext) => unknown;

/** Runs an operation that must be refused; returns the refusal. */
function refusal(op: AnyOp, input: unknown): SeedError {
  let caught: unknown;
  try {
    op(state(), input, ctx());
  } catch (e) {
    caught = e;
  }
  expect(caught, 'the operation should refuse').toBeInstanceOf(SeedError);
  return caught as SeedError;
}

const issuePaths = (e: SeedError): string[] => ((e.details?.['issues'] as { path: unknown[] }[] | undefined) ?? []).map((i) => JSON.stringify(i.path));

const ACCOUNT_OF = { ibm: 'acct-a', cloudflare: 'cf1', bluexp: 'org-1' } as const;
const SYSTEMS = [
  ['ibm', { ...ibmAccessGroupOperations, ...ibmPolicyOperations }],
  ['cloudflare', cloudflareOperations],
  ['bluexp', bluexpOperations],
] as const;

describe('every operation refuses an unknown key in its input', () => {
  for (const [system, ops] of SYSTEMS) {
    for (const [name, op] of Object.entries(ops)) {
      it(`${system} ${name}`, () => {
        const e = refusal(op as AnyOp, { account_id: ACCOUNT_OF[system], zzUnknown: 1 });
        expect(e.status).toBe(400);
        expect(issuePaths(e)).toContain(JSON.stringify(['zzUnknown']));
      });
    }
  }
});

describe('a key whose value is undefined is as if absent', () => {
  it('lists Cloudflare permission groups and BlueXP nodes', () => {
    expect(() => (cloudflareOperations.listPermissionGroups as AnyOp)(state(), { account_id: 'cf1', zzUnknown: undefined }, ctx())).not.toThrow();
    expect(() => (bluexpOperations.listNodes as AnyOp)(state(), { account_id: 'org-1', zzUnknown: undefined }, ctx())).not.toThrow();
  });
});

describe('an IBM policy body means exactly what it says, at every level', () => {
  const v2 = () => ({
    type: 'access',
    subject: { attributes: [{ key: 'iam_id', operator: 'stringEquals', value: 'IBMid-alice' }] },
    control: { grant: { roles: [{ role_id: VIEWER }] } },
    resource: {
      attributes: [
        { key: 'accountId', operator: 'stringEquals', value: 'acct-a' },
        { key: 'serviceName', operator: 'stringEquals', value: 'cloud-object-storage' },
      ],
      tags: [{ key: 'env', value: 'prod', operator: 'stringEquals' }],
    },
  });
  const v1 = () => ({
    type: 'access',
    subjects: [{ attributes: [{ name: 'iam_id', value: 'IBMid-alice' }] }],
    roles: [{ role_id: VIEWER }],
    resources: [
      {
        attributes: [
          { name: 'accountId', value: 'acct-a' },
          { name: 'serviceName', operator: 'stringEquals', value: 'cloud-object-storage' },
        ],
        tags: [{ name: 'env', value: 'prod' }],
      },
    ],
  });

  it('accepts the bodies as written', () => {
    expect(() => (createV2Policy as AnyOp)(state(), v2(), ctx())).not.toThrow();
    expect(() => (createPolicy as AnyOp)(state(), v1(), ctx())).not.toThrow();
  });

  const cases: [string, () => Record<string, any>, AnyOp, (b: any) => object, (string | number)[]][] = [
    ['v2 top', v2, createV2Policy as AnyOp, (b) => b, []],
    ['v2 subject', v2, createV2Policy as AnyOp, (b) => b.subject, ['subject']],
    ['v2 subject attribute', v2, createV2Policy as AnyOp, (b) => b.subject.attributes[0], ['subject', 'attributes', 0]],
    ['v2 control', v2, createV2Policy as AnyOp, (b) => b.control, ['control']],
    ['v2 grant', v2, createV2Policy as AnyOp, (b) => b.control.grant, ['control', 'grant']],
    ['v2 role', v2, createV2Policy as AnyOp, (b) => b.control.grant.roles[0], ['control', 'grant', 'roles', 0]],
    ['v2 resource', v2, createV2Policy as AnyOp, (b) => b.resource, ['resource']],
    ['v2 resource attribute', v2, createV2Policy as AnyOp, (b) => b.resource.attributes[1], ['resource', 'attributes', 1]],
    ['v2 tag', v2, createV2Policy as AnyOp, (b) => b.resource.tags[0], ['resource', 'tags', 0]],
    ['v1 top', v1, createPolicy as AnyOp, (b) => b, []],
    ['v1 subject', v1, createPolicy as AnyOp, (b) => b.subjects[0], ['subjects', 0]],
    ['v1 subject attribute', v1, createPolicy as AnyOp, (b) => b.subjects[0].attributes[0], ['subjects', 0, 'attributes', 0]],
    ['v1 role', v1, createPolicy as AnyOp, (b) => b.roles[0], ['roles', 0]],
    ['v1 resource', v1, createPolicy as AnyOp, (b) => b.resources[0], ['resources', 0]],
    ['v1 resource attribute', v1, createPolicy as AnyOp, (b) => b.resources[0].attributes[0], ['resources', 0, 'attributes', 0]],
    ['v1 tag', v1, createPolicy as AnyOp, (b) => b.resources[0].tags[0], ['resources', 0, 'tags', 0]],
  ];
  for (const [name, body, op, pick, path] of cases) {
    it(`refuses an unknown key in the ${name}`, () => {
      const b = body();
      (pick(b) as Record<string, unknown>)['zzUnknown'] = 'x';
      const e = refusal(op, b);
      expect(e.status).toBe(400);
      expect(issuePaths(e)).toContain(JSON.stringify([...path, 'zzUnknown']));
    });
  }

  it('refuses a rule condition with an unknown key', () => {
    const b: any = v2();
    b.rule = { operator: 'and', conditions: [{ key: '{{environment.attributes.day_of_week}}', operator: 'dayOfWeekEquals', value: '1+00:00', zz: 1 }] };
    b.pattern = 'time-based-conditions:weekly:all-day';
    expect(issuePaths(refusal(createV2Policy as AnyOp, b))).toContain(JSON.stringify(['rule', 'conditions', 0, 'zz']));
  });
});

describe('a BlueXP resource listing names one organization', () => {
  it('refuses `account_id` beside `account` instead of checking one and listing the other', () => {
    const e = refusal(bluexpOperations.listResources as AnyOp, { account_id: 'org-other', account: 'org-1' });
    expect(e.status).toBe(400);
    expect(issuePaths(e)).toContain(JSON.stringify(['account_id']));
  });
});
