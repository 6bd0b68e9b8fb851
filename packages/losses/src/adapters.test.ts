import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, Rng, type ContrastiveLoss, type LossInputs } from '@contrastive/core';
import { initBackend } from '@contrastive/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { barlowTwinsLoss, dclLoss, dclwLoss, infoNceLoss, negativeCosineLoss, ntXentLoss, supConLoss, vicregLoss } from './adapters.js';
import { barlowTwins } from './barlow-twins.js';
import { dcl, dclw } from './dcl.js';
import { negativeCosine, symmetricNegativeCosine } from './negative-cosine.js';
import { vicreg } from './vicreg.js';
import { infoNce } from './info-nce.js';
import { ntXent } from './nt-xent.js';
import { supCon } from './sup-con.js';
import { ENGINES, expectNoLeak, randomRows, valueOf } from '../test/helpers.js';

function expectArgumentError(f: () => unknown, argument: string): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ArgumentError);
  expect((caught as ArgumentError).argument).toBe(argument);
  expect((caught as ArgumentError).message).toContain(`'${argument}'`);
}

/** Loss value and gradients of a direct call, for comparison with `compute`. */
function lossAndGradsOf(f: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Scalar, views: tf.Tensor2D[]): { value: number; grads: number[][] } {
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => f(a as tf.Tensor2D, b as tf.Tensor2D))(views);
    return { value: valueOf(value), grads: grads.map((g) => Array.from(g.dataSync())) };
  });
}

/** Loss value and the gradients with respect to the views, through `compute`. */
function viaCompute(loss: ContrastiveLoss, views: tf.Tensor2D[], rest: Omit<LossInputs, 'views'> = {}): { value: number; grads: number[][] } {
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads((...vs: tf.Tensor[]) => loss.compute({ views: vs as tf.Tensor2D[], ...rest }))(views);
    return { value: valueOf(value), grads: grads.map((g) => Array.from(g.dataSync())) };
  });
}

