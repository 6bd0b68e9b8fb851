/**
 * @packageDocumentation
 * `@contrastive/core/node`: the Node.js-only helpers shared by the packages (atomic and durable
 * file writes, an existence check, the terminal check for progress bars). The main entry `@contrastive/core` stays
 * free of `node:` imports so that it bundles for the browser; import this subpath only from
 * code that runs under Node.js.
 */
export { writeFileAtomic, writeFileSynced, syncDirectory, pathExists } from './write-atomic.js';
export { shouldShowProgress, type ShowProgress, type MaybeTerminal } from './tty.js';
