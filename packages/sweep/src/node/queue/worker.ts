/**
 * `runWorker`: the working side of the distributed mode. A BullMQ worker whose jobs are sweep
 * cells: each job runs `runCell(sweepDir, cellId)` on the shared sweep directory, under the
 * cell's claim file (see `claim.ts`), reporting progress through `job.updateProgress`.
 */
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { ArgumentError, describeValue } from '@contrastive/core';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { CellResult } from '../../cell-result.js';
import { LOCK_FILE } from '@contrastive/experiment/node';
import path from 'node:path';
import { CELL_FILES, cellDir, readCellResult } from '../sweep-dir.js';
import { acquireCellClaim, breakLocksOf } from './claim.js';
import { bullConnection, checkRedisReachable } from './connection.js';
import {
  DEFAULT_QUEUE_NAME,
  SweepDirNotFoundError,
  checkDirMap,
  checkFunction,
  checkInt,
  checkOptionsObject,
  checkQueueName,
  checkRedisUrl,
  checkSignal,
  mapSweepDir,
  type DirMap,
} from './options.js';
import type { CellJobData, CellJobProgress, QueueCellEvent, QueueCellProgress, QueueRunCell } from './types.js';

/** Options of {@link runWorker}. */
export interface RunWorkerOptions {
  /** The Redis server, e.g. `redis://queue-host:6379`. */
  readonly url: string;
  /** BullMQ queue name, the same as the sweep's (default `contrastive-sweep`). */
  readonly queueName?: string;
  /** Cells run at the same time by this worker (default 1). */
  readonly concurrency?: number;
  /** Where the sweep directories are on this machine, when not at the enqueuing machine's path. */
  readonly dirMap?: DirMap | readonly DirMap[];
  /** The cell runner (required: `runCell` of `@contrastive/sweep/node`, or a fake in tests). */
  readonly runCell: QueueRunCell;
  /** Compute engine passed to `runCell`. */
  readonly engine?: string;
  /** Overrides every cell configuration's `data.dir` (passed to `runCell`): the datasets' directory on this machine. */
  readonly dataDir?: string;
  /** Aborting it shuts the worker down: running cells checkpoint and stop, their jobs go back to the queue. */
  readonly signal?: AbortSignal;
  /** This worker's cell events (started, progress, finished, failed). */
  readonly onEvent?: (e: QueueCellEvent) => void;
  /** Lines about the worker itself (connected, claims, errors). */
  readonly log?: (line: string) => void;
  /** This worker's name in claims, events and logs (default `<host>:<pid>`). */
  readonly name?: string;
  /** ms a job lock lasts without renewal before the job counts as stalled (BullMQ `lockDuration`, default 30000). */
  readonly lockDuration?: number;
  /** ms between this worker's checks for stalled jobs of dead workers (BullMQ `stalledInterval`, default 30000). */
  readonly stalledInterval?: number;
  /** Stalls of one job before it fails for good (BullMQ `maxStalledCount`, default 3). */
  readonly maxStalledCount?: number;
  /** ms between heartbeats of a cell's claim file (default 5000). */
  readonly claimHeartbeatMs?: number;
  /** ms without a heartbeat after which another worker takes a cell's claim over (default 120000). */
  readonly claimStaleMs?: number;
  /** Least ms between two progress updates sent to Redis (default 1000; the last step is always sent). */
  readonly progressIntervalMs?: number;
}

const WORKER_KEYS = [
  'url',
  'queueName',
  'concurrency',
  'dirMap',
  'runCell',
  'engine',
  'dataDir',
  'signal',
  'onEvent',
  'log',
  'name',
  'lockDuration',
  'stalledInterval',
  'maxStalledCount',
  'claimHeartbeatMs',
  'claimStaleMs',
  'progressIntervalMs',
] as const;

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

/** The cell's result.json, or undefined (also when unreadable: `runCell` then decides). */
function readResult(sweepDir: string, cellId: string): Promise<CellResult | undefined> {
  return readCellResult(sweepDir, cellId).catch(() => undefined);
}

function checkJobData(data: unknown): CellJobData {
  const d = data as Partial<CellJobData> | null;
  if (typeof d !== 'object' || d === null || typeof d.sweepDir !== 'string' || typeof d.cellId !== 'string' || d.cellId === '') {
    throw new UnrecoverableError(`not a sweep cell job: data ${describeValue(data)} (expected { sweepDir, cellId })`);
  }
  return d as CellJobData;
}

