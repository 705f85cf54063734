import { compile } from '../compile/compile-source.js';
import type { CompiledPolicy, Tables } from '../compile/tables.js';
import { updateTables } from '../compile/update-tables.js';
import { StoreError, ValidationError, type Issue } from '../errors.js';
import { authorize, decideMany, decideOne } from '../evaluate/authorize.js';
import type { AuthorizeOptions, AuthorizeRequest, Decision, RequestSubject } from '../evaluate/types.js';
import { GuardRegistry } from '../manage/access/guard.js';
import { runGuarded, type ReviewWork } from '../manage/access/run-guarded.js';
import { defaultGuards } from '../manage/default-guards.js';
import type { Actor } from '../manage/actor.js';
import type { ManageContext, Operation } from '../manage/operation.js';
import { SourceState } from '../model/source-state.js';
import { findForbiddenKeys, parseSource, zodIssues } from '../model/parse-source.js';
import { SOURCE_VERSION, type Source, type SourceInput } from '../model/source.js';
import { parseRows } from '../prepare-commit.js';
import { applyChanges, entityKey, type Change } from '../model/entities.js';
import { type Store } from '../store.js';
import { DecisionCache } from './decision-cache.js';
import { checkFollowOption, Follower, type FollowOptions, type FollowStatus } from './follow.js';
import { checkHookOptions, DecisionHooks, timeOf, type DecisionHookOptions } from './decision-hooks.js';

/** Options of createEngine, checked at construction. */
export interface EngineOptions extends DecisionHookOptions {
  /** The initial source (validated with parseSource, so JSON read from a file may be passed as is). Defaults to an empty source. */
  source?: SourceInput;
  /**
   * Where the source is persisted: `createEngineFromStore` loads from it and passes it on. `createEngine` refuses it
   * (`invalid_options`): an engine over a source of its own would decide on rows the store never held and write its
   * changes to the store unchecked by any history digest.
   */
  store?: Store;
  /** The clock, epoch milliseconds. Injected so tests and replays control time. Defaults to Date.now. */
  clock?: () => number;
  /** Decision cache size in entries; 0 disables it. Default 10,000. */
  cacheSize?: number;
  /** Fresh ids for management operations. Defaults to random 32-character hex ids with the prefix. */
  newId?: (prefix: string) => string;
  /**
   * Whether an engine created from a store follows the store's change feed, catching up on its own with every
   * commit another process makes (default true for a store with `watch`; see FollowOptions).
   */
  follow?: boolean | FollowOptions;
  /**
   * How many times `apply` reruns an operation that lost a race to another writer before it gives up (default 10;
   * each rerun follows a random pause of up to 2^n ms, at most 100 ms).
   */
  conflictRetries?: number;
  /**
   * The guards `apply` consults for every actor but `system`: defaults to `defaultGuards`, each operation's own as it
   * declares it. An operation the registry holds no guard for is refused to every subject (fail closed).
   */
  guards?: GuardRegistry;
  /**
   * Called once per run of `apply` for every actor but `system` (a rerun after a lost race is a run), accepted or
   * refused, with the work its access checks did: to log what a management request cost. A hook that throws does not
   * change the outcome; the error is counted in `engine.hookErrors` and dropped.
   */
  onReview?: (work: ReviewWork) => void;
}

/** Options of one management operation. */
export interface ApplyOptions {
  /** Who performs it. Required: an operation without an actor is refused. */
  actor: Actor;
}

