/**
 * Host read-backs per training step: a GPU engine stalls at every read, so the default step
 * reads once (the loss with the gradient norm and the finite check, fused into one tensor).
 * Counts every Tensor read method over 10 steps of each named strategy through the trainer.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import type { Batch, Encoder, ProjectionHead, Strategy } from '@contrastive/core';
import { convNet } from '@contrastive/encoders';
import { mlpHead } from '@contrastive/heads';
import { instDisc, mocoV2, simclr, supcon } from '@contrastive/strategies';
import { sgd } from './sgd.js';
import { Trainer, type StepInfo } from './trainer.js';

const READS = ['dataSync', 'data', 'arraySync', 'array', 'bytes', 'buffer', 'bufferSync'] as const;
type Read = (typeof READS)[number];
const proto = tf.Tensor.prototype as unknown as Record<Read, (...args: unknown[]) => unknown>;
const originals = Object.fromEntries(READS.map((m) => [m, proto[m]])) as Record<Read, (...args: unknown[]) => unknown>;
let reads: Read[] = [];

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});
beforeEach(() => {
  reads = [];
  for (const m of READS) {
    const original = originals[m];
    proto[m] = function (this: tf.Tensor, ...args: unknown[]) {
      reads.push(m);
      return original.apply(this, args);
    };
  }
});
afterEach(() => {
  for (const m of READS) proto[m] = originals[m];
});

const BATCH = 8;
const STEPS = 10;
const DATASET = STEPS * BATCH;

function batches(): Batch[] {
  return Array.from({ length: STEPS }, (_, k) => ({
    images: tf.randomUniform([BATCH, 32, 32, 3], 0, 1, 'float32', k) as tf.Tensor4D,
    labels: tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % 3), 'int32'),
    indices: Int32Array.from({ length: BATCH }, (_, i) => k * BATCH + i),
  }));
}

const STRATEGIES: Record<string, (encoder: Encoder & ReturnType<typeof convNet>, head: ProjectionHead & ReturnType<typeof mlpHead>) => Strategy<unknown>> = {
  simclr: (encoder, head) => simclr({ encoder, head }) as Strategy<unknown>,
  supcon: (encoder, head) => supcon({ encoder, head }) as Strategy<unknown>,
  mocoV2: (encoder, head) => mocoV2({ encoder, head, queueSize: 32, shuffleGroups: 2 }) as Strategy<unknown>,
  instDisc: (encoder, head) => instDisc({ encoder, head, datasetSize: DATASET, numNegatives: 16 }) as Strategy<unknown>,
};

const CASES: ReadonlyArray<readonly [string, (typeof STRATEGIES)[string], { readonly chunkSize: number } | undefined]> = [
  ...Object.entries(STRATEGIES).map(([name, build]) => [name, build, undefined] as const),
  ['simclr with a gradient cache', STRATEGIES['simclr']!, { chunkSize: 3 }],
];

describe('host read-backs per training step', () => {
  for (const [name, build, gradientCache] of CASES) {
    it(`${name}: at most one per step over ${STEPS} steps`, async () => {
      // Built before counting: construction may read (weight init), the steps may not.
      const encoder = convNet({ widths: [4, 8], inputShape: [32, 32, 3], seed: 1 });
      const head = mlpHead({ inputDim: encoder.outputDim, hiddenDim: 16, outputDim: 8, seed: 2 });
      const strategy = build(encoder, head);
      const data = batches();
      const perStep: Read[][] = [];
      let mark = 0;
      const trainer = new Trainer({
        strategy,
        data,
        epochs: 1,
        optimizer: sgd({ momentum: 0.9 }),
        learningRate: 0.01,
        progress: false,
        ...(gradientCache === undefined ? {} : { gradientCache }),
        callbacks: {
          onStepEnd: (info: StepInfo) => {
            expect(Number.isFinite(info.loss) && Number.isFinite(info.gradNorm)).toBe(true);
            perStep.push(reads.slice(mark));
            mark = reads.length;
          },
        },
      });
      mark = reads.length;
      const summary = await trainer.run();
      expect(summary.steps).toBe(STEPS);
      expect(perStep).toHaveLength(STEPS);
      for (const stepReads of perStep) expect(stepReads.length, `reads in one step: ${stepReads.join(', ')}`).toBeLessThanOrEqual(1);
      trainer.dispose();
      strategy.dispose();
      encoder.dispose();
      head.dispose();
    });
  }
});
