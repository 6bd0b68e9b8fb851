/**
 * @packageDocumentation
 * `@contrastive/eval/node`: the Node.js-only part of the evaluation: scatter plots rendered to PNG
 * bytes (pngjs) and plots written to files atomically. The SVG renderer is platform-neutral and
 * lives in `@contrastive/eval`.
 */
export { renderScatterPng } from './scatter-png.js';
export { writeScatterPng, writeScatterSvg } from './write-scatter.js';
