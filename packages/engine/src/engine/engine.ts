import { compile } from '../compile/compile-source.js';
import type { Tables } from '../compile/tables.js';
import { StoreError, ValidationError } from '../errors.js';
import { authorize, authorizeMany } from '../evaluate/authorize.js';
import type { AuthorizeOptions, AuthorizeRequest, Decision, RequestSubject } from '../evaluate/types.js';
import { parseSource } from '../model/parse-source.js';
import { SOURCE_VERSION, type Source } from '../model/source.js';
import { applyChanges, type Store } from '../store.js';
import { DecisionCache } from './decision-cache.js';

/** Options of createEngine, checked at construction. */
export interface EngineOptions {
  /** The initial source (validated with parseSource). Defaults to an empty source. */
  source?: unknown;
  /** Where the source is persisted; `createEngineFromStore` loads from it. */
  store?: Store;
  /** The clock, epoch milliseconds. Injected so tests and replays control time. Defaults to Date.now. */
  clock?: () => number;
  /** Decision cache size in entries; 0 disables it. Default 10,000. */
  cacheSize?: number;
}

/** The one stateful place: holds the current source and tables, a decision cache, and optionally a store. */
export interface Engine {
  readonly source: Source;
  readonly tables: Tables;
  /** The source revision: the store's revision, or a local counter without a store. */
  readonly revision: number;
  authorize(request: AuthorizeRequest, options?: AuthorizeOptions): Decision;
  authorizeMany(subject: RequestSubject, requests: readonly Omit<AuthorizeRequest, 'subject'>[], options?: AuthorizeOptions): Decision[];
  /** Validates and installs a whole new source; cached decisions of the old one are never served again. */
  replaceSource(source: unknown): void;
  /** Catches up with commits another process made to the store. Returns the number of changes applied. */
  refresh(): Promise<number>;
  /** Cache statistics. */
  cacheStats(): { size: number; hits: number; misses: number };
}

const EMPTY_SOURCE = { version: SOURCE_VERSION };

function checkOptions(o: EngineOptions): void {
  const issues: { path: string[]; message: string }[] = [];
  if (o.clock !== undefined && typeof o.clock !== 'function') issues.push({ path: ['clock'], message: 'must be a function' });
  if (o.cacheSize !== undefined && (!Number.isInteger(o.cacheSize) || o.cacheSize < 0))
    issues.push({ path: ['cacheSize'], message: 'must be a non-negative integer' });
  if (issues.length > 0) throw new ValidationError('invalid_options', issues);
}

class EngineImpl implements Engine {
  #source: Source;
  #tables: Tables;
  #revision: number;
  readonly #store: Store | undefined;
  readonly #clock: () => number;
  readonly #cache: DecisionCache | null;
  #hits = 0;
  #misses = 0;

  constructor(source: Source, revision: number, options: EngineOptions) {
    this.#source = source;
    this.#tables = compile(source);
    this.#revision = revision;
    this.#store = options.store;
    this.#clock = options.clock ?? Date.now;
    const size = options.cacheSize ?? 10_000;
    this.#cache = size > 0 ? new DecisionCache(size) : null;
  }

  get source(): Source {
    return this.#source;
  }
  get tables(): Tables {
    return this.#tables;
  }
  get revision(): number {
    return this.#revision;
  }

  authorize(request: AuthorizeRequest, options?: AuthorizeOptions): Decision {
    const cache = this.#cache;
    const key = cache !== null && options?.explain !== true && options?.now === undefined ? cache.key(request) : undefined;
    const now = options?.now ?? this.#clock();
    if (key !== undefined) {
      const hit = cache!.get(key, this.#revision, now);
      if (hit !== undefined) {
        this.#hits++;
        return hit;
      }
      this.#misses++;
    }
    const opts: AuthorizeOptions = options === undefined ? { now } : { ...options, now };
    const d = authorize(this.#tables, request, opts);
    if (key !== undefined) cache!.set(key, request, d, this.#tables, this.#revision, now);
    return d;
  }

  authorizeMany(subject: RequestSubject, requests: readonly Omit<AuthorizeRequest, 'subject'>[], options?: AuthorizeOptions): Decision[] {
    const now = options?.now ?? this.#clock();
    return authorizeMany(this.#tables, subject, requests, { ...options, now });
  }

  replaceSource(input: unknown): void {
    const source = parseSource(input);
    const tables = compile(source);
    this.#install(source, tables, this.#revision + 1);
  }

  #install(source: Source, tables: Tables, revision: number): void {
    // INVARIANT: the revision changes with every new source, so a cached decision of an older one is never served
    this.#source = source;
    this.#tables = tables;
    this.#revision = revision;
    this.#cache?.clear();
  }

  async refresh(): Promise<number> {
    if (this.#store === undefined) return 0;
    const { changes, revision } = await this.#store.changesSince(this.#revision);
    if (changes.length === 0 && revision === this.#revision) return 0;
    const source = parseSource(applyChanges(this.#source, changes));
    this.#install(source, compile(source), revision);
    return changes.length;
  }

  cacheStats(): { size: number; hits: number; misses: number } {
    return { size: this.#cache?.size ?? 0, hits: this.#hits, misses: this.#misses };
  }
}

/** Creates an engine over a source held in memory (validated with parseSource). */
export function createEngine(options: EngineOptions = {}): Engine {
  checkOptions(options);
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
  const source = parseSource(snapshot.source);
  return new EngineImpl(source, snapshot.revision, { ...options, store });
}
