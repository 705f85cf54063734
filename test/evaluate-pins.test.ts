// Decisions that no JSON conformance case can express, because parseSource refuses the sources they need: a policy
// whose rule slipped past validation (errored), a source whose rows were changed after parsing. The compiled evaluator
// must still fail closed on them, and the reference evaluator must agree. Each case was a mutant that no test noticed
// (StrykerJS, issue 12): the check it pins could be removed and every other test still passed.
import { describe, expect, it } from 'vitest';
import { authorize, compile, parseSource, type AuthorizeRequest, type Source } from '@portcullis/engine';
import { referenceAuthorize } from '@portcullis/engine/testing';

const core = (d: { allowed: boolean; reason: string; policies: string[]; errors?: string[] }) => ({
  allowed: d.allowed,
  reason: d.reason,
  policies: d.policies,
  errors: d.errors ?? [],
});

/** Decides with both evaluators; they must agree. */
function decide(source: Source, request: AuthorizeRequest) {
  const compiled = core(authorize(compile(source), request));
  expect(compiled).toEqual(core(referenceAuthorize(source, request)));
  return compiled;
}

const NOW = { now: '2026-01-05T10:00:00Z' };

describe('an errored policy never grants', () => {
  // p0's rule holds a value validation refuses: it slipped past, so the policy is errored
  const source = parseSource({
    version: 1,
    accounts: [{ id: 'A', system: 'ibm' }],
    roles: [{ id: 'R', kind: 'custom', accountId: 'A', actions: ['svc.read'] }],
    policies: [
      {
        id: 'p0',
        accountId: 'A',
        subject: { kind: 'group', id: 'AccessGroupId-PublicAccess' },
        roles: ['R'],
        resource: { attributes: [{ name: 'resourceId', operator: 'stringEquals', value: 'r1' }] },
        rule: { operator: 'and', conditions: [{ key: '{{resource.attributes.x}}', operator: 'stringExists', value: true }] },
      },
    ],
  });
  (source.policies[0]!.rule!.conditions[0] as { value: unknown }).value = 'maybe';

  it('as the only candidate, on attributes that match', () => {
    const request = { subject: {}, action: 'svc.read', resource: { attributes: { accountId: 'A', resourceId: 'r1', x: 'y' } }, environment: NOW };
    expect(decide(source, request)).toEqual({ allowed: false, reason: 'no-match', policies: [], errors: ['p0'] });
  });
});

describe('Cloudflare scopes hold only in their own account and for their own type', () => {
  const base = () =>
    parseSource({
      version: 1,
      accounts: [
        { id: 'A', system: 'cloudflare' },
        { id: 'B', system: 'cloudflare' },
      ],
      principals: [{ id: 'm', accountId: 'A', kind: 'user' }],
      roles: [
        { id: 'pg-zone', kind: 'permission-group', scopeType: 'zone', actions: ['dns.read'] },
        { id: 'pg-account', kind: 'permission-group', scopeType: 'account', actions: ['dns.read'] },
      ],
      resourceGroups: [
        { id: 'rg-a', accountId: 'A', scope: [{ key: 'com.cloudflare.api.account.A', objects: [{ key: 'com.cloudflare.api.account.zone.z1' }] }] },
        { id: 'rg-b', accountId: 'B', scope: [{ key: 'com.cloudflare.api.account.B', objects: [{ key: 'com.cloudflare.api.account.zone.z1' }] }] },
        { id: 'rg-b-account', accountId: 'B', scope: [{ key: 'com.cloudflare.api.account.B', objects: [{ key: '*' }] }] },
      ],
      policies: [{ id: 'p', accountId: 'A', subject: { kind: 'principal', id: 'm' }, roles: ['pg-zone'], resource: { resourceGroups: ['rg-a'] } }],
    });
  const zone = { subject: { id: 'm' }, action: 'dns.read', resource: { attributes: { accountId: 'A' }, zones: ['z1'] }, environment: NOW };
  const account = { subject: { id: 'm' }, action: 'dns.read', resource: { attributes: { accountId: 'A' } }, environment: NOW };

  it('grants through a resource group of its own account', () => {
    expect(decide(base(), zone)).toEqual({ allowed: true, reason: 'allow', policies: ['p'], errors: [] });
  });

  it('a policy naming a zone scope of another account reaches nothing (a source changed after parsing)', () => {
    const s = base();
    s.policies[0]!.resource.resourceGroups = ['rg-b'];
    expect(decide(s, zone)).toEqual({ allowed: false, reason: 'no-match', policies: [], errors: [] });
  });

  it('a policy naming the account scope of another account reaches nothing', () => {
    const s = base();
    s.policies[0]!.roles = ['pg-account'];
    s.policies[0]!.resource.resourceGroups = ['rg-b-account'];
    expect(decide(s, account)).toEqual({ allowed: false, reason: 'no-match', policies: [], errors: [] });
  });

  it('a permission group paired with a scope of another type never matches', () => {
    const s = base();
    s.policies[0]!.roles = ['pg-account'];
    expect(decide(s, zone)).toEqual({ allowed: false, reason: 'no-match', policies: [], errors: [] });
  });
});
