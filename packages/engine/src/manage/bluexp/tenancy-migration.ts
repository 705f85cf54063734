// BlueXP Tenancy account migration (seed 001 FAQ: a PoC account moved into a development account, or accounts
// consolidated): the whole configuration of one organization moves into another in one all-or-nothing operation.
// Users keep their ids (their tokens name them); user groups whose id the target already uses get fresh ids; rows
// with source-wide ids (folders, projects, bindings, policies, resources, account-local roles) keep them, because
// the source rows go away in the same commit. The organization itself (the account id as a node) maps to the target.
// A dry run reports the plan and every conflict and writes nothing; a real run with a conflict is 409 `migration_conflict`.
import { z } from 'zod';
import { SeedError } from '../../errors.js';
import type { Rule, RuleLeaf } from '../../model/rule-condition.js';
import { PUBLIC_ACCESS_GROUP_ID, type Binding, type Group, type Policy, type Principal } from '../../model/source.js';
import { entityKey, type Change } from '../../model/entities.js';
import { mailboxOf } from '../../model/sso-connector.js';
import { bluexpAccount, freshId } from './common.js';
import { parseInput } from '../input.js';
import { done, type ManageContext, type OpResult } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';
import { BLUEXP_CODES } from '../access/codes.js';
import { defineOperation } from '../define-operation.js';
import { accountTarget } from '../access/targets.js';
import { BLUEXP_ACTIONS } from './guards.js';
import { field, str } from '../access/loose-input.js';

/** Why a migration cannot run as it stands. */
export interface BluexpMigrationConflict {
  kind: 'principal' | 'email' | 'group_name' | 'node_name' | 'organization_admin' | 'sso_domain' | 'resource_group';
  /** The id of the source row in conflict. */
  id: string;
  message: string;
}

/** What a migration does (or, in a dry run, would do). */
export interface BluexpMigrationPlan {
  sourceAccountId: string;
  targetAccountId: string;
  dryRun: boolean;
  conflicts: BluexpMigrationConflict[];
  /** How ids map: the organization, user groups (old id -> id in the target), principals (moved, or merged into the target's). */
  mapping: {
    accountId: { from: string; to: string };
    groups: Record<string, string>;
    principals: Record<string, 'moved' | 'merged'>;
  };
  /** How many rows of each kind move. */
  moved: Record<'principals' | 'groups' | 'nodes' | 'bindings' | 'policies' | 'resources' | 'roles' | 'memberships' | 'ssoConnectors', number>;
}

const migrateSchema = z
  .strictObject({
    account_id: z.string().min(1),
    target_account_id: z.string().min(1),
    dry_run: z.boolean().default(false),
  })
  .refine((q) => q.account_id !== q.target_account_id, { message: 'the target is another organization', path: ['target_account_id'] });

const ACCOUNT_KEY = '{{resource.attributes.accountId}}';

/** A scalar or list with the source account id replaced by the target's; other values stay as written. */
function mapValue<T>(v: T, from: string, to: string): T {
  if (Array.isArray(v)) return v.map((x) => (x === from ? to : x)) as T;
  return (v === from ? to : v) as T;
}

function mapRule(r: Rule | RuleLeaf, from: string, to: string): Rule | RuleLeaf {
  if ('conditions' in r) return { ...r, conditions: r.conditions.map((c) => mapRule(c, from, to)) } as Rule;
  return r.key === ACCOUNT_KEY ? ({ ...r, value: mapValue(r.value, from, to) } as RuleLeaf) : r;
}

/** A policy of the source rewritten for the target: account, subject, organization node, `accountId` conditions. */
function mapPolicy(p: Policy, from: string, to: string, groups: Map<string, string>): Policy {
  const subject: Policy['subject'] =
    p.subject.kind === 'group'
      ? { kind: 'group', id: groups.get(p.subject.id) ?? p.subject.id }
      : p.subject.kind === 'service'
        ? { kind: 'service', attributes: { ...p.subject.attributes, ...('accountId' in p.subject.attributes ? { accountId: mapValue(p.subject.attributes['accountId'], from, to)! } : {}) } }
        : p.subject;
  const resource: Policy['resource'] = {
    ...p.resource,
    attributes: p.resource.attributes.map((c) => (c.name === 'accountId' ? { ...c, value: mapValue(c.value, from, to) } : c)),
  };
  if (p.resource.nodes !== undefined) resource.nodes = p.resource.nodes.map((n) => (n === from ? to : n));
  const out: Policy = { ...p, accountId: to, subject, resource };
  if (p.rule !== undefined) out.rule = mapRule(p.rule, from, to) as Rule;
  return out;
}

const sameEmail = (a: string | undefined, b: string | undefined) => mailboxOf(a ?? '') === mailboxOf(b ?? '');

