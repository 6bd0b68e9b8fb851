import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgumentError, Rng } from '@contrastive/core';
import { batchSchedule, batchesPerEpoch, chunkOrder, epochBatches, epochOrder } from './shuffle.js';

const sorted = (a: ArrayLike<number>): number[] => Array.from(a).sort((x, y) => x - y);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const concat = (parts: Int32Array[]): number[] => parts.flatMap((p) => Array.from(p));

/** Naive reference chunking: push indices one by one, start a new batch every batchSize. */
function referenceChunks(order: number[], batchSize: number, dropLast: boolean): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  for (const i of order) {
    current.push(i);
    if (current.length === batchSize) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0 && !dropLast) out.push(current);
  return out;
}

describe('epochOrder (seeded shuffling)', () => {
  it('is a permutation of 0..n-1 (law)', () => {
    fc.assert(
      fc.property(fc.nat(200), fc.integer(), (n, seed) => {
        expect(sorted(epochOrder(n, Rng.fromSeed(seed)))).toEqual(range(n));
      }),
      { numRuns: 30 },
    );
  });

  it('same seed, same order; without rng, data set order (law)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 200 }), fc.integer(), (n, seed) => {
        expect(Array.from(epochOrder(n, Rng.fromSeed(seed)))).toEqual(Array.from(epochOrder(n, Rng.fromSeed(seed))));
        expect(Array.from(epochOrder(n))).toEqual(range(n));
      }),
      { numRuns: 30 },
    );
  });

  it('shuffles: different seeds give different orders of 50 samples', () => {
    // 50! orders; a collision between two of 20 seeds has probability ~1e-62.
    const orders = new Set(range(20).map((s) => Array.from(epochOrder(50, Rng.fromSeed(s))).join(',')));
    expect(orders.size).toBe(20);
    // and each position is roughly uniform: sample 0 lands in the first half about half the time
    const rng = Rng.fromSeed(3);
    let firstHalf = 0;
    for (let t = 0; t < 400; t++) if (epochOrder(50, rng).indexOf(0) < 25) firstHalf++;
    expect(firstHalf).toBeGreaterThan(140); // mean 200, sd 10
    expect(firstHalf).toBeLessThan(260);
  });
});

describe('batching', () => {
  it('concatenating the batches gives the epoch order; last batch short unless dropLast (law)', () => {
    fc.assert(
      fc.property(fc.nat(100), fc.integer({ min: 1, max: 30 }), fc.boolean(), fc.integer(), (n, batchSize, dropLast, seed) => {
        const order = epochOrder(n, Rng.fromSeed(seed));
        const batches = chunkOrder(order, batchSize, dropLast);
        expect(batches.map((b) => Array.from(b))).toEqual(referenceChunks(Array.from(order), batchSize, dropLast));
        expect(batches.length).toBe(batchesPerEpoch(n, batchSize, dropLast));
        const kept = dropLast ? n - (n % batchSize) : n;
        expect(concat(batches)).toEqual(Array.from(order).slice(0, kept));
        batches.forEach((b, i) => {
          if (i < batches.length - 1 || dropLast) expect(b.length).toBe(batchSize);
          else expect(b.length).toBe(n - i * batchSize);
        });
      }),
      { numRuns: 40 },
    );
  });

  it('epochBatches without shuffle is 0..n-1 in order', () => {
    expect(epochBatches(7, { batchSize: 3, shuffle: false }).map((b) => Array.from(b))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(epochBatches(7, { batchSize: 3, shuffle: false, dropLast: true }).map((b) => Array.from(b))).toEqual([[0, 1, 2], [3, 4, 5]]);
  });

  it('batchSchedule: every index exactly once per epoch, a fresh order each epoch, same seed same schedule (law)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 4 }), fc.integer(), (n, batchSize, epochs, seed) => {
        const run = (): Array<{ epoch: number; step: number; indices: number[] }> =>
          [...batchSchedule(n, { batchSize, epochs, rng: Rng.fromSeed(seed) })].map((b) => ({ ...b, indices: Array.from(b.indices) }));
        const schedule = run();
        expect(run()).toEqual(schedule);
        for (let e = 0; e < epochs; e++) {
          const ofEpoch = schedule.filter((b) => b.epoch === e);
          expect(ofEpoch.map((b) => b.step)).toEqual(range(batchesPerEpoch(n, batchSize)));
          expect(sorted(ofEpoch.flatMap((b) => b.indices))).toEqual(range(n));
        }
        // epoch e's order is the e-th permutation drawn from the seed
        const rng = Rng.fromSeed(seed);
        for (let e = 0; e < epochs; e++) {
          expect(schedule.filter((b) => b.epoch === e).flatMap((b) => b.indices)).toEqual(Array.from(rng.permutation(n)));
        }
      }),
      { numRuns: 30 },
    );
  });

  it('rejects bad options by name, at call time', () => {
    expect(() => batchSchedule(10, { batchSize: 0, shuffle: false })).toThrow(/options\.batchSize/);
    expect(() => batchSchedule(10, { batchSize: 2 })).toThrow(/options\.rng/);
    expect(() => batchSchedule(10, { batchSize: 2, rng: { next: () => 0 } as unknown as Rng })).toThrow(ArgumentError);
    expect(() => batchSchedule(10, { batchSize: 2, shuffle: false, epochs: 0 })).toThrow(/options\.epochs/);
    expect(() => epochBatches(-1, { batchSize: 2, shuffle: false })).toThrow(/'n'/);
    expect(() => chunkOrder(new Int32Array(3), 1.5)).toThrow(/batchSize/);
  });
});
