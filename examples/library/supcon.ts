/**
 * Supervised contrastive learning (SupCon, Khosla et al. 2020) in library mode: SimCLR's views
 * and parts, but every view of the same class is a positive (L_out, eq. 2). Data, parts,
 * compose, train a few steps, evaluate the frozen encoder.
 *
 * Run from the repository root (CIFAR-10 from ../shared/data, $CONTRASTIVE_DATA_DIR or a download):
 *
 *   npx tsx --conditions=contrastive-source examples/library/supcon.ts --steps 100 --images 5000
 */
import { simclr as simclrViews } from '@contrastive/augment';
import { convNet } from '@contrastive/encoders';
import { mlpHead } from '@contrastive/heads';
import { supcon } from '@contrastive/strategies';
import { cifar10, evaluate, resultLine, setUp, trainSteps } from './common.js';

const sizes = await setUp();

// 1. Data: the first N CIFAR-10 training images with their labels (the loss uses them) and test images.
const data = await cifar10(sizes);

// 2. Parts: encoder f, projection head g, and SimCLR's CIFAR-10 augmentation (two views).
const encoder = convNet({ widths: [32, 64, 128], inputShape: [32, 32, 3], seed: 0 });
const head = mlpHead({ inputDim: encoder.outputDim, hiddenDim: encoder.outputDim, outputDim: 64, seed: 1 });
const augment = simclrViews({ size: 32, strength: 0.5, blur: false, views: 2 });

// 3. Compose: views -> f -> g -> SupCon loss (τ = 0.1); the batch's labels pick the positives.
const strategy = supcon({ encoder, head, augment, temperature: 0.1, variant: 'out' });

// 4. Train.
const loss = await trainSteps(strategy, data.train, sizes);

// 5. Evaluate the frozen encoder h = f(x): kNN vote and a linear probe.
const evaluation = await evaluate(encoder, data, sizes);
console.log(resultLine('supcon', loss, evaluation));

strategy.dispose();
head.dispose();
encoder.dispose();
