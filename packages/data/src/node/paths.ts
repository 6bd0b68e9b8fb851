/**
 * Where data lives. Two environment variables, both overridden by an explicit argument:
 *
 * - `CONTRASTIVE_DATA_DIR`: a directory of ready data sets (e.g. `../shared/data` holding
 *   `cifar10/`), looked at first and never written to. Offline machines and CI use it.
 * - `CONTRASTIVE_CACHE_DIR`: where downloads go (default `$XDG_CACHE_HOME/contrastive`, else
 *   `~/.cache/contrastive`).
 */
import os from 'node:os';
import path from 'node:path';
import { ArgumentError, describeValue } from '@contrastive/core';

/** Name of the environment variable that points at a directory of ready data sets. */
export const DATA_DIR_ENV = 'CONTRASTIVE_DATA_DIR';
/** Name of the environment variable that sets the download cache directory. */
export const CACHE_DIR_ENV = 'CONTRASTIVE_CACHE_DIR';

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Checks an optional directory argument: a non-empty string when given. */
export function assertOptionalDir(where: string, name: string, value: unknown): asserts value is string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
    throw new ArgumentError(`${where}: argument '${name}' must be a non-empty directory path, received ${describeValue(value)}`, {
      argument: name, expected: 'a non-empty directory path', received: value,
    });
  }
}

/**
 * The data directory: `dir` if given, else `$CONTRASTIVE_DATA_DIR`, else `undefined`
 * (absolute path).
 */
export function resolveDataDir(dir?: string): string | undefined {
  assertOptionalDir('resolveDataDir', 'dir', dir);
  const chosen = dir ?? nonEmpty(process.env[DATA_DIR_ENV]);
  return chosen === undefined ? undefined : path.resolve(chosen);
}

/**
 * The download cache directory: `dir` if given, else `$CONTRASTIVE_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/contrastive`, else `~/.cache/contrastive` (absolute path).
 */
export function resolveCacheDir(dir?: string): string {
  assertOptionalDir('resolveCacheDir', 'dir', dir);
  const chosen = dir ?? nonEmpty(process.env[CACHE_DIR_ENV]);
  if (chosen !== undefined) return path.resolve(chosen);
  const xdg = nonEmpty(process.env['XDG_CACHE_HOME']);
  return path.resolve(xdg ?? path.join(os.homedir(), '.cache'), 'contrastive');
}
