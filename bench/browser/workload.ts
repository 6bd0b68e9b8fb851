/**
 * The timed workload, the same code in the browser page and in Node's child processes: the main
 * job's parts (`MAIN_CONFIG` of @contrastive/cli through `parseConfig` and `buildRunParts` of
 * @contrastive/experiment: ResNet-18 with the CIFAR stem at its width multiplier, the SimCLR v1
 * head, SimCLR's augmentation at CIFAR-10 settings, NT-Xent tau 0.5, AdamW with the warm-up cosine
 * schedule) trained by the Trainer of @contrastive/train on one batch of random 32x32x3 images in
 * [0, 1] given again every step. One step = augmenting two views, forward, backward, update, and
 * the Trainer's one loss read-back. Start the engine before calling it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@contrastive/core';
import { MAIN_CONFIG } from '@contrastive/cli';
import { buildOptimizer, buildRunParts, buildSchedule, describeEncoder, parseConfig } from '@contrastive/experiment';
import { Trainer } from '@contrastive/train';
import { repeatRates } from './format.js';

/** What to run. */
export interface WorkloadOptions {
  readonly batch: number;
  readonly warmup: number;
  /** Steps per timed repeat. */
  readonly steps: number;
  readonly repeats: number;
  /** Stop after the repeat during which this many seconds of timed steps have passed (at least one repeat runs). */
  readonly budgetSeconds: number;
  /** Width multiplier of the encoder; default the main job's. */
  readonly widthMultiplier?: number;
  /** Called after each step with its seconds (Trainer's `StepInfo.seconds`) and loss. */
  readonly onStep?: (seconds: number, loss: number) => void;
}

/** What it measured. */
export interface WorkloadResult {
  readonly encoder: string;
  readonly params: number;
  /** Steps per second of each finished repeat. */
  readonly rates: number[];
  /** Seconds of each step, warm-up included. */
  readonly stepSeconds: number[];
  readonly losses: number[];
  readonly numTensorsLeaked: number;
}

export async function runWorkload(o: WorkloadOptions): Promise<WorkloadResult> {
  const base = parseConfig(MAIN_CONFIG, 'MAIN_CONFIG');
  const config = o.widthMultiplier === undefined ? base : parseConfig({ ...MAIN_CONFIG, encoder: { ...(MAIN_CONFIG.encoder as object), widthMultiplier: o.widthMultiplier } }, 'MAIN_CONFIG');
  const total = o.warmup + o.steps * o.repeats;
  const scheduleSteps = config.train.maxSteps ?? 1200; // the cosine schedule's span, as in the main job
  const parts = buildRunParts(config, 50_000, scheduleSteps);
  const images = tf.tensor4d(Rng.fromSeed(config.seed).uniformArray(o.batch * 32 * 32 * 3), [o.batch, 32, 32, 3]);
  const ends: number[] = [];
  const stepSeconds: number[] = [];
  const losses: number[] = [];
  let tensorsAfterWarmup = -1;
  let start = 0;
  const trainer = new Trainer<unknown>({
    strategy: parts.strategy,
    data: Array.from({ length: total }, () => ({ images })),
    epochs: 1,
    optimizer: buildOptimizer(config),
    learningRate: buildSchedule(config, scheduleSteps),
    seed: config.seed,
    disposeBatches: false,
    callbacks: {
      onStepEnd: (info) => {
        ends.push(performance.now());
        stepSeconds.push(info.seconds);
        losses.push(info.loss);
        o.onStep?.(info.seconds, info.loss);
        if (info.step === o.warmup) tensorsAfterWarmup = tf.memory().numTensors;
      },
      // Stop at the end of a repeat once the time budget of the timed steps is spent.
      shouldStop: (info) => {
        const timed = info.step - o.warmup;
        if (timed <= 0 || timed % o.steps !== 0) return false;
        const t0 = o.warmup === 0 ? start : (ends[o.warmup - 1] as number);
        return (performance.now() - t0) / 1000 >= o.budgetSeconds;
      },
    },
  });
  start = performance.now();
  await trainer.run();
  const numTensorsLeaked = tensorsAfterWarmup < 0 ? 0 : tf.memory().numTensors - tensorsAfterWarmup;
  const params = parts.strategy.trainableVariables.reduce((a, v) => a + v.size, 0);
  trainer.dispose();
  parts.dispose();
  images.dispose();
  return { encoder: describeEncoder(config.encoder), params, rates: repeatRates(start, ends, o.warmup, o.steps), stepSeconds, losses, numTensorsLeaked };
}
