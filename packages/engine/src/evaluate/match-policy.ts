import { matchGlob } from '../compile/glob.js';
import { NO_STRING } from '../compile/strings.js';
import { Derived, upOf, type AttributeMatcher, type Candidate, type Cmp, type PrincipalEntry, type RuleNode } from '../compile/tables.js';
import { ATTR } from '../compile/attribute-names.js';
import { AdminCode, FlatOp, isFlatMatcher } from '../compile/flat-conditions.js';
import { afterStep, TailOp, tagMatches, textMatches } from '../compile/flat-tail.js';
import { accountNumOf, nodeUpsOf, serviceTypeIdOf, tagPairs, valueIdOf, zoneIdsOf, type RequestContext } from './resolve-request.js';
import type { RequestScalar } from './types.js';

/** One attribute condition against the resource, with `serviceType` and `service_group_id` derived from the catalog. */
export function matchAttribute(m: AttributeMatcher, ctx: RequestContext): boolean {
  if (m.derived === Derived.None || ctx.service === undefined) return m.operator.test(m, ctx.values[m.attr]);
  if (m.derived === Derived.ServiceType) return m.operator.test(m, ctx.service.type);
  // INVARIANT: a catalogued service's groups are all it has; with none, no condition holds (SEMANTICS §3.1)
  const groups = ctx.service.groups;
  for (const g of groups) if (m.operator.test(m, g)) return true;
  return false;
}

function compare(cmp: Cmp, a: number, b: number): boolean {
  return cmp === 'lt' ? a < b : cmp === 'le' ? a <= b : cmp === 'gt' ? a > b : a >= b;
}

const DAY = 86_400_000;

/** Evaluates a compiled v2 rule at the request's time. */
export function matchRule(node: RuleNode, ctx: RequestContext): boolean {
  switch (node.kind) {
    case 'and':
      for (const c of node.children) if (!matchRule(c, ctx)) return false;
      return true;
    case 'or':
      for (const c of node.children) if (matchRule(c, ctx)) return true;
      return false;
    case 'time': {
      const local = ctx.now + node.offsetMs;
      const sod = Math.floor((((local % DAY) + DAY) % DAY) / 1000);
      return compare(node.cmp, sod, node.seconds);
    }
    case 'dateTime':
      return compare(node.cmp, ctx.now, node.at);
    case 'day': {
      for (const d of node.days) {
        const days = Math.floor((ctx.now + d.offsetMs) / DAY);
        const iso = ((((days + 3) % 7) + 7) % 7) + 1;
        if (iso === d.day) return true;
      }
      return false;
    }
    case 'attr':
      return matchAttribute(node.matcher, ctx);
  }
}

function coversScope(c: Candidate, ctx: RequestContext): boolean {
  const want = c.role.scopeType;
  if (want !== null && want !== ctx.scopeType) return false;
  for (const t of c.policy.scopes!) {
    if (t.type === 'account') {
      if (ctx.scopeType === 'account' && t.accountId === ctx.accountId) return true;
    } else if (t.type === 'zone') {
      if (ctx.scopeType === 'zone' && t.accountId === ctx.accountId && (t.zone === '*' || ctx.zones.includes(t.zone))) return true;
    } else if (ctx.scopeType === 'user' && ctx.values[ATTR.resource] === t.userId) return true;
  }
  return false;
}

function agentIn(ctx: RequestContext, project: string): boolean {
  const agent = ctx.account!.principals.get(ctx.agentId!);
  return agent !== undefined && agent.projects.includes(project);
}

function agentBelow(ctx: RequestContext, node: string): boolean {
  const a = ctx.account!;
  const agent = a.principals.get(ctx.agentId!);
  if (agent === undefined) return false;
  for (const q of agent.projects) if (upOf(a, q, 'project')?.has(node) === true) return true;
  return false;
}

