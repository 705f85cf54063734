// Pins of index-policy.ts's compiled layout (issue 12, MUTATION.md, section "mutidx"): what a candidate holds is part of
// tables.ts's contract (Candidate: `slow`, `attributes` less what the index guarantees, the first plain equality
// inlined), not only what it decides. The decisions are pinned in test/mutation-pins-index-policy.test.ts; the forms
// these catch decide alike (the scan tests more than it needs) and only slow every request down.
import { describe, expect, it } from 'vitest';
import { compile } from './compile-source.js';
import { parseSource } from '../model/index.js';
import type { AttributeMatcher, Candidate, Tables } from './tables.js';

const source = (attributes: { name: string; operator: 'stringEquals' | 'stringMatch'; value: string }[]) =>
  parseSource({
    version: 1,
    accounts: [{ id: 'acc', system: 'ibm' }],
    principals: [{ id: 'u', accountId: 'acc', kind: 'user' }],
    // `reader` is granted kms.read for service kms by the catalog; `writer`'s own action is a grant of no service
    services: [{ name: 'kms', type: 'service', roles: { reader: ['kms.read'] } }],
    roles: [
      { id: 'reader', kind: 'service', actions: [] },
      { id: 'writer', kind: 'service', actions: ['kms.write'] },
    ],
    policies: [{ id: 'p', accountId: 'acc', subject: { kind: 'principal', id: 'u' }, roles: ['reader', 'writer'], resource: { attributes } }],
  });

const candidates = (t: Tables): Candidate[] => t.accounts.get('acc')!.principals.get('u')!.index.cands;
const text = (list: readonly AttributeMatcher[]) => list.map((m) => `${m.name} ${m.op} ${m.value}`);
const shape = (c: Candidate, t: Tables) => ({
  service: c.service,
  slow: c.slow,
  attributes: text(c.attributes),
  eq: c.eqAttr < 0 ? null : `${[...t.attributeNames].find(([, id]) => id === c.eqAttr)![0]} ${c.eqValue}`,
  rest: text(c.rest),
});

describe('index-policy: a candidate holds what its grant does not guarantee, and nothing more', () => {
  it('drops the own-account equality always, the service pin for a grant of that service, and inlines the first plain equality', () => {
    const t = compile(
      source([
        { name: 'accountId', operator: 'stringEquals', value: 'acc' },
        { name: 'serviceName', operator: 'stringEquals', value: 'kms' },
        { name: 'resource', operator: 'stringEquals', value: 'r1' },
        { name: 'resourceType', operator: 'stringEquals', value: 'key' },
      ]),
    );
    const byService = (s: string | null) => candidates(t).find((c) => c.service === s)!;
    expect(candidates(t)).toHaveLength(2);
    // the grant for kms: both guaranteed equalities gone, `resource` inlined, `resourceType` left to test
    expect(shape(byService('kms'), t)).toEqual({
      service: 'kms',
      slow: false,
      attributes: ['resource 0 r1', 'resourceType 0 key'],
      eq: 'resource r1',
      rest: ['resourceType 0 key'],
    });
    // the grant of no service: the pin is a condition like any other, inlined as the first plain equality
    expect(shape(byService(null), t)).toEqual({
      service: null,
      slow: false,
      attributes: ['serviceName 0 kms', 'resource 0 r1', 'resourceType 0 key'],
      eq: 'serviceName kms',
      rest: ['resource 0 r1', 'resourceType 0 key'],
    });
  });

  it('a list with no plain equality inlines none, and a policy of attribute conditions only is not slow', () => {
    const t = compile(source([{ name: 'resource', operator: 'stringMatch', value: 'r*' }]));
    for (const c of candidates(t)) expect(shape(c, t)).toMatchObject({ slow: false, attributes: ['resource 1 r*'], eq: null, rest: ['resource 1 r*'] });
  });
});
