// Helpers the access-control suites share.
import { expect } from 'vitest';
import { SeedError, type Engine } from '@portcullis/engine';

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
