import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, ShapeError } from '@contrastive/core';
import { batchNormParameters } from './batch-norm.js';
import { denseParameters } from './layers.js';
import { Module, type CloneOptions, type ModuleValues } from './module.js';
import { updateMomentum } from './momentum.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

class Net extends Module {
  constructor(readonly width: number, values: ModuleValues, trainable = true) {
    super('net', [...denseParameters('fc', 2, width, true), ...batchNormParameters('bn', width)], values, trainable);
  }
  clone(options: CloneOptions = {}): Net {
    return new Net(this.width, this.currentValues(), this.cloneTrainable(options));
  }
}

const arr = (v: tf.Tensor): number[] => Array.from(v.dataSync());

describe('updateMomentum', () => {
  it('modules: target <- m*target + (1-m)*online by path; buffers per policy', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('ema', 'copy', 'own') as fc.Arbitrary<'ema' | 'copy' | 'own'>, (m, buffers) => {
        const online = new Net(3, 1);
        online.variable('bn.moving_mean').assign(tf.tensor1d([1, 2, 3]));
        const target = new Net(3, 2, false);
        const t0 = new Map([...target.stateDict()].map(([p, v]) => [p, arr(v)]));
        updateMomentum(target, online, m, { buffers });
        for (const n of target.namedVariables()) {
          const o = arr(online.variable(n.path));
          const rate = n.trainable || buffers === 'ema' ? m : buffers === 'copy' ? 0 : 1;
          const want = (t0.get(n.path) as number[]).map((t, i) => Math.fround(Math.fround(t * Math.fround(rate)) + Math.fround((o[i] as number) * Math.fround(1 - rate))));
          const got = arr(n.variable);
          got.forEach((g, i) => expect(g).toBeCloseTo(want[i] as number, 5));
        }
        online.dispose();
        target.dispose();
      }),
      { numRuns: 20 },
    );
  });

  it('m = 1 changes nothing and m = 0 copies exactly, bit for bit; no tensor is left behind', () => {
    const online = new Net(4, 1);
    const target = new Net(4, 2);
    const before = target.namedVariables().map((n) => arr(n.variable));
    const count = tf.memory().numTensors;
    updateMomentum(target, online, 1);
    expect(target.namedVariables().map((n) => arr(n.variable))).toEqual(before);
    updateMomentum(target, online, 0);
    expect(target.namedVariables().map((n) => arr(n.variable))).toEqual(online.namedVariables().map((n) => arr(n.variable)));
    updateMomentum(target, online, 0.9);
    expect(tf.memory().numTensors).toBe(count);
    online.dispose();
    target.dispose();
  });

  it('variable lists pair by position', () => {
    const t = [tf.variable(tf.tensor1d([0, 0]), false)];
    const o = [tf.variable(tf.tensor1d([1, 2]), false)];
    updateMomentum(t, o, 0.5);
    expect(arr(t[0] as tf.Variable)).toEqual([0.5, 1]);
    tf.dispose([...t, ...o]);
  });

  it('refuses mismatched architectures, naming the path, and bad arguments, before assigning anything', () => {
    const a = new Net(3, 1);
    const b = new Net(4, 2);
    const before = arr(a.variable('fc.kernel'));
    expect(() => updateMomentum(a, b, 0.5)).toThrow(ShapeError);
    expect(() => updateMomentum(a, b, 0.5)).toThrow(/'online' must match the target at \['fc\.kernel'\]/);
    expect(arr(a.variable('fc.kernel'))).toEqual(before);
    expect(() => updateMomentum(a, a.trainableVariables, 0.5)).toThrow(ArgumentError);
    expect(() => updateMomentum(a, a, 1.5)).toThrow(/'m'/);
    expect(() => updateMomentum(a, a, 0.5, { buffers: 'some' as 'ema' })).toThrow(/options\.buffers/);
    expect(() => updateMomentum({} as Net, a, 0.5)).toThrow(/'target'/);
    expect(() => updateMomentum([tf.scalar(1) as tf.Variable], [], 0.5)).toThrow(ArgumentError);
    a.dispose();
    b.dispose();
  });
});
