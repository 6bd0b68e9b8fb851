/**
 * What the library examples share, so that each example shows only its own parts: command-line
 * sizes, the CIFAR-10 splits, a training loop of N steps with `@contrastive/train`'s Trainer, and
 * the evaluation of the frozen encoder (kNN and linear probe, `@contrastive/experiment`).
 */
import { parseArgs } from 'node:util';
import { initBackend } from '@contrastive/backend';
import { Rng, type Encoder, type Strategy } from '@contrastive/core';
import { createDataLoader, type ImageDataset } from '@contrastive/data';
import { loadCifar10 } from '@contrastive/data/node';
import { evaluateEncoder, type EncoderEvaluation } from '@contrastive/experiment';
import { resolveCifar10 } from '@contrastive/experiment/node';
import { Trainer, adamw, warmupCosine } from '@contrastive/train';

/** Sizes from the command line: `--steps 100 --images 5000 --test-images 1000 --linear-epochs 30`. */
export interface ExampleSizes {
  readonly steps: number;
  readonly images: number;
  readonly testImages: number;
  readonly linearEpochs: number;
  readonly batchSize: number;
}

/** Parses the sizes (positive integers) and starts the compute engine. */
export async function setUp(defaults: Partial<ExampleSizes> = {}): Promise<ExampleSizes> {
  const names = ['steps', 'images', 'test-images', 'linear-epochs', 'batch-size'] as const;
  const { values } = parseArgs({ options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])), strict: true });
  const int = (name: (typeof names)[number], fallback: number): number => {
    const raw = values[name];
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be an integer >= 1, received '${String(raw)}'`);
    return n;
  };
  const sizes = {
    steps: int('steps', defaults.steps ?? 100),
    images: int('images', defaults.images ?? 5000),
    testImages: int('test-images', defaults.testImages ?? 1000),
    linearEpochs: int('linear-epochs', defaults.linearEpochs ?? 30),
    batchSize: int('batch-size', defaults.batchSize ?? 64),
  };
  const engine = await initBackend();
  console.error(`engine: ${engine.engine}; ${sizes.steps} steps of ${sizes.batchSize} on ${sizes.images} CIFAR-10 images`);
  return sizes;
}

/** The first `images` training and `testImages` test images of CIFAR-10 (../shared/data, $CONTRASTIVE_DATA_DIR or a download). */
export async function cifar10(sizes: ExampleSizes): Promise<{ train: ImageDataset; test: ImageDataset }> {
  const { dir } = await resolveCifar10();
  return { train: await loadCifar10({ dir, split: 'train', limit: sizes.images }), test: await loadCifar10({ dir, split: 'test', limit: sizes.testImages }) };
}

/** Trains `strategy` for `sizes.steps` steps (AdamW, warmup + cosine), reshuffling every epoch; returns the last loss. */
export async function trainSteps(strategy: Strategy<unknown>, train: ImageDataset, sizes: ExampleSizes, lr = 3e-3): Promise<number> {
  const stepsPerEpoch = Math.floor(train.length / sizes.batchSize);
  const order = Rng.fromSeed(0);
  let lastLoss = Number.NaN;
  const trainer = new Trainer({
    strategy,
    data: () => createDataLoader(train, { batchSize: sizes.batchSize, rng: order.split(), dropLast: true }),
    epochs: Math.ceil(sizes.steps / stepsPerEpoch),
    optimizer: adamw({ weightDecay: 1e-4 }),
    learningRate: warmupCosine({ baseLr: lr, totalSteps: sizes.steps, warmupSteps: Math.min(10, sizes.steps - 1) }),
    seed: 0,
    progress: 'auto',
    callbacks: { onStepEnd: (s) => void (lastLoss = s.loss), shouldStop: (s) => s.step >= sizes.steps },
  });
  try {
    await trainer.run();
  } finally {
    trainer.dispose();
  }
  return lastLoss;
}

/** kNN (k = 200, τ = 0.1) and linear-probe accuracy of the frozen encoder: training images as the bank, test images to classify. */
export async function evaluate(encoder: Encoder, data: { train: ImageDataset; test: ImageDataset }, sizes: ExampleSizes): Promise<EncoderEvaluation> {
  const { evaluation } = await evaluateEncoder(encoder, {
    bank: data.train,
    test: data.test,
    k: 200,
    temperature: 0.1,
    batchSize: 256,
    linear: { epochs: sizes.linearEpochs, lr: 1e-3, weightDecay: 1e-4, batchSize: 256, optimizer: 'adam' },
    seed: 0,
  });
  return evaluation;
}

/** The closing line every example prints (the examples' test reads it). */
export function resultLine(name: string, loss: number, e: EncoderEvaluation): string {
  return `result: ${name} loss=${loss.toFixed(4)} knn=${e.knn.toFixed(4)} linear=${e.linear.toFixed(4)} bank=${e.bankSize} test=${e.testSize}`;
}
