// Pins of reading each claim once per resolution (authorize.ts, matchClaimOnce): rules of one realm whose conditions
// name the same claims with every operator must decide as matchClaim does condition by condition (the reference
// evaluator), whatever the claim holds (a string, a number, an array, an object, nothing), and what one request's
// claims held must not be seen by the next one's.
import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile-source.js';
import { parseSource } from '../model/parse-source.js';
import { referenceAuthorize } from '../testing/reference-evaluator.js';
import { authorize } from './authorize.js';

const realm = 'https://idp.example';
const rule = (id: string, conditions: { claim: string; operator: string; value: string }[]) => ({ id, realmName: realm, expiration: 12, conditions });
const ops = ['EQUALS', 'NOT_EQUALS', 'EQUALS_IGNORE_CASE', 'NOT_EQUALS_IGNORE_CASE', 'IN', 'CONTAINS'];
// one group per (claim, operator), plus groups whose two conditions name the same claim
const groups = [
  ...['dept', 'groups'].flatMap((claim) =>
    ops.map((operator) => ({
      id: `g-${claim}-${operator}`,
      name: `${claim} ${operator}`,
      rules: [rule(`r-${claim}-${operator}`, [{ claim, operator, value: operator === 'IN' ? '["Sales","5"]' : '"sales"' }])],
    })),
  ),
  { id: 'g-pair', name: 'pair', rules: [rule('r-pair', [{ claim: 'dept', operator: 'NOT_EQUALS', value: '"x"' }, { claim: 'groups', operator: 'CONTAINS', value: '"sales"' }])] },
  { id: 'g-same', name: 'same', rules: [rule('r-same', [{ claim: 'dept', operator: 'EQUALS_IGNORE_CASE', value: '"SALES"' }, { claim: 'dept', operator: 'NOT_EQUALS', value: '"sales"' }])] },
];
const source = parseSource({
  version: 1,
  accounts: [{ id: 'a1', system: 'ibm' }],
  services: [{ name: 'cos', type: 'service', roles: { Reader: ['cos.object.get'] } }],
  roles: [{ id: 'Reader', kind: 'service' }],
  principals: [{ id: 'u', accountId: 'a1', kind: 'user' }],
  groups: groups.map((g) => ({ ...g, accountId: 'a1', members: [] })),
  policies: groups.map((g) => ({
    id: `p-${g.id}`,
    accountId: 'a1',
    subject: { kind: 'group', id: g.id },
    roles: ['Reader'],
    resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'cos' }] },
  })),
});
const values: unknown[] = [undefined, null, 'sales', 'Sales', 'x', 'presales', 5, true, ['sales'], ['x', 'Sales'], ['presales'], [], [null, 'sales'], { a: 'sales' }];
const ask = (attributes: Record<string, unknown>) => ({
  subject: { id: 'u', claims: { realm, attributes } },
  action: 'cos.object.get',
  resource: { attributes: { accountId: 'a1', serviceName: 'cos' } },
  environment: { now: 0 },
});

describe('claims read once per resolution decide as each condition read alone', () => {
  const tables = compile(source);
  it('on every pair of values of the two claims, one request after another', () => {
    let allowed = 0;
    for (const dept of values)
      for (const g of values) {
        const attributes: Record<string, unknown> = {};
        if (dept !== undefined) attributes['dept'] = dept;
        if (g !== undefined) attributes['groups'] = g;
        const request = ask(attributes);
        const d = authorize(tables, request);
        const r = referenceAuthorize(source, request);
        expect({ dept, g, policies: d.policies }).toEqual({ dept, g, policies: r.policies });
        if (d.allowed) allowed++;
      }
    expect(allowed).toBeGreaterThan(100);
  });
  it('names the groups matchClaim says (so the comparison is not vacuous)', () => {
    expect(authorize(tables, ask({ dept: 'Sales', groups: ['x', 'sales'] })).policies).toEqual(
      [
        'p-g-dept-EQUALS_IGNORE_CASE',
        'p-g-dept-IN',
        'p-g-dept-NOT_EQUALS',
        'p-g-groups-CONTAINS',
        'p-g-groups-EQUALS',
        'p-g-groups-EQUALS_IGNORE_CASE',
        'p-g-pair',
        'p-g-same',
      ].sort(),
    );
    // the next request's claims are its own: nothing of the last one's is seen
    expect(authorize(tables, ask({})).policies).toEqual(['p-g-dept-NOT_EQUALS', 'p-g-dept-NOT_EQUALS_IGNORE_CASE', 'p-g-groups-NOT_EQUALS', 'p-g-groups-NOT_EQUALS_IGNORE_CASE']);
  });
});
