/**
 * Running a prepared sweep with an executor, and what came of it.
 */
import type { CellEvent } from '../cell-result.js';
import type { SweepPlan } from '../plan.js';
import type { CellExecutor } from './executor.js';

/** Options of {@link runSweep}. */
export interface RunSweepOptions {
  readonly sweepDir: string;
  readonly plan: SweepPlan;
  readonly executor: CellExecutor;
  /** Receives every cell event as the executor reports it. */
  readonly onEvent?: (e: CellEvent) => void;
  /** Stops the sweep cleanly: running cells checkpoint and resume on the next run. */
  readonly signal?: AbortSignal;
}

/** What {@link runSweep} returns: the cells by how this run left them. */
export interface RunSweepOutcome {
  /** Cells finished in this run. */
  readonly finished: readonly string[];
  /** Cells already finished before (skipped). */
  readonly skipped: readonly string[];
  /** Cells that failed, with the error. */
  readonly failed: readonly { readonly cellId: string; readonly error: string }[];
  /** Cells not finished (stopped, or never started because the sweep was stopped). */
  readonly unfinished: readonly string[];
  /** True when the sweep was stopped by `signal`. */
  readonly interrupted: boolean;
}

/**
 * Runs every unfinished cell of `plan` with `executor`. A failed cell does not stop the others.
 *
 * @example
 * ```ts
 * const outcome = await runSweep({ sweepDir, plan, executor: localExecutor({ workers: 2 }) });
 * await collectSweep(sweepDir);
 * process.exitCode = outcome.failed.length > 0 ? 1 : 0;
 * ```
 */
export async function runSweep(o: RunSweepOptions): Promise<RunSweepOutcome> {
  const last = new Map<string, CellEvent>();
  await o.executor({
    sweepDir: o.sweepDir,
    plan: o.plan,
    onEvent: (e) => {
      if (e.kind !== 'progress' || last.get(e.cellId)?.kind !== 'finished') last.set(e.cellId, e);
      o.onEvent?.(e);
    },
    ...(o.signal === undefined ? {} : { signal: o.signal }),
  });
  const finished: string[] = [];
  const skipped: string[] = [];
  const failed: { cellId: string; error: string }[] = [];
  const unfinished: string[] = [];
  for (const cell of o.plan.cells) {
    const e = last.get(cell.id);
    if (e?.kind === 'finished') finished.push(cell.id);
    else if (e?.kind === 'skipped') skipped.push(cell.id);
    else if (e?.kind === 'failed') failed.push({ cellId: cell.id, error: e.error ?? 'failed' });
    else unfinished.push(cell.id);
  }
  return { finished, skipped, failed, unfinished, interrupted: o.signal?.aborted === true };
}
