/**
 * `redisExecutor`: the enqueuing side of the distributed mode. It adds one BullMQ job per
 * unfinished cell and waits until every one has completed or failed for good, forwarding the
 * workers' progress as cell events. It never runs a cell itself.
 */
import path from 'node:path';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { bullConnection, checkRedisReachable } from './connection.js';
import type { CellResult } from '../../cell-result.js';
import { readCellResult } from '../sweep-dir.js';
import { DEFAULT_QUEUE_NAME, cellJobId, checkFunction, checkInt, checkOptionsObject, checkQueueName, checkRedisUrl } from './options.js';
import type { CellJobData, CellJobProgress, QueueCellEvent, QueueCellExecutor, QueueExecutorInput } from './types.js';

/** Options of {@link redisExecutor}. */
export interface RedisExecutorOptions {
  /** The Redis server, e.g. `redis://localhost:6379` (`rediss://` for TLS; a password goes in the URL). */
  readonly url: string;
  /** BullMQ queue name; workers must use the same (default `contrastive-sweep`). */
  readonly queueName?: string;
  /** Tries per cell before it fails for good (default 3). A dead worker's stall does not count. */
  readonly attempts?: number;
  /** First retry delay in ms, doubled at every retry (default 10000). */
  readonly backoffMs?: number;
  /** How often, in ms, the job states are also polled, besides the event stream (default 5000). */
  readonly pollMs?: number;
  /** Lines about the queue itself (connected, re-attached jobs, a cell retried). */
  readonly log?: (line: string) => void;
}

const EXECUTOR_KEYS = ['url', 'queueName', 'attempts', 'backoffMs', 'pollMs', 'log'] as const;

/** The job options of a cell's job. */
function jobOptions(jobId: string, attempts: number, backoffMs: number): Parameters<Queue['add']>[2] {
  return {
    jobId,
    attempts,
    backoff: { type: 'exponential', delay: backoffMs },
    // Keep finished jobs a week: re-running the sweep re-attaches to them instead of adding new ones.
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: { age: 30 * 24 * 3600 },
  };
}

function progressEvent(cellId: string, data: unknown): QueueCellEvent | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const p = data as Partial<CellJobProgress>;
  if (p.kind !== 'started' && p.kind !== 'progress') return undefined;
  return {
    cellId,
    kind: p.kind,
    ...(typeof p.worker === 'string' ? { worker: p.worker } : {}),
    ...(typeof p.step === 'number' ? { step: p.step } : {}),
    ...(typeof p.totalSteps === 'number' ? { totalSteps: p.totalSteps } : {}),
    ...(typeof p.loss === 'number' ? { loss: p.loss } : {}),
  };
}

/**
 * A cell executor that runs a sweep on Redis/BullMQ workers (`contrastive worker`, or
 * {@link runWorker}) on any number of machines that share the sweep directory.
 *
 * Every cell without a `cells/<id>/result.json` becomes one job, id {@link cellJobId} (so
 * running the sweep again re-attaches to the jobs still queued or running instead of adding
 * them twice; a cell whose job failed for good is retried with fresh attempts; one whose job
 * completed but whose result is missing is queued again), data `{ sweepDir, cellId }` with
 * `sweepDir` absolute. The executor then waits until every cell has completed or failed for
 * good, turning the workers' progress into `started` / `progress` events and the outcomes into
 * `finished` / `failed` events; cells already done give `skipped`. Aborting `signal` stops the
 * waiting only: the jobs stay queued and the workers go on; the executor then resolves (like the
 * local executor; `runSweep` reports the cells as unfinished and the sweep as interrupted), and
 * running the sweep again re-attaches to the same jobs.
 *
 * @example
 * ```ts
 * const executor = redisExecutor({ url: 'redis://queue-host:6379' });
 * await executor({ sweepDir: '/shared/sweeps/lr', plan, onEvent: (e) => console.error(e) });
 * ```
 */
