/**
 * @packageDocumentation
 * Contrastive and self-supervised losses on TensorFlow.js: NT-Xent (SimCLR), SupCon L_out and
 * L_in (Khosla et al. 2020; also against a labelled queue), InfoNCE with external negatives
 * (MoCo), the negative cosine of BYOL / SimSiam, Barlow Twins, VICReg, DCL / DCLW (decoupled
 * contrastive), and adapters to core's `ContrastiveLoss`. Embeddings are L2-normalised inside
 * every cosine-based loss (Barlow Twins and VICReg work per dimension instead); all are
 * numerically stable in float32 and differentiable on every tfjs backend, wasm included.
 */
export { ntXent, type NtXentOptions } from './nt-xent.js';
export { supCon, type SupConOptions, type SupConVariant, type Labels } from './sup-con.js';
export { infoNce, type InfoNceOptions } from './info-nce.js';
export { negativeCosine, symmetricNegativeCosine, type NegativeCosineOptions } from './negative-cosine.js';
export { barlowTwins, BARLOW_TWINS_LAMBDA, type BarlowTwinsOptions } from './barlow-twins.js';
export { vicreg, vicregTerms, VICREG_DEFAULTS, type VicregOptions, type VicregTerms } from './vicreg.js';
export { dcl, dclw, DCLW_SIGMA, type DclOptions, type DclwOptions } from './dcl.js';
export { MIN_TEMPERATURE, type BaseLossOptions, type LossScale } from './options.js';
export {
  ntXentLoss,
  supConLoss,
  infoNceLoss,
  negativeCosineLoss,
  barlowTwinsLoss,
  vicregLoss,
  dclLoss,
  dclwLoss,
  type SupConLossOptions,
  type InfoNceLossOptions,
} from './adapters.js';
