/**
 * Turns a validated {@link RunConfig} into the objects of a run: encoder f(·), projection head
 * g(·), view augmenter, strategy, optimizer and learning-rate schedule (SimCLR, Chen et al. 2020,
 * Sec. 2.1 names the parts; the other strategies reuse them).
 */
import { ConfigError, type Strategy, type ViewAugmenter } from '@contrastive/core';
import { byol as byolRecipe, composition, gaussianNoiseViews, mocoV2 as mocoV2Recipe, simclr as simclrRecipe } from '@contrastive/augment';
import { convNet, mlpEncoder, resnet, type GraphEncoder } from '@contrastive/encoders';
import { identityHead, linearHead, mlpHead, mlpHeadV2, type DenseHead } from '@contrastive/heads';
import { barlowTwins, byol, dcl, instDisc, mocoV2, nnclr, simclr, simsiam, supcon, supconQueue, vicreg } from '@contrastive/strategies';
import { adamw, constantLr, lars, scaleLearningRate, sgd, warmupCosine, type LearningRateSchedule, type Optimizer } from '@contrastive/train';
import { recipeOf, type RunConfig } from './config.js';
import { inputShapeOf, type InputShape } from './data-config.js';

/**
 * The encoder's input shape: `inputShape` when given (the data's), else the one the `data`
 * section implies; a {@link ConfigError} when neither is known (tabular rows without the data)
 * or the encoder does not fit the data (an MLP takes rows, the convolutional encoders images).
 */
function encoderInput(config: Pick<RunConfig, 'encoder' | 'data'>, given: InputShape | undefined): InputShape {
  const shape = given ?? inputShapeOf(config.data);
  if (shape === undefined) {
    throw new ConfigError(`config.data: the number of features of ${config.data.dataset} data is known from its file only; pass the input shape`, {
      argument: 'inputShape',
      expected: '[features]',
      received: undefined,
    });
  }
  const rows = shape.length === 1;
  if (rows !== (config.encoder.kind === 'mlp')) {
    throw new ConfigError(`config.encoder.kind: ${config.encoder.kind} does not fit ${rows ? 'tabular rows' : 'images'} (${config.data.dataset}); use ${rows ? "kind: mlp" : 'resnet or convnet'}`, {
      argument: 'config.encoder.kind',
      expected: rows ? "'mlp' for tabular data" : "'resnet' or 'convnet' for images",
      received: config.encoder.kind,
    });
  }
  return shape;
}

/**
 * Builds the encoder of a configuration with seeded initial weights, for the inputs of its
 * `data` section (`inputShape`: the data's own, needed for tabular rows). `anySize` leaves the
 * image size open (multi-crop feeds the encoder global and local views of different sizes).
 */
export function buildEncoder(config: Pick<RunConfig, 'encoder' | 'data' | 'seed'>, inputShape?: InputShape, anySize = false): GraphEncoder {
  const { encoder, seed } = config;
  const shape = encoderInput(config, inputShape);
  if (encoder.kind === 'mlp') {
    return mlpEncoder({ inputDim: shape[0] as number, hidden: encoder.hidden, batchNorm: encoder.batchNorm, activation: encoder.activation, seed });
  }
  const imageShape = shape as readonly [number, number, number];
  const input = anySize ? {} : { inputShape: imageShape };
  if (encoder.kind === 'convnet') {
    return convNet({ widths: encoder.widths, batchNorm: encoder.batchNorm, ...input, seed });
  }
  return resnet({
    depth: encoder.depth,
    stem: encoder.stem,
    widthMultiplier: encoder.widthMultiplier,
    zeroInitResidual: encoder.zeroInitResidual,
    ...input,
    seed,
  });
}

/** A one-line description of an encoder configuration, e.g. `ResNet-18 (cifar stem, width ×0.25)`. */
export function describeEncoder(e: RunConfig['encoder']): string {
  if (e.kind === 'resnet') return `ResNet-${e.depth} (${e.stem} stem, width ×${e.widthMultiplier})`;
  return e.kind === 'mlp' ? `MLP ${e.hidden.join('-')} (${e.activation})` : `ConvNet ${e.widths.join('-')}`;
}

/** Builds the projection head for an encoder of output size `inputDim` (`kind: 'none'`: the identity, z = h). */
export function buildHead(head: RunConfig['head'], inputDim: number, seed: number): DenseHead {
  const hiddenDim = head.hiddenDim ?? inputDim;
  if (head.kind === 'none') return identityHead({ inputDim });
  if (head.kind === 'linear') return linearHead({ inputDim, outputDim: head.outputDim, seed });
  if (head.kind === 'mlpV2') return mlpHeadV2({ inputDim, hiddenDim, outputDim: head.outputDim, seed });
  return mlpHead({ inputDim, hiddenDim, outputDim: head.outputDim, seed });
}

/**
 * The view augmenter: the configured recipe, or the usual one (SimCLR's at CIFAR-10 settings
 * for simclr and supcon, MoCo v2's for mocoV2, one MoCo v2 view for instDisc; Gaussian noise on
 * tabular rows).
 */
