import { convGradientSuite } from '../../test/conv-suite.js';
import { startWasmAndCpu } from '../../test/kernel-harness.js';
import { makeDepthwiseConv2dBackpropFilter } from './depthwise-conv2d-backprop-filter.js';

await startWasmAndCpu();

convGradientSuite({
  title: 'DepthwiseConv2dNativeBackpropFilter (wasm, built from existing kernels)',
  kind: 'filter',
  depthwise: true,
  make: makeDepthwiseConv2dBackpropFilter,
  cpuVariant: false,
});
