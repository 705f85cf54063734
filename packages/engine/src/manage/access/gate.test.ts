// The gate (gate.ts) asked directly: what an open target stands for, counted against the run's budget; the marker of
// "more tags" never asked as a tag; an organization admin only where every witness says so. Each case is one a mutant
// of the gate's counting or of its open-value path gets wrong (the operations reach these paths only through the
// review, where a difference of one request or one tag set is not seen).
import { describe, expect, it } from 'vitest';
import { compile } from '../../compile/compile-source.js';
import { SeedError } from '../../errors.js';
import { parseSource } from '../../model/parse-source.js';
import { SourceState } from '../../model/source-state.js';
import { IBM_POLICY_CODES } from './codes.js';
import { createGate, MAX_RUN_PROBES } from './gate.js';
import { createWitnessWalks } from './witnesses.js';
import { ANY_OR_ABSENT, MORE_TAGS } from './targets.js';

const NOW = Date.UTC(2026, 0, 5, 12);
const cond = (name: string, value: unknown, operator = 'stringEquals') => ({ name, operator, value });
const policy = (id: string, principal: string, role: string, attributes: object[], tags: object[] = []) => ({
  id,
  accountId: 'A',
  subject: { kind: 'principal', id: principal },
  roles: [role],
  resource: { attributes: [cond('serviceName', 'kms'), ...attributes], tags },
});
// A tag whose name is the gate's marker of "more tags" (the schema admits any non-empty name): a request carrying the
// marker itself would meet it, as the pair (marker, '')
const MARKER_TAG = { name: MORE_TAGS, value: '', operator: 'stringEquals' };
const source = parseSource({
  version: 1,
  accounts: [{ id: 'A', system: 'ibm' }],
  services: [{ name: 'kms', type: 'service' }],
  roles: [
    { id: 'R', kind: 'custom', accountId: 'A', actions: ['kms.keys.read'], serviceName: 'kms' },
    { id: 'ORG', kind: 'bluexp', actions: ['rolebinding:create'], admin: 'organization' },
  ],
  principals: ['reader', 'tagged', 'admin'].map((id) => ({ id, accountId: 'A', kind: 'user' })),
  policies: [
    // `reader` reads keys k1 and k2 only: an open `resource` is asked as absent, k1, k2 and one value neither names
    policy('p-reader', 'reader', 'R', [cond('resource', ['k1', 'k2'], 'stringEqualsAnyOf')]),
    policy('p-tagged', 'tagged', 'R', [], [MARKER_TAG]),
    // an organization admin on key k1 only
    policy('p-admin', 'admin', 'ORG', [cond('resource', 'k1')]),
  ],
});
const state = SourceState.from(source);
const tables = compile(source);
const gateOf = (id: string, run = { probesLeft: MAX_RUN_PROBES, requests: 0, instants: new Set<number>() }) =>
  createGate({ kind: 'subject', id, accountId: 'A' }, state, tables, NOW, IBM_POLICY_CODES, new Map(), createWitnessWalks(), run);
const key = (resource: string) => ({ attributes: { accountId: 'A', serviceName: 'kms', resource } });
/** Any key or none, with any further tags: a policy target that leaves `resource` open. */
const anyKey = { attributes: { accountId: 'A', serviceName: 'kms', resource: ANY_OR_ABSENT }, tags: [MORE_TAGS] };

describe('the requests an open target stands for, against the run’s budget', () => {
  it('four for `reader` (absent, k1, k2, another key; no tag set but the fewest): three beyond the first counted, four decided, at now', () => {
    const run = { probesLeft: 3, requests: 0, instants: new Set<number>() };
    expect(gateOf('reader', run).may('kms.keys.read', anyKey)).toBe(false);
    expect(run).toEqual({ probesLeft: 0, requests: 4, instants: new Set([NOW]) });
    // a plain target is one request, counted in requests but not against the budget
    expect(gateOf('reader', run).may('kms.keys.read', key('k1'))).toBe(true);
    expect(run).toEqual({ probesLeft: 0, requests: 5, instants: new Set([NOW]) });
  });

  it('one request past the budget is refused with the seed’s 403', () => {
    const run = { probesLeft: 2, requests: 0, instants: new Set<number>() };
    let thrown: unknown;
    try {
      gateOf('reader', run).may('kms.keys.read', anyKey);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SeedError);
    expect(thrown).toMatchObject({ status: 403, code: IBM_POLICY_CODES.forbidden.code });
  });
});

describe('the marker of more tags is no tag', () => {
  it('a holder of keys tagged with the marker’s name does not hold keys with any tags', () => {
    const gate = gateOf('tagged');
    // the key that carries the tag: held
    expect(gate.may('kms.keys.read', { ...key('k9'), tags: [`${MORE_TAGS}:`] })).toBe(true);
    // any key with any tags: its fewest tags are none, which the policy does not meet
    expect(gate.may('kms.keys.read', { ...key('k9'), tags: [MORE_TAGS] })).toBe(false);
  });
});

describe('an organization admin is one on every witness of an open target', () => {
  it('an organization admin on key k1 is one there, not on any key', () => {
    const gate = gateOf('admin');
    expect(gate.mayAsOrganizationAdmin('rolebinding:create', key('k1'))).toBe(true);
    expect(gate.mayAsOrganizationAdmin('rolebinding:create', anyKey)).toBe(false);
  });
});
