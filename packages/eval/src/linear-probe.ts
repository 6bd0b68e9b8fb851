/**
 * The linear evaluation protocol (Chen et al. 2020, SimCLR §4: "a linear classifier is
 * trained on top of the frozen base network, and test accuracy is used as a proxy for
 * representation quality"; as in Zhang et al. 2016, Oord et al. 2018, Bachman et al. 2019).
 *
 * The frozen representations are standardised with the training set's column statistics,
 * then a softmax regression (multinomial logistic regression) W·h + b is fitted with a
 * tfjs optimizer (`tf.train.adam` or `tf.train.momentum`) on mini-batches shuffled by the
 * given seeded {@link Rng}, with an L2 penalty ½·λ‖W‖² (λ = `weightDecay`). Top-1 accuracy is
 * reported on the training and the test set.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  Rng,
  assertNonNegative,
  assertOneOf,
  assertOptionsObject,
  assertPositive,
  describeValue,
} from '@contrastive/core';
import { type Standardizer, fitStandardizer, standardize } from './standardize.js';
import { type Labels, checkFeatures, checkLabelRange, checkSameWidth, intOption, readLabels, resolveNumClasses } from './validate.js';

/** Options of {@link linearProbe}. */
export interface LinearProbeOptions {
  /** Frozen representations of the training set, `[N, D]`. */
  readonly trainFeatures: Tensor2D;
  /** Training labels, N integers in [0, numClasses). */
  readonly trainLabels: Labels;
  /** Frozen representations of the test set, `[M, D]`. */
  readonly testFeatures: Tensor2D;
  /** Test labels, M integers in [0, numClasses). */
  readonly testLabels: Labels;
  /** Number of classes (>= 2); default 1 + the largest label of either set. */
  readonly numClasses?: number;
  /** Passes over the training set; default 100. */
  readonly epochs?: number;
  /** Learning rate; default 1e-3 (Adam) or 0.1 (SGD with momentum). */
  readonly lr?: number;
  /** λ of the L2 penalty ½·λ‖W‖² on the weights (not the bias); default 0. */
  readonly weightDecay?: number;
  /** Mini-batch size; default 256 (the whole set when it is smaller). */
  readonly batchSize?: number;
  /** `'adam'` (default) or `'sgd'` (SGD with Nesterov-free momentum 0.9). */
  readonly optimizer?: 'adam' | 'sgd';
  /** Shuffles the mini-batches. Same seed, same result. The probe draws from `rng.split()`. */
  readonly rng: Rng;
  /** Called after each epoch with its index (from 0) and mean training loss. */
  readonly onEpochEnd?: (epoch: number, meanLoss: number) => void;
  /** Stops the probe between epochs (its reason is thrown); e.g. on Ctrl-C. */
  readonly signal?: AbortSignal;
}

/** What {@link linearProbe} returns (plain values; no tensors to dispose). */
export interface LinearProbeResult {
  /** Top-1 accuracy on the training set, a fraction in [0, 1]. */
  readonly trainAccuracy: number;
  /** Top-1 accuracy on the test set, a fraction in [0, 1]. */
  readonly testAccuracy: number;
  /** Predicted test classes (arg-max of the logits, lowest class on ties). */
  readonly testPredictions: Int32Array;
  /** Mean training loss (cross-entropy + penalty) of each epoch. */
  readonly losses: readonly number[];
  /** The standardisation fitted on the training features (and applied to both sets). */
  readonly standardizer: Standardizer;
  /** The fitted classifier on standardised features: kernel `[D, C]` row-major, bias `[C]`. */
  readonly weights: { readonly kernel: Float32Array; readonly bias: Float32Array };
}

/**
 * x·W with the gradients written with explicitly transposed operands: tfjs's own MatMul
 * gradient uses the transposeA/transposeB flags, which are several times slower on the wasm
 * engine than a transpose followed by a plain product.
 */
export const linear = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, w, save] = args as [Tensor2D, Tensor2D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.matMul(x, w), // [B, C]
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [Tensor2D, Tensor2D];
      const g = dy as Tensor2D;
      // dL/dx = dy·Wᵀ: [B, D]; dL/dW = xᵀ·dy: [D, C].
      return [tf.matMul(g, tf.transpose(ws)), tf.matMul(tf.transpose(xs), g)];
    },
  };
}) as (x: tf.Tensor, w: tf.Tensor) => Tensor2D;

