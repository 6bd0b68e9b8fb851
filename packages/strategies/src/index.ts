/**
 * @packageDocumentation
 * Contrastive learning strategies: SimCLR, SupCon, MoCo v2, InstDisc, and `compose()` for
 * new mixes of augmentations, encoders, heads, losses and negative sources.
 */
export { compose, type ComposeOptions, type ComposedState } from './compose.js';
export type { KeyBranch } from './key-branch.js';
