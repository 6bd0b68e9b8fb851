/**
 * @packageDocumentation
 * Negative sources: in-batch, memory bank, MoCo momentum queue, momentum (EMA) update
 */
export {};
