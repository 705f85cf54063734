// Argument parsing over node:util parseArgs: an unknown flag or a flag without its value becomes one
// ValidationError (`invalid_options`) with a lowercase message, never parseArgs' own TypeError.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ValidationError } from '../errors.js';

/** The flags every command takes. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Throws a usage error: one issue, one line. */
export function usageError(message: string): never {
  throw new ValidationError('invalid_options', [{ path: [], message }], message);
}

/** Parses a command's arguments strictly. */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: O,
): { values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values']; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const message = e instanceof Error ? e.message : String(e);
    const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') usageError(`unknown option \`${flag}\` (see --help)`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') usageError(`option \`${flag}\` needs a value`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') usageError(`unexpected argument (see --help)`);
    usageError(message.charAt(0).toLowerCase() + message.slice(1));
  }
  // a flag of one value given twice (`--action a --action b`) would mean its last, whichever one its reader sees:
  // refused; a flag that takes a list (`--tag`, `multiple`) is given as often as it likes
  const seen = new Set<string>();
  for (const t of parsed.tokens) {
    if (t.kind !== 'option' || (options[t.name] as { multiple?: boolean } | undefined)?.multiple === true) continue;
    if (seen.has(t.name)) usageError(`option \`--${t.name}\` is given twice`);
    seen.add(t.name);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}
