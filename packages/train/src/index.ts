/**
 * @packageDocumentation
 * Trainer loop, optimizers (SGD, LARS, AdamW), schedules, checkpoint/resume, metrics
 */
export {};
