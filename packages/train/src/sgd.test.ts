import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, CheckpointError, ShapeError } from '@contrastive/core';
import { sgd } from './sgd.js';
import { isBiasOrNormVariable } from './optimizer.js';
import { compareWithReference, makeVariables, scenarioArb } from '../test/optimizer-harness.js';
import { refSgdStep } from '../test/reference-optimizers.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('sgd', () => {
  it('matches the naive reference (momentum, nesterov, L2 or decoupled decay, exclusion)', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.constantFrom(0, 0.5, 0.9),
        fc.boolean(),
        fc.constantFrom(0, 1e-4, 0.1),
        fc.constantFrom('l2' as const, 'decoupled' as const),
        fc.boolean(),
        (scenario, momentum, nesterovRaw, weightDecay, mode, excludeBias) => {
          const nesterov = nesterovRaw && momentum > 0;
          const optimizer = sgd({ momentum, nesterov, weightDecay, weightDecayMode: mode, ...(excludeBias ? { excludeFromWeightDecay: isBiasOrNormVariable } : {}) });
          compareWithReference(optimizer, scenario, (v, g, lr, _t, variable) =>
            refSgdStep(v, g, lr, { momentum, nesterov, weightDecay, mode, excluded: excludeBias && isBiasOrNormVariable(variable) }),
          );
        },
      ),
      { numRuns: 25 },
    );
  });

  it('leaves a variable without a gradient (and its slot) untouched', () => {
    const vars = makeVariables([[1, 2, 3], [1, 1, 1, 1, 1, 1], [5]]);
    const optimizer = sgd({ momentum: 0.9, weightDecay: 0.1 });
    let state = optimizer.init(vars);
    const g = tf.ones([3]);
    const v0 = vars[0] as tf.Variable;
    state = optimizer.apply(vars, { [v0.name]: g }, state, 0.1);
    expect(Array.from((vars[2] as tf.Variable).dataSync())).toEqual([5]);
    expect(Array.from(state.slots[(vars[2] as tf.Variable).name]?.['momentum']?.dataSync() ?? [])).toEqual([0]);
    expect(Array.from(v0.dataSync())).not.toEqual([1, 2, 3]);
    g.dispose();
    optimizer.dispose(state);
    vars.forEach((v) => v.dispose());
  });

  it('serializes its state exactly and refuses a state made for other variables', () => {
    const vars = makeVariables([[1, 2, 3], [1, 2, 3, 4, 5, 6], [5]]);
    const optimizer = sgd({ momentum: 0.9 });
    let state = optimizer.init(vars);
    const grads = Object.fromEntries(vars.map((v) => [v.name, tf.randomNormal(v.shape, 0, 1, 'float32', 3)]));
    state = optimizer.apply(vars, grads, state, 0.1);
    const data = optimizer.serialize(state);
    const restored = optimizer.deserialize(data, vars);
    expect(restored.step).toBe(1);
    for (const v of vars) expect(Array.from(restored.slots[v.name]?.['momentum']?.dataSync() ?? [])).toEqual(Array.from(state.slots[v.name]?.['momentum']?.dataSync() ?? []));
    const others = makeVariables([[1, 2, 3], [1, 2, 3, 4, 5, 6], [5]]);
    const before = tf.memory().numTensors;
    expect(() => optimizer.deserialize(data, others)).toThrow(CheckpointError);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => sgd({ momentum: 0.5 }).deserialize({ tensors: data.tensors, meta: { ...data.meta, kind: 'lars' } }, vars)).toThrow(/optimizer 'sgd'/);
    Object.values(data.tensors).forEach((t) => t.dispose());
    Object.values(grads).forEach((t) => t.dispose());
    [state, restored].forEach((s) => optimizer.dispose(s));
    [...vars, ...others].forEach((v) => v.dispose());
  });

  it('rejects bad configuration and bad gradients, naming the argument', () => {
    expect(() => sgd({ momentum: 1 })).toThrow(/options\.momentum/);
    expect(() => sgd({ momentum: -0.1 })).toThrow(ArgumentError);
    expect(() => sgd({ momentum: 0, nesterov: true })).toThrow(/options\.nesterov/);
    expect(() => sgd({ weightDecay: -1 })).toThrow(/options\.weightDecay/);
    expect(() => sgd({ weightDecayMode: 'l1' as 'l2' })).toThrow(/options\.weightDecayMode/);
    const vars = makeVariables([[1, 2, 3], [1, 2, 3, 4, 5, 6], [5]]);
    const optimizer = sgd();
    const state = optimizer.init(vars);
    const wrong = tf.ones([4]);
    expect(() => optimizer.apply(vars, { [(vars[0] as tf.Variable).name]: wrong }, state, 0.1)).toThrow(ShapeError);
    expect(() => optimizer.apply(vars, { nope: wrong }, state, 0.1)).toThrow(/'nope'/);
    expect(() => optimizer.apply(vars, {}, state, -1)).toThrow(/learningRate/);
    expect(() => optimizer.init([vars[0] as tf.Variable, vars[0] as tf.Variable])).toThrow(/unique/);
    wrong.dispose();
    optimizer.dispose(state);
    vars.forEach((v) => v.dispose());
  });
});