export function redisExecutor(options: RedisExecutorOptions): QueueCellExecutor {
  checkOptionsObject('redisExecutor', options, EXECUTOR_KEYS);
  const url = checkRedisUrl(options.url, 'url');
  const queueName = checkQueueName(options.queueName ?? DEFAULT_QUEUE_NAME, 'queueName');
  const attempts = checkInt(options.attempts, 'attempts', 1) ?? 3;
  const backoffMs = checkInt(options.backoffMs, 'backoffMs', 0) ?? 10_000;
  const pollMs = checkInt(options.pollMs, 'pollMs', 50) ?? 5000;
  checkFunction(options.log, 'log');
  const log = options.log ?? (() => undefined);

  return async ({ sweepDir: givenDir, plan, onEvent, signal }: QueueExecutorInput): Promise<void> => {
    if (signal?.aborted) return;
    const sweepDir = path.resolve(givenDir);
    await checkRedisReachable(url, 'url');
    const connection = bullConnection(url);
    const queue = new Queue<CellJobData>(queueName, { connection });
    const events = new QueueEvents(queueName, { connection });
    queue.on('error', (e) => log(`queue: redis error: ${e.message}`));
    events.on('error', (e) => log(`queue: redis error: ${e.message}`));
    /** jobId -> cellId of the cells still waited for. */
    const pending = new Map<string, string>();
    /** jobId -> the worker that last reported progress. */
    const lastWorker = new Map<string, string>();
    let wake: () => void = () => undefined;
    const settle = async (jobId: string, outcome: { ok: true; returnvalue?: unknown } | { ok: false; error: string }): Promise<void> => {
      const cellId = pending.get(jobId);
      if (cellId === undefined) return;
      pending.delete(jobId);
      if (outcome.ok) {
        const result = (await readCellResult(sweepDir, cellId).catch(() => undefined)) ?? (outcome.returnvalue as CellResult | undefined);
        const worker = lastWorker.get(jobId);
        onEvent({
          cellId,
          kind: 'finished',
          ...(worker === undefined ? {} : { worker }),
          ...(result === undefined || result === null ? {} : { result, step: result.steps, totalSteps: result.totalSteps }),
        });
      } else {
        onEvent({ cellId, kind: 'failed', error: outcome.error });
      }
      if (pending.size === 0) wake();
    };
    try {
      // Subscribe first: every completion after this point arrives as an event.
      await events.waitUntilReady();
      await queue.waitUntilReady();
      events.on('progress', ({ jobId, data }) => {
        const cellId = pending.get(jobId);
        const e = cellId === undefined ? undefined : progressEvent(cellId, data);
        if (e === undefined) return;
        if (e.worker !== undefined) lastWorker.set(jobId, e.worker);
        onEvent(e);
      });
      events.on('completed', ({ jobId, returnvalue }) => void settle(jobId, { ok: true, returnvalue }));
      events.on('failed', ({ jobId, failedReason }) => void settle(jobId, { ok: false, error: failedReason }));
      events.on('stalled', ({ jobId }) => {
        const cellId = pending.get(jobId);
        if (cellId !== undefined) log(`queue: cell ${cellId}: its worker stopped renewing the job's lock (dead or blocked); the job goes back to the queue`);
      });

      let added = 0;
      let attached = 0;
      for (const cell of plan.cells) {
        if (signal?.aborted) return;
        const done = await readCellResult(sweepDir, cell.id);
        if (done !== undefined) {
          onEvent({ cellId: cell.id, kind: 'skipped', result: done });
          continue;
        }
        const jobId = cellJobId(plan.name, sweepDir, cell.id);
        pending.set(jobId, cell.id);
        const data: CellJobData = { sweepDir, cellId: cell.id, sweepName: plan.name };
        const existing = (await queue.getJob(jobId)) as Job<CellJobData> | undefined;
        const state = existing === undefined ? 'missing' : await existing.getState();
        if (existing === undefined || state === 'unknown') {
          await queue.add(cell.id, data, jobOptions(jobId, attempts, backoffMs));
          added++;
        } else if (state === 'failed') {
          log(`queue: cell ${cell.id} failed for good in an earlier run (${existing.failedReason}); retrying it`);
          await existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
          added++;
        } else if (state === 'completed') {
          // Completed, but no result here (deleted, or another directory): run it again.
          await existing.remove();
          await queue.add(cell.id, data, jobOptions(jobId, attempts, backoffMs));
          added++;
        } else {
          attached++;
        }
        onEvent({ cellId: cell.id, kind: 'queued' });
      }
      log(`queue: ${added} cell${added === 1 ? '' : 's'} enqueued${attached > 0 ? `, ${attached} already queued or running (re-attached)` : ''} on ${queueName}`);

      // Wait for the events, polling the states too (a safety net for events lost to a reconnect).
      while (pending.size > 0) {
        if (signal?.aborted) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, pollMs);
          function done(): void {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            wake = () => undefined;
            resolve();
          }
          wake = done;
          signal?.addEventListener('abort', done, { once: true });
        });
        if (signal?.aborted) break;
        for (const [jobId, cellId] of [...pending]) {
          const job = (await queue.getJob(jobId)) as Job<CellJobData> | undefined;
          if (job === undefined) {
            log(`queue: the job of cell ${cellId} disappeared from the queue; adding it again`);
            await queue.add(cellId, { sweepDir, cellId, sweepName: plan.name }, jobOptions(jobId, attempts, backoffMs));
            continue;
          }
          const state = await job.getState();
          if (state === 'completed') await settle(jobId, { ok: true, returnvalue: job.returnvalue });
          else if (state === 'failed') await settle(jobId, { ok: false, error: job.failedReason });
        }
      }
    } finally {
      await events.close().catch(() => undefined);
      await queue.close().catch(() => undefined);
    }
  };
}
