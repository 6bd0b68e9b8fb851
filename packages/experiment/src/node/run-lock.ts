/**
 * The run-directory lock: one training process per run directory. `<run>/.lock` is created
 * exclusively (`O_EXCL`) and holds the owner's pid, host and start time; a second `train`,
 * `main` or `--resume` into the same directory is refused with a {@link ConfigError} naming
 * the owner. A lock left by a process that no longer exists (killed with SIGKILL, a crash) is
 * taken over, so a crash never blocks the resume that should follow it.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '@contrastive/core';

/** The lock file's name inside a run directory. */
export const LOCK_FILE = '.lock';

/** What a lock file holds. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

/** A held lock. */
export interface RunLock {
  readonly file: string;
  /** Removes the lock file (only if this process still owns it). */
  release(): Promise<void>;
}

/** True when a process with this pid exists on this machine. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(file: string): Promise<LockOwner | null> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Partial<LockOwner>;
    return typeof value.pid === 'number' && typeof value.host === 'string' ? { pid: value.pid, host: value.host, started: String(value.started) } : null;
  } catch {
    return null; // being written, removed meanwhile, or garbage: treated as stale below
  }
}

/**
 * Takes the lock of `runDir` (which must exist) for this process, or throws a
 * {@link ConfigError} (argument `outDir`) when a live process holds it.
 *
 * @example
 * ```ts
 * const lock = await acquireRunLock('runs/main');
 * try { await train(); } finally { await lock.release(); }
 * ```
 */
export async function acquireRunLock(runDir: string): Promise<RunLock> {
  const file = path.join(runDir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const handle = await open(file, 'wx');
      try {
        await handle.writeFile(`${JSON.stringify(me)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return {
        file,
        release: async () => {
          const owner = await readOwner(file);
          if (owner?.pid === me.pid && owner.started === me.started) await rm(file, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = await readOwner(file);
    if (owner !== null && (owner.host !== me.host || processAlive(owner.pid))) {
      throw new ConfigError(
        `${runDir} is in use by process ${owner.pid} on ${owner.host} (since ${owner.started}); two runs cannot train into one directory. Wait for it, stop it, or use another --out (remove ${file} only if that process is gone)`,
        { argument: 'outDir', expected: 'a run directory no other process is training in', received: runDir },
      );
    }
    if (owner === null && attempt === 0) {
      // Possibly being written by its owner right now: look again shortly.
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    // Stale (its process is gone): move it aside; of two processes doing so, one wins the retry.
    await rename(file, `${file}.stale-${process.pid}`).then(
      () => rm(`${file}.stale-${process.pid}`, { force: true }),
      () => undefined,
    );
  }
  throw new ConfigError(`cannot take the lock ${file}`, { argument: 'outDir', expected: 'a run directory no other process is training in', received: runDir });
}
