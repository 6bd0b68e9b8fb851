/**
 * The results of a sweep gathered into one value ({@link summarizeSweep}): every cell with its
 * status and result, and every configuration group (cells that differ only by seed) with the
 * mean and sample standard deviation over its finished seeds.
 */
import type { CellFailure, CellResult } from './cell-result.js';
import { metricNames } from './metric-names.js';
import type { SweepPlan } from './plan.js';

/** A cell's state in a summary. */
export type CellStatus = 'finished' | 'failed' | 'pending';

/** One cell of a summary. */
export interface CellSummary {
  readonly id: string;
  readonly group: string;
  readonly variant: string;
  readonly seed: number;
  readonly values: Readonly<Record<string, unknown>>;
  readonly overrides: Readonly<Record<string, unknown>>;
  readonly status: CellStatus;
  readonly result?: CellResult;
  readonly error?: string;
}

/** Mean, sample standard deviation (n - 1; null below two values) and the values over a group's seeds. */
export interface SeedStats {
  readonly mean: number | null;
  readonly std: number | null;
  readonly n: number;
  readonly values: readonly number[];
}

/** One configuration group: the cells that differ only by seed. */
export interface GroupSummary {
  readonly group: string;
  readonly variant: string;
  readonly values: Readonly<Record<string, unknown>>;
  /** Ids of its cells, and how many finished. */
  readonly cells: readonly string[];
  readonly finished: number;
  readonly metrics: Readonly<Record<string, SeedStats>>;
  readonly finalLoss: SeedStats;
}

/** What `sweep.json` holds. */
export interface SweepSummary {
  readonly format: 'contrastive-sweep';
  readonly version: 1;
  readonly name: string;
  readonly hash: string;
  /** The metric names, in order. */
  readonly metrics: readonly string[];
  /** The dotted keys the grid or random search varies. */
  readonly keys: readonly string[];
  readonly cells: readonly CellSummary[];
  readonly groups: readonly GroupSummary[];
  /** When it was made (ISO 8601). */
  readonly generated: string;
}

/** Mean and sample standard deviation of the finite numbers among `values`. */
export function seedStats(values: readonly (number | null | undefined)[]): SeedStats {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { mean: null, std: null, n, values: xs };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = n < 2 ? null : Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { mean, std, n, values: xs };
}

/**
 * Gathers a sweep's results: `results` and `failures` by cell id (missing: pending).
 *
 * @example
 * ```ts
 * const summary = summarizeSweep(plan, new Map([[plan.cells[0].id, result]]), new Map());
 * summary.groups[0].metrics['knn.top1'].mean;
 * ```
 */
export function summarizeSweep(plan: SweepPlan, results: ReadonlyMap<string, CellResult>, failures: ReadonlyMap<string, CellFailure>, generated = new Date()): SweepSummary {
  const metrics = metricNames(plan.measure, plan.evaluations);
  const cells: CellSummary[] = plan.cells.map((c) => {
    const result = results.get(c.id);
    const failure = failures.get(c.id);
    const status: CellStatus = result !== undefined ? 'finished' : failure !== undefined ? 'failed' : 'pending';
    return {
      id: c.id,
      group: c.group,
      variant: c.variant,
      seed: c.seed,
      values: c.values,
      overrides: c.overrides,
      status,
      ...(result === undefined ? {} : { result }),
      ...(result === undefined && failure !== undefined ? { error: failure.error } : {}),
    };
  });
  const order: string[] = [];
  const byGroup = new Map<string, CellSummary[]>();
  for (const c of cells) {
    if (!byGroup.has(c.group)) {
      order.push(c.group);
      byGroup.set(c.group, []);
    }
    byGroup.get(c.group)!.push(c);
  }
  const groups = order.map((group): GroupSummary => {
    const members = byGroup.get(group)!;
    const done = members.filter((m) => m.result !== undefined);
    const first = members[0]!;
    return {
      group,
      variant: first.variant,
      values: first.values,
      cells: members.map((m) => m.id),
      finished: done.length,
      metrics: Object.fromEntries(metrics.map((name) => [name, seedStats(done.map((m) => m.result?.metrics[name]))])),
      finalLoss: seedStats(done.map((m) => m.result?.finalLoss)),
    };
  });
  const keys = Object.keys(plan.spec.random?.space ?? plan.spec.grid ?? {});
  return { format: 'contrastive-sweep', version: 1, name: plan.name, hash: plan.hash, metrics, keys, cells, groups, generated: generated.toISOString() };
}
