/**
 * Shared test harness: runs an Optimizer and a reference stepper side by side on random
 * variables and gradients and compares values and slots.
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Optimizer } from '../src/optimizer.js';
import type { RefVariable } from './reference-optimizers.js';

export const SHAPES: number[][] = [[3], [2, 3], [1]];

// Values below 1e-6 in magnitude become 0: float32 squares of denormals underflow to 0, which
// flips LARS's "norm > 0" tests against a float64 reference; that edge has its own test.
const f32 = (min: number, max: number) =>
  fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true }).map((x) => (Math.abs(x) < 1e-6 ? 0 : x));

export interface Scenario {
  readonly values: number[][];
  readonly grads: number[][][]; // [step][variable][element]
  readonly lrs: number[];
}

/** Random initial values, 3 steps of gradients and learning rates for the SHAPES variables. */
export const scenarioArb: fc.Arbitrary<Scenario> = (() => {
  const sizes = SHAPES.map((s) => s.reduce((a, b) => a * b, 1));
  const vec = (n: number) => fc.array(f32(-2, 2), { minLength: n, maxLength: n });
  return fc.record({
    values: fc.tuple(...sizes.map(vec)),
    grads: fc.array(fc.tuple(...sizes.map(vec)), { minLength: 3, maxLength: 3 }),
    lrs: fc.array(f32(0.001, 0.5), { minLength: 3, maxLength: 3 }),
  }) as fc.Arbitrary<Scenario>;
})();

let counter = 0;

/** Variables for a scenario; names mark index 0 as a "bias" so name-based predicates see it. */
export function makeVariables(values: number[][]): tf.Variable[] {
  counter++;
  return SHAPES.map((shape, i) => tf.variable(tf.tensor(values[i] as number[], shape), true, `opt${counter}/${i === 0 ? 'bias' : `kernel${i}`}`));
}

/** Compares with a relative tolerance suited to float32 vs float64. */
export function expectClose(got: ArrayLike<number>, want: readonly number[], rel = 2e-5, abs = 2e-6): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i] as number;
    const w = want[i] as number;
    if (Math.abs(g - w) > abs + rel * Math.max(Math.abs(w), 1)) {
      throw new Error(`element ${i}: got ${g}, want ${w} (|diff| ${Math.abs(g - w)})`);
    }
  }
}

/**
 * Runs `optimizer` for the scenario's steps and `refStep(variable, grad, lr, t, index)` on
 * reference copies; compares values and each slot after every step. Checks no tensor leaks.
 */
export function compareWithReference(
  optimizer: Optimizer,
  scenario: Scenario,
  refStep: (v: RefVariable, grad: number[], lr: number, t: number, variable: tf.Variable) => void,
  tolerance: { rel?: number; abs?: number } = {},
): void {
  const vars = makeVariables(scenario.values);
  const refs: RefVariable[] = vars.map((v, i) => ({
    name: v.name,
    shape: v.shape,
    values: [...(scenario.values[i] as number[])].map(Math.fround),
    slots: Object.fromEntries(optimizer.slotNames.map((k) => [k, new Array(v.size).fill(0)])),
  }));
  let state = optimizer.init(vars);
  try {
    scenario.grads.forEach((stepGrads, s) => {
      const lr = scenario.lrs[s] as number;
      const grads = Object.fromEntries(vars.map((v, i) => [v.name, tf.tensor(stepGrads[i] as number[], v.shape)]));
      const before = tf.memory().numTensors;
      state = optimizer.apply(vars, grads, state, lr);
      expect(tf.memory().numTensors).toBe(before); // new slots replace old ones one for one
      Object.values(grads).forEach((g) => g.dispose());
      refs.forEach((r, i) => {
        refStep(r, (stepGrads[i] as number[]).map(Math.fround), lr, s + 1, vars[i] as tf.Variable);
        // The real state is stored in float32 between steps; so is the reference's.
        r.values = r.values.map(Math.fround);
        for (const k of Object.keys(r.slots)) r.slots[k] = (r.slots[k] as number[]).map(Math.fround);
      });
      vars.forEach((v, i) => {
        const r = refs[i] as RefVariable;
        expectClose(v.dataSync(), r.values, tolerance.rel, tolerance.abs);
        for (const k of optimizer.slotNames) expectClose(state.slots[v.name]?.[k]?.dataSync() ?? [], r.slots[k] as number[], tolerance.rel, tolerance.abs);
      });
    });
    expect(state.step).toBe(scenario.grads.length);
  } finally {
    optimizer.dispose(state);
    vars.forEach((v) => v.dispose());
  }
}
