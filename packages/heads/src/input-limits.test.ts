/** Heads refuse unknown options and widths whose memory cannot fit, before allocating (issue 19, defects 5 and 6). */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, MemoryLimitError } from '@contrastive/core';
import { linearHead } from './linear-head.js';
import { mlpHead } from './mlp-head.js';
import { mlpHeadV2 } from './mlp-head-v2.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('heads: limits and unknown options', () => {
  it('hiddenDim 1e8 is refused with MemoryLimitError naming options.hiddenDim; nothing is allocated', () => {
    const before = tf.memory().numTensors;
    expect(() => mlpHead({ inputDim: 512, hiddenDim: 1e8, outputDim: 128 })).toThrow(MemoryLimitError);
    expect(() => mlpHeadV2({ inputDim: 512, hiddenDim: 1e8 })).toThrow(expect.objectContaining({ argument: 'options.hiddenDim' }) as Error);
    expect(() => linearHead({ inputDim: 1e5, outputDim: 1e5 })).toThrow(/lower 'options\.outputDim'/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('unknown options are refused, naming the key', () => {
    expect(() => mlpHead({ inputDim: 8, hiddenDm: 4 } as never)).toThrow(ArgumentError);
    expect(() => linearHead({ inputDim: 8, outputDim: 2, bnMomentum: 0.1 } as never)).toThrow(/unknown option 'options\.bnMomentum'/);
  });
});
