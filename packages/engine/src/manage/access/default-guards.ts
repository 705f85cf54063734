// The registry the Engine consults: the guards of every seed operation. A module that adds operations registers
// their guards here with `registerGuard`; until it does, its operations run for the `system` actor only.
import type { Guard } from './guard.js';
import { GuardRegistry } from './guard.js';
import { registerBluexpGuards } from '../bluexp/guards.js';
import { registerCloudflareGuards } from '../cloudflare/guards.js';
import { registerIbmGuards } from '../ibm/guards.js';
import type { Operation } from '../operation.js';

/** The guards of every IBM, Cloudflare and BlueXP management operation. */
export const defaultGuards: GuardRegistry = new GuardRegistry();
registerIbmGuards(defaultGuards);
registerCloudflareGuards(defaultGuards);
registerBluexpGuards(defaultGuards);

/** Registers the guard of an operation in the default registry, the one `engine.apply` consults. */
export function registerGuard<I, R>(operation: Operation<I, R>, guard: Guard<I, R>): void {
  defaultGuards.register(operation, guard);
}
