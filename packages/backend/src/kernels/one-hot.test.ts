import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runKernel, startWasmAndCpu, stockKernel } from '../../test/kernel-harness.js';
import { registerTrainingKernels, unregisterTrainingKernels } from '../register-kernels.js';
import { makeOneHot } from './one-hot.js';

await startWasmAndCpu();
// tfjs-backend-wasm's own OneHot (this package's replacement is registered by startWasmAndCpu).
unregisterTrainingKernels('wasm');
const stockWasm = stockKernel('OneHot', 'wasm');
registerTrainingKernels('wasm');

interface OneHotCase {
  readonly indices: readonly number[];
  readonly depth: number;
  readonly onValue: number;
  readonly offValue: number;
}

const f32 = (lo: number, hi: number): fc.Arbitrary<number> => fc.float({ min: Math.fround(lo), max: Math.fround(hi), noNaN: true });
const caseArb: fc.Arbitrary<OneHotCase> = fc.integer({ min: 1, max: 6 }).chain((depth) =>
  fc.record({
    indices: fc.array(fc.integer({ min: -1, max: depth }), { minLength: 1, maxLength: 10 }),
    depth: fc.constant(depth),
    onValue: fc.oneof(fc.constant(1), f32(-2, 2)),
    offValue: fc.oneof(fc.constant(0), f32(-2, 2)),
  }),
);

/** The definition: out[i, j] = on if indices[i] == j else off (an index outside [0, depth) gives a row of off). */
function reference(c: OneHotCase): Float32Array {
  return Float32Array.from({ length: c.indices.length * c.depth }, (_, k) => (c.indices[Math.floor(k / c.depth)] === k % c.depth ? c.onValue : c.offValue));
}

const subject = makeOneHot('wasm', stockWasm);

function run(c: OneHotCase, backend: 'wasm' | 'cpu', dtype: 'float32' | 'int32' = 'float32') {
  const kernel = backend === 'wasm' ? subject : stockKernel('OneHot', 'cpu');
  return runKernel(backend, kernel, { indices: { data: Int32Array.from(c.indices), shape: [c.indices.length], dtype: 'int32' } }, { depth: c.depth, onValue: c.onValue, offValue: c.offValue, dtype });
}

describe('OneHot (wasm replacement: the stock kernel writes int32 bits into float32 outputs)', () => {
  it('float32 output equals the definition and the cpu kernel exactly (fast-check)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const got = run(c, 'wasm');
        expect(Array.from(got.values)).toEqual(Array.from(reference(c)));
        expect(Array.from(got.values)).toEqual(Array.from(run(c, 'cpu').values));
        expect(got.leakedDataIds).toBe(0);
        expect(got.leakedHeapBytes).toBe(0);
      }),
      { numRuns: 30 },
    );
  });

  it('int32 output is left to the stock kernel', () => {
    const c = { indices: [2, 0, 1], depth: 3, onValue: 5, offValue: -1 };
    expect(Array.from(run(c, 'wasm', 'int32').values)).toEqual([-1, -1, 5, 5, -1, -1, -1, 5, -1]);
  });

  it('the stock wasm kernel returns 1.4e-45 (the int 1 read as a float) instead of 1 for float32 (why this one exists)', () => {
    const indices = { indices: { data: Int32Array.of(1), shape: [1], dtype: 'int32' as const } };
    const stock = runKernel('wasm', stockWasm, indices, { depth: 2, onValue: 1, offValue: 0, dtype: 'float32' });
    expect(stock.values[1]).toBe(new Float32Array(Int32Array.of(1).buffer)[0]);
    expect(stock.values[1]).not.toBe(1);
  });
});
