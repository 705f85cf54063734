import { internString, NO_STRING, type StringTable } from './strings.js';
import { Derived, Op, type AttributeMatcher, type Candidate, type CompiledPolicy } from './tables.js';

/**
 * A candidate's conditions that are integer compares, written as a small program beside its record (see
 * identity-index.ts) so that the scan reads them from the index's own array instead of following the candidate, its
 * matchers, its policy and its scope targets through the heap. At L most scanned candidates needed that walk (every
 * Cloudflare candidate for its scopes, many IBM ones for a second or third `stringEquals`), and each walk was several
 * cache misses. What is not an integer compare (globs, any-of lists, tags, rules, service subjects, federated
 * bindings) stays in the side table and the record's Tail flag says so.
 *
 * A program is a run of triples `[op, a, b]`, all of which must hold:
 *
 *   Eq        a: attribute id, b: value id          the request's value of the attribute is that literal
 *   SvcType   a: value id                           the derived serviceType (catalog type, else the request's own)
 *   ScopeType a: ScopeCode                          the resource's scope type (the role's `scopeType`)
 *   Any       a: n                                  one of the next n target triples holds (a policy's scopes)
 *   Account   a: account id                         an account-scoped resource of that account
 *   Zone      a: account id, b: zone id or NO_STRING a zone-scoped resource of that account in that zone (any: NO_STRING)
 *   User      a: user id                            a user-scoped resource whose `resource` attribute is that user
 *   Before    a, b: an instant's high and low 32 bits the request's time is before it (a binding's expiry)
 *   Nodes     a: n, b: AdminCode of the role        one of the next n Node triples covers the resource (BlueXP)
 *   Node      a: node id                            a node a binding is bound at: above one of the resource's projects
 *                                                   (or folders, for an admin role), or the organization of a resource
 *                                                   in neither; with an agent, only through the agent's projects
 *
 * Ids are interned strings (strings.ts): a request string that was never interned equals none of them. An op the
 * evaluator does not know holds for nothing (fails closed).
 */
export const enum FlatOp {
  Eq = 1,
  SvcType = 2,
  ScopeType = 3,
  Any = 4,
  Account = 5,
  Zone = 6,
  User = 7,
  Before = 8,
  Nodes = 9,
  Node = 10,
}

/** A role's `admin` as the Nodes step compares it (RoleInfo.admin). */
export const enum AdminCode {
  None = 0,
  FolderOrProject = 1,
  Organization = 2,
}

/** An instant split into two int32 halves for a Before step: exact for a safe integer. */
const HALF = 2 ** 32;

/** A resource's scope type as an integer (RequestContext.scopeType). */
export const enum ScopeCode {
  Account = 0,
  Zone = 1,
  User = 2,
}

export function scopeCode(t: 'account' | 'zone' | 'user'): ScopeCode {
  return t === 'account' ? ScopeCode.Account : t === 'zone' ? ScopeCode.Zone : ScopeCode.User;
}

/** A matcher the program holds: a plain `stringEquals` on a request attribute or on the derived serviceType. */
export function isFlatMatcher(m: AttributeMatcher): boolean {
  return m.op === Op.Equals && (m.derived === Derived.None || m.derived === Derived.ServiceType);
}

/** True when the program holds a policy's expiry: a finite instant in integer milliseconds (what Date.parse gives). */
function flatExpiry(p: CompiledPolicy): boolean {
  return Number.isSafeInteger(p.expiresAt);
}

/** Appends a candidate's program to `out`, interning its literals: the cheapest steps first. */
export function writeProgram(c: Candidate, strings: StringTable, out: number[]): void {
  const p = c.policy;
  // the low half is ToInt32 of the instant, exact below 2^53
  if (flatExpiry(p)) out.push(FlatOp.Before, Math.floor(p.expiresAt / HALF), p.expiresAt | 0);
  const rest = c.rest;
  for (let i = 0; i < rest.length; i++) {
    const m = rest[i]!;
    if (!isFlatMatcher(m)) continue;
    if (m.derived === Derived.ServiceType) out.push(FlatOp.SvcType, internString(strings, m.value), 0);
    else out.push(FlatOp.Eq, m.attr, internString(strings, m.value));
  }
  const scopes = p.scopes;
  if (scopes !== null) {
    if (c.role.scopeType !== null) out.push(FlatOp.ScopeType, scopeCode(c.role.scopeType), 0);
    out.push(FlatOp.Any, scopes.length, 0);
    for (let i = 0; i < scopes.length; i++) {
      const t = scopes[i]!;
      if (t.type === 'account') out.push(FlatOp.Account, internString(strings, t.accountId), 0);
      else if (t.type === 'zone') out.push(FlatOp.Zone, internString(strings, t.accountId), t.zone === '*' ? NO_STRING : internString(strings, t.zone));
      else out.push(FlatOp.User, internString(strings, t.userId), 0);
    }
  }
  const nodes = p.nodes;
  if (nodes !== null) {
    const admin = c.role.admin === null ? AdminCode.None : c.role.admin === 'organization' ? AdminCode.Organization : AdminCode.FolderOrProject;
    out.push(FlatOp.Nodes, nodes.length, admin);
    for (let i = 0; i < nodes.length; i++) out.push(FlatOp.Node, internString(strings, nodes[i]!), 0);
  }
}
