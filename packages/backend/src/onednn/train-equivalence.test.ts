// A tiny conv net trained 5 steps on wasm+onednn and on cpu agrees (test/train-equivalence.ts).
// Where the addon is missing (and CI does not require it) the plain-wasm test covers the engine.
import { describe, expect, it } from 'vitest';
import { trainEquivalenceSuite } from '../../test/train-equivalence.js';
import { startOnednn } from '../../test/onednn-harness.js';
import { onednnKernelStats } from './kernels.js';

const { addon, reason } = await startOnednn();
if (addon !== null) {
  await trainEquivalenceSuite('wasm+onednn', 5);
  describe('wasm+onednn training equivalence', () => {
    it('ran its convolutions, their gradients and the dense layer on oneDNN', () => {
      for (const name of ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'BatchMatMul']) {
        expect(onednnKernelStats.onednn.get(name) ?? 0, name).toBeGreaterThanOrEqual(10);
      }
    });
  });
} else {
  describe('wasm+onednn training equivalence', () => {
    it(`is covered by the plain-wasm test here: the oneDNN addon is unavailable (${reason})`, () => {
      expect(reason).not.toBe('');
    });
  });
}
