// Small pieces of human output shared by the analysis commands: id lists, titled sections, request issues.
import type { Issue } from '../errors.js';
import { formatPath } from './validate-command.js';

/** Ids in backticks, comma separated. */
export function formatIds(ids: readonly string[]): string {
  return ids.map((id) => `\`${id}\``).join(', ');
}

/** A titled list with its count; an empty list says `none` so that an empty answer reads as one. */
export function section(title: string, items: readonly string[]): string[] {
  return [`${title} (${items.length}):`, ...(items.length === 0 ? ['  none'] : items.map((i) => `  ${i}`))];
}

/** The lines of an invalid request: one per issue with its path. */
export function formatIssueLines(issues: readonly Issue[]): string[] {
  return [`invalid request: ${issues.length} issue${issues.length === 1 ? '' : 's'}`, ...issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`)];
}
