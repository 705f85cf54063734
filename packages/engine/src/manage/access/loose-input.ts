// A guard runs before the operation parses its input, so it reads the input loosely: these say how, once for every room.

/** An input read loosely: any object, or nothing. */
export type Loose = Record<string, unknown>;

/** The field `name` of an input, whatever it is (undefined when the input is not an object). */
export const field = (input: unknown, name: string): unknown => (input as Loose | null)?.[name];

/** A non-empty string, or undefined. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
