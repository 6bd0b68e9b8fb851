import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, BackendError } from '@contrastive/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES, initBackend } from './init-backend.js';
import { TRAINING_KERNELS } from '../register-kernels.js';
import { loadOnednnAddon } from './onednn-addon.js';

afterEach(() => {
  delete process.env['CONTRASTIVE_WASM_THREADS'];
});

describe('initBackend', () => {
  it('falls through to an installed engine and reports the attempts', async () => {
    const report = await initBackend({ prefer: ['tensorflow', 'cpu'] });
    expect(report.engine).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(report.attempts[0]).toMatchObject({ engine: 'tensorflow', ok: false });
    expect(report.attempts[1]).toEqual({ engine: 'cpu', ok: true });
    // cpu: one JS thread, its own (reference) kernels unless asked
    expect(report).toMatchObject({ threads: 1, simd: null, kernelsAdded: [], tfjsVersion: '4.22.0' });
  });

  it('picks wasm (with oneDNN when its addon loads) when node engines are absent, with one thread per core and the training kernels', async () => {
    const report = await initBackend();
    const onednn = loadOnednnAddon().ok;
    expect(report.engine).toBe(onednn ? 'wasm+onednn' : 'wasm');
    expect(report.tfBackend).toBe('wasm');
    expect(report.attempts.map((a) => a.engine)).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm+onednn', ...(onednn ? [] : ['wasm'])]);
    expect(report.threads).toBe(Math.min(availableParallelism(), 8));
    expect(report.simd).toBe(true);
    expect(report.kernelsAdded).toEqual(expect.arrayContaining([...TRAINING_KERNELS.wasm]));
    // prefer: 'wasm' is plain wasm: the oneDNN kernels come out again
    const plain = await initBackend({ prefer: 'wasm' });
    expect(plain.kernelsAdded).toEqual(TRAINING_KERNELS.wasm);
    expect(plain.onednn).toBe(null);
    // gradients are registered
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor1d([1, 2]));
    expect(Array.from(g.dataSync())).toEqual([2, 4]);
  });

  it('switches between started engines and keeps each one as started', async () => {
    const cpu = await initBackend({ prefer: 'cpu' });
    expect(cpu.engine).toBe('cpu');
    const wasm = await initBackend({ prefer: 'wasm' });
    expect(wasm.threads).toBe(Math.min(availableParallelism(), 8));
    expect(tf.getBackend()).toBe('wasm');
  });

  it("registers the cpu replacements only when asked (trainingKernels: true)", async () => {
    const report = await initBackend({ prefer: 'cpu', trainingKernels: true });
    expect(report.kernelsAdded).toEqual(TRAINING_KERNELS.cpu);
    const { unregisterTrainingKernels } = await import('../register-kernels.js');
    unregisterTrainingKernels('cpu');
    await initBackend({ prefer: 'wasm' });
  });

  it('rejects an unknown engine by name', async () => {
    await expect(initBackend({ prefer: 'gpu' as never })).rejects.toThrow(ArgumentError);
    await expect(initBackend({ prefer: 'gpu' as never })).rejects.toThrow(/'options.prefer'/);
    await expect(initBackend({ prefer: [] })).rejects.toThrow(/'options.prefer'/);
  });

  it('rejects every bad option with an ArgumentError naming it', async () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ threads: 0 }, /'options.threads'/],
      [{ threads: 1.5 }, /'options.threads'/],
      [{ threads: '2' }, /'options.threads'/],
      [{ trainingKernels: 'yes' }, /'options.trainingKernels'/],
      [{ wasmCacheDir: '' }, /'options.wasmCacheDir'/],
      [{ wasmCacheDir: 3 }, /'options.wasmCacheDir'/],
      [{ thread: 2 }, /unknown option 'options.thread'/],
      [null, /'options'/],
      ['wasm', /'options'/],
    ];
    for (const [options, message] of bad) {
      await expect(initBackend(options as never)).rejects.toThrow(ArgumentError);
      await expect(initBackend(options as never)).rejects.toThrow(message);
    }
  });

  it('rejects a bad CONTRASTIVE_WASM_THREADS by name', async () => {
    process.env['CONTRASTIVE_WASM_THREADS'] = 'many';
    await expect(initBackend({ prefer: 'cpu' })).rejects.toThrow(/CONTRASTIVE_WASM_THREADS/);
  });

  it('throws BackendError listing every attempt when nothing starts', async () => {
    await expect(initBackend({ prefer: ['tensorflow-gpu', 'tensorflow'] })).rejects.toThrow(BackendError);
    await expect(initBackend({ prefer: ['tensorflow-gpu', 'tensorflow'] })).rejects.toThrow(/tried tensorflow-gpu \(.*\), tensorflow \(/);
    await initBackend({ prefer: 'wasm' });
  });

  it('lists the engines fastest first', () => {
    expect(ENGINES).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm+onednn', 'wasm', 'cpu']);
  });
});
