/**
 * Gradient cache (Gao et al. 2021) on the wasm engine: SimCLR on the small CIFAR ResNet-18
 * (widths 16-32-64-128, 0.73M parameters) at a contrastive batch of 1024 images (2048 views of
 * 32x32) within the 4 GiB wasm heap, against the plain step, whose peak memory at that batch is
 * extrapolated from small batches (it is NOT run at 1024: past the heap the threaded build hangs).
 *
 * 1. Cached training: `--steps` Trainer steps at `--batch` with `gradientCache: { chunkSize }`
 *    (LARS, CIFAR-10 lossless images): per-step time and loss, the peak of live tensor bytes (the
 *    backend's malloc guard) and the wasm heap size afterwards (the heap only grows, so this is
 *    its high-water mark for the whole process so far).
 * 2. Plain steps at the `--plain` batches (same model): peak tensor bytes and time; a least-squares
 *    line through them estimates the plain step at `--batch`, checked with the backend's guard
 *    (`assertWasmMemoryFits`).
 * 3. Overhead at equal batch, robust to the shared CPU's changing load: the plain step and the
 *    cached step (`--overhead-batch`, chunks of half of it) run alternately `--reps` times; the
 *    last line is the median of the per-round time ratios cached/plain (theory: about 4/3, one
 *    extra forward pass). Also printed: cached seconds per image at `--batch` over plain seconds
 *    per image at the largest plain batch (measured minutes apart, so load changes skew it).
 *
 * Run from the repository root (no build needed):
 *   npx tsx --conditions=contrastive-source bench/gradient-cache/bench.ts
 *     [--batch 1024] [--chunk 128] [--steps 2] [--plain 16,32,64]
 *     [--overhead-batch 64] [--reps 3] [--engine wasm|cpu]
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  assertWasmMemoryFits,
  estimateStepBytes,
  initBackend,
  measurePeakBytes,
  wasmHeapBytes,
  WASM_HEAP_MAX_BYTES,
  type EngineName,
  type StepMemorySample,
} from '@contrastive/backend/node';
import { MemoryLimitError, Rng, type Batch } from '@contrastive/core';
import { batchFromIndices, type ImageDataset } from '@contrastive/data';
import { readCifar10Binary } from '@contrastive/data/node';
import { countParameters, resnet } from '@contrastive/encoders';
import { mlpHead } from '@contrastive/heads';
import { simclr } from '@contrastive/strategies';
import {
  computeLossAndGradients,
  computeLossAndGradientsCached,
  disposeLossAndGradients,
  lars,
  Trainer,
  type LossAndGradients,
  type StepInfo,
} from '@contrastive/train';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}

const batchSize = Number(arg('batch', '1024'));
const chunkSize = Number(arg('chunk', '128'));
const steps = Number(arg('steps', '2'));
const plainBatches = arg('plain', '16,32,64').split(',').map(Number);
const engine = arg('engine', 'wasm') as EngineName;
const overheadBatch = Number(arg('overhead-batch', '64'));
const reps = Number(arg('reps', '3'));
const DATA = '/work/shared/data/cifar10/lossless/train_first4000.bin';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const gib = (b: number): string => `${(b / GIB).toFixed(2)} GiB`;
const mib = (b: number): string => `${(b / MIB).toFixed(0)} MiB`;

const report = await initBackend({ prefer: engine });
console.log(`engine ${report.engine} (${report.threads ?? '?'} threads${report.simd === true ? ', SIMD' : ''}); load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);

const encoder = resnet({ depth: 18, stem: 'cifar', widthMultiplier: 0.25, inputShape: [32, 32, 3], seed: 0 });
const head = mlpHead({ inputDim: encoder.outputDim, outputDim: 128, seed: 1 });
const strategy = simclr({ encoder, head, temperature: 0.5 });
console.log(
  `model: ${encoder.name} (${(countParameters(encoder) / 1e6).toFixed(2)}M parameters) + ${head.name}; SimCLR (2 views, NT-Xent, tau 0.5, strength-0.5 CIFAR augmentation), 32x32`,
);

const needed = Math.max(batchSize * steps, ...plainBatches);
const data: ImageDataset = await readCifar10Binary(DATA, { limit: Math.min(needed, 4000) });
const batchAt = (start: number, size: number): Batch => {
  const idx = Array.from({ length: size }, (_, i) => (start + i) % data.length);
  return batchFromIndices(data, idx);
};
const heapNow = (): number => (tf.getBackend() === 'wasm' ? wasmHeapBytes() : Number.NaN);

// 1. Cached training at the large batch.
const heapBefore = heapNow();
const infos: StepInfo[] = [];
const trainer = new Trainer({
  strategy,
  data: Array.from({ length: steps }, (_, s) => batchAt(s * batchSize, batchSize)),
  epochs: 1,
  optimizer: lars({ weightDecay: 1e-6 }),
  learningRate: 0.3 * (batchSize / 256),
  gradientCache: { chunkSize },
  progress: false,
  seed: 0,
  callbacks: {
    onStepEnd: (info) => {
      infos.push(info);
      console.log(`  cached step ${info.step}: ${info.seconds.toFixed(1)} s, ${info.imagesPerSecond.toFixed(1)} img/s, loss ${info.loss.toFixed(4)}`);
    },
  },
});
console.log(`\ncached: batch ${batchSize} (${2 * batchSize} views), chunks of ${chunkSize} view images, ${steps} LARS steps`);
const cached = await measurePeakBytes(() => trainer.run());
trainer.dispose();
const heapAfterCached = heapNow();
const cachedSeconds = infos.length > 1 ? infos.slice(1).reduce((a, i) => a + i.seconds, 0) / (infos.length - 1) : (infos[0]?.seconds ?? Number.NaN);
console.log(
  `  peak live tensors ${gib(cached.peakBytes)}; wasm heap ${gib(heapBefore)} before -> ${gib(heapAfterCached)} after (cap ${gib(WASM_HEAP_MAX_BYTES)}); ` +
    `step ${cachedSeconds.toFixed(1)} s (${infos.length > 1 ? 'mean of steps after the first' : 'one step'}), ${(batchSize / cachedSeconds).toFixed(1)} img/s; loss ${infos.map((i) => i.loss.toFixed(4)).join(' -> ')}`,
);

// 2. Plain steps at small batches, extrapolated to the large one.
console.log('\nplain step (full-batch tape):');
const samples: StepMemorySample[] = [];
const plainSeconds: Record<number, number> = {};
const state = strategy.init(Rng.fromSeed(0));
for (const b of plainBatches) {
  const batch = batchAt(0, b);
  const run = () => {
    const out = computeLossAndGradients(strategy, batch, state, Rng.fromSeed(b));
    out.loss.dataSync();
    disposeLossAndGradients(out);
  };
  run(); // warm-up (kernel set-up, weight packing)
  const t0 = performance.now();
  const { peakBytes } = await measurePeakBytes(run);
  plainSeconds[b] = (performance.now() - t0) / 1000;
  samples.push({ batchSize: b, peakBytes });
  batch.images.dispose();
  batch.labels?.dispose();
  console.log(`  batch ${b}: peak live tensors ${mib(peakBytes)}, ${(plainSeconds[b] as number).toFixed(2)} s, ${(b / (plainSeconds[b] as number)).toFixed(1)} img/s`);
}
const estimate = estimateStepBytes(samples, batchSize);
const perImage = estimateStepBytes(samples, 2) - estimateStepBytes(samples, 1);
console.log(`  linear fit: ${mib(perImage)} per image; estimated peak at batch ${batchSize}: ${gib(estimate)}`);
try {
  const fit = assertWasmMemoryFits(estimate, `plain SimCLR step at batch ${batchSize}`);
  console.log(`  fits (needs ${gib(fit.requiredBytes)} of ${gib(fit.limitBytes)})`);
} catch (e) {
  if (!(e instanceof MemoryLimitError)) throw e;
  console.log(`  does NOT fit: ${e.message}`);
}
const largestPlain = Math.max(...plainBatches);
const perImagePlain = (plainSeconds[largestPlain] as number) / largestPlain;
const perImageCached = cachedSeconds / batchSize;

// 3. Overhead of the cache at equal batch, interleaved.
const overhead = batchAt(0, overheadBatch);
const timeOf = (f: () => LossAndGradients): number => {
  const t0 = performance.now();
  const out = f();
  out.loss.dataSync();
  disposeLossAndGradients(out);
  return (performance.now() - t0) / 1000;
};
const plainStep = () => computeLossAndGradients(strategy, overhead, state, Rng.fromSeed(1));
const cachedStep = () => computeLossAndGradientsCached(strategy, overhead, state, Rng.fromSeed(1), { chunkSize: Math.max(1, overheadBatch / 2) });
timeOf(cachedStep); // warm-up at this chunk size
const ratios: number[] = [];
console.log(`\noverhead at batch ${overheadBatch} (chunks of ${Math.max(1, overheadBatch / 2)}), ${reps} interleaved rounds:`);
for (let r = 0; r < reps; r++) {
  const p = timeOf(plainStep);
  const c = timeOf(cachedStep);
  ratios.push(c / p);
  console.log(`  round ${r + 1}: plain ${p.toFixed(2)} s, cached ${c.toFixed(2)} s, ratio ${(c / p).toFixed(2)}`);
}
overhead.images.dispose();
overhead.labels?.dispose();
strategy.disposeState(state);
const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)] as number;

console.log(`\nload average at the end ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`peak RSS of the process ${gib(process.resourceUsage().maxRSS * 1024)}`);
console.log(`cached(batch ${batchSize}, chunk ${chunkSize}) / plain(batch ${largestPlain}) seconds per image (not interleaved): ${(perImageCached / perImagePlain).toFixed(2)}`);
console.log(`ratio cached/plain (batch ${overheadBatch}, interleaved median): ${median.toFixed(2)}`);
encoder.dispose();
head.dispose();