/**
 * Runs a sweep worker until `signal` aborts: takes cell jobs from the queue (`concurrency` at a
 * time) and runs each with `runCell` in the sweep directory (mapped by `dirMap`). Progress goes
 * to the enqueuing machine through `job.updateProgress`. A job whose worker died (no lock
 * renewal for `lockDuration`) is handed to another worker by BullMQ's stalled-job check, and the
 * cell resumes from its checkpoint. Ordinary failures are retried with the attempts and backoff
 * the enqueuer set. On shutdown, running cells are aborted (they checkpoint) and their jobs go
 * back to the queue without using an attempt. Resolves when the worker has shut down; rejects
 * with a {@link SweepDirNotFoundError} (after putting the job back) when this machine cannot see
 * a job's sweep directory, and with a `QueueConnectionError` when Redis is unreachable at start.
 *
 * @example
 * ```ts
 * const stop = new AbortController();
 * process.on('SIGTERM', () => stop.abort());
 * await runWorker({ url: 'redis://queue-host:6379', runCell, signal: stop.signal, concurrency: 2 });
 * ```
 */
export async function runWorker(options: RunWorkerOptions): Promise<void> {
  checkOptionsObject('runWorker', options, WORKER_KEYS);
  const url = checkRedisUrl(options.url, 'url');
  const queueName = checkQueueName(options.queueName ?? DEFAULT_QUEUE_NAME, 'queueName');
  const concurrency = checkInt(options.concurrency, 'concurrency', 1, 1024) ?? 1;
  const dirMap = checkDirMap(options.dirMap, 'dirMap');
  if (typeof options.runCell !== 'function') {
    throw new ArgumentError(`runWorker: runCell must be a function (sweepDir, cellId, options) => Promise<result>, received ${describeValue(options.runCell)}`, {
      argument: 'runCell',
      received: options.runCell,
      expected: 'a function',
    });
  }
  checkSignal(options.signal);
  checkFunction(options.onEvent, 'onEvent');
  checkFunction(options.log, 'log');
  if (options.engine !== undefined && typeof options.engine !== 'string') {
    throw new ArgumentError(`engine must be a string, received ${describeValue(options.engine)}`, { argument: 'engine', received: options.engine, expected: 'an engine name' });
  }
  if (options.dataDir !== undefined && (typeof options.dataDir !== 'string' || options.dataDir === '')) {
    throw new ArgumentError(`dataDir must be a directory path, received ${describeValue(options.dataDir)}`, { argument: 'dataDir', received: options.dataDir, expected: 'a directory path' });
  }
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
    throw new ArgumentError(`name must be a non-empty string, received ${describeValue(options.name)}`, { argument: 'name', received: options.name, expected: 'a non-empty string' });
  }
  const lockDuration = checkInt(options.lockDuration, 'lockDuration', 100) ?? 30_000;
  const stalledInterval = checkInt(options.stalledInterval, 'stalledInterval', 100) ?? 30_000;
  const maxStalledCount = checkInt(options.maxStalledCount, 'maxStalledCount', 0) ?? 3;
  const heartbeatMs = checkInt(options.claimHeartbeatMs, 'claimHeartbeatMs', 10) ?? 5000;
  const staleMs = checkInt(options.claimStaleMs, 'claimStaleMs', 1) ?? 120_000;
  if (staleMs <= 2 * heartbeatMs) {
    throw new ArgumentError(`claimStaleMs (${staleMs}) must be more than twice claimHeartbeatMs (${heartbeatMs}), or a live worker's claim would be taken over`, {
      argument: 'claimStaleMs',
      received: staleMs,
      expected: `an integer > ${2 * heartbeatMs}`,
    });
  }
  const progressIntervalMs = checkInt(options.progressIntervalMs, 'progressIntervalMs', 0) ?? 1000;
  const runCell = options.runCell;
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const onEvent = options.onEvent ?? (() => undefined);
  const log = options.log ?? (() => undefined);
  const signal = options.signal;
  signal?.throwIfAborted();

  await checkRedisReachable(url, 'url');
  /** Aborted on shutdown; every running cell's own controller follows it. */
  const shutdown = new AbortController();
  let fatal: Error | undefined;

  const processor = async (job: Job<CellJobData>, token?: string): Promise<unknown> => {
    const data = checkJobData(job.data);
    const { cellId } = data;
    /** Puts the job back (due now) without using an attempt. */
    const requeue = async (): Promise<never> => {
      // Fails when this worker no longer holds the job's lock (it went to another worker): nothing to put back then.
      await job.moveToDelayed(Date.now(), token).catch((e: unknown) => log(`cell ${cellId}: not putting the job back: ${e instanceof Error ? e.message : String(e)}`));
      throw new DelayedError();
    };
    if (shutdown.signal.aborted) return await requeue();
    const sweepDir = mapSweepDir(data.sweepDir, dirMap);
    if (!(await isDirectory(sweepDir))) {
      fatal ??= new SweepDirNotFoundError(data.sweepDir, sweepDir);
      shutdown.abort(fatal);
      return await requeue();
    }
    // Already done (e.g. by a worker that was only slow): runCell would return it too, without a claim.
    const done = await readResult(sweepDir, cellId);
    if (done !== undefined) {
      onEvent({ cellId, kind: 'finished', worker: name, result: done });
      return done;
    }
    const report = (p: CellJobProgress): void => void job.updateProgress(p as unknown as object).catch(() => undefined);
    report({ kind: 'started', worker: name });
    onEvent({ cellId, kind: 'started', worker: name });

    const cell = new AbortController();
    const onShutdown = (): void => cell.abort(shutdown.signal.reason);
    shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    let claim;
    try {
      claim = await acquireCellClaim({ sweepDir, cellId, worker: name, jobId: String(job.id), heartbeatMs, staleMs, signal: cell.signal, onNote: log });
    } catch (e) {
      shutdown.signal.removeEventListener('abort', onShutdown);
      if (shutdown.signal.aborted) return await requeue();
      throw e;
    }
    if (claim.previous !== undefined) {
      // The previous holder is dead (or silent past claimStaleMs): its runCell locks are stale too.
      const previous = claim.previous;
      const removed = await Promise.resolve()
        .then(() => breakLocksOf(cellDir(sweepDir, cellId), previous, [path.join(CELL_FILES.lockDir, LOCK_FILE), LOCK_FILE]))
        .catch((): string[] => []);
      for (const f of removed) log(`cell ${cellId}: removed the stale lock ${f} of ${claim.previous.worker}`);
    }
    const onLost = (): void => cell.abort(claim.lost.reason);
    claim.lost.addEventListener('abort', onLost, { once: true });
    let lastSent = Number.NEGATIVE_INFINITY;
    const onProgress = (p: QueueCellProgress): void => {
      const now = performance.now();
      const last = p.step !== undefined && p.totalSteps !== undefined && p.step >= p.totalSteps;
      const e: QueueCellEvent = {
        cellId,
        kind: 'progress',
        worker: name,
        ...(p.step === undefined ? {} : { step: p.step }),
        ...(p.totalSteps === undefined ? {} : { totalSteps: p.totalSteps }),
        ...(p.loss === undefined ? {} : { loss: p.loss }),
      };
      onEvent(e);
      if (!last && now - lastSent < progressIntervalMs) return;
      lastSent = now;
      const { cellId: _c, kind: _k, ...rest } = e;
      report({ kind: 'progress', worker: name, ...rest });
    };
    try {
      const result = await runCell(sweepDir, cellId, {
        signal: cell.signal,
        onProgress,
        ...(options.engine === undefined ? {} : { engine: options.engine }),
        ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      });
      if (cell.signal.aborted && (await readResult(sweepDir, cellId)) === undefined) {
        // Stopped early (shutdown or lost claim) and returned without a result.
        return await requeue();
      }
      onEvent({ cellId, kind: 'finished', worker: name, result: result as CellResult });
      return result;
    } catch (e) {
      if (e instanceof DelayedError) throw e;
      if (shutdown.signal.aborted) return await requeue();
      if (claim.lost.aborted) {
        log(`cell ${cellId}: ${(claim.lost.reason as Error).message}; leaving the cell to it`);
        return await requeue();
      }
      const message = e instanceof Error ? e.message : String(e);
      const attempts = job.opts.attempts ?? 1;
      const more = job.attemptsMade + 1 < attempts;
      onEvent({ cellId, kind: 'failed', worker: name, error: `attempt ${job.attemptsMade + 1} of ${attempts}: ${message}${more ? ' (will be retried)' : ''}` });
      throw e;
    } finally {
      shutdown.signal.removeEventListener('abort', onShutdown);
      claim.lost.removeEventListener('abort', onLost);
      await claim.release();
    }
  };

  const worker = new Worker<CellJobData>(queueName, processor, {
    connection: bullConnection(url),
    concurrency,
    lockDuration,
    stalledInterval,
    maxStalledCount,
    autorun: false,
  });
  worker.on('error', (e) => log(`worker: ${e.message}`));
  worker.on('lockRenewalFailed', (ids) => log(`worker: could not renew the lock of job(s) ${ids.join(', ')} (Redis unreachable or the event loop was blocked); the claim files keep other workers off these cells`));
  const onAbort = (): void => {
    if (!shutdown.signal.aborted) shutdown.abort(signal?.reason);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const running = worker.run();
  log(`worker ${name}: waiting for cells on ${queueName} (concurrency ${concurrency})`);
  try {
    await new Promise<void>((resolve) => {
      if (shutdown.signal.aborted) resolve();
      shutdown.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    log(`worker ${name}: shutting down${fatal === undefined ? ' (running cells checkpoint and go back to the queue)' : ''}`);
    await worker.close();
    await running.catch(() => undefined);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!worker.closing) await worker.close(true).catch(() => undefined);
  }
  if (fatal !== undefined) throw fatal;
}
