// threads: 1 selects tfjs-backend-wasm's single-threaded SIMD build (no workers). Own process.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from './init-backend.js';

describe('wasm with threads: 1', () => {
  it('starts the single-threaded SIMD build without notes or worker threads', async () => {
    const report = await initBackend({ prefer: 'wasm', threads: 1 });
    expect(report).toMatchObject({ engine: 'wasm', threads: 1, simd: true, notes: [] });
    expect('PThread' in (tf.findBackend('wasm') as unknown as { wasm: object }).wasm).toBe(false);
  });
});
