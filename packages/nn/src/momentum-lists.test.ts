import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, ShapeError } from '@contrastive/core';
import { updateMomentum as emaUpdate } from './momentum.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const made: tf.Variable[] = [];
function variable(values: number[], shape: number[]): tf.Variable {
  const v = tf.variable(tf.tensor(values, shape), false);
  made.push(v);
  return v;
}
afterEach(() => {
  made.splice(0).forEach((v) => v.dispose());
});

const f32 = (min: number, max: number) => fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true });

describe('updateMomentum on variable lists (emaUpdate)', () => {
  it('matches the elementwise reference m*t + (1-m)*o', () => {
    fc.assert(
      fc.property(fc.array(f32(-5, 5), { minLength: 1, maxLength: 12 }), f32(0, 1), fc.integer(), (t, m, seed) => {
        const o = t.map((_, i) => Math.sin(seed + i) * 3);
        const tv = variable(t, [t.length]);
        const ov = variable(o, [o.length]);
        emaUpdate([tv], [ov], m);
        const got = Array.from(tv.dataSync());
        got.forEach((x, i) => expect(x).toBeCloseTo(m * (t[i] as number) + (1 - m) * (o[i] as number), 4));
        expect(Array.from(ov.dataSync())).toEqual(o.map(Math.fround));
      }),
      { numRuns: 25 },
    );
  });

  it('m = 1 freezes the target bit for bit, even when the online weights are not finite', () => {
    const t = variable([0.1, -2, 3e-8], [3]);
    const o = variable([Number.NaN, 5, Infinity], [3]);
    const before = Array.from(t.dataSync());
    emaUpdate([t], [o], 1);
    expect(Array.from(t.dataSync())).toEqual(before);
  });

  it('m = 0 copies the online weights exactly, and the copy is independent', () => {
    const t = variable([1, 2, 3, 4], [2, 2]);
    const o = variable([0.1, 0.2, 0.3, 1e-7], [2, 2]);
    emaUpdate([t], [o], 0);
    expect(Array.from(t.dataSync())).toEqual(Array.from(o.dataSync()));
    o.assign(tf.zeros([2, 2]));
    expect(Array.from(t.dataSync())).toEqual([0.1, 0.2, 0.3, 1e-7].map(Math.fround));
  });

  it('does not leak tensors', () => {
    const t = [variable([1, 2], [2]), variable([3], [1])];
    const o = [variable([0, 0], [2]), variable([1], [1])];
    const before = tf.memory().numTensors;
    for (const m of [0, 0.5, 0.999, 1]) emaUpdate(t, o, m);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects mismatched lists and bad momentum', () => {
    const a = variable([1, 2], [2]);
    const b = variable([1, 2, 3], [3]);
    expect(() => emaUpdate([a], [b], 0.5)).toThrow(ShapeError);
    expect(() => emaUpdate([a], [], 0.5)).toThrow(/'online'/);
    expect(() => emaUpdate([a], [a], 1.01)).toThrow(/'m'/);
    expect(() => emaUpdate([a], [a], Number.NaN)).toThrow(ArgumentError);
    expect(() => emaUpdate([tf.zeros([2]) as unknown as tf.Variable], [a], 0.5)).toThrow(/'target'/);
  });
});