/** Arg-max of every row of logits `[N, C]`, lowest class on ties. */
function predict(x: Tensor2D, kernel: tf.Variable, bias: tf.Variable, numClasses: number): Int32Array {
  const logits = tf.tidy(() => tf.add(tf.matMul(x, kernel), bias));
  const values = logits.dataSync();
  logits.dispose();
  const n = x.shape[0];
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if ((values[i * numClasses + c] as number) > (values[i * numClasses + best] as number)) best = c;
    out[i] = best;
  }
  return out;
}

function accuracy(pred: Int32Array, labels: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) correct++;
  return correct / pred.length;
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw signal.reason ?? new Error('linearProbe: aborted');
}

/**
 * Fits a linear classifier on frozen representations and reports its top-1 accuracy
 * (Chen et al. 2020, SimCLR §4, linear evaluation). Asynchronous only so that it yields to
 * the event loop once per epoch (progress, Ctrl-C); the work itself runs on the tfjs engine.
 * Every tensor and variable it creates is freed, also on error or abort.
 *
 * @example
 * ```ts
 * const { testAccuracy } = await linearProbe({
 *   trainFeatures, trainLabels, testFeatures, testLabels, numClasses: 10,
 *   epochs: 100, lr: 1e-3, weightDecay: 1e-4, batchSize: 256, rng: Rng.fromSeed(0),
 * });
 * ```
 */
