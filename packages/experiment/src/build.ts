/**
 * Turns a validated {@link RunConfig} into the objects of a run: encoder f(·), projection head
 * g(·), view augmenter, strategy, optimizer and learning-rate schedule (SimCLR, Chen et al. 2020,
 * Sec. 2.1 names the parts; the other strategies reuse them).
 */
import type { Strategy, ViewAugmenter } from '@contrastive/core';
import { byol, mocoV2 as mocoV2Recipe, simclr as simclrRecipe } from '@contrastive/augment';
import { convNet, resnet, type GraphEncoder } from '@contrastive/encoders';
import { linearHead, mlpHead, mlpHeadV2, type DenseHead } from '@contrastive/heads';
import { instDisc, mocoV2, simclr, supcon, type MocoV2Strategy } from '@contrastive/strategies';
import { adamw, constantLr, lars, scaleLearningRate, sgd, warmupCosine, type LearningRateSchedule, type Optimizer } from '@contrastive/train';
import { recipeOf, type RunConfig } from './config.js';
import { inputShapeOf } from './data-config.js';

/** Builds the encoder of a configuration with seeded initial weights, for the images of its `data` section. */
export function buildEncoder(config: Pick<RunConfig, 'encoder' | 'data' | 'seed'>): GraphEncoder {
  const { encoder, seed } = config;
  const inputShape = inputShapeOf(config.data);
  if (encoder.kind === 'convnet') {
    return convNet({ widths: encoder.widths, batchNorm: encoder.batchNorm, inputShape, seed });
  }
  return resnet({
    depth: encoder.depth,
    stem: encoder.stem,
    widthMultiplier: encoder.widthMultiplier,
    zeroInitResidual: encoder.zeroInitResidual,
    inputShape,
    seed,
  });
}

/** Builds the projection head for an encoder of output size `inputDim`. */
export function buildHead(head: RunConfig['head'], inputDim: number, seed: number): DenseHead {
  const hiddenDim = head.hiddenDim ?? inputDim;
  if (head.kind === 'linear') return linearHead({ inputDim, outputDim: head.outputDim, seed });
  if (head.kind === 'mlpV2') return mlpHeadV2({ inputDim, hiddenDim, outputDim: head.outputDim, seed });
  return mlpHead({ inputDim, hiddenDim, outputDim: head.outputDim, seed });
}

/**
 * The view augmenter: the configured recipe, or the strategy's usual one (SimCLR's at CIFAR-10
 * settings for simclr and supcon, MoCo v2's for mocoV2, one MoCo v2 view for instDisc).
 */
export function buildAugmenter(config: RunConfig): ViewAugmenter {
  const [height, width] = inputShapeOf(config.data);
  const size = [height, width] as const;
  const recipe = recipeOf(config);
  const views = config.strategy.name === 'instDisc' ? 1 : 2;
  // No per-call value check (a host read-back every step): the trainer checks each epoch's
  // first batch inside its one read-back per step.
  const checkValues = false;
  if (recipe === 'mocoV2') return mocoV2Recipe({ size, views, checkValues });
  if (recipe === 'byol') return byol({ size, checkValues });
  return simclrRecipe({ size, strength: config.augment.strength, blur: config.augment.blur, scale: config.augment.cropScale, views, checkValues });
}

/** Everything a training run is made of. */
export interface RunParts {
  readonly encoder: GraphEncoder;
  readonly head: DenseHead;
  readonly augment: ViewAugmenter;
  readonly strategy: Strategy<unknown>;
  /** Frees the strategy (`strategy.dispose()`: its key branch and live states), then the head and encoder. */
  dispose(): void;
}

/**
 * Builds encoder, head, augmenter and strategy. The encoder is created first, so in a fresh
 * process its variables get the same names every time (a checkpoint stores them by name).
 * `datasetSize` is the training-set size (instDisc's memory bank has one row per sample).
 */
export function buildRunParts(config: RunConfig, datasetSize: number, totalSteps: number): RunParts {
  const encoder = buildEncoder(config);
  const head = buildHead(config.head, encoder.outputDim, config.seed + 1);
  const augment = buildAugmenter(config);
  const s = config.strategy;
  let strategy: Strategy<unknown>;
  switch (s.name) {
    case 'simclr':
      strategy = simclr({ encoder, head, augment, temperature: s.temperature }) as Strategy<unknown>;
      break;
    case 'supcon':
      strategy = supcon({ encoder, head, augment, temperature: s.temperature, variant: s.variant }) as Strategy<unknown>;
      break;
    case 'mocoV2': {
      const moco: MocoV2Strategy<GraphEncoder, DenseHead> = mocoV2({
        encoder,
        head,
        augment,
        temperature: s.temperature,
        queueSize: s.queueSize,
        momentum: s.momentum,
        shuffleGroups: s.shuffleGroups,
        symmetric: s.symmetric,
        ...(s.cosineMomentum ? { cosineSchedule: { totalSteps } } : {}),
      });
      strategy = moco as Strategy<unknown>;
      break;
    }
    case 'instDisc':
      strategy = instDisc({
        encoder,
        head,
        augment,
        datasetSize,
        temperature: s.temperature,
        numNegatives: s.numNegatives,
        bankMomentum: s.bankMomentum,
      }) as Strategy<unknown>;
      break;
  }
  return {
    encoder,
    head,
    augment,
    strategy,
    dispose() {
      strategy.dispose();
      head.dispose();
      encoder.dispose();
    },
  };
}

/** The peak learning rate: `optimizer.lr`, scaled by the batch size if `optimizer.scaling` says so. */
export function peakLearningRate(config: RunConfig): number {
  const o = config.optimizer;
  if (o.scaling === 'none') return o.lr;
  return scaleLearningRate({ batchSize: config.train.batchSize, rule: o.scaling, baseLr: o.lr });
}

/** The optimizer of a configuration (SGD with momentum, LARS, or AdamW). */
export function buildOptimizer(config: RunConfig): Optimizer {
  const o = config.optimizer;
  if (o.name === 'lars') return lars({ momentum: o.momentum, weightDecay: o.weightDecay, eta: o.trustCoefficient, nesterov: o.nesterov });
  if (o.name === 'adamw') return adamw({ weightDecay: o.weightDecay });
  return sgd({ momentum: o.momentum, weightDecay: o.weightDecay, nesterov: o.nesterov });
}

/** Linear warmup + cosine decay over `totalSteps` (SimCLR, Appendix B.1), or a constant rate. */
export function buildSchedule(config: RunConfig, totalSteps: number): LearningRateSchedule {
  const peak = peakLearningRate(config);
  if (config.schedule.kind === 'constant') return constantLr(peak);
  return warmupCosine({
    baseLr: peak,
    totalSteps: Math.max(totalSteps, config.schedule.warmupSteps + 1),
    warmupSteps: config.schedule.warmupSteps,
    finalLr: config.schedule.finalLr,
  });
}
