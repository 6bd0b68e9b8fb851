/**
 * What a finished cell leaves in `cells/<id>/result.json`, and what the executors report while
 * cells run.
 */

/** The `result.json` of a finished cell. */
export interface CellResult {
  readonly format: 'contrastive-sweep-cell';
  readonly version: 1;
  readonly cellId: string;
  /** Measured values by metric name: `knn.top1`, `linear.top1`, `alignment`, `uniformity`; with named evaluations `h/knn.top1`. */
  readonly metrics: Readonly<Record<string, number | null>>;
  /** Loss of the last training step (from the run's metrics log). */
  readonly finalLoss: number | null;
  /** Training steps done, and the run's length. */
  readonly steps: number;
  readonly totalSteps: number;
  /** Wall time of training and evaluation, summed over attempts (s). */
  readonly wallSeconds: number;
  /** How many times the cell was started (1 when it ran through at once). */
  readonly attempts: number;
  /** The engine of the attempt that finished it. */
  readonly engine: string;
  /** When it finished (ISO 8601). */
  readonly finished: string;
}

/** Progress of a running cell. */
export interface CellProgress {
  readonly cellId: string;
  readonly phase: 'train' | 'eval';
  readonly step: number;
  readonly totalSteps: number;
  readonly loss?: number;
}

/** Something that happened to a cell, as executors report it. */
export interface CellEvent {
  readonly cellId: string;
  readonly kind: 'queued' | 'started' | 'progress' | 'finished' | 'failed' | 'skipped';
  /** Which worker runs it (a local worker's number, or a queue worker's name). */
  readonly worker?: string;
  readonly step?: number;
  readonly totalSteps?: number;
  readonly loss?: number;
  readonly result?: CellResult;
  readonly error?: string;
}

/** The `failed.json` a cell leaves when its last attempt failed (removed when it finishes). */
export interface CellFailure {
  readonly format: 'contrastive-sweep-cell-failure';
  readonly cellId: string;
  readonly error: string;
  readonly attempts: number;
  readonly time: string;
}
