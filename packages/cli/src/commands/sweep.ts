/**
 * `contrastive sweep --config base.yaml --sweep sweep.yaml`: runs every cell of a sweep (a grid,
 * named variants, seeded random samples, seeds) as a normal run in `<out>/<name>/cells/<id>/`,
 * in local worker processes (or, with `--queue redis://...`, as Redis/BullMQ jobs that
 * `contrastive worker` processes on any machine sharing the directory run), with a live table on stderr; then writes sweep.json, results.csv,
 * results.md and comparison.html and prints the markdown table. Rerunning skips finished cells
 * and resumes interrupted ones; Ctrl-C stops the workers after their current step with a
 * checkpoint. The exit status is 1 when a cell failed, 130 after Ctrl-C.
 */
import { ArgumentError } from '@contrastive/core';
import { displayPath } from '@contrastive/experiment/node';
import { checkRedisReachable, checkRedisUrl, collectSweep, localExecutor, prepareSweep, redisExecutor, runSweep, type CellExecutor } from '@contrastive/sweep/node';
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
  /** With `queue`: the BullMQ queue name (default contrastive-sweep). */
  readonly queueName?: string;
}

/** The executor the flags ask for. */
function executorOf(options: SweepCommandOptions, io: CliIO): CellExecutor {
  if (options.queue !== undefined) {
    // Distributed mode: the cells become BullMQ jobs that `contrastive worker` processes run.
    if (options.workers !== undefined) {
      throw new ArgumentError('--workers applies to local worker processes; with --queue, start `contrastive worker --queue ...` processes instead', {
        argument: '--workers',
        received: options.workers,
        expected: 'no --workers with --queue',
      });
    }
    return redisExecutor({ url: options.queue, ...(options.queueName === undefined ? {} : { queueName: options.queueName }), log: io.err });
  }
  if (options.queueName !== undefined) {
    throw new ArgumentError('--queue-name needs --queue <redis-url>', { argument: '--queue-name', received: options.queueName, expected: 'with --queue' });
  }
  return localExecutor({
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    ...(options.engine === undefined ? {} : { engine: options.engine }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  });
}

/** Runs `contrastive sweep`; returns the exit status. */
export async function sweepCommand(options: SweepCommandOptions, io: CliIO): Promise<number> {
  const executor = executorOf(options, io);
  if (options.queue !== undefined) {
    // Before anything is written: an unreachable Redis is a usage error (status 2), not a half-made sweep.
    checkRedisUrl(options.queue, '--queue');
    await checkRedisReachable(options.queue, '--queue');
  }
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
    io.err(
      options.queue === undefined
        ? `stopped: ${outcome.unfinished.length} cell${outcome.unfinished.length === 1 ? '' : 's'} unfinished; rerun the same command to resume them`
        : `stopped waiting: ${outcome.unfinished.length} cell${outcome.unfinished.length === 1 ? '' : 's'} unfinished; their jobs stay queued and the workers go on; rerun the same command to wait for them again`,
    );
    return 130;
  }
  if (outcome.failed.length > 0) {
    io.err(`${outcome.failed.length} cell${outcome.failed.length === 1 ? '' : 's'} failed (see cells/<id>/failed.json and cell.log); rerun the same command to retry them`);
    return 1;
  }
  io.err(`${outcome.finished.length} cell${outcome.finished.length === 1 ? '' : 's'} run, ${outcome.skipped.length} already finished`);
  return 0;
}
