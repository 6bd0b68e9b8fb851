/**
 * Checkpoints in a directory (Node.js):
 * ```
 * root/
 *   latest                  name of the newest checkpoint ("step-000000120")
 *   step-000000120/         manifest.json, weights.bin, optimizer.bin, strategy.bin
 * ```
 * A checkpoint is written to a temporary directory, each file fsynced, then renamed into place
 * (and the directory fsynced), so a crash leaves either the old or the new checkpoint, never a
 * half-written one; `latest` is replaced atomically after it.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ArgumentError, CheckpointError, describeValue } from '@contrastive/core';
import { pathExists, syncDirectory, writeFileAtomic, writeFileSynced } from '@contrastive/core/node';
import type { CheckpointStore } from '../checkpoint-store.js';
import { failpoint } from '../failpoint.js';

/**
 * A {@link CheckpointStore} in directory `root` (created on the first write). `saveCheckpoint`,
 * `readCheckpoint` and the trainer use one for every path string they are given.
 *
 * @example
 * ```ts
 * const store = fileCheckpointStore('runs/simclr/ckpt');
 * console.log(await store.readLatest()); // 'step-000000120' or null
 * ```
 */
export function fileCheckpointStore(root: string): CheckpointStore {
  if (typeof root !== 'string' || root.length === 0) {
    throw new ArgumentError(`fileCheckpointStore: argument 'root' must be a directory path, received ${describeValue(root)}`, { argument: 'root', expected: 'a non-empty path', received: root });
  }
  return {
    location: root,
    locate: (name) => join(root, name),
    async list() {
      try {
        // Checkpoint directories only: not the `latest` file, not `.tmp-*` / `.old-*` leftovers.
        return (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
      } catch {
        return [];
      }
    },
    async readLatest() {
      try {
        return (await readFile(join(root, 'latest'), 'utf8')).trim();
      } catch {
        return null;
      }
    },
    async write(name, files) {
      await mkdir(root, { recursive: true });
      const unique = `${process.pid}-${randomUUID().slice(0, 8)}`;
      const tmp = join(root, `.tmp-${name}-${unique}`);
      const finalPath = join(root, name);
      try {
        await mkdir(tmp);
        for (const [file, bytes] of files) {
          failpoint('checkpoint.write-file');
          await writeFileSynced(join(tmp, file), bytes);
        }
        await syncDirectory(tmp);
        failpoint('checkpoint.files-written');
        if (await pathExists(finalPath)) {
          // A directory cannot be renamed over a non-empty one: move the old one aside first (a
          // crash between the renames is repaired by `recoverCheckpointRoot`).
          const old = join(root, `.old-${name}-${unique}`);
          await rename(finalPath, old);
          failpoint('checkpoint.between-renames');
          await rename(tmp, finalPath);
          await rm(old, { recursive: true, force: true });
        } else {
          await rename(tmp, finalPath);
        }
        await syncDirectory(root);
        failpoint('checkpoint.before-latest');
        await writeFileAtomic(join(root, 'latest'), `${name}\n`);
        await syncDirectory(root);
      } catch (e) {
        await rm(tmp, { recursive: true, force: true });
        throw writeFailure(e, root, finalPath);
      }
      return finalPath;
    },
    async readFile(name, file) {
      try {
        const b = await readFile(join(root, name, file));
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT') return null;
        throw e;
      }
    },
    async remove(name) {
      await rm(join(root, name), { recursive: true, force: true });
    },
  };
}

/**
 * A file-system error of a checkpoint write as a {@link CheckpointError} that says what is left:
 * the temporary directory is gone and `latest` still names the previous, complete checkpoint.
 */
function writeFailure(e: unknown, root: string, target: string): unknown {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return e;
  const reason = code === 'ENOSPC' ? 'the disk is full (ENOSPC)' : code === 'EDQUOT' ? 'the disk quota is exceeded (EDQUOT)' : `${code}: ${(e as Error).message}`;
  return new CheckpointError(
    `saveCheckpoint: cannot write ${target}: ${reason}; nothing was replaced: ${join(root, 'latest')} still names the previous complete checkpoint (if any). Free space (or lower checkpoint.keep) and resume`,
    { argument: 'root', expected: 'a writable directory with room for the checkpoint', received: root, cause: e },
  );
}

/**
 * Opens a checkpoint path the way `readCheckpoint` reads it: a directory holding a
 * `manifest.json` is that checkpoint (in the store of its parent directory); any other path is a
 * root whose `latest` pointer is followed (`name: null`).
 */
export async function openCheckpointPath(path: string): Promise<{ readonly store: CheckpointStore; readonly name: string | null }> {
  if (await pathExists(join(path, 'manifest.json'))) return { store: fileCheckpointStore(dirname(path)), name: basename(path) };
  return { store: fileCheckpointStore(path), name: null };
}
