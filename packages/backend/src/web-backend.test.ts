import { describe, expect, it } from 'vitest';
import { ArgumentError } from '@contrastive/core';
import { initWebBackend, WEB_ENGINES } from './web-backend.js';

// In Node, `@tensorflow/tfjs-core/dist/register_all_gradients` is an ES module inside a CommonJS
// package, so the gradient registration itself is exercised in a real browser by the consumer
// test (scripts/consumer-test.mjs); here: option checks and the engine order.
describe('initWebBackend', () => {
  it('lists the engines fastest first', () => {
    expect(WEB_ENGINES).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
  });
  it('rejects unknown options and engines by name', async () => {
    await expect(initWebBackend({ bogus: 1 } as never)).rejects.toMatchObject({ argument: 'options.bogus' });
    await expect(initWebBackend({ prefer: 'tensorflow' as never })).rejects.toBeInstanceOf(ArgumentError);
    await expect(initWebBackend({ prefer: [] })).rejects.toMatchObject({ argument: 'options.prefer' });
    await expect(initWebBackend({ wasmPaths: 3 as never })).rejects.toMatchObject({ argument: 'options.wasmPaths' });
  });
});
