/**
 * The run of the construction-order resume test (src/construction-order.test.ts): a small MoCo v2
 * (ConvNet with BatchNorm, SimCLR v2 head with BatchNorm, momentum key branch, queue) trained
 * with SGD + momentum on seeded 8x8 images, checkpointing every 2 steps. Shared by the test and
 * by the writer process (test/construction-order-writer.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng, type Batch } from '@contrastive/core';
import { convNet } from '@contrastive/encoders';
import { mlpHeadV2 } from '@contrastive/heads';
import { mocoV2 } from '@contrastive/strategies';
import { sgd } from '../src/sgd.js';
import type { TrainerOptions } from '../src/trainer.js';

/** The run's modules and strategy; `seed` sets the initial weights (a resume replaces them). */
export function buildRun(seed: number) {
  const encoder = convNet({ widths: [4, 8], inputShape: [8, 8, 3], seed });
  const head = mlpHeadV2({ inputDim: encoder.outputDim, hiddenDim: 8, outputDim: 4, layers: 2, seed: seed + 1 });
  const strategy = mocoV2({ encoder, head, queueSize: 12, momentum: 0.9, temperature: 0.2 });
  return {
    strategy,
    dispose: () => {
      strategy.keyBranch.dispose();
      encoder.dispose();
      head.dispose();
    },
  };
}

/** Two models that have nothing to do with the run (they only shift per-process counters). */
export function buildUnrelated() {
  const a = convNet({ widths: [3], inputShape: [8, 8, 3], seed: 99 });
  const b = mlpHeadV2({ inputDim: 3, hiddenDim: 5, outputDim: 2, layers: 2, seed: 98 });
  return { dispose: () => [a, b].forEach((m) => m.dispose()) };
}

function data(epoch: number): Iterable<Batch> {
  const rng = Rng.fromSeed(500 + epoch);
  return [0, 1].map((b) => ({ images: tf.tensor4d(rng.uniformArray(6 * 8 * 8 * 3, 0, 1), [6, 8, 8, 3]), indices: Int32Array.from({ length: 6 }, (_, i) => b * 6 + i) }));
}

/** Trainer options: 2 epochs of 2 steps, a checkpoint every 2 steps under `dir`. */
export function runOptions(strategy: ReturnType<typeof buildRun>['strategy'], dir: string): TrainerOptions<unknown> {
  return {
    strategy: strategy as TrainerOptions<unknown>['strategy'],
    data,
    epochs: 2,
    optimizer: sgd({ momentum: 0.9 }),
    learningRate: 0.05,
    seed: 3,
    progress: false,
    checkpoint: { dir, everySteps: 2, keep: 0 },
  };
}

/** Every variable's bytes (base64) by parameter path. */
export function weightsByPath(strategy: ReturnType<typeof buildRun>['strategy']): Record<string, string> {
  const dict = strategy.stateDict?.() ?? new Map<string, tf.Variable>();
  return Object.fromEntries([...dict].map(([p, v]) => [p, Buffer.from((v.dataSync() as Float32Array).buffer).toString('base64')]));
}
