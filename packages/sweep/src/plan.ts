/**
 * The plan of a sweep: every cell with its id, its overrides and its fully resolved, validated
 * run configuration. A plan is made once ({@link planSweep}) and stored in the sweep directory,
 * so any process that knows the directory and a cell id can run that cell.
 */
import type { RunConfig } from '@contrastive/experiment';
import type { Measure, SweepSpec } from './sweep-spec.js';

/** One cell of a sweep: one training run and its evaluations. */
export interface CellPlan {
  /** Readable, unique, directory-safe id, e.g. `linear-head.temperature=0.1.seed=0`. */
  readonly id: string;
  /** The id of the cell's configuration group (the id without `.seed=N`): cells that differ only by seed. */
  readonly group: string;
  /** The variant's name, or `'base'`. */
  readonly variant: string;
  /** The run's seed. */
  readonly seed: number;
  /** Index of the random sample, when the sweep samples at random. */
  readonly sample?: number;
  /** The grid or random values of the cell, by dotted configuration key. */
  readonly values: Readonly<Record<string, unknown>>;
  /** What the sweep sets in this cell, by dotted key: the variant's `set`, the grid or random values, and the seed. */
  readonly overrides: Readonly<Record<string, unknown>>;
  /** The cell's validated run configuration, every default filled in. */
  readonly config: RunConfig;
}

/** A named evaluation of each cell's trained encoder: a partial `eval` section. */
export interface EvaluationPlan {
  /** The name metrics are prefixed with (`h/knn.top1`); `''` for the single default evaluation. */
  readonly name: string;
  /** The partial `eval` section laid onto each cell's. */
  readonly set: Readonly<Record<string, unknown>>;
}

/** The plan of a whole sweep. */
export interface SweepPlan {
  readonly format: 'contrastive-sweep-plan';
  readonly version: 1;
  readonly name: string;
  /** Hash of the sweep file and the base configuration as given (see `sweep.yaml`). */
  readonly hash: string;
  /** The base configuration, resolved. */
  readonly base: RunConfig;
  readonly spec: SweepSpec;
  readonly measure: readonly Measure[];
  /** The evaluations of every cell: the spec's `evaluate` entries, or one unnamed default. */
  readonly evaluations: readonly EvaluationPlan[];
  readonly cells: readonly CellPlan[];
}
