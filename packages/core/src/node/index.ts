/**
 * @packageDocumentation
 * `@contrastive/core/node`: the Node.js-only helpers shared by the packages (atomic and durable
 * file writes, an existence check). The main entry `@contrastive/core` stays
 * free of `node:` imports so that it bundles for the browser; import this subpath only from
 * code that runs under Node.js.
 */
export { writeFileAtomic, writeFileSynced, syncDirectory, pathExists } from './write-atomic.js';
// The terminal check is platform-neutral (it only reads `stream.isTTY`); it lives in the main entry
// and stays re-exported here for Node code that imports it from this subpath.
export { shouldShowProgress, type ShowProgress, type MaybeTerminal } from '../tty.js';
