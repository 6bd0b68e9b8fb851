/**
 * Resume bookkeeping: where a run is (step, epoch, batches done in the epoch, the epoch's running
 * totals) as a value. A checkpoint stores it (`positionMeta`) and a resume reads it back
 * (`positionFromCheckpoint`), so a resumed run continues mid-epoch with the same epoch means.
 */
import { CheckpointError } from '@contrastive/core';
import type { EpochInfo } from './trainer-types.js';

/** The running totals of the epoch in progress (steps before a resume included). */
export interface EpochTotals {
  readonly lossSum: number;
  readonly lossCount: number;
  readonly steps: number;
  readonly images: number;
  readonly seconds: number;
}

/** Where a run is. */
export interface RunPosition {
  /** Steps done over all sessions. */
  readonly step: number;
  /** 0-based epoch in progress. */
  readonly epoch: number;
  /** Batches of `epoch` already consumed. */
  readonly stepInEpoch: number;
  readonly totals: EpochTotals;
}

const NO_TOTALS: EpochTotals = { lossSum: 0, lossCount: 0, steps: 0, images: 0, seconds: 0 };

/** The position of a fresh run. */
export const START: RunPosition = { step: 0, epoch: 0, stepInEpoch: 0, totals: NO_TOTALS };

/** The position after one more step of `batchSize` samples (a skipped step adds no loss). */
export function advanceStep(p: RunPosition, step: { readonly batchSize: number; readonly loss: number; readonly skipped: boolean }): RunPosition {
  const t = p.totals;
  return {
    step: p.step + 1,
    epoch: p.epoch,
    stepInEpoch: p.stepInEpoch + 1,
    totals: {
      lossSum: t.lossSum + (step.skipped ? 0 : step.loss),
      lossCount: t.lossCount + (step.skipped ? 0 : 1),
      steps: t.steps + 1,
      images: t.images + step.batchSize,
      seconds: t.seconds,
    },
  };
}

/** Ends the epoch in progress after `seconds` more of wall time: its summary and the next epoch's start. */
export function endEpoch(p: RunPosition, seconds: number): { readonly info: EpochInfo; readonly next: RunPosition } {
  const t = p.totals;
  const total = t.seconds + seconds;
  const info: EpochInfo = {
    epoch: p.epoch,
    steps: t.steps,
    meanLoss: t.lossCount > 0 ? t.lossSum / t.lossCount : Number.NaN,
    seconds: total,
    imagesPerSecond: total > 0 ? t.images / total : 0,
  };
  return { info, next: { step: p.step, epoch: p.epoch + 1, stepInEpoch: 0, totals: NO_TOTALS } };
}

/** What a checkpoint's `meta` holds of the position (step and epoch have their own fields). */
export function positionMeta(p: RunPosition): { readonly stepInEpoch: number; readonly epochTotals: EpochTotals } {
  const t = p.totals;
  return { stepInEpoch: p.stepInEpoch, epochTotals: { lossSum: t.lossSum, lossCount: t.lossCount, steps: t.steps, images: t.images, seconds: t.seconds } };
}

function isNumberRecord(v: unknown): v is Record<string, number> {
  return typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'number');
}

/**
 * The position stored in a checkpoint manifest (`step`, `epoch`, `meta.stepInEpoch`,
 * `meta.epochTotals`). Throws CheckpointError naming the checkpoint when it lacks them.
 */
export function positionFromCheckpoint(where: string, path: string, manifest: { readonly step: number; readonly epoch: number; readonly meta: Readonly<Record<string, unknown>> }): RunPosition {
  const stepInEpoch = manifest.meta['stepInEpoch'];
  const totals = manifest.meta['epochTotals'];
  if (typeof stepInEpoch !== 'number' || !Number.isSafeInteger(stepInEpoch) || stepInEpoch < 0 || !isNumberRecord(totals)) {
    throw new CheckpointError(`${where}: checkpoint ${path} lacks the trainer's position (meta.stepInEpoch, meta.epochTotals)`, {
      argument: 'meta',
      received: manifest.meta,
    });
  }
  return {
    step: manifest.step,
    epoch: manifest.epoch,
    stepInEpoch,
    totals: {
      lossSum: totals['lossSum'] ?? 0,
      lossCount: totals['lossCount'] ?? 0,
      steps: totals['steps'] ?? 0,
      images: totals['images'] ?? 0,
      seconds: totals['seconds'] ?? 0,
    },
  };
}