function coversNode(c: Candidate, node: string, ctx: RequestContext): boolean {
  const a = ctx.account!;
  const admin = c.role.admin;
  const agentRule = ctx.agentId !== undefined && admin !== 'organization';
  for (const p of ctx.projects) {
    if (upOf(a, p, 'project')?.has(node) !== true) continue;
    if (agentRule && !agentIn(ctx, p)) continue;
    return true;
  }
  if (admin !== null) {
    for (const f of ctx.folders) {
      if (upOf(a, f, 'folder')?.has(node) !== true) continue;
      if (agentRule && !agentBelow(ctx, node)) continue;
      return true;
    }
  }
  return ctx.projects.length === 0 && ctx.folders.length === 0 && node === ctx.accountId && !agentRule;
}

/**
 * Whether an evaluable candidate applies to the request. Cheap checks first: service, expiry, subject, attributes;
 * scopes, nodes and rules last.
 */
export function matchCandidate(
  c: Candidate,
  ctx: RequestContext,
  principal: PrincipalEntry | null,
  service: Record<string, RequestScalar> | undefined,
): boolean {
  if (c.service !== null && c.service !== ctx.serviceName) return false;
  if (c.eqAttr >= 0 && ctx.values[c.eqAttr] !== c.eqValue) return false;
  return matchTail(c, ctx, principal, service);
}

/** A candidate's other attribute conditions and slow parts: what matchCandidate checks past the inlined equality. */
function matchTail(
  c: Candidate,
  ctx: RequestContext,
  principal: PrincipalEntry | null,
  service: Record<string, RequestScalar> | undefined,
): boolean {
  const attrs = c.rest;
  for (let i = 0; i < attrs.length; i++) if (!matchAttribute(attrs[i]!, ctx)) return false;
  return !c.slow || matchRest(c, ctx, principal, service, false);
}

/**
 * Runs the program `[from, to)` of `d` (flat-conditions.ts, flat-tail.ts): true when every condition holds. Each request
 * string it compares for equality is interned once per request (valueIdOf and its siblings), so such a condition is an
 * integer compare; a glob's literal is compared with the request's string from the array itself. `principal` is the
 * caller's (null for none), for the Federated step.
 */
export function runProgram(d: Int32Array, from: number, to: number, ctx: RequestContext, principal: PrincipalEntry | null = null): boolean {
  for (let p = from; p < to; p += 3) {
    const op = d[p]!;
    const a = d[p + 1]!;
    switch (op) {
      case FlatOp.Eq:
        if (valueIdOf(ctx, a) !== d[p + 2]!) return false;
        break;
      case FlatOp.SvcType:
        if (serviceTypeIdOf(ctx) !== a) return false;
        break;
      case FlatOp.ScopeType:
        if (ctx.scope !== a) return false;
        break;
      case FlatOp.Before:
        if (!(ctx.now < a * 2 ** 32 + (d[p + 2]! >>> 0))) return false;
        break;
      case FlatOp.Any: {
        // one of the next `a` targets
        const end = p + 3 + a * 3;
        let ok = false;
        for (let t = p + 3; t < end && !ok; t += 3) ok = matchTarget(d, t, ctx);
        if (!ok) return false;
        p = end - 3;
        break;
      }
      case FlatOp.Nodes: {
        // one of the next `a` nodes
        const end = p + 3 + a * 3;
        const admin = d[p + 2]!;
        let ok = false;
        for (let t = p + 3; t < end && !ok; t += 3) ok = d[t]! === FlatOp.Node && coversNodeId(ctx, d[t + 1]!, admin);
        if (!ok) return false;
        p = end - 3;
        break;
      }
      case TailOp.Text: {
        const v = ctx.values[a];
        if (v === undefined || !textMatches(d, p, v)) return false;
        p = afterStep(d, p) - 3;
        break;
      }
      case TailOp.Tag:
        if (!hasTag(d, p, ctx)) return false;
        p = afterStep(d, p) - 3;
        break;
      case TailOp.Federated:
        // matchRest's federated check: a user holding a direct binding now
        if (principal === null || principal.kind !== 'user' || !(ctx.now < principal.directBindingUntil)) return false;
        break;
      default:
        // an op this evaluator does not know holds for nothing
        return false;
    }
  }
  return true;
}

