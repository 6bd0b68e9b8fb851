import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, ShapeError, type TrainableModule } from '@contrastive/core';
import { convNet, mlpEncoder, momentumCopy, type CloneableModule } from './index.js';
import type { GraphEncoder } from './graph-encoder.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const values = (vs: readonly tf.Variable[]): Float32Array[] => vs.map((v) => v.dataSync().slice() as Float32Array);

/** Randomises every variable (parameters and buffers) of an encoder from a seed. */
function scramble(e: GraphEncoder, seed: number): void {
  e.namedVariables().forEach((n, i) => {
    const r = tf.randomUniform(n.variable.shape, 0.1, 2, 'float32', seed * 101 + i);
    n.variable.assign(r);
    r.dispose();
  });
}

const momentum = fc.float({ min: Math.fround(0), max: Math.fround(1), noNaN: true });

describe('momentumCopy', () => {
  it('starts equal to the online module, with its variables hidden from tfjs optimizers', () => {
    const online = mlpEncoder({ inputDim: 3, hidden: [4], batchNorm: true, seed: 1 });
    const key = momentumCopy(online);
    expect(values(key.trainableVariables)).toEqual(values(online.trainableVariables));
    expect(values(key.nonTrainableVariables)).toEqual(values(online.nonTrainableVariables));
    expect(key.trainableVariables.every((v) => !v.trainable)).toBe(true);
    expect(key.buffers).toBe('ema');
    // tf.variableGrads() without a list differentiates all trainable variables: never the copy's.
    const x = tf.randomNormal([3, 3]);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.add(online.apply(x, { training: true }), key.apply(x, { training: true }))) as tf.Scalar);
    const keyNames = new Set(key.trainableVariables.map((v) => v.name));
    expect(Object.keys(grads).some((n) => keyNames.has(n))).toBe(false);
    expect(Object.keys(grads).length).toBe(online.trainableVariables.length);
    tf.dispose([x, value, ...Object.values(grads)]);
    online.dispose();
    key.dispose();
  });

  it('m = 1 leaves the copy unchanged and m = 0 copies the online weights exactly (bit for bit)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (seed) => {
        const online = mlpEncoder({ inputDim: 2, hidden: [3, 2], batchNorm: true, seed });
        const key = momentumCopy(online);
        scramble(online, seed);
        const keyBefore = [...values(key.trainableVariables), ...values(key.nonTrainableVariables)];
        key.update(online, 1);
        expect([...values(key.trainableVariables), ...values(key.nonTrainableVariables)]).toEqual(keyBefore);
        key.update(online, 0);
        expect(values(key.trainableVariables)).toEqual(values(online.trainableVariables));
        expect(values(key.nonTrainableVariables)).toEqual(values(online.nonTrainableVariables));
        online.dispose();
        key.dispose();
      }),
      { numRuns: 10 },
    );
  });

  it('update(online, m) is m * copy + (1 - m) * online per element (loop reference)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), momentum, (seed, m) => {
        const online = mlpEncoder({ inputDim: 2, hidden: [3], batchNorm: true, seed });
        const key = momentumCopy(online);
        scramble(online, seed + 1);
        const k0 = values(key.trainableVariables);
        const o = values(online.trainableVariables);
        key.update(online, m);
        values(key.trainableVariables).forEach((arr, i) => {
          for (let j = 0; j < arr.length; j++) {
            const expected = m * k0[i]![j]! + (1 - m) * o[i]![j]!;
            expect(Math.abs(arr[j]! - expected)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(expected)));
          }
        });
        online.dispose();
        key.dispose();
      }),
      { numRuns: 20 },
    );
  });

  it('two updates towards a fixed module compose: m1 then m2 equals m1 * m2', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), momentum, momentum, (seed, m1, m2) => {
        const online = mlpEncoder({ inputDim: 2, hidden: [2], seed });
        const a = momentumCopy(online);
        const b = momentumCopy(online);
        scramble(online, seed + 7);
        a.update(online, m1);
        a.update(online, m2);
        b.update(online, Math.fround(m1 * m2));
        const va = values(a.trainableVariables);
        values(b.trainableVariables).forEach((arr, i) => arr.forEach((v, j) => expect(Math.abs(v - va[i]![j]!)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(v)))));
        for (const m of [online, a, b]) m.dispose();
      }),
      { numRuns: 15 },
    );
  });

  it("buffer policies: 'ema' averages the running statistics, 'copy' copies them, 'own' leaves them", () => {
    const online = convNet({ widths: [3], inputShape: [4, 4, 3], seed: 2 });
    const ema = momentumCopy(online);
    const copy = momentumCopy(online, { buffers: 'copy' });
    const own = momentumCopy(online, { buffers: 'own' });
    const b0 = values(online.nonTrainableVariables);
    scramble(online, 3);
    const b1 = values(online.nonTrainableVariables);
    for (const k of [ema, copy, own]) k.update(online, 0.5);
    values(ema.nonTrainableVariables).forEach((arr, i) => arr.forEach((v, j) => expect(v).toBeCloseTo(0.5 * b0[i]![j]! + 0.5 * b1[i]![j]!, 6)));
    expect(values(copy.nonTrainableVariables)).toEqual(b1);
    expect(values(own.nonTrainableVariables)).toEqual(b0);
    // The parameters follow the EMA under every policy.
    expect(values(own.trainableVariables)).toEqual(values(ema.trainableVariables));
    for (const m of [online, ema, copy, own]) m.dispose();
  });

  it('works for any module with clone() (e.g. a projection head), leak-free', () => {
    // A minimal head: z = h W, with clone() as @contrastive/heads provides.
    class TinyHead implements CloneableModule<TinyHead> {
      readonly name = 'tiny';
      readonly trainableVariables: tf.Variable[];
      readonly nonTrainableVariables: tf.Variable[] = [];
      constructor(w: tf.Tensor, trainable = true) {
        this.trainableVariables = [tf.variable(w, trainable)];
      }
      clone(options: { trainable?: boolean } = {}): TinyHead {
        return new TinyHead(this.trainableVariables[0]!, options.trainable ?? true);
      }
      dispose(): void {
        tf.dispose(this.trainableVariables);
      }
    }
    const w = tf.tensor2d([[1, 2], [3, 4]]);
    const head = new TinyHead(w);
    const key = momentumCopy(head);
    head.trainableVariables[0]!.assign(tf.tensor2d([[0, 0], [0, 0]]));
    const before = tf.memory().numTensors;
    key.update(head, 0.75);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(key.trainableVariables[0]!.dataSync())).toEqual([0.75, 1.5, 2.25, 3]);
    head.dispose();
    key.dispose();
    w.dispose();
  });

  it('update leaks no tensors', () => {
    const online = convNet({ widths: [3, 4], seed: 1 });
    const key = momentumCopy(online);
    const before = tf.memory().numTensors;
    key.update(online, 0.9);
    key.update(online, 0);
    key.update(online, 1);
    expect(tf.memory().numTensors).toBe(before);
    online.dispose();
    key.dispose();
  });

  it('rejects bad arguments with typed errors naming them', () => {
    const online = mlpEncoder({ inputDim: 2, hidden: [3] });
    const other = mlpEncoder({ inputDim: 2, hidden: [4] });
    const key = momentumCopy(online);
    expect(() => key.update(online, 1.5)).toThrow(ArgumentError);
    expect(() => key.update(online, -0.1)).toThrow(/'m'/);
    expect(() => key.update(online, Number.NaN)).toThrow(/'m'/);
    expect(() => key.update(other, 0.5)).toThrow(ShapeError);
    expect(() => key.update(other, 0.5)).toThrow(/'online'/);
    expect(() => key.update(null as never, 0.5)).toThrow(/'online'/);
    expect(() => momentumCopy({} as never)).toThrow(/'module'/);
    expect(() => momentumCopy({ trainableVariables: [] } as unknown as TrainableModule as never)).toThrow(ArgumentError);
    expect(() => momentumCopy(online, { buffers: 'mean' as never })).toThrow(/options.buffers/);
    for (const m of [online, other, key]) m.dispose();
  });
});
