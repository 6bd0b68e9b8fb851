/**
 * The distributed mode of `@contrastive/sweep/node`: {@link redisExecutor} enqueues a sweep's
 * cells on Redis/BullMQ, {@link runWorker} runs them on any number of machines sharing the
 * sweep directory.
 */
export { redisExecutor, type RedisExecutorOptions } from './executor.js';
export { runWorker, type RunWorkerOptions } from './worker.js';
export {
  DEFAULT_QUEUE_NAME,
  QueueConnectionError,
  SweepDirNotFoundError,
  cellJobId,
  checkRedisUrl,
  mapSweepDir,
  parseDirFlag,
  type DirMap,
} from './options.js';
export { checkRedisReachable } from './connection.js';
export { acquireCellClaim, claimPath, type AcquireClaimOptions, type CellClaim, type ClaimInfo } from './claim.js';
export type { CellJobData, CellJobProgress, QueueCellProgress, QueueCellResult, QueueRunCell, QueueRunCellOptions } from './types.js';
