/**
 * Reference experiment: supervised contrastive learning (SupCon, Khosla et al. 2020,
 * "Supervised Contrastive Learning", L_out eq. 2, tau = 0.1) with a small ConvNet
 * (conv16-pool-conv32-global pool-fc128) on Fashion-MNIST (Xiao et al. 2017), then a linear
 * head (linear probe) on the frozen encoder, against the same network with its random initial
 * weights: the probe's test accuracy after each pretraining epoch (epoch 0 = random), the
 * probe's test accuracy against its own epochs for both, and t-SNE maps (van der Maaten &
 * Hinton 2008) of both representations.
 *
 * Fashion-MNIST from Debian's `dataset-fashion-mnist` (/usr/share/datasets/fashion-mnist) or
 * `--dir`. Run from the repository root:
 *
 *   npx tsx --conditions=contrastive-source examples/supcon-fashion-mnist/main.ts [--train 10000] [--test 2000] [--epochs 5] [--out runs/supcon-fashion-mnist]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { compose, multiView, randomHorizontalFlip, randomResizedCrop } from '@contrastive/augment';
import { initBackend } from '@contrastive/backend';
import { Rng } from '@contrastive/core';
import { createDataLoader, subsetDataset, type ImageDataset } from '@contrastive/data';
import { loadFashionMnist } from '@contrastive/data/node';
import { convNet, type GraphEncoder } from '@contrastive/encoders';
import { embed, embedding2d, knnAccuracy, linearProbe } from '@contrastive/eval';
import { writeScatterPng } from '@contrastive/eval/node';
import { linearHead } from '@contrastive/heads';
import { supcon } from '@contrastive/strategies';
import { adamw, train, warmupCosine } from '@contrastive/train';

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string' },
    out: { type: 'string', default: 'runs/supcon-fashion-mnist' },
    train: { type: 'string', default: '10000' },
    test: { type: 'string', default: '2000' },
    epochs: { type: 'string', default: '5' },
    batch: { type: 'string', default: '128' },
    seed: { type: 'string', default: '0' },
  },
});
const out = args.out;
const [nTrain, nTest, epochs, batchSize, seed] = [args.train, args.test, args.epochs, args.batch, args.seed].map(Number) as [number, number, number, number, number];
const PROBE_EPOCHS = [1, 2, 5, 10, 20, 30];
const probeSettings = { lr: 1e-3, batchSize: 256, optimizer: 'adam' } as const;

const engine = await initBackend();
await mkdir(out, { recursive: true });
const dir = args.dir === undefined ? {} : { dir: args.dir };
const trainSet = await loadFashionMnist({ ...dir, split: 'train', limit: nTrain });
const testSet = await loadFashionMnist({ ...dir, split: 'test', limit: nTest });

/** All images of a data set as one [N, 28, 28, 1] float tensor in [0, 1]. */
const imagesOf = (d: ImageDataset): tf.Tensor4D => tf.tidy(() => tf.div(tf.cast(tf.tensor4d(d.images, [d.length, d.height, d.width, d.channels], 'int32'), 'float32'), 255) as tf.Tensor4D);
const xTrain = imagesOf(trainSet);
const xTest = imagesOf(testSet);
const trainLabels = Int32Array.from(trainSet.labels);
const testLabels = Int32Array.from(testSet.labels);

/** Frozen features of the training and test images. */
function featuresOf(encoder: GraphEncoder): [tf.Tensor2D, tf.Tensor2D] {
  return [embed(encoder, xTrain, { batchSize: 500 }), embed(encoder, xTest, { batchSize: 500 })];
}

/** Linear-probe test accuracy on frozen features, the probe trained for `probeEpochs`. */
async function probeOn([hTrain, hTest]: [tf.Tensor2D, tf.Tensor2D], probeEpochs: number): Promise<number> {
  const r = await linearProbe({ trainFeatures: hTrain, testFeatures: hTest, trainLabels, testLabels, numClasses: 10, epochs: probeEpochs, ...probeSettings, rng: Rng.fromSeed(seed) });
  return r.testAccuracy;
}

/** Linear-probe test accuracy of a frozen encoder. */
async function probeAccuracy(encoder: GraphEncoder, probeEpochs: number): Promise<number> {
  const features = featuresOf(encoder);
  try {
    return await probeOn(features, probeEpochs);
  } finally {
    tf.dispose(features);
  }
}

const arch = { widths: [16, 32], fc: 128, inputShape: [28, 28, 1] as [number, number, number], seed };
const encoder = convNet(arch);
const random = convNet(arch); // the same initial weights, never trained
const head = linearHead({ inputDim: 128, outputDim: 64, seed });
const view = (): ReturnType<typeof compose> => compose([randomResizedCrop({ size: 28, scale: [0.5, 1] }), randomHorizontalFlip()]);
const strategy = supcon({ encoder, head, augment: multiView({ name: 'crop-flip', views: [view(), view()] }), temperature: 0.1, variant: 'out' });

