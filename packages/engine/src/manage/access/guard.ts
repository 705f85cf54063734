// The guard of a management operation: which IAM action on which resource the actor needs before it runs, how a
// listing is narrowed to what the actor may read, and what else its changes must pass. Each operation declares its
// guard beside it (defineOperation); a registry keyed by the operation function holds the guards an engine consults,
// built as a value (manage/default-guards.ts) and passed in through the engine's options.
import type { RequestResource } from '../../evaluate/types.js';
import type { Actor } from '../actor.js';
import type { Operation, OpResult } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';

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
  /** The instant of the operation, epoch ms (the clock reading every answer of the gate is made at). */
  readonly now: number;
  /** True when the engine allows the actor `action` on `resource`. */
  may(action: string, resource: RequestResource): boolean;
  /** Throws the seed's 403 unless the actor may do `action` on `resource`. */
  require(action: string, resource: RequestResource): void;
  /** True when an organization-admin role (BlueXP) is what lets the actor do `action` on `resource`. */
  mayAsOrganizationAdmin(action: string, resource: RequestResource): boolean;
  /**
   * The actions and action patterns the actor may perform on `resource` (what it holds there), each with the concrete
   * request it holds it on: a resource with open values stands for many, and a right is taken only where it is held.
   * The requests also tell apart what principal `alongside` of the same account holds (the one to ask about them).
   */
  actionsOn(resource: RequestResource, alongside?: string): { action: string; at: RequestResource }[];
  /** The same questions asked for another principal of the actor's account (what a lock-out would take from it). */
  as(principalId: string): Gate;
  /** The seed's 403, to throw. */
  forbidden(): Error;
  /**
   * The same actor id acting in `accountId`: for the one operation that spans two organizations (BlueXP migration),
   * whose user ids are global. A guard asks it only of an account the input names.
   */
  inAccount(accountId: string): Gate;
  /** The same questions asked at another instant, epoch ms (what the actor holds then: a rule or an expiry may turn). */
  at(now: number): Gate;
}

/** How an operation is access-controlled. Every method receives the state before the operation. */
export interface Guard<I = never, R = unknown> {
  /** The seed API whose 401 and 403 codes this operation answers with. */
  codes: AccessCodes;
  /** Checks the actor before the operation runs (throws the 403 through `gate.require`). */
  check(gate: Gate, input: I): void;
  /**
   * The input the operation runs with: for a listing, e.g. hiding a row the operation synthesizes; for a per-item
   * operation, what the actor may not touch (answered per item, as the seed's 207 bodies do).
   */
  rewrite?(gate: Gate, input: I): unknown;
  /** For listings: the state the operation runs over, without what the actor may not read. */
  narrow?(gate: Gate, input: I): SourceState;
  /** Checks what the operation would do before it is committed (on top of the generic no-escalation review). */
  review?(gate: Gate, input: I, result: OpResult<R>): void;
  /**
   * The other accounts the operation writes in, each of whose rows the no-escalation review reads with the actor
   * acting in that account (`gate.inAccount`); by default every row is reviewed as the actor acts.
   */
  accounts?(gate: Gate, input: I): readonly string[];
}

/** What a guard decides, without the codes: the part an operation declares beside it (its codes are declared once, on the operation). */
export type GuardRules<I = never, R = unknown> = Omit<Guard<I, R>, 'codes'>;

/** Options of a guard registry. */
export interface GuardRegistryOptions {
  /** Guards to start from (copied: registering in the new registry leaves `from` as it is). */
  from?: GuardRegistry;
  /**
   * `false` leaves out the generic no-escalation review: only to show, in a test, what the review prevents. An
   * engine refuses such a registry in its options: the registry it consults always reviews.
   */
  escalationReview?: boolean;
}

/** Guards keyed by the operation function they protect. */
export class GuardRegistry {
  readonly #guards: Map<unknown, Guard<never, unknown>>;
  readonly #review: boolean;
  #frozen = false;

  /** An empty registry, or a copy of `options.from`. */
  constructor(options: GuardRegistryOptions = {}) {
    this.#guards = new Map(options.from === undefined ? [] : options.from.#guards);
    this.#review = options.escalationReview !== false;
  }

  /** True when the operations run through this registry pass the no-escalation review (the default; fixed at construction). */
  get escalationReview(): boolean {
    return this.#review;
  }

  /** Registers the guard of `operation`; a second registration replaces the first. Refused once the registry is frozen. */
  register<I, R>(operation: Operation<I, R>, guard: Guard<I, R>): this {
    if (this.#frozen) throw new TypeError('a frozen guard registry takes no guard: register in a copy, createGuardRegistry({ from })');
    if (typeof operation !== 'function') throw new TypeError('a guard is registered for an operation function');
    this.#guards.set(operation, guard as unknown as Guard<never, unknown>);
    return this;
  }

  /**
   * Registers the guard each operation of `operations` declares (defineOperation); an operation that declares none
   * (a plain function) is left out, so it stays the `system` actor's alone.
   */
  registerDeclared(operations: Readonly<Record<string, unknown>>): this {
    for (const op of Object.values(operations)) {
      const guard = declaredGuard(op);
      if (guard !== undefined) this.register(op as Operation<never, unknown>, guard);
    }
    return this;
  }

  /** Makes the registry a value: every later `register` is refused. A copy (`createGuardRegistry({ from })`) is not frozen. */
  freeze(): this {
    this.#frozen = true;
    return this;
  }

  /** True when `freeze` was called. */
  get frozen(): boolean {
    return this.#frozen;
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

/** The guard an operation declares through defineOperation, if any. */
function declaredGuard(op: unknown): Guard<never, unknown> | undefined {
  if (typeof op !== 'function') return undefined;
  const spec = (op as { operation?: { guard?: Guard<never, unknown> } }).operation;
  return spec?.guard;
}

/** Creates a guard registry: empty, or a copy of `options.from`. */
export function createGuardRegistry(options: GuardRegistryOptions = {}): GuardRegistry {
  return new GuardRegistry(options);
}
