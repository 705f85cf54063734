// A small IBM account shared by the fleet tests, their child processes and the fleet bench: one group whose
// members may read `cos`, and principals `u-<worker>-<k>` for workers to add to it. Plain JavaScript so child
// processes import it unbuilt.
import { ibmAccessGroupOperations } from '@portcullis/engine';

export const ACCOUNT = 'a1';
export const GROUP = 'g1';
export const SYSTEM = { kind: 'system' };

/** The id of the k-th principal of a worker. */
export const principalId = (worker, k) => `u-${worker}-${k}`;

/** The rows every fleet test starts from: `workers` × `perWorker` principals, none in the group yet. */
export function baseChanges(workers, perWorker) {
  const principals = [];
  for (let w = 0; w < workers; w++)
    for (let k = 0; k < perWorker; k++)
      principals.push({ op: 'put', entity: 'principal', value: { id: principalId(w, k), accountId: ACCOUNT, kind: 'user' } });
  return [
    { op: 'put', entity: 'account', value: { id: ACCOUNT, system: 'ibm' } },
    { op: 'put', entity: 'service', value: { name: 'cos', type: 'service', roles: { reader: ['cos.object.get'] } } },
    { op: 'put', entity: 'role', value: { id: 'reader', kind: 'service' } },
    ...principals,
    { op: 'put', entity: 'group', value: { id: GROUP, accountId: ACCOUNT, name: 'readers', members: [] } },
    { op: 'put', entity: 'resource', value: { id: 'r1', accountId: ACCOUNT, attributes: { serviceName: 'cos', resource: 'bucket-1' } } },
    {
      op: 'put',
      entity: 'policy',
      value: {
        id: 'p-readers',
        accountId: ACCOUNT,
        type: 'access',
        effect: 'allow',
        subject: { kind: 'group', id: GROUP },
        roles: ['reader'],
        resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'cos' }] },
      },
    },
  ];
}

/** The request whose answer changes when `principal` joins the group. */
export const ask = (principal) => ({ subject: { id: principal }, action: 'cos.object.get', resource: { id: 'r1' } });

/** Adds one principal to the group through the IBM Access Groups operation: every worker writes the same row. */
export function addMember(engine, principal) {
  return engine.apply(
    ibmAccessGroupOperations.addMembersToAccessGroup,
    { account_id: ACCOUNT, access_group_id: GROUP, members: [{ iam_id: principal, type: 'user' }] },
    { actor: SYSTEM },
  );
}

/** Waits (polling, without a deadline of its own: the test's timeout bounds it) until `check()` holds. */
export async function until(check, everyMs = 10) {
  while (!(await check())) await new Promise((r) => setTimeout(r, everyMs));
}
