// The gate a guard asks: one authenticated actor, the tables as they are before the operation, one clock reading.
// Every answer comes from `authorize`, the same evaluator that decides the host's own requests.
import type { Tables } from '../../compile/tables.js';
import { SeedError } from '../../errors.js';
import { whatCan } from '../../analyze/what-can.js';
import { authorize } from '../../evaluate/authorize.js';
import type { RequestResource, RequestScalar } from '../../evaluate/types.js';
import type { AccessCodes, Gate, SubjectActor } from './guard.js';
import { ANY_OR_ABSENT, ANY_VALUE, isOpenValue, MORE_TAGS } from './targets.js';
import { applicablePolicies, attributePatterns, createWitnessWalks, runWitnesses, subjectIndex, tagWitnesses, type SubjectIndex, type WitnessWalks } from './witnesses.js';
import type { Policy } from '../../model/source.js';
import type { SourceState } from '../../model/source-state.js';

/** The seed's 401 for `codes`. */
export function unauthenticated(codes: AccessCodes): SeedError {
  return new SeedError(codes.unauthenticated.code, 401, codes.unauthenticated.message);
}

/** The seed's 403 for `codes`. */
export function forbidden(codes: AccessCodes, details?: Record<string, unknown>): SeedError {
  return new SeedError(codes.forbidden.code, 403, codes.forbidden.message, details);
}

/**
 * What one gate has worked out: the policies that can apply to its actor, per account; the witnesses of an open value.
 * `indexes` (each account's policies by subject) is shared by the gates of one operation run, over one state.
 */
interface Memo {
  indexes: Map<string, SubjectIndex>;
  walks: WitnessWalks;
  policies: Map<string, Policy[]>;
  values: Map<string, (string | null)[] | null>;
}

/** `m`'s value for `key`, worked out by `f` on first ask (each memo of the gate holds a pure function of one state). */
function memo<V>(m: Map<string, V>, key: string, f: () => V): V {
  let v = m.get(key);
  // Stryker disable next-line ConditionalExpression: recomputing gives the same value (each memo holds a pure function of the state, and runWitnesses makes each walk once per run, so no step is counted twice)
  if (v === undefined) m.set(key, (v = f()));
  return v;
}

/** The most concrete requests one target may stand for (the product of its open values' witnesses); past it, refused. */
export const MAX_PROBES = 4096;

/**
 * The most requests beyond the first that the open targets of one operation run may stand for together (at every
 * instant, as every principal); past it, refused. A target's requests are asked again at every instant the review
 * visits and as every principal a change hits: five attributes the actor's grants name (3,125 requests a target) and
 * one weekly rule of its own (330 instants) made one grant ask two million requests, 20 s on a loaded 2-core VM with
 * the engine's writes held, before it was accepted. The suites' runs ask at most about 8,000 in all.
 */
export const MAX_RUN_PROBES = 50_000;

/**
 * The values an open value of attribute `name` is asked as, null standing for the attribute's absence; null when they
 * cannot be told apart within the bounds. "Any value or none" is only its absence when nothing the subject's policies
 * hold reads the attribute: then every value is decided as none is.
 */
function witnessesOf(policies: readonly Policy[], state: SourceState, accountId: string, name: string, open: string, walks: WitnessWalks): (string | null)[] | null {
  const pats = attributePatterns(policies, state, accountId, name);
  // nothing the subject's policies hold reads the attribute: every value, and none, is decided alike
  if (!pats.named) return [null];
  const present = runWitnesses(walks, open === ANY_OR_ABSENT ? ANY_VALUE : open, pats.literals, pats.globs);
  if (present === null) return null;
  return open === ANY_OR_ABSENT ? [null, ...present] : present;
}

/**
 * The concrete requests `resource` stands for: `[resource]` when it holds no open value, else one request per
 * combination of its open values' witnesses (access/witnesses.ts) for `subjectId`, each with its fewest tags and, when it
 * stands for further tags too, with the tags the subject's conditions ask for added. Throws `refuse()` when the
 * values cannot be told apart within the bounds: the gate never answers from a sample.
 */
function concrete(resource: RequestResource, subjectIds: readonly string[], state: SourceState, memos: Memo, refuse: () => Error): RequestResource[] {
  const attrs = resource.attributes ?? {};
  // a target with nothing open is asked as it is (only policy targets have open values, and they all stand for more tags)
  if (!resource.tags?.includes(MORE_TAGS)) return [resource];
  const accountId = String(attrs['accountId']);
  const who = subjectIds.join('\u0000');
  const held = memo(memos.policies, `${accountId}\u0000${who}`, () => {
    const index = memo(memos.indexes, accountId, () => subjectIndex(state, accountId));
    return [...new Set(subjectIds.flatMap((id) => applicablePolicies(index, id)))];
  });
  let combos: Record<string, RequestScalar>[] = [{}];
  for (const [name, x] of Object.entries(attrs)) {
    if (!isOpenValue(x)) {
      for (const c of combos) c[name] = x;
      continue;
    }
    const values = memo(memos.values, `${accountId}\u0000${who}\u0000${name}\u0000${x}`, () => witnessesOf(held, state, accountId, name, x, memos.walks));
    if (values === null || combos.length * values.length > MAX_PROBES) throw refuse();
    const vs = values;
    combos = combos.flatMap((c) => vs.map((v) => (v === null ? { ...c } : { ...c, [name]: v })));
  }
  // a tag set is decided at its fewest tags and at those plus every tag a condition of the subject's asks for: tag
  // conditions only ask for a tag, so every tag set between is decided as one of the two
  const fewest = resource.tags!.filter((t) => t !== MORE_TAGS);
  const all = [...new Set([...fewest, ...tagWitnesses(held)])];
  const tagSets = all.length === fewest.length ? [fewest] : [fewest, all];
  return combos.flatMap((a) => tagSets.map((tags) => ({ ...resource, attributes: a, tags })));
}

