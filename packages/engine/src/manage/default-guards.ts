// The guards an engine consults unless its options name others: every IBM, Cloudflare and BlueXP operation's own,
// as each declares it (defineOperation). A value, frozen, built from the operation tables: nothing registers into it
// at import, and an engine that wants other guards is given a registry of its own (`createEngine({ guards })`).
import { GuardRegistry } from './access/guard.js';
import { bluexpOperations } from './bluexp/operations.js';
import { cloudflareOperations } from './cloudflare/operations.js';
import { ibmAccessGroupOperations } from './ibm/access-groups.js';
import { ibmPolicyOperations } from './ibm/policies.js';

/** The guards of every IBM, Cloudflare and BlueXP management operation; frozen (copy it to add guards: `createGuardRegistry({ from })`). */
export const defaultGuards: GuardRegistry = new GuardRegistry()
  .registerDeclared(ibmAccessGroupOperations)
  .registerDeclared(ibmPolicyOperations)
  .registerDeclared(cloudflareOperations)
  .registerDeclared(bluexpOperations)
  .freeze();
