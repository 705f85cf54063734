// Decision observability: a decision-log hook (every decision, or a sample) and an OpenTelemetry-shaped span per
// decision batch. Both are options of createEngine; an engine built without them never reaches this file's code on
// its hot path (one null check), which `pnpm bench:hooks` measures.
import type { Issue } from '../errors.js';
import type { AuthorizeRequest, Decision, RequestSubject } from '../evaluate/types.js';

/** What the decision-log hook receives: the request as asked, the decision as returned, and where it came from. */
export interface DecisionRecord {
  request: AuthorizeRequest;
  decision: Decision;
  /** The source revision the decision was made on (also `decision.revision`). */
  revision: number;
  /** The decision time, epoch milliseconds: the request's or the options' `now`, else the engine's clock. */
  at: number;
  /** True when the decision came from the decision cache. */
  cached: boolean;
}

/** One span, as OpenTelemetry's `Span` has it (only what the engine calls). */
export interface DecisionSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  end(): void;
}

/**
 * A tracer, as OpenTelemetry's `Tracer` has it: pass `trace.getTracer('portcullis')` from `@opentelemetry/api`.
 * Structural, so the engine depends on no tracing package; the span is started in the caller's active context.
 */
export interface DecisionTracer {
  startSpan(name: string, options?: { attributes?: Record<string, string | number | boolean> }): DecisionSpan;
}

/** The observability options of createEngine. */
export interface DecisionHookOptions {
  /**
   * Called after each decision (or each sampled one) of `authorize` and `authorizeMany`, synchronously, before the
   * decision is returned. For decision logs: keep it cheap (queue the record, write elsewhere). A hook that throws
   * does not change the decision; the error is counted in `engine.hookErrors` and dropped.
   */
  onDecision?: (record: DecisionRecord) => void;
  /** The share of decisions passed to onDecision, 0 to 1 (default 1: every decision). Deterministic: 0.25 is every 4th. */
  decisionSampleRate?: number;
  /** Starts one span per `authorize` call (`portcullis.authorize`) and per `authorizeMany` batch (`portcullis.authorizeMany`). */
  tracer?: DecisionTracer;
}

/** Checks the observability options, with the rest of createEngine's options. */
export function checkHookOptions(o: DecisionHookOptions, issues: Issue[]): void {
  if (o.onDecision !== undefined && typeof o.onDecision !== 'function') issues.push({ path: ['onDecision'], message: 'must be a function' });
  const rate = o.decisionSampleRate;
  if (rate !== undefined && (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)))
    issues.push({ path: ['decisionSampleRate'], message: 'must be a number from 0 to 1' });
  if (rate !== undefined && o.onDecision === undefined) issues.push({ path: ['decisionSampleRate'], message: 'is set without onDecision' });
  const t = o.tracer as unknown;
  if (t !== undefined && (t === null || typeof t !== 'object' || typeof (t as DecisionTracer).startSpan !== 'function'))
    issues.push({ path: ['tracer'], message: 'must have a startSpan method (an OpenTelemetry Tracer)' });
}

/** The hooks of one engine; created only when some hook is set. */
export class DecisionHooks {
  readonly #onDecision: ((record: DecisionRecord) => void) | undefined;
  readonly #rate: number;
  readonly #tracer: DecisionTracer | undefined;
  /** Sampling credit: each decision adds the rate, and a decision is logged whenever the credit reaches 1. */
  // INVARIANT: starts at 0, so a rate of 1 logs every decision and 0.25 exactly the 4th, 8th, … (a test pins it)
  #credit = 0;
  /** How many times the hook or the tracer threw; each error is dropped. */
  errors = 0;

  private constructor(o: DecisionHookOptions) {
    this.#onDecision = o.onDecision;
    this.#rate = o.decisionSampleRate ?? 1;
    this.#tracer = o.tracer;
  }

  /** The hooks for these options, or null when none is set (the engine then skips every call below). */
  static from(o: DecisionHookOptions): DecisionHooks | null {
    return o.onDecision === undefined && o.tracer === undefined ? null : new DecisionHooks(o);
  }

  /** Starts a span for one call, or returns undefined without a tracer. */
  start(name: string, decisions: number): DecisionSpan | undefined {
    if (this.#tracer === undefined) return undefined;
    try {
      return this.#tracer.startSpan(name, { attributes: { 'portcullis.decisions': decisions } });
    } catch {
      this.errors++;
      return undefined;
    }
  }

  /** Ends a span with the batch's outcome. */
  end(span: DecisionSpan | undefined, decisions: readonly Decision[], revision: number, cached: number): void {
    if (span === undefined) return;
    try {
      let allowed = 0;
      let invalid = 0;
      for (const d of decisions) {
        if (d.allowed) allowed++;
        else if (d.reason === 'invalid-request') invalid++;
      }
      span.setAttribute('portcullis.revision', revision);
      span.setAttribute('portcullis.allowed', allowed);
      span.setAttribute('portcullis.denied', decisions.length - allowed);
      span.setAttribute('portcullis.invalid_requests', invalid);
      span.setAttribute('portcullis.cached', cached);
      span.end();
    } catch {
      this.errors++;
    }
  }

  /** Passes one decision to onDecision when it is sampled. */
  log(request: AuthorizeRequest, decision: Decision, revision: number, at: number, cached: boolean): void {
    const hook = this.#onDecision;
    if (hook === undefined) return;
    if (this.#rate < 1) {
      this.#credit += this.#rate;
      if (this.#credit < 1) return;
      this.#credit -= 1;
    }
    try {
      hook({ request, decision, revision, at, cached });
    } catch {
      this.errors++;
    }
  }

  /** Passes the decisions of one authorizeMany batch to onDecision, each with its own request. */
  logMany(subject: RequestSubject, items: readonly Omit<AuthorizeRequest, 'subject'>[], decisions: readonly Decision[], revision: number, at: number): void {
    if (this.#onDecision === undefined || !Array.isArray(items)) return;
    for (let i = 0; i < decisions.length; i++) {
      const item = items[i] as Partial<AuthorizeRequest> | null | undefined;
      // INVARIANT: the record holds what decideMany decided on: the batch's subject and the item's action, resource
      // and environment. Spreading the item would let its own `subject` (which the decision ignores) stand in the log
      const request = { subject } as AuthorizeRequest;
      if (item !== null && typeof item === 'object') {
        request.action = item.action!;
        request.resource = item.resource!;
        if (item.environment !== undefined) request.environment = item.environment;
      }
      this.log(request, decisions[i]!, revision, timeOf(request, at), false);
    }
  }
}

/** The time a decision was made at: the request's own time when it carries one, else the call's. */
export function timeOf(request: AuthorizeRequest | undefined, fallback: number): number {
  const t = request !== null && typeof request === 'object' ? request.environment?.now : undefined;
  if (typeof t === 'number') return t;
  if (typeof t === 'string') {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? fallback : ms;
  }
  return fallback;
}
