// BlueXP Tenancy account options (seed 001 FAQ): SaaS enablement (access to the BlueXP portal), third-party service
// enablement (services such as Fluid, marked `thirdParty: true` in the catalog) and the `CMNotificationOptIn`
// option, plus `PATCH tenancy/account/{accountId}/update-user`, which opts one user in to the notifications: with
// the account option on, only users who opted in receive them. What the first two mean for decisions: SEMANTICS §0.1.
import { z } from 'zod';
import type { Account, Principal } from '../../model/source.js';
import type { Change } from '../../model/entities.js';
import { bluexpAccount } from './common.js';
import { parseInput } from '../input.js';
import { findPrincipal } from './principals.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';
import { BLUEXP_CODES } from '../access/codes.js';
import { defineOperation } from '../define-operation.js';
import { accountTarget } from '../access/targets.js';
import { account, BLUEXP_ACTIONS, readAtOrg, withSaasOn } from './guards.js';
import { field, str } from '../access/loose-input.js';

/** The options of an account as the operations return them. */
export interface BluexpAccountOptions {
  accountId: string;
  saasEnabled: boolean;
  thirdPartyServicesEnabled: boolean;
  /** The seed's name: the account sends event notifications to the users who opted in (`update-user`). */
  CMNotificationOptIn: boolean;
}

/** The view of an account's options. */
export function accountOptionsView(a: Account): BluexpAccountOptions {
  return {
    accountId: a.id,
    saasEnabled: a.options.saasEnabled,
    thirdPartyServicesEnabled: a.options.thirdPartyServicesEnabled,
    CMNotificationOptIn: a.options.notificationOptIn,
  };
}

const getSchema = z.strictObject({ account_id: z.string().min(1) });

/** GET the account options of an organization; 404 `organization_not_found`. */
export const getAccountOptions = defineOperation({
  name: 'getAccountOptions',
  codes: BLUEXP_CODES,
  input: getSchema,
  // seed 001: "SaaS enablement is used to allow an account to have access to the BlueXP portal": off, it still lets
  // its organization admin read the options and turn it on again
  guard: { check: (gate, input) => withSaasOn(gate, account(gate, input)).require(BLUEXP_ACTIONS.accountsRead, accountTarget(account(gate, input))) },
  run(state: SourceState, input: z.input<typeof getSchema>, _ctx: ManageContext): OpResult<BluexpAccountOptions> {
    const q = parseInput(getSchema, input);
    return done(state, accountOptionsView(bluexpAccount(state, q.account_id)), []);
  },
});

const updateSchema = z
  .strictObject({
    account_id: z.string().min(1),
    saasEnabled: z.boolean().optional(),
    thirdPartyServicesEnabled: z.boolean().optional(),
    CMNotificationOptIn: z.boolean().optional(),
  })
  .strict();

/** Sets any of the three options; those not given stay. Turning SaaS or third-party services off takes effect on the next decision. */
export const updateAccountOptions = defineOperation({
  name: 'updateAccountOptions',
  codes: BLUEXP_CODES,
  input: updateSchema,
  // an organization admin, even while SaaS is off (withSaasOn)
  guard: {
    check(gate, input) {
      const accountId = account(gate, input);
      if (!withSaasOn(gate, accountId).mayAsOrganizationAdmin(BLUEXP_ACTIONS.accountsUpdate, accountTarget(accountId))) throw gate.forbidden();
    },
  },
  run(state: SourceState, input: z.input<typeof updateSchema>, _ctx: ManageContext): OpResult<BluexpAccountOptions> {
    const q = parseInput(updateSchema, input);
    const old = bluexpAccount(state, q.account_id);
    const options = {
      saasEnabled: q.saasEnabled ?? old.options.saasEnabled,
      thirdPartyServicesEnabled: q.thirdPartyServicesEnabled ?? old.options.thirdPartyServicesEnabled,
      notificationOptIn: q.CMNotificationOptIn ?? old.options.notificationOptIn,
    };
    const same =
      options.saasEnabled === old.options.saasEnabled &&
      options.thirdPartyServicesEnabled === old.options.thirdPartyServicesEnabled &&
      options.notificationOptIn === old.options.notificationOptIn;
    const next: Account = same ? old : { ...old, options };
    const changes: Change[] = same ? [] : [{ op: 'put', entity: 'account', value: next }];
    return done(state, accountOptionsView(next), changes);
  },
});

/** One user's notification setting. */
export interface BluexpUserNotification {
  accountId: string;
  userId: string;
  notificationOptIn: boolean;
  /** The account option and the user's are both on, and the user is active. */
  receivesNotifications: boolean;
}

function notificationView(a: Account, p: Principal): BluexpUserNotification {
  const optIn = p.notificationOptIn === true;
  return { accountId: a.id, userId: p.id, notificationOptIn: optIn, receivesNotifications: a.options.notificationOptIn && optIn && p.status === 'active' };
}

const updateUserSchema = z.strictObject({
  account_id: z.string().min(1),
  /** The user the `x-user-token` header identifies. */
  'x-user-token': z.string().min(1),
  notificationOptIn: z.boolean(),
});

/** PATCH tenancy/account/{accountId}/update-user: opts the user of `x-user-token` in or out; 404 `user_not_found`. */
export const updateAccountUser = defineOperation({
  name: 'updateAccountUser',
  codes: BLUEXP_CODES,
  input: updateUserSchema,
  // the seed: the occm service names the user in `x-user-token`; a user may also opt itself in or out
  guard: {
    check(gate, input) {
      const accountId = account(gate, input);
      if (str(field(input, 'x-user-token')) !== gate.actor.id || gate.actor.accountId !== accountId) gate.require(BLUEXP_ACTIONS.userUpdate, accountTarget(accountId));
    },
  },
  run(state: SourceState, input: z.input<typeof updateUserSchema>, _ctx: ManageContext): OpResult<BluexpUserNotification> {
    const q = parseInput(updateUserSchema, input);
    const a = bluexpAccount(state, q.account_id);
    const old = findPrincipal(state, a.id, q['x-user-token'], 'user');
    if ((old.notificationOptIn === true) === q.notificationOptIn) return done(state, notificationView(a, old), []);
    const next: Principal = { ...old, notificationOptIn: q.notificationOptIn };
    return done(state, notificationView(a, next), [{ op: 'put', entity: 'principal', value: next }]);
  },
});

/** The users of the organization who receive its notifications (none while the account option is off). */
export const listNotificationRecipients = defineOperation({
  name: 'listNotificationRecipients',
  codes: BLUEXP_CODES,
  input: getSchema,
  guard: readAtOrg(BLUEXP_ACTIONS.userRead, 'principal'),
  run(state: SourceState, input: z.input<typeof getSchema>, _ctx: ManageContext): OpResult<BluexpUserNotification[]> {
    const q = parseInput(getSchema, input);
    const a = bluexpAccount(state, q.account_id);
    const rows = state
      .list('principal', a.id)
      .filter((p) => p.kind === 'user')
      .map((p) => notificationView(a, p))
      .filter((v) => v.receivesNotifications);
    return done(state, rows, []);
  },
});
