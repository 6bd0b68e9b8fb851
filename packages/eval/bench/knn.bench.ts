/**
 * kNN monitor benchmark (run on demand, not in CI):
 *
 *   cd packages/eval && node --conditions=contrastive-source --import tsx bench/knn.bench.ts [engine]
 *
 * 1. A mid-size problem solved with the default chunking and with one block holding every
 *    similarity (the baseline, measured in the same run): prints the time ratio.
 * 2. The CIFAR-10-sized problem (50 000 bank rows × 10 000 queries) with the default chunking:
 *    prints the wall time and the peak engine memory, which stays near the bank + one block
 *    however many queries there are.
 * Dimensions: BENCH_DIM (default 128).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type EngineName } from '@contrastive/backend';
import { Rng } from '@contrastive/core';
import { knnClassify } from '../src/index.js';

const engine = (process.argv[2] ?? 'wasm') as EngineName;
const dim = Number(process.env['BENCH_DIM'] ?? 128);
const report = await initBackend({ prefer: engine });

function randomFeatures(rng: Rng, n: number): tf.Tensor2D {
  return tf.tensor2d(rng.normalArray(n * dim), [n, dim]);
}

/** Runs `fn`, sampling the engine's bytes in use every 20 ms (the run is synchronous, so
 *  samples land between chunks; the final figure also counts the bytes right after). */
function measure(fn: () => unknown): { ms: number; peakMiB: number } {
  let peak = tf.memory().numBytes;
  const origDispose = tf.Tensor.prototype.dispose;
  // Sample just before each tensor disposal: inside the chunk loop that is the high-water mark.
  tf.Tensor.prototype.dispose = function (this: tf.Tensor) {
    const b = tf.memory().numBytes;
    if (b > peak) peak = b;
    origDispose.call(this);
  };
  const t0 = performance.now();
  try {
    fn();
  } finally {
    tf.Tensor.prototype.dispose = origDispose;
  }
  return { ms: performance.now() - t0, peakMiB: peak / 2 ** 20 };
}

const rng = Rng.fromSeed(0);
console.log(`engine=${report.engine} dim=${dim}`);

{
  const n = 10_000;
  const m = 2_000;
  const train = randomFeatures(rng, n);
  const test = randomFeatures(rng, m);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  const opts = { trainFeatures: train, trainLabels: labels, testFeatures: test, numClasses: 10 };
  knnClassify({ ...opts, testFeatures: tf.slice(test, [0, 0], [10, -1]) as tf.Tensor2D }); // warm-up
  const baseline = measure(() => knnClassify({ ...opts, chunkSize: m }));
  const chunked = measure(() => knnClassify(opts));
  console.log(`mid ${n}x${m}: one block ${baseline.ms.toFixed(0)} ms (peak ${baseline.peakMiB.toFixed(0)} MiB), default chunks ${chunked.ms.toFixed(0)} ms (peak ${chunked.peakMiB.toFixed(0)} MiB), time ratio chunked/one-block = ${(chunked.ms / baseline.ms).toFixed(2)}`);
  tf.dispose([train, test]);
}

if (process.env['BENCH_SKIP_FULL'] !== '1') {
  const n = 50_000;
  const m = 10_000;
  const train = randomFeatures(rng, n);
  const test = randomFeatures(rng, m);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  const inputsMiB = ((n + m) * dim * 4) / 2 ** 20;
  const full = measure(() => knnClassify({ trainFeatures: train, trainLabels: labels, testFeatures: test, numClasses: 10 }));
  const oneBlockMiB = (n * m * 4) / 2 ** 20;
  console.log(
    `full ${n}x${m}: ${(full.ms / 1000).toFixed(1)} s, peak engine memory ${full.peakMiB.toFixed(0)} MiB (inputs ${inputsMiB.toFixed(0)} MiB; one unchunked similarity block alone would be ${oneBlockMiB.toFixed(0)} MiB)`,
  );
  tf.dispose([train, test]);
}

// The wasm engine's worker threads would keep the process alive.
process.exit(0);
