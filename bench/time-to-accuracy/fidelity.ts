/**
 * Step-for-step fidelity of the time-to-accuracy recipe against PyTorch, with the randomness
 * taken out: this project's initial weights and `--steps` batches of augmented views (drawn by
 * this project's SimCLR augmentation from the first CIFAR-10 train images) are written to a
 * directory; this project trains on them (Trainer + SGD + cosine, exactly as bench.ts, the views
 * handed over by a fixed augmenter) and so does `simclr_torch.py --fidelity DIR` (the same
 * weights loaded into its PyTorch modules). The losses of every step and the weights after the
 * last step (parameters and BatchNorm running statistics) are compared.
 *
 * Equal semantics (architecture, BatchNorm, NT-Xent, SGD momentum and weight decay, schedule)
 * give losses equal to float32 rounding and weights a relative distance far below 1e-2; a
 * semantic difference shows as a loss gap growing from the first steps and as particular
 * variables drifting. Measured: the two sides agree as closely as PyTorch in float32 agrees with
 * PyTorch in float64 from the same start (this training problem amplifies rounding quickly: the
 * relative weight difference reaches ~1e-2 after two steps in both comparisons).
 *
 * The evaluation path is compared too: features of the first `--eval-test` test images (encoder
 * output in inference mode, running BatchNorm statistics) and the kNN accuracy against the first
 * `--eval-train` train images, both computed from the trained weights on each side.
 *
 * Run from the repository root:
 *   npx tsx --conditions=contrastive-source bench/time-to-accuracy/fidelity.ts [--steps 10]
 *     [--batch 64] [--seed 0] [--data-dir DIR] [--out /tmp/tta-fidelity] [--eval-train 5000] [--eval-test 1000]
 *     [--views-only [--view-seed S]] (only write the views, for augment_stats.py)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend/node';
import { Rng, type ViewAugmenter } from '@contrastive/core';
import { simclr as simclrAugment } from '@contrastive/augment';
import { batchFromIndices, disposeBatch } from '@contrastive/data';
import { readCifar10Binary } from '@contrastive/data/node';
import { resnet } from '@contrastive/encoders';
import { mlpHead } from '@contrastive/heads';
import { simclr } from '@contrastive/strategies';
import { Trainer, sgd, warmupCosine } from '@contrastive/train';
import { embed, knnAccuracy } from '@contrastive/eval';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}
const here = path.dirname(fileURLToPath(import.meta.url));
const steps = Number(arg('steps', '10'));
const batchSize = Number(arg('batch', '64'));
const seed = Number(arg('seed', '0'));
const dataDir = path.resolve(arg('data-dir', process.env['CONTRASTIVE_DATA_DIR'] ?? path.join(here, '..', '..', '..', 'shared', 'data')));
const out = path.resolve(arg('out', '/tmp/tta-fidelity'));
mkdirSync(out, { recursive: true });

const report = await initBackend();
console.log(`engine ${report.engine}; ${steps} steps of batch ${batchSize}; files in ${out}`);
const train = await readCifar10Binary(path.join(dataDir, 'cifar10', 'train.bin'), { limit: steps * batchSize });
const encoder = resnet({ depth: 18, stem: 'cifar', widthMultiplier: 0.25, inputShape: [32, 32, 3], seed });
const head = mlpHead({ inputDim: encoder.outputDim, hiddenDim: 512, outputDim: 128, seed: seed + 1 });

/** Writes every variable (name, shape, float32 data) to `<prefix>.json` + `<prefix>.bin`. */
function dumpWeights(prefix: string): void {
  const entries: { name: string; shape: number[]; offset: number }[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  const add = (name: string, v: tf.Variable): void => {
    const data = v.dataSync() as Float32Array;
    entries.push({ name, shape: [...v.shape], offset });
    chunks.push(Float32Array.from(data));
    offset += data.length;
  };
  for (const n of encoder.namedVariables()) add(`encoder/${n.name}`, n.variable);
  for (const n of head.namedVariables()) add(`head/${n.name}`, n.variable);
  const all = new Float32Array(offset);
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.length;
  }
  writeFileSync(`${prefix}.bin`, Buffer.from(all.buffer));
  writeFileSync(`${prefix}.json`, JSON.stringify(entries));
}

