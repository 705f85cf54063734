// Issue 12, red team (ninth round): management as an attacker holding some access in one tenant, and a PEP sending
// odd requests. Each "hole: …" test failed on the code it was found on and passes since the fix named beside it;
// "refused: …" tests are attacks that failed but were not covered before, kept as regression tests. (HTTP, the server
// and the CLI are in test/redteam9-*.test.ts.)
import { describe, expect, it } from 'vitest';
import { bootstrapAccount, compile, createEngine, ibmAccessGroupOperations as ag, listResources, parseSource, resourceFilter, ValidationError, whatCan, whoCan } from '@portcullis/engine';
import { engine, refusal, snapshot, SYSTEM, who } from './helpers/access.js';
import { apply } from './helpers/ibm-world.js';

// Round 8 made a listing of another account the caller sees nothing of answer as a made-up account does (404), but
// only for operations whose guard narrows the state. PUT /v2/groups/_allgroups/members/{iam_id} (seed 002: a 207
// with each group's own result) has no narrowing guard: its guard refuses group by group, so a real foreign account
// answered a 207 of 403 items while a made-up one answered 404 account_not_found. FIXED in
// manage/access/run-guarded.ts: every guarded run, once its guard let it through, goes over the state without an
// account the caller cannot see (and may write nothing there).
describe('another account is a made-up one to a caller that sees nothing of it', () => {
  async function twoAccounts() {
    const e = engine();
    for (const id of ['acc-a', 'acc-b']) await apply(e, bootstrapAccount, { system: 'ibm', accountId: id, admin: { id: `admin-${id}`, email: `admin@${id}.example` } }, SYSTEM);
    const g = (await apply(e, ag.createAccessGroup, { account_id: 'acc-b', name: 'group b' }, who('admin-acc-b', 'acc-b'))) as { id: string };
    return { e, group: g.id };
  }

  it('hole: adding oneself to groups of another account answered a 207 of 403 items for a real account, 404 for a made-up one', async () => {
    const { e, group } = await twoAccounts();
    const me = who('admin-acc-a', 'acc-a');
    const before = snapshot(e);
    for (const groups of [[group], ['AccessGroupId-0000000000000000000000000000009f'], ['AccessGroupId-0000000000000000000000000000009f', group]]) {
      for (const account of ['acc-b', 'acc-zz']) {
        for (const iam_id of ['admin-acc-a', 'admin-acc-b']) {
          const input = { account_id: account, iam_id, type: 'user', groups };
          expect(await refusal(apply(e, ag.addMemberToMultipleAccessGroups, input, me)), `${account} ${iam_id} ${groups.length}`).toEqual({ code: 'account_not_found', status: 404 });
        }
      }
    }
    expect(snapshot(e)).toEqual(before);
  });

  it('refused: in its own account the same batch still answers item by item (a group it may not change is a 403 item)', async () => {
    const { e } = await twoAccounts();
    const admin = who('admin-acc-a', 'acc-a');
    const mine = (await apply(e, ag.createAccessGroup, { account_id: 'acc-a', name: 'mine' }, admin)) as { id: string };
    await e.commit([{ op: 'put', entity: 'principal', value: { id: 'IBMid-plain', accountId: 'acc-a', kind: 'user', status: 'active' } }]);
    const out = (await apply(e, ag.addMemberToMultipleAccessGroups, { account_id: 'acc-a', iam_id: 'IBMid-plain', type: 'user', groups: [mine.id] }, who('IBMid-plain', 'acc-a'))) as { groups: { status_code: number }[] };
    expect(out.groups.map((g) => g.status_code)).toEqual([403]);
    const ok = (await apply(e, ag.addMemberToMultipleAccessGroups, { account_id: 'acc-a', iam_id: 'IBMid-plain', type: 'user', groups: [mine.id] }, admin)) as { groups: { status_code: number }[] };
    expect(ok.groups.map((g) => g.status_code)).toEqual([200]);
  });
});

// A request means what it says (SEMANTICS §0), and so do the options of the analyses that answer for one: a misspelt
// `acountId` in listResources' options was dropped, and the list held every account's resources the subject may
// act on, not those of the account asked for (whoCan, whatCan and resourceFilter took any key beside `now` too).
// FIXED in analyze/action-candidates.ts checkNow: each analysis names the option keys it reads; any other is
// invalid_options.
describe('the options of an analysis mean what they say', () => {
  const NOW = Date.parse('2026-01-05T10:00:00Z');
  // `u-bob` is a principal of two BlueXP organizations, each with a registered resource it may read
  const source = parseSource({
    version: 1,
    accounts: [{ id: 'org-a', system: 'bluexp' }, { id: 'org-b', system: 'bluexp' }],
    principals: [{ id: 'u-bob', accountId: 'org-a', kind: 'user' }, { id: 'u-bob', accountId: 'org-b', kind: 'user' }],
    services: [{ name: 'storage', type: 'service', roles: { reader: ['storage.read'] } }],
    roles: [{ id: 'reader', kind: 'service' }],
    policies: ['org-a', 'org-b'].map((acc) => ({ id: `p-${acc}`, accountId: acc, subject: { kind: 'principal', id: 'u-bob' }, roles: ['reader'], resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'storage' }] } })),
    resources: ['org-a', 'org-b'].map((acc) => ({ id: `vol-${acc}`, accountId: acc, attributes: { serviceName: 'storage' } })),
  });
  const tables = compile(source);
  const bob = { id: 'u-bob' };

  it('hole: listResources with `acountId` listed every organization’s resources', () => {
    expect(listResources(tables, bob, 'storage.read', undefined, { now: NOW, accountId: 'org-a' }).map((r) => r.id)).toEqual(['vol-org-a']);
    expect(() => listResources(tables, bob, 'storage.read', undefined, { now: NOW, acountId: 'org-a' } as never)).toThrow(ValidationError);
  });

  it('hole: whoCan, whatCan and resourceFilter took a key they do not read', () => {
    const resource = { id: 'vol-org-a' };
    for (const run of [
      () => whoCan(tables, 'storage.read', resource, { now: NOW, explain: true } as never),
      () => whatCan(tables, bob, resource, { now: NOW, accountId: 'org-a' } as never),
      () => resourceFilter(tables, bob, 'storage.read', { now: NOW, accountId: 'org-a', acountId: 'org-b' } as never),
    ]) {
      let thrown: unknown;
      try {
        run();
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ValidationError);
      expect((thrown as ValidationError).code).toBe('invalid_options');
    }
    // with their own keys they answer
    expect(whoCan(tables, 'storage.read', resource, { now: NOW }).principals.map((p) => p.id)).toEqual(['u-bob']);
    expect(resourceFilter(tables, bob, 'storage.read', { now: NOW, accountId: 'org-a' })).toBeDefined();
    expect(createEngine({ source, clock: () => NOW }).authorize({ subject: bob, action: 'storage.read', resource }).allowed).toBe(true);
  });
});
