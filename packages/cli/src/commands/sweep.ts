/**
 * `contrastive sweep --config base.yaml --sweep sweep.yaml`: runs every cell of a sweep (a grid,
 * named variants, seeded random samples, seeds) as a normal run in `<out>/<name>/cells/<id>/`,
 * in local worker processes, with a live table on stderr; then writes sweep.json, results.csv,
 * results.md and comparison.html and prints the markdown table. Rerunning skips finished cells
 * and resumes interrupted ones; Ctrl-C stops the workers after their current step with a
 * checkpoint. The exit status is 1 when a cell failed, 130 after Ctrl-C.
 */
import { ArgumentError } from '@contrastive/core';
import { displayPath } from '@contrastive/experiment/node';
import { collectSweep, localExecutor, prepareSweep, runSweep, type CellExecutor } from '@contrastive/sweep/node';
import type { CliIO } from '../context.js';
import { createSweepTable } from '../sweep-table.js';

/** Options of {@link sweepCommand} (the command's flags). */
export interface SweepCommandOptions {
  readonly config: string;
  readonly sweep: string;
  /** The parent of the sweep directory (default runs/sweeps). */
  readonly out?: string;
  readonly workers?: number;
  readonly overwrite?: boolean;
  readonly dataDir?: string;
  readonly engine?: string;
  /** A Redis URL: run the cells through a Redis/BullMQ queue instead of local workers. */
  readonly queue?: string;
}

/** The executor the flags ask for. */
function executorOf(options: SweepCommandOptions): CellExecutor {
  if (options.queue !== undefined) {
    // QUEUE: the Redis/BullMQ executor (`redisExecutor` of @contrastive/sweep/node, with
    // `contrastive worker`) is wired here once it lands; until then the option is refused.
    throw new ArgumentError('--queue: the Redis/BullMQ executor is not available yet; run without --queue for local worker processes', {
      argument: '--queue',
      received: options.queue,
      expected: 'no --queue (local mode) until the distributed mode is released',
    });
  }
  return localExecutor({
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    ...(options.engine === undefined ? {} : { engine: options.engine }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  });
}

/** Runs `contrastive sweep`; returns the exit status. */
export async function sweepCommand(options: SweepCommandOptions, io: CliIO): Promise<number> {
  const executor = executorOf(options);
  const { sweepDir, plan } = await prepareSweep({
    baseConfigPath: options.config,
    sweepPath: options.sweep,
    ...(options.out === undefined ? {} : { outDir: options.out }),
    overwrite: options.overwrite === true,
  });
  const groups = new Set(plan.cells.map((c) => c.group)).size;
  io.err(`sweep ${plan.name}: ${plan.cells.length} cells (${groups} configuration group${groups === 1 ? '' : 's'}) in ${displayPath(sweepDir)}`);
  const table = createSweepTable(plan, io.progress);
  let outcome;
  try {
    outcome = await runSweep({ sweepDir, plan, executor, onEvent: table.onEvent, signal: io.stop.abortSignal });
  } finally {
    table.close();
  }
  const { markdown, files } = await collectSweep(sweepDir);
  io.out(markdown.trimEnd());
  io.err(`wrote ${files.map((f) => displayPath(f)).join(', ')}`);
  if (outcome.interrupted) {
    io.err(`stopped: ${outcome.unfinished.length} cell${outcome.unfinished.length === 1 ? '' : 's'} unfinished; rerun the same command to resume them`);
    return 130;
  }
  if (outcome.failed.length > 0) {
    io.err(`${outcome.failed.length} cell${outcome.failed.length === 1 ? '' : 's'} failed (see cells/<id>/failed.json and cell.log); rerun the same command to retry them`);
    return 1;
  }
  io.err(`${outcome.finished.length} cell${outcome.finished.length === 1 ? '' : 's'} run, ${outcome.skipped.length} already finished`);
  return 0;
}