/** The one stateful place: holds the current source and tables, a decision cache, and optionally a store. */
export interface Engine {
  /** The current source (a new array snapshot after each change). */
  readonly source: Source;
  /** The live decision tables: updated in place by `apply`. */
  readonly tables: Tables;
  /** The source revision: the store's revision, or a local counter without a store. */
  readonly revision: number;
  authorize(request: AuthorizeRequest, options?: AuthorizeOptions): Decision;
  authorizeMany(subject: RequestSubject, requests: readonly Omit<AuthorizeRequest, 'subject'>[], options?: AuthorizeOptions): Decision[];
  /**
   * Runs a management operation over the current state, commits its changes to the store (if any) and updates the
   * tables incrementally, so the next `authorize` sees the change. A refusal throws and changes nothing.
   */
  apply<I, R>(operation: Operation<I, R>, input: I, options: ApplyOptions): Promise<R>;
  /** Commits row-level changes directly (validated like any commit). */
  commit(changes: Change[]): Promise<void>;
  /** Validates and installs a whole new source; cached decisions of the old one are never served again. */
  replaceSource(source: SourceInput): Promise<void>;
  /** Catches up with commits another process made to the store. Returns the number of changes applied. */
  refresh(): Promise<number>;
  /** Writes the usage figures (`lastPermitAt`, `lastPermitFrequency`) gathered since the last flush. */
  flushUsage(): Promise<number>;
  /** Cache statistics. */
  cacheStats(): { size: number; hits: number; misses: number };
  /** How far behind its store the engine is, and whether its feed is connected (see FollowStatus). */
  followStatus(): FollowStatus;
  /**
   * Stops following the store, waits for the writes in flight and closes the store. Decisions go on over the last
   * tables; every later write or refresh fails with StoreError `store_closed`. Closing twice is harmless.
   */
  close(): Promise<void>;
  /** How many times `onDecision`, the tracer or `onReview` threw (each error is dropped; the decision or outcome stands). */
  readonly hookErrors: number;
}

const EMPTY_SOURCE = { version: SOURCE_VERSION };
const NONE: readonly CompiledPolicy[] = Object.freeze([]);

/**
 * The caller's options with the engine's clock as `now` when they give none. Not a spread copy: the copy would drop
 * inherited keys, which `authorize` reads (an inherited unknown key is refused there, an inherited `explain` counts),
 * so the engine would decide otherwise than `authorize` on the same options.
 */
function withNow(options: AuthorizeOptions, now: number): AuthorizeOptions {
  if (options.now !== undefined) return options;
  const o = Object.create(options) as AuthorizeOptions;
  o.now = now;
  return o;
}

/**
 * A plain request (one DecisionCache.get answered for: a miss) as one reading of the fields the cache keys on, so
 * that the decision and its cache key are made of the same values whatever the caller's object answers next.
 */
function plainSnapshot(request: AuthorizeRequest): AuthorizeRequest {
  const s = request.subject;
  const subject: RequestSubject = {};
  const id = s.id;
  const accountId = s.accountId;
  const authenticated = s.authenticated;
  if (id !== undefined) subject.id = id;
  if (accountId !== undefined) subject.accountId = accountId;
  if (authenticated !== undefined) subject.authenticated = authenticated;
  return { subject, action: request.action, resource: { id: request.resource.id! } };
}

/**
 * A store's history digest, checked before the engine keeps it (StoreError `corrupt_data` otherwise): a store that
 * answers none (written before the Store port had digests) cannot show the engine it follows one history.
 */
function checkDigest(digest: unknown, from: string): string {
  if (typeof digest === 'string' && /^[0-9a-f]{64}$/.test(digest)) return digest;
  throw new StoreError('corrupt_data', `store: \`${from}\` answered no history digest (64 lowercase hex digits): a store must keep one per revision (see Store)`);
}

