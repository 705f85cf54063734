// Human-readable grants for `portcullis diff`: who, the effect, the action, and the resource selector in words.
import type { ContextChange, Grant, GrantIdentity, GrantResource } from '../analyze/permission-diff.js';
import type { Predicate } from '../compile/predicate.js';

/** How many nodes or scope targets are named before the rest is counted. */
const SHOWN = 5;

function names(list: readonly string[]): string {
  const shown = list.slice(0, SHOWN).map((x) => `\`${x}\``).join(', ');
  return list.length > SHOWN ? `${shown} and ${list.length - SHOWN} more` : shown;
}

/** A resource predicate in words: `resource ~ \`analytics-*\` and serviceName = \`cos\``. */
export function formatPredicate(p: Predicate): string {
  switch (p.op) {
    case 'true':
      return 'any';
    case 'false':
      return 'none';
    case 'and':
      return p.args.map((a) => (a.op === 'or' ? `(${formatPredicate(a)})` : formatPredicate(a))).join(' and ');
    case 'or':
      return p.args.map((a) => (a.op === 'and' ? `(${formatPredicate(a)})` : formatPredicate(a))).join(' or ');
    case 'not':
      return `not (${formatPredicate(p.arg)})`;
    case 'eq':
      return `${p.attr} = \`${p.value}\``;
    case 'in':
      return `${p.attr} in (${p.values.map((v) => `\`${v}\``).join(', ')})`;
    case 'match':
      return `${p.attr} ~ \`${p.pattern}\``;
    default:
      return `${p.attr} exists`;
  }
}

/** Who holds a grant, in words. */
export function formatGrantIdentity(id: GrantIdentity): string {
  switch (id.kind) {
    case 'principal':
      return `principal \`${id.id}\``;
    case 'public':
      return 'every caller (Public Access)';
    case 'rule':
      return `whoever realm \`${id.realm}\` admits with ${id.conditions.map((c) => `${c.claim} ${c.operator} \`${c.value}\``).join(' and ') || 'any claims'}`;
    default:
      return `calling service ${Object.entries(id.attributes).map(([k, v]) => `${k}=\`${v}\``).join(', ')}`;
  }
}

/** A grant's resource selector, in words. */
export function formatGrantResource(r: GrantResource): string {
  const parts: string[] = r.attributes.map(formatPredicate);
  for (const t of r.tags) parts.push(`tag ${t.name}${t.glob ? ' ~ ' : ' = '}\`${t.value}\``);
  if (r.scopes !== undefined) parts.push(`scopes ${names(r.scopes.targets)}${r.scopes.scopeType !== null ? ` (${r.scopes.scopeType})` : ''}`);
  if (r.nodes !== undefined) parts.push(`nodes ${names(r.nodes.covered)}${r.nodes.admin !== null ? ` (admin ${r.nodes.admin})` : ''}`);
  if (r.rule !== undefined) parts.push(`rule ${JSON.stringify(r.rule)}`);
  return parts.length === 0 ? 'any resource' : parts.join(' and ');
}

/** One grant on one line, prefixed with `+` (added) or `-` (removed). */
export function formatGrant(sign: '+' | '-', g: Grant): string {
  const via = g.via.map((v) => `\`${v.policyId}\`${v.groupId !== undefined ? ` via group \`${v.groupId}\`` : ''}`).join(', ');
  const service = g.service !== null ? ` (${g.service})` : '';
  const resource = g.errored === true ? 'anything it is a candidate for (errored deny)' : formatGrantResource(g.resource);
  const from = g.from !== undefined ? ` from ${new Date(g.from).toISOString()}` : '';
  const until = g.until !== undefined ? ` until ${new Date(g.until).toISOString()}` : '';
  return `${sign} ${g.effect} ${formatGrantIdentity(g.identity)} ${g.action}${service} on ${resource} in account \`${g.accountId}\`${from}${until}: ${via}`;
}

/** A change outside policies, in words. */
export function formatContextChange(c: ContextChange): string {
  return `${c.kind} \`${c.id}\` ${c.change}`;
}