/** Creates the gate of one operation run. */
export function createGate(
  actor: SubjectActor,
  state: SourceState,
  tables: Tables,
  now: number,
  codes: AccessCodes,
  indexes = new Map<string, SubjectIndex>(),
  // the witness walks are the run's, like the indexes: a gate at another instant or as another principal reuses them
  walks = createWitnessWalks(),
  // and so is the count of requests asked, against MAX_RUN_PROBES (and, for the host's onReview, those decided and where)
  run = { probesLeft: MAX_RUN_PROBES, requests: 0, instants: new Set<number>() },
): Gate {
  // the host's word that the actor signed in through SSO passes the login gate, as it does for a request
  const subject = actor.sso === true ? { id: actor.id, accountId: actor.accountId, sso: true } : { id: actor.id, accountId: actor.accountId };
  const memos: Memo = { indexes, walks, policies: new Map(), values: new Map() };
  const probes = (resource: RequestResource, alongside: readonly string[] = []) => {
    const list = concrete(resource, [actor.id, ...alongside], state, memos, () => forbidden(codes));
    // only what open values multiply counts: a plain target is one request, as for any row the review reads (a deny
    // on every caller of a large account asks one per principal, a cost that grows with the account, not with a trick)
    run.probesLeft -= list.length - 1;
    if (run.probesLeft < 0) throw forbidden(codes);
    run.requests += list.length;
    run.instants.add(now);
    return list;
  };
  // INVARIANT: the evaluator never sees an open value itself, only its witnesses, each of which must be allowed
  const decideAll = (action: string, resource: RequestResource, explain: boolean) =>
    probes(resource).map((r) => authorize(tables, { subject, action, resource: r }, { now, explain }));
  // Stryker disable next-line BooleanLiteral: an explanation does not change what is allowed (the conformance runner decides each case both ways)
  const may = (action: string, resource: RequestResource): boolean => decideAll(action, resource, false).every((d) => d.allowed === true);
  const gate: Gate = {
    actor,
    state,
    now,
    may,
    require(action, resource) {
      if (!may(action, resource)) throw forbidden(codes, { action });
    },
    mayAsOrganizationAdmin(action, resource) {
      // Stryker disable next-line ArrayDeclaration,OptionalChaining: a decision asked with explain carries its explanation, and each role it names is in the state the tables were compiled from
      return decideAll(action, resource, true).every((d) => d.allowed && (d.explanation ?? []).some((e) => state.get('role', e.roleId)?.admin === 'organization'));
    },
    actionsOn(resource, alongside) {
      // what is held on any witness of an open value is held there (a lock-out takes it), and only there: the
      // witness goes with it, so a right held on one service is not asked of the actor on every other one; the
      // witnesses tell apart what `alongside` holds too, so each is one place for both
      const out: { action: string; at: RequestResource }[] = [];
      for (const r of probes(resource, alongside === undefined ? [] : [alongside])) {
        try {
          const w = whatCan(tables, subject, r, { now });
          for (const a of w.actions) out.push({ action: a.action, at: r });
          for (const p of w.patterns) out.push({ action: p.pattern, at: r });
        } catch {
          // a resource the analysis refuses is one nothing is held on
        }
      }
      return out;
    },
    // another principal is asked as if signed in through SSO: the most it can hold, so a lock-out check never under-asks
    // Stryker disable next-line StringLiteral: a gate reads its actor's id, account and SSO word, never its kind
    as: (principalId) => createGate({ kind: 'subject', id: principalId, accountId: actor.accountId, sso: true }, state, tables, now, codes, indexes, walks, run),
    forbidden: () => forbidden(codes),
    // Stryker disable next-line ConditionalExpression: a fresh gate for the same account shares the run's indexes, walks and count, so decides alike (this one keeps its memos)
    inAccount: (accountId) => (accountId === actor.accountId ? gate : createGate({ ...actor, accountId }, state, tables, now, codes, indexes, walks, run)),
    // Stryker disable next-line ConditionalExpression: a fresh gate at the same instant shares the run's indexes, walks and count, so decides alike (this one keeps its memos)
    at: (instant) => (instant === now ? gate : createGate(actor, state, tables, instant, codes, indexes, walks, run)),
  };
  return gate;
}
