import { describe, expect, it } from 'vitest';
import * as backendNode from './node/index.js';
import { initBackend, type BackendNode } from './init-backend.js';

describe('initBackend (platform-neutral entry)', () => {
  it('the real @contrastive/backend/node satisfies the structural BackendNode type', () => {
    const typed: BackendNode = backendNode; // compile-time check
    expect(typeof typed.initBackend).toBe('function');
  });
  it('under Node.js loads @contrastive/backend/node and runs its initialiser', async () => {
    const report = await initBackend({ prefer: 'cpu' });
    expect(report.engine).toBe('cpu');
    expect(report.attempts).toEqual([{ engine: 'cpu', ok: true }]);
  });
});
