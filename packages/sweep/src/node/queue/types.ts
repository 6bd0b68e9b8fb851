/**
 * The structural contract between the queue mode and the rest of `@contrastive/sweep`: a cell
 * runner, the plan and the events of a cell executor. These are local, minimal shapes (the sweep
 * package's own `runCell`, `SweepPlan`, `CellEvent` and `CellExecutor` are assignable to them),
 * so the queue can be tested with a fake cell runner and does not depend on the sweep module's
 * internals.
 */

/** Progress of a running cell, as its runner reports it. */
export interface QueueCellProgress {
  /** Steps done. */
  readonly step?: number;
  /** Steps of the whole cell. */
  readonly totalSteps?: number;
  /** Latest training loss. */
  readonly loss?: number;
}

/** The result of a finished cell (the contents of `cells/<id>/result.json`); opaque to the queue. */
export type QueueCellResult = unknown;

/** Options the queue passes to the cell runner. */
export interface QueueRunCellOptions {
  /** Aborted when the worker shuts down (the runner checkpoints and stops) or loses its claim. */
  signal?: AbortSignal;
  /** Called with the cell's progress (forwarded to the job, then to the enqueuing machine). */
  onProgress?: (p: QueueCellProgress) => void;
  /** Compute engine name. */
  engine?: string;
}

/**
 * Runs one cell of the sweep in `sweepDir` to completion: idempotent (returns the existing
 * `cells/<id>/result.json`), resumes from the cell's checkpoint, writes its result atomically.
 * `runCell` of `@contrastive/sweep/node` has this shape.
 */
export type QueueRunCell = (sweepDir: string, cellId: string, options?: QueueRunCellOptions) => Promise<QueueCellResult>;

/** What the queue needs of a sweep plan: its name and its cells' ids. */
export interface QueueSweepPlan {
  readonly name: string;
  readonly cells: readonly { readonly id: string }[];
}

/** A cell's life as reported by an executor (the shape of the sweep package's `CellEvent`). */
export interface QueueCellEvent {
  readonly cellId: string;
  readonly kind: 'queued' | 'started' | 'progress' | 'finished' | 'failed' | 'skipped';
  /** The worker that runs the cell (`host:pid` or the name given to `runWorker`). */
  readonly worker?: string;
  readonly step?: number;
  readonly totalSteps?: number;
  readonly loss?: number;
  /** With `finished` and `skipped`: the cell's result. */
  readonly result?: QueueCellResult;
  /** With `failed`: why. */
  readonly error?: string;
}

/** Input of a cell executor (the shape of the sweep package's `CellExecutor` input). */
export interface QueueExecutorInput {
  readonly sweepDir: string;
  readonly plan: QueueSweepPlan;
  readonly onEvent: (e: QueueCellEvent) => void;
  readonly signal?: AbortSignal;
}

/** Runs (or has run) every cell of a plan (the shape of the sweep package's `CellExecutor`). */
export type QueueCellExecutor = (input: QueueExecutorInput) => Promise<void>;

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