/** Whether some tag of the resource holds the Tag step at `p`. */
function hasTag(d: Int32Array, p: number, ctx: RequestContext): boolean {
  const pairs = tagPairs(ctx);
  for (let i = 0; i < pairs.length; i++) if (tagMatches(d, p, pairs[i]![0], pairs[i]![1])) return true;
  return false;
}

/** coversNode (below) as integers, on the node ids above the resource that nodeUpsOf interns once per request. */
function coversNodeId(ctx: RequestContext, node: number, admin: number): boolean {
  const ups = nodeUpsOf(ctx);
  const agentRule = ctx.agentId !== undefined && admin !== AdminCode.Organization;
  if ((agentRule ? ups.agentProjects : ups.projects).includes(node)) return true;
  if (admin !== AdminCode.None && ups.folders.includes(node) && (!agentRule || ups.agent.includes(node))) return true;
  return ctx.projects.length === 0 && ctx.folders.length === 0 && !agentRule && node === accountNumOf(ctx);
}

/** One scope target of a program (coversScope's cases, as integers). */
function matchTarget(d: Int32Array, t: number, ctx: RequestContext): boolean {
  switch (d[t]!) {
    case FlatOp.Account:
      return ctx.scopeType === 'account' && d[t + 1]! === accountNumOf(ctx);
    case FlatOp.Zone: {
      if (ctx.scopeType !== 'zone' || d[t + 1]! !== accountNumOf(ctx)) return false;
      const zone = d[t + 2]!;
      return zone === NO_STRING || zoneIdsOf(ctx).includes(zone);
    }
    default:
      return ctx.scopeType === 'user' && d[t + 1]! === valueIdOf(ctx, ATTR.resource);
  }
}

/**
 * What a candidate's record and program do not hold (CandFlag.Tail): its attribute conditions that are not plain
 * equalities, then the slow parts less its scopes. The flat path calls this only when the record says so.
 */
export function matchLeft(
  c: Candidate,
  ctx: RequestContext,
  principal: PrincipalEntry | null,
  service: Record<string, RequestScalar> | undefined,
): boolean {
  const attrs = c.rest;
  for (let i = 0; i < attrs.length; i++) {
    const m = attrs[i]!;
    if (!isFlatMatcher(m) && !matchAttribute(m, ctx)) return false;
  }
  return !c.slow || matchRest(c, ctx, principal, service, true);
}

/**
 * The checks most policies do not need: expiry, service subject, federated group, tags, scopes and nodes (unless
 * `flat`: the program checked them), rule.
 */
function matchRest(c: Candidate, ctx: RequestContext, principal: PrincipalEntry | null, service: Record<string, RequestScalar> | undefined, flat: boolean): boolean {
  const p = c.policy;
  if (ctx.now >= p.expiresAt) return false;
  if (p.serviceSubject !== null) {
    if (service === undefined) return false;
    for (const [k, v] of p.serviceSubject) {
      const got = Object.hasOwn(service, k) ? service[k] : undefined;
      if (got === undefined || String(got) !== v) return false;
    }
  }
  if (p.federatedGroup && (principal === null || principal.kind !== 'user' || !(ctx.now < principal.directBindingUntil))) return false;
  if (p.tags.length > 0) {
    const pairs = tagPairs(ctx);
    for (const t of p.tags) {
      let ok = false;
      for (const [k, v] of pairs) {
        if (k === t.name && (t.glob === null ? v === t.value : matchGlob(t.glob, v))) {
          ok = true;
          break;
        }
      }
      if (!ok) return false;
    }
  }
  if (!flat && p.scopes !== null && !coversScope(c, ctx)) return false;
  if (!flat && p.nodes !== null) {
    let ok = false;
    for (const n of p.nodes) {
      if (coversNode(c, n, ctx)) {
        ok = true;
        break;
      }
    }
    if (!ok) return false;
  }
  return p.rule === null || matchRule(p.rule, ctx);
}
