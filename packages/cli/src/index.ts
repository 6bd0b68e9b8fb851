/**
 * @packageDocumentation
 * The `contrastive` command line (train | eval | embed | preview | report | main): a thin shell
 * over `@contrastive/experiment` that parses flags, starts the compute engine, turns Ctrl-C into
 * a stop request, draws progress bars on a terminal and prints results. The run configuration,
 * datasets, training, evaluation and report are the experiment layer's.
 */
export { runCli, describeError, EXIT, type RunCliOptions } from './program.js';
export { MAIN_CONFIG } from './commands/main.js';
export { handleInterrupts, InterruptedError, type StopRequest } from './interrupt.js';
