/**
 * @packageDocumentation
 * Negative sources for contrastive losses: in-batch (SimCLR), a per-sample memory bank
 * (Wu et al. 2018) and the MoCo momentum queue (He et al. 2020), each a `NegativeSource`
 * whose state is an explicit, serializable value. `emaUpdate` and `cosineMomentum` are
 * re-exported from `@contrastive/nn` (where the one momentum update lives) for compatibility.
 */
export { inBatch, type InBatchState } from './in-batch.js';
export { memoryBank, type MemoryBank, type MemoryBankOptions, type MemoryBankState } from './memory-bank.js';
export { momentumQueue, type MomentumQueue, type MomentumQueueOptions, type MomentumQueueState } from './momentum-queue.js';
export { updateMomentum as emaUpdate, cosineMomentum } from '@contrastive/nn';
