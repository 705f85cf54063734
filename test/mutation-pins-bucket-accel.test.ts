// Pins of compile/bucket-accel.ts (issue 12, MUTATION.md, section "mutcmp3"): a range of at least ACCEL_MIN candidates
// is prefiltered by the key that leaves the fewest unkeyed (an attribute's `stringEquals` value, a Cloudflare zone or
// a BlueXP node). A prefilter that keys a candidate under a key its request does not carry loses it: a lost allow is a
// false deny, a lost deny a false allow. Each system gets one identity with more than ACCEL_MIN candidates under one
// action, and every request is decided by the compiled tables and by the reference evaluator.
import { describe, expect, it } from 'vitest';
import { authorize, compile, parseSource, type AuthorizeRequest, type Source } from '@portcullis/engine';
import { referenceAuthorize } from '@portcullis/engine/testing';
import { ACCEL_MIN } from '../packages/engine/src/compile/bucket-accel.js';

const N = ACCEL_MIN + 8;
const ids = Array.from({ length: N }, (_, i) => i);
const now = '2026-01-05T10:00:00Z';

function expectDecision(s: Source, request: AuthorizeRequest, allowed: boolean, policies: string[]): void {
  const d = authorize(compile(s), { ...request, environment: { now } });
  expect({ allowed: d.allowed, policies: d.policies }).toEqual({ allowed, policies });
  expect(referenceAuthorize(s, { ...request, environment: { now } }).allowed).toBe(allowed);
}

describe('an attribute prefilter keys each candidate by its own attribute', () => {
  const actions = ['kms.read', 'kms.list', 'kms.write', 'kms.delete', 'kms.rotate', 'kms.wrap'];
  const eq = (name: string, value: string) => ({ name, operator: 'stringEquals' as const, value });
  const policy = (id: string, attributes: ReturnType<typeof eq>[], deny = false) => ({
    id,
    accountId: 'A',
    subject: { kind: 'principal' as const, id: 'u' },
    roles: ['reader'],
    // no serviceName condition: every candidate would be keyed by it alike, and the prefilter would pick it
    resource: { attributes },
    ...(deny ? { effect: 'deny' as const } : {}),
  });
  const s = parseSource({
    version: 1,
    accounts: [{ id: 'A', system: 'ibm' }],
    principals: [{ id: 'u', accountId: 'A', kind: 'user' }],
    // several actions: each is a slot of the index, and some slot is not the first
    roles: [{ id: 'reader', kind: 'service', actions }],
    policies: [
      ...ids.map((i) => policy(`p${i}`, [eq('resource', `r${i}`)])),
      // its first keyed condition is on another attribute than the one the prefilter keys by (`resource`)
      policy('q', [eq('region', 'eu'), eq('resource', 'rq')]),
      policy('d', [eq('region', 'us'), eq('resource', 'rd')], true),
      policy('a', [eq('region', 'us'), eq('resource', 'rd')]),
    ],
  });
  const ask = (resource: string, region: string, action = 'kms.read'): AuthorizeRequest => ({
    subject: { id: 'u' },
    action,
    resource: { attributes: { accountId: 'A', serviceName: 'kms', resource, region } },
  });

  it('finds each candidate under its value, and one whose first equality names another attribute', () => {
    expectDecision(s, ask('r5', 'eu'), true, ['p5']);
    expectDecision(s, ask(`r${N - 1}`, 'eu'), true, [`p${N - 1}`]);
    expectDecision(s, ask('rq', 'eu'), true, ['q']);
    expectDecision(s, ask('rx', 'eu'), false, []);
  });

  it('a deny keyed the same way still refuses', () => {
    expectDecision(s, ask('rd', 'us'), false, ['d']);
  });

  it('each action’s slot has its own prefilter', () => {
    for (const action of actions) expectDecision(s, ask('r5', 'eu', action), true, ['p5']);
  });
});

