/**
 * Test fixtures: a tiny MLP strategy written against the core Strategy contract (so the
 * trainer's tests depend on no unfinished package) and a seeded toy data source.
 *
 * The strategy: encoder relu(x W1 + b1) W2; two noisy views of each sample (noise from the
 * step's rng); an InfoNCE loss written here. With `queueSize > 0` it is MoCo-like: keys come
 * from a momentum copy of the encoder (updated with emaUpdate after each step) and the
 * negatives from a momentumQueue; otherwise SimCLR-like in-batch negatives. A non-trainable
 * running mean of the inputs stands in for BatchNorm statistics.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng, type Batch, type SerializedState, type StepAux, type Strategy } from '@contrastive/core';
import { emaUpdate, momentumQueue, type MomentumQueue, type MomentumQueueState } from '@contrastive/negatives';

export interface ToyOptions {
  readonly prefix?: string;
  readonly inputDim?: number;
  readonly hidden?: number;
  readonly dim?: number;
  /** 0: in-batch negatives; > 0: MoCo-like momentum queue of this size. */
  readonly queueSize?: number;
  readonly momentum?: number;
  readonly temperature?: number;
  readonly seed?: number;
  readonly noise?: number;
}

export interface ToyState {
  readonly queue: MomentumQueueState | null;
}

export interface ToyStrategy extends Strategy<ToyState> {
  readonly queue: MomentumQueue | null;
  /** Frees every variable. */
  dispose(): void;
}

function normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.maximum(tf.sqrt(tf.sum(tf.square(x), 1, true)), 1e-12)) as tf.Tensor2D;
}

export function toyStrategy(options: ToyOptions = {}): ToyStrategy {
  const prefix = options.prefix ?? 'toy';
  const f = options.inputDim ?? 6;
  const h = options.hidden ?? 8;
  const d = options.dim ?? 4;
  const queueSize = options.queueSize ?? 0;
  const m = options.momentum ?? 0.9;
  const tau = options.temperature ?? 0.5;
  const noise = options.noise ?? 0.1;
  const init = Rng.fromSeed(options.seed ?? 1);
  const weight = (name: string, shape: number[], std: number, trainable: boolean) =>
    tf.variable(tf.tensor(init.normalArray(shape.reduce((a, b) => a * b, 1), 0, std), shape), trainable, `${prefix}/${name}`);
  const online = [weight('w1', [f, h], 0.5, true), weight('b1', [h], 0.1, true), weight('w2', [h, d], 0.5, true)];
  const keyVars =
    queueSize > 0
      ? online.map((v) => {
          const k = tf.variable(v, false, `${prefix}/key/${v.name.slice(prefix.length + 1)}`);
          return k;
        })
      : [];
  const runningMean = tf.variable(tf.zeros([f]), false, `${prefix}/stats/mean`);
  const queue = queueSize > 0 ? momentumQueue({ size: queueSize, dim: d }) : null;

  const encode = (x: tf.Tensor, vars: readonly tf.Variable[]): tf.Tensor2D => {
    const [w1, b1, w2] = vars as [tf.Variable, tf.Variable, tf.Variable];
    return tf.matMul(tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, w1 as tf.Tensor2D), b1)), w2 as tf.Tensor2D) as tf.Tensor2D;
  };

  return {
    name: queueSize > 0 ? 'toy-moco' : 'toy-simclr',
    queue,
    trainableVariables: online,
    nonTrainableVariables: [...keyVars, runningMean],
    // Parameter paths: the tfjs names with '.' for '/' ('resume.w1', 'resume.key.w1', 'resume.stats.mean').
    stateDict: () => new Map([...online, ...keyVars, runningMean].map((v) => [v.name.replaceAll('/', '.'), v])),

    init(rng: Rng): ToyState {
      return { queue: queue === null ? null : queue.init(rng) };
    },

    loss(batch: Batch, state: ToyState, rng: Rng): { loss: tf.Scalar; aux: StepAux } {
      const x = batch.images as tf.Tensor2D;
      const [b] = x.shape;
      const view = () => tf.add(x, tf.tensor2d(rng.normalArray(b * f, 0, noise), [b, f]));
      const v1 = view();
      const v2 = view();
      const q = normalize(encode(v1, online)); // [B, D]
      if (queue === null || state.queue === null) {
        // SimCLR-like: logits[i, j] = q_i · k_j / tau over the batch; positives on the diagonal.
        const k = normalize(encode(v2, online));
        const logits = tf.div(tf.matMul(q, k, false, true), tau);
        const pos = tf.div(tf.sum(tf.mul(q, k), 1), tau);
        return { loss: tf.mean(tf.sub(tf.logSumExp(logits, 1), pos)) as tf.Scalar, aux: { tensors: {} } };
      }
      // MoCo-like: positive q·k (k from the momentum encoder, stop-gradient), negatives from the queue.
      // No gradient reaches k: the key variables are not in the optimizer's list.
      const k = normalize(encode(v2, keyVars));
      const neg = queue.read(state.queue, { rng });
      const pos = tf.div(tf.sum(tf.mul(q, k), 1, true), tau); // [B, 1]
      const negLogits = tf.div(tf.matMul(q, neg, false, true), tau); // [B, K]
      const logits = tf.concat([pos, negLogits], 1);
      const loss = tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.reshape(pos, [-1]))) as tf.Scalar;
      return { loss, aux: { tensors: { keys: k } } };
    },

    afterStep(state: ToyState, aux: StepAux, batch: Batch): ToyState {
      const mean = tf.tidy(() => tf.add(tf.mul(runningMean, 0.9), tf.mul(tf.mean(batch.images, 0), 0.1)));
      runningMean.assign(mean);
      mean.dispose();
      if (queue === null || state.queue === null) return state;
      emaUpdate(keyVars, online, m);
      return { queue: queue.write(state.queue, aux.tensors['keys'] as tf.Tensor2D) };
    },

    serializeState(state: ToyState): SerializedState {
      return queue === null || state.queue === null ? { tensors: {}, meta: { kind: 'none' } } : queue.serialize(state.queue);
    },

    deserializeState(data: SerializedState): ToyState {
      return { queue: queue === null ? null : queue.deserialize(data) };
    },

    disposeState(state: ToyState): void {
      if (queue !== null && state.queue !== null) queue.dispose(state.queue);
    },

    dispose(): void {
      [...online, ...keyVars, runningMean].forEach((v) => v.dispose());
    },
  };
}

