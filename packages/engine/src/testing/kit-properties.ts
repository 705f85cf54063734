// Ready-made properties a user runs on their own source: each is a fast-check property over the source
// and variations of it (arbSourceLike), with requests aimed at it (arbRequest). A property throws an Error
// naming what broke, so fast-check reports it with the shrunk counterexample.
import fc from 'fast-check';
import { compile } from '../compile/compile-source.js';
import { authorize } from '../evaluate/authorize.js';
import type { AuthorizeRequest, Decision } from '../evaluate/types.js';
import { PUBLIC_ACCESS_GROUP_ID, type Policy, type Source } from '../model/source.js';
import { arbRequest } from './arbitraries.js';
import { anonymousRequest as anonymous, requestAccount as accountOf, requestTime as nowOf } from './kit-request-facts.js';
import { arbSourceLike, arbSourceWithPolicy } from './kit-source-like.js';
import { referenceAuthorize } from './reference-evaluator.js';

/** The names of the ready properties, as checkProperties reports them. */
export type KitPropertyName =
  | 'deny-wins'
  | 'no-cross-account-grant'
  | 'inactive-principal-public-only'
  | 'expired-membership-grants-nothing'
  | 'allow-monotonic'
  | 'deny-monotonic'
  | 'compiled-equals-reference';

/** Options of every ready property. */
export interface KitPropertyOptions {
  /** Also run on variations of the source (arbSourceLike), not only on the source itself; true by default. */
  vary?: boolean;
  /** Requests per generated source; 8 by default. */
  maxRequests?: number;
}

/** One generated case: a source (the user's or a variation), requests aimed at it, and for the monotonicity properties the source with one policy added. */
export interface KitCase {
  source: Source;
  requests: AuthorizeRequest[];
  after?: Source;
  added?: Policy;
}

/** What every ready property is: a fast-check property over a case and a free pick. */
export type KitProperty = fc.IPropertyWithHooks<[KitCase, number]>;

const OTHER_ACCOUNT = 'kit-other-account';

/** The parts of a decision two evaluators (or two sources) must agree on. */
function core(d: Decision): string {
  return JSON.stringify({ allowed: d.allowed, reason: d.reason, policies: d.policies, errors: d.errors ?? [] });
}

function decide(source: Source, request: AuthorizeRequest): Decision {
  return authorize(compile(source), request, { explain: true });
}

function fail(name: KitPropertyName, message: string, request: AuthorizeRequest, ...decisions: Decision[]): never {
  const shown = decisions.map((d) => `${d.reason} [${d.policies.join(', ')}]`).join(' vs ');
  throw new Error(`property \`${name}\`: ${message}: request ${JSON.stringify(request)}: ${shown}`);
}

/** True when an identity path is one any caller holds: the Public Access group, or a calling service. */
function publicPath(d: Decision): boolean {
  return (d.explanation ?? []).every((e) => e.identity.kind === 'service' || (e.identity.kind === 'group' && e.identity.via === 'public' && e.identity.id === PUBLIC_ACCESS_GROUP_ID));
}

function arbSources(source: Source, opts: KitPropertyOptions): fc.Arbitrary<Source> {
  if (opts.vary === false) return fc.constant(source);
  return fc.oneof({ weight: 1, arbitrary: fc.constant(source) }, { weight: 3, arbitrary: arbSourceLike(source) });
}

function arbCase(source: Source, opts: KitPropertyOptions, malformed = false): fc.Arbitrary<KitCase> {
  const max = opts.maxRequests ?? 8;
  return arbSources(source, opts).chain((s) =>
    fc.array(arbRequest(s, { malformed }), { minLength: 1, maxLength: max }).map((requests) => ({ source: s, requests })),
  );
}

function arbAddedCase(source: Source, opts: KitPropertyOptions, effect: 'allow' | 'deny'): fc.Arbitrary<KitCase> {
  const max = opts.maxRequests ?? 8;
  return arbSources(source, opts).chain((s) =>
    arbSourceWithPolicy(s, effect).chain(({ source: after, added }) =>
      // requests aimed at the source with the policy, so that they often meet the added policy
      fc.array(arbRequest(after), { minLength: 1, maxLength: max }).map((requests): KitCase => ({ source: s, requests, after, ...(added ? { added } : {}) })),
    ),
  );
}

