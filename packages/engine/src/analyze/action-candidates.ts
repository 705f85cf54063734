import { prefixIdsOf } from '../compile/action-table.js';
import { exactBucket, exactIdsOfIndex, patternBucket } from '../compile/identity-index.js';
import type { Bucket, Candidate, IdentityIndex, PrincipalEntry, Tables } from '../compile/tables.js';
import { ValidationError } from '../errors.js';
import { matchCandidate } from '../evaluate/match-policy.js';
import { createContext, resolveRequest, type RequestContext } from '../evaluate/resolve-request.js';
import type { RequestSubject, RequestResource, RequestScalar } from '../evaluate/types.js';

/** The clock of every analysis: injected, never read. */
export interface AnalyzeOptions {
  /** Epoch milliseconds at which access is analysed. */
  now: number;
}

const NOW_ONLY: readonly string[] = ['now'];

/**
 * Throws `invalid_options` unless `now` is a finite number, so that no analysis ever reads the clock, and for a key
 * the analysis does not read (`known`), so that a misspelt `acountId` is refused rather than dropped (a request means
 * what it says, SEMANTICS §0; read with for…in, as a request's keys are).
 */
export function checkNow(options: AnalyzeOptions | undefined, known: readonly string[] = NOW_ONLY): number {
  if (options !== null && typeof options === 'object')
    for (const k in options) if (!known.includes(k)) throw new ValidationError('invalid_options', [{ path: [k], message: `unknown key \`${k}\`` }]);
  const now = options?.now;
  if (typeof now !== 'number' || !Number.isFinite(now))
    throw new ValidationError('invalid_options', [{ path: ['now'], message: 'a time is required: epoch milliseconds' }]);
  return now;
}

/**
 * Resolves an action and a resource at `now` exactly as `authorize` would (SEMANTICS §0), so that an analysis reads the
 * same values the evaluator reads. Bad input throws `invalid_request` rather than answering deny.
 */
export function resolveTarget(tables: Tables, action: string, resource: RequestResource, now: number, subject: RequestSubject = {}): RequestContext {
  const ctx = createContext();
  // the subject is checked as authorize checks it, so an analysis refuses what a decision would refuse
  const issues = resolveRequest(tables, { subject, action, resource }, { now }, ctx);
  if (issues.length > 0) throw new ValidationError('invalid_request', issues);
  return ctx;
}

/** The buckets one identity index holds for an action (views over its flat layout): its exact bucket and one per known pattern prefix. */
export function bucketsFor(tables: Tables, index: IdentityIndex, action: string): Bucket[] {
  const out: Bucket[] = [];
  const actionId = tables.actions.actions.get(action) ?? -1;
  const b = exactBucket(index, actionId);
  if (b !== undefined) out.push(b);
  if (index.patternCount > 0) {
    for (const id of prefixIdsOf(tables.actions, action, actionId)) {
      const b = patternBucket(index, id);
      if (b !== undefined) out.push(b);
    }
  }
  return out;
}

/** The exact action ids an identity index holds a bucket for. */
export function exactIdsOf(index: IdentityIndex): number[] {
  return exactIdsOfIndex(index);
}

/** What the policies of one identity say about one request: matching denies (errored ones included) and allows. */
export interface IdentityVerdict {
  denies: Set<string>;
  allows: Set<string>;
  /** Allows that hold only for an active user with an unexpired direct binding (federated group bindings). */
  federatedAllows: Set<string>;
}

/**
 * Evaluates one identity's candidates for a resolved request, as `authorize` does: an errored deny counts as matching
 * whatever its service, an errored allow never grants. With `principal` null, federated bindings are kept apart.
 */
export function verdictOf(
  buckets: readonly Bucket[],
  ctx: RequestContext,
  principal: PrincipalEntry | null,
  service: Record<string, RequestScalar> | undefined,
): IdentityVerdict {
  const v: IdentityVerdict = { denies: new Set(), allows: new Set(), federatedAllows: new Set() };
  for (const b of buckets) {
    for (const c of b.deny) if (c.policy.error !== null || matchCandidate(c, ctx, principal, service)) v.denies.add(c.policy.id);
  }
  for (const b of buckets) {
    for (const c of b.allow) {
      if (c.policy.error !== null) continue;
      if (principal === null && c.policy.federatedGroup) {
        if (matchCandidate(asPlain(c), ctx, null, service)) v.federatedAllows.add(c.policy.id);
      } else if (matchCandidate(c, ctx, principal, service)) v.allows.add(c.policy.id);
    }
  }
  return v;
}

/** A candidate with the federated-group check lifted, so it can be matched before the principal is known. */
function asPlain(c: Candidate): Candidate {
  return { ...c, policy: { ...c.policy, federatedGroup: false } };
}

/** Whether a federated group binding counts for this principal at `now` (SEMANTICS §3.4). */
export function federatedHolds(p: PrincipalEntry, now: number): boolean {
  return p.kind === 'user' && now < p.directBindingUntil;
}

/** Sorted ids, each once, by code unit, as decisions list them. */
export function sortedIds(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
