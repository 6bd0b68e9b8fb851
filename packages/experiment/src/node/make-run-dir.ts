/**
 * Creates a run directory one level at a time. Node's `mkdir(dir, { recursive: true })` never
 * returns for a path under a file system that refuses new entries with ENOENT (e.g.
 * `outDir: /proc/x` spun at 100% CPU); here each level is created once and any refusal is a
 * {@link ConfigError} naming `outDir`.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '@contrastive/core';

/** Makes `dir` (and its missing parents), or throws a ConfigError (argument `outDir`) saying why not. */
export async function makeRunDir(dir: string): Promise<void> {
  const missing: string[] = [];
  let cur = path.resolve(dir);
  for (;;) {
    const info = await stat(cur).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' || e.code === 'ENOTDIR' ? null : Promise.reject(e)));
    if (info !== null) {
      if (!info.isDirectory()) {
        throw new ConfigError(`cannot create the run directory ${dir}: ${cur} is a file`, { argument: 'outDir', received: dir, expected: 'a directory path' });
      }
      break;
    }
    missing.push(cur);
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      throw new ConfigError(`cannot create the run directory ${dir}: ${code ?? ''} creating ${d} (${(e as Error).message})`, {
        argument: 'outDir',
        received: dir,
        expected: 'a path where a directory can be created',
        cause: e,
      });
    }
  }
}
