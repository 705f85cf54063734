/** Quick run (`pnpm bench`): scales S, M, L and the peers; about 2 minutes on 2 cores. */
import { runHarness } from './harness.js';

await runHarness({
  mode: 'quick',
  scales: ['S', 'M', 'L'],
  taskMs: 1000,
  latencyMs: 400,
  streamSize: 10_000,
  compileRuns: { S: 5, M: 3, L: 3 },
  slice: { scale: 'M', accounts: 1, requests: 1000 },
});
