import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, NonFiniteError, type Batch } from '@contrastive/core';
import { globalNorm } from './clip.js';
import { assertInputValues, readStep } from './step-readings.js';
import { sgd } from './sgd.js';
import { Trainer, train } from './trainer.js';
import { toyData, toyStrategy } from '../test/toy-strategy.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

/** Counts Tensor.dataSync calls while `f` runs. */
function countReads<T>(f: () => T): { value: T; reads: number } {
  const proto = tf.Tensor.prototype as unknown as { dataSync: (this: tf.Tensor) => unknown };
  const original = proto.dataSync;
  let reads = 0;
  proto.dataSync = function (this: tf.Tensor) {
    reads++;
    return original.call(this);
  };
  try {
    return { value: f(), reads };
  } finally {
    proto.dataSync = original;
  }
}

describe('readStep', () => {
  it('reads the loss, the gradient norm and the input statistics in one read, leaving no tensor (property)', () => {
    fc.assert(
      fc.property(
        fc.float({ min: -10, max: 10, noNaN: true }),
        fc.array(fc.float({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 12 }),
        (lossValue, g, x) => {
          const loss = tf.scalar(lossValue);
          const grads = { a: tf.tensor1d(g), b: tf.tensor2d([[1, 2]]) };
          const images = tf.tensor1d(x);
          const before = tf.memory().numTensors;
          const { value: read, reads } = countReads(() => readStep(loss, grads, images));
          expect(reads).toBe(1);
          expect(tf.memory().numTensors).toBe(before);
          expect(read.loss).toBe(Math.fround(lossValue));
          expect(read.gradNorm).toBeCloseTo(globalNorm(grads), 5);
          expect(read.inputs?.min).toBe(Math.min(...x.map(Math.fround)));
          expect(read.inputs?.max).toBe(Math.max(...x.map(Math.fround)));
          expect(read.inputs?.sum).toBeCloseTo(x.reduce((a, b) => a + b, 0), 4);
          expect(countReads(() => readStep(loss, grads, null)).value.inputs).toBeNull();
          tf.dispose([loss, grads.a, grads.b, images]);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a non-finite gradient shows as a non-finite norm; no gradients read as norm 0', () => {
    const loss = tf.scalar(1);
    const bad = { a: tf.tensor1d([1, Number.NaN]) };
    expect(Number.isNaN(readStep(loss, bad, null).gradNorm)).toBe(true);
    expect(readStep(loss, {}, null).gradNorm).toBe(0);
    tf.dispose([loss, bad.a]);
  });
});

describe('assertInputValues', () => {
  it('NaN or Infinity: NonFiniteError; images (rank 4) outside [0, 1]: ArgumentError; features any finite range', () => {
    expect(() => assertInputValues('T', { min: 0, max: 1, sum: Number.NaN }, 4, 'step 1')).toThrow(NonFiniteError);
    expect(() => assertInputValues('T', { min: 0, max: Infinity, sum: Infinity }, 2, 'step 1')).toThrow(/'batch.images' must hold finite values/);
    expect(() => assertInputValues('T', { min: -0.5, max: 1, sum: 3 }, 4, 'step 2')).toThrow(ArgumentError);
    expect(() => assertInputValues('T', { min: 0, max: 1.5, sum: 3 }, 4, 'step 2')).toThrow(/values in \[0, 1\].*received values in \[0, 1.5\] \(step 2\)/);
    expect(() => assertInputValues('T', { min: -7, max: 9, sum: 3 }, 2, 'step 2')).not.toThrow();
    expect(() => assertInputValues('T', { min: 0, max: 1, sum: 3 }, 4, 'step 2')).not.toThrow();
  });
});

describe('Trainer checkInputs', () => {
  /** Toy batches with NaN features in batch `poisoned` of every epoch. */
  const poisonedAt = (poisoned: number) => {
    const data = toyData();
    return (epoch: number): Iterable<Batch> =>
      Array.from(data(epoch), (b, i) => {
        if (i !== poisoned) return b;
        const images = tf.mul(b.images, Number.NaN);
        b.images.dispose();
        return { ...b, images };
      });
  };
  const run = (data: (epoch: number) => Iterable<Batch>, checkInputs: 'epoch' | 'step' | false | undefined, prefix: string) => {
    const strategy = toyStrategy({ prefix });
    return train({
      strategy,
      data,
      epochs: 1,
      optimizer: sgd(),
      learningRate: 0.01,
      progress: false,
      onNonFinite: 'skip',
      ...(checkInputs === undefined ? {} : { checkInputs }),
    }).finally(() => strategy.dispose());
  };

  it("'epoch' (default) checks the first batch of each epoch, 'step' every batch, false none", async () => {
    await expect(run(poisonedAt(0), undefined, 'ci-default')).rejects.toThrow(/'batch.images' must hold finite values.*step 1, epoch 0, batch 1/);
    // Batch 3 is not the first of its epoch: 'epoch' lets the loss guard skip it.
    await expect(run(poisonedAt(2), 'epoch', 'ci-epoch')).resolves.toMatchObject({ skippedSteps: 1 });
    await expect(run(poisonedAt(2), 'step', 'ci-step')).rejects.toThrow(/step 3, epoch 0, batch 3/);
    await expect(run(poisonedAt(0), false, 'ci-off')).resolves.toMatchObject({ skippedSteps: 1 });
    const strategy = toyStrategy({ prefix: 'ci-bad' });
    expect(() => new Trainer({ strategy, data: toyData(), epochs: 1, optimizer: sgd(), learningRate: 0.1, checkInputs: 'sometimes' as never })).toThrow(/'options.checkInputs'/);
    strategy.dispose();
  });
});
