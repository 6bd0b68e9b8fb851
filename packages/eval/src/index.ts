/**
 * @packageDocumentation
 * kNN monitor, linear probe, alignment/uniformity, 2-D embedding maps, reports
 */
export {};
