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
  // one operation asks the same question for every member a group change reaches and at every later instant: each
  // answer is worked out once (the gate decides over one state and one instant, so a recomputed answer is the same)
  const answers = new Map<string, boolean>();
  const orgAdmins = new Map<string, boolean>();
  const orgAdmin = (accountId: string): boolean => {
    const v = orgAdmins.get(accountId) ?? gateOf(accountId).mayAsOrganizationAdmin(BLUEXP_ORG_ACTION, accountTarget(accountId));
    orgAdmins.set(accountId, v);
    return v;
  };
  /**
   * IBM: the actor holds every action the Administrator role grants for `service` at `at`, and there is one. A grant
   * for any service (null), or for a service the catalog does not list (a custom role's), has no Administrator role.
   */
  const administers = (gate: Gate, service: string | null, at: RequestResource): boolean => {
    const actions = gate.state.list('service').find((s) => s.name === service)?.roles[IBM_ADMINISTRATOR];
    if (actions === undefined || actions.length === 0) return false;
    return actions.every((a) => gate.may(a, at));
  };
  const decide = (accountId: string, action: string, service: string | null, at: RequestResource, admin: string | null): boolean => {
    const gate = gateOf(accountId);
    // INVARIANT: a grant's account is in the state (parseSource); one that is not has no system, and the gate's
    // `authorize` denies every request there, so it delegates nothing (fail closed)
    const system = gate.state.get('account', accountId)?.system;
    if (system === 'bluexp') {
      if (orgAdmin(accountId)) return true;
      // only an organization admin makes another one
      if (admin === 'organization') return false;
    }
    if (gate.may(action, at)) return true;
    return system === 'ibm' && administers(gate, service, at);
  };
  return {
    may(accountId, action, service, target, admin = null) {
      const at = service === null ? target : withService(target, service);
      const key = JSON.stringify([accountId, action, service, admin, at]);
      const v = answers.get(key) ?? decide(accountId, action, service, at, admin);
      answers.set(key, v);
      return v;
    },
  };
}

/** `target` for a grant of one service: what the grant reaches of it (a selector leaving `serviceName` open, or an errored policy's account). */
function withService(target: RequestResource, service: string): RequestResource {
  return { ...target, attributes: { ...target.attributes, serviceName: service } as Record<string, RequestScalar> };
}