/**
 * Moves the organization `account_id` into `target_account_id`: users, service accounts and agents, user groups
 * with their members, role bindings, policies, folders and projects (workspaces), resources with their project,
 * folder and agent associations, account-local roles, dynamic memberships and SSO connectors. A principal the
 * target already has with the same kind and email is merged (the target's row stays; duplicate bindings are
 * dropped); one with another kind or email is a conflict, as are a user group or top-level folder/project name the
 * target uses, an organization admin that would hold another role, and an email domain both have a connector for.
 * Account options stay the target's own. The source organization stays, empty.
 */
export const migrateAccount = defineOperation({
  name: 'migrateAccount',
  codes: BLUEXP_CODES,
  input: migrateSchema,
  // the actor acts in one of the two organizations and is an organization admin of both (its user id is the same in
  // each), and what lands in the target is reviewed as the actor acting there. A dry run shows both organizations'
  // principals, so it needs the same.
  guard: {
    check(gate, input) {
      const from = str(field(input, 'account_id')) ?? gate.actor.accountId;
      const to = str(field(input, 'target_account_id')) ?? gate.actor.accountId;
      if (gate.actor.accountId !== from && gate.actor.accountId !== to) throw gate.forbidden();
      for (const a of [from, to]) if (!gate.inAccount(a).mayAsOrganizationAdmin(BLUEXP_ACTIONS.accountsMigrate, accountTarget(a))) throw gate.forbidden();
    },
    accounts: (gate, input) => [str(field(input, 'account_id')), str(field(input, 'target_account_id'))].filter((a): a is string => a !== undefined && a !== gate.actor.accountId),
  },
  run(state: SourceState, input: z.input<typeof migrateSchema>, ctx: ManageContext): OpResult<BluexpMigrationPlan> {
    const q = parseInput(migrateSchema, input);
    const from = bluexpAccount(state, q.account_id).id;
    const to = bluexpAccount(state, q.target_account_id).id;
    const conflicts: BluexpMigrationConflict[] = [];
    const conflict = (kind: BluexpMigrationConflict['kind'], id: string, message: string) => conflicts.push({ kind, id, message });

    // principals: moved, merged into the target's, or in conflict
    const principals: Record<string, 'moved' | 'merged'> = {};
    const targetEmails = new Map<string, string>();
    for (const t of state.list('principal', to)) if (t.email !== undefined) targetEmails.set(mailboxOf(t.email), t.id);
    for (const p of state.list('principal', from)) {
      const t = state.get('principal', `${to}/${p.id}`);
      if (t === undefined) {
        const owner = p.email === undefined ? undefined : targetEmails.get(mailboxOf(p.email));
        if (owner !== undefined) conflict('email', p.id, `\`${p.id}\`: the target already has \`${owner}\` with the email \`${p.email}\``);
        else principals[p.id] = 'moved';
      } else if (t.kind === p.kind && sameEmail(t.email, p.email)) {
        // a merge keeps the target's row: a user inactive in the source would wake its dormant bindings there
        if ((p.status ?? 'active') !== 'active' && (t.status ?? 'active') === 'active')
          conflict('principal', p.id, `\`${p.id}\`: ${p.status} in the source and active in the target, so the merge would give its bindings effect`);
        else principals[p.id] = 'merged';
      }
      else conflict('principal', p.id, `\`${p.id}\`: the target has a ${t.kind} with this id and ${t.email === undefined ? 'no email' : `the email \`${t.email}\``}`);
    }

    // user groups: a taken id is remapped, a taken name is a conflict
    const groups = new Map<string, string>();
    const targetNames = new Set(state.list('group', to).map((g) => g.name.toLowerCase()));
    const taken = (id: string) => state.get('group', `${to}/${id}`) !== undefined || [...groups.values()].includes(id);
    for (const g of state.list('group', from)) {
      if (g.id === PUBLIC_ACCESS_GROUP_ID) continue;
      if (targetNames.has(g.name.toLowerCase())) conflict('group_name', g.id, `user group \`${g.name}\`: the target has a user group of that name`);
      groups.set(g.id, taken(g.id) ? freshId(ctx, 'group-', (x) => taken(x) || state.get('group', `${from}/${x}`) !== undefined) : g.id);
    }

    // folders and projects under the organization must not clash with the target's
    const topNames = new Set(state.list('node', to).filter((n) => n.parentId === null && n.name !== undefined).map((n) => n.name!.toLowerCase()));
    for (const n of state.list('node', from))
      if (n.parentId === null && n.name !== undefined && topNames.has(n.name.toLowerCase()))
        conflict('node_name', n.id, `${n.kind} \`${n.name}\`: the target has a folder or project of that name under the organization`);

    for (const c of state.list('ssoConnector', from))
      if (state.list('ssoConnector', to).some((t) => t.emailDomain === c.emailDomain))
        conflict('sso_domain', c.id, `sso connector for \`${c.emailDomain}\`: the target has one for that domain`);
    for (const rg of state.list('resourceGroup', from)) conflict('resource_group', rg.id, `resource group \`${rg.id}\`: cloudflare resource groups do not migrate`);

    // bindings: rewritten; for a merged principal, ones the target already holds are dropped (the source's own stay as they are)
    const mapBinding = (b: Binding): Binding => ({
      ...b,
      accountId: to,
      subject: b.subject.kind === 'group' ? { kind: 'group', id: groups.get(b.subject.id) ?? b.subject.id } : b.subject,
      nodeId: b.nodeId === from ? to : b.nodeId,
    });
    const bindingKey = (b: Binding) => `${b.subject.kind}\u0000${b.subject.id}\u0000${b.roleId}\u0000${b.nodeId}`;
    const targetBindings = state.list('binding', to);
    const held = new Set(targetBindings.map(bindingKey));
    const bindings: Binding[] = [];
    for (const b of state.list('binding', from)) {
      const m = mapBinding(b);
      if (!held.has(bindingKey(m))) bindings.push(m);
    }
    const isOrgAdmin = (b: Binding) => state.get('role', b.roleId)?.admin === 'organization';
    for (const [id, how] of Object.entries(principals)) {
      if (how !== 'merged') continue;
      const mine = [...targetBindings, ...bindings].filter((b) => b.subject.kind === 'principal' && b.subject.id === id);
      if (mine.some(isOrgAdmin) && mine.length > 1)
        conflict('organization_admin', id, `\`${id}\`: an organization admin holds no other role, and the merge would give it ${mine.length}`);
    }

    const sourcePolicies = state.list('policy', from);
    const resources = state.list('resource', from);
    const roles = state.list('role', from);
    const memberships = state.list('membership', from);
    const connectors = state.list('ssoConnector', from);
    const plan: BluexpMigrationPlan = {
      sourceAccountId: from,
      targetAccountId: to,
      dryRun: q.dry_run,
      conflicts,
      mapping: { accountId: { from, to }, groups: Object.fromEntries(groups), principals },
      moved: {
        principals: Object.values(principals).filter((h) => h === 'moved').length,
        groups: groups.size,
        nodes: state.count('node', from),
        bindings: bindings.length,
        policies: sourcePolicies.length,
        resources: resources.length,
        roles: roles.length,
        memberships: memberships.length,
        ssoConnectors: connectors.length,
      },
    };
    if (q.dry_run) return done(state, plan, []);
    if (conflicts.length > 0)
      throw new SeedError('migration_conflict', 409, `cannot migrate \`${from}\` into \`${to}\`: ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ${conflicts[0]!.message}`, {
        conflicts,
      });

    const changes: Change[] = [];
    for (const r of roles) changes.push({ op: 'put', entity: 'role', value: { ...r, accountId: to } });
    for (const n of state.list('node', from)) changes.push({ op: 'put', entity: 'node', value: { ...n, accountId: to } });
    for (const p of state.list('principal', from)) {
      changes.push({ op: 'delete', entity: 'principal', key: entityKey('principal', p) });
      if (principals[p.id] === 'moved') changes.push({ op: 'put', entity: 'principal', value: { ...p, accountId: to } satisfies Principal });
    }
    for (const g of state.list('group', from)) {
      changes.push({ op: 'delete', entity: 'group', key: entityKey('group', g) });
      if (g.id === PUBLIC_ACCESS_GROUP_ID) {
        if (state.get('group', `${to}/${g.id}`) === undefined) changes.push({ op: 'put', entity: 'group', value: { ...g, accountId: to } });
        continue;
      }
      changes.push({ op: 'put', entity: 'group', value: { ...g, id: groups.get(g.id)!, accountId: to } satisfies Group });
    }
    for (const m of memberships) {
      changes.push({ op: 'delete', entity: 'membership', key: entityKey('membership', m) });
      changes.push({ op: 'put', entity: 'membership', value: { ...m, accountId: to, groupId: groups.get(m.groupId) ?? m.groupId } });
    }
    const kept = new Set(bindings.map((b) => b.id));
    for (const b of state.list('binding', from)) if (!kept.has(b.id)) changes.push({ op: 'delete', entity: 'binding', key: b.id });
    for (const b of bindings) changes.push({ op: 'put', entity: 'binding', value: b });
    for (const p of sourcePolicies) changes.push({ op: 'put', entity: 'policy', value: mapPolicy(p, from, to, groups) });
    for (const r of resources) {
      const attributes = 'accountId' in r.attributes ? { ...r.attributes, accountId: to } : r.attributes;
      changes.push({ op: 'put', entity: 'resource', value: { ...r, accountId: to, attributes } });
    }
    for (const c of connectors) changes.push({ op: 'put', entity: 'ssoConnector', value: { ...c, accountId: to } });
    return done(state, plan, changes);
  },
});
