/**
 * The module layer in a few lines (docs/nn/README.md): stable parameter paths, a state dict
 * copied between two encoders built in different orders, a momentum copy updated by path, and
 * the one l2Normalize. Run from the repository root:
 *
 *   npx tsx --conditions=contrastive-source examples/nn-modules/main.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend/node';
import { convNet } from '@contrastive/encoders';
import { mlpHeadV2 } from '@contrastive/heads';
import { cosineMomentum, l2Normalize, updateMomentum } from '@contrastive/nn';

await initBackend({ prefer: 'cpu' });

// Paths depend on the architecture only.
const a = convNet({ widths: [8, 16], inputShape: [16, 16, 3], seed: 1 });
const unrelated = mlpHeadV2({ inputDim: 4, outputDim: 2 }); // shifts tfjs's per-process names, not the paths
const b = convNet({ widths: [8, 16], inputShape: [16, 16, 3], seed: 2 });
console.log('paths:', [...a.stateDict().keys()].slice(0, 4).join(', '), '…');
console.log('tfjs names differ:', a.trainableVariables[0]?.name, 'vs', b.trainableVariables[0]?.name);

// A state dict moves weights by path (shape and dtype checked, naming the path on a mismatch).
b.loadStateDict(a.stateDict());
const same = a.namedVariables().every((n) => tf.tidy(() => tf.all(tf.equal(n.variable, b.variable(n.path))).dataSync()[0] === 1));
console.log('b equals a after loadStateDict:', same);

// A momentum (EMA) copy, updated by path with a cosine schedule (MoCo / BYOL).
const key = a.clone({ trainable: false });
for (let step = 0; step < 3; step++) updateMomentum(key, a, cosineMomentum(step, 10, 0.99), { buffers: 'own' });

// One normalisation for losses, negatives and evaluation.
const h = tf.tidy(() => a.apply(tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 3) as tf.Tensor4D, { training: false }));
const unit = l2Normalize(h);
console.log('row norms:', Array.from(tf.tidy(() => tf.norm(unit, 'euclidean', 1)).dataSync()).map((v) => v.toFixed(6)).join(', '));
tf.dispose([h, unit]);
[a, b, key, unrelated].forEach((m) => m.dispose());
