/**
 * The engine initialiser for pages and web workers: tries webgpu > webgl > wasm > cpu (or the
 * order given), registers every gradient (tfjs-core's browser build registers none by itself)
 * and, on wasm, the training kernels that engine lacks. Nothing here touches Node.js.
 *
 * webgpu and webgl come from their own packages (`@tensorflow/tfjs-backend-webgpu`,
 * `@tensorflow/tfjs-backend-webgl`), which this package does not depend on: import them in the
 * application to make those engines available; an engine that is not registered is skipped with
 * that reason. wasm and cpu are dependencies of this package and always available.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, BackendError, describeValue } from '@contrastive/core';
import { engineOrder } from './engine-order.js';
import { registerTrainingKernels } from './register-kernels.js';

/** The engines {@link initWebBackend} knows, fastest first. */
export const WEB_ENGINES = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
/** A web engine name; each is also the tfjs backend name. */
export type WebEngineName = (typeof WEB_ENGINES)[number];

/** Options of {@link initWebBackend}. */
export interface WebBackendOptions {
  /** Engines to try, in order; default {@link WEB_ENGINES}. A single name means "this one or fail". */
  readonly prefer?: WebEngineName | readonly WebEngineName[];
  /**
   * Where the wasm engine fetches its `.wasm` files: a URL prefix ending in `/` or a map of file
   * names (tfjs `setWasmPaths`). Default: tfjs's own (a CDN); serve the files of
   * `@tensorflow/tfjs-backend-wasm/dist/*.wasm` yourself and pass their prefix to run offline.
   */
  readonly wasmPaths?: string | Readonly<Record<string, string>>;
}

/** What {@link initWebBackend} chose. */
export interface WebBackendReport {
  readonly engine: WebEngineName;
  /** Engines tried, in order, with why each failed one failed. */
  readonly attempts: readonly { readonly engine: WebEngineName; readonly ok: boolean; readonly reason?: string }[];
  /** Kernels this package registered for the engine (wasm: the training kernels it lacks). */
  readonly kernelsAdded: readonly string[];
  /** The loaded @tensorflow/tfjs-core version. */
  readonly tfjsVersion: string;
}

const OPTION_KEYS = ['prefer', 'wasmPaths'] as const;
let gradientsRegistered: Promise<unknown> | null = null;

function reasonOf(e: unknown): string {
  return e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
}

function validate(options: WebBackendOptions): readonly WebEngineName[] {
  const order = engineOrder('initWebBackend', options, OPTION_KEYS, WEB_ENGINES);
  const paths = options.wasmPaths;
  if (paths !== undefined && !(typeof paths === 'string' && paths !== '') && !(typeof paths === 'object' && paths !== null && !Array.isArray(paths))) {
    throw new ArgumentError(`initWebBackend: argument 'options.wasmPaths' must be a URL prefix or a map of .wasm file names to URLs, received ${describeValue(paths)}`, {
      argument: 'options.wasmPaths',
      expected: 'a non-empty string or a { [file]: url } object',
      received: paths,
    });
  }
  return order;
}

async function start(engine: WebEngineName, options: WebBackendOptions): Promise<void> {
  if (engine === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths as string | Record<string, string>);
  } else if (engine === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
  } else if (tf.findBackendFactory(engine) === null) {
    throw new Error(`not registered: import '@tensorflow/tfjs-backend-${engine}' in the application to make it available`);
  }
  if (!(await tf.setBackend(engine))) throw new Error(`tf.setBackend('${engine}') returned false`);
  await tf.ready();
}

/**
 * Registers every tfjs gradient (once per page). tfjs-core's browser build registers none until
 * `@tensorflow/tfjs-core/dist/register_all_gradients` is imported; without it `tf.grads` fails
 * with "gradient function not found". {@link initWebBackend} calls this; call it yourself only
 * when choosing the engine without it.
 *
 * @example
 * ```ts
 * await registerAllGradients();
 * ```
 */
export async function registerAllGradients(): Promise<void> {
  gradientsRegistered ??= import('@tensorflow/tfjs-core/dist/register_all_gradients');
  await gradientsRegistered;
}

/**
 * Chooses and starts the engine in a browser page or web worker (webgpu > webgl > wasm > cpu by
 * default), registers the gradients and the wasm training kernels, and reports what it chose.
 * Throws {@link BackendError} listing every attempt when no engine starts.
 *
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-webgl'; // optional: makes 'webgl' available
 * const report = await initWebBackend({ wasmPaths: '/wasm/' });
 * console.log(report.engine);
 * ```
 */
export async function initWebBackend(options: WebBackendOptions = {}): Promise<WebBackendReport> {
  const order = validate(options);
  await registerAllGradients();
  const attempts: { engine: WebEngineName; ok: boolean; reason?: string }[] = [];
  for (const engine of order) {
    try {
      await start(engine, options);
    } catch (e) {
      attempts.push({ engine, ok: false, reason: reasonOf(e) });
      continue;
    }
    attempts.push({ engine, ok: true });
    const kernelsAdded = engine === 'wasm' ? registerTrainingKernels('wasm') : [];
    return { engine, attempts, kernelsAdded, tfjsVersion: tf.version_core };
  }
  throw new BackendError(`initWebBackend: no engine could be started; tried ${attempts.map((a) => `${a.engine} (${a.reason ?? 'failed'})`).join(', ')}`, {
    argument: 'options.prefer',
    received: options.prefer ?? WEB_ENGINES,
  });
}
