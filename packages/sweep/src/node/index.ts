/**
 * @packageDocumentation
 * Node side of `@contrastive/sweep`: the sweep directory, local worker processes and the
 * Redis/BullMQ queue.
 */
export * from './queue/index.js';