describe('a zone prefilter keys a Cloudflare candidate by the zones its resource groups name', () => {
  const zone = (z: string) => ({ key: 'com.cloudflare.api.account.A', objects: [{ key: `com.cloudflare.api.account.zone.${z}` }] });
  const policy = (id: string, group: string, deny = false) => ({
    id,
    accountId: 'A',
    subject: { kind: 'principal' as const, id: 'u' },
    roles: ['zone-reader'],
    resource: { resourceGroups: [group] },
    ...(deny ? { effect: 'deny' as const } : {}),
  });
  const s = parseSource({
    version: 1,
    accounts: [{ id: 'A', system: 'cloudflare' }],
    principals: [{ id: 'u', accountId: 'A', kind: 'user' }],
    roles: [{ id: 'zone-reader', kind: 'permission-group', scopeType: 'zone', actions: ['zone.read'] }],
    resourceGroups: [
      ...ids.map((i) => ({ id: `rg${i}`, accountId: 'A', scope: [zone(`z${i}`)] })),
      { id: 'rg-two', accountId: 'A', scope: [zone('y1'), zone('y2')] },
      { id: 'rg-all', accountId: 'A', scope: [zone('*')] },
    ],
    policies: [...ids.map((i) => policy(`p${i}`, `rg${i}`)), policy('two', 'rg-two'), policy('d', 'rg3', true), policy('all', 'rg-all')],
  });
  const at = (z: string): AuthorizeRequest => ({ subject: { id: 'u' }, action: 'zone.read', resource: { attributes: { accountId: 'A' }, zones: [z] } });

  it('finds a candidate under each zone it names, and one naming every zone under any', () => {
    expectDecision(s, at('z5'), true, ['all', 'p5']);
    expectDecision(s, at('y2'), true, ['all', 'two']);
    expectDecision(s, at('elsewhere'), true, ['all']);
  });

  it('a deny on a zone still refuses there', () => {
    expectDecision(s, at('z3'), false, ['d']);
  });
});

describe('an attribute prefilter over BlueXP candidates that also name nodes', () => {
  // every candidate has both an attribute key and a node key: the attribute is chosen (considered first, no better), and
  // its candidates must be keyed by their attribute values, not by their nodes
  const s = parseSource({
    version: 1,
    accounts: [{ id: 'O', system: 'bluexp' }],
    principals: [{ id: 'u', accountId: 'O', kind: 'user' }],
    nodes: [{ id: 'P', accountId: 'O', kind: 'project', parentId: null }],
    roles: [{ id: 'viewer', kind: 'bluexp', actions: ['volume:read'] }],
    policies: ids.map((i) => ({
      id: `p${i}`,
      accountId: 'O',
      subject: { kind: 'principal' as const, id: 'u' },
      roles: ['viewer'],
      resource: { nodes: ['P'], attributes: [{ name: 'resource', operator: 'stringEquals' as const, value: `r${i}` }] },
    })),
  });
  it('finds a candidate under its attribute value at its node', () => {
    const ask = (resource: string): AuthorizeRequest => ({ subject: { id: 'u' }, action: 'volume:read', resource: { attributes: { accountId: 'O', resource }, projects: ['P'] } });
    expectDecision(s, ask('r5'), true, ['p5']);
    expectDecision(s, ask('P'), false, []);
  });
});

describe('a node prefilter keys a BlueXP binding by its node', () => {
  const s = parseSource({
    version: 1,
    accounts: [{ id: 'O', system: 'bluexp' }],
    principals: [{ id: 'u', accountId: 'O', kind: 'user' }],
    nodes: [{ id: 'F', accountId: 'O', kind: 'folder', parentId: null }, ...ids.map((i) => ({ id: `P${i}`, accountId: 'O', kind: 'project' as const, parentId: 'F' }))],
    roles: [{ id: 'viewer', kind: 'bluexp', actions: ['volume:read'] }],
    bindings: ids.map((i) => ({ id: `b${i}`, accountId: 'O', subject: { kind: 'principal' as const, id: 'u' }, roleId: 'viewer', nodeId: `P${i}` })),
  });
  const at = (project: string): AuthorizeRequest => ({ subject: { id: 'u' }, action: 'volume:read', resource: { attributes: { accountId: 'O' }, projects: [project] } });

  it('finds each binding under its project, and none elsewhere', () => {
    expectDecision(s, at('P7'), true, ['b7']);
    expectDecision(s, at(`P${N - 1}`), true, [`b${N - 1}`]);
    expectDecision(s, at('F'), false, []);
  });
});
