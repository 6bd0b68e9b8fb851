/** Sizes, option keys and key values the negative sources refuse with typed errors (issue 19, defects 5 and 6). */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ContrastiveError, MemoryLimitError, NonFiniteError, Rng } from '@contrastive/core';
import { memoryBank } from './memory-bank.js';
import { momentumQueue } from './momentum-queue.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('negative sources: limits before allocation', () => {
  it('a queue or bank larger than memory or than one tensor is refused with MemoryLimitError naming the size to lower', () => {
    const big = (() => {
      try {
        momentumQueue({ size: 4, dim: 1e9 });
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(big).toBeInstanceOf(MemoryLimitError);
    expect(big).toMatchObject({ argument: 'options.dim', received: 1e9 });
    expect((big as MemoryLimitError).requiredBytes).toBeGreaterThan((big as MemoryLimitError).limitBytes);
    expect(() => momentumQueue({ size: 1e10, dim: 1 })).toThrow(MemoryLimitError);
    expect(() => memoryBank({ size: 1e9, dim: 128, numNegatives: 16 })).toThrow(/lower 'options\.size'/);
    expect(() => memoryBank({ size: 10, dim: 128, numNegatives: 1e10 })).toThrow(expect.objectContaining({ argument: 'options.numNegatives' }) as Error);
  });

  it('unknown options are refused, naming the key', () => {
    expect(() => momentumQueue({ size: 4, dim: 2, sise: 3 } as never)).toThrow(expect.objectContaining({ argument: 'options.sise' }) as Error);
    expect(() => memoryBank({ size: 4, dim: 2, numNegatives: 2, momentun: 0.5 } as never)).toThrow(/did you mean 'momentum'/);
  });

  it('int32 keys, NaN keys and a NaN state are refused with typed errors', () => {
    const queue = momentumQueue({ size: 4, dim: 2 });
    const state = queue.init(Rng.fromSeed(1));
    const int = tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32');
    const nan = tf.tensor2d([Number.NaN, 1, 0, 1], [2, 2]);
    expect(() => queue.write(state, int as never)).toThrow(ContrastiveError);
    expect(() => queue.write(state, nan as never)).toThrow(NonFiniteError);
    const bad = tf.fill([4, 2], Number.NaN);
    expect(() => queue.deserialize({ tensors: { keys: bad }, meta: { kind: 'momentumQueue', size: 4, dim: 2, pointer: 0 } })).toThrow(/finite values only/);
    [int, nan, bad].forEach((t) => t.dispose());
    queue.dispose(state);
  });
});
