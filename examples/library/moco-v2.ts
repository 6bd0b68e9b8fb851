/**
 * MoCo v2 (Chen, Fan, Girshick & He 2020) in library mode: a query branch (encoder f, MLP head
 * g) trained against keys from a momentum copy of both, with a queue of past keys as negatives
 * (InfoNCE). Data, parts, compose, train a few steps, evaluate the frozen encoder.
 *
 * Run from the repository root (CIFAR-10 from ../shared/data, $CONTRASTIVE_DATA_DIR or a download):
 *
 *   npx tsx --conditions=contrastive-source examples/library/moco-v2.ts --steps 100 --images 5000
 */
import { mocoV2 as mocoV2Views } from '@contrastive/augment';
import { convNet } from '@contrastive/encoders';
import { mlpHead } from '@contrastive/heads';
import { mocoV2 } from '@contrastive/strategies';
import { cifar10, evaluate, resultLine, setUp, trainSteps } from './common.js';

const sizes = await setUp();

// 1. Data: the first N CIFAR-10 training images (labels unused while training) and test images.
const data = await cifar10(sizes);

// 2. Parts: encoder f, MLP projection head g, and MoCo v2's augmentation (crop, colour jitter,
//    grey, blur, flip): one view for the queries, one for the keys.
const encoder = convNet({ widths: [32, 64, 128], inputShape: [32, 32, 3], seed: 0 });
const head = mlpHead({ inputDim: encoder.outputDim, hiddenDim: encoder.outputDim, outputDim: 64, seed: 1 });
const augment = mocoV2Views({ size: 32, views: 2 });

// 3. Compose: the strategy clones f and g into the momentum key branch (m = 0.99) and keeps a
//    queue of 4096 keys as negatives; InfoNCE with τ = 0.2.
const strategy = mocoV2({ encoder, head, augment, temperature: 0.2, queueSize: 4096, momentum: 0.99 });

// 4. Train.
const loss = await trainSteps(strategy, data.train, sizes);

// 5. Evaluate the frozen (query) encoder h = f(x): kNN vote and a linear probe.
const evaluation = await evaluate(encoder, data, sizes);
console.log(resultLine('mocoV2', loss, evaluation));

strategy.dispose();
head.dispose();
encoder.dispose();
