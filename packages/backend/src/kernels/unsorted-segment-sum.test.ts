import fc from 'fast-check';
import { Rng } from '@contrastive/core';
import { describe, expect, it } from 'vitest';
import { maxErrors, runKernel, startWasmAndCpu, stockKernel } from '../../test/kernel-harness.js';
import { unsortedSegmentSumReference } from '../../test/reference.js';
import { makeUnsortedSegmentSum } from './unsorted-segment-sum.js';

await startWasmAndCpu();

interface SegmentCase {
  readonly count: number;
  readonly rest: readonly number[];
  readonly numSegments: number;
  /** Ids drawn from [-2, numSegments + 2): some fall outside and must be dropped. */
  readonly ids: readonly number[];
  readonly dtype: 'float32' | 'int32';
  readonly seed: number;
}

const caseArb: fc.Arbitrary<SegmentCase> = fc
  .record({
    count: fc.integer({ min: 1, max: 12 }),
    rest: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 2 }),
    numSegments: fc.integer({ min: 1, max: 6 }),
    outside: fc.boolean(),
    dtype: fc.constantFrom('float32' as const, 'int32' as const),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .chain((c) =>
    fc
      .array(fc.integer({ min: c.outside ? -2 : 0, max: c.numSegments - 1 + (c.outside ? 2 : 0) }), { minLength: c.count, maxLength: c.count })
      .map((ids) => ({ count: c.count, rest: c.rest, numSegments: c.numSegments, ids, dtype: c.dtype, seed: c.seed })),
  );

const subject = makeUnsortedSegmentSum('wasm');

function check(c: SegmentCase): { vsCpu: number | null; vsReference: number; leakedDataIds: number; leakedHeapBytes: number } {
  const rowSize = c.rest.reduce((a, b) => a * b, 1);
  const rng = Rng.fromSeed(c.seed);
  const raw = rng.normalArray(c.count * rowSize);
  const data = c.dtype === 'int32' ? Int32Array.from(raw, (v) => Math.round(v * 10)) : raw;
  const inputs = {
    x: { data, shape: [c.count, ...c.rest], dtype: c.dtype },
    segmentIds: { data: Int32Array.from(c.ids), shape: [c.count], dtype: 'int32' as const },
  };
  const attrs = { numSegments: c.numSegments };
  const got = runKernel('wasm', subject, inputs, attrs);
  const ref = unsortedSegmentSumReference(data, c.ids, c.numSegments, rowSize);
  // The cpu kernel reads ids outside [0, numSegments) as-is; compare with it only when all are inside.
  const inside = c.ids.every((id) => id >= 0 && id < c.numSegments);
  const vsCpu = inside ? maxErrors(got.values, runKernel('cpu', stockKernel('UnsortedSegmentSum', 'cpu'), inputs, attrs).values).abs : null;
  expect(got.shape).toEqual([c.numSegments, ...c.rest]);
  return { vsCpu, vsReference: maxErrors(got.values, ref).abs, leakedDataIds: got.leakedDataIds, leakedHeapBytes: got.leakedHeapBytes };
}

const cases = fc.sample(caseArb, { seed: 777, numRuns: 30 });
const results = cases.map(check);
const worstCpu = Math.max(0, ...results.map((r) => r.vsCpu ?? 0));
const worstRef = Math.max(0, ...results.map((r) => r.vsReference));
const withCpu = results.filter((r) => r.vsCpu !== null).length;

describe('UnsortedSegmentSum (wasm, via ScatterNd)', () => {
  it(`equals the cpu kernel (${withCpu} cases) and the loop reference (${cases.length} cases); max abs err ${worstCpu.toExponential(1)} / ${worstRef.toExponential(1)}`, () => {
    for (const r of results) {
      expect(r.vsReference).toBeLessThan(1e-5);
      if (r.vsCpu !== null) expect(r.vsCpu).toBeLessThan(1e-5);
    }
    // The sample exercises dropped ids, int32 data and duplicate ids.
    expect(cases.some((c) => c.ids.some((id) => id < 0 || id >= c.numSegments))).toBe(true);
    expect(cases.some((c) => c.dtype === 'int32')).toBe(true);
    expect(cases.some((c) => new Set(c.ids).size < c.ids.length)).toBe(true);
  });

  it('equals the reference on any input (fast-check property)', () => {
    fc.assert(
      fc.property(caseArb, (c) => check(c).vsReference < 1e-5),
      { numRuns: 25 },
    );
  });

  it('frees every intermediate', () => {
    for (const r of results) {
      expect(r.leakedDataIds).toBe(0);
      expect(r.leakedHeapBytes).toBe(0);
    }
  });

  it('accepts multi-dimensional segment ids (x read as [prod(ids.shape), ...rest])', () => {
    const x = { data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), shape: [2, 3, 2], dtype: 'float32' as const };
    const segmentIds = { data: Int32Array.from([1, 0, 1, 5, 1, 0]), shape: [2, 3], dtype: 'int32' as const };
    const out = runKernel('wasm', subject, { x, segmentIds }, { numSegments: 2 });
    expect(out.shape).toEqual([2, 2]);
    // segment 0: x[0,1] + x[1,2] = (3,4) + (11,12); segment 1: x[0,0] + x[0,2] + x[1,1] = (1,2)+(5,6)+(9,10); id 5 dropped
    expect(Array.from(out.values)).toEqual([14, 16, 15, 18]);
  });
});
