// (e) The browser page: three SimCLR steps on the cpu and the wasm engines, each engine started by
// initWebBackend (which registers the gradients), checkpoints in IndexedDB; posts the results.
import { initWebBackend } from '@contrastive/backend';
import { indexedDbCheckpointStore } from '@contrastive/train';
import { simclrSteps } from './simclr-steps.mjs';

const out = { userAgent: navigator.userAgent, runs: {} };
try {
  for (const engine of ['cpu', 'wasm']) {
    const report = await initWebBackend({ prefer: engine, wasmPaths: `${location.origin}/wasm/` });
    const result = await simclrSteps({ store: indexedDbCheckpointStore(`consumer-${engine}`) });
    out.runs[engine] = { engine: report.engine, kernelsAdded: report.kernelsAdded.length, ...result };
  }
} catch (e) {
  out.error = String((e && e.stack) || e);
}
await fetch('/result', { method: 'POST', body: JSON.stringify(out) });
