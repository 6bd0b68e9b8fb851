/**
 * SimCLR (Chen et al. 2020) in library mode: two augmented views of every image, an encoder f
 * and a projection head g, the NT-Xent loss with the other 2(N-1) views of the batch as
 * negatives. Data, parts, compose, train a few steps, evaluate the frozen encoder.
 *
 * Run from the repository root (CIFAR-10 from ../shared/data, $CONTRASTIVE_DATA_DIR or a download):
 *
 *   npx tsx --conditions=contrastive-source examples/library/simclr.ts --steps 100 --images 5000
 */
import { simclr as simclrViews } from '@contrastive/augment';
import { convNet } from '@contrastive/encoders';
import { mlpHead } from '@contrastive/heads';
import { simclr } from '@contrastive/strategies';
import { cifar10, evaluate, resultLine, setUp, trainSteps } from './common.js';

const sizes = await setUp();

// 1. Data: the first N CIFAR-10 training images (labels unused while training) and test images.
const data = await cifar10(sizes);

// 2. Parts: encoder f (its output h is the representation), projection head g (z = g(h), used
//    by the loss only), and the augmentation: SimCLR's random crop + colour distortion at
//    CIFAR-10 strength 0.5, without blur.
const encoder = convNet({ widths: [32, 64, 128], inputShape: [32, 32, 3], seed: 0 });
const head = mlpHead({ inputDim: encoder.outputDim, hiddenDim: encoder.outputDim, outputDim: 64, seed: 1 });
const augment = simclrViews({ size: 32, strength: 0.5, blur: false, views: 2 });

// 3. Compose: views -> f -> g -> NT-Xent (τ = 0.5) with in-batch negatives.
const strategy = simclr({ encoder, head, augment, temperature: 0.5 });

// 4. Train.
const loss = await trainSteps(strategy, data.train, sizes);

// 5. Evaluate the frozen encoder h = f(x): kNN vote and a linear probe.
const evaluation = await evaluate(encoder, data, sizes);
console.log(resultLine('simclr', loss, evaluation));

strategy.dispose();
head.dispose();
encoder.dispose();
