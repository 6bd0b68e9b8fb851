/**
 * @packageDocumentation
 * `@contrastive/cli/node`: the `contrastive` command line (train | eval | embed | preview | report |
 * main) as a library: {@link runCli} (parses flags, starts the compute engine, runs the command
 * over `@contrastive/experiment/node`), error descriptions and exit statuses, and Ctrl-C / SIGTERM
 * handling. The run directory, config files, training, evaluation, the embeddings file and the
 * HTML report are `@contrastive/experiment/node`'s. The platform-neutral pieces (the built-in
 * `MAIN_CONFIG`, the configuration schema and parser) are in `@contrastive/cli`.
 */
export { runCli, describeError, EXIT, type RunCliOptions } from '../program.js';
export { MAIN_CONFIG } from '../main-config.js';
export { handleInterrupts, InterruptedError, type StopRequest } from '../interrupt.js';
