/**
 * @packageDocumentation
 * The platform-neutral pieces of the `contrastive` command line (train | eval | embed | preview |
 * report | main): the built-in configuration of `contrastive main` and the validated run
 * configuration (schema, parsing of JSON/YAML text) of `@contrastive/experiment`, re-exported.
 * The command line itself (`runCli`, `describeError`, exit statuses, Ctrl-C handling) is Node.js
 * code in `@contrastive/cli/node`, a thin shell over `@contrastive/experiment/node` that parses
 * flags, starts the compute engine, turns Ctrl-C into a stop request, draws progress bars on a
 * terminal and prints results; the `contrastive` binary runs it.
 */
export { MAIN_CONFIG } from './main-config.js';
export { runConfigSchema, parseConfig, parseConfigText, recipeOf, type RunConfig, type RunConfigInput } from '@contrastive/experiment';
