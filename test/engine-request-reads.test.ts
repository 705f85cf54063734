// The engine decides what `authorize` decides, on the request as it reads it once (red team 9, left as in-process
// holes): its options were spread into a copy (`{ ...options, now }`), which dropped inherited keys, so
// `engine.authorize` accepted options that `authorize` refuses; and a decision was cached under the request's fields
// read again after deciding, so a request whose fields answer differently from one read to the next (getters) could
// store one action's decision under another action's key, served to every later caller of that key.
import { describe, expect, it } from 'vitest';
import { authorize, compile, createEngine, parseSource } from '@portcullis/engine';
import { A, bobSource, NOW } from './helpers/bob-world.js';

const source = bobSource;
const tables = compile(parseSource(source));
const engine = () => createEngine({ source: source as never, clock: () => NOW });
const plain = (action: string) => ({ subject: { id: 'm-bob' }, action, resource: { id: 'acct' } });

describe('engine.authorize reads options as authorize does', () => {
  it('an inherited unknown option key is refused by both (the engine no longer spreads it away)', () => {
    const options = Object.create({ explian: true }) as { now?: number };
    options.now = NOW;
    expect(authorize(tables, plain('account.read'), options).reason).toBe('invalid-request');
    expect(engine().authorize(plain('account.read'), options).reason).toBe('invalid-request');
    const batch = engine().authorizeMany({ id: 'm-bob' }, [{ action: 'account.read', resource: { id: 'acct' } }], options);
    expect(batch[0]!.reason).toBe('invalid-request');
  });

  it('inherited known option keys count for both, with the engine clock standing in for an absent `now`', () => {
    const options = Object.create({ explain: true }) as object;
    const d = engine().authorize(plain('account.read'), options);
    expect(d.allowed).toBe(true);
    expect(d).toEqual({ ...authorize(tables, plain('account.read'), { now: NOW, explain: true }), revision: 0 });
    expect(d.explanation).toBeDefined();
  });
});

describe('a cached decision is keyed by the fields it was decided on', () => {
  // `action` answers `account.read` (allowed) at one read and `account.write` (denied) at every other: whichever
  // read the decision uses, the honest `account.write` request afterwards is decided as an uncached engine decides it.
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('a getter answering the allowed action at read %i poisons no later request', (k) => {
    const e = engine();
    let reads = 0;
    const shifty = {
      subject: { id: 'm-bob' },
      get action() {
        reads++;
        return reads === k ? 'account.read' : 'account.write';
      },
      resource: { id: 'acct' },
    };
    e.authorize(shifty as never);
    expect(e.authorize(plain('account.write')).allowed).toBe(false);
    expect(e.authorize(plain('account.read')).allowed).toBe(true);
  });
});
