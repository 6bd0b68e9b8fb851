import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The examples live beside their test (examples.test.ts), not under src/ or test/.
export default mergeConfig(shared, defineConfig({ test: { include: ['*.test.ts'] } }));
