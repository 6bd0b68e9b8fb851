/**
 * @packageDocumentation
 * Evaluation of learned representations: the weighted kNN monitor (Wu et al. 2018), the
 * linear probe on frozen features (Chen et al. 2020, SimCLR §4), alignment and uniformity
 * (Wang & Isola 2020), and 2-D embedding maps (UMAP, McInnes et al. 2018; t-SNE, van der Maaten
 * & Hinton 2008) rendered to SVG here and to PNG or files by `@contrastive/eval/node`.
 */
export { embed, embedBatches, type EmbedFn, type EncoderLike, type EmbedOptions, type EmbedBatchesOptions, type EmbeddedDataset } from './embed.js';
export { knnClassify, knnAccuracy, type KnnOptions, type KnnAccuracyOptions } from './knn.js';
export { linearProbe, type LinearProbeOptions, type LinearProbeResult } from './linear-probe.js';
export { fitStandardizer, standardize, type Standardizer } from './standardize.js';
export { alignment, type AlignmentOptions } from './alignment.js';
export { uniformity, type UniformityOptions } from './uniformity.js';
export { embeddingStd, effectiveRank } from './collapse.js';
export type { Labels } from './validate.js';
export { embedding2d, type Embedding2dOptions, type Point2D } from './embedding2d.js';
export { renderScatterSvg } from './scatter-svg.js';
export type { ScatterOptions } from './scatter-layout.js';