describe.each(ENGINES)('loss adapters on %s', (engine) => {
  beforeAll(async () => {
    await initBackend({ prefer: engine });
  });
  const rng = Rng.fromSeed(21);
  const rows = () => tf.tidy(() => tf.keep(tf.tensor2d(randomRows(rng, 5, 4))));

  it('ntXentLoss computes ntXent of the two views, ignoring labels', () => {
    const [z1, z2] = [rows(), rows()];
    const loss = ntXentLoss({ temperature: 0.3 });
    expect(loss.name).toBe('nt-xent');
    const labels = tf.tensor1d([0, 0, 1, 1, 2], 'int32');
    const expected = tf.tidy(() => valueOf(ntXent(z1, z2, { temperature: 0.3 })));
    expect(viaCompute(loss, [z1, z2], { labels }).value).toBeCloseTo(expected, 6);
    expectArgumentError(() => loss.compute({ views: [z1] }), 'inputs.views');
    expectArgumentError(() => loss.compute({ views: [z1, z2], negatives: z1 }), 'inputs.negatives');
    expectArgumentError(() => loss.compute({ views: [z1, z2], keys: [z1, z2] }), 'inputs.keys');
    expectArgumentError(() => loss.compute(undefined as never), 'inputs');
    expectArgumentError(() => ntXentLoss({ temperature: -1 }), 'options.temperature');
    expectArgumentError(() => ntXentLoss({ temperature: 1, scale: 'x' as never }), 'options.scale');
    tf.dispose([z1, z2, labels]);
  });

  it('supConLoss computes supCon of the views with the labels (or without), per variant', () => {
    const views = [rows(), rows(), rows()];
    const labels = tf.tensor1d([0, 1, 0, 1, 2], 'int32');
    for (const variant of ['out', 'in'] as const) {
      const loss = supConLoss({ temperature: 0.2, variant });
      expect(loss.name).toBe(`supcon-${variant}`);
      const withLabels = tf.tidy(() => valueOf(supCon(views, labels, { temperature: 0.2, variant })));
      const without = tf.tidy(() => valueOf(supCon(views, undefined, { temperature: 0.2, variant })));
      expect(viaCompute(loss, views, { labels }).value).toBeCloseTo(withLabels, 6);
      expect(viaCompute(loss, views).value).toBeCloseTo(without, 6);
    }
    const strict = supConLoss({ temperature: 0.2, requireLabels: true });
    expectArgumentError(() => strict.compute({ views }), 'inputs.labels');
    expectArgumentError(() => strict.compute({ views, labels, keys: views }), 'inputs.keys');
    expectArgumentError(() => supConLoss({ temperature: 0.2, negatives: views[0] } as never), 'options.negatives');
    expectArgumentError(() => supConLoss({ temperature: 0.2, variant: 'both' as never }), 'options.variant');
    expectArgumentError(() => supConLoss({ temperature: 0.2, requireLabels: 'yes' as never }), 'options.requireLabels');
    tf.dispose([...views, labels]);
  });

  it('supConLoss passes a labelled queue (inputs.negatives, inputs.negativeLabels) to supCon', () => {
    const views = [rows(), rows()];
    const labels = tf.tensor1d([0, 1, 0, 1, 2], 'int32');
    const [queue, queueLabels] = [rows(), tf.tensor1d([2, -1, 0, 1, 1], 'int32')];
    const loss = supConLoss({ temperature: 0.2 });
    const expected = tf.tidy(() => valueOf(supCon(views, labels, { temperature: 0.2, negatives: queue, negativeLabels: queueLabels })));
    const plain = tf.tidy(() => valueOf(supCon(views, labels, { temperature: 0.2, negatives: queue })));
    expect(Math.abs(expected - plain)).toBeGreaterThan(1e-3);
    const inputs = { labels, negatives: queue, negativeLabels: queueLabels } as Omit<LossInputs, 'views'>;
    expect(viaCompute(loss, views, inputs).value).toBeCloseTo(expected, 6);
    expect(viaCompute(loss, views, { labels, negatives: queue }).value).toBeCloseTo(plain, 6);
    expectNoLeak(() => loss.compute({ views, ...inputs }));
    tf.dispose([...views, labels, queue, queueLabels]);
  });

  it('the two-view adapters compute their loss of the two views, rejecting keys, negatives and a third view', () => {
    const [z1, z2, z3] = [rows(), rows(), rows()];
    const labels = tf.tensor1d([0, 0, 1, 1, 2], 'int32');
    const cases: [ContrastiveLoss, string, (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Scalar][] = [
      [barlowTwinsLoss({ lambda: 0.01 }), 'barlow-twins', (a, b) => barlowTwins(a, b, { lambda: 0.01 })],
      [barlowTwinsLoss(), 'barlow-twins', (a, b) => barlowTwins(a, b)],
      [vicregLoss({ covariance: 2 }), 'vicreg', (a, b) => vicreg(a, b, { covariance: 2 })],
      [dclLoss({ temperature: 0.3 }), 'dcl', (a, b) => dcl(a, b, { temperature: 0.3 })],
      [dclwLoss({ temperature: 0.3, sigma: 0.2 }), 'dclw', (a, b) => dclw(a, b, { temperature: 0.3, sigma: 0.2 })],
    ];
    for (const [loss, name, direct] of cases) {
      expect(loss.name).toBe(name);
      const expected = lossAndGradsOf(direct, [z1, z2]);
      const got = viaCompute(loss, [z1, z2], { labels });
      expect(got.value).toBeCloseTo(expected.value, 6);
      got.grads.forEach((g, v) => g.forEach((x, i) => expect(x).toBeCloseTo(expected.grads[v]![i]!, 6)));
      expectArgumentError(() => loss.compute({ views: [z1, z2, z3] }), 'inputs.views');
      expectArgumentError(() => loss.compute({ views: [z1, z2], keys: [z1, z2] }), 'inputs.keys');
      expectArgumentError(() => loss.compute({ views: [z1, z2], negatives: z3 }), 'inputs.negatives');
      expectNoLeak(() => loss.compute({ views: [z1, z2] }));
      expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => loss.compute({ views: [a, b] as tf.Tensor2D[] }))([z1, z2]));
    }
    expectArgumentError(() => barlowTwinsLoss({ lambda: -1 }), 'options.lambda');
    expectArgumentError(() => vicregLoss({ epsilon: 0 }), 'options.epsilon');
    expectArgumentError(() => vicregLoss({ lambda: 25 } as never), 'options.lambda');
    expectArgumentError(() => dclLoss({ temperature: 0.1, sigma: 1 } as never), 'options.sigma');
    expectArgumentError(() => dclwLoss({ temperature: 0.1, sigma: -1 }), 'options.sigma');
    expectArgumentError(() => dclwLoss({ temperature: 0 }), 'options.temperature');
    tf.dispose([z1, z2, z3, labels]);
  });

  it('negativeCosineLoss: predictions from the views, stop-gradient targets from the keys (symmetric for two views)', () => {
    const [p1, p2, k1, k2] = [rows(), rows(), rows(), rows()];
    const loss = negativeCosineLoss();
    expect(loss.name).toBe('negative-cosine');
    const symmetric = lossAndGradsOf((a, b) => symmetricNegativeCosine(a, b, k1, k2), [p1, p2]);
    const got = viaCompute(loss, [p1, p2], { keys: [k1, k2] });
    expect(got.value).toBeCloseTo(symmetric.value, 6);
    got.grads.forEach((g, v) => g.forEach((x, i) => expect(x).toBeCloseTo(symmetric.grads[v]![i]!, 6)));
    expect(viaCompute(loss, [p1], { keys: [k2] }).value).toBeCloseTo(tf.tidy(() => valueOf(negativeCosine(p1, k2))), 6);
    expectArgumentError(() => loss.compute({ views: [p1, p2] }), 'inputs.keys');
    expectArgumentError(() => loss.compute({ views: [p1, p2], keys: [k1] }), 'inputs.keys');
    expectArgumentError(() => loss.compute({ views: [p1, p2, p1], keys: [k1, k2, k1] }), 'inputs.keys');
    expectArgumentError(() => loss.compute({ views: [p1, p2], keys: [k1, k2], negatives: k1 }), 'inputs.negatives');
    expectArgumentError(() => negativeCosineLoss({ temperature: 1 } as never), 'options.temperature');
    expectNoLeak(() => loss.compute({ views: [p1, p2], keys: [k1, k2] }));
    expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => loss.compute({ views: [a, b] as tf.Tensor2D[], keys: [k1, k2] }))([p1, p2]));
    tf.dispose([p1, p2, k1, k2]);
  });

  it('infoNceLoss pairs each query view with the other views’ keys (symmetric mean), or the given pairs', () => {
    const [q1, q2, k1, k2, queue] = [rows(), rows(), rows(), rows(), rows()];
    const opts = { temperature: 0.2 };
    const one = (q: tf.Tensor2D, k: tf.Tensor2D, n: tf.Tensor2D | null) => tf.tidy(() => valueOf(infoNce(q, k, n, opts)));
    const loss = infoNceLoss(opts);
    expect(loss.name).toBe('info-nce');
    const symmetric = (one(q1, k2, queue) + one(q2, k1, queue)) / 2;
    expect(viaCompute(loss, [q1, q2], { keys: [k1, k2], negatives: queue }).value).toBeCloseTo(symmetric, 5);
    const mocoV2 = infoNceLoss({ ...opts, pairs: [[0, 1]] });
    // q2 takes no part in the one-directional loss, so only the value is compared
    expect(tf.tidy(() => valueOf(mocoV2.compute({ views: [q1, q2], keys: [k1, k2], negatives: queue })))).toBeCloseTo(one(q1, k2, queue), 5);
    // one view with its key; in-batch negatives when there is no external matrix
    expect(viaCompute(loss, [q1], { keys: [k2] }).value).toBeCloseTo(one(q1, k2, null), 5);
    expectArgumentError(() => loss.compute({ views: [q1] }), 'inputs.keys');
    expectArgumentError(() => loss.compute({ views: [q1, q2], keys: [k1] }), 'inputs.keys');
    expectArgumentError(() => infoNceLoss({ ...opts, pairs: [[0, 2]] }).compute({ views: [q1, q2] }), 'options.pairs');
    expectArgumentError(() => infoNceLoss({ ...opts, pairs: [[0, -1]] }), 'options.pairs');
    expectArgumentError(() => infoNceLoss({ ...opts, pairs: [] }), 'options.pairs');
    tf.dispose([q1, q2, k1, k2, queue]);
  });

  it('infoNceLoss without keys uses the views themselves as keys, under stop-gradient', () => {
    const [z1, z2, bank] = [rows(), rows(), rows()];
    const loss = infoNceLoss({ temperature: 0.2 });
    const withoutKeys = viaCompute(loss, [z1, z2], { negatives: bank });
    // the same keys passed as separate constants: same value, same gradient (none through the keys)
    const constKeys = [tf.clone(z1), tf.clone(z2)];
    const withConstKeys = viaCompute(loss, [z1, z2], { keys: constKeys, negatives: bank });
    expect(withoutKeys.value).toBeCloseTo(withConstKeys.value, 6);
    withoutKeys.grads.forEach((g, v) => g.forEach((x, i) => expect(x).toBeCloseTo(withConstKeys.grads[v]![i]!, 6)));
    tf.dispose([z1, z2, bank, ...constKeys]);
  });

  it('leave no tensor behind through compute, forward or backward', () => {
    const [z1, z2, k1, k2, bank] = [rows(), rows(), rows(), rows(), rows()];
    const labels = tf.tensor1d([0, 1, 0, 1, 0], 'int32');
    const cases: [ContrastiveLoss, Omit<LossInputs, 'views'>][] = [
      [ntXentLoss({ temperature: 0.5 }), {}],
      [supConLoss({ temperature: 0.5 }), { labels }],
      [infoNceLoss({ temperature: 0.5 }), { keys: [k1, k2], negatives: bank }],
      [infoNceLoss({ temperature: 0.5, inBatchNegatives: true }), {}],
    ];
    for (const [loss, rest] of cases) {
      expectNoLeak(() => loss.compute({ views: [z1, z2], ...rest }));
      expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => loss.compute({ views: [a, b] as tf.Tensor2D[], ...rest }))([z1, z2]));
    }
    tf.dispose([z1, z2, k1, k2, bank, labels]);
  });
});
