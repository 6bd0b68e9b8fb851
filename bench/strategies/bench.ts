/**
 * Every strategy under the same encoder, data and time budget (issue 15, point 6): the learning
 * tests' setup (ConvNet 16-32-64 with the SimCLR v2 projector, exact CIFAR-10 images downscaled
 * to 16 x 16: the first 1024 training images, 500 test images; SGD with momentum 0.9, batch 64,
 * seed 7), each strategy trained for `--seconds` of wall time (at most `--steps` steps), then
 * (Barlow Twins and VICReg: a 256-wide projector and Adam at 1e-3, as in their learning tests),
 * the encoder's kNN accuracy (k = 20, τ = 0.1) and linear-probe accuracy (Adam, `--probe-epochs`
 * epochs on the 1024 training features) against the same encoder at random init. Prints one
 * markdown table. The machine's load average is printed with it: the time budget buys fewer
 * steps on a busier machine.
 *
 * Run from the repository root (no build needed):
 *   npx tsx --conditions=contrastive-source bench/strategies/bench.ts [--seconds 60] [--steps 400] [--probe-epochs 30] [--only simclr,byol]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, type Encoder, type Strategy } from '@contrastive/core';
import { linearProbe } from '@contrastive/eval';
import {
  barlowTwins,
  byol,
  dcl,
  mocoV2,
  nnclr,
  simclr,
  simsiam,
  supcon,
  supconQueue,
  vicreg,
} from '@contrastive/strategies';
import { features, learn, learningAugment, learningParts, loadLearningData, type LearningData } from '../../packages/strategies/test/learning.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    steps: { type: 'string', default: '400' },
    'probe-epochs': { type: 'string', default: '30' },
    only: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const steps = Number(values.steps);
const probeEpochs = Number(values['probe-epochs']);

type Parts = ReturnType<typeof learningParts>;
/** A strategy's settings in its learning test: learning rate, optimizer, projector width. */
interface Setup {
  readonly lr: number;
  readonly optimizer?: 'sgd' | 'adam';
  readonly width?: number;
  /** SimCLR v1's projector instead of v2's (SimSiam's learning test). */
  readonly head?: 'v1';
}
const sgd: Setup = { lr: 0.05 };
/** Barlow Twins and VICReg: 256-wide projector and Adam (their learning tests' settings). */
const wideAdam: Setup = { lr: 1e-3, optimizer: 'adam', width: 256 };
/** name, settings, factory: as in each strategy's learning test. */
const strategies: [string, Setup, (p: Parts) => Strategy<unknown>][] = [
  ['simclr', sgd, ({ encoder, head }) => simclr({ encoder, head, temperature: 0.5, augment: learningAugment('simclr') }) as Strategy<unknown>],
  ['supcon (labels)', sgd, ({ encoder, head }) => supcon({ encoder, head, temperature: 0.1, augment: learningAugment('simclr') }) as Strategy<unknown>],
  ['mocoV2', sgd, ({ encoder, head }) => mocoV2({ encoder, head, queueSize: 512, momentum: 0.99, temperature: 0.2, augment: learningAugment('simclr') }) as Strategy<unknown>],
  ['byol', sgd, ({ encoder, head }) => byol({ encoder, head, predictorHiddenDim: 128, momentum: 0.99, cosineSchedule: { totalSteps: steps }, augment: learningAugment('byol'), seed: 3 }) as Strategy<unknown>],
  ['simsiam', { lr: 0.05, head: 'v1' }, ({ encoder, head }) => simsiam({ encoder, head, predictorHiddenDim: 16, augment: learningAugment('simclr'), seed: 6 }) as Strategy<unknown>],
  ['barlowTwins', wideAdam, ({ encoder, head }) => barlowTwins({ encoder, head, augment: learningAugment('simclr') }) as Strategy<unknown>],
  ['vicreg', wideAdam, ({ encoder, head }) => vicreg({ encoder, head, augment: learningAugment('simclr') }) as Strategy<unknown>],
  ['nnclr', sgd, ({ encoder, head }) => nnclr({ encoder, head, predictorHiddenDim: 128, queueSize: 512, augment: learningAugment('simclr'), seed: 9 }) as Strategy<unknown>],
  ['dcl', sgd, ({ encoder, head }) => dcl({ encoder, head, temperature: 0.2, augment: learningAugment('simclr') }) as Strategy<unknown>],
  ['supconQueue (labels)', sgd, ({ encoder, head }) => supconQueue({ encoder, head, queueSize: 512, momentum: 0.99, augment: learningAugment('simclr') }) as Strategy<unknown>],
];

async function probe(encoder: Encoder, data: LearningData): Promise<number> {
  const train = features(encoder, data.train);
  const test = features(encoder, data.test);
  try {
    const result = await linearProbe({
      trainFeatures: train,
      trainLabels: Int32Array.from(data.train.labels),
      testFeatures: test,
      testLabels: Int32Array.from(data.test.labels),
      numClasses: 10,
      epochs: probeEpochs,
      rng: Rng.fromSeed(1),
    });
    return result.testAccuracy;
  } finally {
    tf.dispose([train, test]);
  }
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const data = await loadLearningData();
const chosen = values.only === undefined ? strategies : strategies.filter(([n]) => values.only!.split(',').some((o) => n.startsWith(o)));
const load0 = os.loadavg()[0]!;
const rows: string[] = [];
for (const [name, setup, make] of chosen) {
  const parts = learningParts(1, { ...(setup.width === undefined ? {} : { hiddenDim: setup.width, outputDim: setup.width }), ...(setup.head ? { head: setup.head } : {}) });
  const randomProbe = await probe(parts.encoder, data);
  const strategy = make(parts);
  const run = learn(strategy, parts.encoder, data, { steps, lr: setup.lr, maxSeconds: seconds, ...(setup.optimizer ? { optimizer: setup.optimizer } : {}) });
  const trainedProbe = await probe(parts.encoder, data);
  strategy.dispose();
  parts.encoder.dispose();
  parts.head.dispose();
  const row = `| ${name} | ${run.losses.length} | ${run.trainSeconds.toFixed(0)} | ${pct(run.before.knn)} | ${pct(run.after.knn)} | ${pct(randomProbe)} | ${pct(trainedProbe)} | ${run.after.std.toFixed(3)} | ${run.after.rank.toFixed(1)} |`;
  rows.push(row);
  console.error(row);
}
console.log(`budget ${seconds} s or ${steps} steps per strategy; load average ${load0.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end (${os.cpus().length} cores)`);
console.log('| strategy | steps | train s | kNN random | kNN trained | probe random | probe trained | std | RankMe |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
