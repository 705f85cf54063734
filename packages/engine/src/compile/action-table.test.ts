// action-table.ts: interned actions and prefixes, and the prefixes an action starts with. Decisions cannot tell the
// prefix memo from a recomputation, so these tests read the table itself (issue 12, MUTATION.md).
import { describe, expect, it } from 'vitest';
import { createActionTable, internAction, internPrefix, prefixIdsOf } from './action-table.js';

describe('action table', () => {
  it('interns actions and prefixes to dense ids, each once', () => {
    const t = createActionTable();
    expect([internAction(t, 'a.read'), internAction(t, 'a.write'), internAction(t, 'a.read')]).toEqual([0, 1, 0]);
    expect([internPrefix(t, 'a.'), internPrefix(t, 'b:'), internPrefix(t, 'a.')]).toEqual([0, 1, 0]);
  });

  it('lists the known prefixes an action starts with, shortest first, never the whole action', () => {
    const t = createActionTable();
    const [a, ab, x] = [internPrefix(t, 'a.'), internPrefix(t, 'a.b.'), internPrefix(t, 'x:')];
    expect(prefixIdsOf(t, 'a.b.c', -1)).toEqual([a, ab]);
    expect(prefixIdsOf(t, 'x:y', -1)).toEqual([x]);
    // `a.b.*` matches a strictly longer action only
    expect(prefixIdsOf(t, 'a.b.', -1)).toEqual([a]);
    expect(prefixIdsOf(t, 'q.r', -1)).toEqual([]);
    expect(prefixIdsOf(t, 'ab.c', -1)).toEqual([]);
    // with no prefix known at all
    expect(prefixIdsOf(createActionTable(), 'a.b', 0)).toEqual([]);
  });

  it('computes the prefixes of a known action once, of an unknown one (-1) every time, and again after a prefix is added', () => {
    const t = createActionTable();
    const read = internAction(t, 'a.b.read');
    const a = internPrefix(t, 'a.');
    expect(prefixIdsOf(t, 'q.r', -1)).toEqual([]);
    expect(t.prefixCache).toEqual([]);
    const first = prefixIdsOf(t, 'a.b.read', read);
    expect(first).toEqual([a]);
    expect(prefixIdsOf(t, 'a.b.read', read)).toBe(first);
    expect(t.prefixCache).toEqual([first]);
    const ab = internPrefix(t, 'a.b.');
    expect(t.prefixCache).toEqual([]);
    expect(prefixIdsOf(t, 'a.b.read', read)).toEqual([a, ab]);
    // a second known action, cached in its own slot
    const write = internAction(t, 'a.write');
    expect(prefixIdsOf(t, 'a.write', write)).toEqual([a]);
    expect(prefixIdsOf(t, 'a.write', write)).toBe(prefixIdsOf(t, 'a.write', write));
  });
});
