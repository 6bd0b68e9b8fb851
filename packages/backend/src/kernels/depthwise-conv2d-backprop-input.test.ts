import { convGradientSuite } from '../../test/conv-suite.js';
import { startWasmAndCpu } from '../../test/kernel-harness.js';
import { makeDepthwiseConv2dBackpropInput } from './depthwise-conv2d-backprop-input.js';

await startWasmAndCpu();

convGradientSuite({
  title: 'DepthwiseConv2dNativeBackpropInput (wasm, built from existing kernels)',
  kind: 'input',
  depthwise: true,
  make: makeDepthwiseConv2dBackpropInput,
  cpuVariant: false,
});
