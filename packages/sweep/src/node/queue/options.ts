/**
 * Validation and small pure helpers of the queue mode: the Redis URL, the options objects,
 * BullMQ job ids and the mapping of sweep directories between machines.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ArgumentError, ConfigError, assertKnownKeys, describeValue, type ErrorDetails } from '@contrastive/core';

/** The default BullMQ queue name of sweeps. */
export const DEFAULT_QUEUE_NAME = 'contrastive-sweep';

/**
 * The Redis server could not be reached (or refused the connection). `argument` is `url` (the
 * `--queue` flag on the command line), `received` the URL without its password.
 */
export class QueueConnectionError extends ArgumentError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details);
  }
}

/**
 * A worker cannot see the sweep directory of a job (the shared filesystem is not mounted, or is
 * mounted elsewhere and no `dirMap` / `--dir` maps it). The worker puts the job back and stops.
 */
export class SweepDirNotFoundError extends ConfigError {
  /** The directory as the enqueuing machine named it. */
  readonly enqueuedDir: string;
  /** The directory this worker looked at (after `dirMap`). */
  readonly localDir: string;
  constructor(enqueuedDir: string, localDir: string) {
    const mapped = enqueuedDir === localDir ? '' : ` (enqueued as ${enqueuedDir})`;
    super(
      `the sweep directory ${localDir}${mapped} does not exist on this worker: every worker must see the sweep directory on a shared filesystem; if it is mounted at another path here, map it with --dir <this machine's sweep root> or --dir <enqueuer's path>=<this machine's path>`,
      { argument: 'dir', received: localDir, expected: 'an existing sweep directory on the shared filesystem' },
    );
    this.enqueuedDir = enqueuedDir;
    this.localDir = localDir;
  }
}

/**
 * Maps a sweep directory named by the enqueuing machine to the path this worker sees.
 * With `from`, a path under `from` (or equal to it) has that prefix replaced by `to`; without
 * `from`, `to` is the directory that holds the sweep directories on this machine (the sweep
 * directory's parent is replaced by `to`).
 */
export interface DirMap {
  /** The enqueuing machine's path prefix (absolute). */
  readonly from?: string;
  /** This machine's path (absolute, or relative to the worker's working directory). */
  readonly to: string;
}

/** Redacts the password of a Redis URL for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** Checks a Redis URL (`redis://` or `rediss://`); throws an {@link ArgumentError} naming `argument`. */
export function checkRedisUrl(url: unknown, argument = 'url'): string {
  const expected = "a Redis URL such as 'redis://localhost:6379' (redis:// or rediss://)";
  if (typeof url !== 'string' || url.trim() === '') {
    throw new ArgumentError(`${argument} must be ${expected}, received ${describeValue(url)}`, { argument, received: url, expected });
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ArgumentError(`${argument} must be ${expected}, received '${url}'`, { argument, received: url, expected });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ArgumentError(`${argument} must be ${expected}, received '${redactUrl(url)}' (protocol ${parsed.protocol})`, { argument, received: redactUrl(url), expected });
  }
  return url;
}

/** Checks a queue name (BullMQ forbids ':'). */
export function checkQueueName(name: unknown, argument = 'queueName'): string {
  const expected = "a non-empty name of letters, digits, '.', '_' or '-'";
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new ArgumentError(`${argument} must be ${expected}, received ${describeValue(name)}`, { argument, received: name, expected });
  }
  return name;
}

