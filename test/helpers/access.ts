// Helpers the access-control suites share.
import { afterEach, expect } from 'vitest';
import { createEngine, createEngineFromStore, SeedError, type Actor, type Engine, type EngineOptions, type Store } from '@portcullis/engine';

/** Awaits an operation that must be refused and returns the refusal's seed code and HTTP status. */
export async function refusal(p: Promise<unknown>): Promise<{ code: string; status: number }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SeedError);
    return { code: (e as SeedError).code, status: (e as SeedError).status };
  }
  throw new Error('expected a refusal');
}

/** The engine's whole state, to show a refusal changed nothing. */
export const snapshot = (e: Engine) => ({ revision: e.revision, source: JSON.stringify(e.source) });

/** The instant every engine of the access suites is created at. */
export const NOW = Date.parse('2026-01-02T03:04:05Z');
/** The host itself: bootstrap and identity facts. */
export const SYSTEM: Actor = { kind: 'system' };
/** A signed-in subject of `accountId`. */
export const who = (id: string, accountId: string): Actor => ({ kind: 'subject', id, accountId });

/** An engine on a fixed clock whose new ids are counted, so runs are repeatable; `options` adds to them (onReview). */
export function engine(options: Pick<EngineOptions, 'onReview'> = {}): Engine {
  let n = 0;
  return createEngine({ ...options, clock: () => NOW, newId: (prefix) => `${prefix}${(++n).toString(16).padStart(32, '0')}` });
}

/** An engine over `store` on the access suites' clock, not following the store (it sees others' commits only when it must); its close goes onto `closers`. */
export async function engineOnStore(store: Store, closers: (() => Promise<unknown>)[]): Promise<Engine> {
  let n = 0;
  const e = await createEngineFromStore(store, { follow: false, clock: () => NOW, newId: (prefix) => `${prefix}${(++n).toString(16).padStart(32, '0')}` });
  closers.push(() => e.close());
  return e;
}

/** A list of closers run (last first) after each test of the file that calls this: engines, stores, temporary directories. */
export function closeAfterEach(): (() => Promise<unknown>)[] {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  });
  return closers;
}
