import fc from 'fast-check';
import { Rng } from '@contrastive/core';
import { describe, expect, it } from 'vitest';
import { maxErrors, runKernel, startWasmAndCpu, stockKernel } from '../../test/kernel-harness.js';
import { makeEinsum } from './einsum.js';

await startWasmAndCpu();

const LETTERS = 'abcde';

interface EinsumCase {
  readonly operands: readonly string[];
  readonly output: string;
  readonly sizes: Readonly<Record<string, number>>;
  readonly seed: number;
}

const shuffled = (s: readonly string[], keys: readonly number[]): string[] =>
  s.map((c, i) => [c, keys[i] ?? 0] as const).sort((x, y) => x[1] - y[1]).map(([c]) => c);

const caseArb: fc.Arbitrary<EinsumCase> = fc
  .record({
    count: fc.integer({ min: 1, max: 2 }),
    a: fc.subarray([...LETTERS], { minLength: 1 }),
    b: fc.subarray([...LETTERS], { minLength: 1 }),
    keysA: fc.array(fc.double({ noNaN: true }), { minLength: 5, maxLength: 5 }),
    keysB: fc.array(fc.double({ noNaN: true }), { minLength: 5, maxLength: 5 }),
    keep: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    keysOut: fc.array(fc.double({ noNaN: true }), { minLength: 5, maxLength: 5 }),
    sizes: fc.record(Object.fromEntries([...LETTERS].map((l) => [l, fc.integer({ min: 1, max: 3 })])) as Record<string, fc.Arbitrary<number>>),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .map((r) => {
    const operands = [shuffled(r.a, r.keysA).join(''), shuffled(r.b, r.keysB).join('')].slice(0, r.count);
    const used = [...new Set(operands.join(''))];
    const output = shuffled(used.filter((_, i) => r.keep[i]), r.keysOut).join('');
    return { operands, output, sizes: r.sizes, seed: r.seed };
  });

/** Naive reference: loop over every assignment of every dimension. */
function reference(c: EinsumCase, data: readonly Float32Array[]): Float64Array {
  const dims = [...new Set(c.operands.join('') + c.output)];
  const out = new Float64Array(Math.max(1, [...c.output].reduce((a, l) => a * (c.sizes[l] as number), 1)));
  const index: Record<string, number> = Object.fromEntries(dims.map((d) => [d, 0]));
  const flat = (term: string): number => [...term].reduce((acc, l) => acc * (c.sizes[l] as number) + (index[l] as number), 0);
  const total = dims.reduce((a, d) => a * (c.sizes[d] as number), 1);
  for (let k = 0; k < total; k++) {
    let rest = k;
    for (let i = dims.length - 1; i >= 0; i--) {
      const d = dims[i] as string;
      index[d] = rest % (c.sizes[d] as number);
      rest = Math.floor(rest / (c.sizes[d] as number));
    }
    let prod = 1;
    c.operands.forEach((term, i) => (prod *= (data[i] as Float32Array)[flat(term)] as number));
    out[flat(c.output)] = (out[flat(c.output)] as number) + prod;
  }
  return out;
}

const subject = makeEinsum('wasm');

/** vsCpu is null where tfjs's cpu kernel itself returns the wrong shape (e.g. 'c,ad->cd'). */
function check(c: EinsumCase): { vsCpu: number | null; vsReference: number; leaked: number } {
  const rng = Rng.fromSeed(c.seed);
  const shapes = c.operands.map((t) => [...t].map((l) => c.sizes[l] as number));
  const data = shapes.map((s) => rng.normalArray(s.reduce((a, b) => a * b, 1)));
  const inputs = data.map((d, i) => ({ data: d, shape: shapes[i] as number[], dtype: 'float32' as const }));
  const attrs = { equation: `${c.operands.join(',')}->${c.output}` };
  const got = runKernel('wasm', subject, inputs, attrs);
  const cpu = runKernel('cpu', stockKernel('Einsum', 'cpu'), inputs, attrs);
  const expectedShape = [...c.output].map((l) => c.sizes[l] as number);
  expect(got.shape).toEqual(expectedShape);
  const rel = (e: { abs: number; scale: number }): number => e.abs / Math.max(1, e.scale);
  const cpuRight = cpu.shape.length === expectedShape.length && cpu.shape.every((d, i) => d === expectedShape[i]);
  return { vsCpu: cpuRight ? rel(maxErrors(got.values, cpu.values)) : null, vsReference: rel(maxErrors(got.values, reference(c, data))), leaked: got.leakedDataIds + got.leakedHeapBytes };
}

const cases = fc.sample(caseArb, { seed: 5, numRuns: 30 });
const results = cases.map(check);
const withCpu = results.filter((r) => r.vsCpu !== null);

describe('Einsum (wasm, via one BatchMatMul)', () => {
  it(`equals a loop reference on ${cases.length} random equations and the cpu kernel where that is right (${withCpu.length}); max rel err ${Math.max(...results.map((r) => r.vsReference)).toExponential(1)} / ${Math.max(...withCpu.map((r) => r.vsCpu as number)).toExponential(1)}`, () => {
    for (const [i, r] of results.entries()) {
      const eq = `${cases[i]!.operands.join(',')}->${cases[i]!.output}`;
      if (r.vsCpu !== null) expect(r.vsCpu, eq).toBeLessThan(1e-5);
      expect(r.vsReference, eq).toBeLessThan(1e-5);
      expect(r.leaked, eq).toBe(0);
    }
    expect(cases.some((c) => c.operands.length === 1)).toBe(true);
    expect(withCpu.length).toBeGreaterThan(cases.length / 2);
  });

  it('equals the reference on any equation (fast-check property)', () => {
    fc.assert(
      fc.property(caseArb, (c) => check(c).vsReference < 1e-5),
      { numRuns: 25 },
    );
  });

  it('computes the usual contractions: matMul, batched matMul, outer product, transpose, trace-free sums', () => {
    const m = (data: number[], shape: number[]) => ({ data: Float32Array.from(data), shape, dtype: 'float32' as const });
    const run = (eq: string, ...xs: ReturnType<typeof m>[]) => Array.from(runKernel('wasm', subject, xs, { equation: eq }).values);
    expect(run('ij,jk->ik', m([1, 2, 3, 4], [2, 2]), m([5, 6, 7, 8], [2, 2]))).toEqual([19, 22, 43, 50]);
    expect(run('i,j->ij', m([1, 2], [2]), m([3, 4, 5], [3]))).toEqual([3, 4, 5, 6, 8, 10]);
    expect(run('ij->ji', m([1, 2, 3, 4, 5, 6], [2, 3]))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(run('ij->', m([1, 2, 3, 4], [2, 2]))).toEqual([10]);
    expect(run('bij,bjk->bik', m([1, 0, 0, 1, 2, 0, 0, 2], [2, 2, 2]), m([1, 2, 3, 4, 1, 2, 3, 4], [2, 2, 2]))).toEqual([1, 2, 3, 4, 2, 4, 6, 8]);
  });
});
