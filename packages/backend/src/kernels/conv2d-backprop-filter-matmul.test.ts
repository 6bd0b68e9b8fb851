import { convGradientSuite } from '../../test/conv-suite.js';
import { startWasmAndCpu } from '../../test/kernel-harness.js';
import { makeConv2DBackpropFilter } from './conv2d-backprop-filter.js';

await startWasmAndCpu();

convGradientSuite({
  title: 'Conv2DBackpropFilter, im2col + GEMM variant (wasm)',
  kind: 'filter',
  depthwise: false,
  make: (backendName) => makeConv2DBackpropFilter(backendName, undefined, 'matmul'),
  cpuVariant: true,
});
