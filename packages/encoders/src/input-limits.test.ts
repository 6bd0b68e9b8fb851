/** Encoders refuse unknown options and sizes whose memory cannot fit, before allocating (issue 19, defects 5 and 6). */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, MemoryLimitError } from '@contrastive/core';
import { convNet } from './convnet.js';
import { mlpEncoder } from './mlp-encoder.js';
import { resnet } from './resnet.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('encoders: limits and unknown options', () => {
  it('ResNet-18 x1000 and a 1e6-wide MLP are refused with MemoryLimitError naming the width option; nothing is allocated', () => {
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      resnet({ depth: 18, stem: 'cifar', widthMultiplier: 1000 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MemoryLimitError);
    expect(error).toMatchObject({ argument: 'options.widthMultiplier', received: 1000 });
    expect((error as Error).message).toMatch(/needs [\d.]+ (GiB|MiB).*lower 'options\.widthMultiplier'/);
    expect(() => mlpEncoder({ inputDim: 1e6, hidden: [1e6] })).toThrow(expect.objectContaining({ argument: 'options.hidden' }) as Error);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('unknown options are refused, naming the key', () => {
    expect(() => convNet({ widhts: [4] } as never)).toThrow(ArgumentError);
    expect(() => resnet({ depth: 18, widthMultipler: 2 } as never)).toThrow(/unknown option 'options\.widthMultipler' \(did you mean 'widthMultiplier'\?\)/);
  });
});
