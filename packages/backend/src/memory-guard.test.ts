import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, MemoryLimitError } from '@contrastive/core';
import { afterEach, describe, expect, it } from 'vitest';
import { initBackend } from './node/init-backend.js';
import {
  WASM_HEAP_MAX_BYTES,
  assertWasmMemoryFits,
  estimateStepBytes,
  guardModule,
  measurePeakBytes,
  setWasmHeapLimit,
  wasmHeapBytes,
  wasmHeapStats,
  type EmscriptenModule,
} from './memory-guard.js';

await initBackend({ prefer: 'wasm' });
const MIB = 2 ** 20;

afterEach(() => setWasmHeapLimit(WASM_HEAP_MAX_BYTES));

describe('wasm heap size', () => {
  it('wasmHeapBytes is the engine memory size, whole 64 KiB pages, at most 4 GiB', () => {
    const bytes = wasmHeapBytes();
    expect(bytes).toBeGreaterThan(0);
    expect(bytes % 65536).toBe(0);
    expect(bytes).toBeLessThanOrEqual(WASM_HEAP_MAX_BYTES);
    expect(wasmHeapStats().heapBytes).toBe(bytes);
  });

  it('the guard counts live tensor bytes', () => {
    const before = wasmHeapStats().liveBytes;
    const t = tf.zeros([MIB / 4]); // 1 MiB
    expect(wasmHeapStats().liveBytes - before).toBe(MIB);
    t.dispose();
    expect(wasmHeapStats().liveBytes).toBe(before);
  });
});

describe('assertWasmMemoryFits', () => {
  it('throws MemoryLimitError with required and limit bytes when an estimate exceeds the 4 GiB heap', () => {
    const live = wasmHeapStats().liveBytes;
    let caught: unknown;
    try {
      assertWasmMemoryFits(5 * 2 ** 30, 'SimCLR step at batch 4096');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MemoryLimitError);
    const err = caught as MemoryLimitError;
    expect(err.code).toBe('MEMORY_LIMIT');
    expect(err.requiredBytes).toBe(live + 5 * 2 ** 30);
    expect(err.limitBytes).toBe(WASM_HEAP_MAX_BYTES);
    expect(err.argument).toBe('estimatedBytes');
    expect(err.message).toMatch(/SimCLR step at batch 4096 needs about 5\d{3}\.\d MiB of wasm heap/);
    expect(err.message).toMatch(/limit of 4096\.0 MiB/);
  });

  it('passes and reports when the estimate fits, and honours a lower limit', () => {
    const report = assertWasmMemoryFits(MIB, 'small step');
    expect(report.limitBytes).toBe(WASM_HEAP_MAX_BYTES);
    expect(report.requiredBytes).toBe(wasmHeapStats().liveBytes + MIB);
    setWasmHeapLimit(64 * MIB);
    expect(() => assertWasmMemoryFits(64 * MIB + 1, 'step')).toThrow(MemoryLimitError);
  });

  it('does nothing on engines without the 4 GiB cap', async () => {
    await initBackend({ prefer: 'cpu' });
    expect(assertWasmMemoryFits(1e15, 'huge').limitBytes).toBe(Number.POSITIVE_INFINITY);
    await initBackend({ prefer: 'wasm' });
  });

  it('rejects bad arguments with an ArgumentError naming them', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '5' as never]) {
      expect(() => assertWasmMemoryFits(bad, 'x')).toThrow(ArgumentError);
      expect(() => assertWasmMemoryFits(bad, 'x')).toThrow(/'estimatedBytes'/);
    }
    expect(() => assertWasmMemoryFits(1, '')).toThrow(/'what'/);
    expect(() => assertWasmMemoryFits(1, undefined as never)).toThrow(/'what'/);
  });
});

