/**
 * The contract between the queue mode and the rest of `@contrastive/sweep`: the cell runner's
 * shape (structural and minimal, so that `runCell` of `@contrastive/sweep/node` fits it and the
 * tests can inject a fake one), the executor types (the sweep package's own), and what travels
 * through Redis.
 */
import type { CellEvent } from '../../cell-result.js';
import type { CellExecutor, CellExecutorInput } from '../executor.js';

/** Progress of a running cell, as its runner reports it. */
export interface QueueCellProgress {
  /** Steps done. */
  readonly step?: number;
  /** Steps of the whole cell. */
  readonly totalSteps?: number;
  /** Latest training loss. */
  readonly loss?: number;
}

/**
 * The result of a finished cell (the contents of `cells/<id>/result.json`, a `CellResult` with
 * the real `runCell`); the queue passes it on without looking into it.
 */
export type QueueCellResult = unknown;

/** Options the queue passes to the cell runner. */
export interface QueueRunCellOptions {
  /** Aborted when the worker shuts down (the runner checkpoints and stops) or loses its claim. */
  signal?: AbortSignal;
  /** Called with the cell's progress (forwarded to the job, then to the enqueuing machine). */
  onProgress?: (p: QueueCellProgress) => void;
  /** Compute engine name. */
  engine?: string;
  /** Overrides the configuration's `data.dir`. */
  dataDir?: string;
}

/**
 * Runs one cell of the sweep in `sweepDir` to completion: idempotent (returns the existing
 * `cells/<id>/result.json`), resumes from the cell's checkpoint, writes its result atomically.
 * `runCell` of `@contrastive/sweep/node` has this shape.
 */
export type QueueRunCell = (sweepDir: string, cellId: string, options?: QueueRunCellOptions) => Promise<QueueCellResult>;

/** A cell's life as reported by an executor: the sweep package's `CellEvent`. */
export type QueueCellEvent = CellEvent;

/** Input of a cell executor: the sweep package's `CellExecutorInput`. */
export type QueueExecutorInput = CellExecutorInput;

/** A cell executor: the sweep package's `CellExecutor`. */
export type QueueCellExecutor = CellExecutor;

/** The data of one BullMQ job: one cell of one sweep. */
export interface CellJobData {
  /** The sweep directory, absolute, as the enqueuing machine sees it. */
  readonly sweepDir: string;
  readonly cellId: string;
  /** The sweep's name (for log lines). */
  readonly sweepName?: string;
}

/** What a worker reports through `job.updateProgress` (and the executor turns into events). */
export interface CellJobProgress {
  readonly kind: 'started' | 'progress';
  readonly worker: string;
  readonly step?: number;
  readonly totalSteps?: number;
  readonly loss?: number;
}
