/**
 * @packageDocumentation
 * Batched, seeded image augmentations and the SimCLR / MoCo v2 / BYOL recipes
 */
export {};
