/**
 * The executor contract: how the cells of a prepared sweep get run (local worker processes,
 * or a Redis/BullMQ queue read by workers on other machines).
 */
import type { CellEvent } from '../cell-result.js';
import type { SweepPlan } from '../plan.js';

/** What an executor is given. */
export interface CellExecutorInput {
  readonly sweepDir: string;
  readonly plan: SweepPlan;
  /** Receives every cell's events (queued, started, progress, finished, failed, skipped). */
  readonly onEvent: (e: CellEvent) => void;
  /** Stops the running cells cleanly (they resume on the next run) and starts no others. */
  readonly signal?: AbortSignal;
}

/**
 * Runs every unfinished cell of a prepared sweep; resolves when each cell has finished, failed
 * or (after `signal`) stopped. A failed cell does not stop the others.
 */
export type CellExecutor = (input: CellExecutorInput) => Promise<void>;
