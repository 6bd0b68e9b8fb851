// When the threaded build cannot be set up (here: the cache folder cannot be written), the wasm
// engine starts single-threaded and says why. Own (forked) process: the engine starts once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '@contrastive/core';
import { describe, expect, it } from 'vitest';
import { initBackend } from './init-backend.js';
import { wasmHeapBytes } from '../memory-guard.js';

describe('wasm threads fallback', () => {
  it('before any engine starts, the heap functions say the wasm engine is not initialised', () => {
    expect(() => wasmHeapBytes()).toThrow(BackendError);
    expect(() => wasmHeapBytes()).toThrow(/not initialised/);
  });

  it('an unwritable cache folder gives a single-threaded engine, a note saying why, and working training kernels', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'contrastive-fallback-')), 'a-file');
    writeFileSync(file, '');
    const report = await initBackend({ prefer: 'wasm', threads: 2, wasmCacheDir: join(file, 'cache') });
    expect(report.engine).toBe('wasm');
    expect(report.threads).toBe(1);
    expect(report.simd).toBe(true);
    expect(report.notes.join(' ')).toMatch(/wasm threads disabled: .*is not writable/);
    expect(report.kernelsAdded).toContain('Conv2DBackpropFilter');
    const g = tf.tidy(() => tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(tf.ones<tf.Rank.R4>([1, 4, 4, 1]), w as tf.Tensor4D, 1, 'same')))(tf.ones([3, 3, 1, 1])));
    // each tap sees the ones it overlaps: corners 9, edges 12, centre 16 (4x4 input, same padding)
    expect(Array.from(g.dataSync())).toEqual([9, 12, 9, 12, 16, 12, 9, 12, 9]);
    g.dispose();
  });
});
