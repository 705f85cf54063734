// An operation declared once: its seed name, the schema of its input, the seed API whose 401 and 403 codes it answers
// with, who may run it (its guard) and what it does (run). Reading one declaration tells all of it; the guard
// registry an engine consults is built from the declarations (manage/default-guards.ts), never filled at import.
import type { z } from 'zod';
import type { AccessCodes, Guard, GuardRules } from './access/guard.js';
import type { ManageContext, Operation, OpResult } from './operation.js';
import type { SourceState } from '../model/source-state.js';

/** What an operation declares. `I` and `R` are read from `run`; the guard is checked against them. */
export interface OperationSpec<I, R> {
  /** The seed's operation name in camelCase (also the function's `name`). */
  name: string;
  /** The seed API whose 401 and 403 answers the operation gives (access/codes.ts). */
  codes: AccessCodes;
  /** The schema `run` parses its input with (the input's shape, for a host that documents or routes it); absent where the input is read in parts. */
  input?: z.ZodType;
  /**
   * Who may run it besides the `system` actor: the checks of access/guard.ts, or `'system'` for an operation no
   * subject may run (what the host alone vouches for: logins from the identity provider, DNS it read).
   */
  guard: GuardRules<NoInfer<I>, NoInfer<R>> | 'system';
  /** What it does: pure, over the state before it, throwing SeedError on refusal. */
  run(state: SourceState, input: I, ctx: ManageContext): OpResult<R>;
}

/** What the engine keeps of a declaration: the guard with its codes, ready for a registry. */
export interface OperationDeclaration<I, R> {
  readonly name: string;
  readonly codes: AccessCodes;
  readonly input: z.ZodType | undefined;
  readonly guard: Guard<I, R>;
}

/** A declared operation: called as any operation, `(state, input, ctx) -> OpResult`, and carrying its declaration. */
export type DefinedOperation<I, R> = Operation<I, R> & { readonly operation: OperationDeclaration<I, R> };

/** Declares an operation; the result is the operation itself, named `spec.name`, with `operation` holding the declaration. */
export function defineOperation<I, R>(spec: OperationSpec<I, R>): DefinedOperation<I, R> {
  const { name, codes, input, guard, run } = spec;
  if (typeof name !== 'string' || name === '') throw new TypeError('an operation is declared with a name');
  if (typeof run !== 'function') throw new TypeError(`operation \`${name}\`: run must be a function`);
  if (codes === undefined) throw new TypeError(`operation \`${name}\`: codes are required`);
  if (guard !== 'system' && typeof guard?.check !== 'function') throw new TypeError(`operation \`${name}\`: a guard is \`'system'\` or has a check`);
  const full: Guard<I, R> =
    guard === 'system'
      ? {
          codes,
          check(gate) {
            throw gate.forbidden();
          },
        }
      : { ...guard, codes };
  const op = run as DefinedOperation<I, R>;
  Object.defineProperty(op, 'name', { value: name });
  Object.defineProperty(op, 'operation', { value: Object.freeze({ name, codes, input, guard: Object.freeze(full) }) });
  return op;
}
