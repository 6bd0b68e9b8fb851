/**
 * Shared vitest settings. Tests run against TypeScript sources: the "contrastive-source" export condition
 * makes `@contrastive/*` resolve to `src/index.ts`, so no package has to be built first.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['contrastive-source', 'module', 'import', 'default'] },
  ssr: { resolve: { conditions: ['contrastive-source', 'import', 'default'], externalConditions: ['node'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    // Forked processes: the wasm engine spawns worker threads and keeps a large heap.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // A fixed fast-check seed makes every property failure replayable from CI output.
    setupFiles: [new URL('./test/setup-fast-check.ts', import.meta.url).pathname],
    passWithNoTests: false,
    // One wasm thread per test process: tests run several processes side by side on 2 cores,
    // where a second thread each only adds contention (measured by the backend work: 29 s vs 42 s).
    // Tests that exercise threads ask for them explicitly.
    env: { CONTRASTIVE_WASM_THREADS: process.env['CONTRASTIVE_WASM_THREADS'] ?? '1' },
    // scripts/test-all.mjs sums these per-package JSON reports into CI's closing line.
    reporters: process.env['VITEST_JSON'] ? ['default', 'json'] : ['default'],
    ...(process.env['VITEST_JSON'] ? { outputFile: { json: 'test-results/vitest.json' } } : {}),
  },
});
