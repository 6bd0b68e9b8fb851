/**
 * Linear probe benchmark (run on demand, not in CI):
 *
 *   cd packages/eval && node --conditions=contrastive-source --import tsx bench/linear-probe.bench.ts [engine] [rows] [dim] [epochs]
 *
 * Times one probe on random features (default 10 000 × 512, 10 classes, 2 epochs) at batch
 * size 256 and at 1024 (the baseline is batch 256, measured in the same run) and prints the
 * time per epoch and the ratio, to size the probe of a CIFAR-10 run (50 000 rows).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type EngineName } from '@contrastive/backend';
import { Rng } from '@contrastive/core';
import { linearProbe } from '../src/index.js';

const [engineArg, rowsArg, dimArg, epochsArg] = process.argv.slice(2);
const report = await initBackend({ prefer: (engineArg ?? 'wasm') as EngineName });
const n = Number(rowsArg ?? 10_000);
const d = Number(dimArg ?? 512);
const epochs = Number(epochsArg ?? 2);
const rng = Rng.fromSeed(0);
const train = tf.tensor2d(rng.normalArray(n * d), [n, d]);
const test = tf.tensor2d(rng.normalArray(1000 * d), [1000, d]);
const trainLabels = Int32Array.from({ length: n }, (_, i) => i % 10);
const testLabels = Int32Array.from({ length: 1000 }, (_, i) => i % 10);

async function time(batchSize: number): Promise<number> {
  const t0 = performance.now();
  await linearProbe({ trainFeatures: train, trainLabels, testFeatures: test, testLabels, numClasses: 10, epochs, batchSize, rng: Rng.fromSeed(1) });
  return (performance.now() - t0) / epochs;
}

console.log(`engine=${report.engine} rows=${n} dim=${d} epochs=${epochs}`);
const base = await time(256);
const big = await time(1024);
console.log(`per epoch: batch 256 ${base.toFixed(0)} ms (baseline), batch 1024 ${big.toFixed(0)} ms, ratio ${(big / base).toFixed(2)}`);
console.log(`extrapolated to 50 000 rows, 100 epochs at batch 256: ${((base * (50_000 / n) * 100) / 1000).toFixed(0)} s`);
process.exit(0);
