/**
 * What every command shares: where its output goes, the compute engine, and the injected
 * surroundings the experiment layer's functions take (log lines, progress bars, Ctrl-C).
 */
import { initBackend, type EngineName } from '@contrastive/backend/node';
import { ArgumentError } from '@contrastive/core';
import { shouldShowProgress } from '@contrastive/core/node';
import type { ExperimentIO } from '@contrastive/experiment';
import type { StopRequest } from './interrupt.js';
import { startProgress, type ProgressSink } from './progress.js';

/** Output streams of a command. */
export interface CliIO {
  /** Results (stdout). */
  readonly out: (line: string) => void;
  /** Diagnostics and progress (stderr). */
  readonly err: (line: string) => void;
  readonly progress: ProgressSink;
  readonly stop: StopRequest;
}

/** The `--engine` choices. */
export const ENGINE_CHOICES = ['auto', 'wasm+onednn', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'] as const;

/**
 * Starts the compute engine and returns a one-line description of it. The engine's notes (e.g. why
 * the oneDNN fast path is off and how to get it) go to `err` when given.
 */
export async function startEngine(engine: string | undefined, err?: (line: string) => void): Promise<{ engine: string; description: string }> {
  const choice = engine ?? 'auto';
  if (!(ENGINE_CHOICES as readonly string[]).includes(choice)) {
    throw new ArgumentError(`--engine must be one of ${ENGINE_CHOICES.join(', ')}, received '${choice}'`, { argument: '--engine', received: choice, expected: ENGINE_CHOICES.join(' | ') });
  }
  const report = await initBackend(choice === 'auto' ? {} : { prefer: choice as EngineName });
  for (const note of report.notes) err?.(`engine note: ${note}`);
  const details = [report.threads === null ? null : `${report.threads} thread${report.threads === 1 ? '' : 's'}`, report.simd === true ? 'SIMD' : null].filter((x) => x !== null);
  return { engine: report.engine, description: `${report.engine}${details.length > 0 ? ` (${details.join(', ')})` : ''}, tfjs ${report.tfjsVersion}` };
}

/** The command line's surroundings for an experiment function: stderr lines, terminal bars, Ctrl-C. */
export function experimentIO(io: CliIO): ExperimentIO {
  return {
    log: io.err,
    progress: (label, total, unit) => startProgress(io.progress, label, total, unit),
    trainerProgress: { stream: io.progress.stream, show: io.progress.show },
    stop: io.stop,
    downloadProgressBar: shouldShowProgress(io.progress.show, io.progress.stream),
  };
}
