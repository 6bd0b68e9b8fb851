/**
 * Instance discrimination (InstDisc, Wu et al. 2018) in library mode: every image is its own
 * class; a memory bank holds one running-average embedding per training image, and sampled bank
 * rows are the negatives (InfoNCE). Data, parts, compose, train a few steps, evaluate the
 * frozen encoder.
 *
 * Run from the repository root (CIFAR-10 from ../shared/data, $CONTRASTIVE_DATA_DIR or a download):
 *
 *   npx tsx --conditions=contrastive-source examples/library/inst-disc.ts --steps 100 --images 5000
 */
import { mocoV2 as mocoV2Views } from '@contrastive/augment';
import { convNet } from '@contrastive/encoders';
import { linearHead } from '@contrastive/heads';
import { instDisc } from '@contrastive/strategies';
import { cifar10, evaluate, resultLine, setUp, trainSteps } from './common.js';

const sizes = await setUp();

// 1. Data: the first N CIFAR-10 training images; the loader's sample indices address the bank.
const data = await cifar10(sizes);

// 2. Parts: encoder f, a linear projection to 128 dimensions (as in the paper), and one
//    augmented view per image (the bank row is the other side of the pair).
const encoder = convNet({ widths: [32, 64, 128], inputShape: [32, 32, 3], seed: 0 });
const head = linearHead({ inputDim: encoder.outputDim, outputDim: 128, seed: 1 });
const augment = mocoV2Views({ size: 32, views: 1 });

// 3. Compose: a memory bank of one row per training image (momentum 0.5), 4096 sampled rows as
//    negatives, InfoNCE with τ = 0.07.
const strategy = instDisc({ encoder, head, augment, datasetSize: data.train.length, numNegatives: 4096, temperature: 0.07, bankMomentum: 0.5 });

// 4. Train.
const loss = await trainSteps(strategy, data.train, sizes, 1e-2);

// 5. Evaluate the frozen encoder h = f(x): kNN vote and a linear probe.
const evaluation = await evaluate(encoder, data, sizes);
console.log(resultLine('instDisc', loss, evaluation));

strategy.dispose();
head.dispose();
encoder.dispose();
