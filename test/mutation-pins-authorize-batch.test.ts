// Pins of decideMany's first check (authorize.ts): a batch whose subject is not an object answers every item
// invalid-request at `subject`, and an item that is not an object answers invalid-request at its index, each with that
// issue alone (the item's own issues are not read past it). The mutation run of branch mutevl2 (authorize.ts:634-643,
// 00:00-00:20 on 79c035b) found the whole check pinned by no test of the run: 10 survived, 15 uncovered.
import { describe, expect, it } from 'vitest';
import { authorizeMany, compile, parseSource } from '@portcullis/engine';
import { A, bobSource, NOW } from './helpers/bob-world.js';

const tables = compile(parseSource(bobSource));
const good = { action: 'account.read', resource: { attributes: { accountId: A } }, environment: { now: NOW } };
// an item with issues of its own: a subject that is no object must be the only issue named
const bad = { action: '', resource: { attributes: { accountId: A } }, environment: { now: NOW } };
const notObject = { path: ['subject'], message: 'must be an object' };

describe('a batch whose subject or item is not an object', () => {
  it.each([
    ['null', null],
    ['a string', 'm-bob'],
    ['a number', 7],
    ['undefined', undefined],
  ])('a subject that is %s: every item invalid at `subject`, that issue alone', (_, subject) => {
    const out = authorizeMany(tables, subject as never, [good, bad]);
    expect(out).toEqual([
      { allowed: false, reason: 'invalid-request', policies: [], issues: [notObject] },
      { allowed: false, reason: 'invalid-request', policies: [], issues: [notObject] },
    ]);
  });
  it('an item that is null, a string or a number: invalid at its index; the others decided', () => {
    const out = authorizeMany(tables, { id: 'm-bob' }, [null, good, 'account.read', 3] as never);
    expect(out[0]).toEqual({ allowed: false, reason: 'invalid-request', policies: [], issues: [{ path: [0], message: 'must be an object' }] });
    expect(out[1]!.allowed).toBe(true);
    expect(out[2]).toEqual({ allowed: false, reason: 'invalid-request', policies: [], issues: [{ path: [2], message: 'must be an object' }] });
    expect(out[3]).toEqual({ allowed: false, reason: 'invalid-request', policies: [], issues: [{ path: [3], message: 'must be an object' }] });
  });
});
