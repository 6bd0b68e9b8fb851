import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { PINNED_TFJS_VERSION, tfjsVersionMismatch } from './tfjs-version.js';

describe('tfjs version pin', () => {
  it('accepts exactly the pinned version, which is the one installed', () => {
    expect(PINNED_TFJS_VERSION).toBe('4.22.0');
    expect(tf.version_core).toBe(PINNED_TFJS_VERSION);
    expect(tfjsVersionMismatch({ core: '4.22.0', wasm: '4.22.0' })).toBe(null);
  });

  it('names every package whose version differs', () => {
    expect(tfjsVersionMismatch({ core: '4.23.0', wasm: '4.22.0' })).toMatch(/tfjs-core is 4\.23\.0/);
    const both = tfjsVersionMismatch({ core: '4.21.0', wasm: '5.0.0' }) ?? '';
    expect(both).toMatch(/tfjs-core is 4\.21\.0 and @tensorflow\/tfjs-backend-wasm is 5\.0\.0/);
    expect(tfjsVersionMismatch({ core: '4.22.0-rc.1', wasm: '4.22.0' })).not.toBe(null);
  });
});
