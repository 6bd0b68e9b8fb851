/**
 * Data benchmark (issue 16, point 3): how fast the streaming image folder decodes and resizes
 * images, against how fast a SimCLR training step consumes them, at 32, 96 and 224 px.
 *
 * Per size S, on a folder of `--images` JPEG files of S x S made by `make-folder.ts`:
 * - decode, cold: one pass of `openImageFolder(...).loader()` (sharp on libuv's thread pool,
 *   `--concurrency` decodes in flight), nothing else running: images per second;
 * - decode, cached: the same after a first pass filled the on-disk cache (`cacheDir`);
 * - train, in memory: a SimCLR step (Chen et al. 2020; the main job's ResNet-18 at width x0.125,
 *   CIFAR stem at 32 px and ImageNet stem above, MLP head, NT-Xent tau 0.5, SimCLR augmentation,
 *   SGD) on batches already in memory: images per second consumed;
 * - train, streamed: the same steps fed by the streaming loader (no cache), wall time between
 *   steps included, so a decoder slower than the step shows here.
 * The medians of `--steps` steps after one warm-up step (train), the whole pass (decode).
 *
 *   npx tsx --conditions=contrastive-source bench/data/bench.ts [--sizes 32,96,224] [--images 512] [--batch 64] [--steps 6] [--work /tmp/bench-data]
 */
import { rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { Rng, type Batch } from '@contrastive/core';
import { disposeBatch } from '@contrastive/data';
import { openImageFolder } from '@contrastive/data/node';
import { resnet18 } from '@contrastive/encoders';
import { mlpHead } from '@contrastive/heads';
import { simclr } from '@contrastive/strategies';
import { sgd, train } from '@contrastive/train';
import { runChild } from '../run-child.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '32,96,224' },
    images: { type: 'string', default: '512' },
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '6' },
    concurrency: { type: 'string', default: '64' },
    work: { type: 'string', default: '/tmp/bench-data' },
  },
});
const sizes = args.sizes.split(',').map(Number);
const [images, batchSize, steps, concurrency] = [args.images, args.batch, args.steps, args.concurrency].map(Number) as [number, number, number, number];
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const engine = await initBackend();
console.log(`engine ${engine.engine} (${engine.threads ?? 1} threads); UV_THREADPOOL_SIZE ${process.env['UV_THREADPOOL_SIZE'] ?? '4 (default)'}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

/** Images per second of one pass of the streaming loader over the folder. */
async function decodePass(dir: string, size: number, cacheDir?: string): Promise<number> {
  const folder = await openImageFolder({ dir, size: [size, size], concurrency, ...(cacheDir === undefined ? {} : { cacheDir }) });
  const started = performance.now();
  let n = 0;
  for await (const batch of folder.loader({ batchSize, rng: Rng.fromSeed(0) })) {
    n += batch.images.shape[0];
    disposeBatch(batch);
  }
  return n / ((performance.now() - started) / 1000);
}

/** Median images per second of SimCLR steps (wall time between steps) fed by `data`. */
async function trainRate(size: number, data: () => AsyncIterable<Batch> | Iterable<Batch>): Promise<number> {
  const encoder = resnet18({ stem: size <= 64 ? 'cifar' : 'imagenet', widthMultiplier: 0.125, inputShape: [size, size, 3], seed: 0 });
  const head = mlpHead({ inputDim: encoder.outputDim, hiddenDim: encoder.outputDim, outputDim: 128, seed: 0 });
  const strategy = simclr({ encoder, head, temperature: 0.5 });
  const times: number[] = [];
  let last = performance.now();
  await train({
    strategy, data, epochs: 1, optimizer: sgd({ momentum: 0.9 }), learningRate: 0.05, progress: false,
    callbacks: {
      onStepEnd() {
        const now = performance.now();
        times.push(now - last);
        last = now;
      },
      shouldStop: () => times.length >= steps + 1,
    },
  });
  strategy.dispose();
  encoder.dispose();
  head.dispose();
  return batchSize / (median(times.slice(1)) / 1000);
}

const rows: string[] = [];
for (const size of sizes) {
  const dir = path.join(args.work, `folder-${size}`);
  if (!existsSync(dir)) {
    const made = await runChild(process.execPath, [...process.execArgv, path.join(import.meta.dirname, 'make-folder.ts'), '--out', dir, '--count', String(images), '--size', String(size)]);
    if (made.code !== 0) throw new Error(`make-folder failed: ${made.err}`);
  }
  const cacheDir = path.join(args.work, `cache-${size}`);
  await rm(cacheDir, { recursive: true, force: true });
  const cold = await decodePass(dir, size);
  await decodePass(dir, size, cacheDir); // fills the cache
  const cached = await decodePass(dir, size, cacheDir);
  const synthetic = tf.tidy(() => tf.randomUniform([batchSize, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D);
  // The trainer disposes each batch after its step: one copy per step (a memory copy, no decoding).
  const inMemory = await trainRate(size, function* () {
    for (let s = 0; s <= steps; s++) yield { images: tf.clone(synthetic) };
  });
  synthetic.dispose();
  const folder = await openImageFolder({ dir, size: [size, size], concurrency });
  const streamed = await trainRate(size, () => folder.loader({ batchSize, rng: Rng.fromSeed(1), dropLast: true }));
  const row = `| ${size} | ${cold.toFixed(0)} | ${cached.toFixed(0)} | ${inMemory.toFixed(1)} | ${streamed.toFixed(1)} | ${(cold / inMemory).toFixed(1)}x |`;
  console.log(row);
  rows.push(row);
}
console.log('\n| px | decode img/s (cold) | decode img/s (cache) | train img/s (in memory) | train img/s (streamed) | decode / train |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(`load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
