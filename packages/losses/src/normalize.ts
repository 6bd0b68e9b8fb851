/**
 * Row-wise L2 normalisation of the embeddings inside every loss: nn's `l2Normalize` (exact in
 * float32 for any finite row, an all-zero row stays zero, the gradient of `x / ‖x‖` written
 * out), under the name the losses use.
 */
export { l2Normalize as l2NormalizeRows } from '@contrastive/nn';