function checkOptions(o: EngineOptions): void {
  const issues: Issue[] = [];
  if (o === null || typeof o !== 'object') throw new ValidationError('invalid_options', [{ path: [], message: 'options must be an object' }]);
  if (o.clock !== undefined && typeof o.clock !== 'function') issues.push({ path: ['clock'], message: 'must be a function' });
  if (o.newId !== undefined && typeof o.newId !== 'function') issues.push({ path: ['newId'], message: 'must be a function' });
  if (o.cacheSize !== undefined && (!Number.isInteger(o.cacheSize) || o.cacheSize < 0))
    issues.push({ path: ['cacheSize'], message: 'must be a non-negative integer' });
  if (o.conflictRetries !== undefined && (!Number.isSafeInteger(o.conflictRetries) || o.conflictRetries < 0))
    issues.push({ path: ['conflictRetries'], message: 'must be a non-negative integer' });
  if (o.guards !== undefined && !(o.guards instanceof GuardRegistry))
    issues.push({ path: ['guards'], message: 'must be a guard registry (createGuardRegistry)' });
  // INVARIANT: every registry an engine consults runs the no-escalation review; switching it off is for tests of runGuarded
  else if (o.guards !== undefined && !o.guards.escalationReview)
    issues.push({ path: ['guards'], message: 'must keep the no-escalation review (`escalationReview: false` is not for an engine)' });
  checkFollowOption(o.follow, issues);
  checkHookOptions(o, issues);
  if (o.onReview !== undefined && typeof o.onReview !== 'function') issues.push({ path: ['onReview'], message: 'must be a function' });
  if (issues.length > 0) throw new ValidationError('invalid_options', issues);
}

function randomId(prefix: string): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

class EngineImpl implements Engine {
  /**
   * The source keyed for management and updates, built on first use (see #sourceState): deciding reads only the
   * tables, so start-up does not pay for it (~70 ms of CPU at L). Until then `#unkeyed` holds the source.
   */
  #state: SourceState | undefined;
  #unkeyed: Source | undefined;
  #tables: Tables;
  #revision: number;
  readonly #store: Store | undefined;
  readonly #clock: () => number;
  readonly #newId: (prefix: string) => string;
  readonly #cache: DecisionCache | null;
  /** Null unless onDecision or a tracer is set: then every call below skips them with one check. */
  readonly #hooks: DecisionHooks | null;
  /** Undefined unless onReview is set: runGuarded then counts nothing for it. */
  readonly #onReview: ((work: ReviewWork) => void) | undefined;
  #reviewErrors = 0;
  /** The time the last authorize call decided at, for the decision log. */
  #at = 0;
  #hits = 0;
  #misses = 0;
  /** Policies with permits since the last flush; batched so the hot path only bumps a counter on the policy. */
  #permitted: CompiledPolicy[] = [];
  #lastPermitAt = 0;
  /** Serializes writes: each waits for the one before. */
  #queue: Promise<unknown> = Promise.resolve();
  readonly #conflictRetries: number;
  readonly #guards: GuardRegistry;
  /** The newest store revision this engine has seen (its own commits and catch-ups). */
  #storeRevision: number;
  /**
   * The store's history digest of `#revision` (undefined without a store): what every catch-up compares with the
   * store's digest of that revision, and every commit hands the store to check, so another history is never followed.
   */
  #digest: string | undefined;
  /** How many times the store's history was found not to be the one followed, and when last (see #reload). */
  #reloads = 0;
  #reloadedAt: number | undefined;
  #follower: Follower | undefined;
  #closed = false;