/** Deny wins: a decision is allowed only with reason `allow`, and turning any determining allow policy into a deny denies the request with `explicit-deny` naming it. */
export function denyWinsProperty(source: Source, opts: KitPropertyOptions = {}): KitProperty {
  return fc.property(arbCase(source, opts), fc.nat(), ({ source: s, requests }, k) => {
    const tables = compile(s);
    for (const r of requests) {
      const d = authorize(tables, r, { explain: true });
      if (d.allowed !== (d.reason === 'allow')) fail('deny-wins', 'allowed disagrees with the reason', r, d);
      if (!d.allowed) continue;
      const policies = (d.explanation ?? []).filter((e) => e.source === 'policy');
      const chosen = policies[k % Math.max(1, policies.length)]?.policyId;
      if (chosen === undefined) continue;
      const flipped: Source = { ...s, policies: s.policies.map((p) => (p.id === chosen ? { ...p, effect: 'deny' as const } : p)) };
      const d2 = decide(flipped, r);
      if (d2.allowed || d2.reason !== 'explicit-deny' || !d2.policies.includes(chosen))
        fail('deny-wins', `policy \`${chosen}\` made a deny did not deny`, r, d, d2);
    }
  });
}

/** No grant across accounts: only policies of the resource's account decide, and a subject acting for another account is decided exactly as an anonymous caller. */
export function noCrossAccountGrantProperty(source: Source, opts: KitPropertyOptions = {}): KitProperty {
  return fc.property(arbCase(source, opts), fc.nat(), ({ source: s, requests }, k) => {
    const tables = compile(s);
    for (const r of requests) {
      const A = accountOf(s, r);
      const d = authorize(tables, r, { explain: true });
      if (A === undefined || d.reason === 'invalid-request') continue;
      for (const id of d.policies) {
        const owner = s.policies.find((p) => p.id === id)?.accountId ?? s.bindings.find((b) => b.id === id)?.accountId;
        if (owner !== A) fail('no-cross-account-grant', `policy \`${id}\` of account \`${owner}\` decided in account \`${A}\``, r, d);
      }
      if (r.subject?.id === undefined) continue;
      const others = [...s.accounts.map((a) => a.id).filter((a) => a !== A), OTHER_ACCOUNT];
      const foreign: AuthorizeRequest = { ...r, subject: { ...r.subject, accountId: others[k % others.length]! } };
      const df = authorize(tables, foreign, { explain: true });
      const da = authorize(tables, anonymous(foreign), { explain: true });
      // a deny never grants more; an allow must be exactly the anonymous caller's (the SSO gate may add a deny of its own)
      if (df.allowed && (core(df) !== core(da) || !publicPath(df)))
        fail('no-cross-account-grant', 'a subject acting for another account got more than an anonymous caller', foreign, df, da);
    }
  });
}

/** A pending or disabled principal gets only public access: whatever it is allowed, it is allowed exactly as an anonymous caller. */
export function inactivePrincipalProperty(source: Source, opts: KitPropertyOptions = {}): KitProperty {
  return fc.property(arbCase(source, opts), fc.nat(), ({ source: s, requests }, k) => {
    const status = k % 2 === 0 ? ('pending' as const) : ('disabled' as const);
    for (const r of requests) {
      const A = accountOf(s, r);
      if (A === undefined) continue;
      const id = r.subject?.id ?? s.principals.filter((p) => p.accountId === A)[k % Math.max(1, s.principals.length)]?.id;
      if (id === undefined) continue;
      const asked: AuthorizeRequest = { ...r, subject: { ...r.subject, id } };
      const inactive: Source = { ...s, principals: s.principals.map((p) => (p.accountId === A && p.id === id ? { ...p, status } : p)) };
      const tables = compile(inactive);
      const d = authorize(tables, asked, { explain: true });
      const d0 = authorize(tables, anonymous(asked), { explain: true });
      // a deny never grants more; an allow must be exactly the anonymous caller's (the SSO gate may add a deny of its own)
      if (d.allowed && (core(d) !== core(d0) || !publicPath(d)))
        fail('inactive-principal-public-only', `a ${status} principal \`${id}\` got more than an anonymous caller`, asked, d, d0);
    }
  });
}