// The views of every step, drawn once by the project's recipe.
const recipe = simclrAugment({ size: 32, strength: 0.5, blur: false, scale: [0.08, 1] });
const rng = Rng.fromSeed(seed + 7 + Number(arg('view-seed', '0')));
const views: Float32Array[][] = [];
for (let s = 0; s < steps; s++) {
  const batch = batchFromIndices(train, Int32Array.from({ length: batchSize }, (_, i) => s * batchSize + i));
  const vs = recipe.apply(batch.images as tf.Tensor4D, rng.split());
  views.push(vs.map((v) => Float32Array.from(v.dataSync() as Float32Array)));
  tf.dispose(vs);
  disposeBatch(batch);
}
const viewBytes = new Float32Array(steps * 2 * batchSize * 32 * 32 * 3);
views.forEach((vs, s) => vs.forEach((v, k) => viewBytes.set(v, (2 * s + k) * v.length)));
writeFileSync(path.join(out, 'views.bin'), Buffer.from(viewBytes.buffer));
dumpWeights(path.join(out, 'init'));
if (process.argv.includes('--views-only')) {
  // For augment_stats.py: the views alone.
  writeFileSync(path.join(out, 'meta.json'), JSON.stringify({ steps, batch: batchSize }));
  process.exit(0);
}

let calls = 0;
const fixed: ViewAugmenter = {
  name: 'fixed-views',
  numViews: 2,
  apply: () => {
    const vs = views[calls++] as Float32Array[];
    return vs.map((v) => tf.tensor4d(v, [batchSize, 32, 32, 3]));
  },
};
const losses: number[] = [];
const trainer = new Trainer({
  strategy: simclr({ encoder, head, augment: fixed, temperature: 0.5 }),
  data: () => (function* () {
    for (let s = 0; s < steps; s++) yield batchFromIndices(train, Int32Array.from({ length: batchSize }, (_, i) => s * batchSize + i));
  })(),
  epochs: 1,
  optimizer: sgd({ momentum: 0.9, weightDecay: 5e-4 }),
  learningRate: warmupCosine({ baseLr: 0.06, totalSteps: steps }),
  seed,
  progress: false,
  callbacks: { onStepEnd: (info) => void losses.push(info.loss) },
});
await trainer.run();
trainer.dispose();
if (calls !== steps) throw new Error(`the fixed augmenter was called ${calls} times for ${steps} steps`);
dumpWeights(path.join(out, 'final'));

// The evaluation path on the trained weights: kNN (k 200, tau 0.1) of the first `--eval-test`
// test images against the first `--eval-train` train images; PyTorch repeats it on the same weights.
const evalTrain = Number(arg('eval-train', '5000'));
const evalTest = Number(arg('eval-test', '1000'));
const bankData = await readCifar10Binary(path.join(dataDir, 'cifar10', 'train.bin'), { limit: evalTrain });
const testData = await readCifar10Binary(path.join(dataDir, 'cifar10', 'test.bin'), { limit: evalTest });
const featuresOf = (data: typeof bankData): tf.Tensor2D => {
  const b = batchFromIndices(data, Int32Array.from({ length: data.length }, (_, i) => i));
  const h = embed(encoder, b.images, { batchSize: 500 });
  disposeBatch(b);
  return h;
};
const bank = featuresOf(bankData);
const queries = featuresOf(testData);
const knn = knnAccuracy({ trainFeatures: bank, trainLabels: Int32Array.from(bankData.labels), testFeatures: queries, testLabels: Int32Array.from(testData.labels), k: 200, temperature: 0.1, numClasses: 10 });
writeFileSync(path.join(out, 'test-features.bin'), Buffer.from(Float32Array.from(queries.dataSync() as Float32Array).buffer));
tf.dispose([bank, queries]);
writeFileSync(path.join(out, 'meta.json'), JSON.stringify({ steps, batch: batchSize, lr: 0.06, momentum: 0.9, weightDecay: 5e-4, tau: 0.5, losses, evalTrain, evalTest, knn }));

const py = spawnSync('/usr/bin/python3', [path.join(here, 'simclr_torch.py'), '--fidelity', out, '--data-dir', dataDir], { encoding: 'utf8' });
if (py.status !== 0) throw new Error(`simclr_torch.py --fidelity failed: ${py.stderr}`);
console.log(py.stdout.trimEnd());
