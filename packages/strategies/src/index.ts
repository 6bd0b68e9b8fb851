/**
 * @packageDocumentation
 * Self-supervised learning strategies: SimCLR, SupCon, MoCo v2, InstDisc, BYOL, SimSiam,
 * Barlow Twins, VICReg, NNCLR, DCL, SupCon with a labelled momentum queue, and `compose()` for
 * new mixes of augmentations, encoders, heads, losses and negative sources.
 */
export { compose, type ComposeOptions, type ComposedState } from './compose.js';
export type { KeyBranch, KeyContext } from './key-branch.js';
export { momentumBranch, type MomentumBranch, type MomentumBranchOptions } from './momentum-branch.js';
export { simclr, type SimclrStrategyOptions } from './simclr.js';
export { supcon, type SupconStrategyOptions } from './supcon.js';
export { mocoV2, type MocoV2Strategy, type MocoV2StrategyOptions } from './moco-v2.js';
export { instDisc, type InstDiscStrategyOptions } from './inst-disc.js';
export { byol, type ByolStrategy, type ByolStrategyOptions } from './byol.js';
export { simsiam, type SimsiamStrategyOptions } from './simsiam.js';
export { barlowTwins, type BarlowTwinsStrategyOptions } from './barlow-twins.js';
export { vicreg, type VicregStrategyOptions } from './vicreg.js';
export { nnclr, nearestNeighbours, type NnclrStrategyOptions } from './nnclr.js';
export { dcl, type DclStrategyOptions } from './dcl.js';
export { supconQueue, type SupconQueueStrategy, type SupconQueueStrategyOptions } from './supcon-queue.js';
export type { PairLossStrategyOptions } from './pair-loss-strategy.js';
export { withPredictor, type PredictorHead } from './with-predictor.js';
export { viewTargetPairs } from './view-pairs.js';
