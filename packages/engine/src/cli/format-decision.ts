// Human-readable decisions for the CLI: the outcome, the reason, and for each determining policy the
// identity path and the role that let it in.
import type { Decision, Explanation, IdentityPath } from '../evaluate/types.js';
import { formatPath } from './validate-command.js';

/** How the caller came to hold an identity, in words. */
export function formatIdentity(id: IdentityPath): string {
  switch (id.kind) {
    case 'principal':
      return `as principal \`${id.id}\``;
    case 'service':
      return `as service \`${id.serviceName}\``;
    default:
      switch (id.via) {
        case 'static':
          return `via group \`${id.id}\` (static member)`;
        case 'dynamic':
          return `via group \`${id.id}\` (dynamic member through realm \`${id.realm}\`, until ${id.expiresAt})`;
        case 'claims':
          return `via group \`${id.id}\` (claim rule \`${id.ruleId}\` of realm \`${id.realm}\`)`;
        default:
          return `via the Public Access group \`${id.id}\``;
      }
  }
}

/** One determining policy or binding, in words. */
export function formatExplanation(e: Explanation): string {
  return `\`${e.policyId}\` (${e.effect} ${e.source}) ${formatIdentity(e.identity)}, role \`${e.roleId}\` granting \`${e.actionPattern}\``;
}

/** The lines that describe a decision: outcome and reason, then why. */
export function formatDecision(d: Decision): string[] {
  const lines = [`${d.allowed ? 'allow' : 'deny'} (${d.reason})`];
  if (d.reason === 'invalid-request') for (const i of d.issues ?? []) lines.push(`  invalid request: ${formatPath(i.path)}: ${i.message}`);
  else if (d.policies.length === 0) lines.push('  no policy or binding matched');
  else {
    lines.push(`  determining ${d.reason === 'explicit-deny' ? 'denies' : 'allows'}:`);
    const explained = new Map((d.explanation ?? []).map((e) => [e.policyId, e]));
    for (const id of d.policies) {
      const e = explained.get(id);
      lines.push(`    ${e === undefined ? `\`${id}\`` : formatExplanation(e)}`);
    }
  }
  if (d.errors !== undefined && d.errors.length > 0) lines.push(`  could not be evaluated (never grant): ${d.errors.map((e) => `\`${e}\``).join(', ')}`);
  return lines;
}
