import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { lars } from './lars.js';
import { excludeNothing, isBiasOrNormVariable } from './optimizer.js';
import { compareWithReference, makeVariables, scenarioArb } from '../test/optimizer-harness.js';
import { refLarsStep } from '../test/reference-optimizers.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('lars', () => {
  it('matches the naive reference of the official SimCLR LARS', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.constantFrom(0, 0.9),
        fc.constantFrom(0, 1e-6, 0.01),
        fc.constantFrom(0.001, 0.02),
        fc.boolean(),
        fc.boolean(),
        (scenario, momentum, weightDecay, eta, nesterov, useDefaultExclusion) => {
          const exclude = useDefaultExclusion ? isBiasOrNormVariable : excludeNothing;
          const optimizer = lars({ momentum, weightDecay, eta, nesterov, excludeFromWeightDecay: exclude });
          compareWithReference(optimizer, scenario, (v, g, lr, _t, variable) =>
            refLarsStep(v, g, lr, { momentum, weightDecay, eta, nesterov, excludeDecay: exclude(variable), excludeAdapt: exclude(variable) }),
          );
        },
      ),
      { numRuns: 25 },
    );
  });

  it('uses trust ratio 1 when the weights or the gradient are zero', () => {
    const w = tf.variable(tf.zeros([2, 2]), true, 'lars-zero/kernel');
    const u = tf.variable(tf.ones([2, 2]), true, 'lars-zero/kernel2');
    const optimizer = lars({ momentum: 0, weightDecay: 0 });
    let state = optimizer.init([w, u]);
    const g = tf.fill([2, 2], 0.5);
    const z = tf.zeros([2, 2]);
    state = optimizer.apply([w, u], { [w.name]: g, [u.name]: z }, state, 0.1);
    expect(Array.from(w.dataSync())).toEqual([-0.05, -0.05, -0.05, -0.05].map(Math.fround)); // plain lr step
    expect(Array.from(u.dataSync())).toEqual([1, 1, 1, 1]);
    [g, z].forEach((t) => t.dispose());
    optimizer.dispose(state);
    [w, u].forEach((v) => v.dispose());
  });

  it('excludes biases and BN parameters from adaptation and decay by default (by rank and by name)', () => {
    const make = (name: string, shape: number[]) => tf.variable(tf.ones(shape), true, name);
    const vars = [make('enc/conv1/kernel', [2, 2]), make('enc/fc/bias', [2]), make('enc/bn1/gamma', [2]), make('enc/batch_norm/scale2d', [1, 2])];
    expect(vars.map((v) => isBiasOrNormVariable(v))).toEqual([false, true, true, true]);
    const optimizer = lars({ momentum: 0, weightDecay: 0.5 });
    let state = optimizer.init(vars);
    const grads = Object.fromEntries(vars.map((v) => [v.name, tf.fill(v.shape, 0.1)]));
    state = optimizer.apply(vars, grads, state, 1);
    // Excluded: w - lr*g = 0.9 exactly as a plain SGD step; the kernel moves by eta-scaled steps only.
    for (const v of vars.slice(1)) Array.from(v.dataSync()).forEach((x) => expect(x).toBeCloseTo(0.9, 6));
    const kernel = Array.from((vars[0] as tf.Variable).dataSync());
    // g' = 0.1 + 0.5 = 0.6, trust = 0.001 * ||w|| / ||g'|| = 0.001 / 0.6, step = trust * 0.6 = 0.001.
    kernel.forEach((x) => expect(x).toBeCloseTo(0.999, 6));
    Object.values(grads).forEach((g) => g.dispose());
    optimizer.dispose(state);
    vars.forEach((v) => v.dispose());
  });

  it('rejects bad configuration', () => {
    expect(() => lars({ eta: 0 })).toThrow(/options\.eta/);
    expect(() => lars({ momentum: 1 })).toThrow(/options\.momentum/);
    expect(() => lars({ excludeFromAdaptation: 'bias' as unknown as () => boolean })).toThrow(/options\.excludeFromAdaptation/);
    const vars = makeVariables([[1, 2, 3], [1, 2, 3, 4, 5, 6], [5]]);
    expect(lars().hyperparameters['excludeFromWeightDecay']).toBe('isBiasOrNormVariable');
    vars.forEach((v) => v.dispose());
  });
});
