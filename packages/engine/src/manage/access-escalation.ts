// No escalation: whatever an operation writes, an actor grants only access it already holds. The review reads the
// changes, not the operation's input, so it covers every operation that writes a policy, a binding, a group
// membership or a claim rule, including operations added after it.
import { entityKey, type Change } from '../store.js';
import type { Binding, Group, Policy, Role } from '../model/source.js';
import type { Gate } from './access-guard.js';
import { bindingTarget, policyTargets } from './access-targets.js';
import type { SourceState } from './source-state.js';

/** What a policy decides, without its bookkeeping (etag, timestamps, usage). */
function decisive(p: Policy): string {
  return JSON.stringify([p.accountId, p.type, p.effect, p.subject, p.roles, p.resource, p.rule ?? null, p.state]);
}

/** True when the actor holds every role of the policy on every target it reaches. */
function holdsPolicy(gate: Gate, state: SourceState, p: Policy): boolean {
  const targets = policyTargets(state, p);
  return p.roles.every((r) => gate.holds(r, targets));
}

function holdsBinding(gate: Gate, state: SourceState, b: Binding): boolean {
  return gate.holds(b.roleId, [bindingTarget(state, b)]);
}

/** The active policies and the bindings naming group `g`; `denyOnly` keeps the deny policies alone. */
function holdsGroupGrants(gate: Gate, state: SourceState, g: Group, denyOnly: boolean): boolean {
  for (const p of state.list('policy', g.accountId)) {
    if (p.state !== 'active' || p.subject.kind !== 'group' || p.subject.id !== g.id) continue;
    if (denyOnly && p.effect !== 'deny') continue;
    if (!holdsPolicy(gate, state, p)) return false;
  }
  if (denyOnly) return true;
  for (const b of state.list('binding', g.accountId)) if (b.subject.kind === 'group' && b.subject.id === g.id && !holdsBinding(gate, state, b)) return false;
  return true;
}

/**
 * Throws the seed's 403 when the changes would give anyone access the actor does not hold: a new or changed active
 * policy or binding; a deny policy lifted; a member or claim rule added to a group (it grants the group's access);
 * a member taken out of a group that has deny policies; a role or catalog service rewritten. A row of one of
 * `accounts` is reviewed with the actor acting in that account; every other row as the actor acts.
 */
export function reviewEscalation(actorGate: Gate, before: SourceState, changes: readonly Change[], accounts: readonly string[] = []): void {
  for (const c of changes) {
    const key = c.op === 'put' ? entityKey(c.entity, c.value as never) : c.key;
    const old = before.get(c.entity, key) as unknown;
    const rowAccount = ((c.op === 'put' ? c.value : old) as { accountId?: unknown } | undefined)?.accountId;
    const gate = typeof rowAccount === 'string' && accounts.includes(rowAccount) ? actorGate.inAccount(rowAccount) : actorGate;
    let ok = true;
    switch (c.entity) {
      case 'policy': {
        const was = old as Policy | undefined;
        const now = c.op === 'put' ? (c.value as Policy) : undefined;
        if (now !== undefined && was !== undefined && decisive(now) === decisive(was)) break;
        // granting or narrowing an allow, and adding or lifting a deny, both need the roles held on the target
        if (now !== undefined && now.state === 'active') ok = holdsPolicy(gate, before, now);
        if (ok && was !== undefined && was.state === 'active' && was.effect === 'deny') ok = holdsPolicy(gate, before, was);
        break;
      }
      case 'binding': {
        if (c.op !== 'put') break;
        const b = c.value as Binding;
        const was = old as Binding | undefined;
        if (was !== undefined && was.accountId === b.accountId && was.roleId === b.roleId && was.nodeId === b.nodeId && JSON.stringify(was.subject) === JSON.stringify(b.subject) && (b.expiresAt === was.expiresAt || (b.expiresAt !== undefined && was.expiresAt !== undefined && Date.parse(b.expiresAt) <= Date.parse(was.expiresAt))))
          break;
        ok = holdsBinding(gate, before, b);
        break;
      }
      case 'group': {
        const was = old as Group | undefined;
        const now = c.op === 'put' ? (c.value as Group) : undefined;
        const wasMembers = new Set(was?.members ?? []);
        const nowMembers = new Set(now?.members ?? []);
        const added = [...nowMembers].some((m) => !wasMembers.has(m));
        const removed = [...wasMembers].some((m) => !nowMembers.has(m));
        const rulesChanged = JSON.stringify(was?.rules ?? []) !== JSON.stringify(now?.rules ?? []);
        const target = now ?? was!;
        if (added || (rulesChanged && (now?.rules.length ?? 0) > 0)) ok = holdsGroupGrants(gate, before, target, false);
        else if (removed || rulesChanged) ok = holdsGroupGrants(gate, before, target, true);
        break;
      }
      case 'role': {
        if (c.op !== 'put') break;
        const r = c.value as Role;
        const was = old as Role | undefined;
        if (was !== undefined && JSON.stringify(was) === JSON.stringify(r)) break;
        // a global role reaches every account: only `system` writes one
        ok = r.accountId !== undefined && r.actions.every((a) => gate.may(a, { attributes: { accountId: r.accountId!, ...(r.serviceName ? { serviceName: r.serviceName } : {}) } }));
        break;
      }
      case 'service':
        ok = false;
        break;
      default:
        break;
    }
    if (!ok) throw gate.forbidden();
  }
}
