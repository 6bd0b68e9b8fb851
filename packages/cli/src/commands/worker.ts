/**
 * `contrastive worker --queue redis://host:6379`: runs sweep cells from a Redis/BullMQ queue
 * (filled by `contrastive sweep --queue ...` on any machine) until stopped. The sweep directories
 * must be on a filesystem this machine shares with the enqueuing one (`--dir` maps the path when
 * it is mounted elsewhere). Ctrl-C / SIGTERM: the running cells checkpoint and their jobs go back
 * to the queue (another worker, or this one restarted, resumes them); exit status 130 / 143.
 */
import { DEFAULT_QUEUE_NAME, checkRedisReachable, checkRedisUrl, describeEvent, parseDirFlag, runCell, runWorker, type DirMap } from '@contrastive/sweep/node';
import type { CliIO } from '../context.js';

/** Options of {@link workerCommand} (the command's flags). */
export interface WorkerCommandOptions {
  /** Redis URL. */
  readonly queue: string;
  readonly queueName?: string;
  readonly concurrency?: number;
  /** `--dir` values: `TO` or `FROM=TO`. */
  readonly dir?: readonly string[];
  readonly name?: string;
  readonly lockDuration?: number;
  readonly stalledInterval?: number;
  readonly claimStale?: number;
  readonly dataDir?: string;
  readonly engine?: string;
}

/** Runs `contrastive worker`; returns the exit status (0 when stopped without a signal, 130 after one). */
export async function workerCommand(options: WorkerCommandOptions, io: CliIO): Promise<number> {
  const dirMap: DirMap[] = (options.dir ?? []).map(parseDirFlag);
  checkRedisUrl(options.queue, '--queue');
  await checkRedisReachable(options.queue, '--queue');
  await runWorker({
    url: options.queue,
    queueName: options.queueName ?? DEFAULT_QUEUE_NAME,
    runCell,
    signal: io.stop.abortSignal,
    onEvent: (e) => io.err(describeEvent(e)),
    log: io.err,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(dirMap.length === 0 ? {} : { dirMap }),
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.lockDuration === undefined ? {} : { lockDuration: options.lockDuration }),
    ...(options.stalledInterval === undefined ? {} : { stalledInterval: options.stalledInterval }),
    ...(options.claimStale === undefined ? {} : { claimStaleMs: options.claimStale * 1000 }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.engine === undefined ? {} : { engine: options.engine }),
  });
  if (io.stop.requested) {
    io.err('worker stopped; the cells it was running (if any) are back in the queue and resume from their checkpoints');
    return 130;
  }
  return 0;
}