  constructor(source: Source, revision: number, options: EngineOptions, digest?: string) {
    this.#unkeyed = source;
    this.#tables = compile(source);
    this.#revision = revision;
    this.#digest = digest;
    this.#store = options.store;
    this.#clock = options.clock ?? Date.now;
    this.#newId = options.newId ?? randomId;
    const size = options.cacheSize ?? 10_000;
    this.#cache = size > 0 ? new DecisionCache(size, (allowed, hits) => this.#countTimes(allowed, hits)) : null;
    this.#conflictRetries = options.conflictRetries ?? 10;
    this.#guards = options.guards ?? defaultGuards;
    this.#storeRevision = revision;
    const store = this.#store;
    if (store?.watch !== undefined && options.follow !== false) {
      const follow = typeof options.follow === 'object' ? options.follow : {};
      this.#follower = new Follower(store as Store & Required<Pick<Store, 'watch'>>, {
        revision: () => this.#revision,
        catchUp: () => this.#serialize(() => this.#catchUp()).then(() => this.#storeRevision),
        history: () => ({ digest: this.#digest, reloads: this.#reloads, reloadedAt: this.#reloadedAt }),
      }, this.#clock, follow);
    }
    this.#hooks = DecisionHooks.from(options);
    const onReview = options.onReview;
    this.#onReview =
      onReview === undefined
        ? undefined
        : (work) => {
            try {
              onReview(work);
            } catch {
              this.#reviewErrors++;
            }
          };
  }

  get source(): Source {
    return this.#unkeyed ?? this.#sourceState().toSource();
  }

  #sourceState(): SourceState {
    if (this.#state === undefined) {
      this.#state = SourceState.from(this.#unkeyed!);
      this.#unkeyed = undefined;
    }
    return this.#state;
  }
  get tables(): Tables {
    return this.#tables;
  }
  get revision(): number {
    return this.#revision;
  }

  get hookErrors(): number {
    return (this.#hooks?.errors ?? 0) + this.#reviewErrors;
  }

  authorize(request: AuthorizeRequest, options?: AuthorizeOptions): Decision {
    const hooks = this.#hooks;
    if (hooks === null) return this.#authorize(request, options);
    const span = hooks.start('portcullis.authorize', 1);
    const hits = this.#hits;
    const d = this.#authorize(request, options);
    const cached = this.#hits !== hits;
    hooks.log(request, d, this.#revision, timeOf(request, this.#at), cached);
    hooks.end(span, [d], this.#revision, cached ? 1 : 0);
    return d;
  }

  #authorize(request: AuthorizeRequest, options?: AuthorizeOptions): Decision {
    const cache = this.#cache;
    // options that are not an object are refused by authorize itself (invalid-request), never spread away
    if (options !== undefined && (options === null || typeof options !== 'object')) return this.#stamp(authorize(this.#tables, request, options));
    const now = options?.now ?? this.#clock();
    this.#at = now;
    if (cache === null || options !== undefined) return this.#decide(request, options === undefined ? { now } : withNow(options, now), now);
    const hit = cache.get(request, this.#revision, now);
    if (hit === null) return this.#decide(request, { now }, now);
    if (hit !== undefined) {
      this.#hits++;
      if (hit.allowed.length > 0) {
        cache.countHit(hit);
        this.#lastPermitAt = now;
      }
      return hit.decision;
    }
    this.#misses++;
    // decided and cached on one reading of the fields the cache keys on: a request whose fields answer otherwise at
    // the next read (getters) can never store one action's decision under another's key
    const once = plainSnapshot(request);
    let allowed: readonly CompiledPolicy[] = NONE;
    const d = this.#stamp(decideOne(this.#tables, once, { now }, (policies) => {
      allowed = policies;
      this.#count(policies, now);
    }));
    cache.set(once, d, allowed, this.#tables, this.#revision, now);
    return d;
  }

  /** Marks a fresh decision with the revision it was made on (a cached one was marked before it was cached). */
  #stamp(d: Decision): Decision {
    d.revision = this.#revision;
    return d;
  }

