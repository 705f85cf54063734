/**
 * The bytes of the compiled tables, part by part: what compile writes, and so (ARCHITECTURE.md, "Where compile's time
 * goes") most of what it costs. Counts, not timings, so a loaded machine changes nothing. For each repo: identities,
 * candidates, keys; the identity indexes' typed arrays split into hash slots, records, candidate ranges and programs
 * (programs by step, the literal ints of `stringMatch` and tag steps apart); what two layouts would hold instead, keys
 * holding equal lists sharing one range, and slots sized to three quarters exactly rather than to a power of two; the
 * JS heap the tables keep. `node --expose-gc bench/dist/layout-probe.js L [repo ...]` — each repo the root of a
 * checkout whose packages/engine/dist is built (default: this one), compiled from the same workload.
 */
import { fileURLToPath } from 'node:url';
import type { Tables } from '@portcullis/engine';

type EngineModule = typeof import('@portcullis/engine');
type WorkloadModule = typeof import('./workload.js');
type Index = NonNullable<ReturnType<Tables['accounts']['get']>>['serviceIndex'];

const here = fileURLToPath(new URL('../..', import.meta.url));
const [scale = 'L', ...given] = process.argv.slice(2);
const repos = given.length > 0 ? given : [here];
const { generateWorkload } = (await import(`${here}/bench/dist/workload.js`)) as WorkloadModule;
const source = generateWorkload(scale as 'S' | 'M' | 'L' | 'XL').source;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

/** SLOT and REC as identity-index.ts had them when this probe was written; checked against the repo's own below. */
const SLOT = 4;
const REC = 6;
/** Step codes (flat-conditions.ts FlatOp, flat-tail.ts TailOp) and their names. */
const STEP_NAMES = ['?', 'Eq', 'SvcType', 'ScopeType', 'Any', 'Account', 'Zone', 'User', 'Before', 'Nodes', 'Node', 'Text', 'Tag', 'Federated'];
const TEXT = 11;
const TAG = 12;

const mb = (ints: number) => `${((ints * 4) / 1e6).toFixed(1)} MB`;

for (const repo of repos) {
  const engine = (await import(`${repo}/packages/engine/dist/index.js`)) as EngineModule;
  const layout = (await import(`${repo}/packages/engine/dist/compile/identity-index.js`)) as { SLOT: number; REC: number };
  if (layout.SLOT !== SLOT || layout.REC !== REC) throw new Error(`${repo}: SLOT ${layout.SLOT}, REC ${layout.REC}: the probe reads ${SLOT} and ${REC}`);
  gc();
  const h0 = process.memoryUsage();
  const tables = engine.compile(source);
  gc();
  const h1 = process.memoryUsage();
  let identities = 0;
  let candidates = 0;
  let keys = 0;
  let slots = 0;
  let exactSlots = 0;
  let rangeInts = 0;
  let distinctRanges = 0;
  let distinctRangeInts = 0;
  let programInts = 0;
  let literalInts = 0;
  let totalInts = 0;
  const steps = new Map<number, { n: number; ints: number }>();
  const seen = new Set<Index>();
  const visit = (ix: Index) => {
    if (seen.has(ix)) return;
    seen.add(ix);
    const d = ix.data;
    identities++;
    candidates += ix.cands.length;
    totalInts += d.length;
    slots += ix.mask + 1;
    const lists = new Set<string>();
    let nk = 0;
    for (let s = 0; s <= ix.mask; s++) {
      const b = s * SLOT;
      if (d[b]! < 0) continue;
      nk++;
      rangeInts += d[b + 3]! - d[b + 1]!;
      const list = `${d[b + 2]! - d[b + 1]!}:${d.subarray(d[b + 1]!, d[b + 3]!).join(',')}`;
      if (!lists.has(list)) {
        lists.add(list);
        distinctRangeInts += d[b + 3]! - d[b + 1]!;
      }
    }
    keys += nk;
    distinctRanges += lists.size;
    // what a table of any size (not a power of two) at load three quarters would hold
    exactSlots += Math.max(2, nk + Math.ceil(nk / 3) + 1);
    for (let c = 0; c < ix.cands.length; c++) {
      const r = ix.recBase + c * REC;
      programInts += d[r + 5]! - d[r + 4]!;
      for (let p = d[r + 4]!; p < d[r + 5]!; ) {
        const op = d[p]!;
        let len = 3;
        if (op === TEXT || op === TAG) {
          // the step's triple, then its literal's units (two an int) padded to whole triples (flat-tail.ts)
          const units = (op === TAG ? (d[p + 1]! + 1) >> 1 : 0) + (((d[p + 2]! >>> 3) + 1) >> 1);
          len = 3 + Math.ceil(units / 3) * 3;
          literalInts += len - 3;
        }
        const e = steps.get(op) ?? { n: 0, ints: 0 };
        e.n++;
        e.ints += len;
        steps.set(op, e);
        p += len;
      }
    }
  };
  for (const a of tables.accounts.values()) {
    for (const p of a.principals.values()) visit(p.index);
    for (const g of a.groups.values()) visit(g.index);
    visit(a.publicGroup.index);
    visit(a.serviceIndex);
  }
  const slotInts = slots * SLOT;
  const recordInts = candidates * REC;
  // what the ranges take in the arrays: less than what the keys list when keys share a range
  const storedRangeInts = totalInts - slotInts - recordInts - programInts;
  console.log(`layout-probe ${scale} ${repo}: ${tables.size} policies and bindings, ${identities} identity indexes, ${candidates} candidates, ${keys} keys`);
  console.log(`  typed arrays ${mb(totalInts)}: slots ${mb(slotInts)} (${slots} slots, ${(slots / keys).toFixed(2)} a key), records ${mb(recordInts)}, ranges ${mb(storedRangeInts)} (listing ${mb(rangeInts)}), programs ${mb(programInts)} (literal units ${mb(literalInts)})`);
  console.log(`  equal lists sharing a range: ${distinctRanges} distinct lists, ranges ${mb(distinctRangeInts)} (${mb(storedRangeInts - distinctRangeInts)} less)`);
  console.log(`  slots sized to three quarters exactly (any size, not a power of two): ${mb(exactSlots * SLOT)} (${mb(slotInts - exactSlots * SLOT)} less)`);
  console.log(`  program steps: ${[...steps].sort((x, y) => x[0] - y[0]).map(([op, e]) => `${STEP_NAMES[op] ?? op} ${e.n} (${mb(e.ints)})`).join(', ')}`);
  console.log(
    `  heap kept: ${((h1.heapUsed - h0.heapUsed) / 1e6).toFixed(1)} MB JS (${(((h1.heapUsed - h0.heapUsed) / tables.size) | 0)} B a policy), ${((h1.arrayBuffers - h0.arrayBuffers) / 1e6).toFixed(1)} MB array buffers`,
  );
}
