import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '@contrastive/core';
import { describe, expect, it } from 'vitest';
import { initBackend } from './init-backend.js';

describe('initBackend', () => {
  it('falls through to an installed engine and reports the attempts', async () => {
    const report = await initBackend({ prefer: ['tensorflow', 'cpu'] });
    expect(report.engine).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(report.attempts[0]).toMatchObject({ engine: 'tensorflow', ok: false });
  });

  it('picks wasm when node engines are absent', async () => {
    const report = await initBackend();
    expect(report.engine).toBe('wasm');
    expect(report.tfBackend).toBe('wasm');
    // gradients are registered
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor1d([1, 2]));
    expect(Array.from(g.dataSync())).toEqual([2, 4]);
  });

  it('rejects an unknown engine by name', async () => {
    await expect(initBackend({ prefer: 'gpu' as never })).rejects.toThrow(ArgumentError);
    await expect(initBackend({ prefer: 'gpu' as never })).rejects.toThrow(/'options.prefer'/);
  });
});
