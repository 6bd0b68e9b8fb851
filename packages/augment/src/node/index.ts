/**
 * @packageDocumentation
 * `@contrastive/augment/node`: the Node.js-only part of the augmentations, writing a preview
 * grid as a PNG file ({@link writePreviewGrid}). Everything else is in `@contrastive/augment`.
 */
export { writePreviewGrid, type WritePreviewGridOptions } from './write-preview-grid.js';