export async function linearProbe(options: LinearProbeOptions): Promise<LinearProbeResult> {
  const where = 'linearProbe';
  assertOptionsObject(where, 'options', options);
  if (options === undefined) {
    throw new ArgumentError(`${where}: argument 'options' is required`, { argument: 'options', expected: 'an options object', received: options });
  }
  const train = checkFeatures(where, 'trainFeatures', options.trainFeatures);
  const test = checkFeatures(where, 'testFeatures', options.testFeatures);
  checkSameWidth(where, 'trainFeatures', train, 'testFeatures', test);
  const [n, d] = train.shape;
  const trainLabels = readLabels(where, 'trainLabels', options.trainLabels, n);
  const testLabels = readLabels(where, 'testLabels', options.testLabels, test.shape[0]);
  const numClasses = resolveNumClasses(where, options.numClasses, trainLabels, testLabels);
  if (numClasses < 2) {
    throw new ArgumentError(`${where}: argument 'numClasses' must be an integer >= 2 (a classifier needs two classes), received ${numClasses}`, {
      argument: 'numClasses',
      expected: 'an integer >= 2',
      received: numClasses,
    });
  }
  checkLabelRange(where, 'trainLabels', trainLabels, numClasses);
  checkLabelRange(where, 'testLabels', testLabels, numClasses);
  const epochs = intOption(where, 'epochs', options.epochs, 100);
  const batchSize = Math.min(n, intOption(where, 'batchSize', options.batchSize, 256));
  const optimizerName = options.optimizer ?? 'adam';
  assertOneOf(where, 'optimizer', optimizerName, ['adam', 'sgd']);
  const lr = options.lr ?? (optimizerName === 'adam' ? 1e-3 : 0.1);
  assertPositive(where, 'lr', lr);
  const weightDecay = options.weightDecay ?? 0;
  assertNonNegative(where, 'weightDecay', weightDecay);
  if (!(options.rng instanceof Rng)) {
    throw new ArgumentError(`${where}: argument 'rng' must be an Rng (e.g. Rng.fromSeed(0)), received ${describeValue(options.rng)}`, {
      argument: 'rng',
      expected: 'an Rng',
      received: options.rng,
    });
  }
  if (options.onEpochEnd !== undefined && typeof options.onEpochEnd !== 'function') {
    throw new ArgumentError(`${where}: argument 'onEpochEnd' must be a function, received ${describeValue(options.onEpochEnd)}`, {
      argument: 'onEpochEnd',
      expected: 'a function',
      received: options.onEpochEnd,
    });
  }
  checkAborted(options.signal);
  const rng = options.rng.split();

  const standardizer = fitStandardizer(train);
  const owned: tf.Tensor[] = [];
  const optimizer = optimizerName === 'adam' ? tf.train.adam(lr) : tf.train.momentum(lr, 0.9);
  try {
    // xTrain: [N, D] standardised (kept for the final train accuracy); xRows: the same values
    // in JavaScript, from which each epoch's shuffled copy is built.
    const xTrain = standardize(standardizer, train);
    owned.push(xTrain);
    const xRows = xTrain.dataSync() as Float32Array;
    // Zero initialisation: the problem is convex, so nothing random is needed here.
    // (tf.variable keeps its initial tensor alive as a separate handle: create it in a tidy.)
    const kernel = tf.tidy(() => tf.variable(tf.zeros([d, numClasses]), true));
    const bias = tf.tidy(() => tf.variable(tf.zeros([numClasses]), true));
    owned.push(kernel, bias);

    const losses: number[] = [];
    const steps = Math.ceil(n / batchSize);
    for (let epoch = 0; epoch < epochs; epoch++) {
      checkAborted(options.signal);
      const order = rng.permutation(n);
      // The epoch's rows in shuffled order, uploaded once; each step then takes a contiguous
      // slice. (Per-step tf.gather was the bulk of the step time on the wasm engine.)
      const shuffledX = new Float32Array(n * d);
      const shuffledY = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const r = order[i] as number;
        shuffledX.set(xRows.subarray(r * d, (r + 1) * d), i * d);
        shuffledY[i] = trainLabels[r] as number;
      }
      // xEpoch: [N, D]; yEpoch: [N, C] one-hot targets.
      const xEpoch = tf.tensor2d(shuffledX, [n, d]);
      const yEpoch = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(shuffledY, 'int32'), numClasses), 'float32') as Tensor2D);
      let lossSum = tf.scalar(0);
      try {
        for (let s = 0; s < steps; s++) {
          const start = s * batchSize;
          const rows = Math.min(batchSize, n - start);
          const stepLoss = tf.tidy(() => {
            // xb: [B, D], yb: [B, C] (data, not variables: no gather/slice gradient needed).
            const xb = steps === 1 ? xEpoch : tf.slice(xEpoch, [start, 0], [rows, d]);
            const yb = steps === 1 ? yEpoch : tf.slice(yEpoch, [start, 0], [rows, numClasses]);
            return optimizer.minimize(
              () => {
                const logits = tf.add(linear(xb, kernel), bias); // [B, C]
                const ce = tf.losses.softmaxCrossEntropy(yb, logits);
                return (weightDecay > 0 ? tf.add(ce, tf.mul(0.5 * weightDecay, tf.sum(tf.square(kernel)))) : ce) as Scalar;
              },
              true,
              [kernel, bias],
            ) as Scalar;
          });
          const previous = lossSum;
          lossSum = tf.tidy(() => tf.add(previous, tf.mul(stepLoss, rows / n)));
          tf.dispose([previous, stepLoss]);
        }
        const meanLoss = (await lossSum.data())[0] as number;
        losses.push(meanLoss);
        options.onEpochEnd?.(epoch, meanLoss);
      } finally {
        tf.dispose([lossSum, xEpoch, yEpoch]);
      }
    }

    const trainPred = predict(xTrain, kernel, bias, numClasses);
    const xTest = standardize(standardizer, test);
    owned.push(xTest);
    const testPredictions = predict(xTest, kernel, bias, numClasses);
    return {
      trainAccuracy: accuracy(trainPred, trainLabels),
      testAccuracy: accuracy(testPredictions, testLabels),
      testPredictions,
      losses,
      standardizer,
      weights: { kernel: Float32Array.from(kernel.dataSync()), bias: Float32Array.from(bias.dataSync()) },
    };
  } finally {
    optimizer.dispose();
    // tfjs 4.22: MomentumOptimizer.dispose() does not chain to SGDOptimizer.dispose(), so the
    // learning-rate scalar it holds would leak; free it explicitly.
    // (`instanceof` cannot tell: tfjs optimizers answer it by duck typing.)
    if (optimizerName === 'sgd') tf.SGDOptimizer.prototype.dispose.call(optimizer);
    tf.dispose(owned);
  }
}
