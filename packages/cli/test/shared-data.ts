/**
 * Locates the shared read-only data for tests: `<repoRoot>/../shared/data` (CI places `shared/`
 * beside the clone), or `$CONTRASTIVE_DATA_DIR` when set. Fails loudly (never skips) when absent.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root: the nearest ancestor of this file holding `nx.json`. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/** The shared data directory (holding `cifar10/`). */
export function sharedDataDir(): string {
  const fromEnv = process.env['CONTRASTIVE_DATA_DIR'];
  const dir = fromEnv !== undefined && fromEnv !== '' ? path.resolve(fromEnv) : path.resolve(repoRoot(), '..', 'shared', 'data');
  if (!existsSync(path.join(dir, 'cifar10'))) {
    throw new Error(`shared data not found at ${dir} (expected ${dir}/cifar10); CI places shared/ beside the clone, or set CONTRASTIVE_DATA_DIR`);
  }
  return dir;
}