export function buildAugmenter(config: RunConfig): ViewAugmenter {
  const recipe = recipeOf(config);
  const views = config.strategy.name === 'instDisc' ? 1 : 2;
  const shape = inputShapeOf(config.data);
  if (recipe === 'noise') return gaussianNoiseViews({ std: config.augment.noiseStd, numViews: views });
  if (shape === undefined) {
    throw new ConfigError(`config.augment.recipe: ${recipe} augments images; tabular rows take the 'noise' recipe`, { argument: 'config.augment.recipe', expected: "'noise'", received: recipe });
  }
  const size = [shape[0] as number, shape[1] as number] as const;
  // No per-call value check (a host read-back every step): the trainer checks each epoch's
  // first batch inside its one read-back per step.
  const checkValues = false;
  const localCrops = config.augment.localCrops;
  if (localCrops !== undefined && views === 1) {
    throw new ConfigError(`config.augment.localCrops: multi-crop needs two global views; strategy ${config.strategy.name} uses one`, {
      argument: 'config.augment.localCrops',
      expected: 'no localCrops with instDisc',
      received: localCrops,
    });
  }
  const local = localCrops === undefined ? {} : { localCrops };
  if (recipe === 'composition') {
    if (localCrops !== undefined) {
      throw new ConfigError('config.augment.localCrops: multi-crop is not available with the composition recipe', { argument: 'config.augment.localCrops', expected: 'no localCrops with recipe: composition', received: localCrops });
    }
    return composition({ size, transforms: config.augment.transforms ?? [], strength: config.augment.strength, views, checkValues });
  }
  if (recipe === 'mocoV2') return mocoV2Recipe({ size, views, checkValues, ...local });
  if (recipe === 'byol') return byolRecipe({ size, checkValues, ...local });
  return simclrRecipe({ size, strength: config.augment.strength, blur: config.augment.blur, scale: config.augment.cropScale, views, checkValues, ...local });
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
 * `datasetSize` is the training-set size (instDisc's memory bank has one row per sample);
 * `inputShape` the shape of one sample (needed for tabular rows).
 */
export function buildRunParts(config: RunConfig, datasetSize: number, totalSteps: number, inputShape?: InputShape): RunParts {
  const encoder = buildEncoder(config, inputShape, config.augment.localCrops !== undefined);
  const head = buildHead(config.head, encoder.outputDim, config.seed + 1);
  const augment = buildAugmenter(config);
  const strategy = buildStrategy(config, { encoder, head, augment }, datasetSize, totalSteps);
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

/**
 * The configured strategy (`config.strategy.name`) over the run's encoder, head and augmenter.
 * `datasetSize` sizes instDisc's memory bank; `totalSteps` spans the cosine momentum schedules.
 */
export function buildStrategy(
  config: RunConfig,
  parts: { readonly encoder: GraphEncoder; readonly head: DenseHead; readonly augment: ViewAugmenter },
  datasetSize: number,
  totalSteps: number,
): Strategy<unknown> {
  const { encoder, head, augment } = parts;
  const s = config.strategy;
  const seed = config.seed + 2;
  const cosine = (on: boolean) => (on ? { cosineSchedule: { totalSteps } } : {});
  const hidden = (h: number | undefined) => (h === undefined ? {} : { predictorHiddenDim: h });
  switch (s.name) {
    case 'simclr':
      return simclr({ encoder, head, augment, temperature: s.temperature }) as Strategy<unknown>;
    case 'supcon':
      return supcon({ encoder, head, augment, temperature: s.temperature, variant: s.variant }) as Strategy<unknown>;
    case 'mocoV2':
      return mocoV2({
        encoder,
        head,
        augment,
        temperature: s.temperature,
        queueSize: s.queueSize,
        momentum: s.momentum,
        shuffleGroups: s.shuffleGroups,
        symmetric: s.symmetric,
        ...cosine(s.cosineMomentum),
      }) as Strategy<unknown>;
    case 'instDisc':
      return instDisc({
        encoder,
        head,
        augment,
        datasetSize,
        temperature: s.temperature,
        numNegatives: s.numNegatives,
        bankMomentum: s.bankMomentum,
      }) as Strategy<unknown>;
    case 'byol':
      return byol({ encoder, head, augment, momentum: s.momentum, ...cosine(s.cosineMomentum), ...hidden(s.predictorHiddenDim), seed }) as Strategy<unknown>;
    case 'simsiam':
      return simsiam({ encoder, head, augment, stopGradient: s.stopGradient, ...hidden(s.predictorHiddenDim), seed }) as Strategy<unknown>;
    case 'barlowTwins':
      return barlowTwins({ encoder, head, augment, lambda: s.lambda }) as Strategy<unknown>;
    case 'vicreg':
      return vicreg({ encoder, head, augment, invariance: s.invariance, variance: s.variance, covariance: s.covariance, epsilon: s.epsilon }) as Strategy<unknown>;
    case 'nnclr':
      return nnclr({ encoder, head, augment, temperature: s.temperature, queueSize: s.queueSize, ...hidden(s.predictorHiddenDim), seed }) as Strategy<unknown>;
    case 'dcl':
      return dcl({ encoder, head, augment, temperature: s.temperature, ...(s.weighted ? { sigma: s.sigma } : {}) }) as Strategy<unknown>;
    case 'supconQueue':
      return supconQueue({
        encoder,
        head,
        augment,
        temperature: s.temperature,
        variant: s.variant,
        queueSize: s.queueSize,
        momentum: s.momentum,
        ...cosine(s.cosineMomentum),
      }) as Strategy<unknown>;
  }
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
