import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Unit tests of the app's state logic (node environment); the browser is tested by e2e/e2e.ts.
export default mergeConfig(shared, defineConfig({ test: { include: ['test/**/*.test.ts'] } }));
