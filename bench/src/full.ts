/** Full run (`pnpm bench:full`): all four scales including XL (1M policies), longer timings, the peers. */
import { runHarness } from './harness.js';

await runHarness({
  mode: 'full',
  scales: ['S', 'M', 'L', 'XL'],
  taskMs: 3000,
  latencyMs: 1500,
  streamSize: 10_000,
  compileRuns: { S: 9, M: 5, L: 3, XL: 1 },
  slice: { scale: 'M', accounts: 2, requests: 2000 },
});
