import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, type Strategy } from '@contrastive/core';
import { slotsFromPaths, slotsToPaths, strategyPaths } from './state-paths.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const fake = (trainable: tf.Variable[], buffers: tf.Variable[], stateDict?: () => Map<string, tf.Variable>): Strategy<unknown> =>
  ({ name: 'fake', trainableVariables: trainable, nonTrainableVariables: buffers, ...(stateDict ? { stateDict } : {}) }) as unknown as Strategy<unknown>;

describe('strategyPaths', () => {
  it("uses the strategy's stateDict, in variable-list order, or positional paths without one", () => {
    const w = tf.variable(tf.zeros([2]), true, 'sp_7/w');
    const s = tf.variable(tf.zeros([2]), false, 'sp_7/s');
    expect([...strategyPaths('T', fake([w], [s], () => new Map([['bn.s', s], ['fc.w', w]])))]).toEqual([
      ['fc.w', w],
      ['bn.s', s],
    ]);
    expect([...strategyPaths('T', fake([w], [s])).keys()]).toEqual(['trainable.0', 'buffer.0']);
    tf.dispose([w, s]);
  });

  it('refuses a stateDict that misses a variable or names another one', () => {
    const w = tf.variable(tf.zeros([2]), true, 'sp_8/w');
    const s = tf.variable(tf.zeros([2]), false, 'sp_8/s');
    const other = tf.variable(tf.zeros([2]), false, 'sp_8/o');
    expect(() => strategyPaths('Trainer', fake([w], [s], () => new Map([['fc.w', w]])))).toThrow(ArgumentError);
    expect(() => strategyPaths('Trainer', fake([w], [s], () => new Map([['fc.w', w]])))).toThrow(/1 without a path: sp_8\/s/);
    expect(() => strategyPaths('Trainer', fake([w], [], () => new Map([['fc.w', w], ['x', other]])))).toThrow(/paths of other variables: x/);
    tf.dispose([w, s, other]);
  });
});

describe('optimizer slots by path', () => {
  it('renames <variable name>/<slot> to <path>/<slot> and back; foreign keys stay as they are', () => {
    const w = tf.variable(tf.zeros([2]), true, 'net_3/fc.w');
    const paths = new Map([['fc.w', w]]);
    const m = tf.ones([2]);
    const byName = { tensors: { 'net_3/fc.w/momentum': m, 'other/momentum': m }, meta: { kind: 'sgd', step: 1, variables: ['net_3/fc.w'] } };
    const byPath = slotsToPaths(byName, paths, ['momentum']);
    expect(Object.keys(byPath.tensors)).toEqual(['fc.w/momentum', 'other/momentum']);
    expect(byPath.meta['variables']).toEqual(['fc.w']);
    expect(slotsFromPaths(byPath, paths, ['momentum'])).toEqual(byName);
    tf.dispose([w, m]);
  });
});