/**
 * Dynamic memberships outside [loginAt, expiresAt) grant nothing: removing every membership expired, or not yet begun, at
 * the request's time changes no decision, and no explanation names an expired one.
 */
export function expiredMembershipProperty(source: Source, opts: KitPropertyOptions = {}): KitProperty {
  return fc.property(arbCase(source, opts), fc.nat(), ({ source: s, requests }, _k) => {
    const tables = compile(s);
    for (const r of requests) {
      const now = nowOf(r);
      if (Number.isNaN(now)) continue;
      const d = authorize(tables, r, { explain: true });
      for (const e of d.explanation ?? [])
        if (e.identity.kind === 'group' && e.identity.via === 'dynamic' && !(now < Date.parse(e.identity.expiresAt)))
          fail('expired-membership-grants-nothing', `membership of \`${e.identity.id}\` expired at \`${e.identity.expiresAt}\` let in \`${e.policyId}\``, r, d);
      const live: Source = { ...s, memberships: s.memberships.filter((m) => Date.parse(m.loginAt) <= now && now < Date.parse(m.expiresAt)) };
      if (live.memberships.length === s.memberships.length) continue;
      const d2 = decide(live, r);
      if (core(d) !== core(d2)) fail('expired-membership-grants-nothing', 'dropping expired memberships changed the decision', r, d, d2);
    }
  });
}

/** Adding an allow policy (built from the source's own ids, roles and values) never removes access. */
export function allowMonotonicProperty(source: Source, opts: KitPropertyOptions = {}): KitProperty {
  return fc.property(arbAddedCase(source, opts, 'allow'), fc.nat(), ({ source: s, after, added, requests }, _k) => {
    if (after === undefined || added === undefined) return;
    const t0 = compile(s);
    const t1 = compile(after);
    for (const r of requests) {
      const d0 = authorize(t0, r);
      const d1 = authorize(t1, r);
      if (d0.allowed && !d1.allowed) fail('allow-monotonic', `adding allow \`${added.id}\` removed access`, r, d0, d1);
    }
  });
}

/** Adding a deny policy (built from the source's own ids, roles and values) never adds access. */
export function denyMonotonicProperty(source: Source, opts: KitPropertyOptions = {}): KitProperty {
  return fc.property(arbAddedCase(source, opts, 'deny'), fc.nat(), ({ source: s, after, added, requests }, _k) => {
    if (after === undefined || added === undefined) return;
    const t0 = compile(s);
    const t1 = compile(after);
    for (const r of requests) {
      const d0 = authorize(t0, r);
      const d1 = authorize(t1, r);
      if (d1.allowed && !d0.allowed) fail('deny-monotonic', `adding deny \`${added.id}\` added access`, r, d0, d1);
    }
  });
}

/** The compiled evaluator decides exactly as the naive reference evaluator, malformed requests included. */
export function compiledEqualsReferenceProperty(source: Source, opts: KitPropertyOptions = {}): KitProperty {
  return fc.property(arbCase(source, opts, true), fc.nat(), ({ source: s, requests }, _k) => {
    const tables = compile(s);
    for (const r of requests) {
      const d = authorize(tables, r);
      const ref = referenceAuthorize(s, r);
      if (core(d) !== core(ref)) fail('compiled-equals-reference', 'the compiled and the reference evaluator disagree', r, d, ref);
    }
  });
}

/** Every ready property by name, in the order checkProperties runs them. */
export const KIT_PROPERTIES: Readonly<Record<KitPropertyName, (source: Source, opts?: KitPropertyOptions) => KitProperty>> = {
  'deny-wins': denyWinsProperty,
  'no-cross-account-grant': noCrossAccountGrantProperty,
  'inactive-principal-public-only': inactivePrincipalProperty,
  'expired-membership-grants-nothing': expiredMembershipProperty,
  'allow-monotonic': allowMonotonicProperty,
  'deny-monotonic': denyMonotonicProperty,
  'compiled-equals-reference': compiledEqualsReferenceProperty,
};