const PRETRAIN_PROBE_EPOCHS = 10;
const curve: Array<{ epoch: number; accuracy: number; loss: number | null; seconds: number }> = [];
curve.push({ epoch: 0, accuracy: await probeAccuracy(encoder, PRETRAIN_PROBE_EPOCHS), loss: null, seconds: 0 });
console.log(`epoch 0 (random): probe ${(100 * curve[0]!.accuracy).toFixed(2)}%`);
const loaderRng = Rng.fromSeed(100 + seed);
const stepsPerEpoch = Math.floor(trainSet.length / batchSize);
const summary = await train({
  strategy,
  data: () => createDataLoader(trainSet, { batchSize, rng: loaderRng, dropLast: true }),
  epochs,
  optimizer: adamw({ weightDecay: 1e-4 }),
  learningRate: warmupCosine({ baseLr: 2e-3, warmupSteps: Math.floor((epochs * stepsPerEpoch) / 10), totalSteps: epochs * stepsPerEpoch }),
  seed,
  progress: false,
  callbacks: {
    // The probe runs between epochs on the frozen encoder (inference mode; it changes nothing).
    async onEpochEnd(info) {
      curve.push({ epoch: info.epoch + 1, accuracy: await probeAccuracy(encoder, PRETRAIN_PROBE_EPOCHS), loss: info.meanLoss, seconds: info.seconds });
      console.log(`epoch ${info.epoch + 1}: mean SupCon loss ${info.meanLoss.toFixed(3)}, ${info.seconds.toFixed(0)} s (${info.imagesPerSecond.toFixed(0)} img/s); probe ${(100 * curve.at(-1)!.accuracy).toFixed(2)}%`);
    },
  },
});
const trainSeconds = curve.reduce((t, c) => t + c.seconds, 0);
console.log(`trained ${summary.steps} steps in ${trainSeconds.toFixed(0)} s`);
strategy.dispose();

// The probe's accuracy against its own epochs, and weighted kNN (k = 200, tau = 0.1; Wu et al.
// 2018), on the frozen features of the final encoder and of the random encoder.
const features = { pretrained: featuresOf(encoder), random: featuresOf(random) };
const probeCurve: Array<{ probeEpochs: number; pretrained: number; random: number }> = [];
for (const e of PROBE_EPOCHS) {
  probeCurve.push({ probeEpochs: e, pretrained: await probeOn(features.pretrained, e), random: await probeOn(features.random, e) });
  console.log(`probe ${e} epochs: pretrained ${(100 * probeCurve.at(-1)!.pretrained).toFixed(2)}%, random ${(100 * probeCurve.at(-1)!.random).toFixed(2)}%`);
}
const knn: Record<string, number> = {};
for (const [tag, [hTrain, hTest]] of Object.entries(features)) {
  knn[tag] = knnAccuracy({ trainFeatures: hTrain, testFeatures: hTest, trainLabels, testLabels, k: 200, temperature: 0.1, numClasses: 10 });
}
tf.dispose([...features.pretrained, ...features.random]);
console.log(`kNN (k=200): pretrained ${(100 * knn['pretrained']!).toFixed(2)}%, random ${(100 * knn['random']!).toFixed(2)}%`);

// t-SNE maps of 1,000 test images (the first 100 of each class).
const perClass = new Array<number>(10).fill(0);
const pick = Array.from(testSet.labels.keys()).filter((i) => (perClass[testSet.labels[i]!]! += 1) <= 100);
const sample = subsetDataset(testSet, pick);
const xSample = imagesOf(sample);
for (const [tag, f] of [['pretrained', encoder], ['random', random]] as const) {
  const h = embed(f, xSample, { batchSize: 500 });
  const points = embedding2d(h, { method: 'tsne', perplexity: 30, nEpochs: 1000, rng: Rng.fromSeed(0) });
  h.dispose();
  await writeScatterPng(path.join(out, `tsne-${tag}.png`), points, sample.labels, { classNames: trainSet.classNames, title: `Fashion-MNIST test, t-SNE of h (128-d), ${tag} encoder`, width: 720, height: 480 });
}
tf.dispose([xSample, xTrain, xTest]);
encoder.dispose();
random.dispose();
head.dispose();

const result = { engine, nTrain, nTest, epochs, batchSize, seed, trainSeconds, pretrainCurve: curve, probeCurve, knn };
await writeFile(path.join(out, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${path.join(out, 'results.json')} and the t-SNE maps`);
