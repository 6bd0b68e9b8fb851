// The threaded wasm start, in its own (forked) test process: tfjs starts the wasm engine once per
// process, so this file is the only one that asks for threads explicitly.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type BackendReport } from './init-backend.js';
import { defaultWasmCacheDir } from './wasm-threads.js';

const cjs = createRequire(import.meta.url);
const workerThreads = cjs('node:worker_threads') as typeof import('node:worker_threads');
const osModule = cjs('node:os') as typeof import('node:os');
// Captured before the engine starts, to check that every patched global is put back.
const before = {
  blob: globalThis.Blob,
  worker: workerThreads.Worker,
  cpus: osModule.cpus,
  hasGlobalWorker: Object.prototype.hasOwnProperty.call(globalThis, 'Worker'),
  cpuCount: os.cpus().length,
};

let report: BackendReport;
beforeAll(async () => {
  report = await initBackend({ prefer: 'wasm', threads: 2 });
});
afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('wasm threads in Node (tfjs 4.22 workaround)', () => {
  it('starts the threaded SIMD build with the requested 2 threads', () => {
    expect(report.engine).toBe('wasm');
    expect(report.simd).toBe(true);
    expect(report.threads).toBe(2);
    expect(report.notes).toEqual([]);
    // XNNPACK's pool: the main thread plus one running pthread worker.
    const pthreads = (tf.findBackend('wasm') as unknown as { wasm: { PThread: { runningWorkers: unknown[] } } }).wasm.PThread;
    expect(pthreads.runningWorkers.length).toBe(1);
  });

  it('puts back every global it patched', () => {
    expect(globalThis.Blob).toBe(before.blob);
    expect(workerThreads.Worker).toBe(before.worker);
    expect(osModule.cpus).toBe(before.cpus);
    expect(os.cpus().length).toBe(before.cpuCount);
    expect(Object.prototype.hasOwnProperty.call(globalThis, 'Worker')).toBe(before.hasGlobalWorker);
  });

  it('leaves the generated worker and factory files in the cache folder', () => {
    const dir = defaultWasmCacheDir();
    expect(existsSync(dir)).toBe(true);
    const files = readdirSync(dir);
    expect(files.some((f) => /^tfjs-wasm-worker-[0-9a-f]{16}\.cjs$/.test(f))).toBe(true);
    expect(files.some((f) => /^tfjs-wasm-factory-[0-9a-f]{16}\.cjs$/.test(f))).toBe(true);
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('computes a multi-threaded convolution equal to the cpu backend', async () => {
    // Large enough that XNNPACK splits it across both threads.
    const xData = Float32Array.from({ length: 4 * 24 * 24 * 16 }, (_, i) => Math.sin(i * 0.37));
    const wData = Float32Array.from({ length: 3 * 3 * 16 * 32 }, (_, i) => Math.cos(i * 0.11) * 0.2);
    const run = async (backend: string): Promise<Float32Array> => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(xData, [4, 24, 24, 16]);
        const w = tf.tensor4d(wData, [3, 3, 16, 32]);
        return tf.conv2d(x, w, 2, 'same').dataSync() as Float32Array;
      });
    };
    await import('@tensorflow/tfjs-backend-cpu');
    const wasm = await run('wasm');
    const cpu = await run('cpu');
    let maxErr = 0;
    for (let i = 0; i < cpu.length; i++) maxErr = Math.max(maxErr, Math.abs((wasm[i] as number) - (cpu[i] as number)));
    expect(wasm.length).toBe(cpu.length);
    expect(maxErr).toBeLessThan(1e-4);
  });

  it('a process that used the threaded engine exits by itself (the pool workers are unref-ed)', () => {
    const script = new URL('../../test/fixtures/threaded-process.ts', import.meta.url).pathname;
    const run = spawnSync(process.execPath, ['--conditions=contrastive-source', '--import', 'tsx', script], {
      encoding: 'utf8',
      timeout: 90_000,
    });
    expect(run.error).toBe(undefined); // ETIMEDOUT if it hung
    expect(run.status).toBe(0);
    const last = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { threads?: number; notes?: string[]; sum?: number };
    expect(last.threads).toBe(2);
    expect(last.notes).toEqual([]);
    // sum over outputs of (number of in-bounds taps x 4 channels), times 2 images x 4 output channels
    expect(last.sum).toBe(2 * 4 * 4 * (14 * 14 * 9 + 4 * 14 * 6 + 4 * 4));
  });

  it('a later call reports the running thread count and cannot change it', async () => {
    const again = await initBackend({ prefer: 'wasm', threads: 3 });
    expect(again.threads).toBe(2);
    expect(again.notes.join(' ')).toMatch(/already started in this process with 2 thread/);
  });
});
