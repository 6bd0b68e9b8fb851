/**
 * The shared read-only data for tests: `<repoRoot>/../shared/data` (CI places shared/ beside
 * the clone) or `$CONTRASTIVE_DATA_DIR`. Fails loudly when absent; never skips.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function sharedDataDir(): string {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const fromEnv = process.env['CONTRASTIVE_DATA_DIR'];
  const dir = fromEnv ? path.resolve(fromEnv) : path.resolve(repoRoot, '..', 'shared', 'data');
  if (!existsSync(path.join(dir, 'cifar10'))) {
    throw new Error(`shared data not found at ${dir}; set CONTRASTIVE_DATA_DIR to a folder holding cifar10/`);
  }
  return dir;
}
