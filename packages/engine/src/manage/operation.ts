// A management operation: pure `(state, input, ctx) -> OpResult`, and what it receives and returns.
import type { Change } from '../model/entities.js';
import type { SourceState } from '../model/source-state.js';
import type { Actor } from './actor.js';

/** What every management operation receives besides its input: the actor, the time and fresh ids. Injected, never read. */
export interface ManageContext {
  actor: Actor;
  /** The time of the operation, ISO 8601. */
  now: string;
  /** A fresh id for a new row; `prefix` is a hint such as `AccessGroupId-`. */
  newId(prefix: string): string;
}

/** What an operation returns: the result in the seed's JSON shape, the changes it made, and the resulting state. */
export interface OpResult<T> {
  result: T;
  changes: Change[];
  state: SourceState;
}

/** Builds an OpResult; the resulting state is computed on first access, so an owner that applies the changes itself never pays for it. */
export function done<T>(state: SourceState, result: T, changes: Change[]): OpResult<T> {
  let next: SourceState | undefined;
  return {
    result,
    changes,
    get state(): SourceState {
      return (next ??= state.with(changes));
    },
  };
}

/** A management operation: pure, `(state, input, ctx) -> OpResult`, throwing SeedError on refusal. */
export type Operation<I, R> = (state: SourceState, input: I, ctx: ManageContext) => OpResult<R>;

/** The input an operation takes, so a host can name it: `OperationInput<typeof cloudflareOperations.createUserGroup>`. */
export type OperationInput<O> = O extends (state: SourceState, input: infer I, ctx: ManageContext) => OpResult<unknown> ? I : never;

/** The result an operation resolves to through `engine.apply`, in the seed's JSON shape. */
export type OperationResult<O> = O extends (state: SourceState, input: never, ctx: ManageContext) => OpResult<infer R> ? R : never;
