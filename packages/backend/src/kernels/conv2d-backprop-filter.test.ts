import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONV_TOLERANCE, checkConvGradient, convCaseArb, geometryOf, relative, type ConvCase } from '../../test/conv-cases.js';
import { convGradientSuite } from '../../test/conv-suite.js';
import { startWasmAndCpu } from '../../test/kernel-harness.js';
import { makeConv2DBackpropFilter } from './conv2d-backprop-filter.js';

await startWasmAndCpu();

convGradientSuite({
  title: 'Conv2DBackpropFilter (wasm, built from existing kernels)',
  kind: 'filter',
  depthwise: false,
  make: makeConv2DBackpropFilter,
  cpuVariant: true,
});

// The kernel's special paths get their own properties: 1x1 filters with a stride (x is
// subsampled first) and geometries whose forward pass skipped trailing rows/columns (crop before
// the convolution's own padding).
const subject = makeConv2DBackpropFilter('wasm');
describe('Conv2DBackpropFilter special paths (fast-check against the cpu kernel and the float64 reference)', () => {
  const check = (c: ConvCase): void => {
    const r = checkConvGradient('filter', false, c, subject);
    expect(relative(r.vsReference)).toBeLessThanOrEqual(CONV_TOLERANCE);
    if (r.vsCpu !== null) expect(relative(r.vsCpu)).toBeLessThanOrEqual(CONV_TOLERANCE);
    expect(r.leakedDataIds).toBe(0);
    expect(r.leakedHeapBytes).toBe(0);
  };
  it('1x1 filters with strides 2-3', () => {
    const arb = convCaseArb({ depthwise: false, dilations: false })
      .map((c) => ({ ...c, kh: 1, kw: 1, sh: c.sh === 1 ? 2 : c.sh }))
      .filter((c) => geometryOf(c, false) !== null);
    fc.assert(fc.property(arb, check), { numRuns: 40 });
  });
  it('strides larger than the filter (rows the forward pass never read are cropped)', () => {
    const arb = convCaseArb({ depthwise: false, dilations: false })
      .map((c) => ({ ...c, kh: 2, kw: 2, sh: 3, sw: 3, h: c.h + 4, w: c.w + 4 }))
      .filter((c) => geometryOf(c, false) !== null);
    fc.assert(fc.property(arb, check), { numRuns: 40 });
  });
});
