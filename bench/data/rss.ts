/**
 * Resident memory of training from a streaming image folder (issue 16, point 3): SimCLR
 * (Chen et al. 2020) with a small ConvNet on `--size` px images streamed from `--dir` by
 * `openImageFolder` (no cache), for `--steps` steps, sampling `process.memoryUsage().rss` after
 * every step. Run it on folders of different sizes (e.g. 20,000 and 200,000 images): the
 * figure should not grow with the folder (only the list of paths does).
 *
 *   npx tsx --conditions=contrastive-source bench/data/rss.ts --dir /tmp/folder200k [--size 96] [--batch 64] [--steps 300]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { initBackend } from '@contrastive/backend';
import { Rng } from '@contrastive/core';
import { openImageFolder } from '@contrastive/data/node';
import { convNet } from '@contrastive/encoders';
import { mlpHead } from '@contrastive/heads';
import { simclr } from '@contrastive/strategies';
import { sgd, train } from '@contrastive/train';

const { values: args } = parseArgs({
  options: { dir: { type: 'string' }, size: { type: 'string', default: '96' }, batch: { type: 'string', default: '64' }, steps: { type: 'string', default: '300' } },
});
if (args.dir === undefined) throw new Error('--dir is required');
const [size, batchSize, steps] = [args.size, args.batch, args.steps].map(Number) as [number, number, number];
const MIB = 1024 ** 2;

const engine = await initBackend();
const rssAtStart = process.memoryUsage().rss;
const listed = performance.now();
const folder = await openImageFolder({ dir: args.dir, size: [size, size] });
const listSeconds = (performance.now() - listed) / 1000;
const rssAfterListing = process.memoryUsage().rss;
console.log(`${folder.length} files listed in ${listSeconds.toFixed(1)} s; RSS ${(rssAtStart / MIB).toFixed(0)} MiB at start, ${(rssAfterListing / MIB).toFixed(0)} MiB after listing`);

const encoder = convNet({ widths: [16, 32, 64], inputShape: [size, size, 3], seed: 0 });
const head = mlpHead({ inputDim: 64, outputDim: 64, seed: 0 });
const strategy = simclr({ encoder, head, temperature: 0.5 });
const samples: Array<{ step: number; rss: number; heapUsed: number; external: number }> = [];
const started = performance.now();
const summary = await train({
  strategy,
  data: () => folder.loader({ batchSize, rng: Rng.fromSeed(0), dropLast: true }),
  epochs: 1,
  optimizer: sgd({ momentum: 0.9 }),
  learningRate: 0.05,
  progress: false,
  callbacks: {
    onStepEnd(info) {
      const m = process.memoryUsage();
      samples.push({ step: info.step, rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers });
      if ((info.step + 1) % 10 === 0) console.log(`step ${info.step + 1}: loss ${info.loss.toFixed(3)}, RSS ${(m.rss / MIB).toFixed(0)} MiB, JS heap ${(m.heapUsed / MIB).toFixed(0)} MiB`);
    },
    shouldStop: () => samples.length >= steps,
  },
});
const seconds = (performance.now() - started) / 1000;
const peak = Math.max(...samples.map((s) => s.rss));
const later = samples.slice(Math.floor(samples.length / 2));
const result = {
  engine: engine.engine,
  files: folder.length,
  size,
  batchSize,
  steps: summary.steps,
  imagesStreamed: summary.steps * batchSize,
  seconds: Number(seconds.toFixed(1)),
  listSeconds: Number(listSeconds.toFixed(1)),
  rssAfterListingMiB: Math.round(rssAfterListing / MIB),
  peakRssMiB: Math.round(peak / MIB),
  rssFirstHalfMaxMiB: Math.round(Math.max(...samples.slice(0, Math.floor(samples.length / 2)).map((s) => s.rss)) / MIB),
  rssSecondHalfMaxMiB: Math.round(Math.max(...later.map((s) => s.rss)) / MIB),
  inMemoryBytesWouldBeMiB: Math.round((folder.length * size * size * 3) / MIB),
  skipped: folder.skipped(),
  loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
};
console.log(JSON.stringify(result));
strategy.dispose();
encoder.dispose();
head.dispose();
