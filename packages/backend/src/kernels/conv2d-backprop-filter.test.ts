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
