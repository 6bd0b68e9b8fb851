import { describe, expect, it } from 'vitest';
import { ArgumentError } from './errors.js';
import { isNodeRuntime, loadNodeOnly } from './platform.js';

describe('isNodeRuntime', () => {
  it('is true under Node.js', () => {
    expect(isNodeRuntime()).toBe(true);
  });
  it('is false when process.versions.node is absent (a browser or web worker)', () => {
    const saved = globalThis.process;
    try {
      (globalThis as { process?: unknown }).process = undefined;
      expect(isNodeRuntime()).toBe(false);
    } finally {
      globalThis.process = saved;
    }
  });
});

describe('loadNodeOnly', () => {
  it('returns the loaded module on Node.js', async () => {
    const mod = await loadNodeOnly('f', 'path', 'a store', async () => ({ answer: 42 }));
    expect(mod.answer).toBe(42);
  });
  it('wraps a failed import in an ArgumentError naming the argument and the alternative', async () => {
    const err = await loadNodeOnly('saveCheckpoint', 'target', 'a CheckpointStore', () => Promise.reject(new Error('boom'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArgumentError);
    expect((err as ArgumentError).argument).toBe('target');
    expect((err as ArgumentError).expected).toBe('a CheckpointStore');
    expect((err as Error).message).toContain("saveCheckpoint: argument 'target'");
    expect(((err as Error).cause as Error).message).toBe('boom');
  });
  it('refuses without calling the loader outside Node.js', async () => {
    const saved = globalThis.process;
    let called = false;
    try {
      (globalThis as { process?: unknown }).process = undefined;
      const err = await loadNodeOnly('f', 'dir', 'an IOHandler', async () => {
        called = true;
        return {};
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ArgumentError);
    } finally {
      globalThis.process = saved;
    }
    expect(called).toBe(false);
  });
});
