/**
 * @packageDocumentation
 * `@contrastive/encoders/node`: saving and loading encoders in a directory (Node.js). `saveEncoder`
 * and `loadEncoder` of `@contrastive/encoders` load this module by themselves when given a path.
 */
export { saveEncoderDirectory, loadEncoderDirectory } from './encoder-directory.js';
