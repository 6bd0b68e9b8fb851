/**
 * Where the command line finds CIFAR-10 (Krizhevsky 2009), in this order:
 * 1. the `--data-dir` flag, 2. the configuration's `data.dir`, 3. `$CONTRASTIVE_DATA_DIR`,
 * 4. `<repository root>/../shared/data` when it exists (where developers and CI keep it),
 * 5. the download cache (`$CONTRASTIVE_CACHE_DIR`, default `~/.cache/contrastive`), downloading
 *    the official archive there when absent (unless downloads are off).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArgumentError } from '@contrastive/core';
import { DATA_DIR_ENV, ensureCifar10, locateCifar10, type Cifar10Files } from '@contrastive/data/node';

/** The monorepo root above this module (a directory holding `nx.json`), or undefined when installed elsewhere. */
export function repositoryRoot(from: string = fileURLToPath(import.meta.url)): string | undefined {
  let dir = path.dirname(from);
  for (;;) {
    if (existsSync(path.join(dir, 'nx.json')) && existsSync(path.join(dir, 'packages'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Options of {@link resolveCifar10}. */
export interface ResolveCifar10Options {
  /** The `--data-dir` flag. */
  readonly flag?: string | undefined;
  /** The configuration's `data.dir`. */
  readonly configDir?: string | undefined;
  /** Allow a download when nothing is found (default true). */
  readonly download?: boolean;
  /** Show the download progress bar (default: when stderr is a TTY). */
  readonly progressBar?: boolean;
  /** Where the step came from, for messages. */
  readonly log?: (line: string) => void;
}

/** The CIFAR-10 files and how they were found. */
export interface ResolvedCifar10 extends Cifar10Files {
  /** `'--data-dir'`, `'data.dir'`, `'$CONTRASTIVE_DATA_DIR'`, `'../shared/data'` or `'cache'`. */
  readonly source: string;
  readonly downloaded: boolean;
}

/**
 * Finds (or downloads) CIFAR-10 following the order above. An explicit directory (flag,
 * configuration or environment) that lacks the files is downloaded into when downloads are
 * allowed, else refused with an {@link ArgumentError} naming it.
 */
export async function resolveCifar10(options: ResolveCifar10Options = {}): Promise<ResolvedCifar10> {
  const download = options.download ?? true;
  const progress = options.progressBar === undefined ? {} : { progressBar: options.progressBar };
  const envDir = process.env[DATA_DIR_ENV];
  const explicit: [string, string | undefined][] = [
    ['--data-dir', options.flag],
    ['data.dir', options.configDir],
    [`$${DATA_DIR_ENV}`, envDir === undefined || envDir.trim() === '' ? undefined : envDir],
  ];
  for (const [source, dir] of explicit) {
    if (dir === undefined) continue;
    const found = await locateCifar10(dir);
    if (found !== undefined) return { ...found, source, downloaded: false };
    if (!download) {
      throw new ArgumentError(`no CIFAR-10 files (train.bin + test.bin, or data_batch_1..5.bin + test_batch.bin) under ${path.resolve(dir)} (from ${source}) and downloads are off`, {
        argument: source,
        expected: 'a directory holding CIFAR-10 binary files',
        received: dir,
      });
    }
    options.log?.(`CIFAR-10 not found under ${path.resolve(dir)} (from ${source}); downloading it there`);
    const got = await ensureCifar10({ dir, ...progress });
    return { ...got, source };
  }
  const root = repositoryRoot();
  if (root !== undefined) {
    const shared = path.resolve(root, '..', 'shared', 'data');
    if (existsSync(shared)) {
      const found = await locateCifar10(shared);
      if (found !== undefined) return { ...found, source: '../shared/data', downloaded: false };
    }
  }
  if (!download) {
    throw new ArgumentError(`CIFAR-10 not found: pass --data-dir, set ${DATA_DIR_ENV}, or allow the download`, {
      argument: '--data-dir',
      expected: 'a directory holding CIFAR-10 binary files',
      received: undefined,
    });
  }
  const got = await ensureCifar10({ ...progress });
  if (got.downloaded) options.log?.(`downloaded CIFAR-10 into ${got.dir}`);
  return { ...got, source: 'cache' };
}
