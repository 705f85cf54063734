// Pins of compile-source.ts (issue 12, MUTATION.md): the ranks compile gives policies and bindings (decisions list and
// order the deciding policies by them), and the rows compile reads through its lookup.
import { describe, expect, it } from 'vitest';
import { compile, MAX_RANK, rankPolicies } from './compile-source.js';
import { CandFlag, RANK_SHIFT } from './identity-index.js';
import { parseSource } from '../model/index.js';
import type { CompiledPolicy } from './tables.js';
import type { Source } from '../model/source.js';

const records = (...ids: string[]) => ids.map((id) => ({ id, rank: -1 }) as CompiledPolicy);
const ranks = (rs: CompiledPolicy[]) => Object.fromEntries(rs.map((r) => [r.id, r.rank]));

describe('rankPolicies', () => {
  it('ranks by id in code-unit order from 1, equal ids sharing a rank', () => {
    const rs = records('b', 'a', 'B', 'b', 'c');
    rankPolicies(rs);
    expect(rs.map((r) => [r.id, r.rank])).toEqual([
      ['B', 1],
      ['a', 2],
      ['b', 3],
      ['b', 3],
      ['c', 5],
    ]);
  });

  it('ranks as many as a record can hold, and none of a compile holding more', () => {
    const fits = records('b', 'a');
    rankPolicies(fits, 2);
    expect(ranks(fits)).toEqual({ a: 1, b: 2 });
    const over = records('b', 'a', 'c');
    rankPolicies(over, 2);
    expect(ranks(over)).toEqual({ a: -1, b: -1, c: -1 });
  });

  it('caps ranks where a record holds them and the id sort keys them exactly', () => {
    // no test compiles 2^28 policies, so the cap is checked against what reads the ranks: a record keeps the rank above
    // its flags (identity-index.ts), read back with `>>> RANK_SHIFT`
    expect(((MAX_RANK << RANK_SHIFT) | CandFlag.Deny | CandFlag.Error | CandFlag.Tail) >>> RANK_SHIFT).toBe(MAX_RANK);
    // authorize's rankedIds keys a hit as `rank * 2^25 + i`, i its place among the hits (below 2^25): the largest key
    // must be an exact double, or two hits could share a key (2^28 + 1, one more than a record needs, fails here)
    const keySpan = 2 ** 25;
    expect(Number.isSafeInteger(MAX_RANK * keySpan + keySpan - 1)).toBe(true);
  });
});

describe('compile reads rows by account', () => {
  it('rebuilds a BlueXP account’s nodes from its own rows only, and finds the group a binding names', () => {
    const t = compile(
      parseSource({
        version: 1,
        accounts: [
          { id: 'A', system: 'bluexp' },
          { id: 'B', system: 'bluexp' },
        ],
        nodes: [
          { id: 'fa', accountId: 'A', kind: 'folder', parentId: null },
          { id: 'pa', accountId: 'A', kind: 'project', parentId: 'fa' },
          { id: 'pb', accountId: 'B', kind: 'project', parentId: null },
        ],
        groups: [{ id: 'g', accountId: 'A', name: 'g', federated: true }],
        roles: [{ id: 'viewer', kind: 'bluexp', actions: ['x.read'] }],
        bindings: [{ id: 'b', accountId: 'A', subject: { kind: 'group', id: 'g' }, roleId: 'viewer', nodeId: 'pa' }],
      }),
    );
    expect([...t.accounts.get('A')!.nodes.keys()]).toEqual(['fa', 'pa']);
    expect([...t.accounts.get('A')!.nodes.get('pa')!.up]).toEqual(['pa', 'fa', 'A']);
    expect([...t.accounts.get('B')!.nodes.keys()]).toEqual(['pb']);
  });
});

describe('compile', () => {
  const ibm = () =>
    parseSource({
      version: 1,
      accounts: [{ id: 'acc', system: 'ibm' }],
      principals: [{ id: 'u', accountId: 'acc', kind: 'user' }],
      roles: [{ id: 'reader', kind: 'service', actions: ['kms.read'] }],
      policies: ['b', 'c', 'a'].map((id) => ({ id, accountId: 'acc', subject: { kind: 'principal' as const, id: 'u' }, roles: ['reader'], resource: {} })),
    });

  it('ranks the policies it compiles by id (the records carry the ranks decisions order by)', () => {
    const cands = compile(ibm()).accounts.get('acc')!.principals.get('u')!.index.cands;
    expect(Object.fromEntries(cands.map((c) => [c.policy.id, c.policy.rank]))).toEqual({ a: 1, b: 2, c: 3 });
  });

  it('reads a service without groups as in none', () => {
    const s = ibm();
    const service = { name: 'kms', type: 'service', roles: {} } as unknown as Source['services'][number];
    expect(compile({ ...s, services: [service] }).services.get('kms')!.groups).toEqual([]);
  });

  it('gates an account by its SSO connectors even when the account has no row (compile does not validate)', () => {
    const s = ibm();
    const connector = { id: 'sso', accountId: 'acc', emailDomain: 'corp.example', enabled: true, useFedrampLanguage: false, verification: { code: 'c', status: 'verified' } } as const;
    const t = compile({ ...s, accounts: [], ssoConnectors: [connector] });
    expect([...t.accounts.get('acc')!.sso!.keys()]).toEqual(['corp.example']);
  });
});