  #decide(request: AuthorizeRequest, options: AuthorizeOptions, now: number): Decision {
    return this.#stamp(decideOne(this.#tables, request, options, (policies) => this.#count(policies, now)));
  }

  /** Counts permits on the compiled policies themselves: one increment each, written out by flushUsage. */
  #count(policies: readonly CompiledPolicy[], now: number): void {
    this.#countTimes(policies, 1);
    this.#lastPermitAt = now;
  }

  /** Counts `n` permits on each policy of one decision (a cache hit's are counted in bulk, see DecisionCache.countHit). */
  #countTimes(policies: readonly CompiledPolicy[], n: number): void {
    outer: for (let i = 0; i < policies.length; i++) {
      const p = policies[i]!;
      // a policy reached through two roles determined the decision once
      for (let j = 0; j < i; j++) if (policies[j] === p) continue outer;
      if (p.permits === 0) this.#permitted.push(p);
      p.permits += n;
    }
  }

  authorizeMany(subject: RequestSubject, requests: readonly Omit<AuthorizeRequest, 'subject'>[], options?: AuthorizeOptions): Decision[] {
    const hooks = this.#hooks;
    if (hooks === null) return this.#authorizeMany(subject, requests, options);
    const span = hooks.start('portcullis.authorizeMany', Array.isArray(requests) ? requests.length : 0);
    let out: Decision[] = [];
    try {
      out = this.#authorizeMany(subject, requests, options);
    } finally {
      // a batch that is not an array throws invalid_request: its span still ends, with no decisions
      hooks.end(span, out, this.#revision, 0);
    }
    hooks.logMany(subject, requests, out, this.#revision, this.#at);
    return out;
  }

  #authorizeMany(subject: RequestSubject, requests: readonly Omit<AuthorizeRequest, 'subject'>[], options?: AuthorizeOptions): Decision[] {
    let out: Decision[];
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      this.#at = this.#clock();
      out = decideMany(this.#tables, subject, requests, options, undefined);
    } else {
      const now = options?.now ?? this.#clock();
      this.#at = now;
      out = decideMany(this.#tables, subject, requests, options === undefined ? { now } : withNow(options, now), (allowed) => this.#count(allowed, now));
    }
    const revision = this.#revision;
    for (let i = 0; i < out.length; i++) out[i]!.revision = revision;
    return out;
  }

  #serialize<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  apply<I, R>(operation: Operation<I, R>, input: I, options: ApplyOptions): Promise<R> {
    return this.#serialize(async () => {
      if (typeof operation !== 'function') throw new ValidationError('invalid_input', [{ path: ['operation'], message: 'must be a management operation' }]);
      const actor = options?.actor;
      if (actor === undefined || actor === null || typeof actor !== 'object')
        throw new ValidationError('invalid_input', [{ path: ['actor'], message: 'every operation names its actor (use `{kind: "system"}` on purpose)' }]);
      for (let attempt = 0; ; attempt++) {
        const ctx: ManageContext = { actor, now: new Date(this.#clock()).toISOString(), newId: this.#newId };
        // the actor passes the operation's guard over the current tables; `system` runs unguarded, on purpose
        const r = runGuarded(this.#guards, operation, this.#sourceState(), this.#tables, input, ctx, this.#onReview);
        if (r.changes.length === 0) return r.result;
        try {
          await this.#write(r.changes, true);
          return r.result;
        } catch (e) {
          // another process committed first: the operation is pure, so it reruns (guard included) on the state
          // that won; after `conflictRetries` lost races the conflict is the caller's to see
          if (!(e instanceof StoreError && e.code === 'revision_conflict') || attempt >= this.#conflictRetries) throw e;
          // a random pause, growing with each lost race, so writers that keep colliding spread out
          await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 2 ** (attempt + 1))));
          await this.#catchUp();
        }
      }
    });
  }

  commit(changes: Change[]): Promise<void> {
    return this.#serialize(() => this.#write(changes, false));
  }

  /**
   * Validates rows, commits to the store, then applies to the state and the tables; nothing changes if any step fails.
   * Changes from a management operation (`trusted`) had their references checked by the operation; raw changes are
   * checked against the whole resulting source (the store does it too when there is one).
   */
  async #write(raw: readonly Change[], trusted: boolean): Promise<void> {
    this.#checkOpen();
    if (!Array.isArray(raw)) throw new ValidationError('invalid_input', [{ path: [], message: 'changes must be an array' }]);
    const changes = parseRows(raw, 'invalid_input');
    let revision = this.#revision + 1;
    let digest: string | undefined;
    if (this.#store !== undefined) {
      // the digest too: a store at our revision of another history refuses (revision_conflict), and `apply` catches
      // up, which reloads, and reruns the operation on the store's state instead of writing what ours worked out
      const committed = await this.#store.commit(changes, this.#revision, this.#digest);
      revision = committed.revision;
      digest = checkDigest(committed.digest, 'commit');
      if (revision > this.#storeRevision) this.#storeRevision = revision;
    } else if (!trusted) parseSource(applyChanges(this.source, changes));
    this.#applyLocal(changes, revision);
    this.#digest = digest;
  }

  /** Applies validated changes to the state and updates the tables incrementally. */
  #applyLocal(changes: readonly Change[], revision: number): void {
    const state = this.#sourceState();
    const old = new Map<string, unknown>();
    for (const c of changes) {
      const key = c.op === 'put' ? entityKey(c.entity, c.value as never) : c.key;
      const tag = `${c.entity}\u0000${key}`;
      if (!old.has(tag)) old.set(tag, state.get(c.entity, key));
    }
    const before = { get: (entity: string, key: string) => old.get(`${entity}\u0000${key}`) } as Pick<SourceState, 'get'>;
    state.applyInPlace(changes);
    this.#tables = updateTables(this.#tables, before, state, changes);
    this.#setRevision(revision);
  }

  #setRevision(revision: number): void {
    // INVARIANT: the revision only grows (but for #reload, which empties the cache) and every cache entry carries the
    // revision it was computed at, so a decision of an older source is never served; stale entries simply age out
    // under the clock (no O(size) clear per write)
    this.#revision = revision;
  }

  replaceSource(input: SourceInput): Promise<void> {
    return this.#serialize(async () => {
      const source = parseSource(input);
      if (this.#store !== undefined) {
        throw new ValidationError('invalid_input', [{ path: [], message: 'an engine with a store changes only through apply or commit' }]);
      }
      this.#state = undefined;
      this.#unkeyed = source;
      this.#tables = compile(source);
      this.#setRevision(this.#revision + 1);
    });
  }

  refresh(): Promise<number> {
    return this.#serialize(() => this.#catchUp());
  }

  /** Applies what other processes committed since our revision; the caller holds the write queue. */
  async #catchUp(): Promise<number> {
    this.#checkOpen();
    if (this.#store === undefined) return 0;
    const since = await this.#store.changesSince(this.#revision);
    const { changes, revision } = since;
    const digest = checkDigest(since.digest, 'changesSince');
    // INVARIANT: the changes after our revision apply to our tables only if the store's history up to our revision is
    // the one we followed: its digest of our revision is ours. A store that no longer holds our revision (it went
    // back) answers null, which is no digest of ours either
    if (since.baseDigest !== this.#digest || revision < this.#revision) return this.#reload();
    if (revision > this.#storeRevision) this.#storeRevision = revision;
    if (revision === this.#revision) return 0;
    // INVARIANT: the store validated every committed change, so they apply as they are
    this.#applyLocal(changes, revision);
    this.#digest = digest;
    return changes.length;
  }

  /**
   * The store's history is not the one this engine followed: the store's digest of our revision is not ours, or it
   * holds no such revision (a restore from a backup, a fail-over to a replica that had not received the last commits,
   * a schema made again; whether then committed past our revision or not). Its source is taken whole, as at start-up,
   * never the changes after ours laid over rows only this engine still holds (a grant the store lost would go on
   * allowing); the decision cache is emptied, since the new history reuses the revisions its entries are keyed by;
   * `followStatus()` counts it (`reloads`, `reloadedAt`). Returns 1: the source changed.
   */
  async #reload(): Promise<number> {
    const snapshot = await this.#store!.load();
    const digest = checkDigest(snapshot.digest, 'load');
    const source = snapshot.validated === true ? snapshot.source : parseSource(snapshot.source);
    this.#state = undefined;
    this.#unkeyed = source;
    this.#tables = compile(source);
    this.#cache?.clear();
    this.#revision = snapshot.revision;
    this.#storeRevision = snapshot.revision;
    this.#digest = digest;
    this.#reloads++;
    this.#reloadedAt = this.#clock();
    return 1;
  }

  #checkOpen(): void {
    if (this.#closed) throw new StoreError('store_closed', 'engine closed: it no longer writes to or reads from its store');
  }

  async flushUsage(): Promise<number> {
    // cache hits are counted on their policies only now (DecisionCache.countHit)
    this.#cache?.drainHits();
    if (this.#permitted.length === 0) return 0;
    const permits = new Map<string, number>();
    for (const p of this.#permitted) {
      if (p.source === 'policy') permits.set(p.id, (permits.get(p.id) ?? 0) + p.permits);
      p.permits = 0;
    }
    this.#permitted = [];
    const at = new Date(this.#lastPermitAt).toISOString();
    // INVARIANT: the rows are read in the write queue, after the writes queued before: read now, a row an operation in
    // flight changes (a policy deleted) would be written back as it was (red team, round 6)
    return this.#serialize(async () => {
      const changes: Change[] = [];
      for (const [id, n] of permits) {
        const row = this.#sourceState().get('policy', id);
        if (row === undefined) continue;
        changes.push({ op: 'put', entity: 'policy', value: { ...row, lastPermitAt: at, lastPermitFrequency: (row.lastPermitFrequency ?? 0) + n } });
      }
      if (changes.length > 0) await this.#write(changes, false);
      return changes.length;
    });
  }

  cacheStats(): { size: number; hits: number; misses: number } {
    return { size: this.#cache?.size ?? 0, hits: this.#hits, misses: this.#misses };
  }

  followStatus(): FollowStatus {
    if (this.#follower !== undefined && !this.#closed) return this.#follower.status();
    const revision = this.#revision;
    return {
      following: false,
      connected: false,
      revision,
      storeRevision: revision,
      behind: 0,
      staleSince: undefined,
      lastError: undefined,
      digest: this.#digest,
      reloads: this.#reloads,
      reloadedAt: this.#reloadedAt,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    const follower = this.#follower;
    this.#follower = undefined;
    await follower?.close();
    // writes already queued finish first; anything queued after this sees the engine closed
    await this.#serialize(async () => {
      this.#closed = true;
    });
    await this.#store?.close();
  }
}

/** Creates an engine over a source held in memory (validated with parseSource). */
export function createEngine(options: EngineOptions = {}): Engine {
  checkOptions(options);
  // INVARIANT: an engine with a store holds the store's source and its history digest (createEngineFromStore); one
  // made here held the caller's source at revision 0 and no digest, so it decided on rows the store never held and
  // its commits, expected at revision 0 of no history, went into whatever the store held (red team, round 10)
  if (options.store !== undefined)
    throw new ValidationError('invalid_options', [{ path: ['store'], message: 'an engine over a store is made by createEngineFromStore, from what the store holds' }]);
  const source = parseSource(options.source ?? EMPTY_SOURCE);
  return new EngineImpl(source, 0, options);
}

/** Creates an engine from what a store holds; it decides exactly as the engine that wrote it. */
export async function createEngineFromStore(store: Store, options: Omit<EngineOptions, 'store' | 'source'> = {}): Promise<Engine> {
  checkOptions(options);
  let snapshot;
  try {
    snapshot = await store.load();
  } catch (e) {
    if (e instanceof StoreError) throw e;
    throw new StoreError('io_error', 'store load failed', { cause: e });
  }
  // a store that validated the source says so; parsing 100k policies again would double the start-up time
  const digest = checkDigest(snapshot.digest, 'load');
  const source = snapshot.validated === true ? snapshot.source : parseSource(snapshot.source);
  return new EngineImpl(source, snapshot.revision, { ...options, store }, digest);
}
