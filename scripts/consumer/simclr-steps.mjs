// Three SimCLR steps on random images, the same code in Node.js and in the browser page of the
// consumer test: a small ConvNet + MLP head, the simclr strategy, SGD, the Trainer with an
// in-memory checkpoint store (read back and checked). Returns the losses and what was checked.
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@contrastive/core';
import { convNet } from '@contrastive/encoders';
import { mlpHead } from '@contrastive/heads';
import { simclr } from '@contrastive/strategies';
import { Trainer, sgd, memoryCheckpointStore, readCheckpoint } from '@contrastive/train';

export async function simclrSteps({ steps = 3, seed = 7, store = memoryCheckpointStore() } = {}) {
  const side = 16;
  const batch = 8;
  const images = tf.tensor4d(Rng.fromSeed(seed).uniformArray(batch * side * side * 3), [batch, side, side, 3]);
  const encoder = convNet({ widths: [8, 16], inputShape: [side, side, 3], seed });
  const head = mlpHead({ inputDim: encoder.outputDim, outputDim: 16 });
  const strategy = simclr({ encoder, head, temperature: 0.5 });
  const losses = [];
  const trainer = new Trainer({
    strategy,
    data: Array.from({ length: steps }, () => ({ images })),
    epochs: 1,
    optimizer: sgd({ momentum: 0.9 }),
    learningRate: 0.05,
    seed,
    disposeBatches: false,
    checkpoint: { dir: store },
    callbacks: { onStepEnd: (info) => void losses.push(info.loss) },
  });
  const summary = await trainer.run();
  const loaded = await readCheckpoint(store);
  const checkpointStep = loaded.manifest.step;
  const checkpointWeights = Object.keys(loaded.weights).length;
  loaded.dispose();
  trainer.dispose();
  strategy.dispose();
  images.dispose();
  return { losses, steps: summary.steps, checkpoint: summary.lastCheckpoint, checkpointStep, checkpointWeights };
}