/** Checks an optional integer option in `[min, max]`. */
export function checkInt(value: unknown, argument: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const expected = `an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`}`;
    throw new ArgumentError(`${argument} must be ${expected}, received ${describeValue(value)}`, { argument, received: value, expected });
  }
  return value;
}

/** Checks an optional function option. */
export function checkFunction(value: unknown, argument: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new ArgumentError(`${argument} must be a function, received ${describeValue(value)}`, { argument, received: value, expected: 'a function' });
  }
}

/** Checks an optional AbortSignal option. */
export function checkSignal(value: unknown, argument = 'signal'): void {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw new ArgumentError(`${argument} must be an AbortSignal, received ${describeValue(value)}`, { argument, received: value, expected: 'an AbortSignal' });
  }
}

/** Checks an options object: a plain object (or undefined) with only `known` keys. */
export function checkOptionsObject(where: string, value: unknown, known: readonly string[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ArgumentError(`${where}: options must be an object, received ${describeValue(value)}`, { argument: 'options', received: value, expected: 'an options object' });
  }
  assertKnownKeys(where, 'options', value, known);
}

/** Checks `dirMap` (one mapping or a list) and returns the list. */
export function checkDirMap(value: unknown, argument = 'dirMap'): readonly DirMap[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  const expected = "{ to: string, from?: string } (or a list of them): to = this machine's path, from = the enqueuing machine's path prefix";
  return list.map((m, i) => {
    const arg = Array.isArray(value) ? `${argument}[${i}]` : argument;
    if (typeof m !== 'object' || m === null) throw new ArgumentError(`${arg} must be ${expected}, received ${describeValue(m)}`, { argument: arg, received: m, expected });
    assertKnownKeys('dirMap', arg, m, ['from', 'to']);
    const { from, to } = m as { from?: unknown; to?: unknown };
    if (typeof to !== 'string' || to === '') throw new ArgumentError(`${arg}.to must be a non-empty path, received ${describeValue(to)}`, { argument: `${arg}.to`, received: to, expected });
    if (from !== undefined && (typeof from !== 'string' || !path.isAbsolute(from))) {
      throw new ArgumentError(`${arg}.from must be an absolute path, received ${describeValue(from)}`, { argument: `${arg}.from`, received: from, expected });
    }
    return from === undefined ? { to: path.resolve(to) } : { from: path.resolve(from), to: path.resolve(to) };
  });
}

/**
 * Parses the command line's `--dir` value: `TO` (this machine's sweep root: the directory that
 * holds sweep directories) or `FROM=TO` (the enqueuing machine's path prefix and this machine's).
 *
 * @example
 * ```ts
 * parseDirFlag('/mnt/shared/sweeps');              // { to: '/mnt/shared/sweeps' }
 * parseDirFlag('/data/sweeps=/mnt/shared/sweeps'); // { from: '/data/sweeps', to: '/mnt/shared/sweeps' }
 * ```
 */
export function parseDirFlag(value: string): DirMap {
  const eq = value.indexOf('=');
  if (eq < 0) return checkDirMap({ to: value }, '--dir')[0] as DirMap;
  return checkDirMap({ from: value.slice(0, eq), to: value.slice(eq + 1) }, '--dir')[0] as DirMap;
}

/**
 * The sweep directory as this worker sees it: the first mapping whose `from` contains
 * `sweepDir`, else the first mapping without `from` (the sweep directory's parent replaced by
 * `to`), else `sweepDir` itself.
 *
 * @example
 * ```ts
 * mapSweepDir('/data/sweeps/lr', [{ from: '/data', to: '/mnt/data' }]); // '/mnt/data/sweeps/lr'
 * mapSweepDir('/data/sweeps/lr', [{ to: '/mnt/sweeps' }]);            // '/mnt/sweeps/lr'
 * ```
 */
export function mapSweepDir(sweepDir: string, dirMap: readonly DirMap[]): string {
  const dir = path.resolve(sweepDir);
  for (const m of dirMap) {
    if (m.from === undefined) continue;
    if (dir === m.from) return m.to;
    const prefix = m.from.endsWith(path.sep) ? m.from : m.from + path.sep;
    if (dir.startsWith(prefix)) return path.join(m.to, dir.slice(prefix.length));
  }
  const root = dirMap.find((m) => m.from === undefined);
  return root === undefined ? dir : path.join(root.to, path.basename(dir));
}

/** Letters, digits, '.', '_' and '-' as they are; every other character as `%XX` (UTF-8). */
export function encodeIdPart(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/gu, (c) =>
    Array.from(new TextEncoder().encode(c), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

/**
 * The BullMQ job id of a cell: the sweep's name, a short hash of its absolute directory (two
 * sweeps of the same name in different directories do not collide) and the cell id. The same
 * cell of the same sweep directory always has the same id, so enqueuing it again while its job
 * exists adds nothing. Never contains ':' and is never an integer (BullMQ's rules).
 *
 * @example
 * ```ts
 * cellJobId('lr-grid', '/shared/sweeps/lr-grid', 'lr=0.1'); // 'lr-grid.3f9a0c21b7.lr%3D0.1'
 * ```
 */
export function cellJobId(sweepName: string, sweepDir: string, cellId: string): string {
  if (typeof cellId !== 'string' || cellId === '') {
    throw new ArgumentError(`cellId must be a non-empty string, received ${describeValue(cellId)}`, { argument: 'cellId', received: cellId, expected: 'a non-empty string' });
  }
  const hash = createHash('sha256').update(path.resolve(sweepDir)).digest('hex').slice(0, 10);
  const name = encodeIdPart(sweepName === '' ? 'sweep' : sweepName).slice(0, 60);
  return `${name}.${hash}.${encodeIdPart(cellId)}`;
}
