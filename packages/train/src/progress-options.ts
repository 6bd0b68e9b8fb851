/**
 * The progress bar's options and number format, platform-neutral; the bar itself (cli-progress,
 * a terminal) is in `@contrastive/train/node`.
 */
import type { MaybeTerminal, ShowProgress } from '@contrastive/core';

/** A stream the bar can draw on: anything with `write` (Node's `process.stderr`, a `Writable`). */
export interface ProgressStream extends MaybeTerminal {
  write(chunk: string): unknown;
}

/** Where and whether to draw the bar. */
export interface ProgressBarOptions {
  /** The stream to draw on (a Node.js writable stream, e.g. `process.stdout`). Default `process.stderr`. */
  readonly stream?: ProgressStream;
  /** `'auto'` (default): only when the stream is a TTY. `true`: always. `false`: never. */
  readonly show?: ShowProgress;
}

/** The values shown after the bar. */
export interface ProgressValues {
  readonly loss: number;
  readonly learningRate: number;
  readonly imagesPerSecond: number;
}

/** Formats a number for the bar: 4 significant digits, exponent for tiny or huge values. */
export function formatMetric(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return value.toExponential(2);
  return value.toPrecision(4);
}

