// A tiny conv net trained on wasm (this package's kernels) and on cpu agrees (test/train-equivalence.ts).
import { trainEquivalenceSuite } from '../test/train-equivalence.js';

await trainEquivalenceSuite('wasm');
