/**
 * Throughput of the augmentation recipes on the chosen engine, with a stand-in training step
 * measured in the same run for scale. Run from the repository root (no build needed):
 *
 *   npx tsx --conditions=contrastive-source bench/augment/bench.ts [--reps 5] [--engine wasm] [--no-step]
 *
 * Prints markdown tables:
 *  1. simclr images/s: 32 x 32 (batch 512, 2 views; CIFAR-10 settings and paper settings) and
 *     224 x 224 (batch 64, 2 views, paper settings). "images/s" counts source images (each gives
 *     2 views). Inputs: real CIFAR-10 test images (upsampled to 224 for the large case).
 *  2. Per-operation cost of one view (same batches), to show where the time goes.
 *  3. A stand-in training step (NOT the project's ResNet, which lives in packages/encoders): a
 *     ResNet-10-style net (one basic block per stage, widths 16-32-64-128, no BN; CIFAR stem for
 *     32, ImageNet stem for 224), forward + backward + SGD on the 2 views of each image, timed at
 *     a batch that fits the wasm heap and reported per source image; "aug / step" is the
 *     augmentation's cost as a fraction of that step, per image (the target: < 10%).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  randomColorJitter,
  randomGaussianBlur,
  randomGrayscale,
  randomHorizontalFlip,
  randomResizedCrop,
  simclr,
  simclrJitter,
  compose,
  type Augmentation,
} from '@contrastive/augment';
import { initBackend, type EngineName } from '@contrastive/backend/node';
import { Rng } from '@contrastive/core';
import { readCifarRecords } from './cifar.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}
const reps = Number(arg('reps', '5'));
const engine = arg('engine', 'wasm') as EngineName;
const withStep = !process.argv.includes('--no-step');

const report = await initBackend({ prefer: engine });
console.log(`engine: ${report.engine} (tf backend ${report.tfBackend}), threads: ${report.threads ?? 'n/a'}, simd: ${report.simd ?? 'n/a'}; reps: ${reps} (median, after 1 warm-up)`);
console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} logical cores, load average ${(await import('node:os')).loadavg().map((v) => v.toFixed(2)).join(' ')}\n`);

/** Median wall time of `f` in ms (the result is read back, so lazy engines finish the work). */
function timeMs(f: () => tf.Tensor | tf.Tensor[], n = reps): number {
  tf.dispose(f());
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const out = f();
    for (const t of Array.isArray(out) ? out : [out]) t.dataSync();
    times.push(performance.now() - t0);
    tf.dispose(out);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

function cifarBatch(count: number, side: number): tf.Tensor4D {
  const { pixels } = readCifarRecords('/work/shared/data/cifar10/test.bin', 0, count);
  return tf.tidy(() => {
    const x = tf.tensor4d(pixels, [count, 32, 32, 3]);
    return side === 32 ? x : (tf.clipByValue(tf.image.resizeBilinear(x, [side, side]), 0, 1) as tf.Tensor4D);
  });
}

// ---------------------------------------------------------------- stand-in training step
interface Net {
  readonly vars: tf.Variable[];
  forward(x: tf.Tensor4D): tf.Scalar;
}

function standInNet(imagenetStem: boolean, rng: Rng): Net {
  const vars: tf.Variable[] = [];
  const variable = (init: tf.Tensor): tf.Variable => {
    const v = tf.variable(init);
    init.dispose();
    vars.push(v);
    return v;
  };
  const conv = (k: number, cin: number, cout: number): tf.Variable =>
    variable(tf.randomNormal([k, k, cin, cout], 0, Math.sqrt(2 / (k * k * cin)), 'float32', rng.seed()));
  const stem = imagenetStem ? conv(7, 3, 16) : conv(3, 3, 16);
  const widths = [16, 32, 64, 128];
  const blocks = widths.map((w, i) => {
    const cin = i === 0 ? 16 : (widths[i - 1] as number);
    const stride = i === 0 ? 1 : 2;
    return { a: conv(3, cin, w), b: conv(3, w, w), proj: stride === 1 && cin === w ? null : conv(1, cin, w), stride };
  });
  const dense = variable(tf.randomNormal([128, 128], 0, 0.1, 'float32', rng.seed()));
  return {
    vars,
    forward: (x) => {
      let h: tf.Tensor4D = imagenetStem
        ? tf.maxPool(tf.relu(tf.conv2d(x, stem as tf.Tensor4D, 2, 'same')), 3, 2, 'same')
        : tf.relu(tf.conv2d(x, stem as tf.Tensor4D, 1, 'same'));
      for (const blk of blocks) {
        const y = tf.conv2d(tf.relu(tf.conv2d(h, blk.a as tf.Tensor4D, blk.stride as 1 | 2, 'same')), blk.b as tf.Tensor4D, 1, 'same');
        const skip = blk.proj === null ? h : tf.conv2d(h, blk.proj as tf.Tensor4D, blk.stride as 1 | 2, 'same');
        h = tf.relu(tf.add(y, skip));
      }
      const z = tf.matMul(tf.mean(h, [1, 2]), dense);
      return tf.mean(tf.square(z)) as tf.Scalar;
    },
  };
}

/** ms per source image of one SGD step on the 2 views of `batch` images of side `side`. */
function stepMsPerImage(side: number, batch: number): number {
  const net = standInNet(side > 64, Rng.fromSeed(1));
  const views = tf.randomUniform([2 * batch, side, side, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  const step = (): tf.Tensor => {
    const { value, grads } = tf.variableGrads(() => net.forward(views));
    tf.tidy(() => {
      for (const v of net.vars) v.assign(tf.sub(v, tf.mul(grads[v.name] as tf.Tensor, 0.01)));
    });
    tf.dispose(grads);
    return value;
  };
  const ms = timeMs(step, Math.max(1, Math.min(reps, 3)));
  tf.dispose([views, ...net.vars]);
  return ms / batch;
}

// ---------------------------------------------------------------- recipe throughput
interface Case {
  readonly label: string;
  readonly side: number;
  readonly batch: number;
  readonly strength: number;
  readonly blur: boolean;
  readonly stepBatch: number;
}
const cases: Case[] = [
  { label: 'simclr CIFAR-10 (s=0.5, no blur)', side: 32, batch: 512, strength: 0.5, blur: false, stepBatch: 64 },
  { label: 'simclr paper (s=1, blur)', side: 32, batch: 512, strength: 1, blur: true, stepBatch: 64 },
  { label: 'simclr paper (s=1, blur)', side: 224, batch: 64, strength: 1, blur: true, stepBatch: 8 },
];

const rows: string[] = [];
const stepCache = new Map<number, number>();
for (const c of cases) {
  const images = cifarBatch(c.batch, c.side);
  const recipe = simclr({ size: c.side, strength: c.strength, blur: c.blur });
  let seed = 0;
  const ms = timeMs(() => recipe.apply(images, Rng.fromSeed(seed++)));
  images.dispose();
  const perImage = ms / c.batch;
  let stepCols = '| (skipped) | |';
  if (withStep) {
    if (!stepCache.has(c.side)) stepCache.set(c.side, stepMsPerImage(c.side, c.stepBatch));
    const step = stepCache.get(c.side) as number;
    stepCols = `| ${step.toFixed(1)} (batch ${c.stepBatch}) | ${((100 * perImage) / step).toFixed(1)}% |`;
  }
  rows.push(`| ${c.label} | ${c.side}x${c.side} | ${c.batch} | 2 | ${ms.toFixed(0)} | ${((1000 * c.batch) / ms).toFixed(0)} | ${perImage.toFixed(2)} ${stepCols}`);
}
console.log('| recipe | size | batch | views | ms / batch | images/s | aug ms / image | stand-in step ms / image | aug / step |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);

// ---------------------------------------------------------------- per-operation breakdown
console.log('\nPer operation, one view, ms per batch (parameters drawn once, applied with applyParams):\n');
console.log('| size | batch | crop | crop+flip | jitter p=0.8 | grayscale p=0.2 | blur p=0.5 | whole view |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [side, batch] of [
  [32, 512],
  [224, 64],
] as const) {
  const images = cifarBatch(batch, side);
  const g = { batchSize: batch, height: side, width: side, channels: 3 };
  const ops: Augmentation<unknown>[] = [
    randomResizedCrop({ size: side }),
    compose([randomResizedCrop({ size: side }), randomHorizontalFlip()]),
    randomColorJitter(simclrJitter(1)),
    randomGrayscale({ p: 0.2 }),
    randomGaussianBlur({ p: 0.5 }),
    compose([randomResizedCrop({ size: side }), randomHorizontalFlip(), randomColorJitter(simclrJitter(1)), randomGrayscale({ p: 0.2 }), randomGaussianBlur({ p: 0.5 })]),
  ];
  const cells = ops.map((op) => {
    const params = op.sample(Rng.fromSeed(7), g);
    return timeMs(() => op.applyParams(images, params)).toFixed(0);
  });
  images.dispose();
  console.log(`| ${side}x${side} | ${batch} | ${cells.join(' | ')} |`);
}
console.log(`\ntensors alive at exit: ${tf.memory().numTensors}`);
// The threaded wasm engine keeps worker threads alive; end explicitly.
process.exit(0);
