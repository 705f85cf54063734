// The guard of a management operation: which IAM action on which resource the actor needs before it runs, how a
// listing is narrowed to what the actor may read, and what else its changes must pass. Guards live in a registry
// keyed by the operation function, so a module that adds operations registers their guards beside them.
import type { RequestResource } from '../evaluate/types.js';
import type { Actor, Operation, OpResult } from './context.js';
import type { SourceState } from './source-state.js';

/** An authenticated actor: the only kind a guard ever sees (system skips guards, anonymous is refused first). */
export type SubjectActor = Extract<Actor, { kind: 'subject' }>;

/** The 401 and 403 codes of one seed API, as the seed spells them. */
export interface AccessCodes {
  unauthenticated: { code: string; status: 401; message: string };
  forbidden: { code: string; status: 403; message: string };
}

/** What the actor may do, asked of the engine over the tables as they are before the operation. */
export interface Gate {
  readonly actor: SubjectActor;
  /** The state before the operation. */
  readonly state: SourceState;
  /** True when the engine allows the actor `action` on `resource`. */
  may(action: string, resource: RequestResource): boolean;
  /** Throws the seed's 403 unless the actor may do `action` on `resource`. */
  require(action: string, resource: RequestResource): void;
  /** True when the actor already holds every action role `roleId` grants on each of `targets` (no escalation). */
  holds(roleId: string, targets: readonly RequestResource[]): boolean;
  /** True when an organization-admin role (BlueXP) is what lets the actor do `action` on `resource`. */
  mayAsOrganizationAdmin(action: string, resource: RequestResource): boolean;
  /** The seed's 403, to throw. */
  forbidden(): Error;
}

/** How an operation is access-controlled. Every method receives the state before the operation. */
export interface Guard<I = never, R = unknown> {
  /** The seed API whose 401 and 403 codes this operation answers with. */
  codes: AccessCodes;
  /** Checks the actor before the operation runs (throws the 403 through `gate.require`). */
  check(gate: Gate, input: I): void;
  /** For listings: the input the operation runs with, e.g. hiding a row the operation synthesizes. */
  rewrite?(gate: Gate, input: I): unknown;
  /** For listings: the state the operation runs over, without what the actor may not read. */
  narrow?(gate: Gate, input: I): SourceState;
  /** Checks what the operation would do before it is committed (on top of the generic no-escalation review). */
  review?(gate: Gate, input: I, result: OpResult<R>): void;
}

/** Guards keyed by the operation function they protect. */
export class GuardRegistry {
  readonly #guards = new Map<unknown, Guard<never, unknown>>();

  /** Registers the guard of `operation`; a second registration replaces the first. */
  register<I, R>(operation: Operation<I, R>, guard: Guard<I, R>): this {
    if (typeof operation !== 'function') throw new TypeError('a guard is registered for an operation function');
    this.#guards.set(operation, guard as unknown as Guard<never, unknown>);
    return this;
  }

  /** The guard of `operation`, or undefined: an operation without one is refused to every actor but `system`. */
  get<I, R>(operation: Operation<I, R>): Guard<I, R> | undefined {
    return this.#guards.get(operation) as unknown as Guard<I, R> | undefined;
  }

  /** True when `operation` has a guard. */
  has(operation: unknown): boolean {
    return this.#guards.has(operation);
  }
}

/** Creates an empty guard registry. */
export function createGuardRegistry(): GuardRegistry {
  return new GuardRegistry();
}
