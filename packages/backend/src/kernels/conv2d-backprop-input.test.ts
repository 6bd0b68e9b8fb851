import { convGradientSuite } from '../../test/conv-suite.js';
import { startWasmAndCpu } from '../../test/kernel-harness.js';
import { makeConv2DBackpropInput } from './conv2d-backprop-input.js';

await startWasmAndCpu();

convGradientSuite({
  title: 'Conv2DBackpropInput (wasm, built from existing kernels)',
  kind: 'input',
  depthwise: false,
  make: makeConv2DBackpropInput,
  cpuVariant: true,
});
