/** Generates each scale, validates it with parseSource and reports sizes and timings (a check of the generator). */
import { parseSource } from '@portcullis/engine';
import { generateRequests, generateWorkload, type ScaleName } from './workload.js';

const scales = (process.argv[2] ?? 'S,M,L').split(',') as ScaleName[];
for (const scale of scales) {
  let t = performance.now();
  const w = generateWorkload(scale);
  const genMs = performance.now() - t;
  t = performance.now();
  const { requests } = generateRequests(w, 10_000);
  const reqMs = performance.now() - t;
  t = performance.now();
  let parsed = 'skipped';
  if (process.argv[3] !== 'noparse') {
    parseSource(JSON.parse(JSON.stringify(w.source)));
    parsed = `ok in ${(performance.now() - t).toFixed(0)} ms`;
  }
  console.log(`${scale}: generated in ${genMs.toFixed(0)} ms, 10k requests in ${reqMs.toFixed(0)} ms, parseSource ${parsed}`);
  console.log('  ', JSON.stringify(w.stats));
  console.log('  ', JSON.stringify(requests[0]));
}
