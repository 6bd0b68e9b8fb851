/**
 * Makes CIFAR-10 available locally: uses files that are already there, or downloads the
 * official binary archive, verifies it, and extracts it safely and atomically.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ArgumentError, DataFormatError, assertOptionsObject, describeValue } from '@contrastive/core';
import { pathExists } from '@contrastive/core/node';
import { extractTarSafely } from './archive.js';
import { locateCifar10, type Cifar10Files } from './cifar10.js';
import { checkDigest, checkUrl, downloadFile, type DownloadProgress } from './download.js';
import { assertOptionalDir, resolveCacheDir, resolveDataDir, CACHE_DIR_ENV, DATA_DIR_ENV } from './paths.js';

/** The official archive (binary version), from https://www.cs.toronto.edu/~kriz/cifar.html. */
export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
/**
 * The MD5 of {@link CIFAR10_URL} as published on the dataset's page (the authors publish an
 * MD5 only, no SHA-256). Checked by default when no `sha256`/`md5` option is given.
 */
export const CIFAR10_OFFICIAL_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';

/** Options of {@link ensureCifar10}. */
export interface EnsureCifar10Options {
  /**
   * The data directory to use (e.g. from a `--data-dir` flag): looked at, and downloaded into
   * when the files are absent (they then land in `dir/cifar10/cifar-10-batches-bin/`).
   * Default: look in `$CONTRASTIVE_DATA_DIR`, then in the cache
   * (`$CONTRASTIVE_CACHE_DIR`, default `~/.cache/contrastive`), and download into the cache.
   */
  readonly dir?: string;
  /** Archive URL, for mirrors. Default {@link CIFAR10_URL}. */
  readonly url?: string;
  /**
   * Expected SHA-256 of the archive (64 hex characters), verified when given. There is no
   * default: the dataset's authors publish only an MD5 (see `md5`).
   */
  readonly sha256?: string;
  /**
   * Expected MD5 of the archive (32 hex characters). When neither `sha256` nor `md5` is
   * given, the official {@link CIFAR10_OFFICIAL_MD5} is checked; when either is given, only
   * the given ones are (e.g. a mirror serving a repackaged archive).
   */
  readonly md5?: string;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Progress bar on stderr; default: when stderr is a TTY. */
  readonly progressBar?: boolean;
  /** `false`: never download; throw when the files are absent (offline machines, CI). */
  readonly download?: boolean;
  readonly signal?: AbortSignal;
}

/** Where CIFAR-10 is, and whether this call downloaded it. */
export interface EnsureCifar10Result extends Cifar10Files {
  readonly downloaded: boolean;
}

/**
 * Returns the location of the CIFAR-10 binary files, downloading them first when absent.
 *
 * The download is atomic: the archive goes to a temporary file beside the target, is
 * verified (checksum, length), inspected (no entry may escape the target directory: see
 * {@link extractTarSafely}), extracted into a temporary directory, checked to hold the
 * CIFAR-10 files, and only then renamed to `<dir>/cifar10`. On any failure nothing is left
 * behind and a typed error is thrown ({@link ChecksumError}, {@link UnsafeArchiveError},
 * {@link DownloadError}, all {@link DataFormatError}s).
 *
 * @example
 * ```ts
 * const where = await ensureCifar10({ dir: flags.dataDir }); // downloads ~170 MB once
 * const train = await loadCifar10({ dir: where.dir, split: 'train' });
 * ```
 */
export async function ensureCifar10(options: EnsureCifar10Options = {}): Promise<EnsureCifar10Result> {
  const where = 'ensureCifar10';
  assertOptionsObject(where, 'options', options);
  assertOptionalDir(where, 'options.dir', options.dir);
  const url = checkUrl(where, 'options.url', options.url ?? CIFAR10_URL).href;
  const sha256 = checkDigest(where, 'options.sha256', options.sha256, 64);
  const givenMd5 = checkDigest(where, 'options.md5', options.md5, 32);
  const md5 = sha256 === undefined && givenMd5 === undefined ? CIFAR10_OFFICIAL_MD5 : givenMd5;
  for (const key of ['download', 'progressBar'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') {
      throw new ArgumentError(`${where}: argument 'options.${key}' must be a boolean, received ${describeValue(options[key])}`, { argument: `options.${key}`, received: options[key] });
    }
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new ArgumentError(`${where}: argument 'options.onProgress' must be a function, received ${describeValue(options.onProgress)}`, { argument: 'options.onProgress', received: options.onProgress });
  }

  const cacheDir = resolveCacheDir();
  const lookIn = options.dir !== undefined ? [path.resolve(options.dir)] : [resolveDataDir(), cacheDir].filter((d): d is string => d !== undefined);
  for (const dir of lookIn) {
    const found = await locateCifar10(dir);
    if (found !== undefined) return { ...found, downloaded: false };
  }
  if (options.download === false) {
    throw new ArgumentError(`${where}: CIFAR-10 not found in ${lookIn.join(', ')} and download is false; set ${DATA_DIR_ENV} or pass options.dir`, {
      argument: 'options.dir', expected: 'a directory holding CIFAR-10 binary files', received: options.dir,
    });
  }

  const root = options.dir !== undefined ? path.resolve(options.dir) : cacheDir;
  const finalDir = path.join(root, 'cifar10');
  if (await pathExists(finalDir)) {
    throw new ArgumentError(
      `${where}: ${finalDir} exists but does not hold the CIFAR-10 files; remove it (or point ${options.dir !== undefined ? 'options.dir' : CACHE_DIR_ENV} elsewhere) and retry`,
      { argument: 'options.dir', received: finalDir },
    );
  }
  await mkdir(root, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const archive = path.join(root, `.cifar10-${tag}.tar.gz.part`);
  const staging = await mkdtemp(path.join(root, '.cifar10-extract-'));
  let moved = false;
  try {
    await downloadFile({
      url,
      dest: archive,
      ...(sha256 === undefined ? {} : { sha256 }),
      ...(md5 === undefined ? {} : { md5 }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.progressBar === undefined ? {} : { progressBar: options.progressBar }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    await extractTarSafely(archive, staging, url);
    if ((await locateCifar10(staging)) === undefined) {
      throw new DataFormatError(`${url}: the archive does not contain the CIFAR-10 binary files (data_batch_1..5.bin + test_batch.bin, or train.bin + test.bin)`, url);
    }
    try {
      await rename(staging, finalDir);
      moved = true;
    } catch (cause) {
      // Another process may have finished the same download first.
      const other = await locateCifar10(finalDir);
      if (other !== undefined) return { ...other, downloaded: false };
      throw new DataFormatError(`${where}: cannot move the extracted files to ${finalDir} (${(cause as Error).message})`, finalDir, undefined, { cause });
    }
  } finally {
    await rm(archive, { force: true });
    if (!moved) await rm(staging, { recursive: true, force: true });
  }
  const located = await locateCifar10(finalDir);
  if (located === undefined) throw new DataFormatError(`${where}: ${finalDir} lost its CIFAR-10 files right after extraction`, finalDir);
  return { ...located, downloaded: true };
}
