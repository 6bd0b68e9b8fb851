/**
 * Shared test helpers (test-only; may use @contrastive/backend).
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { Rng } from '@contrastive/core';

/** Starts the wasm engine (gradients registered by tfjs-layers). Call from beforeAll. */
export async function startEngine(): Promise<void> {
  await initBackend({ prefer: 'wasm' });
}

/** An n×d matrix of standard normal values drawn from `rng`. */
export function normalMatrix(rng: Rng, n: number, d: number, mean = 0, std = 1): number[][] {
  return Array.from({ length: n }, () => Array.from(rng.normalArray(d, mean, std)));
}

/** Uniform integers in [0, classes). */
export function randomLabels(rng: Rng, n: number, classes: number): number[] {
  return Array.from({ length: n }, () => rng.int(0, classes));
}

/**
 * Gaussian blobs: `perClass` points around each of `classes` random centres (norm `spread`)
 * in `dim` dimensions with unit noise, rows interleaved by class.
 */
export function gaussianBlobs(rng: Rng, classes: number, perClass: number, dim: number, spread = 6): { x: number[][]; y: number[] } {
  const centres = normalMatrix(rng, classes, dim).map((c) => {
    const norm = Math.sqrt(c.reduce((s, v) => s + v * v, 0));
    return c.map((v) => (v / norm) * spread);
  });
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < perClass; i++) {
    for (let c = 0; c < classes; c++) {
      x.push((centres[c] as number[]).map((v) => v + rng.normal()));
      y.push(c);
    }
  }
  return { x, y };
}

/** Runs `fn` and asserts that the number of live tensors is the same afterwards. */
export function expectNoLeak<T>(fn: () => T): T {
  const before = tf.memory().numTensors;
  const out = fn();
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

/** Async version of {@link expectNoLeak}. */
export async function expectNoLeakAsync<T>(fn: () => Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await fn();
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

/** Asserts that `fn` throws an error of class `type` naming `argument`. */
export function expectArgError(fn: () => unknown, type: new (...args: never[]) => Error, argument: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected a ${type.name} for '${argument}'`).toBeInstanceOf(type);
  expect((caught as { argument?: string }).argument).toBe(argument);
  expect((caught as Error).message).toContain(`'${argument}'`);
}
