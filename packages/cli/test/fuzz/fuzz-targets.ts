/**
 * The public functions the fuzz harness calls, one entry each, with seeded arguments from
 * {@link FuzzValues}: losses, augmentation recipes, negative sources, encoders and heads,
 * strategies and compose, trainer options, data readers and the configuration. A target
 * returns what the call produced (tensors are checked for finite values and disposed by the
 * runner); modules it builds it disposes itself.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { byol, mocoV2 as mocoV2Recipe, simclr as simclrRecipe } from '@contrastive/augment';
import { Rng, type Strategy } from '@contrastive/core';
import { readCifar10Binary, readIdx } from '@contrastive/data/node';
import { convNet, mlpEncoder, resnet } from '@contrastive/encoders';
import { linearHead, mlpHead, mlpHeadV2 } from '@contrastive/heads';
import { infoNce, ntXent, ntXentLoss, supCon } from '@contrastive/losses';
import { memoryBank, momentumQueue } from '@contrastive/negatives';
import { compose, mocoV2, simclr } from '@contrastive/strategies';
import { Trainer, sgd } from '@contrastive/train';
import { parseConfig, parseConfigText } from '@contrastive/experiment';
import type { FuzzValues } from './fuzz-values.js';

/** One fuzzed public function. */
export interface FuzzTarget {
  readonly name: string;
  /**
   * The function is documented not to read its tensor inputs back (a module's forward pass, a
   * hot path): a non-finite input value comes out non-finite, by contract, and is counted apart.
   * A non-finite result from finite inputs is still a failure.
   */
  readonly propagatesInputValues?: boolean;
  run(v: FuzzValues): unknown;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'fuzz-'));
let fileCounter = 0;
const tempFile = (bytes: Uint8Array): string => {
  const file = path.join(dir, `f${fileCounter++}.bin`);
  writeFileSync(file, bytes);
  return file;
};

const temperature = (v: FuzzValues) => () => v.option([0.07, 0.1, 0.2, 0.5]);
const dims = (v: FuzzValues) => () => v.option([1, 2, 4, 8]);
/** Passes `options` through, noting in `v` when they switch the value checks off. */
function noting(options: unknown, v: FuzzValues): unknown {
  if (typeof options === 'object' && options !== null && (options as { checkValues?: unknown }).checkValues === false) v.valuesUnchecked = true;
  return options;
}

/** Runs `use` on a module, then disposes it. */
function using<M extends { dispose(): void }, T>(module: M, use: (m: M) => T): T {
  try {
    return use(module);
  } finally {
    module.dispose();
  }
}
/** Images `[n, 8, 8, 3]` in [0, 1] (sometimes out of range or non-finite), or another tensor. */
const images = (v: FuzzValues): tf.Tensor => (v.chance(0.1) ? v.anyTensor() : v.floats([v.int(1, 3), 8, 8, 3], v.chance(0.1) ? -2 : 0, v.chance(0.1) ? 300 : 1));

