// Issue 12, red team (ninth round): management as an attacker holding some access in one tenant, and a PEP sending
// odd requests. Each "hole: …" test failed on the code it was found on and passes since the fix named beside it;
// "refused: …" tests are attacks that failed but were not covered before, kept as regression tests. (HTTP, the server
// and the CLI are in test/redteam9-*.test.ts.)
import { describe, expect, it } from 'vitest';
import { bootstrapAccount, ibmAccessGroupOperations as ag } from '@portcullis/engine';
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
