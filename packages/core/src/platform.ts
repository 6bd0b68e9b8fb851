/**
 * The one place that asks "is this Node.js?" and loads a package's Node-only entry lazily, so
 * that main entries stay free of `node:` imports (they bundle for browsers and workers) and
 * still accept Node conveniences such as directory paths.
 */
import { ArgumentError } from './errors.js';

interface NodeLikeProcess {
  readonly versions?: { readonly node?: string };
}

/** True when running on Node.js (including its worker threads), false in browsers and web workers. */
export function isNodeRuntime(): boolean {
  const proc = (globalThis as { process?: NodeLikeProcess }).process;
  return typeof proc?.versions?.node === 'string';
}

/**
 * Runs `load` (a dynamic import of a package's Node-only entry, e.g.
 * `() => import(TRAIN_NODE)` with the specifier in a variable so bundlers leave it alone) and
 * returns the module. Outside Node.js, or if the import fails, throws an {@link ArgumentError}
 * naming `argument` and saying what to pass instead.
 *
 * @example
 * ```ts
 * const io = await loadNodeOnly('saveCheckpoint', 'target', 'a CheckpointStore (e.g. memoryCheckpointStore())', () => import(TRAIN_NODE));
 * ```
 */
export async function loadNodeOnly<T>(where: string, argument: string, alternative: string, load: () => Promise<T>): Promise<T> {
  const refuse = (cause?: unknown): never => {
    throw new ArgumentError(`${where}: argument '${argument}' is a Node.js convenience (a path, a terminal, a file); outside Node.js pass ${alternative}`, {
      argument,
      expected: alternative,
      received: isNodeRuntime() ? 'a Node.js-only value whose module failed to load' : 'a Node.js-only value outside Node.js',
      cause,
    });
  };
  if (!isNodeRuntime()) return refuse();
  try {
    return await load();
  } catch (e) {
    return refuse(e);
  }
}