export const TARGETS: readonly FuzzTarget[] = [
  {
    name: 'losses.ntXent',
    run: (v) => {
      const n = v.int(1, 4);
      const d = v.int(1, 4);
      return ntXent(v.matrix(n, d) as tf.Tensor2D, v.matrix(n, d) as tf.Tensor2D, noting(v.options({ temperature: temperature(v), scale: () => v.pick(['paper', 'simclr-code', { baseTemperature: v.number() }, 'x']), checkValues: () => v.pick([true, false, 1]) }), v) as never);
    },
  },
  {
    name: 'losses.supCon',
    run: (v) => {
      const n = v.int(1, 4);
      const views = Array.from({ length: v.int(0, 3) }, () => v.matrix(n, 3) as tf.Tensor2D);
      const labels = v.pick<unknown>([null, undefined, Int32Array.from({ length: n }, () => v.int(-1, 3)), v.track(tf.tensor1d(Int32Array.from({ length: n }, () => v.int(0, 2)), 'int32')), [1, 2], v.anyTensor()]);
      return supCon(views, labels as never, noting(v.options({ temperature: temperature(v), variant: () => v.pick(['out', 'in', 'both']), scale: () => v.pick(['paper', { baseTemperature: v.number() }]), checkValues: () => v.pick([true, false]) }), v) as never);
    },
  },
  {
    name: 'losses.infoNce',
    run: (v) => {
      const n = v.int(1, 4);
      const negatives = v.chance(0.5) ? null : v.matrix(v.int(0, 5), 3);
      return infoNce(v.matrix(n, 3) as tf.Tensor2D, v.matrix(n, 3) as tf.Tensor2D, negatives as never, v.options({ temperature: temperature(v), inBatchNegatives: () => v.pick([true, false, 'yes']) }) as never);
    },
  },
  {
    name: 'losses.ntXentLoss.compute',
    run: (v) => {
      const loss = ntXentLoss(v.options({ temperature: temperature(v) }) as never);
      const n = v.int(1, 3);
      return loss.compute({ views: Array.from({ length: v.int(1, 3) }, () => v.matrix(n, 2) as tf.Tensor2D) } as never);
    },
  },
  {
    name: 'augment.recipes',
    run: (v) => {
      const make = v.pick([simclrRecipe, mocoV2Recipe, byol] as const);
      const aug = make(v.options({ size: () => v.option([4, 8]), strength: () => v.option([0, 0.5, 1]), views: () => v.option([1, 2]), blur: () => v.pick([true, false]) }) as never);
      return aug.apply(images(v) as tf.Tensor4D, Rng.fromSeed(v.int(0, 9)));
    },
  },
  {
    name: 'negatives.momentumQueue',
    run: (v) => {
      const queue = momentumQueue(v.options({ size: dims(v), dim: dims(v), normalize: () => v.pick([true, false]) }) as never);
      let state = queue.init(Rng.fromSeed(1));
      try {
        state = queue.write(state, v.matrix(v.int(0, 3), queue.dim) as tf.Tensor2D);
        return queue.read(state);
      } finally {
        queue.dispose(state);
      }
    },
  },
  {
    name: 'negatives.memoryBank',
    run: (v) => {
      const bank = memoryBank(v.options({ size: dims(v), dim: dims(v), numNegatives: dims(v), momentum: () => v.option([0, 0.5, 0.9]), excludeBatch: () => v.pick([true, false]) }) as never);
      let state = bank.init(Rng.fromSeed(1));
      try {
        const b = v.int(0, 3);
        state = bank.write(state, v.matrix(b, bank.dim) as tf.Tensor2D, Int32Array.from({ length: b }, () => v.int(-1, bank.size)));
        return bank.read(state, { rng: Rng.fromSeed(2) } as never);
      } finally {
        bank.dispose(state);
      }
    },
  },
  {
    name: 'negatives.deserialize',
    run: (v) => {
      const queue = momentumQueue({ size: 3, dim: 2 });
      const keys = v.chance(0.7) ? v.floats([3, 2]) : v.anyTensor();
      const meta = v.options({ kind: () => v.pick(['momentumQueue', 'memoryBank']), size: () => v.pick([3, 2, Number.NaN]), dim: () => v.pick([2, 3]), pointer: () => v.option([0, 1, 2]) });
      const state = queue.deserialize({ tensors: { keys }, meta } as never);
      queue.dispose(state);
      return null;
    },
  },
  {
    name: 'encoders.convNet+apply',
    propagatesInputValues: true,
    run: (v) => {
      const options = v.options({ widths: () => (v.chance(0.8) ? Array.from({ length: v.int(0, 2) }, () => v.option([2, 4])) : v.option()), batchNorm: () => v.pick([true, false]), inputShape: () => v.pick([[8, 8, 3], [8, 8], [0, 8, 3], [1e6, 1e6, 3]]), seed: () => v.option([0, 1]) });
      return using(convNet(options as never), (m) => m.apply(images(v) as tf.Tensor4D, { training: v.pick([true, false, 'yes']) } as never));
    },
  },
  {
    name: 'encoders.mlpEncoder',
    run: (v) => using(mlpEncoder(v.options({ inputDim: dims(v), hidden: () => Array.from({ length: v.int(0, 2) }, () => v.option([2, 4])), batchNorm: () => v.pick([true, false]) }) as never), () => null),
  },
  {
    name: 'encoders.resnet',
    run: (v) => {
      const options = v.options({ depth: () => v.pick([18, 34, 50, 20, '18']), stem: () => v.pick(['cifar', 'imagenet', 'x']), widthMultiplier: () => v.option([0.0625, 0.125, 1e3, 1e6]) });
      // A valid full-width ResNet-50 takes seconds to initialise: keep valid ones narrow.
      const narrow = typeof options === 'object' && options !== null && !Array.isArray(options) && typeof (options as { widthMultiplier?: unknown }).widthMultiplier !== 'number' ? { ...options, widthMultiplier: 0.0625 } : options;
      return using(resnet(narrow as never), () => null);
    },
  },
  {
    name: 'heads+apply',
    propagatesInputValues: true,
    run: (v) => {
      const make = v.pick([mlpHead, mlpHeadV2, linearHead] as const);
      const head = make(v.options({ inputDim: dims(v), hiddenDim: () => v.option([2, 4, 1e8]), outputDim: dims(v), seed: () => v.option([0]) }) as never);
      return using(head, (h) => h.apply(v.matrix(v.int(1, 3), h.inputDim) as tf.Tensor2D, { training: v.pick([true, false]) }));
    },
  },
  {
    name: 'strategies.simclr/mocoV2/compose',
    run: (v) => {
      const encoder = convNet({ widths: [2], inputShape: [8, 8, 3], seed: 1 });
      const head = mlpHead({ inputDim: encoder.outputDim, hiddenDim: 4, outputDim: 2, seed: 2 });
      let strategy: Strategy<unknown> | null = null;
      try {
        const which = v.int(0, 2);
        const options = v.options({ temperature: temperature(v), queueSize: () => v.option([4, 8, 1e10]), momentum: () => v.option([0.9, 0.99]) }) as Record<string, unknown>;
        if (which === 0) strategy = simclr({ encoder, head, ...options } as never) as Strategy<unknown>;
        else if (which === 1) strategy = mocoV2({ encoder, head, ...options } as never) as Strategy<unknown>;
        else strategy = compose({ encoder, head, augment: v.pick([undefined, simclrRecipe({ size: 8 })]), loss: v.pick([undefined, ntXentLoss({ temperature: 0.5 })]), ...options } as never) as Strategy<unknown>;
        return null;
      } finally {
        strategy?.dispose();
        head.dispose();
        encoder.dispose();
      }
    },
  },
  {
    name: 'train.Trainer options',
    run: (v) => {
      const encoder = convNet({ widths: [2], inputShape: [8, 8, 3], seed: 1 });
      const head = mlpHead({ inputDim: encoder.outputDim, hiddenDim: 4, outputDim: 2, seed: 2 });
      const strategy = simclr({ encoder, head, temperature: 0.5 });
      try {
        const options = v.options({ epochs: () => v.option([1, 2]), learningRate: () => v.option([0.1, 0.01]), seed: () => v.option([0]), clipGradNorm: () => v.option([1]), onNonFinite: () => v.pick(['throw', 'skip', 'ignore']), stepsPerEpoch: () => v.option([1]), checkInputs: () => v.pick([true, 'no']) }) as Record<string, unknown>;
        const trainer = new Trainer({ strategy: strategy as never, data: () => [], optimizer: sgd(), progress: false, ...options } as never);
        trainer.dispose();
        return null;
      } finally {
        strategy.dispose();
        head.dispose();
        encoder.dispose();
      }
    },
  },
  {
    name: 'data.readCifar10Binary',
    run: async (v) => {
      const records = v.int(0, 2);
      const bytes = new Uint8Array(records * 3073 + (v.chance(0.3) ? v.int(1, 100) : 0));
      for (let i = 0; i < bytes.length; i++) bytes[i] = v.chance(0.9) && i % 3073 === 0 ? v.int(0, 9) : v.int(0, 255);
      const ds = await readCifar10Binary(tempFile(bytes), v.options({ limit: () => v.option([1, 2]) }) as never);
      return ds.length;
    },
  },
  {
    name: 'data.readIdx',
    run: async (v) => {
      const header = [0, 0, v.pick([0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x07]), v.int(0, 4)];
      const body = Array.from({ length: v.int(0, 40) }, () => v.int(0, 255));
      const idx = await readIdx(tempFile(Uint8Array.from([...header, ...body])), v.options({ limit: () => v.option([1, 2]) }) as never);
      return (idx as { shape?: unknown }).shape === undefined ? null : Array.from((idx as { data: ArrayLike<number> }).data as ArrayLike<number>).length;
    },
  },
  {
    name: 'cli.parseConfig',
    run: (v) => {
      const section = () => v.options({ lr: () => v.option([0.1]), temperature: temperature(v), batchSize: () => v.option([8, 64]), widthMultiplier: () => v.option([0.25]), name: () => v.pick(['simclr', 'mocoV2', 'x']) });
      return parseConfig(v.options({ seed: () => v.option([0]), optimizer: section, strategy: section, train: section, encoder: section, augment: section }));
    },
  },
  {
    name: 'cli.parseConfigText',
    run: (v) => {
      const pieces = ['seed: 1\n', 'a: &x [1, 2]\nb: *x\n', '{', '}', '"k": 1', ': :', '\t- x\n', '# c\n', 'seed: 1\nseed: 2\n', 'x: !!binary AAAA\n', '[1, 2', '\u0000'];
      const text = Array.from({ length: v.int(0, 5) }, () => v.pick(pieces)).join('');
      return parseConfigText(text, v.pick(['c.yaml', 'c.json']));
    },
  },
];
