import { writeProgram } from '../compile/flat-conditions.js';
import { afterStep, recordNeedsTail, writeTailSteps } from '../compile/flat-tail.js';
import { RANK_SHIFT, REC, SLOT } from '../compile/identity-index.js';
import type { IdentityIndex, Tables } from '../compile/tables.js';

/**
 * The flat layout of every identity index of some tables, as strings that do not depend on interning order: per
 * identity that holds candidates, its keys by action or prefix name, each with its deny and allow candidates (policy,
 * role, service, inlined equality, flags, program) read back from the records, sorted. Two tables whose snapshots are equal
 * hold the same candidates under the same keys with the same records: what the incremental path must leave, compared
 * with a fresh compile. Also throws if an index still holds staged changes, or a record disagrees with its candidate.
 */
export function layoutSnapshot(tables: Tables): Record<string, string[]> {
  const strings: string[] = [];
  for (const [s, id] of tables.strings) strings[id] = s;
  const actions: string[] = [];
  for (const [s, id] of tables.actions.actions) actions[id] = s;
  const prefixes: string[] = [];
  for (const [s, id] of tables.actions.prefixes) prefixes[id] = s;
  const attrs: string[] = [];
  for (const [s, id] of tables.attributeNames) attrs[id] = s;
  const str = (id: number) => (id < 0 ? null : strings[id]);
  // attribute ids, like string ids, depend on the order names were first met: compared by name
  const attr = (id: number) => (id < 0 ? null : attrs[id]);
  // a program as text: attribute ids by name, string ids by value (the Eq triple's third int is a string id, the
  // others' second, the Zone triple's both; the Before and Nodes triples hold no string)
  const programText = (p: number[]) => {
    const parts: string[] = [];
    const ints = Int32Array.from(p);
    for (let i = 0; i < p.length; i += 3) {
      const [op, a, b] = [p[i]!, p[i + 1]!, p[i + 2]!];
      // flat-tail.ts's literal steps: the triples after them hold code units, not ids
      if (op === 11 || op === 12) {
        const next = afterStep(ints, i);
        parts.push(`${op === 11 ? `text ${attr(a)}` : `tag ${a}`} ${b} ${p.slice(i + 3, next).join(',')}`);
        i = next - 3;
        continue;
      }
      if (op === 13) {
        parts.push('federated');
        continue;
      }
      if (op === 1) parts.push(`eq ${attr(a)}=${str(b)}`);
      else if (op === 3) parts.push(`scopeType ${a}`);
      else if (op === 4) parts.push(`any ${a}`);
      else if (op === 6) parts.push(`zone ${str(a)}/${str(b) ?? '*'}`);
      else if (op === 8) parts.push(`before ${a * 2 ** 32 + (b >>> 0)}`);
      else if (op === 9) parts.push(`nodes ${a} admin ${b}`);
      else parts.push(`${op} ${str(a)}`);
    }
    return parts.join('; ');
  };
  const scratchStrings = new Map(tables.strings);
  const out: Record<string, string[]> = {};
  const add = (name: string, ix: IdentityIndex) => {
    if (ix.pending !== null || ix.removed !== null) throw new Error(`${name}: staged changes were never sealed`);
    const lines: string[] = [];
    const d = ix.data;
    for (let s = 0; s <= ix.mask; s++) {
      const b = s * SLOT;
      const k = d[b]!;
      if (k < 0) continue;
      const key = (k & 1) === 0 ? `action ${actions[k / 2]}` : `prefix ${prefixes[(k - 1) / 2]}*`;
      for (let p = d[b + 1]!; p < d[b + 3]!; p++) {
        const n = d[p]!;
        const c = ix.cands[n]!;
        const r = ix.recBase + n * REC;
        // the rank bits are left out: a fresh compile ranks every policy, an update leaves the ones it adds unranked
        const rank = d[r]! >>> RANK_SHIFT;
        if (rank !== 0 && rank !== c.policy.rank) throw new Error(`${name} ${key}: ${c.id} holds rank ${rank}, its policy ${c.policy.rank}`);
        const record = {
          flags: d[r]! & ((1 << RANK_SHIFT) - 1),
          service: str(d[r + 1]!),
          eqAttr: attr(d[r + 2]!),
          eqValue: d[r + 2]! < 0 ? null : str(d[r + 3]!),
          program: programText(Array.from(d.subarray(d[r + 4]!, d[r + 5]!))),
        };
        // the program the candidate would be given now, written against a copy of the strings (a literal missing from
        // the tables' strings gets an id no text has, so the two differ): interning order aside, the same program
        const fresh: number[] = [];
        writeProgram(c, scratchStrings, fresh);
        writeTailSteps(c, fresh);
        const expected = {
          flags: (c.deny ? 1 : 0) | (c.error !== null ? 2 : 0) | (recordNeedsTail(c) ? 4 : 0),
          service: c.service,
          eqAttr: attr(c.eqAttr),
          eqValue: c.eqAttr < 0 ? null : c.eqValue,
          program: programText(fresh),
        };
        if (JSON.stringify(record) !== JSON.stringify(expected)) throw new Error(`${name} ${key}: record ${JSON.stringify(record)} is not its candidate's ${JSON.stringify(expected)}`);
        if (ix.ids[n] !== c.id) throw new Error(`${name} ${key}: id ${ix.ids[n]} beside candidate ${c.id}`);
        if ((p < d[b + 2]!) !== c.deny) throw new Error(`${name} ${key}: ${c.id} sits in the wrong half of its range`);
        lines.push(`${key} ${c.deny ? 'deny' : 'allow'} ${c.id} role=${c.role.id} ${JSON.stringify(record)} rest=${c.rest.map((m) => m.name).join(',')}`);
      }
    }
    if (lines.length > 0) out[name] = lines.sort();
  };
  for (const a of tables.accounts.values()) {
    add(`${a.id} public`, a.publicGroup.index);
    add(`${a.id} services`, a.serviceIndex);
    for (const g of a.groups.values()) add(`${a.id} group ${g.id}`, g.index);
    for (const p of a.principals.values()) add(`${a.id} principal ${p.id}`, p.index);
  }
  return out;
}
