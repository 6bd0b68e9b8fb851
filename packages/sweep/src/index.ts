/**
 * @packageDocumentation
 * Research sweeps (issue 17): a sweep file names configuration keys and their values (a grid,
 * named variants, seeded random samples, repeats over seeds) and what to measure; every cell is
 * a normal run. This entry is platform-neutral; running cells lives in `@contrastive/sweep/node`.
 */
export {};
