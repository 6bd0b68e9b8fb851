/**
 * Durable and atomic file writes (Node.js only): the one implementation the packages share
 * (evaluation plots and reports, saved encoders, training checkpoints, the CLI's run files).
 */
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ArgumentError } from '../errors.js';
import { describeValue } from '../describe-value.js';

let counter = 0;

/**
 * Whether anything (file, directory, link target) exists at `path`; false on any error.
 *
 * @example
 * ```ts
 * if (await pathExists(join(root, 'latest'))) ...
 * ```
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `data` to `path` and flushes it to disk (`fsync`) before resolving. Not atomic on its
 * own: use it for files inside a temporary directory that is renamed into place as a whole,
 * and {@link writeFileAtomic} for a single file.
 *
 * @example
 * ```ts
 * await writeFileSynced(join(tmpDir, 'manifest.json'), JSON.stringify(manifest));
 * ```
 */
export async function writeFileSynced(path: string, data: string | Uint8Array, flag: 'w' | 'wx' = 'w'): Promise<void> {
  const handle = await open(path, flag);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Flushes a directory's entries (a rename into it) to disk, best effort: platforms that cannot
 * open a directory (Windows) make the rename as durable as the OS does, and nothing is thrown.
 *
 * @example
 * ```ts
 * await rename(tmpDir, finalDir);
 * await syncDirectory(root);
 * ```
 */
export async function syncDirectory(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch {
    /* best effort */
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Writes `data` to `path` atomically: to a temporary file `.tmp-<pid>-<n>-<name>` in the same
 * directory (created exclusively), flushed (`fsync`), then renamed over the target. A reader (or
 * a crash) sees the old file or the new one, never a half-written one; a crash may leave a
 * `.tmp-*` file behind. The directory must exist. On failure the temporary file is removed,
 * the target is left as it was, and the file-system error is rethrown (e.g. `code: 'ENOENT'`).
 * Throws `ArgumentError` for an empty path or data that is neither a string nor a Uint8Array.
 *
 * @example
 * ```ts
 * await writeFileAtomic('runs/simclr/run.json', JSON.stringify(info, null, 2));
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  if (typeof path !== 'string' || path === '') {
    throw new ArgumentError(`writeFileAtomic: argument 'path' must be a non-empty string, received ${describeValue(path)}`, {
      argument: 'path',
      expected: 'a non-empty string',
      received: path,
    });
  }
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
    throw new ArgumentError(`writeFileAtomic: argument 'data' must be a string or a Uint8Array, received ${describeValue(data)}`, {
      argument: 'data',
      expected: 'a string or a Uint8Array',
      received: data,
    });
  }
  const tmp = join(dirname(path), `.tmp-${process.pid}-${counter++}-${basename(path)}`);
  try {
    await writeFileSynced(tmp, data, 'wx');
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
