/**
 * @packageDocumentation
 * The contrastive command line: train, eval, embed, preview, report
 */
export {};
