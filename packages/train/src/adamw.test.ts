import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { adamw } from './adamw.js';
import { isBiasOrNormVariable } from './optimizer.js';
import { compareWithReference, makeVariables, scenarioArb } from '../test/optimizer-harness.js';
import { refAdamWStep } from '../test/reference-optimizers.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('adamw', () => {
  it('matches the naive reference (bias correction, decoupled decay, exclusion)', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.constantFrom(0.9, 0.5),
        fc.constantFrom(0.999, 0.9),
        fc.constantFrom(0, 0.01, 0.3),
        fc.boolean(),
        (scenario, beta1, beta2, weightDecay, excludeBias) => {
          const optimizer = adamw({ beta1, beta2, weightDecay, ...(excludeBias ? { excludeFromWeightDecay: isBiasOrNormVariable } : {}) });
          compareWithReference(
            optimizer,
            scenario,
            (v, g, lr, t, variable) => refAdamWStep(v, g, lr, t, { beta1, beta2, epsilon: 1e-8, weightDecay, excluded: excludeBias && isBiasOrNormVariable(variable) }),
            // Adam divides by sqrt(v): tiny gradients amplify float32 rounding.
            { rel: 1e-4, abs: 1e-5 },
          );
        },
      ),
      { numRuns: 25 },
    );
  });

  it('first step moves each weight by about lr against the gradient sign', () => {
    const vars = makeVariables([[0, 0, 0], [0, 0, 0, 0, 0, 0], [0]]);
    const optimizer = adamw({ weightDecay: 0 });
    let state = optimizer.init(vars);
    const grads = Object.fromEntries(vars.map((v, i) => [v.name, tf.fill(v.shape, i % 2 === 0 ? 3 : -0.2)]));
    state = optimizer.apply(vars, grads, state, 0.01);
    vars.forEach((v, i) => Array.from(v.dataSync()).forEach((x) => expect(x).toBeCloseTo(i % 2 === 0 ? -0.01 : 0.01, 6)));
    Object.values(grads).forEach((g) => g.dispose());
    optimizer.dispose(state);
    vars.forEach((v) => v.dispose());
  });

  it('rejects bad configuration', () => {
    expect(() => adamw({ beta1: 1 })).toThrow(/options\.beta1/);
    expect(() => adamw({ beta2: 1.5 })).toThrow(/options\.beta2/);
    expect(() => adamw({ epsilon: 0 })).toThrow(/options\.epsilon/);
    expect(() => adamw({ weightDecay: Number.NaN })).toThrow(/options\.weightDecay/);
  });
});
