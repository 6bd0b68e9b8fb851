/**
 * The one build configuration every package uses: ESM + .d.ts from `src/index.ts`
 * (plus any extra entry points a package names). tsup is in maintenance mode; keeping the
 * whole build in this factory means a switch (e.g. to tsdown) touches one file.
 */
import { defineConfig, type Options } from 'tsup';

export interface PackageBuildOptions {
  /** Extra entry points besides `src/index.ts`, e.g. `{ bin: 'src/bin.ts' }`. */
  readonly entry?: Record<string, string>;
}

export function packageBuildConfig(options: PackageBuildOptions = {}): ReturnType<typeof defineConfig> {
  const config: Options = {
    entry: { index: 'src/index.ts', ...(options.entry ?? {}) },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: { compilerOptions: { customConditions: [] } },
    // No source maps: they would point into sources the tarballs do not ship (see docs/publishing.md).
    sourcemap: false,
    clean: true,
    // Shared chunks: a module that a package's main entry and its ./node entry both import (e.g.
    // backend's kernel registry) exists once, so its state is not duplicated between entries.
    splitting: true,
    treeshake: true,
    outDir: 'dist',
  };
  return defineConfig(config);
}
