/**
 * @packageDocumentation
 * Contrastive learning strategies: SimCLR, SupCon, MoCo v2, InstDisc, and `compose()` for
 * new mixes of augmentations, encoders, heads, losses and negative sources.
 */
export { compose, type ComposeOptions, type ComposedState } from './compose.js';
export type { KeyBranch, KeyContext } from './key-branch.js';
export { momentumBranch, type MomentumBranch, type MomentumBranchOptions } from './momentum-branch.js';
export { simclr, type SimclrStrategyOptions } from './simclr.js';
export { supcon, type SupconStrategyOptions } from './supcon.js';
export { mocoV2, type MocoV2Strategy, type MocoV2StrategyOptions } from './moco-v2.js';
export { instDisc, type InstDiscStrategyOptions } from './inst-disc.js';
