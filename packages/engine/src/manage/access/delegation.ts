// Delegation: who may give which access, where. The one place that says it (DELEGATION.md is its prose); the effect
// review asks it about every grant an operation makes anyone gain, and the lock-out rule about every principal an
// operation takes access from. Every answer is a decision of the engine over the tables as they were before the
// operation, for the actor acting in the grant's account.
//
// - IBM (seeds 002, 004): an actor delegates an action on a resource it may perform there itself, or any role of a
//   service on a resource where it holds the service's Administrator role (the seed's policy administrator: an
//   account administrator assigns service roles it does not hold). Managing a group's members or rules needs
//   Editor or Administrator on the group (the guard), and what a new member or rule gains through the group's
//   policies must still be delegable by the actor: the seed says who may add a member, not that adding one
//   delegates access the actor could not assign by a policy (the safe reading).
// - Cloudflare (seed 003): an actor delegates what it holds itself, where it holds it. The Administrator holds
//   everything, so delegates everything; an IAM Edit holder only what it holds besides (IAM and member editing).
// - BlueXP (seeds 000, 001): an organization admin delegates every role anywhere in its organization; a
//   folder-or-project admin (the seeds are silent: the safe reading) delegates the actions it holds at the nodes it
//   administers, so only within its nodes and never the organization admin's role; anyone else likewise only what
//   it holds, where it holds it.
import type { RequestResource, RequestScalar } from '../../evaluate/types.js';
import type { Gate } from './guard.js';
import { accountTarget } from './targets.js';

/** The IBM Administrator platform role, the one the seed's policy administrator holds on what it assigns. */
const IBM_ADMINISTRATOR = 'crn:v1:bluemix:public:iam::::role:Administrator';

/** The BlueXP action that only an administrator holds at the organization: asked to find an organization admin. */
const BLUEXP_ORG_ACTION = 'rolebinding:create';

/** What an actor may delegate, asked per account. */
export interface Delegation {
  /**
   * True when the actor may give `action` (for `service`, or any service when null) on `target` in `accountId`;
   * `admin` is the BlueXP administrator level of the role that grants it (null for any other role).
   */
  may(accountId: string, action: string, service: string | null, target: RequestResource, admin?: string | null): boolean;
}

/** The delegation rules of the actor of `gate`; `gateOf(accountId)` is the actor acting in that account. */
export function createDelegation(gateOf: (accountId: string) => Gate): Delegation {
  const memo = new Map<string, boolean>();
  const cached = (key: string, f: () => boolean): boolean => {
    let v = memo.get(key);
    if (v === undefined) memo.set(key, (v = f()));
    return v;
  };
  const systemOf = (accountId: string) => gateOf(accountId).state.get('account', accountId)?.system;
  const orgAdmin = (accountId: string) =>
    cached(`org\u0000${accountId}`, () => gateOf(accountId).mayAsOrganizationAdmin(BLUEXP_ORG_ACTION, accountTarget(accountId)));
  /** IBM: the actor holds every action the Administrator role grants for `service` on `target`, and there is one. */
  const administers = (accountId: string, service: string, target: RequestResource): boolean => {
    const gate = gateOf(accountId);
    const entry = gate.state.list('service').find((s) => s.name === service);
    const actions = entry?.roles[IBM_ADMINISTRATOR] ?? [];
    if (actions.length === 0) return false;
    const at = withService(target, service);
    return actions.every((a) => gate.may(a, at));
  };
  return {
    may(accountId, action, service, target, admin = null) {
      const at = service === null ? target : withService(target, service);
      return cached(`may\u0000${accountId}\u0000${action}\u0000${service ?? ''}\u0000${admin ?? ''}\u0000${JSON.stringify(at)}`, () => {
        const system = systemOf(accountId);
        // INVARIANT: an account the state does not know delegates nothing (fail closed)
        if (system === undefined) return false;
        if (system === 'bluexp') {
          if (orgAdmin(accountId)) return true;
          // only an organization admin makes another one
          if (admin === 'organization') return false;
        }
        if (gateOf(accountId).may(action, at)) return true;
        if (system === 'ibm' && service !== null) return administers(accountId, service, target);
        return false;
      });
    },
  };
}

function withService(target: RequestResource, service: string): RequestResource {
  const attrs = target.attributes ?? {};
  if (attrs['serviceName'] === service) return target;
  return { ...target, attributes: { ...attrs, serviceName: service } as Record<string, RequestScalar> };
}