export interface ToyDataOptions {
  readonly n?: number;
  readonly features?: number;
  readonly batchSize?: number;
  readonly seed?: number;
  /** Number of clusters the points are drawn around (default 3). */
  readonly clusters?: number;
  /** Same batch order every epoch (default false: reshuffled per epoch). */
  readonly fixedOrder?: boolean;
  /** Replace the images of these `${epoch}:${batchIndex}` batches with NaN. */
  readonly poison?: ReadonlySet<string>;
}

/** A seeded data set of `n` points around `clusters` centres; returns epoch => freshly shuffled batches (new tensors). */
export function toyData(options: ToyDataOptions = {}): (epoch: number) => Iterable<Batch> {
  const n = options.n ?? 24;
  const f = options.features ?? 6;
  const bs = options.batchSize ?? 5;
  const seed = options.seed ?? 7;
  const rng = Rng.fromSeed(seed);
  const k = options.clusters ?? 3;
  const centers = Array.from({ length: k }, () => rng.normalArray(f, 0, 2));
  const points = Array.from({ length: n }, (_, i) => {
    const c = centers[i % k] as Float32Array;
    return Float32Array.from(c, (v) => v + rng.normal(0, 0.3));
  });
  return function* (epoch: number) {
    const order = Rng.fromSeed(seed * 1000 + (options.fixedOrder === true ? 0 : epoch)).permutation(n);
    for (let start = 0, b = 0; start < n; start += bs, b++) {
      const idx = order.slice(start, Math.min(n, start + bs));
      const values = new Float32Array(idx.length * f);
      idx.forEach((p, r) => values.set(points[p] as Float32Array, r * f));
      if (options.poison?.has(`${epoch}:${b}`)) values.fill(Number.NaN);
      yield { images: tf.tensor2d(values, [idx.length, f]), indices: Int32Array.from(idx) };
    }
  };
}

/** Every variable's values, by name. */
export function snapshot(vars: readonly tf.Variable[]): Record<string, number[]> {
  return Object.fromEntries(vars.map((v) => [v.name, Array.from(v.dataSync())]));
}
