/**
 * The literals decisions compare for equality (service names, `stringEquals` values), interned to integers once at
 * compile time, so that the common condition is an integer compare. A request string is looked up once; a string that
 * is not here equals no literal (it can still satisfy a glob or a negation, which keep their strings). Append-only:
 * ids never change once given, so an update only ever adds.
 */
export type StringTable = Map<string, number>;

/** The id a string that is not interned resolves to: never equal to an id, nor to NO_STRING. */
export const UNKNOWN_STRING = -2;
/** The id stored for "no literal here" (a candidate for any service, or with no inlined equality). */
export const NO_STRING = -1;

/** The id of a string, interning it. */
export function internString(t: StringTable, s: string): number {
  let id = t.get(s);
  if (id === undefined) {
    id = t.size;
    t.set(s, id);
  }
  return id;
}