describe('malloc guard (instead of a corrupted heap and a hang)', () => {
  it('an allocation past the limit throws MemoryLimitError, leaks nothing, and the engine keeps working', () => {
    const tensors = tf.memory().numTensors;
    const live = wasmHeapStats().liveBytes;
    const limit = Math.max(16 * MIB, wasmHeapBytes());
    setWasmHeapLimit(limit); // no room to grow
    let caught: unknown;
    try {
      tf.tidy(() => tf.add(tf.ones([16 * MIB]), 1)); // 64 MiB + 64 MiB
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MemoryLimitError);
    expect((caught as MemoryLimitError).limitBytes).toBe(limit);
    expect((caught as MemoryLimitError).requiredBytes).toBeGreaterThan((caught as MemoryLimitError).limitBytes);
    expect((caught as Error).message).toMatch(/wasm heap limit reached: an allocation of 64\.0 MiB/);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(wasmHeapStats().liveBytes).toBe(live);
    setWasmHeapLimit(WASM_HEAP_MAX_BYTES);
    const y = tf.tidy(() => tf.sum(tf.add(tf.ones([1000]), 1)));
    expect(y.dataSync()[0]).toBe(2000);
    y.dispose();
  });

  it('when malloc itself fails (returns 0 at the 4 GiB cap) it throws instead of writing at address 0', () => {
    // A stand-in module whose malloc fails: the engine's own would need a 4 GiB heap to get there.
    const memory = { buffer: { byteLength: 3 * 2 ** 30 } } as unknown as WebAssembly.Memory;
    const fake: EmscriptenModule = {
      _malloc: () => 0,
      _free: () => undefined,
      asm: { malloc: (n: number) => (n > MIB ? 0 : 1024), free: () => undefined, memory },
    };
    expect(guardModule(fake)).toBe(true);
    expect(fake._malloc(100)).toBe(1024);
    expect(() => fake._malloc(2 * MIB)).toThrow(MemoryLimitError);
    expect(() => fake._malloc(2 * MIB)).toThrow(/wasm heap exhausted: could not allocate 2\.0 MiB \(heap is 3072\.0 MiB/);
  });

  it('setWasmHeapLimit rejects values outside [16 MiB, 4 GiB] by name', () => {
    for (const bad of [0, 1024, 5 * 2 ** 30, 1.5 * 2 ** 30 + 0.5, Number.NaN]) {
      expect(() => setWasmHeapLimit(bad)).toThrow(ArgumentError);
      expect(() => setWasmHeapLimit(bad)).toThrow(/'limitBytes'/);
    }
  });
});

describe('measuring and extrapolating a step', () => {
  it('measurePeakBytes counts intermediates freed inside the step', async () => {
    const { value, peakBytes } = await measurePeakBytes(() => tf.tidy(() => tf.sum(tf.mul(tf.ones([MIB / 4]), 2))));
    expect(value.dataSync()[0]).toBe(MIB / 2);
    value.dispose();
    // ones (1 MiB) and mul (1 MiB) are alive together before tidy frees them
    expect(peakBytes).toBeGreaterThanOrEqual(2 * MIB);
    expect(peakBytes).toBeLessThan(3 * MIB);
  });

  it('estimateStepBytes recovers a linear law exactly (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 0, max: 1e7 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 64 }), { minLength: 2, maxLength: 4 }),
        fc.integer({ min: 1, max: 4096 }),
        (fixed, perExample, batches, target) => {
          const samples = batches.map((b) => ({ batchSize: b, peakBytes: fixed + perExample * b }));
          const estimate = estimateStepBytes(samples, target);
          return Math.abs(estimate - (fixed + perExample * target)) <= 1 + 1e-9 * estimate;
        },
      ),
      { numRuns: 50 },
    );
  });

  it('predicts the peak of a real conv-net training step at batch 8 from batches 2 and 4 (within 10%)', async () => {
    const w1 = tf.variable(tf.randomNormal([3, 3, 3, 8], 0, 0.1));
    const w2 = tf.variable(tf.randomNormal([8 * 8 * 8, 4], 0, 0.1));
    const step = (batch: number) => () =>
      tf.tidy(() => {
        const x = tf.randomNormal<tf.Rank.R4>([batch, 16, 16, 3]);
        const { grads, value } = tf.variableGrads(() =>
          tf.mean(tf.square(tf.matMul(tf.reshape(tf.maxPool(tf.relu(tf.conv2d(x, w1 as tf.Tensor4D, 1, 'same')), 2, 2, 'same'), [batch, -1]), w2))),
        );
        tf.dispose(grads);
        return value;
      });
    const measure = async (batch: number) => {
      const { value, peakBytes } = await measurePeakBytes(step(batch));
      value.dispose();
      return { batchSize: batch, peakBytes };
    };
    const samples = [await measure(2), await measure(4)];
    const predicted = estimateStepBytes(samples, 8);
    const actual = (await measure(8)).peakBytes;
    expect(Math.abs(predicted - actual) / actual).toBeLessThan(0.1);
    tf.dispose([w1, w2]);
  });

  it('estimateStepBytes rejects unusable samples by name', () => {
    expect(() => estimateStepBytes([{ batchSize: 4, peakBytes: 10 }], 8)).toThrow(/'samples'/);
    expect(() => estimateStepBytes([{ batchSize: 4, peakBytes: 10 }, { batchSize: 4, peakBytes: 12 }], 8)).toThrow(/two different batch sizes/);
    expect(() => estimateStepBytes([{ batchSize: 0, peakBytes: 10 }, { batchSize: 4, peakBytes: 12 }], 8)).toThrow(/'samples\[0\]\.batchSize'/);
    expect(() => estimateStepBytes([{ batchSize: 2, peakBytes: -1 }, { batchSize: 4, peakBytes: 12 }], 8)).toThrow(/'samples\[0\]\.peakBytes'/);
    expect(() => estimateStepBytes([{ batchSize: 2, peakBytes: 1 }, { batchSize: 4, peakBytes: 12 }], 0)).toThrow(/'batchSize'/);
    expect(() => estimateStepBytes([{ batchSize: 2, peakBytes: 1 }, null as never], 3)).toThrow(/'samples\[1\]'/);
  });

  it('measurePeakBytes rejects a non-function', async () => {
    await expect(measurePeakBytes(42 as never)).rejects.toThrow(/'fn'/);
  });
});
